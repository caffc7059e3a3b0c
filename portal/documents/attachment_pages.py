"""The redacted attachments on the copy's own pages (issue 12, item 4).

The copy's HTML holds one page per attachment page (portal/templates/pdf/copy_attachments.html):
a heading ("Bijlage 1, pagina 1 van 2") and an empty slot, laid out by WeasyPrint with the
same margins, footer and "pagina X van Y" as every other page, so the page count includes
them. :func:`place` then draws into each slot:

- the page's redacted JPEG exactly as :func:`attachment_redaction.redact` stored it
  (read back and checked by :func:`attachment_redaction.redacted_pages`: one JPEG per page
  and nothing else), scaled to fit, tagged as a /Figure with alternative text;
- an invisible text layer from OCR of those same redacted pixels
  (:func:`attachment_redaction.ocr_text_layer`, tesseract's own PDF renderer, text only),
  scaled onto the image, tagged as a /P: a screen reader and search get the words that
  are visible on the page, and nothing that was blacked out (there is nothing to read
  under a black box).

Both are marked content of the page and get structure elements in the copy's structure
tree (PDF/UA-1, as WeasyPrint tags the rest), inside the page's own section, after its
heading. The copy's document-level parts (catalog, /Lang, /MarkInfo, XMP, docinfo) stay
as WeasyPrint wrote them.

OCR costs about a second of CPU per page, so it is done once, when a caseworker redacts
the attachment (portal/services/copies/workbench.py keeps the text layer, encrypted,
beside the redacted pages). For an attachment without a kept layer, :func:`start_ocr`
runs it in a background thread (tesseract is a subprocess, so it runs beside WeasyPrint
on another core) while the copy's HTML is rendered; :func:`place` waits for it.

Pure module: no Flask, no database.
"""
from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

from .attachment_redaction import AttachmentError, RedactedPage, ocr_available, ocr_text_layer

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placement:
    """One attachment page into the copy: its page (0-based) and slot (x0, y0, x1, y1 in
    PDF points, origin bottom left), the image, its OCR text layer (page ``text_page`` of
    a PDF from ``ocr_text_layer``, or a future of one; None: no text) and the figure's
    alternative text."""

    page_index: int
    rect: tuple[float, float, float, float]
    image: RedactedPage
    text_layer: bytes | Future | None
    alt: str
    text_page: int = 0


def start_ocr(pages: Sequence[RedactedPage], *, ocr: bool | None = None) -> Future | None:
    """A future text layer of ``pages`` (one tesseract run in a background thread, page
    i for pages[i]; its result is None if OCR failed), or None without pages or OCR.
    ``ocr``: None = when tesseract is there, True = required (``ocr_unavailable``),
    False = never. A failed OCR is logged without content: the images and their
    alternative text are still placed."""
    if not pages:
        return None
    if ocr is None:
        ocr = ocr_available()
        if not ocr:
            log.warning("no OCR (tesseract missing): attachment pages get no text layer")
    elif ocr and not ocr_available():
        raise AttachmentError("ocr_unavailable")
    if not ocr:
        return None
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vt-ocr")
    future = pool.submit(ocr_or_none, list(pages))
    pool.shutdown(wait=False)
    return future


def ocr_or_none(pages: Sequence[RedactedPage]) -> bytes | None:
    """``ocr_text_layer(pages)``, or None (logged) when OCR fails."""
    try:
        return ocr_text_layer(pages)
    except AttachmentError as exc:
        log.warning("OCR of %d attachment page(s) failed (%s): no text layer", len(pages), exc.code)
        return None


def fit(rect: tuple[float, float, float, float], width: float, height: float) -> tuple[float, float, float, float]:
    """(x, y, w, h): ``width`` x ``height`` scaled to fit ``rect``, centred across, at its top."""
    x0, y0, x1, y1 = rect
    scale = min((x1 - x0) / width, (y1 - y0) / height)
    w, h = width * scale, height * scale
    return x0 + ((x1 - x0) - w) / 2, y1 - h, w, h


def _parent_tree(pdf: pikepdf.Pdf):
    """(document element, {key: page's MCID array}) of a tagged PDF with a flat parent
    tree (as WeasyPrint writes it), else None."""
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return None
    tree = root.get("/ParentTree")
    if not isinstance(tree, Dictionary) or not isinstance(tree.get("/Nums"), Array):
        return None
    nums = tree.Nums
    arrays = {int(nums[i]): nums[i + 1] for i in range(0, len(nums) - 1, 2) if isinstance(nums[i + 1], Array)}
    kids = root.get("/K")
    document = kids[0] if isinstance(kids, Array) and len(kids) else kids
    if not isinstance(document, Dictionary):
        return None
    return document, arrays


