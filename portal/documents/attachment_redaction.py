"""Redacting attachments (PDF, images) of dossier entries for a copy (afschrift).

The rule: art. 14.2 Privacyreglement Veilig Thuis (and AVG 15(4)), issue #4. A copy
must not show other people's data, above all the reporter's (melder) identity and the
whereabouts of a protected person. Attachments are part of the entries they belong to,
so they are redacted too, and more strictly than text: a PDF or a photo carries much
that nobody sees on screen (a text layer under a scan, fonts, XMP and docinfo with the
author's name, annotations, embedded files, EXIF with a GPS position).

How: every page is rendered to pixels (pypdfium2 for PDFs, Pillow for images), every
redaction box is filled with solid black *in those pixels*, and a new PDF is written
(pikepdf) that holds one freshly encoded JPEG per page and nothing else. What survives
of the original is what its pages looked like, minus the boxes: no text layer, no
fonts, no annotations, no form fields, no embedded files, no metadata (docinfo, XMP,
EXIF, ICC), no original image stream. :func:`redact` checks its own output for this
before returning it, and :func:`merge_pdfs` refuses to append anything that is not such
an image-only PDF.

Where to put the boxes: :func:`text_boxes` finds given strings (the identifiers the
copy must not show, the same ones the text redaction uses; portal/rules/redaction.py)
in the PDF's text layer and, with OCR (Debian's ``tesseract`` command), in the rendered
pixels. Staff draw further boxes by hand (:class:`Box`, page fractions, so independent
of resolution).

Limits, and why a human reviews every attachment:
- OCR misses text: handwriting, small or blurred print, rotated or curved text (photos
  of letters lying askew, a name on an envelope at an angle), low contrast, unusual
  fonts. A text layer can be wrong too (fonts without a Unicode map).
- Needles are literal strings (folded for case, accents, spaces, punctuation and a
  few OCR confusions such as 0/O, 1/l/I). Other spellings, nicknames, a phone number
  with another prefix ("+31 40" for "040"): the caller gives the variants. Faces,
  licence plates, a house in a photo: staff box them.
- :func:`pages_of` shows the reviewer exactly the rendering :func:`redact` blacks out
  (same code, same orientation; boxes are fractions, so the dpi may differ).
- Non-text content (a signature, a logo, a map) is never found automatically.
- "An attachment nobody has reviewed is withheld, never passed through" is enforced by
  the service that builds the copy, not here: this module only produces the redacted
  rendering for a reviewer to approve. Any :class:`AttachmentError` means: withhold.

Also worth knowing:
- A PDF that needs a password to open is refused (``pdf_encrypted``). A PDF encrypted
  with only an owner password ("copying not allowed", bank statements) is readable by
  anyone, so it is rendered like any other (same choice as portal/documents/uploads.py).
- A PDF that qpdf has to repair (truncated, damaged xref) is refused (``pdf_broken``):
  a partly recovered file could silently lose pages.
- Annotations with an appearance (stamps, free text) and filled form fields are
  rendered into the pixels, as a viewer shows them; a pop-up note's text is not.
- Transparent image areas are composited over white, as viewers show them (the colour
  values stored under fully transparent pixels can hold an earlier picture).
- A page larger than ``MAX_PAGE_PIXELS`` at the requested dpi is rendered at a lower
  resolution (boxes are fractions, so they still fit); an image file larger than that
  is refused (``too_many_pixels``).
- pdfium is not thread-safe: every call into it here holds one module-wide lock.

Pure module: no Flask, no database.
"""
from __future__ import annotations

import ctypes
import io
import logging
import math
import os
import shutil
import subprocess
import tempfile
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageDraw, ImageFile, ImageOps
from pikepdf import Array, Dictionary, Name

__all__ = [
    "ERROR_CODES",
    "IMAGE_TYPES",
    "PDF_TYPE",
    "AttachmentError",
    "Box",
    "iter_pages",
    "merge_pdfs",
    "ocr_available",
    "ocr_text_layer",
    "ocr_text_layer_or_none",
    "text_layer_problem",
    "pages_of",
    "redact",
    "RedactedPage",
    "redacted_pages",
    "text_boxes",
]

PDF_TYPE = "application/pdf"
# Media type -> the one Pillow format accepted for it (a PNG declared as JPEG is refused).
IMAGE_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/tiff": "TIFF"}

MAX_PAGES = 500
MAX_PAGE_PIXELS = 40_000_000  # per rendered page / per image frame
MAX_TOTAL_PIXELS = 2_000_000_000  # all pages of one attachment, when streamed (redact)
MAX_TOTAL_PIXELS_IN_MEMORY = 250_000_000  # pages_of keeps every page (~750 MB as RGB)
JPEG_QUALITY = 85
OCR_TIMEOUT_SECONDS = 120
OCR_DPI = 200
# Needles shorter than this (folded) are matched as whole words only ("14", "P").
_SUBSTRING_MIN = 4
_MARGIN_PT = 1.5  # around text-layer boxes
_FRACTION_GRID = 1_000_000  # FPDF_PageToDevice works in integer device pixels

