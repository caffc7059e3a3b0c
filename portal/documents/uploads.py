"""Checking and cleaning uploaded files by their content.

Uploads come from people involved in domestic-violence cases; a photo or scan
that still carries GPS coordinates, an author name or a device id can reveal
where someone lives or hides. So every upload is:

1. size-limited while it is being read (:func:`read_limited`);
2. typed by its magic bytes only. The file name and the declared
   ``Content-Type`` are never consulted (this module never even sees them);
3. parsed and *re-serialised*, so that what we store is something we wrote
   ourselves: images are decoded and re-encoded without any metadata, PDFs are
   checked for active content and rewritten by qpdf without document metadata.

Only PDF, JPEG and PNG are accepted (:data:`ALLOWED`). Every refusal raises
:class:`UploadRejected` carrying a stable machine ``code`` (see
:data:`REJECTION_CODES`); user-facing, translated messages are made elsewhere.

Pure module: no Flask, no database.

Choices worth knowing (also see the function docstrings):

* PDF magic ``%PDF-`` is preferred at offset 0 but accepted within the first
  1024 bytes (the tolerance readers such as Acrobat apply). This is safe
  because the output is always re-serialised by qpdf, so leading junk (and
  anything appended, e.g. polyglot payloads) never reaches storage.
* Images lose their ICC profile along with all other metadata (ICC profiles
  carry free text such as device and vendor names). Wide-gamut photos
  (e.g. Display P3) may therefore look slightly less saturated.
* Multi-frame images (APNG, MPO) keep only their first frame.
* PDFs: ``/OpenAction`` is refused in every form, including a harmless
  destination array ("open at page 2"): being strict costs little, and it
  keeps the rule simple. ``/URI`` link actions are *allowed*: a link does
  nothing until a staff member clicks it, and refusing every PDF with a web
  link (letters, bank statements) would refuse too many legitimate
  documents. Staff must treat links in uploads as untrusted.
* PDFs encrypted with an *empty* user password (owner-password only, i.e.
  "printing/copying restricted", common for bank statements and official
  letters) can be read completely, so they are accepted and saved
  *without* encryption. PDFs that need a password to open are refused
  (``pdf_encrypted``): we could not inspect them, and staff could not read
  them.
* Inside PDFs, JPEG (DCTDecode) image streams are stripped of EXIF/XMP/IPTC
  and comment segments (losslessly, without re-encoding): "print to PDF" of a
  phone photo often embeds the original JPEG including its GPS position.
  ``/Metadata`` (XMP) and ``/PieceInfo`` (private application data) are removed
  from every object, ``/Info`` and ``/ID`` from the trailer. Annotation texts
  and author fields (``/T``) are visible document content and are kept.
  JPEG 2000 (JPXDecode) streams are not rewritten.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from collections.abc import Iterator
from typing import Any, BinaryIO

import pikepdf
from PIL import Image, ImageFile, ImageOps
from pikepdf import Array, Dictionary, Name, Stream

__all__ = [
    "ALLOWED",
    "CHUNK_SIZE",
    "REJECTION_CODES",
    "CleanUpload",
    "UploadRejected",
    "inspect_upload",
    "read_limited",
    "sniff_type",
]

ALLOWED = frozenset({"application/pdf", "image/jpeg", "image/png"})

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
CHUNK_SIZE = 64 * 1024

REJECTION_CODES = frozenset(
    {
        "empty",
        "too_large",
        "unsupported_type",
        "image_too_many_pixels",
        "image_broken",
        "pdf_broken",
        "pdf_encrypted",
        "pdf_active_content",
    }
)

_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
_PDF_MAGIC = b"%PDF-"
_PDF_MAGIC_WINDOW = 1024


@dataclass(frozen=True)
class CleanUpload:
    """An accepted upload, re-serialised without metadata."""

    content: bytes
    content_type: str  # one of ALLOWED
    extension: str  # "pdf", "jpg" or "png"
    size: int  # len(content)
    sha256: str  # hex digest of content


class UploadRejected(Exception):
    """The upload is refused. ``code`` is one of :data:`REJECTION_CODES`;
    ``limit`` is the exceeded limit for ``too_large`` (bytes) and
    ``image_too_many_pixels`` (pixels), else ``None``."""

    def __init__(self, code: str, *, limit: int | None = None) -> None:
        if code not in REJECTION_CODES:
            raise ValueError(f"unknown upload rejection code: {code!r}")
        super().__init__(code)
        self.code = code
        self.limit = limit

    def __repr__(self) -> str:
        return f"UploadRejected({self.code!r}, limit={self.limit!r})"


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------


def read_limited(stream: BinaryIO, max_bytes: int, *, chunk_size: int = CHUNK_SIZE) -> bytes:
    """Read ``stream`` to EOF, refusing more than ``max_bytes``.

    Reads in chunks of at most ``chunk_size`` and never asks for more than
    ``max_bytes + 1`` bytes in total: as soon as that one byte too many has
    arrived, :class:`UploadRejected` ``too_large`` is raised and the rest of
    the stream is left unread. (A falsy ``read()`` result, ``b""`` or ``None``,
    ends the read.)
    """
    if max_bytes < 0:
        raise ValueError("max_bytes must be >= 0")
    if chunk_size <= 0:
        raise ValueError("chunk_size must be > 0")
    buf = bytearray()
    while True:
        want = min(chunk_size, max_bytes + 1 - len(buf))
        chunk = stream.read(want)
        if not chunk:
            return bytes(buf)
        buf += chunk
        if len(buf) > max_bytes:
            raise UploadRejected("too_large", limit=max_bytes)


# ---------------------------------------------------------------------------
# Sniffing
# ---------------------------------------------------------------------------


def sniff_type(data: bytes) -> str | None:
    """Content type from magic bytes alone, or ``None`` if not allowed."""
    if data.startswith(_JPEG_MAGIC):
        return "image/jpeg"
    if data.startswith(_PNG_MAGIC):
        return "image/png"
    if data.startswith(_PDF_MAGIC) or _PDF_MAGIC in data[:_PDF_MAGIC_WINDOW]:
        return "application/pdf"
    return None


def inspect_upload(
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> CleanUpload:
    """Check ``data`` by content and return a cleaned copy.

    Raises :class:`UploadRejected` with a code from :data:`REJECTION_CODES`.
    The returned ``content`` is always newly serialised (never ``data``
    itself), so hashes differ from the uploaded file's.
    """
    data = bytes(data)
    if not data:
        raise UploadRejected("empty")
    if len(data) > max_bytes:
        raise UploadRejected("too_large", limit=max_bytes)

    content_type = sniff_type(data)
    if content_type is None:
        raise UploadRejected("unsupported_type")

    if content_type == "application/pdf":
        try:
            content = _clean_pdf(data)
        except UploadRejected as exc:
            # "%PDF-" found after some leading bytes was only a guess; if it
            # is not a readable PDF, it is some other kind of file.
            if exc.code == "pdf_broken" and not data.startswith(_PDF_MAGIC):
                raise UploadRejected("unsupported_type") from None
            raise
    else:
        # Another library in this process (WeasyPrint sets it on import) may have
        # told Pillow to accept truncated images; an upload must never be.
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        content = _clean_image(data, content_type, max_pixels)

    return CleanUpload(
        content=content,
        content_type=content_type,
        extension=_EXTENSIONS[content_type],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


# ---------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------

_PIL_FORMATS = {"image/jpeg": ("JPEG", "MPO"), "image/png": ("PNG",)}
_PNG_MODES = frozenset({"1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"})


def _clean_image(data: bytes, content_type: str, max_pixels: int) -> bytes:
    # Only the decoder matching the sniffed magic is allowed to parse the file.
    formats = _PIL_FORMATS[content_type]

    # Pass 1: header only. Image.open reads the header without decoding
    # pixels, so the pixel count is checked before any large allocation.
    # Pillow's own bomb check (Image.MAX_IMAGE_PIXELS, left at its default of
    # ~89.5 MP) is a backstop: it raises DecompressionBombError above twice
    # that, which also maps to image_too_many_pixels. We do not change that
    # process-wide setting; our limit is the explicit check below.
    try:
        with Image.open(io.BytesIO(data), formats=formats) as im:
            width, height = im.size
            if width <= 0 or height <= 0:
                raise UploadRejected("image_broken")
            if width * height > max_pixels:
                raise UploadRejected("image_too_many_pixels", limit=max_pixels)
            im.verify()  # structural checks (PNG chunk CRCs); no pixel decoding
    except UploadRejected:
        raise
    except Image.DecompressionBombError:
        raise UploadRejected("image_too_many_pixels", limit=max_pixels) from None
    except Exception:  # noqa: BLE001 - any parser failure on untrusted input
        raise UploadRejected("image_broken") from None

    # Pass 2: verify() leaves the image unusable, so reopen, decode, orient,
    # strip and re-encode.
    try:
        with Image.open(io.BytesIO(data), formats=formats) as im:
            if im.size != (width, height):  # paranoia: same bytes, same header
                raise UploadRejected("image_broken")
            im.load()  # first frame only for APNG / MPO
            try:
                oriented = ImageOps.exif_transpose(im)
            except Exception:  # noqa: BLE001 - unreadable EXIF: keep pixels as stored
                oriented = im.copy()
            return _encode_without_metadata(oriented, content_type)
    except UploadRejected:
        raise
    except Image.DecompressionBombError:
        raise UploadRejected("image_too_many_pixels", limit=max_pixels) from None
    except Exception:  # noqa: BLE001
        raise UploadRejected("image_broken") from None


def _encode_without_metadata(im: Image.Image, content_type: str) -> bytes:
    # Pillow's encoders pick up some values from im.info when they are not
    # passed explicitly (PNG: icc_profile, transparency; JPEG: comment), so
    # clear everything except PNG transparency, which is pixel data, not
    # metadata.
    transparency = im.info.get("transparency")
    im.info = {}
    out = io.BytesIO()
    if content_type == "image/jpeg":
        if im.mode == "1":
            im = im.convert("L")
        elif im.mode not in ("L", "RGB"):
            # CMYK (Pillow already undoes Adobe's inversion when decoding),
            # YCCK, I;16 and friends: RGB is what every viewer shows reliably.
            im = im.convert("RGB")
        im.info = {}
        im.save(out, format="JPEG", quality=90, optimize=True, exif=b"")
    else:
        if im.mode not in _PNG_MODES:
            im = im.convert("RGBA")  # e.g. PA, I;16B, CMYK never occurs in PNG
            transparency = None
        im.info = {}
        params: dict[str, Any] = {"optimize": True}
        if transparency is not None and im.mode in ("1", "L", "P", "RGB", "I", "I;16"):
            params["transparency"] = transparency
        im.save(out, format="PNG", **params)
    return out.getvalue()


# ---------------------------------------------------------------------------
# PDFs
# ---------------------------------------------------------------------------

# Dictionary keys that mean scripts, automatic actions, attachments,
# rich media or XFA forms, wherever they occur.
_ACTIVE_KEYS = frozenset(
    {
        "/JS",
        "/JavaScript",
        "/AA",  # additional (automatic) actions: page open/close, field focus, ...
        "/OpenAction",  # refused even as a plain destination, see module docs
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",  # embedded file stream in a file specification
        "/XFA",
        "/RichMediaContent",
        "/RichMediaSettings",
        "/ImportData",
        "/SubmitForm",
    }
)
# Action types (/S) that are refused wherever a dictionary carries them. Safe
# to test on any dictionary: no non-action /S values (structure types, page
# labels, transitions, soft masks, border styles, groups) use these names.
_ACTIVE_ACTION_TYPES = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ResetForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/GoTo3DView",
        "/Rendition",
        "/Movie",
        "/Sound",
        "/RichMediaExecute",
        "/Hide",
        "/SetOCGState",
        "/Trans",
        "/Thread",
    }
)
# For dictionaries known to be actions (/Type /Action, or the value of /A or
# /Next) only these types pass. /URI is allowed on purpose: see module docs.
_ALLOWED_ACTION_TYPES = frozenset({"/GoTo", "/URI", "/Named"})
# Annotation (and 3D stream) subtypes that embed files or play media.
_ACTIVE_SUBTYPES = frozenset(
    {"/FileAttachment", "/RichMedia", "/Movie", "/Sound", "/Screen", "/3D"}
)
_ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/RichMediaContent", "/RichMediaSettings"})

# Removed from every dictionary before saving.
_METADATA_KEYS = ("/Metadata", "/PieceInfo")


def _clean_pdf(data: bytes) -> bytes:
    try:
        pdf = pikepdf.open(io.BytesIO(data), conversion_mode="explicit")
    except pikepdf.PasswordError:
        raise UploadRejected("pdf_encrypted") from None
    except Exception:  # noqa: BLE001 - qpdf could not make sense of it
        raise UploadRejected("pdf_broken") from None

    with pdf:
        try:
            if len(pdf.pages) == 0:
                raise UploadRejected("pdf_broken")
            objects = [obj for obj in pdf.objects if _is_dict_like(obj)]
            objects.append(pdf.trailer)
            for obj in objects:
                if _has_active_content(obj):
                    raise UploadRejected("pdf_active_content")
            for obj in objects:
                _strip_metadata(obj)
            for obj in objects:
                if isinstance(obj, Stream):
                    _strip_embedded_jpeg_metadata(obj)
            for key in ("/Info", "/ID"):
                if key in pdf.trailer:
                    del pdf.trailer[key]

            out = io.BytesIO()
            pdf.save(
                out,
                linearize=False,
                fix_metadata_version=False,
                preserve_pdfa=False,  # the XMP metadata that declares PDF/A is gone
                deterministic_id=True,  # /ID derived from content, not time/host
                encryption=False,  # owner-password-only PDFs are saved decrypted
            )
        except UploadRejected:
            raise
        except Exception:  # noqa: BLE001 - damaged objects, undecodable streams
            raise UploadRejected("pdf_broken") from None

    content = out.getvalue()
    if not content.startswith(_PDF_MAGIC):
        raise UploadRejected("pdf_broken")
    return content


def _is_dict_like(obj: Any) -> bool:
    return isinstance(obj, (Dictionary, Stream))


def _name(obj: Any) -> str | None:
    return str(obj) if isinstance(obj, Name) else None


def _has_active_content(root: Any) -> bool:
    """Check ``root`` and every *direct* object nested in it.

    Indirect objects are not followed: each one is in ``pdf.objects`` and is
    checked on its own, so the whole file is covered exactly once (including
    objects that are not reachable from the catalog). An explicit stack is
    used instead of recursion, so deep nesting cannot blow the Python stack.
    """
    for obj in _direct_dictionaries(root):
        keys = set(obj.keys())
        if keys & _ACTIVE_KEYS:
            return True
        if _name(obj.get("/S")) in _ACTIVE_ACTION_TYPES:
            return True
        if _name(obj.get("/Subtype")) in _ACTIVE_SUBTYPES:
            return True
        type_ = _name(obj.get("/Type"))
        if type_ in _ACTIVE_TYPES:
            return True
        if type_ == "/Action" and not _is_allowed_action(obj):
            return True
        # /A and /Next hold actions, often as indirect objects without /Type;
        # look one step through the reference so their /S is judged against
        # the allow-list, not only against the block-list above.
        for key in ("/A", "/Next"):
            if key in keys:
                value = obj[key]
                actions = list(value) if isinstance(value, Array) else [value]
                if not all(_is_allowed_action(action) for action in actions):
                    return True
    return False


def _is_allowed_action(action: Any) -> bool:
    """False for an action dictionary whose type is not allow-listed.

    Only dictionaries with a name-valued /S are judged as actions: /A is also
    the attribute entry of tagged-PDF structure elements (dictionaries with
    /O, not /S, or arrays of them), which must not be mistaken for actions.
    """
    if not _is_dict_like(action):
        return True
    subtype = _name(action.get("/S"))
    return subtype is None or subtype in _ALLOWED_ACTION_TYPES


def _strip_metadata(root: Any) -> None:
    for obj in _direct_dictionaries(root):
        for key in _METADATA_KEYS:
            if key in obj:
                del obj[key]


def _direct_dictionaries(root: Any) -> Iterator[Any]:
    """``root`` and every dictionary or stream nested in it *directly* (through arrays
    and dictionary values, never through an indirect reference: each indirect object
    is in ``pdf.objects`` and checked on its own). An explicit stack, not recursion, so
    deep nesting cannot blow the Python stack. The caller may change a dictionary it is
    given (delete keys) before its values are visited."""
    stack = [root]
    while stack:
        obj = stack.pop()
        if isinstance(obj, Array):
            stack.extend(item for item in obj if not item.is_indirect)
            continue
        if not _is_dict_like(obj):
            continue
        yield obj
        stack.extend(value for _key, value in obj.items() if not value.is_indirect)


def _filters_of(stream: Stream) -> list[str]:
    value = stream.get("/Filter")
    if value is None:
        return []
    if isinstance(value, Array):
        return [_name(item) or "" for item in value]
    return [_name(value) or ""]


def _strip_embedded_jpeg_metadata(stream: Stream) -> None:
    """Drop EXIF/XMP/IPTC/comment segments from a DCTDecode image stream."""
    filters = _filters_of(stream)
    if "/DCTDecode" not in filters:
        return
    if filters[-1] != "/DCTDecode":
        raise UploadRejected("pdf_broken")  # DCT must be the last filter

    parms = stream.get("/DecodeParms")
    dct_parms = None
    if len(filters) == 1:
        raw = stream.read_raw_bytes()
        if isinstance(parms, Dictionary):
            dct_parms = parms
        elif isinstance(parms, Array) and len(parms) == 1 and isinstance(parms[0], Dictionary):
            dct_parms = parms[0]
    else:
        # e.g. [/FlateDecode /DCTDecode]: let qpdf undo the lossless filters
        # by hiding the final DCTDecode from it, then read the JPEG bytes.
        if isinstance(parms, Array) and len(parms) == len(filters):
            if isinstance(parms[-1], Dictionary):
                dct_parms = parms[-1]
            stream["/DecodeParms"] = Array(list(parms)[:-1])
        stream["/Filter"] = Array([Name(f) for f in filters[:-1]])
        raw = stream.read_bytes()

    cleaned = strip_jpeg_metadata(raw)
    if cleaned is None:
        raise UploadRejected("pdf_broken")
    if dct_parms is not None:
        stream.write(cleaned, filter=Name.DCTDecode, decode_parms=dct_parms)
    else:
        stream.write(cleaned, filter=Name.DCTDecode)


# JPEG markers kept before/between scans: SOFn, DHT, DQT, DRI, SOS, DNL, DAC,
# DHP/EXP, APP0 (JFIF) and APP14 (Adobe: needed for the colour transform).
# Dropped: APP1 (EXIF, XMP), APP2 (ICC, MPF), APP3..APP13 (incl. IPTC in
# APP13), APP15, COM. Everything after EOI (e.g. MPF extra images) is dropped.
_JPEG_DROP_MARKERS = frozenset({*range(0xE1, 0xEE), 0xEF, 0xFE})


def strip_jpeg_metadata(data: bytes) -> bytes | None:
    """Losslessly remove metadata segments from a baseline or progressive
    JPEG. Returns ``None`` if the marker structure cannot be followed.
    A missing EOI at the end is tolerated (and added)."""
    n = len(data)
    if not data.startswith(b"\xff\xd8"):
        return None
    out = bytearray(b"\xff\xd8")
    i = 2
    while True:
        # Expect a marker: one or more 0xFF fill bytes then the marker code.
        if i >= n or data[i] != 0xFF:
            return None
        while i < n and data[i] == 0xFF:
            i += 1
        if i >= n:
            return None
        marker = data[i]
        i += 1
        if marker == 0xD9:  # EOI
            out += b"\xff\xd9"
            return bytes(out)
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # no length field
            out += bytes((0xFF, marker))
            continue
        if marker == 0x00 or i + 2 > n:
            return None
        length = int.from_bytes(data[i : i + 2], "big")
        if length < 2 or i + length > n:
            return None
        segment_end = i + length
        if marker not in _JPEG_DROP_MARKERS:
            out += bytes((0xFF, marker))
            out += data[i:segment_end]
        i = segment_end
        if marker == 0xDA:  # SOS: entropy-coded data follows until a real marker
            start = i
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:  # truncated scan: keep it, close the file
                    out += data[start:]
                    out += b"\xff\xd9"
                    return bytes(out)
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:
                    i = j + 2  # stuffed byte or restart marker: still scan data
                    continue
                if following == 0xFF:  # fill byte before a marker
                    k = j
                    while k < n and data[k] == 0xFF:
                        k += 1
                    if k >= n:
                        out += data[start:j]
                        out += b"\xff\xd9"
                        return bytes(out)
                    if data[k] == 0x00 or 0xD0 <= data[k] <= 0xD7:
                        i = k + 1
                        continue
                    j = k - 1
                out += data[start:j]
                i = j
                break
