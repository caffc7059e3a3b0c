"""Upload checks (portal.documents.uploads): typing by content, size/pixel limits,
metadata stripping, refusal of active PDF content.

All fixtures are generated here with Pillow and pikepdf.
"""

from __future__ import annotations

import io
import struct
import zlib

import pikepdf
import pytest
from PIL import ExifTags, Image, ImageFile, PngImagePlugin
from pikepdf import Array, Dictionary, Name, String

from portal.documents.uploads import (
    ALLOWED,
    CHUNK_SIZE,
    CleanUpload,
    UploadRejected,
    inspect_upload,
    read_limited,
    sniff_type,
    strip_jpeg_metadata,
)

# A location that must never survive an upload (Utrecht city centre).
GPS_LAT = (52.0, 5.0, 26.0)
GPS_LON = (5.0, 7.0, 18.0)


# ---------------------------------------------------------------------------
# Fixture builders
# ---------------------------------------------------------------------------


def _exif_with_gps(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone X GPS-test"
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: GPS_LAT,
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: GPS_LON,
    }
    return exif


def _jpeg(size=(64, 48), mode="RGB", color=(200, 30, 30), **save_kwargs) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format="JPEG", **save_kwargs)
    return out.getvalue()


def _png(size=(32, 32), mode="RGB", color=(10, 200, 10), **save_kwargs) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, format="PNG", **save_kwargs)
    return out.getvalue()


def _png_chunk_types(data: bytes) -> list[bytes]:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pos, types = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        types.append(data[pos + 4 : pos + 8])
        pos += 12 + length
    return types


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    )


def _pdf_bytes(pdf: pikepdf.Pdf, **save_kwargs) -> bytes:
    out = io.BytesIO()
    pdf.save(out, **save_kwargs)
    return out.getvalue()


def _new_pdf() -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    return pdf


def _add_annotation(pdf: pikepdf.Pdf, **entries) -> Dictionary:
    annot = pdf.make_indirect(
        Dictionary(Type=Name.Annot, Rect=Array([10, 10, 50, 50]), **entries)
    )
    pdf.pages[0].obj.Annots = Array([annot])
    return annot


def _rejection(data: bytes, **kwargs) -> UploadRejected:
    with pytest.raises(UploadRejected) as excinfo:
        inspect_upload(data, **kwargs)
    return excinfo.value


class CountingStream:
    """A readable that counts what was taken from it."""

    def __init__(self, total: int, max_read: int | None = None):
        self.remaining = total
        self.bytes_read = 0
        self.max_read = max_read  # simulate short reads (sockets)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self.remaining
        if self.max_read is not None:
            size = min(size, self.max_read)
        size = min(size, self.remaining)
        self.remaining -= size
        self.bytes_read += size
        return b"x" * size


# ---------------------------------------------------------------------------
# Basics
# ---------------------------------------------------------------------------


def test_allowed_types_are_pdf_jpeg_png_only():
    assert ALLOWED == {"application/pdf", "image/jpeg", "image/png"}


def test_upload_empty_file_is_rejected_as_empty():
    assert _rejection(b"").code == "empty"


def test_upload_over_max_bytes_is_rejected_as_too_large_with_limit():
    err = _rejection(_png(), max_bytes=50)
    assert err.code == "too_large"
    assert err.limit == 50


def test_rejection_codes_are_stable_and_unknown_codes_are_refused():
    assert UploadRejected("pdf_broken").code == "pdf_broken"
    assert str(UploadRejected("empty")) == "empty"
    with pytest.raises(ValueError):
        UploadRejected("something_new")


# ---------------------------------------------------------------------------
# read_limited
# ---------------------------------------------------------------------------


def test_read_limited_stops_early_on_huge_stream():
    max_bytes = 100_000
    stream = CountingStream(total=50 * 1024 * 1024)
    with pytest.raises(UploadRejected) as excinfo:
        read_limited(stream, max_bytes)
    assert excinfo.value.code == "too_large"
    assert excinfo.value.limit == max_bytes
    assert stream.bytes_read <= max_bytes + CHUNK_SIZE
    assert stream.bytes_read == max_bytes + 1  # exactly one byte too many


