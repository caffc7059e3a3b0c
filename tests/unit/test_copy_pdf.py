"""The copy (afschrift, art. 14) as PDF (portal/documents/copy_pdf.py, issue #4): a cover letter
(what this is, the request, what was left out and why, the complaint route of art. 21),
a table of contents with page numbers, the entries in date order with their source and
nature (art. 6.5), redactions as labelled boxes, own statements (art. 16) marked, and on
every page "pagina X van Y" and "Afschrift voor <naam>, <datum>, <kenmerk>" (and
"CONCEPT" on a draft). Tagged PDF/UA-1, fonts embedded, no names in the metadata.
Text that looks like HTML or CSS comes out as text and nothing is fetched.

The PDF is read back with pypdf and pikepdf (and pdftotext where it is installed)."""
from __future__ import annotations

import io
import re
import shutil
import socket
import subprocess
import threading
from datetime import date

import pikepdf
import pytest
from pypdf import PdfReader

from portal.documents.copy_document import CopyDocument, EntryView, Segment, WithheldLine
from portal.documents.copy_pdf import (REDACTION_LABELS_EN, copy_css, html_to_pdf, redaction_label, render_copy_html,
                             render_copy_pdf)
from portal.documents.pdf import STATIC_ROOT, StaticOnlyFetcher

from ..conftest import require_or_skip

NAME = "Sanne de Vries"
SUBJECT = "Noor de Vries"
REF = "VT-7Q2K-M4XD-9RTB"
MADE_NL = "14 februari 2025"
MADE_EN = "14 February 2025"  # British English (issue 15)
PRIVACY = "[weggelaten: privacy derde]"
SAFETY = "[weggelaten: veiligheid]"
WITHHELD = "Dit stuk laten wij weg om de veiligheid van iemand te beschermen (artikel 14 lid 2)."
# In the withheld entry's title and text: must never be printed.
SECRET_TITLE = "Verslag XQZ-geheim"
SECRET_TEXT = "Inhoud QWV-geheim"
FILLER = ("De medewerker heeft met beide ouders gesproken over de zorgen van de school. "
          "Moeder vertelt dat het thuis rustiger is dan een paar weken geleden.\n"
          "Vader wil hulp bij de opvoeding. Afgesproken is dat het wijkteam over zes weken langskomt.\n\n"
          "De kinderen gaan elke dag naar school en zien er verzorgd uit. ") * 3


def _entry(number, day, kind, title, source, nature, text, **kw) -> EntryView:
    return EntryView(number=number, date=day, kind_label=kind, title=title, source_label=source,
                     nature_label=nature, text=text, **kw)


def _entries() -> list[EntryView]:
    """Numbered in date order (as the copy service numbers them), spread over pages."""
    entries = [
        _entry(1, date(2024, 1, 8), "Melding", (Segment("Verslag 1 van de melding"),), "melder", "mening",
               (Segment("De melder maakt zich zorgen.\nDe buurvrouw "), Segment(PRIVACY, redacted=True),
                Segment(" hoort vaak geschreeuw.")), attachment_lines=("Bijlage 1: een brief, met weglatingen",)),
        _entry(2, date(2024, 1, 15), "Gesprek", (Segment("Verslag 2 gesprek met "), Segment(PRIVACY, redacted=True)),
               "moeder", "feit", (Segment("Moeder vertelt over de afgelopen weken.\n" + FILLER),)),
        _entry(3, date(2024, 2, 1), "Eigen verklaring", (Segment("Verslag 3 mijn kant van het verhaal"),), "vader",
               "mening", (Segment("Ik ben het niet eens met de melding.\nEr is nooit geslagen."),), own_statement=True),
        _entry(4, date(2024, 2, 9), "Verslag", (Segment(SECRET_TITLE),), "informant", "feit",
               (Segment(SECRET_TEXT),), withheld_label=WITHHELD),
        _entry(5, date(2024, 3, 4), "Veiligheidsbeoordeling", (Segment("Verslag 5 veiligheid"),), "Veilig Thuis",
               "veronderstelling", (Segment("Het adres van moeder: "), Segment(SAFETY, redacted=True), Segment(".\n" + FILLER))),
    ]
    for n in range(6, 13):
        entries.append(_entry(n, date(2024, 3, 4 + n), "Gesprek", (Segment(f"Verslag {n} vervolggesprek"),), "school",
                              "feit", (Segment(FILLER),)))
    return entries


