"""Issue 3 in Chromium: a caseworker logs in with TOTP, checks an ID, proposes a refusal;
a team leader signs it; the requester sees the letter.

Three browser contexts (own cookies each) on the live server:

* the requester files a request for inzage for herself through the public pages, with a
  copy of her ID and no e-mail (so she gets a passphrase);
* the caseworker logs in for the first time (password, then sets up the second factor on
  the real set-up page, reading the key to type over), claims the request from the queue,
  opens the ID copy, records the check (art. 20.5) and proposes a refusal of inzage with
  a ground and reasons (art. 14.2);
* a team leader logs in with a code, finds the proposal under "Wacht op teamleider" and
  signs it (art. 14.2, 20.4: a refusal is decided by a team leader, never by the person
  who proposed it);
* the requester logs in to her status page with reference and passphrase, sees the
  letter and downloads it: the refusal, the reasons, the ground and the complaint route
  to the Autoriteit Persoonsgegevens (art. 21).

The second test runs axe-core (WCAG 2.0, 2.1 A/AA and 2.2 AA) on the staff pages: the
login page, the second-factor pages, the queue, the request page and the casework page,
in the states a caseworker and a team leader see them, with and without errors.
"""
from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass

import pyotp

from portal.infra.extensions import db
from portal.models import AuditEvent, Decision, Document, IdentityCheck, Letter, Request, Staff
from portal.rules.grounds import Ground
from portal.rules.permissions import Role
from portal.services import staff as staff_svc

from .backoffice_navigator import (BL, LOGIN, QUEUE, TOTP, TOTP_SETUP, StaffNavigator, casework_path, request_path,
                                   status_decision_letter_link, status_letters_heading)
from .navigator import Filing, L, Navigator, Person, jpeg_bytes
from .test_accessibility import Audit

PASSWORD = "correct horse battery staple 42"
REQUESTER = Person(given_names="Sanne", surname="de Vries", birth_date="14-03-1985")
GROUND = Ground.SAFETY_OF_THOSE_INVOLVED
REASONS = ("In uw dossier staan gegevens die de veiligheid van de mensen die bij het geweld "
           "betrokken zijn in gevaar brengen als u ze nu inziet.")


# --- accounts -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    secret: str | None = None  # the TOTP secret, when set up before the browser logs in


def _create_accounts(live_app) -> dict[str, Account]:
    """A functional administrator (who records the confidentiality agreements, art. 7.3),
    a caseworker without a second factor yet, and a team leader whose second factor is
    set up and confirmed through the staff service. All with a known password."""
    with live_app.app_context():
        admin, _ = staff_svc.create_staff(staff_svc.CLI, "bea.bakker", "Bea Bakker", Role.FUNCTIONAL_ADMIN.value,
                                          password=PASSWORD)
        out = {}
        for role, username, name in ((Role.CASEWORKER, "mila.jansen", "Mila Jansen"),
                                     (Role.TEAM_LEADER, "teun.visser", "Teun Visser")):
            staff, one_time = staff_svc.create_staff(staff_svc.CLI, username, name, role.value, password=PASSWORD)
            assert one_time is None
            staff_svc.record_confidentiality(staff_svc.CLI, staff.id, recorded_by=admin.id)
            out[role.value] = Account(staff.id, username, name)
        tl = out[Role.TEAM_LEADER.value]
        secret = staff_svc.begin_totp_setup(tl.id)
        staff_svc.confirm_totp_setup(tl.id, pyotp.TOTP(secret).now())
        out[Role.TEAM_LEADER.value] = Account(tl.id, tl.username, tl.display_name, secret)
        db.session.remove()
    return out


def _unused_code(secret: str) -> str:
    """A code for a time step the account has not used yet. The set-up above used the
    current step, and every step is accepted once per account; the service accepts one
    step either side of now (clock drift), so the next step's code is accepted now and
    saves waiting up to 30 s for it."""
    return pyotp.TOTP(secret).at(time.time() + staff_svc.TOTP_STEP)


# --- database look-ups -----------------------------------------------------------------------------