def test_read_limited_returns_everything_up_to_the_limit():
    stream = CountingStream(total=200_000, max_read=1000)  # many short reads
    assert read_limited(stream, 200_000) == b"x" * 200_000
    assert read_limited(io.BytesIO(b"abc"), 10) == b"abc"
    assert read_limited(io.BytesIO(b""), 10) == b""


def test_read_limited_one_byte_over_is_too_large():
    with pytest.raises(UploadRejected) as excinfo:
        read_limited(io.BytesIO(b"x" * 11), 10)
    assert excinfo.value.code == "too_large"


# ---------------------------------------------------------------------------
# Type sniffing: content only
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"<html><p>%PDF-1.7 is a file format</p></html>",  # magic not at offset 0
        b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,  # Windows executable
        b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        b'<svg xmlns="http://www.w3.org/2000/svg"></svg>',
        b"PK\x03\x04 zip / docx",
        b" \n\t",
    ],
    ids=["html", "html_mentions_pdf", "exe", "gif", "svg", "zip", "whitespace"],
)
def test_upload_html_or_exe_posing_as_pdf_is_unsupported_type(data):
    # The function never sees a file name or declared type: an HTML file named
    # "x.pdf" sent as application/pdf arrives here as just these bytes.
    assert _rejection(data).code == "unsupported_type"


def test_sniff_type_uses_magic_bytes():
    assert sniff_type(_jpeg()) == "image/jpeg"
    assert sniff_type(_png()) == "image/png"
    assert sniff_type(b"%PDF-1.4\n") == "application/pdf"
    assert sniff_type(b"\x00" * 100 + b"%PDF-1.4\n") == "application/pdf"
    assert sniff_type(b"\x00" * 1100 + b"%PDF-1.4\n") is None


# ---------------------------------------------------------------------------
# JPEG
# ---------------------------------------------------------------------------


def test_upload_jpeg_gps_location_is_stripped():
    exif = _exif_with_gps()
    original = _jpeg(exif=exif.tobytes(), comment=b"taken at home")
    # Sanity: the fixture really carries the location.
    with Image.open(io.BytesIO(original)) as im:
        assert ExifTags.IFD.GPSInfo in im.getexif()
        assert im.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitude]

    clean = inspect_upload(original)

    assert isinstance(clean, CleanUpload)
    assert clean.content_type == "image/jpeg"
    assert clean.extension == "jpg"
    assert clean.size == len(clean.content)
    assert b"Exif" not in clean.content
    assert b"PhoneMaker" not in clean.content
    assert b"taken at home" not in clean.content
    with Image.open(io.BytesIO(clean.content)) as im:
        assert im.format == "JPEG"
        assert len(im.getexif()) == 0
        assert "exif" not in im.info
        assert "comment" not in im.info
        im.load()  # still decodes
        assert im.size == (64, 48)
        r, g, b = im.getpixel((32, 24))
        assert r > 150 and g < 80 and b < 80


def test_upload_jpeg_xmp_and_icc_profile_are_stripped():
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b"<rdf:Description>Jan Jansen, Kerkstraat 12</rdf:Description>"
        b"</rdf:RDF></x:xmpmeta>"
    )
    icc = b"\x00" * 128 + b"fake icc with device name SecretScanner"
    clean = inspect_upload(_jpeg(xmp=xmp, icc_profile=icc))
    assert b"Jan Jansen" not in clean.content
    assert b"SecretScanner" not in clean.content
    with Image.open(io.BytesIO(clean.content)) as im:
        assert "xmp" not in im.info
        assert "icc_profile" not in im.info


def test_upload_jpeg_orientation_tag_is_applied_to_pixels():
    # 40 wide x 20 high, left half red, right half blue, EXIF says "rotate 90 CW".
    im = Image.new("RGB", (40, 20), (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, 20, 20))
    out = io.BytesIO()
    im.save(out, format="JPEG", quality=95, exif=_exif_with_gps(orientation=6).tobytes())

    clean = inspect_upload(out.getvalue())

    with Image.open(io.BytesIO(clean.content)) as result:
        assert result.size == (20, 40)  # width and height swapped
        assert len(result.getexif()) == 0  # no orientation left to apply twice
        top = result.getpixel((10, 5))
        bottom = result.getpixel((10, 35))
    assert top[0] > 200 and top[2] < 60  # red half now on top
    assert bottom[2] > 200 and bottom[0] < 60


