"""Art. 14.2 Privacyreglement Veilig Thuis, issue #4: attachments (PDF, images) in a copy
are redacted by rendering every page to pixels and blacking out the boxes in those
pixels; nothing of the original survives (no text layer, fonts, metadata, annotations,
embedded files, EXIF). Issue #4's test: "the redacted PDF holds no extractable text of
the redacted strings and none of the original metadata".

Every fixture is made here, in code (WeasyPrint, pikepdf, Pillow), with made-up people.
OCR tests need Debian's tesseract; text extraction also uses poppler's pdftotext: they
skip locally without them and fail in CI (REQUIRE_SYSTEM_PARTS=1).
"""
from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zlib
from concurrent.futures import ThreadPoolExecutor

import pikepdf
import pypdf
import pypdfium2 as pdfium
import pytest
from pikepdf import Array, Dictionary, Name, String
from PIL import Image, ImageDraw, ImageFile, ImageFont
from weasyprint import HTML

from portal.documents import attachment_redaction as A
from portal.documents.attachment_redaction import AttachmentError, Box, merge_pdfs, pages_of, redact, text_boxes
from portal.documents.pdf import render_pdf
from tests.conftest import require_or_skip

PDF = "application/pdf"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

REPORTER = "Ineke Bosman"
PHONE = "040-1234567"
ADDRESS = "Lindelaan 14"
NEEDLES = [REPORTER, PHONE, ADDRESS]
# Strings that must not survive anywhere in the redacted file (also not in metadata).
SECRETS = ["Bosman", "Ineke", "1234567", "Lindelaan", "melder.txt", "Verslag melder"]

