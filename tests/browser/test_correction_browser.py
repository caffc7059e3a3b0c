"""Art. 15 in Chromium: one correction from request to letter.

* Mark Jansen files a request for correction through the public pages (a copy of his ID,
  no e-mail: he gets a passphrase): his conversation with Veilig Thuis (e3 of the
  example dossier) says the bruises came from hockey; he said football.
* A caseworker checks his ID (art. 20.5), links the request to him in the dossier,
  opens the correction page, links the wish to the entry it is about (shown beside
  it), decides "improve" with the new text, and proposes the decision.
* A team leader signs it on the same page (four eyes); the caseworker carries it out:
  the instruction for the registration system, and the organisation the entry was
  shared with becomes a task (AVG 19), ticked off.
* Mark logs in to his status page and downloads the letter: per item what he asked and
  what we decided, the complaint route (art. 21).
"""
from __future__ import annotations

import io
import re

from portal.infra.extensions import db
from portal.models import EntryAmendment, NotificationTask, RegistrationInstruction, Request
from tests.backoffice.dossier_helpers import example

from .backoffice_navigator import BL, StaffNavigator, request_path
from .prepared import prepare_linked_request, staff_browser
from .test_accessibility import Audit

WISH = {"what_is_wrong": "Er staat dat ik zei dat de blauwe plekken van hockey komen.",
        "should_say": "Ik zei dat ze van voetbal komen."}
NEW_TEXT = ("Mark Jansen ontkent dat hij Lotte heeft geslagen. Hij zegt dat de blauwe plekken van voetbal komen. "
            "Hij is bereikbaar op 06-87654321.")
REASONS = "In het verslag van het gesprek stond de verkeerde sport."
RECIPIENT = "Raad voor de Kinderbescherming"