def _request(live_app, reference: str) -> dict:
    with live_app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        out = {
            "status": req.status,
            "assignee_id": req.assignee_id,
            "documents": [(d.kind, d.content_type) for d in db.session.execute(
                db.select(Document).filter_by(request_id=req.id)).scalars()],
            "checks": [(c.kind, c.method, c.document_kind, c.name_matches, c.birth_date_matches, c.result, c.checked_by)
                       for c in db.session.execute(db.select(IdentityCheck).filter_by(request_id=req.id)).scalars()],
            "decisions": [(d.right, d.outcome, json.loads(d.grounds_json), d.reasons, d.state, d.proposed_by,
                           d.reviewed_by)
                          for d in db.session.execute(db.select(Decision).filter_by(request_id=req.id)).scalars()],
            "letters": [(lt.kind, lt.released_at is not None) for lt in db.session.execute(
                db.select(Letter).filter_by(request_id=req.id)).scalars()],
            "logged": [(a.action, a.actor) for a in db.session.execute(
                db.select(AuditEvent).where(AuditEvent.subject_ref == reference).order_by(AuditEvent.id)).scalars()],
        }
        db.session.remove()
        return out


def _pdf_text(data: bytes) -> str:
    """The text of a PDF, on one line with single spaces (a sentence may wrap)."""
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def _one_line(s: str) -> str:
    return " ".join(s.split())


# --- issue 3 ----------------------------------------------------------------------------------------