HTML_TEXT = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>t</title></head>
<body style="font-family: 'DejaVu Sans'; font-size: 12pt">
<p>Melding van {reporter}, telefoon {phone}.</p>
<p>Moeder woont nu op {address}, 5611 AB Eindhoven.</p>
<p>Het gesprek vond plaats op school.</p>
<p style="page-break-before: always">Op pagina twee belde INEKE bosman opnieuw.</p>
</body></html>""".format(reporter=REPORTER, phone=PHONE, address=ADDRESS)


def _save(pdf: pikepdf.Pdf, **kw) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer, **kw)
    return buffer.getvalue()


def make_source_pdf() -> bytes:
    """Two pages of text with the reporter's name, phone and a protected address, plus
    everything that must not travel: docinfo, XMP, a note annotation, an embedded file."""
    with pikepdf.open(io.BytesIO(render_pdf(HTML_TEXT))) as pdf:
        pdf.docinfo["/Title"] = "Verslag melder Ineke Bosman"
        pdf.docinfo["/Author"] = REPORTER
        pdf.docinfo["/Subject"] = ADDRESS
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:creator"] = [REPORTER]
            meta["dc:title"] = "Verslag melder Lindelaan"
        note = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot, Subtype=Name.Text, Rect=Array([400, 700, 420, 720]),
                Contents=String(f"Notitie: {REPORTER} {PHONE}"), T=String(REPORTER),
            )
        )
        pdf.pages[0].obj.Annots = Array([note])
        pdf.attachments["melder.txt"] = pikepdf.AttachedFileSpec(
            pdf, f"{REPORTER}, {ADDRESS}".encode(), mime_type="text/plain"
        )
        return _save(pdf)


def _all_decoded_bytes(data: bytes) -> bytes:
    """The file and every stream in it, decoded where possible (to find hidden text)."""
    chunks = [data]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    chunks.append(obj.read_bytes())
                except pikepdf.PdfError:
                    chunks.append(obj.read_raw_bytes())
        chunks.append(repr(pdf.trailer).encode())
    return b"\n".join(chunks)


def _contains(blob: bytes, text: str) -> bool:
    return any(form in blob for form in (text.encode(), text.encode("utf-16-be"), text.lower().encode()))


def _render(data: bytes, dpi: int) -> list[Image.Image]:
    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(doc))]
    finally:
        doc.close()


def _region_max(image: Image.Image, box: Box, inset: int = 2) -> int:
    """The lightest grey value inside the box (a few pixels in from its edge)."""
    left, top, right, bottom = box.pixels(image.width, image.height)
    region = image.convert("L").crop((left + inset, top + inset, right - inset, bottom - inset))
    return region.getextrema()[1]


def _dark_outside(image: Image.Image, boxes: list[Box], threshold: int = 128) -> tuple | None:
    """Bounding box of dark pixels once the given boxes are painted white."""
    page = image.convert("L").copy()
    draw = ImageDraw.Draw(page)
    for box in boxes:
        left, top, right, bottom = box.pixels(page.width, page.height)
        draw.rectangle((left - 3, top - 3, right + 3, bottom + 3), fill=255)
    return page.point(lambda v: 255 if v < threshold else 0).getbbox()


def _text_image(lines: list[str], size: int = 44, width: int = 1400) -> Image.Image:
    font = ImageFont.truetype(FONT, size)
    image = Image.new("RGB", (width, 80 + len(lines) * int(size * 1.8)), "white")
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((60, 40 + n * int(size * 1.8)), line, font=font, fill="black")
    return image


def _ocr_text(image: Image.Image) -> str:
    """What tesseract reads on an image (for checking results, independent of the module)."""
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="PNG")
    proc = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", "eng"], input=buffer.getvalue(),
        capture_output=True, timeout=120, check=True,
    )
    return proc.stdout.decode("utf-8", "replace")


def require_tesseract() -> None:
    require_or_skip(shutil.which("tesseract") is not None, "tesseract not installed (Debian tesseract-ocr)")


@pytest.fixture(scope="module")
def source_pdf() -> bytes:
    return make_source_pdf()


@pytest.fixture(scope="module")
def layer_boxes(source_pdf) -> list[Box]:
    return text_boxes(source_pdf, PDF, NEEDLES, ocr=False)


@pytest.fixture(scope="module")
def redacted_pdf(source_pdf, layer_boxes) -> bytes:
    return redact(source_pdf, PDF, layer_boxes, dpi=100)


# --- finding text in a PDF ---------------------------------------------------------------


def test_art14_2_text_layer_finds_every_needle_on_its_page(layer_boxes):
    """Art. 14.2 / issue #4: the reporter's name (twice, once in other case on page 2),
    phone and address are found in the text layer, on the right pages."""
    pages = sorted(b.page for b in layer_boxes)
    assert pages == [0, 0, 0, 1]
    for box in layer_boxes:
        assert 0 <= box.x0 < box.x1 <= 1 and 0 <= box.y0 < box.y1 <= 1


def test_art14_2_matching_ignores_case_accents_and_punctuation():
    """Issue #4: "Daniëlle" is found for "danielle", "0612345678" for "06-1234 5678"; a
    short needle ("14") only as a whole word, a long one also inside a word."""
    data = render_pdf(
        "<p>Daniëlle belde met 06-1234 5678 vanuit huisnummer 14 of 214.</p>"
        "<p>Lottes fiets stond bij Sanne.</p>"
    )
    assert len(text_boxes(data, PDF, ["danielle"], ocr=False)) == 1
    assert len(text_boxes(data, PDF, ["0612345678"], ocr=False)) == 1
    assert len(text_boxes(data, PDF, ["14"], ocr=False)) == 1
    assert len(text_boxes(data, PDF, ["Lotte"], ocr=False)) == 1
    assert text_boxes(data, PDF, ["Eindhoven", "  ", ""], ocr=False) == []
    with pytest.raises(TypeError):
        text_boxes(data, PDF, "Lotte", ocr=False)


@pytest.mark.parametrize("rotate, crop", [(90, False), (270, False), (0, True), (90, True)])
def test_art14_2_boxes_cover_the_needle_on_a_rotated_or_cropped_page(rotate, crop):
    """Issue #4: on a page with /Rotate or a /CropBox the box still covers every pixel
    of the name: the page holds only the name, so after redaction nothing dark is left
    outside the box."""
    html = f"<p style='margin: 3cm 4cm; font-size: 16pt'>{REPORTER}</p>"
    with pikepdf.open(io.BytesIO(render_pdf(html))) as pdf:
        pdf.pages[0].obj.Rotate = rotate
        if crop:
            pdf.pages[0].obj.CropBox = Array([50, 300, 500, 842])
        data = _save(pdf)
    boxes = text_boxes(data, PDF, [REPORTER], ocr=False)
    assert len(boxes) == 1
    before = pages_of(data, PDF, dpi=72)[0]
    assert (before.width > before.height) == (rotate in (90, 270))  # rendered as displayed
    assert _dark_outside(before, []) is not None
    after = _render(redact(data, PDF, boxes, dpi=72), 72)[0]
    assert after.size == before.size
    assert _dark_outside(after, boxes) is None
    assert _region_max(after, boxes[0]) < 60


def test_art14_2_text_drawn_by_an_annotation_is_found():
    """Issue #4: a free-text annotation is drawn into the pixels, so its text must be
    found too (the module flattens annotations before reading the text layer)."""
    with pikepdf.open(io.BytesIO(render_pdf("<p>Notities</p>"))) as pdf:
        appearance = pikepdf.Stream(pdf, b"BT /Helv 14 Tf 2 6 Td (Sanne de Vries) Tj ET")
        appearance.Type, appearance.Subtype = Name.XObject, Name.Form
        appearance.BBox = Array([0, 0, 200, 24])
        appearance.Resources = Dictionary(
            Font=Dictionary(Helv=Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
        )
        annot = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot, Subtype=Name.FreeText, Rect=Array([72, 600, 272, 624]), F=4,
                DA=String("/Helv 14 Tf 0 g"), Contents=String("Sanne de Vries"), AP=Dictionary(N=appearance),
            )
        )
        pdf.pages[0].obj.Annots = Array([annot])
        data = _save(pdf)
    boxes = text_boxes(data, PDF, ["Sanne de Vries"], ocr=False)
    assert len(boxes) == 1
    after = _render(redact(data, PDF, boxes, dpi=72), 72)[0]
    assert _region_max(after, boxes[0]) < 60


# --- the redacted PDF ------------------------------------------------------------------


def test_issue4_redacted_pdf_has_no_extractable_text(redacted_pdf):
    """Issue #4: "the redacted PDF holds no extractable text of the redacted strings":
    pypdf extracts no text at all (no text layer), and no needle is anywhere in the file
    or its decoded streams."""
    reader = pypdf.PdfReader(io.BytesIO(redacted_pdf))
    assert all((page.extract_text() or "").strip() == "" for page in reader.pages)
    blob = _all_decoded_bytes(redacted_pdf)
    for secret in SECRETS:
        assert not _contains(blob, secret), secret


def test_issue4_pdftotext_finds_no_text(redacted_pdf, tmp_path):
    """Issue #4, with poppler as a second, independent reader."""
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext not installed (Debian poppler-utils)")
    path = tmp_path / "r.pdf"
    path.write_bytes(redacted_pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, timeout=60, check=True)
    assert out.stdout.decode().strip("\f\n ") == ""


