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
heading. This happens in WeasyPrint's own PDF objects (its ``finisher``), before it
writes the file: the copy is written once. The copy's document-level parts (catalog,
/Lang, /MarkInfo, XMP, docinfo) stay as WeasyPrint makes them.

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
import pydyf

from .attachment_redaction import AttachmentError, RedactedPage, ocr_available, ocr_text_layer, text_layer_problem

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
    # A layer kept from earlier is checked when it is opened here (``text_layer_problem``:
    # invisible text only, this many pages); one made just now was checked by OCR.
    check_pages: int | None = None


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


# --- placing, in WeasyPrint's own PDF objects (pydyf) before it writes the file ---------------
# Done as WeasyPrint's finisher, so that the copy is written once: re-reading a tagged PDF of
# hundreds of pages (some 100,000 structure elements) with pikepdf costs time and memory
# (benchmarks/README.md).


def _ref(obj: pydyf.Object) -> bytes:
    return obj.reference


def _obj(pdf: pydyf.PDF, ref) -> pydyf.Object | None:
    """The object a reference (b"12 0 R") names, or the object itself."""
    if isinstance(ref, pydyf.Object):
        return ref
    try:
        number = int(bytes(ref).split()[0])
    except (TypeError, ValueError, IndexError):
        return None
    return pdf.objects[number] if 0 <= number < len(pdf.objects) else None


class _Foreign:
    """Copies objects of a small pikepdf PDF (tesseract's text layer) into a pydyf PDF."""

    def __init__(self, pdf: pydyf.PDF):
        self.pdf = pdf
        self.done: dict[tuple[int, int], bytes] = {}

    def value(self, value):
        if isinstance(value, (pikepdf.Dictionary, pikepdf.Stream, pikepdf.Array)) and value.is_indirect:
            key = value.objgen
            if key not in self.done:
                if isinstance(value, pikepdf.Stream):
                    converted = pydyf.Stream([value.read_raw_bytes()],
                                             {k[1:]: self.value(v) for k, v in value.stream_dict.items() if k != "/Length"})
                else:
                    converted = self.direct(value)
                self.pdf.add_object(converted)
                self.done[key] = converted.reference
            return self.done[key]
        return self.direct(value)

    def direct(self, value):
        if isinstance(value, pikepdf.Dictionary):
            return pydyf.Dictionary({k[1:]: self.value(v) for k, v in value.items()})
        if isinstance(value, pikepdf.Array):
            return pydyf.Array([self.value(v) for v in value])
        if isinstance(value, pikepdf.Name):
            return pydyf.name(str(value)[1:])
        if isinstance(value, pikepdf.String):
            return b"<" + bytes(value).hex().encode("ascii") + b">"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return value
        if value is None:
            return "null"
        return float(value)  # Decimal


def _section(pdf: pydyf.PDF, elements: pydyf.Array, document: pydyf.Dictionary) -> pydyf.Dictionary:
    """The /Sect of the page's first structure element (the slot's page section), else
    the document element."""
    element = _obj(pdf, elements[0]) if len(elements) else None
    for _ in range(20):
        if not isinstance(element, pydyf.Dictionary) or element.get("Type") == "/StructTreeRoot":
            break
        if element.get("S") == "/Sect":
            return element
        element = _obj(pdf, element.get("P"))
    return document


def _tagging(pdf: pydyf.PDF):
    """(document element, {page number: its MCID array}) of the PDF as WeasyPrint tags it
    (a flat parent tree), else None (an untagged PDF)."""
    root = _obj(pdf, pdf.catalog.get("StructTreeRoot")) if "StructTreeRoot" in pdf.catalog else None
    if not isinstance(root, pydyf.Dictionary):
        return None
    tree = _obj(pdf, root.get("ParentTree"))
    kids = root.get("K")
    document = _obj(pdf, kids[0]) if isinstance(kids, list) and kids else None
    if not isinstance(tree, pydyf.Dictionary) or not isinstance(document, pydyf.Dictionary):
        return None
    nums = tree.get("Nums", [])
    arrays = {nums[i]: nums[i + 1] for i in range(0, len(nums) - 1, 2) if isinstance(nums[i + 1], pydyf.Array)}
    return document, arrays