def test_art20_5_art14_2_art20_4_art21_id_check_refusal_signed_by_team_leader_letter_for_requester(
        page, new_context, live_server, app):
    live_app = live_server.app
    t = live_server.translator("nl")

    # --- 1. the requester files: inzage for herself, a copy of her ID, no e-mail --------------
    requester = Navigator(page, live_server.base_url, t=t)
    requester.file_request(Filing(for_whom="self", requester=REQUESTER, rights=["inzage"],
                                  identity_method="upload", identity_file=jpeg_bytes((320, 200)), email=None))
    sub = requester.submit()
    assert sub.passphrase, "no e-mail: the requester gets a passphrase"
    ref = sub.reference
    filed = _request(live_app, ref)
    assert filed["status"] == "received", filed
    assert filed["documents"] == [("identity", "image/jpeg")], filed

    # --- 2. the staff ------------------------------------------------------------------------------
    accounts = _create_accounts(live_app)
    cw_account, tl_account = accounts["caseworker"], accounts["team_leader"]

    # --- 3. the caseworker: first login sets up the second factor (art. 7) ----------------------
    cw = StaffNavigator(new_context().new_page(), live_server.base_url, t=t)
    cw.log_in_password(cw_account.username, PASSWORD)
    assert cw.path == TOTP_SETUP, cw.page.url
    secret = cw.set_up_totp()
    with live_app.app_context():
        stored = db.session.get(Staff, cw_account.id)
        assert stored.totp_confirmed_at is not None
        assert staff_svc.totp_secret(stored) == secret, "the key on the page is the one stored (encrypted)"
        assert secret not in (stored.totp_secret_enc or b"").decode("latin-1")
        db.session.remove()
    cw.leave_recovery_codes()
    assert cw.path == QUEUE, cw.page.url

    # The queue shows the new request; the caseworker opens and claims it.
    row = cw.queue_row(ref)
    assert row.count() == 1, cw.page.inner_text("main")[:3000]
    assert row.get_by_role("cell", name=t(BL.STATUS["received"]), exact=True).is_visible()
    cw.open_request_from_queue(ref)
    assert cw.path == request_path(ref)
    cw.claim()
    assert cw.notice(BL.CLAIMED).is_visible(), cw.page.inner_text("main")[:2000]
    claimed = _request(live_app, ref)
    assert claimed["assignee_id"] == cw_account.id and claimed["status"] == "in_progress", claimed

    # Art. 20.5: open the ID copy (a new tab: the image itself, not a page around it) ...
    panel = cw.party_panel("requester")
    assert cw.document_links(panel).count() == 1
    doc = cw.open_document(panel)
    assert doc.status == 200, doc
    assert doc.content_type == "image/jpeg", doc.content_type
    assert doc.body[:3] == b"\xff\xd8\xff", "a JPEG"
    assert ("document.view", f"staff:{cw_account.id}") in _request(live_app, ref)["logged"], "opening is logged"

    # ... and record the check: verified, the name and the birth date match.
    cw.record_identity_check(panel, method="id_copy", document_kind="paspoort", name_matches=True,
                             birth_date_matches=True, result="verified")
    assert cw.notice(BL.CHECK_RECORDED).is_visible(), cw.page.inner_text("main")[:3000]
    assert cw.page.get_by_text(t(BL.EVERYONE_CHECKED), exact=True).is_visible()
    panel = cw.party_panel("requester")
    assert cw.document_links(panel).count() == 0, "the checked copy is gone from the page"
    assert panel.get_by_text(t(BL.NO_FILES), exact=True).is_visible()
    gone = cw.page.context.request.get(doc.url)
    assert gone.status == 404, "the checked copy is deleted, not only hidden"
    checked = _request(live_app, ref)
    assert checked["checks"] == [("identity", "id_copy", "paspoort", True, True, "verified", cw_account.id)], checked
    assert checked["documents"] == [], checked

    # Art. 14.2: propose a refusal of inzage, with a ground and reasons.
    inzage = cw.right_panel("inzage")
    cw.propose_decision(inzage, outcome="refuse", grounds=[GROUND.label("nl")], reasons=REASONS)
    assert cw.notice(BL.PROPOSED).is_visible(), cw.page.inner_text("main")[:3000]
    inzage = cw.right_panel("inzage")
    assert cw.decision_line(inzage, "refuse", "proposed").is_visible()
    assert cw.button(BL.SIGN, within=inzage).count() == 0, "a caseworker cannot sign (art. 20.4)"
    proposed = _request(live_app, ref)
    assert proposed["decisions"] == [("inzage", "refuse", [GROUND.value], REASONS, "proposed", cw_account.id, None)]
    assert proposed["letters"] == [], "nothing is released before a team leader signs"

    # The requester sees no letter yet.
    requester.status_login(ref, sub.passphrase)
    assert requester.path == "/volgen/verzoek", page.url
    assert status_letters_heading(requester).count() == 0

    # --- 4. the team leader: login with a code, the queue filter, sign ---------------------------
    tl = StaffNavigator(new_context().new_page(), live_server.base_url, t=t)
    tl.log_in_password(tl_account.username, PASSWORD)
    assert tl.path == TOTP, tl.page.url
    tl.enter_totp(_unused_code(tl_account.secret))
    # Something waits for a signature: the team leader starts in the inbox (issue 10),
    # which names the proposal; the queue's filter finds it too.
    assert tl.path == "/backoffice/teamleider", tl.page.inner_text("main")[:2000]
    assert tl.page.get_by_role("row").filter(has_text=ref).count() == 1
    tl.open_queue()
    tl.filter_queue(BL.FILTER_WAITING_FOR_TEAM_LEADER)
    assert "waiting_for_team_leader=1" in tl.page.url
    row = tl.queue_row(ref)
    assert row.count() == 1, tl.page.inner_text("main")[:3000]
    assert row.get_by_text(t(BL.TAG_WAITING_FOR_TEAM_LEADER), exact=True).is_visible()
    tl.open_request_from_queue(ref)
    inzage = tl.right_panel("inzage")
    assert inzage.get_by_text(REASONS, exact=True).first.is_visible(), "the team leader reads the reasons first"
    tl.sign_decision(inzage)
    assert tl.notice(BL.SIGNED).is_visible(), tl.page.inner_text("main")[:3000]
    inzage = tl.right_panel("inzage")
    assert tl.decision_line(inzage, "refuse", "signed").is_visible()
    assert inzage.get_by_role("link", name=t(BL.LETTER_LINK)).is_visible()
    signed = _request(live_app, ref)
    assert signed["decisions"] == [("inzage", "refuse", [GROUND.value], REASONS, "signed", cw_account.id,
                                    tl_account.id)], signed
    assert signed["status"] == "decided", signed
    assert signed["letters"] == [("decision", True)], signed

    # No longer waiting for a team leader.
    tl.open_queue()
    tl.filter_queue(BL.FILTER_WAITING_FOR_TEAM_LEADER)
    assert tl.queue_row(ref).count() == 0

    # --- 5. the requester: the letter on the status page (art. 21) ------------------------------
    requester.goto("/volgen/verzoek")
    assert requester.path == "/volgen/verzoek", page.url
    assert status_letters_heading(requester).is_visible()
    letter_link = status_decision_letter_link(requester, "inzage")
    assert letter_link.count() == 1, requester.page.inner_text("main")[:3000]
    with requester.page.expect_download() as info:
        letter_link.click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    data = open(download.path(), "rb").read()
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    assert "Wij wijzen uw verzoek af." in text, text
    assert _one_line(REASONS) in text, text
    assert _one_line(GROUND.label("nl")) in text, text
    assert "Autoriteit Persoonsgegevens" in text, text
    for name in (cw_account.display_name, tl_account.display_name, cw_account.username, tl_account.username):
        assert name not in text, f"the letter names no member of staff ({name})"
    logged = _request(live_app, ref)["logged"]
    assert ("letter.issue", f"staff:{tl_account.id}") in logged, logged
    assert ("letter.download", "requester") in logged, logged


# --- accessibility of the staff pages --------------------------------------------------------------