def test_issue4_original_metadata_is_gone(source_pdf, redacted_pdf):
    """Issue #4: "none of the original metadata": no Title/Author/Subject (no docinfo
    at all), no XMP."""
    with pikepdf.open(io.BytesIO(source_pdf)) as src:  # the fixture really has them
        assert src.docinfo["/Author"] == REPORTER and "/Metadata" in src.Root
    with pikepdf.open(io.BytesIO(redacted_pdf)) as pdf:
        assert "/Info" not in pdf.trailer  # no docinfo at all
        assert "/Metadata" not in pdf.Root
        with pdf.open_metadata() as meta:
            assert "dc:creator" not in meta and "dc:title" not in meta


def test_issue4_no_fonts_annotations_embedded_files_or_actions(redacted_pdf):
    """Issue #4: nothing but page images: no /Font, /Annots, /EmbeddedFiles, /AcroForm,
    /JavaScript, /OpenAction, /StructTreeRoot anywhere; every page has exactly one JPEG."""
    forbidden = {"/Font", "/Annots", "/EmbeddedFiles", "/EmbeddedFile", "/Metadata", "/AcroForm",
                 "/JavaScript", "/JS", "/OpenAction", "/AA", "/Names", "/Outlines", "/StructTreeRoot"}
    with pikepdf.open(io.BytesIO(redacted_pdf)) as pdf:
        assert set(pdf.Root.keys()) == {"/Type", "/Pages"}
        assert not pdf.attachments
        for obj in pdf.objects:
            if isinstance(obj, (Dictionary, pikepdf.Stream)):
                assert not set(obj.keys()) & forbidden
        for page in pdf.pages:
            xobjects = page.obj.Resources.XObject
            assert set(page.obj.Resources.keys()) == {"/XObject"} and len(xobjects) == 1
            image = next(iter(xobjects.values()))
            assert image.Subtype == Name.Image and image.Filter == Name.DCTDecode
            ops = {str(op) for _operands, op in pikepdf.parse_content_stream(page)}
            assert ops <= {"q", "Q", "cm", "Do"}


