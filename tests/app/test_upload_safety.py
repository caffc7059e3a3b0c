"""Uploads through the pages (art. 20.5 identity and proof; DOMAIN.md "Identity and
representation"): typed by content, never by name or declared type; size-limited; PDFs
with active content refused; photos stored without EXIF (a GPS position can reveal where
someone hides); a refused upload leaves nothing behind."""
from __future__ import annotations

import io

import pikepdf
from PIL import ExifTags, Image
from pikepdf import Dictionary, Name, String

from portal.models import Document, DraftUpload, Request

from .filing import Filer, Filing, Person, jpeg_bytes
from .support import (count, dbs, decrypt, dmy, draft_state, nothing_stored, page_text, request_by_ref, today, upload_message,
                      years_ago)

HTML = b"<!doctype html><html><body><script>document.location='https://evil.example/'</script></body></html>"


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone X"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (51.0, 26.0, 30.0),
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (5.0, 28.0, 40.0),
    }
    buf = io.BytesIO()
    Image.new("RGB", (640, 400), (90, 120, 150)).save(buf, "JPEG", exif=exif)
    data = buf.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo), "the test photo must carry GPS"
    return data


def pdf_with_javascript() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.Root.OpenAction = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("app.alert('hallo')")))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def password_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buf = io.BytesIO()
    pdf.save(buf, encryption=pikepdf.Encryption(user="geheim", owner="eigenaar"))
    return buf.getvalue()


def post_file(filer: Filer, page: str, data: dict, field: str, content: bytes, filename: str, content_type: str | None = None):
    file = (io.BytesIO(content), filename, content_type) if content_type else (io.BytesIO(content), filename)
    return filer.post(f"/verzoek/{page}", {**data, field: file}, content_type="multipart/form-data")


def assert_refused(resp, field: str, message: str):
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html[:1000]
    assert 'id="error-summary"' in html
    assert f'id="{field}-error"' in html
    assert message in page_text(resp)


def test_art20_5_html_disguised_as_a_jpeg_is_refused_with_a_clear_message_and_nothing_is_kept(client, app):
    filer = Filer(client).fill(Filing(), until="identiteit")
    before = draft_state(app, client)
    resp = post_file(filer, "identiteit", {"method": "upload"}, "document", HTML, "id.jpg", "image/jpeg")
    assert_refused(resp, "document", upload_message(app, "unsupported_type"))
    assert draft_state(app, client) == before
    assert nothing_stored(app) == {"requests": 0, "documents": 0, "draft_uploads": 0}
    assert client.get("/verzoek/controleren").headers["Location"].endswith("/verzoek/identiteit")


def test_art20_5_a_real_photo_is_accepted_whatever_name_and_declared_type_it_has(client, app):
    """The declared type is never consulted: a JPEG named scan.pdf, sent as text/plain, is a JPEG."""
    filer = Filer(client).fill(Filing(), until="identiteit")
    resp = post_file(filer, "identiteit", {"method": "upload"}, "document", jpeg_bytes(), "scan.pdf", "text/plain")
    assert resp.status_code == 302
    with dbs(app) as s:
        [up] = s.query(DraftUpload).all()
        assert (up.slot, up.content_type) == ("identity", "image/jpeg")


def test_art20_5_an_upload_over_the_request_limit_gets_a_413_page_and_nothing_is_stored(client, app):
    filer = Filer(client).fill(Filing(), until="identiteit")
    before = draft_state(app, client)
    big = b"\xff\xd8\xff\xe0" + b"\0" * (app.config["UPLOAD_MAX_BYTES"] + 300 * 1024)
    assert len(big) > app.config["MAX_CONTENT_LENGTH"]
    resp = post_file(filer, "identiteit", {"method": "upload"}, "document", big, "id.jpg", "image/jpeg")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 413
    assert "Het bestand is te groot" in html
    assert "Een bestand mag niet groter zijn dan 10 MB" in html
    assert resp.headers["Cache-Control"] == "no-store"
    assert draft_state(app, client) == before
    assert nothing_stored(app) == {"requests": 0, "documents": 0, "draft_uploads": 0}


