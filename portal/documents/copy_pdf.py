"""A copy (afschrift, art. 14) as an accessible PDF: portal/documents/copy_document.py -> HTML -> PDF.

    html = render_copy_html(doc)          # in an app context
    pdf = render_copy_pdf(doc)            # the same HTML, rendered by WeasyPrint

What is in it (portal/templates/pdf/copy.html and its copy_*.html partials): a cover
letter (what a copy is, the request, what was left out and why, the complaint route of
art. 21, the number of attachments), a table of contents with page numbers, and the
entries in date order with their date, kind, source and nature (art. 6.5). A redaction
is a grey box with its label; an own statement (art. 16) is marked; a withheld entry
shows only its line. Every page says "pagina X van Y" and "Afschrift voor <naam>,
<datum>, <kenmerk>"; a draft says "CONCEPT" on every page.

Attachments (issue 12): the cover letter lists each one (included, included with parts
blacked out, or left out, with the ground in words); each page of an included
(redacted) attachment is a page of the copy after the entries (copy_attachments.html:
a heading and an empty slot, so the footer and "pagina X van Y" count it), into which
portal/documents/attachment_pages.py draws the redacted page image (a tagged /Figure
with alternative text) and its invisible OCR text layer (a tagged /P).

Language: the copy's (CopyDocument.language), through gettext inside force_locale.
Redaction labels are Dutch in the Segment; REDACTION_LABELS_EN gives their English.

Safety: every string of the document is escaped by Jinja, so text such as <img src=..>,
<link rel=attachment ..> or url(..) comes out as text. The CSS (portal/static/pdf/copy.css)
is our own file, put into <style>; the margin texts reach it through string-set from a
hidden element, never by writing a person's text into CSS. WeasyPrint fetches only
through portal.documents.pdf.StaticOnlyFetcher (only files under portal/static; no network, no
redirects, no file outside static); attachment links are dropped before the PDF is
written, so no file is ever embedded (not even one from portal/static).

PDF: PDF/UA-1 (WeasyPrint's pdf_variant "pdf/ua-1": tagged, /MarkInfo, /Lang, XMP with
pdfuaid:part 1), fonts embedded (DejaVu Sans, subset), /Title a neutral word
("Afschrift"), no author, subject or keywords: no name of the requester, the staff or a
third party in the metadata.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, gettext
from markupsafe import Markup

from ..young import reading
from . import attachment_pages as AP
from .attachment_redaction import redacted_pages
from .copy_document import AttachmentPageView, CopyDocument, EntryView
from .pdf import STATIC_ROOT, StaticOnlyFetcher  # imports WeasyPrint first, guarding Pillow's flag

import pydyf  # noqa: I001 (after portal.documents.pdf)
from weasyprint import HTML

log = logging.getLogger(__name__)


# --- WeasyPrint's tagging, linear in the number of pages --------------------------------------
# WeasyPrint 70 tags a PDF (pdf/tags.py) by reading pydyf's PDF.page_references once per
# structure element, and pydyf 0.13 builds that tuple anew from every page on each read:
# O(elements x pages): for a copy of 1000 entries (about 335 pages) some 15 million tuple
# items and about 9 s CPU, a third of writing the PDF. The same tuple, kept until a page is
# added, gives the same PDF in linear time. Installed once for the process (letters get
# it too); it changes no output (tests/unit/test_copy_pdf.py compares the bytes).

_PAGE_REFERENCES = pydyf.PDF.page_references  # the original property


def _page_references(pdf) -> tuple[bytes, ...]:
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get("_vt_page_references")
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), _PAGE_REFERENCES.fget(pdf))
        pdf.__dict__["_vt_page_references"] = cached
    return cached[1]


if isinstance(_PAGE_REFERENCES, property) and _PAGE_REFERENCES.fget.__name__ == "page_references":
    pydyf.PDF.page_references = property(_page_references)

TEMPLATE = "pdf/copy.html"
CSS_PATH = STATIC_ROOT / "pdf" / "copy.css"
PDF_VARIANT = "pdf/ua-1"

# Redaction labels are written in Dutch into the Segment (portal/rules/redaction.py
# LABELS); an English copy shows them in English. An unknown label is shown as it is.
REDACTION_LABELS_EN = {
    "[weggelaten: privacy derde]": "[removed: privacy of another person]",
    "[weggelaten: veiligheid]": "[removed: safety]",
    "[weggelaten: taak Veilig Thuis]": "[removed: task of Veilig Thuis]",
}


def redaction_label(text: str, language: str) -> str:
    """The label of a redaction in the copy's language."""
    if language == "en":
        return REDACTION_LABELS_EN.get(text.strip(), text)
    return text