def test_issue4_page_count_and_page_size_are_kept(source_pdf, redacted_pdf):
    """Issue #4: one page image per original page, at the original page size (A4)."""
    with pikepdf.open(io.BytesIO(source_pdf)) as src, pikepdf.open(io.BytesIO(redacted_pdf)) as out:
        assert len(out.pages) == len(src.pages) == 2
        for a, b in zip(src.pages, out.pages):
            assert [round(float(v)) for v in a.mediabox] == [round(float(v)) for v in b.mediabox]


def test_art14_2_pixels_inside_the_boxes_are_black_and_the_rest_is_kept(redacted_pdf, layer_boxes):
    """Art. 14.2 / issue #4: rendered back, every box is solid black; text outside the
    boxes ("Melding van", "school") is still there."""
    pages = _render(redacted_pdf, 100)
    for box in layer_boxes:
        assert _region_max(pages[box.page], box) < 60, box
    assert _dark_outside(pages[0], layer_boxes) is not None


def test_issue4_ocr_of_the_redacted_pdf_no_longer_reads_the_needles(redacted_pdf):
    """Issue #4: what a person could read on the redacted pages (OCR at 150 dpi) holds no
    needle, while the rest of the page is still readable."""
    require_tesseract()
    text = _ocr_text(_render(redacted_pdf, 150)[0])
    assert "school" in text
    for secret in ["Bosman", "Ineke", "1234567", "Lindelaan"]:
        assert secret not in text


def test_issue4_ocr_finds_text_in_a_scanned_pdf():
    """Issue #4: a scan has no text layer; OCR finds the name on the rendered page."""
    require_tesseract()
    scan = io.BytesIO()
    _text_image(["Gesprek met de school", f"Melder: {REPORTER}"]).save(scan, format="PDF", resolution=150)
    data = scan.getvalue()
    assert text_boxes(data, PDF, [REPORTER], ocr=False) == []
    boxes = text_boxes(data, PDF, [REPORTER], ocr=True)
    assert len(boxes) == 1 and boxes[0].page == 0
    out = redact(data, PDF, boxes, dpi=150)
    assert REPORTER.split()[1] not in _ocr_text(_render(out, 150)[0])


# --- images ------------------------------------------------------------------------------


def _png_with_exif(image: Image.Image) -> bytes:
    exif = Image.Exif()
    exif[0x013B] = REPORTER  # Artist
    exif[0x010E] = f"Foto bij {ADDRESS}"  # ImageDescription
    exif[0x010F] = "Camera van Lindelaan"  # Make
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture(scope="module")
def photo_png() -> bytes:
    lines = [f"Melding door {REPORTER}", f"Telefoon {PHONE}", "Het kind is op school"]
    return _png_with_exif(_text_image(lines))


def test_issue4_ocr_finds_the_needle_in_an_image_and_redaction_removes_it(photo_png):
    """Issue #4: OCR (tesseract) finds the reporter's name and phone in a PNG; after
    redaction OCR of the result no longer reads them, and still reads the rest."""
    require_tesseract()
    assert A.ocr_available()
    boxes = text_boxes(photo_png, "image/png", [REPORTER, PHONE])
    assert len(boxes) == 2 and boxes[0].y0 != boxes[1].y0  # one box per line
    out = redact(photo_png, "image/png", boxes, dpi=150)
    page = _render(out, 150)[0]
    original = Image.open(io.BytesIO(photo_png)).size  # the image at its own pixels (+-1 rounding)
    assert abs(page.width - original[0]) <= 1 and abs(page.height - original[1]) <= 1
    text = _ocr_text(page)
    assert "school" in text
    assert "Bosman" not in text and "1234567" not in text
    for box in boxes:
        assert _region_max(page, box) < 60