def test_upload_cmyk_jpeg_comes_out_as_decodable_rgb_jpeg():
    clean = inspect_upload(_jpeg(mode="CMYK", color=(0, 255, 255, 0)))
    with Image.open(io.BytesIO(clean.content)) as im:
        assert im.mode == "RGB"
        r, g, b = im.getpixel((5, 5))
    assert r > 200 and g < 60 and b < 60


def test_upload_grayscale_jpeg_stays_grayscale():
    clean = inspect_upload(_jpeg(mode="L", color=128))
    with Image.open(io.BytesIO(clean.content)) as im:
        assert im.mode == "L"


def test_upload_jpeg_trailing_payload_is_dropped():
    original = _jpeg() + b"<script>appended polyglot payload</script>"
    clean = inspect_upload(original)
    assert b"polyglot" not in clean.content


def test_upload_jpeg_header_followed_by_garbage_is_image_broken():
    assert _rejection(b"\xff\xd8\xff\xe0" + b"garbage" * 50).code == "image_broken"


def test_upload_truncated_jpeg_is_image_broken():
    data = _jpeg(size=(300, 300))
    assert _rejection(data[: len(data) // 2]).code == "image_broken"


# ---------------------------------------------------------------------------
# PNG
# ---------------------------------------------------------------------------


def test_upload_png_text_chunks_are_stripped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Jan Jansen")
    info.add_text("Comment", "Kerkstraat 12 Utrecht", zip=True)  # zTXt
    info.add_itxt("Location", "Schuiladres 5", lang="nl", tkey="Locatie")
    original = _png(
        pnginfo=info,
        exif=_exif_with_gps().tobytes(),
        icc_profile=b"\x00" * 128 + b"DeviceName",
        dpi=(300, 300),
    )
    assert b"Jan Jansen" in original  # sanity: fixture carries it

    clean = inspect_upload(original)

    assert clean.content_type == "image/png"
    assert clean.extension == "png"
    chunk_types = _png_chunk_types(clean.content)
    for forbidden in (b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP", b"tIME", b"pHYs"):
        assert forbidden not in chunk_types
    assert b"Jan Jansen" not in clean.content
    assert b"Schuiladres" not in clean.content
    with Image.open(io.BytesIO(clean.content)) as im:
        im.load()
        assert im.size == (32, 32)
        assert len(im.getexif()) == 0
        assert im.getpixel((0, 0)) == (10, 200, 10)


@pytest.mark.parametrize("mode", ["P", "LA", "RGBA", "L", "1", "I;16"])
def test_upload_png_modes_survive_re_encoding(mode):
    color = {"P": 3, "LA": (100, 50), "RGBA": (1, 2, 3, 4), "L": 7, "1": 1, "I;16": 4000}[mode]
    clean = inspect_upload(_png(size=(8, 8), mode=mode, color=color))
    with Image.open(io.BytesIO(clean.content)) as im:
        im.load()
        assert im.size == (8, 8)
        assert im.mode in (mode, "I")  # Pillow reads 16-bit grey back as "I"


def test_upload_png_palette_transparency_is_kept():
    im = Image.new("P", (4, 4), 1)
    im.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    out = io.BytesIO()
    im.save(out, format="PNG", transparency=1)
    clean = inspect_upload(out.getvalue())
    with Image.open(io.BytesIO(clean.content)) as result:
        assert result.info.get("transparency") == 1


def test_upload_png_header_followed_by_garbage_is_image_broken():
    data = b"\x89PNG\r\n\x1a\n" + b"this is not a png at all" * 20
    assert _rejection(data).code == "image_broken"


def test_upload_png_with_corrupt_chunk_crc_is_image_broken():
    data = bytearray(_png())
    data[-20] ^= 0xFF  # inside the IDAT chunk
    assert _rejection(bytes(data)).code == "image_broken"


def _png_claiming_size(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_upload_image_with_too_many_pixels_is_refused_before_decoding(monkeypatch):
    # IHDR claims 10000 x 10000 (100 MP) but the file is only ~70 bytes.
    data = _png_claiming_size(10_000, 10_000)
    assert len(data) < 200

    def _decoding_forbidden(self, *args, **kwargs):
        raise AssertionError("pixels were decoded before the pixel limit was checked")

    monkeypatch.setattr(ImageFile.ImageFile, "load", _decoding_forbidden)
    err = _rejection(data, max_pixels=40_000_000)
    assert err.code == "image_too_many_pixels"
    assert err.limit == 40_000_000


def test_upload_pillow_decompression_bomb_maps_to_too_many_pixels():
    # Above Pillow's own hard limit (2 * MAX_IMAGE_PIXELS): Pillow refuses at
    # open time; that must still come out as image_too_many_pixels.
    side = int((2 * Image.MAX_IMAGE_PIXELS) ** 0.5) + 10
    err = _rejection(_png_claiming_size(side, side), max_pixels=10 * side * side)
    assert err.code == "image_too_many_pixels"


def test_upload_real_image_over_pixel_limit_is_refused():
    err = _rejection(_jpeg(size=(100, 100)), max_pixels=9_999)
    assert err.code == "image_too_many_pixels"
    assert inspect_upload(_jpeg(size=(100, 100)), max_pixels=10_000).content_type == "image/jpeg"


# ---------------------------------------------------------------------------
# PDF: active content
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "object_streams",
    [pikepdf.ObjectStreamMode.disable, pikepdf.ObjectStreamMode.generate],
    ids=["plain", "in_object_stream"],
)
def test_upload_pdf_open_action_javascript_is_active_content(object_streams):
    pdf = _new_pdf()
    pdf.Root.OpenAction = pdf.make_indirect(
        Dictionary(S=Name.JavaScript, JS=String("app.alert('hi')"))
    )
    data = _pdf_bytes(pdf, object_stream_mode=object_streams)
    assert _rejection(data).code == "pdf_active_content"


def test_upload_pdf_open_action_destination_is_refused_to_be_safe():
    # Documented choice: /OpenAction is refused even as a plain destination.
    pdf = _new_pdf()
    pdf.Root.OpenAction = Array([pdf.pages[0].obj, Name.Fit])
    assert _rejection(_pdf_bytes(pdf)).code == "pdf_active_content"


def test_upload_pdf_document_level_javascript_name_tree_is_active_content():
    pdf = _new_pdf()
    js = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("this.print()")))
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("a"), js])))
    assert _rejection(_pdf_bytes(pdf)).code == "pdf_active_content"