ERROR_CODES = frozenset(
    {
        "empty",  # no bytes
        "unsupported_type",  # media type not PDF/PNG/JPEG/TIFF
        "pdf_broken",  # not a PDF, damaged (needs repair), or no pages
        "pdf_encrypted",  # needs a password to open
        "image_broken",  # not an image of the declared type, or truncated
        "too_many_pages",  # more than max_pages
        "too_many_pixels",  # an image frame, or all pages together, over the budget
        "box_out_of_range",  # a box for a page the attachment does not have
        "ocr_unavailable",  # OCR asked for (ocr=True) but tesseract is missing
        "ocr_failed",  # tesseract failed or timed out on a page
        "output_check_failed",  # our own output is not image-only (a bug: withhold)
        "part_not_redacted",  # merge_pdfs: a later part is not an image-only PDF
    }
)

_PDFIUM_LOCK = threading.RLock()

log = logging.getLogger(__name__)


class AttachmentError(ValueError):
    """The attachment cannot be rendered or redacted; withhold it. ``code`` is one of
    :data:`ERROR_CODES` (stable, for translated messages elsewhere)."""

    def __init__(self, code: str, detail: str | None = None) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown attachment error code: {code!r}")
        super().__init__(code if detail is None else f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Box:
    """A rectangle to black out, on page ``page`` (0-based), in fractions 0..1 of the
    page's width and height as displayed (after /Rotate and EXIF orientation), origin
    top left."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        if not isinstance(self.page, int) or isinstance(self.page, bool) or self.page < 0:
            raise ValueError("Box.page must be an int >= 0")
        for v in (self.x0, self.y0, self.x1, self.y1):
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
                raise ValueError("Box coordinates must be finite numbers")
        if not (0.0 <= self.x0 < self.x1 <= 1.0 and 0.0 <= self.y0 < self.y1 <= 1.0):
            raise ValueError("Box needs 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1")

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The box on a width x height image, rounded outwards (never smaller)."""
        left = max(0, math.floor(self.x0 * width))
        top = max(0, math.floor(self.y0 * height))
        right = min(width, max(left + 1, math.ceil(self.x1 * width)))
        bottom = min(height, max(top + 1, math.ceil(self.y1 * height)))
        return left, top, right, bottom


def _box(page: int, x0: float, y0: float, x1: float, y1: float) -> Box | None:
    """A Box clamped to the page, or None if nothing of it is on the page."""
    x0, y0 = max(0.0, min(1.0, x0)), max(0.0, min(1.0, y0))
    x1, y1 = max(0.0, min(1.0, x1)), max(0.0, min(1.0, y1))
    if x1 <= x0 or y1 <= y0:
        return None
    return Box(page, x0, y0, x1, y1)


# --- reading: PDF ---------------------------------------------------------------------


def _check_pdf(data: bytes) -> None:
    """qpdf's opinion: refuse what needs a password or a repair."""
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            count = len(pdf.pages)
            warnings = pdf.get_warnings()
    except pikepdf.PasswordError:
        raise AttachmentError("pdf_encrypted") from None
    except Exception:  # pikepdf.PdfError and whatever a hostile file provokes
        raise AttachmentError("pdf_broken") from None
    if warnings:
        raise AttachmentError("pdf_broken", "damaged, needs repair")
    if count == 0:
        raise AttachmentError("pdf_broken", "no pages")


def _open_pdfium(data: bytes) -> pdfium.PdfDocument:
    """Open with pdfium (caller holds the lock)."""
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise AttachmentError("pdf_encrypted") from None
        raise AttachmentError("pdf_broken") from None


def _pdf_scale(width_pt: float, height_pt: float, dpi: int, max_page_pixels: int) -> float:
    if not (width_pt > 0 and height_pt > 0 and math.isfinite(width_pt * height_pt)):
        raise AttachmentError("pdf_broken", "page without a size")
    scale = dpi / 72
    if width_pt * height_pt * scale * scale > max_page_pixels:
        scale = math.sqrt(max_page_pixels / (width_pt * height_pt))
    return scale


def _render_pdf_page(page: pdfium.PdfPage, scale: float) -> Image.Image:
    bitmap = page.render(scale=scale, draw_annots=True, may_draw_forms=True)
    try:
        return bitmap.to_pil().convert("RGB")  # convert copies out of pdfium's buffer
    finally:
        bitmap.close()


def _pdf_pages(
    data: bytes, *, dpi: int, max_pages: int, max_page_pixels: int, max_total_pixels: int
) -> Iterator[tuple[Image.Image, tuple[float, float]]]:
    """Yield (RGB image, page size in points as displayed) per page."""
    _check_pdf(data)
    with _PDFIUM_LOCK:
        doc = _open_pdfium(data)
    try:
        with _PDFIUM_LOCK:
            count = len(doc)
            if count == 0:
                raise AttachmentError("pdf_broken", "no pages")
            if count > max_pages:
                raise AttachmentError("too_many_pages", f"{count} > {max_pages}")
            doc.init_forms()  # so that filled form fields are drawn, as a viewer shows them
        total = 0
        for index in range(count):
            with _PDFIUM_LOCK:
                page = doc[index]
                try:
                    width, height = page.get_size()
                    scale = _pdf_scale(width, height, dpi, max_page_pixels)
                    total += math.ceil(width * scale) * math.ceil(height * scale)
                    if total > max_total_pixels:
                        raise AttachmentError("too_many_pixels", "all pages together")
                    image = _render_pdf_page(page, scale)
                finally:
                    page.close()
            yield image, (width, height)
    finally:
        with _PDFIUM_LOCK:
            doc.close()


# --- reading: images ------------------------------------------------------------------


def _to_rgb(frame: Image.Image) -> Image.Image:
    """RGB as a viewer shows it: transparency over white, 16-bit scaled, CMYK converted."""
    if frame.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        frame = frame.convert("I").point(lambda v: v / 256).convert("L")
    if frame.mode == "P":
        frame = frame.convert("RGBA")
    if frame.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in frame.info:
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return frame.convert("RGB")


def _image_pages(
    data: bytes, media_type: str, *, max_pages: int, max_page_pixels: int, max_total_pixels: int
) -> Iterator[Image.Image]:
    # WeasyPrint turns this on for the whole process when imported; a truncated image
    # must be refused, not half-rendered (portal/documents/uploads.py does the same).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    fmt = IMAGE_TYPES[media_type]
    try:
        image = Image.open(io.BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError:
        raise AttachmentError("too_many_pixels") from None
    except Exception:
        raise AttachmentError("image_broken", f"not a readable {fmt} image") from None
    with image:
        try:
            frames = getattr(image, "n_frames", 1)
        except Exception:
            raise AttachmentError("image_broken") from None
        if frames > max_pages:
            raise AttachmentError("too_many_pages", f"{frames} > {max_pages}")
        total = 0
        for index in range(frames):
            try:
                image.seek(index)
                width, height = image.size
                if width <= 0 or height <= 0:
                    raise AttachmentError("image_broken", "no pixels")
                if width * height > max_page_pixels:
                    raise AttachmentError("too_many_pixels", f"{width}x{height}")
                total += width * height
                if total > max_total_pixels:
                    raise AttachmentError("too_many_pixels", "all frames together")
                image.load()
                frame = ImageOps.exif_transpose(image)  # a copy, orientation applied
                page = _to_rgb(frame)
            except AttachmentError:
                raise
            except Image.DecompressionBombError:
                raise AttachmentError("too_many_pixels") from None
            except Exception:
                raise AttachmentError("image_broken", "cannot decode") from None
            page.info.clear()  # nothing of the file's metadata travels with the pixels
            yield page


def _check_input(data: bytes, media_type: str) -> str:
    if not isinstance(data, (bytes, bytearray, memoryview)) or len(data) == 0:
        raise AttachmentError("empty")
    media_type = (media_type or "").split(";")[0].strip().lower()
    if media_type != PDF_TYPE and media_type not in IMAGE_TYPES:
        raise AttachmentError("unsupported_type", media_type[:50])
    return media_type


def _pages(
    data: bytes,
    media_type: str,
    *,
    dpi: int,
    max_pages: int,
    max_total_pixels: int | None = None,
) -> Iterator[tuple[Image.Image, tuple[float, float]]]:
    """(image, page size in points) for every page; images are "printed" at ``dpi``."""
    media_type = _check_input(data, media_type)
    max_page_pixels = MAX_PAGE_PIXELS
    if max_total_pixels is None:
        max_total_pixels = MAX_TOTAL_PIXELS
    if not 10 <= dpi <= 1200:
        raise ValueError("dpi must be between 10 and 1200")
    data = bytes(data)
    if media_type == PDF_TYPE:
        yield from _pdf_pages(
            data, dpi=dpi, max_pages=max_pages, max_page_pixels=max_page_pixels,
            max_total_pixels=max_total_pixels,
        )
        return
    for image in _image_pages(
        data, media_type, max_pages=max_pages, max_page_pixels=max_page_pixels,
        max_total_pixels=max_total_pixels,
    ):
        yield image, (image.width * 72 / dpi, image.height * 72 / dpi)


def iter_pages(
    data: bytes, media_type: str, *, dpi: int = 150, max_pages: int = MAX_PAGES
) -> Iterator[Image.Image]:
    """Every page as an RGB image, one at a time (for large attachments). PDF pages are
    rendered at ``dpi`` (lower for very large pages); image frames keep their pixels,
    upright (EXIF orientation applied), transparency over white. Raises
    :class:`AttachmentError`."""
    for image, _size in _pages(data, media_type, dpi=dpi, max_pages=max_pages):
        yield image


def pages_of(
    data: bytes,
    media_type: str,
    *,
    dpi: int = 150,
    max_pages: int = MAX_PAGES,
    max_total_pixels: int | None = None,
) -> list[Image.Image]:
    """All pages as RGB images (see :func:`iter_pages`); refuses with
    ``too_many_pixels`` when all pages together would exceed ``max_total_pixels``."""
    if max_total_pixels is None:
        max_total_pixels = MAX_TOTAL_PIXELS_IN_MEMORY
    return [
        image
        for image, _size in _pages(
            data, media_type, dpi=dpi, max_pages=max_pages, max_total_pixels=max_total_pixels
        )
    ]


# --- matching -------------------------------------------------------------------------

# Characters OCR confuses; folded to one class on both sides (only ever adds matches).
_CONFUSABLE = str.maketrans({"0": "o", "1": "l", "i": "l", "5": "s", "8": "b", "2": "z"})


def _key_chars(c: str) -> str:
    """What one character contributes to a match key: letters and digits, lower case,
    without accents, OCR confusions folded; "" for spaces and punctuation."""
    out = []
    for ch in unicodedata.normalize("NFKD", c):
        if unicodedata.combining(ch):
            continue
        for low in ch.casefold():
            if low.isalnum():
                out.append(low)
    return "".join(out).translate(_CONFUSABLE)


def _needle_keys(needles: Sequence[str]) -> list[tuple[str, bool]]:
    """(key, whole_words_only) per distinct needle; empty keys dropped."""
    if isinstance(needles, str):
        raise TypeError("needles must be a sequence of strings, not one string")
    keys: dict[str, bool] = {}
    for needle in needles:
        key = "".join(_key_chars(c) for c in str(needle))
        if key:
            keys[key] = len(key) < _SUBSTRING_MIN
    return sorted(keys.items())


@dataclass
class _Stream:
    """Text as match keys, every key character traced to a unit (a character of the
    text layer, a word of OCR) and a word number (for whole-word matching)."""

    chars: list[str]
    units: list[int]
    words: list[int]

    @classmethod
    def new(cls) -> _Stream:
        return cls([], [], [])

    def add(self, text: str, unit: int, word: int) -> None:
        for k in _key_chars(text):
            self.chars.append(k)
            self.units.append(unit)
            self.words.append(word)

    def find(self, keys: list[tuple[str, bool]]) -> list[list[int]]:
        """Per occurrence of any key: the units it covers (in order)."""
        text = "".join(self.chars)
        found = []
        for key, whole in keys:
            start = text.find(key)
            while start != -1:
                end = start + len(key)
                if not whole or (
                    (start == 0 or self.words[start - 1] != self.words[start])
                    and (end == len(text) or self.words[end] != self.words[end - 1])
                ):
                    found.append(list(dict.fromkeys(self.units[start:end])))
                start = text.find(key, start + 1)
        return found


# --- finding: the PDF text layer ------------------------------------------------------


def _fraction(page: pdfium.PdfPage, x: float, y: float) -> tuple[float, float]:
    dx, dy = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDF_PageToDevice(page.raw, 0, 0, _FRACTION_GRID, _FRACTION_GRID, 0, x, y, dx, dy)
    return dx.value / _FRACTION_GRID, dy.value / _FRACTION_GRID


def _char_rect(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, index: int):
    """The character's box as fractions of the displayed page (x0, y0, x1, y1)."""
    left, bottom, right, top = textpage.get_charbox(index, loose=True)
    if right <= left and top <= bottom:
        return None
    corners = [_fraction(page, x, y) for x in (left, right) for y in (bottom, top)]
    xs, ys = [c[0] for c in corners], [c[1] for c in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    """How much of the shorter of two ranges the other one covers (0..1)."""
    shorter = min(a1 - a0, b1 - b0)
    return (min(a1, b1) - max(a0, b0)) / shorter if shorter > 0 else 0.0


def _union_by_line(rects: list[tuple[float, float, float, float]]) -> list[list[float]]:
    """Consecutive character boxes merged while they stay on one line. A line runs
    left-right or (on a rotated page, or in rotated text) top-bottom; its direction is
    set by its first two characters, so that a wrapped line starts a new box."""
    lines: list[list[float]] = []
    direction: str | None = None
    last: tuple[float, float, float, float] | None = None
    for rect in rects:
        x0, y0, x1, y1 = rect
        if last is not None:
            across = _overlap(last[1], last[3], y0, y1) > 0.5  # same row
            down = _overlap(last[0], last[2], x0, x1) > 0.5  # same column
            if direction is None and across != down:
                direction = "across" if across else "down"
            same = (across and down) if direction is None else (across if direction == "across" else down)
            if same:
                cur = lines[-1]
                cur[0], cur[1] = min(cur[0], x0), min(cur[1], y0)
                cur[2], cur[3] = max(cur[2], x1), max(cur[3], y1)
                last = rect
                continue
        lines.append([x0, y0, x1, y1])
        direction, last = None, rect
    return lines


def _text_layer_boxes(data: bytes, keys: list[tuple[str, bool]], max_pages: int) -> list[Box]:
    boxes: list[Box] = []
    with _PDFIUM_LOCK:
        doc = _open_pdfium(data)
        try:
            count = len(doc)
            if count > max_pages:
                raise AttachmentError("too_many_pages", f"{count} > {max_pages}")
            for index in range(count):
                # Flatten (in memory only) so that text drawn by annotations and form
                # fields is in the text layer too.
                page = doc[index]
                flattened = pdfium_c.FPDFPage_Flatten(page.raw, pdfium_c.FLAT_NORMALDISPLAY)
                if flattened == pdfium_c.FLATTEN_SUCCESS:
                    page.close()
                    page = doc[index]
                textpage = page.get_textpage()
                try:
                    width_pt, height_pt = page.get_size()
                    stream = _Stream.new()
                    word = 0
                    for i in range(textpage.count_chars()):
                        c = chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i) or 0x20)
                        if not _key_chars(c):
                            word += 1
                        stream.add(c, i, word)
                    mx, my = _MARGIN_PT / width_pt, _MARGIN_PT / height_pt
                    for units in stream.find(keys):
                        rects = [r for r in (_char_rect(page, textpage, i) for i in units) if r]
                        for x0, y0, x1, y1 in _union_by_line(rects):
                            box = _box(index, x0 - mx, y0 - my, x1 + mx, y1 + my)
                            if box:
                                boxes.append(box)
                finally:
                    textpage.close()
                    page.close()
        finally:
            doc.close()
    return boxes


# --- finding: OCR ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def _tesseract() -> tuple[str, str] | None:
    """(path to tesseract, language argument) or None."""
    exe = shutil.which("tesseract")
    if not exe:
        return None
    try:
        proc = subprocess.run(
            [exe, "--list-langs"], capture_output=True, timeout=30, check=False,
            stdin=subprocess.DEVNULL, env=_ocr_env(),
        )
    except (OSError, subprocess.SubprocessError):
        return None
    listed = (proc.stdout + proc.stderr).decode("utf-8", "replace").split()
    langs = [lang for lang in ("nld", "eng") if lang in listed]
    if not langs:
        return None
    return exe, "+".join(langs)


def _run_tesseract(args: list[str], timeout: float, cwd: str) -> subprocess.CompletedProcess:
    """Run tesseract (no stdin, our own environment, in ``cwd``); a timeout, a start that
    fails or a non-zero exit is ``AttachmentError("ocr_failed")``."""
    try:
        proc = subprocess.run(args, capture_output=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL, cwd=cwd, env=_ocr_env())
    except subprocess.TimeoutExpired:
        raise AttachmentError("ocr_failed", "timeout") from None
    except OSError:
        raise AttachmentError("ocr_failed") from None
    if proc.returncode != 0:
        raise AttachmentError("ocr_failed", f"exit status {proc.returncode}")
    return proc


def _ocr_env() -> dict[str, str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "OMP_THREAD_LIMIT": "1"}
    if "TESSDATA_PREFIX" in os.environ:
        env["TESSDATA_PREFIX"] = os.environ["TESSDATA_PREFIX"]
    return env


def ocr_available() -> bool:
    """Whether the ``tesseract`` command (Debian's tesseract-ocr) is installed with
    Dutch or English language data."""
    return _tesseract() is not None


@dataclass(frozen=True)
class _Word:
    text: str
    line: tuple[int, int, int, int]  # page, block, paragraph, line
    left: int
    top: int
    width: int
    height: int


def _ocr_words(image: Image.Image) -> list[_Word]:
    tool = _tesseract()
    if tool is None:
        raise AttachmentError("ocr_unavailable")
    exe, langs = tool
    with tempfile.TemporaryDirectory(prefix="vt-ocr-") as tmp:
        path = os.path.join(tmp, "page.png")
        image.convert("L").save(path, format="PNG", compress_level=1)
        proc = _run_tesseract([exe, path, "stdout", "-l", langs, "--psm", "3", "tsv"], OCR_TIMEOUT_SECONDS, tmp)
    words = []
    for row in proc.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        try:
            page, block, par, line, _word, left, top, width, height = map(int, cols[1:10])
        except ValueError:
            continue
        words.append(_Word(cols[11], (page, block, par, line), left, top, width, height))
    return words


def _ocr_image(image: Image.Image) -> Image.Image:
    """Small images are enlarged: tesseract reads letters of ~20-40 px best."""
    if max(image.size) < 1600 and image.width * image.height * 4 <= MAX_PAGE_PIXELS:
        return image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)
    return image