def _dossier() -> dict:
    """The example dossier; e3 was shared with the Raad (a task after the correction, AVG 19)."""
    doc = example()
    next(e for e in doc["entries"] if e["id"] == "e3")["shared_with"] = [
        {"recipient": RECIPIENT, "date": "2025-03-20", "basis": "art. 4.1.1 lid 2 Wmo 2015"}]
    return doc


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return " ".join("\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).split())


def test_art15_one_correction_from_request_to_letter_in_the_browser(page, new_context, live_server, app, axe):
    """...and axe-core finds nothing on the correction page in the states a caseworker
    and a team leader see it (every <details> opened, with an error, with the tasks)."""
    live_app = live_server.app
    _audit = Audit(axe, "nl")

    def audit(nav: StaffNavigator, name: str):
        nav.open_all_details()
        _audit(nav, name)

    t = live_server.translator("nl")

    # --- 1. Mark files a request for correction; 2. the caseworker, in her browser: ID check ---------
    # --- (art. 20.5), link to the dossier person (prepared.py) ----------------------------------------
    prepared = prepare_linked_request(live_server, page, rights=["correctie"], details={"correctie": WISH},
                                      dossier=_dossier(), via="browser", new_context=new_context)
    requester, cw, staff = prepared.requester, prepared.caseworker, prepared.staff
    ref, dossier_id = prepared.reference, prepared.dossier_id

    # --- 3. the correction page: the wish beside the entry, a decision on the item --------------------
    cw.goto(request_path(ref))
    panel = cw.page.get_by_role("region", name="Correctie en eigen verklaring")
    cw.wait_for_new_page(lambda: panel.get_by_role("link", name="Correctie (artikel 15)").click())
    item = cw.page.get_by_role("article", name="Punt 1")
    assert item.get_by_role("table").get_by_text(WISH["what_is_wrong"], exact=True).is_visible()
    item.get_by_role("checkbox", name=re.compile(r"^e3 – ")).check()
    cw.press("Stukken koppelen", within=item)
    assert cw.notice("De stukken zijn aan het punt gekoppeld.").is_visible()
    item = cw.page.get_by_role("article", name="Punt 1")
    beside = item.get_by_role("table")
    assert beside.get_by_text(WISH["should_say"], exact=True).is_visible()
    now = beside.get_by_text(re.compile(r"^Mark Jansen ontkent.*van hockey komen"))
    assert now.is_visible(), "the entry as it is now, beside the wish"
    audit(cw, "correction page, an item linked to its entry")
    # "Improve" without the new text: the error next to the item, nothing stored.
    cw.choose_in("Over feiten (artikel 15)", "Waar gaat punt 1 over?", within=item)
    cw.choose_in("Verbeteren", "Besluit over punt 1", within=item)
    cw.press("Besluit over punt 1 opslaan", within=item)
    assert cw.page.get_by_role("alert").get_by_text("Schrijf de nieuwe tekst van het stuk.").is_visible()
    audit(cw, "correction page with an error")
    item = cw.page.get_by_role("article", name="Punt 1")
    cw.choose_in("Over feiten (artikel 15)", "Waar gaat punt 1 over?", within=item)
    cw.choose_in("Verbeteren", "Besluit over punt 1", within=item)
    cw.fill("Nieuwe tekst van het stuk (bij verbeteren)", NEW_TEXT, within=item)
    cw.fill("Motivering", REASONS, within=item)
    cw.press("Besluit over punt 1 opslaan", within=item)
    assert cw.notice("Het besluit over dit punt is opgeslagen.").is_visible(), cw.page.inner_text("main")[:3000]
    decision = cw.page.get_by_role("region", name="Het besluit op de correctie")
    cw.press("Besluit voorstellen", within=decision)
    assert cw.notice("Het besluit is voorgesteld. Een teamleider moet het nu ondertekenen. Daarna gaat de brief "
                     "naar de aanvrager.").is_visible(), cw.page.inner_text("main")[:3000]
    decision = cw.page.get_by_role("region", name="Het besluit op de correctie")
    assert cw.button(BL.SIGN, within=decision).count() == 0, "a caseworker cannot sign"

    # --- 4. the team leader signs (four eyes) ------------------------------------------------------------
    tl = staff_browser(new_context, live_server, t, staff["team_leader"])
    tl.goto(f"/backoffice/verzoeken/{ref}/correctie")
    audit(tl, "correction page, the team leader")
    decision = tl.page.get_by_role("region", name="Het besluit op de correctie")
    tl.press(BL.SIGN, within=decision)
    assert tl.notice(BL.SIGNED).is_visible(), tl.page.inner_text("main")[:3000]
    assert tl.path == f"/backoffice/verzoeken/{ref}/correctie", "back on the page the form was on"

    # --- 5. the caseworker carries it out; the recipient becomes a task (AVG 19) -----------------------------
    cw.goto(f"/backoffice/verzoeken/{ref}/correctie")
    cw.press("Correctie uitvoeren")
    assert cw.notice("De correctie is uitgevoerd. Geef de opdracht door aan het registratiesysteem en breng de "
                     "ontvangers op de hoogte.").is_visible(), cw.page.inner_text("main")[:3000]
    tasks = cw.page.get_by_role("region", name="Ontvangers op de hoogte brengen (AVG artikel 19)")
    assert tasks.get_by_role("rowheader", name=re.compile("^" + RECIPIENT)).is_visible()
    audit(cw, "correction page, carried out, with the tasks")
    cw.press(f"Afvinken: {RECIPIENT}", within=tasks)
    assert cw.notice("Afgevinkt: de ontvanger is op de hoogte gebracht.").is_visible()
    with live_app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=ref)).scalar_one()
        assert req.status == "decided"
        [amendment] = db.session.execute(db.select(EntryAmendment)).scalars().all()
        assert (amendment.kind, amendment.new_text) == ("improve", NEW_TEXT)
        [ins] = db.session.execute(db.select(RegistrationInstruction).filter_by(request_id=req.id)).scalars().all()
        assert ins.kind == "rectify" and ins.dossier_ref == dossier_id
        [task] = db.session.execute(db.select(NotificationTask).filter_by(request_id=req.id)).scalars().all()
        assert task.recipient == RECIPIENT and task.done_on is not None and task.done_by is not None
        db.session.remove()

    # --- 6. Mark reads the letter on his status page ------------------------------------------------------
    requester.status_login(ref, prepared.passphrase)
    link = requester.page.get_by_role("link", name=re.compile(r"^Besluit: Correctie\b"))
    assert link.count() == 1, requester.page.inner_text("main")[:3000]
    with requester.page.expect_download() as info:
        link.click()
    text = _pdf_text(open(info.value.path(), "rb").read())
    assert "Wij wijzen uw verzoek toe." in text, text
    assert "Ons besluit per punt" in text and "Wij verbeteren dit." in text
    assert " ".join(WISH["should_say"].split()) in text and REASONS in text
    assert "artikel 19 AVG" in text and "Autoriteit Persoonsgegevens" in text
    assert "Mila Jansen" not in text and "Teun Visser" not in text, "the letter names no member of staff"
    _audit.assert_clean()