def test_art20_5_a_file_just_over_the_file_limit_is_refused_on_the_page(client, app):
    filer = Filer(client).fill(Filing(), until="identiteit")
    before = draft_state(app, client)
    big = b"\xff\xd8\xff\xe0" + b"\0" * app.config["UPLOAD_MAX_BYTES"]  # 4 bytes over, under the body limit
    resp = post_file(filer, "identiteit", {"method": "upload"}, "document", big, "id.jpg")
    assert_refused(resp, "document", upload_message(app, "too_large"))
    assert draft_state(app, client) == before
    assert count(app, DraftUpload) == 0


def test_art20_5_a_pdf_with_javascript_is_refused_as_proof_and_as_a_statement(client, app):
    parent = Filing(for_whom="child_under_12", rep_kind="voogd", subject=Person("Mila", "Jansen", dmy(years_ago(6, today(app)))),
                    requester=Person("Karin", "Jansen", "02-02-1975"), rights=["eigen_verklaring"])
    filer = Filer(client).fill(parent, until="eigen-verklaring")
    resp = post_file(filer, "eigen-verklaring", {"statement": ""}, "statement_file", pdf_with_javascript(), "verklaring.pdf")
    assert_refused(resp, "statement_file", upload_message(app, "pdf_active_content"))
    assert count(app, DraftUpload) == 0

    filer = Filer(client).fill(parent, until="bewijs")
    before = draft_state(app, client)
    resp = post_file(filer, "bewijs", {"method": "upload"}, "document", pdf_with_javascript(), "gezag.pdf", "application/pdf")
    assert_refused(resp, "document", upload_message(app, "pdf_active_content"))
    assert draft_state(app, client) == before
    assert count(app, DraftUpload, slot="representation") == 0


def test_art20_5_a_pdf_that_needs_a_password_is_refused_with_a_clear_message(client, app):
    filer = Filer(client).fill(Filing(), until="identiteit")
    resp = post_file(filer, "identiteit", {"method": "upload"}, "document", password_pdf(), "id.pdf")
    assert_refused(resp, "document", upload_message(app, "pdf_encrypted"))
    assert count(app, DraftUpload) == 0


def test_art20_5_a_photo_with_gps_is_stored_without_exif(client, app):
    photo = jpeg_with_gps()
    sub = Filer(client).fill(Filing(identity_file=photo)).submit()
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        [doc] = req.documents
        plain = decrypt(app, doc.ciphertext)
    assert doc.ciphertext != plain and plain != photo
    im = Image.open(io.BytesIO(plain))
    assert im.format == "JPEG" and im.size == (640, 400)
    exif = im.getexif()
    assert len(exif) == 0
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert "exif" not in im.info
    assert b"Exif" not in plain and b"PhoneMaker" not in plain


def test_art20_5_a_refused_upload_does_not_replace_the_copy_already_given(client, app):
    filer = Filer(client).fill(Filing())
    before = draft_state(app, client)
    assert set(before[1]) == {"identity"}
    resp = post_file(filer, "identiteit?wijzig=1", {"method": "upload"}, "document", HTML, "id.jpg", "image/jpeg")
    assert_refused(resp, "document", upload_message(app, "unsupported_type"))
    assert draft_state(app, client) == before
    sub = filer.submit()
    with dbs(app) as s:
        [doc] = request_by_ref(s, sub.reference).documents
        assert doc.sha256 == before[1]["identity"]


def test_art20_5_choosing_to_show_id_in_person_removes_an_earlier_upload(client, app):
    filer = Filer(client).fill(Filing())
    assert count(app, DraftUpload) == 1
    filer.step("identiteit?wijzig=1", {"method": "in_person"})
    assert count(app, DraftUpload) == 0
    sub = filer.submit()
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.documents == [] and req.requester.identity_method == "in_person"


def test_art20_5_the_draft_upload_moves_to_the_request_in_the_same_transaction(client, app):
    filer = Filer(client).fill(Filing())
    assert count(app, DraftUpload) == 1 and count(app, Document) == 0
    filer.submit()
    assert count(app, DraftUpload) == 0 and count(app, Document) == 1 and count(app, Request) == 1