def _ocr_boxes(image: Image.Image, page: int, keys: list[tuple[str, bool]]) -> list[Box]:
    ocr_image = _ocr_image(image)
    width, height = ocr_image.size
    words = _ocr_words(ocr_image)
    stream = _Stream.new()
    for n, word in enumerate(words):
        stream.add(word.text, n, n)
    boxes = []
    for units in stream.find(keys):
        by_line: dict[tuple[int, int, int, int], list[float]] = {}
        for n in units:
            w = words[n]
            pad = max(2.0, 0.2 * w.height)
            rect = [w.left - pad, w.top - pad, w.left + w.width + pad, w.top + w.height + pad]
            cur = by_line.setdefault(w.line, rect)
            cur[0], cur[1] = min(cur[0], rect[0]), min(cur[1], rect[1])
            cur[2], cur[3] = max(cur[2], rect[2]), max(cur[3], rect[3])
        for x0, y0, x1, y1 in by_line.values():
            box = _box(page, x0 / width, y0 / height, x1 / width, y1 / height)
            if box:
                boxes.append(box)
    return boxes


def text_boxes(
    data: bytes,
    media_type: str,
    needles: Sequence[str],
    *,
    ocr: bool | None = None,
    dpi: int = OCR_DPI,
    max_pages: int = MAX_PAGES,
) -> list[Box]:
    """Boxes (with a small margin) over every place where one of ``needles`` appears.

    Matching ignores case, accents, spaces and punctuation ("06-1234 5678" matches
    "0612345678", "Daniëlle" matches "danielle"), also across words and lines; a needle
    of four or more letters/digits is found inside longer words too (the whole word is
    boxed: one box too many beats one too few), a shorter one only as whole words.

    PDF: the text layer (including flattened annotations and form fields) and, with
    OCR, the page rendered at ``dpi``. Images: OCR only. ``ocr``: None = when
    available, True = required (``ocr_unavailable`` if not), False = never. Without
    OCR an image gives no boxes at all: a human has to box it.
    """
    media_type = _check_input(data, media_type)
    keys = _needle_keys(needles)
    if ocr is None:
        ocr = ocr_available()
        if not ocr:
            log.warning("no OCR (tesseract missing): text in images and scans is not searched")
    elif ocr and not ocr_available():
        raise AttachmentError("ocr_unavailable")
    boxes: list[Box] = []
    if media_type == PDF_TYPE:
        _check_pdf(bytes(data))
        if keys:
            boxes.extend(_text_layer_boxes(bytes(data), keys, max_pages))
    if ocr:
        for index, (image, _size) in enumerate(_pages(data, media_type, dpi=dpi, max_pages=max_pages)):
            if keys:
                boxes.extend(_ocr_boxes(image, index, keys))
    elif media_type != PDF_TYPE:
        # Still refuse what cannot be read, so that a caller never mistakes a broken
        # image for one without hits.
        for _ in _pages(data, media_type, dpi=dpi, max_pages=max_pages):
            pass
    return boxes


