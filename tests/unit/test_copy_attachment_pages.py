"""Attachments in the copy that a screen reader can read (issue 12, item 4;
portal/documents/attachment_pages.py, copy_pdf.render_copy_pdf(attachments=...)):

- every redacted attachment page gets an invisible text layer made by OCR of the
  *redacted* pixels: the words that are visible come back as text, a blacked-out name
  does not (not in any text layer, stream or metadata);
- the copy stays PDF/UA-1 (tagged, /Lang, title, XMP part 1) with the attachment pages
  in its structure tree: a /Figure with alternative text and the OCR text as a /P,
  every painted thing on every page marked content;
- attachment pages have the copy's footer and "pagina X van Y", Y counting them too;
- the cover letter lists every attachment: included, included with parts blacked out,
  or left out, with the ground in words (Dutch and English).

Read back with pdftotext (poppler), pikepdf and pypdf. veraPDF is not installed: the
PDF/UA checks here are the structural ones, not a full validation."""
from __future__ import annotations

import io
import re
import shutil
import subprocess

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader

from portal.documents.attachment_redaction import AttachmentError, redact, text_boxes
from portal.documents.copy_document import AttachmentLine
from portal.documents.copy_pdf import render_copy_pdf

from ..conftest import require_or_skip
from .test_copy_pdf import NAME, REF, make_doc

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
REPORTER = "Ineke Bosman"  # the reporter: redacted in the attachment
WORDS = ["Huisartsenpraktijk", "Zonnebloem", "gezond"]  # other words on the same page
LINES = ["Verslag Huisartsenpraktijk Zonnebloem", f"Melding door {REPORTER}", "Het kind is gezond en vrolijk",
         "Afspraak over zes weken"]
GROUND_NL = "privacy van een ander (art. 14 lid 2)"
GROUND_EN = "privacy of another person (art. 14(2))"
WITHHELD_NL = "veiligheid van betrokkenen (art. 14 lid 2)"
WITHHELD_EN = "safety of those involved (art. 14(2))"


def require_tools() -> None:
    require_or_skip(shutil.which("tesseract") is not None, "tesseract not installed (Debian tesseract-ocr)")
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext not installed (Debian poppler-utils)")


def _image(lines, size=(1240, 1754)) -> bytes:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 34)
    for i, line in enumerate(lines):
        draw.text((110, 200 + 70 * i), line, font=font, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def parts() -> list[bytes]:
    """Two redacted attachments: a portrait page with the reporter's name blacked out
    (found by OCR, as the workbench does) and a landscape page of two words."""
    require_tools()
    letter = _image(LINES)
    boxes = text_boxes(letter, "image/png", [REPORTER])
    assert boxes, "the fixture's name is found"
    return [redact(letter, "image/png", boxes, dpi=150),
            redact(_image(["Schoolrapport groep zeven"], (1754, 1240)), "image/png", [], dpi=150)]


def _doc(language="nl", **kw):
    g, w = (GROUND_NL, WITHHELD_NL) if language == "nl" else (GROUND_EN, WITHHELD_EN)
    return make_doc(language=language, attachments=(AttachmentLine(1, 1, True, g), AttachmentLine(2, None, False, w),
                                                    AttachmentLine(3, 2, False, "")), attachment_count=2, **kw)


_CACHE: dict = {}


def _copy(app, parts, language="nl") -> bytes:
    if language not in _CACHE:
        with app.app_context():
            _CACHE[language] = render_copy_pdf(_doc(language), attachments=parts, ocr=True)
    return _CACHE[language]


def _pdftotext_pages(data: bytes, tmp_path) -> list[str]:
    path = tmp_path / "copy.pdf"
    path.write_bytes(data)
    total = len(PdfReader(io.BytesIO(data)).pages)
    return [subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", str(path), "-"], capture_output=True,
                           timeout=60, check=True).stdout.decode() for i in range(1, total + 1)]


def _all_decoded_bytes(data: bytes) -> bytes:
    chunks = [data]
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    chunks.append(obj.read_bytes())
                except pikepdf.PdfError:
                    chunks.append(obj.read_raw_bytes())
            elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
                chunks.append(repr(obj).encode())
        chunks.append(repr(pdf.trailer).encode())
    return b"\n".join(chunks)