def test_issue4_exif_and_text_chunks_of_an_image_are_gone(photo_png):
    """Issue #4: no EXIF (author, description, camera) survives; the page image is a
    new JPEG without APP1/ICC segments."""
    assert Image.open(io.BytesIO(photo_png)).getexif()[0x013B] == REPORTER  # the fixture has it
    out = redact(photo_png, "image/png", [Box(0, 0.0, 0.0, 0.5, 0.2)], dpi=150)
    blob = _all_decoded_bytes(out)
    for secret in ["Bosman", "Lindelaan", "Camera"]:
        assert not _contains(blob, secret)
    assert b"Exif\x00\x00" not in blob
    with pikepdf.open(io.BytesIO(out)) as pdf:
        image = next(iter(pdf.pages[0].obj.Resources.XObject.values()))
        jpeg = Image.open(io.BytesIO(image.read_raw_bytes()))
        assert jpeg.format == "JPEG"
        assert not jpeg.getexif() and "exif" not in jpeg.info and "icc_profile" not in jpeg.info


def test_issue4_exif_orientation_is_applied_before_finding_and_boxing():
    """Issue #4: a phone photo stored sideways with EXIF orientation 6 is redacted as it
    is shown upright: OCR finds the name, and the box lands on it."""
    require_tesseract()
    upright = _text_image([f"Melder {REPORTER}", "Het kind is op school"])
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    exif[0x013B] = REPORTER
    buffer = io.BytesIO()
    upright.transpose(Image.Transpose.ROTATE_90).save(buffer, format="JPEG", quality=92, exif=exif.tobytes())
    data = buffer.getvalue()
    assert pages_of(data, "image/jpeg")[0].size == upright.size
    boxes = text_boxes(data, "image/jpeg", [REPORTER])
    assert len(boxes) == 1
    page = _render(redact(data, "image/jpeg", boxes, dpi=150), 150)[0]
    assert "Bosman" not in _ocr_text(page)


def test_issue4_transparent_pixels_do_not_reveal_what_is_stored_under_them():
    """Issue #4: colour values under fully transparent pixels (an earlier picture) are
    not shown: transparency is composited over white, as a viewer shows it."""
    image = Image.new("RGBA", (200, 100), (255, 0, 0, 0))  # red, but invisible
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    page = pages_of(buffer.getvalue(), "image/png")[0]
    assert page.mode == "RGB" and page.getpixel((10, 10)) == (255, 255, 255)