# --- writing --------------------------------------------------------------------------

_FORBIDDEN_KEYS = frozenset(
    (
        "/Font", "/FontDescriptor", "/FontFile", "/FontFile2", "/FontFile3", "/Annots",
        "/EmbeddedFiles", "/EmbeddedFile", "/Metadata", "/AcroForm", "/JavaScript", "/JS",
        "/OpenAction", "/AA", "/Names", "/Outlines", "/StructTreeRoot", "/PieceInfo",
        "/URI", "/Launch", "/XFA", "/SMask", "/OCProperties", "/Threads",
    )
)
_ALLOWED_OPERATORS = frozenset({"q", "Q", "cm", "Do"})
_ALLOWED_INFO = frozenset({"/Producer"})  # tolerated in a part to merge; redact writes no /Info


def _image_only_problem(pdf: pikepdf.Pdf) -> str | None:
    """Why ``pdf`` is not a PDF of page images only, or None if it is."""
    if set(pdf.Root.keys()) - {"/Type", "/Pages"}:
        return "catalog has more than /Pages"
    if "/Info" in pdf.trailer:
        info = pdf.trailer.Info
        if not isinstance(info, Dictionary) or set(info.keys()) - _ALLOWED_INFO:
            return "docinfo has more than /Producer"
    if pdf.is_encrypted:
        return "encrypted"
    for obj in pdf.objects:
        if isinstance(obj, (Dictionary, pikepdf.Stream)):
            bad = set(obj.keys()) & _FORBIDDEN_KEYS
            if bad:
                return f"forbidden key {sorted(bad)[0]}"
    for page in pdf.pages:
        resources = page.obj.get("/Resources", Dictionary())
        if set(resources.keys()) - {"/XObject"}:
            return "page resources other than images"
        for xobj in resources.get("/XObject", Dictionary()).values():
            if xobj.get("/Subtype") != Name.Image:
                return "an XObject that is not an image"
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) not in _ALLOWED_OPERATORS:
                return f"content operator {operator}"
        if "/Annots" in page.obj:
            return "annotations"
    return None


