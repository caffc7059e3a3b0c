"""Attachments in a stored copy, through the service the back office uses (issue 12,
item 4): reviewed on the workbench (redacted or withheld), rendered by the job, read back.

The redacted attachment's page is a page of the copy with the copy's footer and page
number, an invisible OCR text layer of its redacted pixels (the other words, never the
reporter) and the cover letter's line; an attachment with nothing to black out is
"helemaal opgenomen"; a withheld one is listed with its ground in words."""
from __future__ import annotations

import io
import re
import shutil
import subprocess

from PIL import Image, ImageDraw, ImageFont

from portal.infra.extensions import db
from portal.services import copies

from ..conftest import require_or_skip
from . import casework_helpers as ch
from .copy_helpers import get_copy, import_doc, make_copy, render_now, verified_request
from .dossier_helpers import example, with_attachment
from .test_copy_flow import _attachment_pdf

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _png(lines: list[str]) -> bytes:
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 36)
    for i, line in enumerate(lines):
        draw.text((110, 200 + 80 * i), line, font=font, fill="black")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, timeout=120, check=True)
    return [re.sub(r"\s+", " ", p) for p in out.stdout.decode().split("\f")[:-1]]


def test_issue12_4_stored_copy_attachments_footer_ocr_and_cover_letter(app, make_staff, tmp_path, monkeypatch):
    """Issue 12 item 4 (art. 14.2): a GP letter with the reporter's name (redacted), a
    school report without anything to black out, a photo withheld for safety: the copy's
    last two pages are the two included attachments with "pagina X van Y" (Y counting
    them), the letter's OCR text has its other words and never the reporter, and the
    cover letter lists all three with their grounds in words. The OCR text layer is made
    once, when the attachment is redacted, kept encrypted, and only placed when the copy
    is rendered (no OCR then); a withheld attachment keeps none."""
    require_or_skip(shutil.which("tesseract") is not None, "tesseract not installed (Debian tesseract-ocr)")
    require_or_skip(shutil.which("pdftotext") is not None, "pdftotext not installed (Debian poppler-utils)")
    cw = make_staff("caseworker")
    doc, files = with_attachment(example(), entry=0, name="attachments/brief.pdf", data=_attachment_pdf())
    doc, more = with_attachment(doc, entry=0, name="attachments/rapport.png",
                                data=_png(["Rapport groep zeven", "Rekenen goed, lezen voldoende"]),
                                media_type="image/png")
    files.update(more)
    doc, more = with_attachment(doc, entry=0, name="attachments/foto.png", data=_png(["Foto van de voordeur"]),
                                media_type="image/png")
    files.update(more)
    dossier_id = import_doc(app, doc, files)
    reference = verified_request(app, cw)
    copy_id = make_copy(app, cw, reference, dossier_id, "p2")
    who = ch.actor(app, cw)
    with app.app_context():
        ids = [a.id for a in get_copy(app, copy_id).attachments]
        for ca_id in ids:  # nobody decides on an attachment unseen (issue 12 item 3)
            copies.open_attachment(who, reference, copy_id, ca_id, redacted=False)
        copies.review_attachment(who, reference, copy_id, ids[0], decision="redact")
        copies.review_attachment(who, reference, copy_id, ids[1], decision="redact")
        copies.review_attachment(who, reference, copy_id, ids[2], decision="withhold",
                                 ground="safety_of_those_involved", reasons="De foto laat zien waar iemand woont.")
        kept = [a.ocr_ciphertext for a in get_copy(app, copy_id).attachments]
        assert kept[0] is not None and kept[1] is not None and kept[2] is None
        layer = app.extensions["vault"].decrypt(kept[0])
        db.session.remove()
    (tmp_path / "layer.pdf").write_bytes(layer)
    text = subprocess.run(["pdftotext", str(tmp_path / "layer.pdf"), "-"], capture_output=True, timeout=60,
                          check=True).stdout.decode()
    assert "school" in text and "Ineke" not in text and "Bosman" not in text

    from portal.documents import attachment_pages

    def no_ocr(*args, **kwargs):
        raise AssertionError("OCR at rendering although the layers are kept")

    monkeypatch.setattr(attachment_pages, "ocr_text_layer", no_ocr)
    pdf = render_now(app, cw, reference, copy_id)
    pages = _pages(pdf, tmp_path)
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"pagina {number} van {total}" in text, number
    letter, report = pages[-2], pages[-1]
    assert re.search(r"Bijlage 1, pagina 1 van 1 \(bij stuk \d+\)", letter)
    assert "Over de school van" in letter  # the OCR text layer of the redacted pixels ("Lotte" is redacted too)
    assert "Rapport groep zeven" in report
    every = " ".join(pages)
    for leak in ("Ineke", "Bosman", "1234567", "voordeur"):
        assert leak not in every
    cover = pages[0] + pages[1]
    assert re.search(r"Bijlage 1 \(bij stuk \d+\): opgenomen, met zwart gemaakte delen\. "
                     r"Reden: privacy van een ander \(art\. 14 lid 2\)\.", cover)
    assert re.search(r"Bijlage 2 \(bij stuk \d+\): helemaal opgenomen\.", cover)
    assert re.search(r"Een bijlage bij stuk \d+: niet opgenomen\. "
                     r"Reden: veiligheid van betrokkenen \(art\. 14 lid 2\)\.", cover)


def test_issue12_4_an_attachment_of_a_withheld_entry_is_not_in_the_copy(app, make_staff, tmp_path):
    """Issue 12 item 4 (art. 14.2): an entry withheld as a whole is printed as its line
    only; its attachment, even when redacted, is not placed, not numbered and not listed
    in the cover letter, but the workbench still has it to review."""
    from portal.models import Dossier, DossierEntry
    from portal.services.copies.document import copy_model

    cw = make_staff("caseworker")
    doc, files = with_attachment(example(), entry=0, name="attachments/rapport.png",
                                 data=_png(["Rapport groep zeven"]), media_type="image/png")
    dossier_id = import_doc(app, doc, files)
    entry_id = doc["entries"][0]["id"]
    reference = verified_request(app, cw)
    copy_id = make_copy(app, cw, reference, dossier_id, "p2")
    who = ch.actor(app, cw)
    with app.app_context():
        pk = db.session.execute(db.select(DossierEntry.id).join(Dossier).where(
            Dossier.dossier_id == dossier_id, DossierEntry.entry_id == entry_id)).scalar_one()
        [ca] = get_copy(app, copy_id).attachments
        copies.open_attachment(who, reference, copy_id, ca.id, redacted=False)
        copies.review_attachment(who, reference, copy_id, ca.id, decision="redact")
        copies.withhold_entry(who, reference, copy_id, pk, "vt_task", "Het onderzoek loopt nog.")
        model = copy_model(get_copy(app, copy_id))
        assert model.attachments == () and model.document.attachments == ()
        assert any(part.attachments for part in model.parts)  # still on the workbench
        db.session.remove()
    pdf = render_now(app, cw, reference, copy_id)
    every = " ".join(_pages(pdf, tmp_path))
    assert "Rapport groep" not in every and "Bijlage 1" not in every