def test_wcag_staff_login_totp_queue_request_and_casework_pages_have_no_axe_violations(
        page, new_context, live_server, app, axe):
    """axe-core on the staff pages a caseworker and a team leader pass through, with
    and without errors. All findings are reported together, each under its page."""
    live_app = live_server.app
    t = live_server.translator("nl")
    _audit = Audit(axe, "nl")

    def audit(nav: StaffNavigator, name: str):
        """Audit with every <details> opened: the forms folded away in them (propose a
        decision, extend the deadline, the recovery code) are audited too."""
        nav.open_all_details()
        _audit(nav, name)

    requester = Navigator(page, live_server.base_url, t=t)
    requester.file_request(Filing(for_whom="self", requester=REQUESTER, rights=["inzage"],
                                  identity_method="upload", identity_file=jpeg_bytes((320, 200)), email=None))
    ref = requester.submit().reference
    accounts = _create_accounts(live_app)
    cw_account, tl_account = accounts["caseworker"], accounts["team_leader"]

    # The caseworker: login (empty first: errors), the set-up page (empty first: errors).
    cw = StaffNavigator(new_context().new_page(), live_server.base_url, t=t)
    cw.goto(LOGIN)
    audit(cw, "login")
    cw.press(BL.LOG_IN)
    assert cw.has_error_summary()
    audit(cw, "login with errors")
    cw.log_in_password(cw_account.username, PASSWORD)
    audit(cw, "second factor set-up")
    cw.press(BL.TOTP_SETUP_SEND)
    assert cw.has_error_summary()
    audit(cw, "second factor set-up with errors")
    cw.set_up_totp()
    audit(cw, "recovery codes")
    cw.leave_recovery_codes()
    audit(cw, "queue (caseworker)")

    cw.open_request_from_queue(ref)
    audit(cw, "request page (received)")
    cw.claim()
    audit(cw, "request page (claimed, check and proposal forms)")
    cw.goto(casework_path(ref))
    audit(cw, "casework page (caseworker)")
    # A refusal without a ground and reasons: the errors at the top of the panels.
    cw.unfold(BL.PROPOSE_OPEN, within=cw.right_panel("inzage"))
    cw.choose_in(BL.OUTCOME["refuse"], BL.OUTCOME_GROUP, within=cw.right_panel("inzage"))
    cw.press(BL.PROPOSE_SEND, within=cw.right_panel("inzage"))
    assert cw.page.get_by_role("alert").filter(has_text=t(L.ERROR_SUMMARY)).count() == 1
    audit(cw, "casework page with errors")
    cw.record_identity_check(cw.party_panel("requester"))
    cw.propose_decision(cw.right_panel("inzage"), outcome="refuse", grounds=[GROUND.label("nl")], reasons=REASONS)
    assert cw.notice(BL.PROPOSED).is_visible()
    audit(cw, "casework page (checked, proposed)")

    # The team leader: the code page (empty first: errors), the filtered queue, the
    # request page with the sign form, and both pages after signing.
    tl = StaffNavigator(new_context().new_page(), live_server.base_url, t=t)
    tl.log_in_password(tl_account.username, PASSWORD)
    audit(tl, "second factor code")
    tl.press(BL.TOTP_SEND)
    assert tl.has_error_summary()
    audit(tl, "second factor code with errors")
    tl.enter_totp(_unused_code(tl_account.secret))
    audit(tl, "team leader inbox")
    tl.open_queue()
    tl.filter_queue(BL.FILTER_WAITING_FOR_TEAM_LEADER)
    audit(tl, "queue (waiting for a team leader)")
    tl.open_request_from_queue(ref)
    audit(tl, "request page (team leader, sign form)")
    tl.goto(casework_path(ref))
    audit(tl, "casework page (team leader, sign form)")
    tl.sign_decision(tl.right_panel("inzage"))
    assert tl.notice(BL.SIGNED).is_visible()
    audit(tl, "casework page (signed)")
    tl.goto(request_path(ref))
    audit(tl, "request page (decided)")

    # Retention (art. 9): the list of dossiers past retention, and a dossier page with its end.
    from portal.services import dossiers as dossier_svc
    from tests.backoffice.dossier_helpers import make_zip
    from tests.backoffice.test_art9_retention_expiry import _old_example

    with live_app.app_context():
        dossier_svc.import_zip_bytes(dossier_svc.CLI, make_zip(_old_example()))
        db.session.remove()
    tl.goto("/backoffice/dossiers/bewaartermijn-voorbij")
    audit(tl, "dossiers past retention (team leader)")
    tl.goto("/backoffice/dossiers/VT-2005-000012")
    audit(tl, "dossier page with its retention")
    _audit.assert_clean()