def _new_pdf(pages: list[tuple[bytes, int, int, float, float]]) -> bytes:
    """A PDF of JPEG pages: (jpeg, width px, height px, width pt, height pt)."""
    out = pikepdf.new()
    for jpeg, wpx, hpx, wpt, hpt in pages:
        image = pikepdf.Stream(out, jpeg)
        image.Type = Name.XObject
        image.Subtype = Name.Image
        image.Width = wpx
        image.Height = hpx
        image.ColorSpace = Name.DeviceRGB
        image.BitsPerComponent = 8
        image.Filter = Name.DCTDecode
        content = pikepdf.Stream(out, f"q {wpt:.4f} 0 0 {hpt:.4f} 0 0 cm /Im0 Do Q".encode("ascii"))
        page = Dictionary(
            Type=Name.Page,
            MediaBox=Array([0, 0, round(wpt, 4), round(hpt, 4)]),
            Resources=Dictionary(XObject=Dictionary(Im0=image)),
            Contents=content,
        )
        out.pages.append(pikepdf.Page(page))
    buffer = io.BytesIO()
    out.save(buffer, deterministic_id=True)
    return buffer.getvalue()


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    # Pillow writes no EXIF/ICC/comment unless asked; the image carries no info anyway.
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return buffer.getvalue()