def test_issue12_4_ocr_layer_has_the_visible_words_and_never_the_redacted_name(app, parts, tmp_path):
    """Issue 12 item 4: the attachment page's text layer (OCR of the redacted pixels)
    has the other words of the page; the reporter's redacted name is in no text layer,
    no stream, no object and no metadata of the copy."""
    data = _copy(app, parts)
    pages = _pdftotext_pages(data, tmp_path)
    page = next(p for p in pages if "Bijlage 1, pagina 1 van 1" in p)
    for word in WORDS:
        assert word in page, (word, page)
    every = "\n".join(pages)
    for part in (REPORTER, "Bosman", "Ineke"):
        assert part.lower() not in every.lower()
    blob = _all_decoded_bytes(data)
    for part in ("Bosman", "Ineke"):
        for form in (part.encode(), part.encode("utf-16-be"), part.lower().encode()):
            assert form not in blob
    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = repr(pdf.docinfo)
        with pdf.open_metadata() as meta:
            xmp = str(meta)
        assert "Bosman" not in info and "Bosman" not in xmp
        assert "Tesseract" not in info  # only the copy's own metadata


def _marked_problems(page: pikepdf.Page) -> list[str]:
    """Painting operators (text, images, paths) outside marked content."""
    problems, depth = [], 0
    painting = {"TJ", "Tj", "'", '"', "Do", "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "sh", "BI"}
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op in ("BDC", "BMC"):
            depth += 1
        elif op == "EMC":
            depth -= 1
        elif op in painting and depth == 0:
            problems.append(op)
    return problems


def test_issue12_4_copy_with_attachments_stays_pdf_ua(app, parts):
    """Issue 12 item 4: PDF/UA-1 after the attachment pages are filled in: /MarkInfo,
    /Lang, a title shown, XMP pdfuaid:part 1, every painting operator on every page
    inside marked content, every MCID of an attachment page in the parent tree, each
    attachment page a /Figure with alternative text and its OCR text a /P, inside the
    page's own section after its heading."""
    for language in ("nl", "en"):
        data = _copy(app, parts, language)
        with pikepdf.open(io.BytesIO(data)) as pdf:
            root = pdf.Root
            assert bool(root.MarkInfo.Marked) is True and str(root.Lang) == language
            assert bool(root.ViewerPreferences.DisplayDocTitle) is True
            assert str(pdf.docinfo["/Title"]) in ("Afschrift", "Copy (afschrift)")
            with pdf.open_metadata() as meta:
                assert str(meta.get("pdfuaid:part")) == "1"
            nums = root.StructTreeRoot.ParentTree.Nums
            arrays = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
            figures = 0
            for index, page in enumerate(pdf.pages):
                assert _marked_problems(page) == [], index
                mcids = set()
                for operands, operator in pikepdf.parse_content_stream(page):
                    if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) \
                            and "/MCID" in operands[1]:
                        mcids.add(int(operands[1].MCID))
                elements = arrays[int(page.obj.StructParents)]
                for mcid in mcids:
                    assert elements[mcid] is not None, (index, mcid)
                kinds = [str(e.S) for e in elements if e is not None]
                if "/Figure" in kinds:
                    figures += 1
                    figure = next(e for e in elements if e is not None and e.S == pikepdf.Name.Figure)
                    assert "Bijlage" in str(figure.Alt) or "Attachment" in str(figure.Alt)
                    assert kinds[-2:] == ["/Figure", "/P"]  # the OCR text, tagged
                    section = figure.P
                    assert section.S == pikepdf.Name.Sect
                    assert [str(k.S) for k in section.K][0] == "/H2"  # after the page's heading
                    assert figure.Pg.objgen == page.obj.objgen
            assert figures == 2


def test_issue12_4_attachment_pages_have_the_footer_and_are_counted(app, parts, tmp_path):
    """Issue 12 item 4: every page, attachment pages too, says "pagina X van Y" with Y
    the number of pages including the attachment pages, and "Afschrift voor ..."; the
    landscape attachment page is a landscape page."""
    data = _copy(app, parts)
    pages = _pdftotext_pages(data, tmp_path)
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        flat = re.sub(r"\s+", " ", text)
        assert f"pagina {number} van {total}" in flat, (number, flat[-200:])
        assert f"Afschrift voor {NAME}" in flat and REF in flat
    assert "Bijlage 1, pagina 1 van 1 (bij stuk 1)" in pages[-2]
    assert "Bijlage 2, pagina 1 van 1 (bij stuk 3)" in pages[-1]
    assert "Schoolrapport" in pages[-1]
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[-1].mediabox
    assert box.width > box.height
    box = reader.pages[-2].mediabox
    assert box.width < box.height