def make_doc(*, language="nl", draft=True, entries=None, name=NAME, **kw) -> CopyDocument:
    entries = list(reversed(_entries())) if entries is None else entries  # not in date order on purpose
    defaults = dict(language=language, reference=REF, recipient_name=name, made_on=date(2025, 2, 14),
                    received_on=date(2025, 1, 20), subject_name=SUBJECT, on_behalf=False, entries=tuple(entries),
                    withheld=(WithheldLine("privacy van een ander (artikel 14 lid 2)", 3,
                                           "Er staan ook gegevens over andere mensen in. Die laten wij weg."),
                              WithheldLine("veiligheid (artikel 14 lid 2)", 2,
                                           "Soms laten wij iets weg om iemand te beschermen.")),
                    attachment_count=1, draft=draft)
    defaults.update(kw)
    return CopyDocument(**defaults)


_CACHE: dict = {}


def _pdf(app, key: str) -> bytes:
    """The PDF of a standard document, rendered once per test run."""
    if key not in _CACHE:
        language, draft = {"nl": ("nl", True), "nl-final": ("nl", False), "en": ("en", True)}[key]
        with app.app_context():
            _CACHE[key] = render_copy_pdf(make_doc(language=language, draft=draft))
    return _CACHE[key]


def _pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _nospace(text: str) -> str:
    return "".join(text.split())


def _catalogue_translates(app, msgid: str, **variables) -> bool:
    from flask_babel import force_locale, gettext

    with app.app_context(), force_locale("en"):
        return gettext(msgid, **variables) != (msgid % variables if variables else msgid)


# --- every page ------------------------------------------------------------------------------------

def test_art14_every_page_has_page_x_of_y_and_the_copy_line(app):
    """Issue #4: "pagina X van Y" with the right Y, and "Afschrift voor <naam>, <datum>,
    <kenmerk>" on every page."""
    pages = _pages(_pdf(app, "nl"))
    assert len(pages) >= 5
    for i, text in enumerate(pages, start=1):
        flat = _flat(text)
        assert f"pagina {i} van {len(pages)}" in flat, (i, flat[-200:])
        assert f"Afschrift voor {NAME}, {MADE_NL}, {REF}" in flat, (i, flat[-200:])


def test_art14_page_footer_read_by_pdftotext(app, tmp_path):
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) not installed")
    path = tmp_path / "copy.pdf"
    path.write_bytes(_pdf(app, "nl"))
    total = len(PdfReader(io.BytesIO(path.read_bytes())).pages)
    for i in range(1, total + 1):
        out = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(path), "-"],
                             capture_output=True, text=True, check=True, timeout=60).stdout
        flat = _flat(out)
        assert f"pagina {i} van {total}" in flat and f"Afschrift voor {NAME}, {MADE_NL}, {REF}" in flat, i
        assert "CONCEPT" in flat, i


def test_art14_draft_says_concept_on_every_page_and_final_does_not(app):
    draft = _pages(_pdf(app, "nl"))
    final = _pages(_pdf(app, "nl-final"))
    assert all("CONCEPT" in text for text in draft)
    assert not any("CONCEPT" in text for text in final)
    assert f"pagina 1 van {len(final)}" in _flat(final[0])


# --- cover letter ------------------------------------------------------------------------------------

def test_art14_art21_cover_letter(app):
    """The cover letter: what a copy is (art. 14), the request (reference, date received),
    what was left out and why, the number of attachments, the complaint route (art. 21)."""
    pages = _pages(_pdf(app, "nl"))
    cover = _flat(" ".join(pages[:2]))
    for phrase in ("Uw afschrift", f"Beste {NAME},", "artikel 14 van het Privacyreglement Veilig Thuis",
                   "Wij kregen uw verzoek op 20 januari 2025", f"Het kenmerk van uw verzoek is {REF}",
                   "In dit afschrift staan 12 stukken uit het dossier",
                   "privacy van een ander (artikel 14 lid 2) (3 keer)", "Die laten wij weg.",
                   "veiligheid (artikel 14 lid 2) (2 keer)", PRIVACY,
                   "Na de stukken komt 1 bijlage.",
                   "(artikel 21)", "teammanager", "vertrouwenspersoon", "klachtenfunctionaris", "klachtencommissie",
                   "Autoriteit Persoonsgegevens", "rechter"):
        assert phrase in cover, phrase