def redact(
    data: bytes, media_type: str, boxes: Sequence[Box], *, dpi: int = 150, max_pages: int = MAX_PAGES
) -> bytes:
    """A new PDF of the attachment's pages as pixels, every box filled black.

    One JPEG per page, the page size of the original (PDF) or of the image at ``dpi``;
    no text, fonts, annotations, form fields, embedded files or metadata (no docinfo,
    no XMP). Checked before it is returned; any problem raises
    :class:`AttachmentError` and nothing is returned. A box for a page the attachment
    does not have raises ``box_out_of_range`` (it was drawn on another document)."""
    for box in boxes:
        if not isinstance(box, Box):
            raise TypeError("boxes must be Box instances")
    by_page: dict[int, list[Box]] = {}
    for box in boxes:
        by_page.setdefault(box.page, []).append(box)
    pages = []
    for index, (image, (wpt, hpt)) in enumerate(_pages(data, media_type, dpi=dpi, max_pages=max_pages)):
        draw = ImageDraw.Draw(image)
        for box in by_page.get(index, ()):
            left, top, right, bottom = box.pixels(image.width, image.height)
            draw.rectangle((left, top, right - 1, bottom - 1), fill=(0, 0, 0))
        pages.append((_jpeg(image), image.width, image.height, wpt, hpt))
        image.close()
    if by_page and max(by_page) >= len(pages):
        raise AttachmentError("box_out_of_range", f"page {max(by_page)} of {len(pages)}")
    result = _new_pdf(pages)
    _verify_output(result, len(pages))
    return result