def test_upload_pdf_embedded_file_is_active_content():
    pdf = _new_pdf()
    pdf.attachments["invoice.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ payload")
    assert _rejection(_pdf_bytes(pdf)).code == "pdf_active_content"


def test_upload_pdf_file_attachment_annotation_is_active_content():
    pdf = _new_pdf()
    spec = pikepdf.AttachedFileSpec(pdf, b"secret", filename="x.txt")
    _add_annotation(pdf, Subtype=Name.FileAttachment, FS=spec.obj)
    assert _rejection(_pdf_bytes(pdf)).code == "pdf_active_content"


def test_upload_pdf_page_annotation_additional_actions_is_active_content():
    pdf = _new_pdf()
    _add_annotation(
        pdf,
        Subtype=Name.Link,
        AA=Dictionary(E=Dictionary(S=Name.JavaScript, JS=String("app.launchURL('x')"))),
    )
    assert _rejection(_pdf_bytes(pdf)).code == "pdf_active_content"


def test_upload_pdf_page_additional_actions_is_active_content():
    pdf = _new_pdf()
    pdf.pages[0].obj.AA = Dictionary(O=Dictionary(S=Name.Named, N=Name.NextPage))
    assert _rejection(_pdf_bytes(pdf)).code == "pdf_active_content"


@pytest.mark.parametrize(
    "action",
    [
        {"S": Name.Launch, "F": String("cmd.exe")},
        {"S": Name.SubmitForm, "F": Dictionary(FS=Name.URL, F=String("https://evil.example/"))},
        {"S": Name.ImportData, "F": String("data.fdf")},
        {"S": Name.GoToR, "F": String("other.pdf"), "D": Array([0, Name.Fit])},
        {"S": Name.GoToE, "D": Array([0, Name.Fit])},
        {"S": Name.Rendition, "OP": 0},
    ],
    ids=["launch", "submitform", "importdata", "gotor", "gotoe", "rendition"],
)
def test_upload_pdf_link_with_dangerous_action_is_active_content(action):
    pdf = _new_pdf()
    # Indirect action without /Type, as many producers write it.
    _add_annotation(pdf, Subtype=Name.Link, A=pdf.make_indirect(Dictionary(**action)))
    assert _rejection(_pdf_bytes(pdf)).code == "pdf_active_content"