def test_art14_cover_letter_without_withheld_lines_and_on_behalf(app):
    with app.app_context():
        html = render_copy_html(make_doc(withheld=(), attachment_count=0, on_behalf=True))
    assert "Wij hebben niets weggelaten, behalve gegevens over andere mensen." in html
    assert "Bij dit afschrift horen geen bijlagen." in html
    assert f"namens of over {SUBJECT}" in html


# --- table of contents and entries ---------------------------------------------------------------------

def _toc_rows(pages: list[str]) -> dict[int, tuple[str, int]]:
    """{entry number: (the row's text without the page, page number)} from the table of
    contents; a row may run over more than one line."""
    start = next(i for i, t in enumerate(pages) if "Inhoudsopgave" in t)
    end = next(i for i, t in enumerate(pages) if "De stukken uit het dossier" in t)
    lines = []
    for text in pages[start:end]:
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith(("Inhoudsopgave", "Nr. ", "CONCEPT", "Afschrift voor")):
                lines.append(line)
    rows: dict[int, list[str]] = {}
    for line in lines:
        m = re.match(r"^(\d+) ", line)
        if m and int(m.group(1)) == len(rows) + 1:
            rows[len(rows) + 1] = [line[m.end():]]
        elif rows:
            rows[len(rows)].append(line)
    result = {}
    for number, parts in rows.items():
        text = " ".join(parts)
        m = re.match(r"^(.*) (\d+)$", text)
        assert m, (number, text)
        result[number] = (m.group(1), int(m.group(2)))
    return result


def _heading_page(pages: list[str], number: int, start: int) -> int | None:
    for i, text in enumerate(pages[start:], start=start + 1):
        if re.search(rf"(^|\n){number}\. ", text):
            return i
    return None


def test_art14_toc_lists_every_entry_with_its_page(app):
    """Issue #4: a table of contents with number, date, kind and the page of every entry."""
    pages = _pages(_pdf(app, "nl"))
    rows = _toc_rows(pages)
    assert sorted(rows) == list(range(1, 13))
    assert rows[1][0].startswith("8 januari 2024 Melding")
    assert rows[3][0] == "1 februari 2024 Eigen verklaring (uw eigen verklaring)"
    assert rows[4][0] == "– " + WITHHELD  # a withheld entry: only its line
    body_start = next(i for i, t in enumerate(pages) if "De stukken uit het dossier" in t)
    for number, (_rest, page) in rows.items():
        assert _heading_page(pages, number, body_start) == page, number


def test_art6_5_entries_in_date_order_with_date_kind_source_and_nature(app):
    """The entries (given out of order) are printed in date order, each with its date
    (long Dutch format), kind, source (a role) and nature (art. 6.5)."""
    text = _flat(" ".join(_pages(_pdf(app, "nl"))))
    body = text[text.index("De stukken uit het dossier"):]
    positions = [body.index(f"{n}. Verslag {n} ") for n in (1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12)]
    assert positions == sorted(positions)
    assert "Datum: 8 januari 2024 · Soort: Melding · Bron: melder · Aard: mening" in body
    assert "Datum: 4 maart 2024 · Soort: Veiligheidsbeoordeling · Bron: Veilig Thuis · Aard: veronderstelling" in body
    assert "Bijlage 1: een brief, met weglatingen" in body


def test_art14_text_keeps_its_line_breaks(app):
    pages = _pages(_pdf(app, "nl"))
    assert any("Ik ben het niet eens met de melding.\nEr is nooit geslagen." in t for t in pages)