def _verify_output(result: bytes, page_count: int) -> None:
    try:
        with pikepdf.open(io.BytesIO(result)) as check:
            problem = _image_only_problem(check)
            if problem is None and len(check.pages) != page_count:
                problem = "page count differs"
    except pikepdf.PdfError:
        problem = "unreadable"
    if problem is None:
        with _PDFIUM_LOCK:
            doc = pdfium.PdfDocument(result)
            try:
                for index in range(len(doc)):
                    page = doc[index]
                    textpage = page.get_textpage()
                    chars = textpage.count_chars()
                    textpage.close()
                    page.close()
                    if chars:
                        problem = "text layer"
                        break
            finally:
                doc.close()
    if problem:
        raise AttachmentError("output_check_failed", problem)


# --- reading our own output back ---------------------------------------------------------


@dataclass(frozen=True)
class RedactedPage:
    """One page of a PDF that :func:`redact` wrote: its JPEG (the redacted pixels, as
    stored) and its size in pixels and in points."""

    jpeg: bytes
    width_px: int
    height_px: int
    width_pt: float
    height_pt: float

    @property
    def landscape(self) -> bool:
        return self.width_pt > self.height_pt


def redacted_pages(data: bytes) -> list[RedactedPage]:
    """The pages of a redacted attachment (as :func:`redact` writes it) as JPEGs, for
    the copy to place on its own pages (portal/documents/attachment_pages.py). Anything
    that is not such an image-only PDF (one DCT image per page, nothing else) is refused
    with ``part_not_redacted``: an original attachment can never get into a copy."""
    try:
        pdf = pikepdf.open(io.BytesIO(bytes(data)))
    except pikepdf.PdfError:
        raise AttachmentError("part_not_redacted", "unreadable") from None
    with pdf:
        problem = _image_only_problem(pdf)
        if problem:
            raise AttachmentError("part_not_redacted", problem)
        pages = []
        for page in pdf.pages:
            images = list(page.obj.Resources.get("/XObject", Dictionary()).values())
            box = [float(v) for v in page.obj.MediaBox]
            if len(images) != 1 or images[0].get("/Filter") != Name.DCTDecode or box[0] or box[1]:
                raise AttachmentError("part_not_redacted", "not one JPEG on a page")
            image = images[0]
            pages.append(RedactedPage(image.read_raw_bytes(), int(image.Width), int(image.Height), box[2], box[3]))
    if not pages:
        raise AttachmentError("part_not_redacted", "no pages")
    return pages


_TEXT_OPERATORS = frozenset({"q", "Q", "cm", "BT", "ET", "Tr", "Tm", "Tf", "Tz", "TJ", "Tj", "Td", "TD", "T*",
                             "Tc", "Tw", "TL", "Ts"})


def ocr_text_layer(pages: Sequence[RedactedPage], *, languages: str | None = None) -> bytes:
    """An invisible text layer for redacted pages: tesseract's own PDF renderer with
    ``textonly_pdf=1`` run on the pages' stored JPEGs, the *redacted* pixels, so nothing
    that was blacked out can come back (there is nothing under a black box to read).
    One tesseract run for all pages (its language data is loaded once).

    The result is a PDF with one page per given page, each of the page's size in
    tesseract's units (pixels at the page's resolution), holding only invisible text
    (render mode 3) in tesseract's embedded GlyphLessFont: checked here (``ocr_failed``
    otherwise; :func:`text_layer_problem`). The caller scales each page onto its image
    (portal/documents/attachment_pages.py). ``ocr_unavailable`` without tesseract."""
    if isinstance(pages, RedactedPage):
        pages = [pages]
    if not pages:
        raise ValueError("ocr_text_layer needs at least one page")
    tool = _tesseract()
    if tool is None:
        raise AttachmentError("ocr_unavailable")
    exe, langs = tool
    page = pages[0]
    dpi = max(10, min(1200, round(page.width_px * 72 / page.width_pt))) if page.width_pt > 0 else 150
    with tempfile.TemporaryDirectory(prefix="vt-ocr-") as tmp:
        paths = []
        for n, page in enumerate(pages):
            path = os.path.join(tmp, f"page-{n:04d}.jpg")
            with open(path, "wb") as fh:
                fh.write(page.jpeg)
            paths.append(path)
        listing = os.path.join(tmp, "pages.txt")
        with open(listing, "w", encoding="ascii") as fh:
            fh.write("\n".join(paths) + "\n")
        _run_tesseract([exe, listing, os.path.join(tmp, "out"), "-l", languages or langs, "--dpi", str(dpi), "--psm", "3",
                        "-c", "textonly_pdf=1", "pdf"], OCR_TIMEOUT_SECONDS * len(pages), tmp)
        try:
            with open(os.path.join(tmp, "out.pdf"), "rb") as fh:
                result = fh.read()
        except OSError:
            raise AttachmentError("ocr_failed", "no output") from None
    problem = text_layer_problem(result, len(pages))
    if problem:
        raise AttachmentError("ocr_failed", problem)
    return result


def ocr_text_layer_or_none(redacted_pdf: bytes) -> bytes | None:
    """:func:`ocr_text_layer` of every page of a PDF that :func:`redact` wrote, or None
    when tesseract is missing or fails (logged without content): the copy then makes
    the layer when it is rendered."""
    if not ocr_available():
        return None
    try:
        return ocr_text_layer(redacted_pages(redacted_pdf))
    except AttachmentError as exc:
        log.warning("OCR text layer of a redacted attachment failed (%s)", exc.code)
        return None