def test_upload_pdf_dangerous_action_hidden_in_next_chain_is_active_content():
    pdf = _new_pdf()
    launch = pdf.make_indirect(Dictionary(S=Name.Launch, F=String("cmd.exe")))
    _add_annotation(
        pdf,
        Subtype=Name.Link,
        A=Dictionary(S=Name.URI, URI=String("https://example.org/"), Next=launch),
    )
    assert _rejection(_pdf_bytes(pdf)).code == "pdf_active_content"


def test_upload_pdf_xfa_form_is_active_content():
    pdf = _new_pdf()
    xfa = pdf.make_stream(b"<xdp:xdp/>")
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=xfa)
    assert _rejection(_pdf_bytes(pdf)).code == "pdf_active_content"


def test_upload_pdf_rich_media_annotation_is_active_content():
    pdf = _new_pdf()
    _add_annotation(pdf, Subtype=Name.RichMedia, RichMediaContent=Dictionary())
    assert _rejection(_pdf_bytes(pdf)).code == "pdf_active_content"


def test_upload_pdf_active_content_in_unreferenced_object_is_refused():
    # Every object in the file is checked, not only those reachable from /Root.
    # qpdf never writes unreachable objects, so splice one in by hand (qpdf
    # recovers the damaged cross-reference table and finds object 99).
    raw = _pdf_bytes(_new_pdf(), qdf=True, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    orphan = b"99 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n"
    i = raw.rindex(b"\nxref\n") + 1
    assert _rejection(raw[:i] + orphan + raw[i:]).code == "pdf_active_content"


def test_upload_pdf_uri_link_is_allowed():
    # Documented choice: web links are allowed (they do nothing until clicked).
    pdf = _new_pdf()
    _add_annotation(
        pdf,
        Subtype=Name.Link,
        A=pdf.make_indirect(Dictionary(S=Name.URI, URI=String("https://example.org/"))),
    )
    clean = inspect_upload(_pdf_bytes(pdf))
    assert clean.content_type == "application/pdf"


def test_upload_pdf_tagged_structure_attributes_are_not_mistaken_for_actions():
    pdf = _new_pdf()
    elem = pdf.make_indirect(
        Dictionary(
            Type=Name.StructElem,
            S=Name.P,
            A=Dictionary(O=Name.Layout, Placement=Name.Block),
        )
    )
    pdf.Root.StructTreeRoot = Dictionary(Type=Name.StructTreeRoot, K=elem)
    pdf.Root.PageLabels = Dictionary(Nums=Array([0, Dictionary(S=Name.D)]))
    assert inspect_upload(_pdf_bytes(pdf)).content_type == "application/pdf"


# ---------------------------------------------------------------------------
# PDF: metadata, encryption, damage
# ---------------------------------------------------------------------------


def test_upload_pdf_author_metadata_is_stripped_and_pdf_still_opens():
    pdf = _new_pdf()
    pdf.docinfo["/Author"] = "Jan Jansen"
    pdf.docinfo["/Title"] = "Verklaring Kerkstraat 12"
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:creator"] = ["Jan Jansen"]
        meta["xmp:CreatorTool"] = "Scanner van Jan Jansen"
    pdf.pages[0].obj.PieceInfo = Dictionary(App=Dictionary(Private=String("Jan Jansen")))
    original = _pdf_bytes(pdf)
    assert b"Jan Jansen" in original  # sanity

    clean = inspect_upload(original)

    assert clean.content_type == "application/pdf"
    assert clean.extension == "pdf"
    assert clean.content.startswith(b"%PDF-")
    assert b"Jan Jansen" not in clean.content
    assert b"Kerkstraat" not in clean.content
    with pikepdf.open(io.BytesIO(clean.content)) as result:
        assert len(result.pages) == 1
        assert "/Info" not in result.trailer
        assert "/Metadata" not in result.Root
    # And an independent reader agrees.
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(clean.content))
    assert len(reader.pages) == 1
    assert not reader.metadata