def test_art14_2_redactions_are_labelled_boxes_and_withheld_entries_show_only_their_line(app):
    """Issue #4: a redaction is a visible box with its label ("[weggelaten: privacy
    derde]"), never the original; a withheld entry shows only its line."""
    data = _pdf(app, "nl")
    text = _flat(" ".join(_pages(data)))
    bare = _nospace(text)  # the box's padding may read as a space
    assert _nospace(f"De buurvrouw {PRIVACY} hoort vaak geschreeuw.") in bare
    assert _nospace(f"Verslag 2 gesprek met {PRIVACY}") in bare  # in a title too
    assert _nospace(f"Het adres van moeder: {SAFETY}.") in bare
    assert "4. Weggelaten stuk" in text and WITHHELD in text
    assert SECRET_TITLE not in text and SECRET_TEXT not in text
    with app.app_context():
        html = render_copy_html(make_doc())
    assert f'<span class="redacted">{PRIVACY}</span>' in html
    assert SECRET_TITLE not in html and SECRET_TEXT not in html
    css = copy_css()
    rule = css[css.index(".redacted {"):]
    assert "border:" in rule[:200] and "background:" in rule[:200]


def test_art16_own_statement_is_marked(app):
    pages = _pages(_pdf(app, "nl"))
    text = _flat(" ".join(pages))
    body = text[text.index("De stukken uit het dossier"):]
    own = body[body.index("3. Verslag 3 "):body.index("4. Weggelaten stuk")]
    assert "Uw eigen verklaring" in own and "(artikel 16)" in own
    assert own.index("Uw eigen verklaring") < own.index("Ik ben het niet eens met de melding.")
    assert body.count("Uw eigen verklaring") == 1  # only the own statement


# --- the PDF itself ---------------------------------------------------------------------------------------

def test_issue4_metadata_holds_no_names_only_a_neutral_title(app):
    """No recipient, subject, staff or third party in the document information or XMP."""
    data = _pdf(app, "nl")
    meta = {k: str(v) for k, v in (PdfReader(io.BytesIO(data)).metadata or {}).items()}
    assert meta.get("/Title") == "Afschrift"
    assert set(meta) <= {"/Title", "/Producer", "/Creator", "/CreationDate", "/ModDate"}
    assert meta.get("/Producer", "").startswith("WeasyPrint")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        xmp = str(pdf.open_metadata())
        assert pdf.open_metadata().get("pdfuaid:part") == "1"
    blob = " ".join(info.values()) + xmp
    for word in (NAME, "Sanne", "Vries", SUBJECT, REF, "melder", "moeder", "vader", "school", "informant"):
        assert word not in blob, word
    assert "Afschrift" in xmp


def test_issue4_fonts_are_embedded(app):
    data = _pdf(app, "nl")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"
                 and o.get("/Subtype") != "/CIDFontType2"]
        assert fonts
        names = []
        for font in fonts:
            target = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = target.get("/FontDescriptor")
            assert descriptor is not None, font
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font
            names.append(str(font.get("/BaseFont")))
    if shutil.which("fc-list") and "DejaVu Sans" in subprocess.run(["fc-list"], capture_output=True,
                                                                      text=True).stdout:
        assert all("DejaVu" in n for n in names), names


def _struct_types(element, depth=0, seen=None) -> set[str]:
    seen = set() if seen is None else seen
    if depth > 12:
        return seen
    if isinstance(element, pikepdf.Array):
        for child in element:
            _struct_types(child, depth + 1, seen)
    elif isinstance(element, pikepdf.Dictionary):
        if "/S" in element:
            seen.add(str(element.S))
        if "/K" in element:
            _struct_types(element.K, depth + 1, seen)
    return seen


def test_issue4_pdf_is_tagged_pdf_ua_with_language(app):
    """Accessible: tagged (MarkInfo, StructTreeRoot with headings, paragraphs and the
    table of contents as a table), /Lang, PDF/UA-1 identification, the title shown."""
    for key, lang in (("nl", "nl"), ("en", "en")):
        with pikepdf.open(io.BytesIO(_pdf(app, key))) as pdf:
            root = pdf.Root
            assert bool(root.MarkInfo.Marked) is True
            assert "/StructTreeRoot" in root
            assert str(root.Lang) == lang
            assert bool(root.ViewerPreferences.DisplayDocTitle) is True
            types = _struct_types(root.StructTreeRoot.K)
            assert {"/Document", "/H1", "/H2", "/P", "/Table", "/TR", "/TH", "/TD", "/L", "/LI"} <= types, types