def text_layer_problem(data: bytes | pikepdf.Pdf, page_count: int) -> str | None:
    """Why ``data`` (bytes, or a PDF already open) is not a text layer of ``page_count``
    pages as :func:`ocr_text_layer` makes it (only invisible text on every page: no
    images, no annotations, no visible text, no other content), or None."""
    if isinstance(data, pikepdf.Pdf):
        return _layer_problem(data, page_count)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return _layer_problem(pdf, page_count)
    except pikepdf.PdfError:
        return "unreadable"


def _layer_problem(pdf: pikepdf.Pdf, page_count: int) -> str | None:
    try:
        if len(pdf.pages) != page_count:
            return "page count differs"
        for page in pdf.pages:
            resources = page.obj.get("/Resources", Dictionary())
            if "/XObject" in resources or "/Annots" in page.obj:
                return "more than text"
            mode, saved = 0, []  # text render mode (part of the graphics state), 3 = invisible
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op not in _TEXT_OPERATORS:
                    return f"content operator {op}"
                if op == "q":
                    saved.append(mode)
                elif op == "Q" and saved:
                    mode = saved.pop()
                elif op == "Tr":
                    mode = int(operands[0])
                elif op in ("TJ", "Tj") and mode != 3:
                    return "visible text"
    except pikepdf.PdfError:
        return "unreadable"
    return None


# --- merging --------------------------------------------------------------------------

DEFAULT_FIGURE_ALT = "Pagina van een bijlage, als afbeelding; weggelaten gegevens zijn zwart gemaakt."


def _tagging(pdf: pikepdf.Pdf):
    """(structure element to append figures to, /Nums array, next key) if ``pdf`` is
    tagged with a flat parent tree (as WeasyPrint writes it), else None."""
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return None
    tree = root.get("/ParentTree")
    if not isinstance(tree, Dictionary) or "/Kids" in tree or not isinstance(tree.get("/Nums"), Array):
        return None
    nums = tree.Nums
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    keys += [int(p.obj.StructParents) for p in pdf.pages if "/StructParents" in p.obj]
    next_key = max([int(root.get("/ParentTreeNextKey", 0))] + [k + 1 for k in keys])
    kids = root.get("/K")
    parent = root
    if isinstance(kids, Array) and len(kids) == 1 and isinstance(kids[0], Dictionary):
        parent = kids[0]
    elif isinstance(kids, Dictionary):
        parent = kids
    if not isinstance(parent.get("/K"), Array):
        parent.K = Array([parent.K]) if "/K" in parent else Array()
    return root, parent, nums, next_key


def merge_pdfs(parts: Sequence[bytes], *, figure_alt: str = DEFAULT_FIGURE_ALT) -> bytes:
    """The first PDF (the copy, as WeasyPrint made it) with the pages of the others
    appended. (The copy itself no longer uses this: its attachment pages get the copy's
    footer and an OCR text layer, portal/documents/attachment_pages.py.) The first part's document-level structure is kept as it is (structure
    tree, /MarkInfo, /Lang, outlines, docinfo, XMP).

    Every later part must be an image-only PDF as :func:`redact` writes it; anything
    else is refused (``part_not_redacted``), so that an original attachment can never
    be appended by mistake.

    Accessibility: if the first part is tagged (a structure tree with a flat parent
    tree, as WeasyPrint writes it), each appended page becomes one /Figure with
    ``figure_alt`` as alternative text (pass it in the copy's language). The text in
    those page images is not available to screen readers or search: that is the price
    of rasterising. An untagged first part gets untagged pages.
    """
    if not parts:
        raise ValueError("merge_pdfs needs at least one PDF")
    with ExitStack() as stack:
        try:
            first = stack.enter_context(pikepdf.open(io.BytesIO(parts[0])))
        except pikepdf.PasswordError:
            raise AttachmentError("pdf_encrypted") from None
        except pikepdf.PdfError:
            raise AttachmentError("pdf_broken") from None
        tagging = _tagging(first) if len(parts) > 1 else None
        for part in parts[1:]:
            try:
                other = stack.enter_context(pikepdf.open(io.BytesIO(part)))
            except pikepdf.PdfError:
                raise AttachmentError("part_not_redacted", "unreadable") from None
            problem = _image_only_problem(other)
            if problem:
                raise AttachmentError("part_not_redacted", problem)
            start = len(first.pages)
            first.pages.extend(other.pages)
            if tagging:
                root, parent, nums, next_key = tagging
                for page in first.pages[start:]:
                    figure = first.make_indirect(
                        Dictionary(
                            Type=Name.StructElem, S=Name.Figure, P=parent, Pg=page.obj,
                            K=Array([0]), Alt=pikepdf.String(figure_alt),
                        )
                    )
                    parent.K.append(figure)
                    nums.append(next_key)
                    nums.append(Array([figure]))
                    page.obj.StructParents = next_key
                    page.obj.Tabs = Name.S
                    body = page.obj.Contents.read_bytes()
                    page.obj.Contents = pikepdf.Stream(
                        first, b"/Figure <</MCID 0>> BDC\n" + body + b"\nEMC\n"
                    )
                    next_key += 1
                if "/ParentTreeNextKey" in root:
                    root.ParentTreeNextKey = next_key
                tagging = (root, parent, nums, next_key)
        buffer = io.BytesIO()
        first.save(buffer)
        return buffer.getvalue()