def test_upload_pdf_is_deterministic():
    data = _pdf_bytes(_new_pdf())
    first, second = inspect_upload(data), inspect_upload(data)
    assert first.content == second.content
    assert first.sha256 == second.sha256


def test_upload_pdf_embedded_photo_loses_its_gps_exif():
    photo = _jpeg(size=(40, 30), exif=_exif_with_gps().tobytes(), comment=b"at home")
    assert b"Exif" in photo
    pdf = _new_pdf()
    image = pdf.make_stream(
        photo,
        Type=Name.XObject,
        Subtype=Name.Image,
        Width=40,
        Height=30,
        ColorSpace=Name.DeviceRGB,
        BitsPerComponent=8,
        Filter=Name.DCTDecode,
    )
    page = pdf.pages[0]
    page.obj.Resources = Dictionary(XObject=Dictionary(Im0=image))
    page.obj.Contents = pdf.make_stream(b"q 40 0 0 30 10 10 cm /Im0 Do Q")

    clean = inspect_upload(_pdf_bytes(pdf, compress_streams=False))

    assert b"Exif" not in clean.content
    assert b"PhoneMaker" not in clean.content
    assert b"at home" not in clean.content
    with pikepdf.open(io.BytesIO(clean.content)) as result:
        xobj = result.pages[0].Resources.XObject.Im0
        pil = pikepdf.PdfImage(xobj).as_pil_image()
        assert pil.size == (40, 30)
        r, g, b = pil.getpixel((20, 15))
        assert r > 150 and g < 80 and b < 80


def test_strip_jpeg_metadata_keeps_image_and_drops_app_segments():
    photo = _jpeg(size=(16, 16), exif=_exif_with_gps().tobytes(), progressive=True)
    stripped = strip_jpeg_metadata(photo)
    assert stripped is not None
    assert b"Exif" not in stripped
    with Image.open(io.BytesIO(stripped)) as im:
        im.load()
        assert im.size == (16, 16)
    assert strip_jpeg_metadata(b"not a jpeg") is None
    assert strip_jpeg_metadata(b"\xff\xd8\xff\xe1\xff\xff") is None


def test_upload_pdf_with_user_password_is_pdf_encrypted():
    data = _pdf_bytes(_new_pdf(), encryption=pikepdf.Encryption(owner="o", user="geheim"))
    assert _rejection(data).code == "pdf_encrypted"


def test_upload_pdf_with_owner_password_only_is_accepted_and_decrypted():
    # Documented choice: readable without a password, so accepted and saved
    # without encryption (common for bank statements and official letters).
    pdf = _new_pdf()
    pdf.docinfo["/Author"] = "Jan Jansen"
    data = _pdf_bytes(pdf, encryption=pikepdf.Encryption(owner="eigenaar", user=""))
    with pikepdf.open(io.BytesIO(data)) as check:
        assert check.is_encrypted

    clean = inspect_upload(data)

    with pikepdf.open(io.BytesIO(clean.content)) as result:
        assert not result.is_encrypted
        assert len(result.pages) == 1
    assert b"Jan Jansen" not in clean.content


def test_upload_pdf_garbage_after_header_is_pdf_broken():
    assert _rejection(b"%PDF-1.7\n" + b"\x00garbage\xff" * 100).code == "pdf_broken"


def test_upload_pdf_with_leading_junk_is_accepted_and_rewritten_from_offset_zero():
    data = b"JUNK-BEFORE-HEADER\n" + _pdf_bytes(_new_pdf()) + b"<html>appended</html>"
    clean = inspect_upload(data)
    assert clean.content.startswith(b"%PDF-")
    assert b"JUNK-BEFORE-HEADER" not in clean.content
    assert b"appended" not in clean.content


def test_upload_sha256_matches_cleaned_content():
    import hashlib

    clean = inspect_upload(_png())
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()
    assert clean.size == len(clean.content)


def test_upload_truncated_jpeg_is_refused_even_after_weasyprint_was_imported():
    """WeasyPrint switches Pillow's LOAD_TRUNCATED_IMAGES on for the whole process when
    it is imported; the upload check must not inherit that."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint leaves it
    buf = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 200, 30)).save(buf, "JPEG")
    truncated = buf.getvalue()[: len(buf.getvalue()) // 2]
    with pytest.raises(UploadRejected) as exc:
        inspect_upload(truncated)
    assert exc.value.code == "image_broken"