def test_issue4_faster_tagging_gives_the_same_pdf():
    """copy_pdf keeps pydyf's page references between reads (WeasyPrint's tagging reads
    them once per structure element, which made tagging quadratic in the page count):
    the tagged PDF is byte for byte the one the original property gives."""
    import pydyf
    from weasyprint import HTML

    from portal.documents import copy_pdf

    assert pydyf.PDF.page_references is not copy_pdf._PAGE_REFERENCES  # installed
    html = ('<html lang="nl"><title>Afschrift</title><body>' + "".join(
        f"<h2>Kop {i}</h2><p>Tekst {i}</p><table><tr><th>a</th></tr><tr><td>b {i}</td></tr></table>"
        for i in range(150)) + "</body></html>")
    fast = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    patched = pydyf.PDF.page_references
    pydyf.PDF.page_references = copy_pdf._PAGE_REFERENCES
    try:
        original = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    finally:
        pydyf.PDF.page_references = patched
    assert len(PdfReader(io.BytesIO(fast)).pages) > 3
    assert fast == original


# --- nothing fetched, text stays text ---------------------------------------------------------------------

@pytest.fixture
def listener():
    """A real TCP listener on loopback that counts the connections it accepts."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.05)
    accepted: list = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, addr = server.accept()
            except (socket.timeout, TimeoutError):
                continue
            except OSError:
                break
            accepted.append(addr)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(2)
    server.close()


def _payloads(port: int) -> list[str]:
    base = f"http://127.0.0.1:{port}"
    return [f'<img src="{base}/x">', '<link rel=attachment href="file:///etc/passwd">',
            f"<style>@import url({base}/y)</style>", f"url({base}/z)", "file:///etc/hostname"]


def _assert_nothing_embedded(data: bytes) -> None:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", pikepdf.Dictionary())
        assert not pdf.attachments
        for page in pdf.pages:
            for annot in page.get("/Annots", pikepdf.Array()):
                assert annot.get("/Subtype") != "/FileAttachment"
    assert not PdfReader(io.BytesIO(data)).attachments


def test_issue4_markup_in_name_title_and_text_is_text_and_nothing_is_fetched(app, listener):
    """<img src>, <link rel=attachment>, <style>@import, url() and file:// in the entry
    text, the title and the recipient's name come out as text; no connection reaches a
    real listener; nothing is embedded; the fetcher saw nothing outside portal/static."""
    port, accepted = listener
    payloads = _payloads(port)
    name = f'Ana"; }} @import url(http://127.0.0.1:{port}/n); {payloads[0]} {payloads[2]}'
    entries = _entries()
    entries[0] = _entry(1, date(2024, 1, 8), "Melding", (Segment("Titel " + " ".join(payloads)),), "melder", "feit",
                        tuple(Segment(p + "\n") for p in payloads)
                        + (Segment(payloads[0], redacted=True),))
    doc = make_doc(entries=entries, name=name, draft=False)
    fetcher = StaticOnlyFetcher()
    with app.app_context():
        html = render_copy_html(doc)
        data = render_copy_pdf(doc, fetcher=fetcher)
    assert accepted == []
    assert fetcher.refused == []  # nothing was even asked for
    assert all(StaticOnlyFetcher().resolve(url) for url in fetcher.served)
    assert all(url.startswith(STATIC_ROOT.as_uri()) for url in fetcher.served)
    _assert_nothing_embedded(data)
    # escaped in the HTML, and never part of the CSS
    assert "<img src=" not in html and "<link rel=attachment" not in html
    assert html.count("<style>") == 1 and html.count("</style>") == 1  # only ours: the text's is escaped
    style = html[html.index("<style>") + 7:html.index("</style>")]
    assert style == str(copy_css())  # the name is never part of the CSS
    pages = _pages(data)
    text = _nospace(" ".join(pages))
    for payload in payloads:
        assert text.count(_nospace(payload)) >= 2, payload  # in the title and in the text
    for i, page in enumerate(pages, start=1):
        assert _nospace(f"Afschrift voor {name}") in _nospace(page), i
        assert f"pagina {i} van {len(pages)}" in _flat(page), i


def test_issue4_second_wall_copy_renderer_fetches_only_from_static(listener, tmp_path):
    """If markup ever reached the copy's renderer, it could still fetch nothing outside
    portal/static: no network, no file://, no attachment."""
    port, accepted = listener
    base = f"http://127.0.0.1:{port}"
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: url(%s/from-secret.png) }" % base)
    html = f"""<html lang="nl"><head><title>Afschrift</title>
      <link rel="stylesheet" href="{base}/style.css"><link rel="stylesheet" href="{secret.as_uri()}">
      <link rel="attachment" href="{base}/a.txt"><link rel="attachment" href="file:///etc/passwd">
      <link rel="attachment" href="{(STATIC_ROOT / 'pdf' / 'copy.css').as_uri()}">
      <style>@import url("{base}/import.css"); body {{ background: url({base}/bg.png) }}</style>
      </head><body><img src="{base}/img.png" alt="x"><img src="file:///etc/hostname" alt="y">
      <p>Tekst</p></body></html>"""
    fetcher = StaticOnlyFetcher()
    data = html_to_pdf(html, fetcher=fetcher)
    assert data.startswith(b"%PDF-")
    assert accepted == []
    assert any(u.startswith(base) for u in fetcher.refused)
    assert any("/etc/hostname" in u for u in fetcher.refused)
    assert all(u.startswith(STATIC_ROOT.as_uri() + "/") for u in fetcher.served)
    # attachments are dropped before anything is fetched for them
    assert not any(u.endswith(("/a.txt", "/etc/passwd", "/copy.css")) for u in fetcher.refused + fetcher.served)
    _assert_nothing_embedded(data)  # not even a file from portal/static