def _section_of(elements: Array, document: Dictionary) -> Dictionary:
    """The /Sect of the page's first structure element (the slot's page section), else
    the document element."""
    if len(elements):
        element = elements[0]
        for _ in range(20):
            if not isinstance(element, Dictionary) or element.get("/Type") == Name.StructTreeRoot:
                break
            if element.get("/S") == Name.Sect:
                return element
            element = element.get("/P")
    return document


def _append_kid(parent: Dictionary, kid: Dictionary) -> None:
    if "/K" not in parent:
        parent.K = Array([kid])
    elif isinstance(parent.K, Array):
        parent.K.append(kid)
    else:
        parent.K = Array([parent.K, kid])


def _max_mcid(page: pikepdf.Page) -> int:
    top = -1
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) in ("BDC", "DP") and len(operands) > 1 and isinstance(operands[1], Dictionary):
            mcid = operands[1].get("/MCID")
            if mcid is not None:
                top = max(top, int(mcid))
    return top


def place(copy_pdf: bytes, placements: Sequence[Placement]) -> bytes:
    """``copy_pdf`` with every placement drawn into its slot (see the module's text)."""
    if not placements:
        return copy_pdf
    with pikepdf.open(io.BytesIO(copy_pdf)) as pdf:
        tagging = _parent_tree(pdf)
        with ExitStack() as stack:
            opened: dict[int, pikepdf.Pdf] = {}
            for placement in placements:
                layer = placement.text_layer
                if isinstance(layer, Future):
                    layer = layer.result()
                source = None
                if layer:
                    if id(layer) not in opened:
                        opened[id(layer)] = stack.enter_context(pikepdf.open(io.BytesIO(layer)))
                    source = opened[id(layer)].pages[placement.text_page]
                _place_one(pdf, placement, source, tagging)
        buffer = io.BytesIO()
        pdf.save(buffer)
        return buffer.getvalue()


def _place_one(pdf: pikepdf.Pdf, placement: Placement, source: pikepdf.Page | None, tagging) -> None:
    page = pdf.pages[placement.page_index]
    img = placement.image
    x, y, w, h = fit(placement.rect, img.width_pt, img.height_pt)
    image = pikepdf.Stream(pdf, img.jpeg)
    image.Type, image.Subtype = Name.XObject, Name.Image
    image.Width, image.Height = img.width_px, img.height_px
    image.ColorSpace, image.BitsPerComponent, image.Filter = Name.DeviceRGB, 8, Name.DCTDecode
    xobjects = {"/VtAttImage": image}
    form = None
    if source is not None:
        tw, th = float(source.MediaBox[2]), float(source.MediaBox[3])
        form = pdf.copy_foreign(source.as_form_xobject())
        xobjects["/VtAttText"] = form

    # The page's own resources (WeasyPrint may share one dictionary between pages).
    old = page.obj.get("/Resources", Dictionary())
    resources = Dictionary({k: v for k, v in old.items()})
    merged = Dictionary({k: v for k, v in old.get("/XObject", Dictionary()).items()})
    for name, obj in xobjects.items():
        merged[name] = obj
    resources.XObject = merged
    page.obj.Resources = resources

    mcid = None
    parent = elements = None
    if tagging is not None and "/StructParents" in page.obj:
        document, arrays = tagging
        elements = arrays.get(int(page.obj.StructParents))
        if elements is not None:
            parent = _section_of(elements, document)
            mcid = max(len(elements), _max_mcid(page) + 1)
            while len(elements) < mcid:
                elements.append(None)

    ops = []
    if mcid is not None:
        ops.append(f"/Figure <</MCID {mcid}>> BDC".encode())
    ops.append(f"q {w:.4f} 0 0 {h:.4f} {x:.4f} {y:.4f} cm /VtAttImage Do Q".encode())
    if mcid is not None:
        ops.append(b"EMC")
    if form is not None:
        if mcid is not None:
            ops.append(f"/P <</MCID {mcid + 1}>> BDC".encode())
        ops.append(f"q {w / tw:.6f} 0 0 {h / th:.6f} {x:.4f} {y:.4f} cm /VtAttText Do Q".encode())
        if mcid is not None:
            ops.append(b"EMC")
    page.contents_add(pikepdf.Stream(pdf, b"q\n"), prepend=True)
    page.contents_add(pikepdf.Stream(pdf, b"\nQ\n" + b"\n".join(ops) + b"\n"))

    if mcid is not None:
        figure = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Figure, P=parent, Pg=page.obj, K=mcid,
                                              Alt=pikepdf.String(placement.alt)))
        _append_kid(parent, figure)
        elements.append(figure)
        if form is not None:
            text = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.P, P=parent, Pg=page.obj, K=mcid + 1))
            _append_kid(parent, text)
            elements.append(text)