@lru_cache(maxsize=4)
def _css(path: Path, mtime_ns: int) -> Markup:  # noqa: ARG001 (mtime: reread when the file changes)
    css = path.read_text(encoding="utf-8")
    if "<" in css:  # our own file; it must never be able to close the <style> element
        raise ValueError("copy.css must not contain '<'")
    return Markup(css)


def copy_css() -> Markup:
    """portal/static/pdf/copy.css, for the page's <style> (as the letters include theirs)."""
    return _css(CSS_PATH, CSS_PATH.stat().st_mtime_ns)


def _page_parts() -> tuple[str, str, str]:
    """ "pagina %(page)s van %(pages)s" in the current language, cut into the words before
    the page number, between the numbers and after them (for string-set in copy.css,
    which puts a space between the parts)."""
    page, pages = "\x01", "\x02"
    text = gettext("pagina %(page)s van %(pages)s", page=page, pages=pages)
    if text.count(page) != 1 or text.count(pages) != 1 or text.index(page) > text.index(pages):
        text = f"{page} / {pages}"  # a translation with the numbers the other way round
    before, rest = text.split(page)
    between, after = rest.split(pages)
    return before.strip(), between.strip(), after.strip()


def entries_in_date_order(doc: CopyDocument) -> list[EntryView]:
    """The entries by date (the copy service numbers them in date order already)."""
    return sorted(doc.entries, key=lambda e: (e.date, e.number))


def render_copy_html(doc: CopyDocument) -> str:
    """The HTML of the copy in its language. Needs an app context (templates, babel)."""
    app = current_app._get_current_object()
    entries = entries_in_date_order(doc)
    with force_locale(doc.language), reading(doc.young):
        return app.jinja_env.get_template(TEMPLATE).render(
            doc=doc, lang=doc.language, entries=entries, css=copy_css(), page_parts=_page_parts(),
            has_own_statement=any(e.own_statement and not e.withheld_label for e in entries),
            label=lambda text: redaction_label(text, doc.language),
            org_name=app.config["ORGANISATION_NAME"], org_phone=app.config["ORGANISATION_PHONE"])


def _render(html: str, fetcher: StaticOnlyFetcher | None, finisher=None) -> bytes:
    """The copy's HTML as PDF/UA-1 bytes; ``finisher(document, pdf)`` is WeasyPrint's:
    it may change the PDF's objects before the file is written."""
    fetcher = fetcher if fetcher is not None else StaticOnlyFetcher()
    options = {"pdf_variant": PDF_VARIANT, "attachments": []}
    document = HTML(string=html, base_url=STATIC_ROOT.as_uri() + "/", url_fetcher=fetcher).render(**options)
    # No embedded file, whatever the HTML says: not even one from portal/static
    # (<link rel=attachment> and <a rel=attachment> are dropped before they are fetched).
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
    pdf = document.write_pdf(finisher=finisher, **options)
    if fetcher.refused:
        # What was refused is not logged (it may hold a person's text), only how many.
        log.warning("copy PDF: refused %d resource(s) outside portal/static", len(fetcher.refused))
    return pdf


def html_to_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """Render the copy's HTML as PDF/UA-1, fetching only from portal/static."""
    return _render(html, fetcher)


_PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels (96 per inch); PDF points are 72 per inch