def test_issue4_html_is_neutral_and_has_its_language(app):
    with app.app_context():
        html = render_copy_html(make_doc())
    assert '<html lang="nl">' in html
    assert "<title>Afschrift</title>" in html
    assert 'name="author"' not in html and "<meta name" not in html


# --- English --------------------------------------------------------------------------------------------

def test_art14_2_redaction_labels_in_english():
    assert redaction_label(PRIVACY, "en") == "[removed: privacy of another person]"
    assert redaction_label(SAFETY, "en") == "[removed: safety]"
    assert redaction_label(PRIVACY, "nl") == PRIVACY
    assert redaction_label("[weggelaten: iets anders]", "en") == "[weggelaten: iets anders]"
    from portal.rules.redaction import LABELS

    assert set(LABELS.values()) <= set(REDACTION_LABELS_EN)  # every label the redaction rules write


def test_art14_copy_in_english(app):
    """An English copy: redaction labels in English, English dates and labels, the
    complaint route in English, /Lang en."""
    pages = _pages(_pdf(app, "en"))
    text = _flat(" ".join(pages))
    bare = _nospace(text)
    assert "Verslag 1 van de melding" in text  # the dossier's own text is not translated
    assert _nospace("De buurvrouw [removed: privacy of another person] hoort vaak geschreeuw.") in bare
    assert _nospace("Het adres van moeder: [removed: safety].") in bare
    assert PRIVACY not in text and SAFETY not in text
    assert "Date: 8 January 2024 · Kind: Melding · Source: melder · Nature: mening" in text
    assert "Your own statement" in text
    assert "Autoriteit Persoonsgegevens" in text and "team manager" in text and "complaints committee" in text
    with app.app_context():
        html = render_copy_html(make_doc(language="en"))
    assert '<html lang="en">' in html


def test_art14_english_page_footer_and_draft(app):
    """"page X of Y", "Copy for <name>, <date>, <reference>" and "DRAFT" on every page of
    an English copy (tests/unit/test_translations.py keeps the catalogue complete)."""
    assert _catalogue_translates(app, "pagina %(page)s van %(pages)s", page=1, pages=2)
    pages = _pages(_pdf(app, "en"))
    for i, text in enumerate(pages, start=1):
        flat = _flat(text)
        assert f"page {i} of {len(pages)}" in flat, i
        assert f"Copy for {NAME}, {MADE_EN}, {REF}" in flat, i
        assert "DRAFT" in flat, i
    assert "Your copy" in _flat(pages[0])