def test_issue12_4_cover_letter_lists_every_attachment_with_its_ground(app, parts, tmp_path):
    """Issue 12 item 4: the cover letter lists each attachment: included with parts
    blacked out (and why), included whole, or left out (and why), in words, in Dutch
    and in English."""
    nl = re.sub(r"\s+", " ", _pdftotext_pages(_copy(app, parts, "nl"), tmp_path)[0])
    assert f"Bijlage 1 (bij stuk 1): opgenomen, met zwart gemaakte delen. Reden: {GROUND_NL}." in nl
    assert f"Een bijlage bij stuk 2: niet opgenomen. Reden: {WITHHELD_NL}." in nl
    assert "Bijlage 2 (bij stuk 3): helemaal opgenomen." in nl
    en = re.sub(r"\s+", " ", _pdftotext_pages(_copy(app, parts, "en"), tmp_path)[0])
    assert f"Attachment 1 (with entry 1): included, with parts blacked out. Reason: {GROUND_EN}." in en
    assert f"An attachment to entry 2: not included. Reason: {WITHHELD_EN}." in en
    assert "Attachment 2 (with entry 3): included in full." in en
    assert "third_party" not in nl + en and "safety_of" not in nl + en  # words, not codes


def test_issue12_4_only_redacted_attachments_and_one_per_included_line(app, parts):
    """Issue 12 item 4: an original attachment (a PDF with a text layer) is refused;
    the number of attachments must match the included lines."""
    from portal.documents.pdf import render_pdf

    with app.app_context():
        with pytest.raises(AttachmentError) as caught:
            render_copy_pdf(_doc(), attachments=[render_pdf(f"<p>{REPORTER}</p>"), parts[1]], ocr=False)
        assert caught.value.code == "part_not_redacted"
        with pytest.raises(ValueError):
            render_copy_pdf(_doc(), attachments=parts[:1], ocr=False)


def test_issue12_4_without_ocr_the_pages_are_still_there_with_figure_and_footer(app, parts):
    """Issue 12 item 4: without OCR (tesseract missing) the attachment pages are still
    placed and tagged as figures, with no text layer."""
    with app.app_context():
        data = render_copy_pdf(_doc(), attachments=parts, ocr=False)
    reader = PdfReader(io.BytesIO(data))
    assert "Bijlage 1, pagina 1 van 1" in reader.pages[-2].extract_text()
    assert "Huisartsenpraktijk" not in reader.pages[-2].extract_text()


def test_issue12_4_a_kept_text_layer_is_placed_and_checked(app, parts):
    """Issue 12 item 4: the text layer kept from when the attachment was redacted is
    placed without OCR at rendering; a "layer" with visible text or another number of
    pages is refused (``ocr_failed``), so nothing but invisible OCR text is ever added."""
    from portal.documents.attachment_redaction import ocr_text_layer, redacted_pages, text_layer_problem
    from portal.documents.pdf import render_pdf

    require_tools()
    layer = ocr_text_layer(redacted_pages(parts[0]))
    assert text_layer_problem(layer, 1) is None
    with app.app_context():
        data = render_copy_pdf(_doc(), attachments=parts, text_layers=[layer, None], ocr=False)
        reader = PdfReader(io.BytesIO(data))
        assert "Huisartsenpraktijk" in reader.pages[-2].extract_text()
        assert "Schoolrapport" not in reader.pages[-1].extract_text()  # no layer kept, no OCR now
        assert text_layer_problem(render_pdf("<p>Huisartsenpraktijk</p>"), 1) is not None  # not a layer at all
        with pikepdf.open(io.BytesIO(layer)) as pdf:  # the same layer, made visible
            page = pdf.pages[0]
            page.obj.Contents = pikepdf.Stream(pdf, page.obj.Contents.read_bytes().replace(b"3 Tr", b"0 Tr"))
            out = io.BytesIO()
            pdf.save(out)
            visible = out.getvalue()
        assert text_layer_problem(visible, 1) == "visible text"
        two_pages = ocr_text_layer(redacted_pages(parts[0]) * 2)
        for bad in (visible, two_pages):
            with pytest.raises(AttachmentError) as caught:
                render_copy_pdf(_doc(), attachments=parts, text_layers=[bad, None], ocr=False)
            assert caught.value.code == "ocr_failed"