def _slots(document, slot_ids: Sequence[str]) -> dict[str, tuple[int, tuple[float, float, float, float]]]:
    """Where WeasyPrint put each attachment slot: {id: (page index, (x0, y0, x1, y1) in
    PDF points, origin bottom left)}."""
    wanted, found = set(slot_ids), {}
    for index, page in enumerate(document.pages):
        height = page.height * _PX_TO_PT
        for name, (x1, y1, x2, y2) in page.anchors.items():
            if name in wanted:
                found[name] = (index, (x1 * _PX_TO_PT, height - y2 * _PX_TO_PT, x2 * _PX_TO_PT, height - y1 * _PX_TO_PT))
    missing = wanted - set(found)
    if missing:
        raise RuntimeError(f"copy PDF: {len(missing)} attachment slot(s) not laid out")
    return found


def with_attachment_pages(doc: CopyDocument, attachments: Sequence[bytes]):
    """(every page image of the attachments, ``doc`` with a page view per image):
    ``attachments`` are the redacted attachments, one per included line of
    ``doc.attachments``, in that order, each checked (``redacted_pages``)."""
    included = [a for a in doc.attachments if a.included]
    if len(included) != len(attachments):
        raise ValueError(f"{len(attachments)} attachment(s) for {len(included)} included line(s)")
    images, views = [], []
    for line, data in zip(included, attachments):
        pages = redacted_pages(data)
        for n, page in enumerate(pages, start=1):
            images.append(page)
            views.append(AttachmentPageView(number=line.number, page=n, pages=len(pages), entry_number=line.entry_number,
                                            landscape=page.landscape, slot_id=f"bijlage-{line.number}-{n}"))
    return images, (replace(doc, attachment_pages=tuple(views)) if views else doc)


def render_copy_pdf(doc: CopyDocument, *, attachments: Sequence[bytes] = (),
                    text_layers: Sequence[bytes | None] | None = None, fetcher: StaticOnlyFetcher | None = None,
                    ocr: bool | None = None) -> bytes:
    """The copy as PDF bytes (PDF/UA-1). Needs an app context.

    ``attachments``: the redacted attachments (PDFs from ``attachment_redaction.redact``),
    one per included line of ``doc.attachments``, in that order. Each page gets a page of
    the copy (same footer, counted in "pagina X van Y"), its image tagged as a figure and
    an invisible OCR text layer of the redacted pixels, tagged as a paragraph.
    ``text_layers``: per attachment its kept layer (``ocr_text_layer`` of its pages, made
    when it was redacted) or None: then OCR runs now, beside WeasyPrint (``ocr``: None =
    when tesseract is there, True = required, False = never). Anything but a redacted
    attachment, or a layer that is not invisible text of as many pages, is refused
    (``AttachmentError``)."""
    images, doc = with_attachment_pages(doc, attachments)
    views = doc.attachment_pages
    kept = list(text_layers) if text_layers is not None else [None] * len(attachments)
    if len(kept) != len(attachments):
        raise ValueError("one text layer (or None) per attachment")
    layers: list = []  # per page: (layer, page in it)
    missing: list = []  # pages without a kept layer: OCR now, in one run
    start = 0
    for layer in kept:
        count = views[start].pages  # every attachment has a page at least (redacted_pages)
        if layer is not None:
            # Checked when it is placed (after WeasyPrint's layout: checking it before
            # raised the peak memory of a 1,000-entry copy by some 55-75 MB).
            layers += [(layer, n, count) for n in range(count)]
        else:
            layers += [None] * count
            missing += list(range(start, start + count))
        start += count
    future = AP.start_ocr([images[i] for i in missing], ocr=ocr)  # OCR runs beside WeasyPrint
    for n, i in enumerate(missing):
        layers[i] = (future, n, None) if future is not None else None
    html = render_copy_html(doc)
    if not views:
        return _render(html, fetcher)
    with force_locale(doc.language):
        alts = [gettext("Bijlage %(num)d, pagina %(page)d van %(pages)d, als afbeelding. Zwarte vlakken zijn "
                        "weggelaten gegevens.", num=v.number, page=v.page, pages=v.pages) for v in views]

    def finisher(document, pdf) -> None:
        slots = _slots(document, [v.slot_id for v in views])
        AP.place(pdf, [AP.Placement(slots[v.slot_id][0], slots[v.slot_id][1], image, layer[0] if layer else None,
                                    alt, layer[1] if layer else 0, layer[2] if layer else None)
                       for v, image, layer, alt in zip(views, images, layers, alts)])

    return _render(html, fetcher, finisher)