def test_issue4_every_frame_of_a_multipage_tiff_becomes_a_page():
    """Issue #4: a multi-page TIFF (a fax, a scan) gives one page per frame."""
    frames = [_text_image([f"Pagina {n}"], size=20, width=300) for n in (1, 2, 3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    data = buffer.getvalue()
    assert len(pages_of(data, "image/tiff")) == 3
    out = redact(data, "image/tiff", [Box(2, 0, 0, 1, 1)], dpi=100)
    pages = _render(out, 72)
    assert len(pages) == 3
    assert pages[2].convert("L").getextrema()[1] < 60  # the whole third page boxed
    assert pages[1].convert("L").getextrema()[1] > 200  # the others not


# --- bad input: refused, never passed through ----------------------------------------------


def _classic_xref(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return _save(pdf, object_stream_mode=pikepdf.ObjectStreamMode.disable)


@pytest.mark.parametrize(
    "make, media_type, code",
    [
        (lambda src: src[: len(src) // 2], PDF, "pdf_broken"),
        # qpdf could repair this one (classic xref, tail cut off): still refused.
        (lambda src: _classic_xref(src)[:-40], PDF, "pdf_broken"),
        (lambda src: b"Dit is geen PDF", PDF, "pdf_broken"),
        (lambda src: b"", PDF, "empty"),
        (lambda src: src, "text/plain", "unsupported_type"),
        (lambda src: src, "image/gif", "unsupported_type"),
        (lambda src: b"Ineke Bosman, Lindelaan 14", "image/png", "image_broken"),
        (lambda src: src, "image/jpeg", "image_broken"),  # a PDF declared as an image
    ],
    ids=["truncated", "repairable", "not-a-pdf", "empty", "text", "gif", "text-as-png", "pdf-as-jpeg"],
)
def test_issue4_bad_attachments_are_refused_with_a_code(source_pdf, make, media_type, code):
    """Issue #4: what cannot be read completely is refused (and so withheld), with a
    stable code; by every entry point."""
    data = make(source_pdf)
    for call in (
        lambda: pages_of(data, media_type, dpi=72),
        lambda: text_boxes(data, media_type, NEEDLES, ocr=False),
        lambda: redact(data, media_type, [], dpi=72),
    ):
        with pytest.raises(AttachmentError) as exc:
            call()
        assert exc.value.code == code
        assert isinstance(exc.value, ValueError)


def test_issue4_an_encrypted_pdf_is_refused(source_pdf):
    """Issue #4: a PDF that needs a password to open cannot be inspected: refused."""
    with pikepdf.open(io.BytesIO(source_pdf)) as pdf:
        data = _save(pdf, encryption=pikepdf.Encryption(user="geheim", owner="ook-geheim"))
    for call in (lambda: redact(data, PDF, []), lambda: text_boxes(data, PDF, NEEDLES, ocr=False)):
        with pytest.raises(AttachmentError) as exc:
            call()
        assert exc.value.code == "pdf_encrypted"


def test_issue4_owner_password_only_pdf_is_readable_and_comes_out_unencrypted(source_pdf):
    """Issue #4 (choice, as in portal/documents/uploads.py): "copying not allowed" with an empty
    user password is readable by anyone; it is redacted like any other PDF."""
    with pikepdf.open(io.BytesIO(source_pdf)) as pdf:
        no_copying = pikepdf.Permissions(extract=False)
        data = _save(pdf, encryption=pikepdf.Encryption(user="", owner="o", allow=no_copying))
    boxes = text_boxes(data, PDF, [REPORTER], ocr=False)
    assert len(boxes) == 2
    with pikepdf.open(io.BytesIO(redact(data, PDF, boxes, dpi=72))) as out:
        assert not out.is_encrypted and len(out.pages) == 2


def test_issue4_a_truncated_image_is_refused_even_after_weasyprint(monkeypatch, photo_png):
    """Issue #4: WeasyPrint tells Pillow to accept truncated images process-wide; an
    attachment must never be half-rendered."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(AttachmentError) as exc:
        pages_of(photo_png[: len(photo_png) // 2], "image/png")
    assert exc.value.code == "image_broken"


def test_issue4_decompression_bomb_is_refused():
    """Issue #4: an image header claiming 30000 x 30000 pixels is refused before decoding."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 30000, 30000, 1, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    with pytest.raises(AttachmentError) as exc:
        pages_of(png, "image/png")
    assert exc.value.code == "too_many_pixels"


def test_issue4_page_and_pixel_budgets(source_pdf, monkeypatch):
    """Issue #4: too many pages, or too many pixels together, are refused; one huge
    page is rendered smaller instead of exhausting memory."""
    with pytest.raises(AttachmentError) as exc:
        pages_of(source_pdf, PDF, dpi=72, max_pages=1)
    assert exc.value.code == "too_many_pages"
    with pytest.raises(AttachmentError) as exc:
        pages_of(source_pdf, PDF, dpi=72, max_total_pixels=600_000)
    assert exc.value.code == "too_many_pixels"

    monkeypatch.setattr(A, "MAX_PAGE_PIXELS", 1_000_000)
    with pikepdf.open(io.BytesIO(render_pdf("<p>poster</p>"))) as pdf:
        pdf.pages[0].obj.MediaBox = Array([0, 0, 14400, 14400])  # 200 x 200 inch
        data = _save(pdf)
    page = pages_of(data, PDF, dpi=150)[0]
    assert page.width * page.height <= 1_000_000 * 1.01


def test_issue4_boxes_are_checked(source_pdf):
    """Issue #4: a box must lie on the page; a box for a page the attachment does not
    have was drawn on another document and stops the redaction."""
    for args in [(0, 0.5, 0.1, 0.4, 0.2), (0, 0, 0, 1.2, 1), (-1, 0, 0, 1, 1), (0, float("nan"), 0, 1, 1)]:
        with pytest.raises(ValueError):
            Box(*args)
    with pytest.raises(AttachmentError) as exc:
        redact(source_pdf, PDF, [Box(5, 0, 0, 1, 1)], dpi=72)
    assert exc.value.code == "box_out_of_range"
    assert Box(0, 0.1, 0.1, 0.2, 0.2).pixels(100, 100) == (10, 10, 20, 20)


def test_issue4_redaction_is_deterministic_and_safe_from_threads(source_pdf, layer_boxes):
    """pdfium is not thread-safe: concurrent redactions (web and job worker) must not
    interfere; the same input gives the same file."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _n: redact(source_pdf, PDF, layer_boxes, dpi=72), range(4)))
    assert len(set(results)) == 1


def test_ocr_available_is_a_plain_bool():
    """ocr_available() says whether tesseract can be used (Debian's tesseract-ocr)."""
    assert A.ocr_available() is (A._tesseract() is not None)
    if shutil.which("tesseract") is None:
        assert A.ocr_available() is False


# --- merging into the copy -----------------------------------------------------------------


def _tagged_copy() -> bytes:
    html = ("<!doctype html><html lang='nl'><head><title>Afschrift</title></head><body>"
            "<h1>Afschrift</h1><p>Inhoud van het dossier.</p></body></html>")
    return HTML(string=html).write_pdf(pdf_tags=True)


def test_issue4_merge_appends_redacted_pages_and_keeps_the_copys_structure(redacted_pdf):
    """Issue #4: the copy's own PDF keeps its tags, language, /MarkInfo and docinfo; the
    redacted attachment pages follow, each tagged as a figure with alternative text."""
    copy = _tagged_copy()
    merged = merge_pdfs([copy, redacted_pdf], figure_alt="Bijlage 1")
    with pikepdf.open(io.BytesIO(merged)) as pdf:
        assert len(pdf.pages) == 3
        assert str(pdf.Root.Lang) == "nl" and pdf.Root.MarkInfo.Marked
        assert str(pdf.docinfo["/Title"]) == "Afschrift"
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        for page in pdf.pages[1:]:
            figure = tree[int(page.obj.StructParents)][0]
            assert figure.S == Name.Figure and str(figure.Alt) == "Bijlage 1"
            assert figure.Pg.objgen == page.obj.objgen
            assert page.obj.Contents.read_bytes().startswith(b"/Figure <</MCID 0>> BDC")
        assert len(set(tree)) == len(tree)
    assert len(_render(merged, 36)) == 3
    assert (pypdf.PdfReader(io.BytesIO(merged)).pages[2].extract_text() or "").strip() == ""


def test_issue4_merge_into_an_untagged_copy(redacted_pdf):
    """merge_pdfs also works on an untagged first part (then the pages stay untagged)."""
    merged = merge_pdfs([render_pdf("<p>Afschrift</p>"), redacted_pdf, redacted_pdf])
    with pikepdf.open(io.BytesIO(merged)) as pdf:
        assert len(pdf.pages) == 5 and "/StructTreeRoot" not in pdf.Root


def test_issue4_merge_refuses_an_unredacted_attachment(source_pdf, redacted_pdf):
    """Issue #4: "an attachment nobody has reviewed is withheld, never passed through":
    merge_pdfs refuses any later part that is not an image-only PDF from redact()."""
    for part in (source_pdf, render_pdf("<p>geen bijlage</p>"), b"geen pdf"):
        with pytest.raises(AttachmentError) as exc:
            merge_pdfs([_tagged_copy(), redacted_pdf, part])
        assert exc.value.code == "part_not_redacted"