def place(pdf: pydyf.PDF, placements: Sequence[Placement]) -> None:
    """Draw every placement into its slot, in WeasyPrint's PDF objects (as its finisher:
    ``write_pdf(finisher=lambda document, pdf: place(pdf, placements))``)."""
    if not placements:
        return
    tagging = _tagging(pdf)
    foreign = _Foreign(pdf)
    page_refs = pdf.pages["Kids"][::3]
    with ExitStack() as stack:
        opened: dict[int, pikepdf.Pdf] = {}
        for placement in placements:
            layer = placement.text_layer
            if isinstance(layer, Future):
                layer = layer.result()
            source = None
            if layer:
                if id(layer) not in opened:
                    try:
                        opened[id(layer)] = stack.enter_context(pikepdf.open(io.BytesIO(layer)))
                    except pikepdf.PdfError:
                        raise AttachmentError("ocr_failed", "kept text layer unreadable") from None
                    if placement.check_pages is not None:
                        problem = text_layer_problem(opened[id(layer)], placement.check_pages)
                        if problem:
                            raise AttachmentError("ocr_failed", f"kept text layer: {problem}")
                source = opened[id(layer)].pages[placement.text_page]
            page = pdf.objects[page_refs[placement.page_index]]
            _place_one(pdf, page, placement, source, foreign, tagging)


def _place_one(pdf: pydyf.PDF, page: pydyf.Dictionary, placement: Placement, source: pikepdf.Page | None,
               foreign: _Foreign, tagging) -> None:
    img = placement.image
    x, y, w, h = fit(placement.rect, img.width_pt, img.height_pt)
    image = pydyf.Stream([img.jpeg], {"Type": "/XObject", "Subtype": "/Image", "Width": img.width_px,
                                      "Height": img.height_px, "ColorSpace": "/DeviceRGB", "BitsPerComponent": 8,
                                      "Filter": "/DCTDecode"})
    pdf.add_object(image)
    xobjects = {"VtAttImage": image.reference}
    if source is not None:
        tw, th = float(source.MediaBox[2]), float(source.MediaBox[3])
        resources = source.obj.get("/Resources", pikepdf.Dictionary())
        source.contents_coalesce()
        form = pydyf.Stream([source.obj.Contents.read_bytes()],
                            {"Type": "/XObject", "Subtype": "/Form", "BBox": pydyf.Array([0, 0, tw, th]),
                             "Resources": foreign.direct(resources)}, compress=True)
        pdf.add_object(form)
        xobjects["VtAttText"] = form.reference

    # The page's own resources (WeasyPrint shares one dictionary between all pages).
    shared = _obj(pdf, page["Resources"])
    own = pydyf.Dictionary(dict(shared))
    own["XObject"] = pydyf.Dictionary({**dict(_obj(pdf, shared.get("XObject")) or {}), **xobjects})
    pdf.add_object(own)
    page["Resources"] = own.reference

    mcid = parent = elements = None
    if tagging is not None and "StructParents" in page:
        document, arrays = tagging
        elements = arrays.get(page["StructParents"])
        if elements is not None:
            parent = _section(pdf, elements, document)
            mcid = len(elements)

    ops = []
    if mcid is not None:
        ops.append(f"/Figure <</MCID {mcid}>> BDC".encode())
    ops.append(f"q {w:.4f} 0 0 {h:.4f} {x:.4f} {y:.4f} cm /VtAttImage Do Q".encode())
    if mcid is not None:
        ops.append(b"EMC")
    if source is not None:
        if mcid is not None:
            ops.append(f"/P <</MCID {mcid + 1}>> BDC".encode())
        ops.append(f"q {w / tw:.6f} 0 0 {h / th:.6f} {x:.4f} {y:.4f} cm /VtAttText Do Q".encode())
        if mcid is not None:
            ops.append(b"EMC")
    # WeasyPrint's page stream starts with its own transformation (no q): wrap it.
    stream = _obj(pdf, page["Contents"])
    stream.stream.insert(0, b"q")
    stream.stream.append(b"Q")
    stream.stream.extend(ops)

    if mcid is not None:
        figure = pydyf.Dictionary({"Type": "/StructElem", "S": "/Figure", "P": parent.reference,
                                   "Pg": page.reference, "K": mcid, "Alt": pydyf.String(placement.alt)})
        pdf.add_object(figure)
        parent["K"].append(figure.reference)
        elements.append(figure.reference)
        if source is not None:
            text = pydyf.Dictionary({"Type": "/StructElem", "S": "/P", "P": parent.reference,
                                     "Pg": page.reference, "K": mcid + 1})
            pdf.add_object(text)
            parent["K"].append(text.reference)
            elements.append(text.reference)
