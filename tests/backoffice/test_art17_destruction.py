"""Destruction (vernietiging, art. 17 Privacyreglement Veilig Thuis) and the retention of
the dossier (art. 9), through the services and the back-office pages.

Art. 17.2: the answer in four weeks; art. 17.4: the data destroyed within three months
of receipt, unless keeping them is of substantial interest to someone else (the refusal
names that person and why; a team leader signs it). Art. 17.3: a refuted report's
destruction must be granted, and the letter with the outcome of such an investigation
mentions the right to ask for it. Art. 9.3: destroyed or anonymised. After destruction
nothing of the destroyed entries is left in the portal's database (searched through
SQL, and on SQLite in the file's raw bytes), and the access log still verifies.

The household is the example dossier (tests/fixtures/dossiers/example): Mark Jansen
(p2, the father) asks for destruction. Entry e3 is about him alone; e1, e2, e5 and e6
are also about others (his daughter Lotte, the mother Sanne).
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import String, Text

from portal.infra.encrypted import ENCRYPTED_TYPES
from portal.infra.extensions import db
from portal.models import (AuditEvent, Copy, Decision, DossierAttachment,
                           DossierEntry, DossierLink, DossierPerson, Letter, Message, NotificationTask,
                           RegistrationInstruction, RequestEvent, RightAssessment)
from portal.rules import deadlines
from portal.rules.rights import Right
from portal.services import audit, copies, decisions, destruction, instructions
from portal.services.decisions import DecisionError
from portal.services.destruction import DestructionError

from . import casework_helpers as ch
from . import queue_helpers as qh
from .copy_helpers import MARK, import_doc
from .dossier_helpers import PDF, example, snapshot

MARK_DESTROY = dict(MARK, rights=["vernietiging"], details={"vernietiging": {"refuted": "no", "grounds": "Het klopt niet."}})
MARK_COPY_AND_DESTROY = dict(MARK_DESTROY, rights=["afschrift", "vernietiging"],
                             details={"afschrift": {"delivery": "download"}, **MARK_DESTROY["details"]})
MARK_IN_PERSON = dict(MARK_DESTROY, identity={"method": "in_person"})  # for queue_helpers.file (no uploads)
SANNE_COPY = dict(MARK, requester={"given_names": "Sanne", "surname": "de Vries", "birth_date": "1988-04-12", "bsn": None},
                  rights=["afschrift"], details={"afschrift": {"delivery": "download"}})
REASONS = "Bewaren is nodig zodat de dochter later kan nalezen wat er is gebeurd."
E3_TEXT = "Mark Jansen ontkent dat hij Lotte heeft geslagen. Hij zegt dat de blauwe plekken van hockey komen."
E5_ATTACHMENT = b"%PDF-1.4\n% tekening van Lotte bij het gesprek\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


# --- helpers (also used by test_art18_erasure.py) ------------------------------------------------

@pytest.fixture
def people(app, make_staff):
    class People:
        caseworker_id = make_staff("caseworker")
        leader_id = make_staff("team_leader")
        caseworker = ch.actor(app, caseworker_id)
        leader = ch.actor(app, leader_id)
    return People


def _doc(outcome: str = "confirmed") -> tuple[dict, dict[str, bytes]]:
    """The example household, with an attachment on e3 (Mark alone) and on e5 (Lotte and
    Mark), and e5 shared with the Raad voor de Kinderbescherming (AVG 19)."""
    doc = example()
    doc["outcome"] = outcome
    files = {}
    for index, name, data in ((2, "attachments/verklaring-vader.pdf", PDF), (4, "attachments/tekening.pdf", E5_ATTACHMENT)):
        doc["entries"][index]["attachments"] = [
            {"file": name, "media_type": "application/pdf", "sha256": hashlib.sha256(data).hexdigest()}]
        files[name] = data
    doc["entries"][4]["shared_with"] = [{"recipient": "Raad voor de Kinderbescherming", "date": "2025-03-20",
                                         "basis": "art. 4.1.1 lid 2 Wmo 2015"}]
    return doc, files


def _import(app, outcome: str = "confirmed") -> str:
    doc, files = _doc(outcome)
    return import_doc(app, doc, files)


def _call(app, fn, *args, **kw):
    with app.app_context():
        try:
            out = fn(*args, **kw)
            return out.id if hasattr(out, "id") else out
        finally:
            db.session.remove()


def _code(app, fn, *args, exc=DestructionError, **kw) -> str:
    with pytest.raises(exc) as raised:
        _call(app, fn, *args, **kw)
    return raised.value.code


def _verified(app, people, base=MARK_DESTROY, **kw) -> str:
    ref = ch.file(app, base, **kw)
    ch.verify_everyone(app, ref, people.caseworker)
    return ref


def _linked(app, people, dossier_id: str, base=MARK_DESTROY, person: str = "p2", **kw) -> str:
    ref = _verified(app, people, base, **kw)
    _call(app, copies.link_dossier, people.caseworker, ref, dossier_id, person)
    return ref


def _decide(app, people, ref: str, right: str, outcome: str = "grant", grounds=(), reasons=None) -> int:
    dec = _call(app, decisions.propose, people.caseworker, ref, right, outcome, list(grounds), reasons)
    _call(app, decisions.sign, people.leader, ref, dec)
    return dec


def text_columns():
    for table in db.metadata.sorted_tables:
        for col in table.columns:
            if isinstance(col.type, (String, Text, *ENCRYPTED_TYPES)):
                yield table, col


def sql_hits(app, needle: str) -> set[tuple[str, str]]:
    """Every (table, column) of a text type that holds `needle` (SQLite and PostgreSQL)."""
    hits = set()
    with app.app_context():
        for table, col in text_columns():
            if isinstance(col.type, ENCRYPTED_TYPES):  # encrypted at rest (O12): searched as the portal reads it
                values = db.session.execute(db.select(col).where(col.is_not(None))).scalars()
                n = any(needle in str(v) for v in values)
            else:
                n = db.session.execute(db.select(db.func.count()).select_from(table)
                                       .where(col.contains(needle))).scalar_one()
            if n:
                hits.add((table.name, col.name))
        db.session.remove()
    return hits


def raw_database_bytes(app) -> bytes | None:
    """SQLite: the database file and any journal next to it, as bytes (deleted text can
    survive in free pages). None on PostgreSQL."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite:///"):
        return None
    with app.app_context():
        db.session.remove()
    path = Path(uri.removeprefix("sqlite:///"))
    out = b""
    for p in (path, Path(f"{path}-journal"), Path(f"{path}-wal")):
        if p.exists():
            out += p.read_bytes()
    return out


def assert_gone_everywhere(app, needles, *, allowed: dict[str, set] | None = None) -> None:
    """No needle in any text column (except where `allowed` says), and on SQLite not in
    the file's bytes either (for needles not allowed anywhere)."""
    allowed = allowed or {}
    found = {}
    for needle in needles:
        hits = sql_hits(app, needle) - allowed.get(needle, set())
        if hits:
            found[needle] = sorted(hits)
    assert not found, f"still in the database: {found}"
    raw = raw_database_bytes(app)
    if raw is not None:
        in_file = [n for n in needles if n not in allowed and n.encode("utf-8") in raw]
        assert not in_file, f"still in the SQLite file's bytes: {in_file}"


def log_verifies(app) -> None:
    with app.app_context():
        assert audit.verify_chain() == (True, None)
        db.session.remove()
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["audit", "verify"])
        db.session.remove()
    assert result.exit_code == 0 and "access log intact" in result.output


def request_page(reference: str) -> str:
    return f"/backoffice/verzoeken/{reference}"


# --- art. 17.3: a refuted report ------------------------------------------------------------------

def test_art17_3_a_refuted_reports_destruction_cannot_be_refused(app, people, logged_in):
    dossier_id = _import(app, "refuted")
    ref = _linked(app, people, dossier_id)
    for outcome, grounds in (("refuse", ["substantial_interest_other"]), ("grant_in_part", ["substantial_interest_other"]),
                             ("refuse", ["manifestly_unfounded_or_excessive"])):
        assert _code(app, decisions.propose, people.caseworker, ref, "vernietiging", outcome, grounds, REASONS,
                     exc=DecisionError) == destruction.ART17_3_MUST_GRANT
    # Nor can the substantial interest be recorded for it.
    assert _code(app, destruction.record_interest, people.caseworker, ref, "Lotte (dochter)", REASONS) == \
        destruction.ART17_3_MUST_GRANT
    # Through the casework form: nothing stored, the caseworker told why.
    client = logged_in("caseworker")
    page = request_page(ref)
    resp = ch.post_form(client, page, f"{page}/besluiten", {"right": "vernietiging", "outcome": "refuse",
                                                             "grounds": ["substantial_interest_other"], "reasons": REASONS})
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "artikel 17 lid 3" in html
    assert 'id="art17-3"' in html  # the panel says so too
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Decision)).scalar_one() == 0
        db.session.remove()
    # A grant goes through, and its letter says why it had to be granted.
    dec = _decide(app, people, ref, "vernietiging")
    with app.app_context():
        letter = db.session.execute(db.select(Letter).filter_by(decision_id=dec)).scalar_one()
        text = " ".join(ch.pdf_text(app.extensions["vault"].decrypt(letter.ciphertext)).split())
        db.session.remove()
    assert "artikel 17 lid 3" in text and "drie maanden" in text


def test_art17_3_a_refusal_proposed_before_the_report_was_refuted_cannot_be_signed(app, people):
    """The check runs again when the team leader signs: a newer export says refuted."""
    dossier_id = _import(app, "confirmed")
    ref = _linked(app, people, dossier_id)
    _call(app, destruction.record_interest, people.caseworker, ref, "Lotte Jansen (dochter)", REASONS)
    dec = _call(app, decisions.propose, people.caseworker, ref, "vernietiging", "refuse",
                ["substantial_interest_other"], REASONS)
    doc, files = _doc("refuted")
    doc["entries"][5]["text"] += " Na nieuw onderzoek: de melding is weerlegd."
    import_doc(app, doc, files)
    assert _code(app, decisions.sign, people.leader, ref, dec, exc=DecisionError) == destruction.ART17_3_MUST_GRANT
    with app.app_context():
        assert db.session.get(Decision, dec).state == Decision.PROPOSED
        db.session.remove()


def test_art17_3_outcome_letter_mentions_the_right_to_ask_for_destruction(app, tmp_path):
    dossier_id = _import(app, "refuted")
    out = tmp_path / "brief.pdf"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dossier", "outcome-letter", dossier_id, "--person", "p2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = " ".join(ch.pdf_text(out.read_bytes()).split())
    assert "Mark Jansen" in text  # addressed to him
    assert "melding niet klopte" in text
    assert "vernietigen" in text and "artikel 17 lid 3" in text and "drie maanden" in text
    assert "31 december 2040" in text  # art. 9: kept through the end of 2025 + 15 if he asks nothing
    for other in ("Sanne", "Lindelaan", "Ineke", "Bosman", "hockey"):  # nobody else, no dossier text
        assert other not in text
    # In English too.
    en = tmp_path / "letter.pdf"
    result = runner.invoke(args=["dossier", "outcome-letter", dossier_id, "--person", "p2", "--out", str(en),
                                 "--language", "en"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(db.select(AuditEvent.action, AuditEvent.reason)
                                  .where(AuditEvent.action == "dossier.outcome_letter")).all()
        db.session.remove()
    assert len(rows) == 2 and all("p2" in r.reason for r in rows)


def test_art17_3_issue15_the_outcome_letter_to_a_young_person_says_je(app, tmp_path):
    """Issue 15, item 2: a letter addressed to a young person (the daughter, under 18 on
    the day it is made) says "je" in every sentence; to her father it says "u"."""
    import re
    import subprocess

    from portal.models import Dossier
    from portal.services.timeline import today_local

    dossier_id = _import(app, "refuted")
    with app.app_context():
        dossier = db.session.execute(db.select(Dossier).filter_by(dossier_id=dossier_id)).scalar_one()
        lotte = next(p for p in dossier.persons if p.person_id == "p3")
        today = today_local()
        lotte.birth_date = date(today.year - 15, 1, 1)  # 15 whatever day the test runs
        db.session.commit()
        db.session.remove()
    runner = app.test_cli_runner()
    texts = {}
    for person in ("p3", "p2"):
        out = tmp_path / f"{person}.pdf"
        result = runner.invoke(args=["dossier", "outcome-letter", dossier_id, "--person", person, "--out", str(out)])
        assert result.exit_code == 0, result.output
        texts[person] = " ".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                                                check=True).stdout.split())
    young, adult = texts["p3"], texts["p2"]
    assert not re.search(r"\b(u|uw)\b", young, re.I), re.findall(r"[^.]*\b(?:u|uw)\b[^.]*", young, re.I)
    assert "Je mag ons vragen je gegevens te vernietigen" in young and "Hoe vraag je dit?" in young
    assert "U mag ons vragen uw gegevens te vernietigen" in adult and "Hoe vraagt u dit?" in adult


def test_art17_3_no_outcome_letter_for_a_report_that_was_not_refuted(app, tmp_path):
    dossier_id = _import(app, "confirmed")
    out = tmp_path / "brief.pdf"
    result = app.test_cli_runner().invoke(args=["dossier", "outcome-letter", dossier_id, "--person", "p2",
                                                "--out", str(out)])
    assert result.exit_code != 0 and "not 'refuted'" in result.output and not out.exists()
    result = app.test_cli_runner().invoke(args=["dossier", "outcome-letter", dossier_id, "--person", "p5",
                                                "--out", str(out)])
    assert result.exit_code != 0 and "not a subject" in result.output


# --- art. 17.4: someone else's substantial interest ----------------------------------------------------

def test_art17_4_a_refusal_without_the_substantial_interest_person_is_rejected(app, people):
    dossier_id = _import(app, "confirmed")
    unlinked = _verified(app, people)
    assert _code(app, decisions.propose, people.caseworker, unlinked, "vernietiging", "refuse",
                 ["substantial_interest_other"], REASONS, exc=DecisionError) == destruction.DOSSIER_NOT_LINKED
    ref = _linked(app, people, dossier_id)
    assert _code(app, decisions.propose, people.caseworker, ref, "vernietiging", "refuse",
                 ["substantial_interest_other"], REASONS, exc=DecisionError) == destruction.ART17_4_INTEREST_REQUIRED
    # Half an answer is not stored.
    assert _code(app, destruction.record_interest, people.caseworker, ref, "", REASONS) == "interest_person_required"
    assert _code(app, destruction.record_interest, people.caseworker, ref, "De dochter", "te kort") == "reasons_required"
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(RightAssessment)).scalar_one() == 0
        db.session.remove()
    _call(app, destruction.record_interest, people.caseworker, ref, "Lotte Jansen, de dochter", REASONS)
    dec = _call(app, decisions.propose, people.caseworker, ref, "vernietiging", "refuse",
                ["substantial_interest_other"], REASONS)
    # A team leader signs it (art. 20.4), never a caseworker.
    from portal.services.authz import NotAllowed

    with pytest.raises(NotAllowed):
        _call(app, decisions.sign, people.caseworker, ref, dec)
    _call(app, decisions.sign, people.leader, ref, dec)
    with app.app_context():
        d = db.session.get(Decision, dec)
        assert d.state == Decision.SIGNED and d.reviewed_by == people.leader_id
        a = db.session.execute(db.select(RightAssessment).filter_by(right="vernietiging")).scalar_one()
        assert (a.interest_person, a.interest_reasons) == ("Lotte Jansen, de dochter", REASONS)
        letter = db.session.execute(db.select(Letter).filter_by(decision_id=dec)).scalar_one()
        text = " ".join(ch.pdf_text(app.extensions["vault"].decrypt(letter.ciphertext)).split())
        actions = [r[0] for r in db.session.execute(db.select(AuditEvent.action).where(AuditEvent.subject_ref == ref))]
        db.session.remove()
    assert "aanmerkelijk belang" in text and "artikel 17 lid 4" in text
    assert "Lotte" not in text  # the other person is in the record, not in the letter to the requester
    assert "destruction.assess" in actions and "decision.sign" in actions
    # Nothing to carry out after a refusal.
    assert _code(app, destruction.execute, people.caseworker, ref, "vernietiging", method="destroy",
                 confirmed=True) == "not_granted"


def test_art17_4_the_destruction_deadline_is_three_months_after_receipt(app, people, logged_in):
    dossier_id = _import(app)
    cases = [
        (date(2026, 1, 31), date(2026, 4, 30)),  # three calendar months: Thu 30 April
        (date(2025, 9, 27), date(2025, 12, 29)),  # Sat 27 Dec 2025 -> Mon 29 Dec (Atw art. 1)
        (date(2026, 2, 3), date(2026, 5, 4)),  # Sun 3 May 2026 -> Mon 4 May
    ]
    for received, due in cases:
        assert deadlines.destruction_due(received) == due
        assert deadlines.destruction_deadline(received).basis.startswith("art. 17.4")
        ref = qh.file(app, MARK_IN_PERSON, received=received)
        ch.verify_everyone(app, ref, people.caseworker)
        _call(app, copies.link_dossier, people.caseworker, ref, dossier_id, "p2")
        _call(app, destruction.record_interest, people.caseworker, ref, "", "")
        with app.app_context():
            req = ch.request_of(ref)
            a = db.session.execute(db.select(RightAssessment).filter_by(request_id=req.id)).scalar_one()
            assert a.execute_by == due
            # The answer itself is due in four weeks (art. 17.2): its own, earlier deadline.
            assert req.rights[0].due_on == deadlines.due_date(Right.DESTRUCTION, received) < due
            db.session.remove()
    html = logged_in("caseworker").get(request_page(ref)).get_data(as_text=True)
    assert 'id="execute-by"' in html and "4 mei 2026" in html and "artikel 17 lid 4" in html


def test_art17_4_a_destruction_past_its_deadline_is_impossible_to_miss(app, people, logged_in):
    dossier_id = _import(app)
    received = date.today() - timedelta(days=120)
    ref = qh.file(app, MARK_IN_PERSON, received=received)
    ch.verify_everyone(app, ref, people.caseworker)
    _call(app, copies.link_dossier, people.caseworker, ref, dossier_id, "p2")
    html = logged_in("caseworker").get(request_page(ref)).get_data(as_text=True)
    assert 'id="execute-alert"' in html and "Te laat" in html
    _decide(app, people, ref, "vernietiging")
    _call(app, destruction.execute, people.caseworker, ref, "vernietiging", method="destroy", confirmed=True)
    # Done in the portal, not yet confirmed by the registration system: still late.
    html = logged_in("caseworker").get(request_page(ref)).get_data(as_text=True)
    assert 'id="execute-alert"' in html


# --- art. 9: the retention on the request page ----------------------------------------------------------

def test_art9_the_request_page_shows_the_retention_and_a_team_leader_extends_it(app, people, logged_in):
    dossier_id = _import(app)
    ref = _linked(app, people, dossier_id)
    cw = logged_in("caseworker")
    html = cw.get(request_page(ref)).get_data(as_text=True)
    assert "Afgesloten in 2025" in html and "tot en met 2040" in html
    assert "Het jongste kind (p4) wordt 18 in 2034" in html
    assert "31 december 2040" in html
    with app.app_context():
        link_id = db.session.execute(db.select(DossierLink.id)).scalar_one()
        db.session.remove()
    action = f"{request_page(ref)}/bewaartermijn/{link_id}"
    # Not for a caseworker (art. 9.2: a team leader).
    assert ch.post_form(cw, request_page(ref), action, {"until_year": "2045", "reasons": REASONS}).status_code == 403
    tl = logged_in("team_leader")
    resp = ch.post_form(tl, request_page(ref), action, {"until_year": "2045", "reasons": "te kort"})
    assert "minstens 20 tekens" in tl.get(resp.headers["Location"]).get_data(as_text=True)
    resp = ch.post_form(tl, request_page(ref), action, {"until_year": "2039", "reasons": REASONS})
    assert "Kies een jaar na" in tl.get(resp.headers["Location"]).get_data(as_text=True)
    resp = ch.post_form(tl, request_page(ref), action, {"until_year": "2045", "reasons": REASONS})
    assert resp.status_code == 302
    html = tl.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Verlengd door een teamleider tot en met 2045" in html and "31 december 2045" in html
    assert REASONS in html
    with app.app_context():
        rows = db.session.execute(db.select(AuditEvent.action, AuditEvent.reason)
                                  .where(AuditEvent.action == "retention.extend")).all()
        db.session.remove()
    assert len(rows) == 1 and "until 2045" in rows[0].reason


# --- carrying it out -------------------------------------------------------------------------------------

def _needles() -> list[str]:
    """What must be gone after Mark's data are destroyed: the text and title of e3 (about
    him alone), his names as the dossier writes them, his BSN, phone, street; the
    attachment of e3."""
    return [E3_TEXT, "blauwe plekken van hockey", "hockey", "Gesprek met vader", "Mark Jansen", "vader Mark",
            "123456782", "87654321", "Kastanjestraat", "verklaring-vader.pdf", "tekening.pdf"]


def test_art17_after_destruction_the_portal_holds_nothing_of_the_destroyed_entries(app, people, logged_in, mailbox):
    dossier_id = _import(app)
    # Mark asked for a copy earlier (rendered, stored) and now for destruction; the
    # mother has a copy of her own part, which holds e2 and e6 (also about Mark).
    ref = _linked(app, people, dossier_id, MARK_COPY_AND_DESTROY, email="mark@example.org")
    sanne = _linked(app, people, dossier_id, SANNE_COPY, person="p1")
    with app.app_context():
        link_of = {r.request_id: r.id for r in db.session.execute(db.select(DossierLink)).scalars()}
        mark_req, sanne_req = ch.request_of(ref), ch.request_of(sanne)
        mark_link, sanne_link = link_of[mark_req.id], link_of[sanne_req.id]
        db.session.remove()
    mark_copy = _call(app, copies.create_copy, people.caseworker, ref, mark_link)
    sanne_copy = _call(app, copies.create_copy, people.caseworker, sanne, sanne_link)
    for r, c in ((ref, mark_copy), (sanne, sanne_copy)):
        _call(app, copies.request_render, people.caseworker, r, c)
    with app.app_context():
        assert all(db.session.get(Copy, c).pdf_ciphertext for c in (mark_copy, sanne_copy))
        db.session.remove()
    assert sql_hits(app, "hockey")  # it is there before

    _decide(app, people, ref, "vernietiging")
    cw = logged_in("caseworker")
    page = f"{request_page(ref)}/uitvoeren/vernietiging"
    html = cw.get(page).get_data(as_text=True)
    assert "Gesprek met vader" in html and "e3" in html  # the plan, a logged read
    # Bad input: nothing happens.
    for data, message in (({"method": "destroy"}, "niet ongedaan"), ({"method": "burn", "confirm": "y"}, "")):
        resp = ch.post_form(cw, page, page, data)
        assert resp.status_code == 302
        assert sql_hits(app, "hockey")
    resp = ch.post_form(cw, page, page, {"method": "destroy", "confirm": "y"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("#vernietiging")

    with app.app_context():
        entries = {e.entry_id: e for e in db.session.execute(db.select(DossierEntry)).scalars()}
        assert "e3" not in entries
        for eid in ("e1", "e2", "e5", "e6"):
            assert "Mark" not in entries[eid].text and "p2" not in [p.person_id for p in entries[eid].concerns]
        assert "[verwijderd]" in entries["e1"].text and "Lotte Jansen" in entries["e1"].text  # hers stays
        assert entries["e5"].source_person.person_id == "p3"
        assert not entries["e5"].attachments  # the pixels cannot be anonymised here
        assert db.session.execute(db.select(db.func.count()).select_from(DossierAttachment)).scalar_one() == 0
        p2 = db.session.execute(db.select(DossierPerson).filter_by(person_id="p2")).scalar_one()
        assert (p2.given_names, p2.family_name, p2.bsn, p2.birth_date, p2.phones) == \
            ("[verwijderd]", "[verwijderd]", None, None, [])
        for c in (mark_copy, sanne_copy):
            copy = db.session.get(Copy, c)
            assert copy.status == Copy.WITHDRAWN and copy.pdf_ciphertext is None and copy.pdf_sha256 is None
        ins = db.session.execute(db.select(RegistrationInstruction)).scalar_one()
        assert ins.kind == "destroy" and ins.confirmed_on is None
        payload = ins.payload
        assert payload["whole"] == ["e3"] and sorted(payload["remove_person_from"]) == ["e1", "e2", "e5", "e6"]
        assert payload["person_id"] == "p2" and payload["execute_by"] and payload["article"] == "art. 17"
        tasks = db.session.execute(db.select(NotificationTask)).scalars().all()
        assert [(t.entry_ref, t.recipient) for t in tasks] == [("e5", "Raad voor de Kinderbescherming")]
        a = db.session.execute(db.select(RightAssessment).filter_by(right="vernietiging")).scalar_one()
        assert a.method == "destroy" and a.executed_on is None
        events = [e.kind for e in db.session.execute(db.select(RequestEvent).filter_by(request_id=mark_req.id)).scalars()]
        assert "destruction_executed" in events
        log = db.session.execute(db.select(AuditEvent.action, AuditEvent.reason)
                                 .where(AuditEvent.action == "destruction.execute")).all()
        db.session.remove()
    assert len(log) == 1 and "1 whole, 4 shared" in log[0].reason

    # Nothing of the destroyed entries, anywhere (the requester's own request keeps the
    # name he typed: "Mark" in party.given_names; the request is the portal's own record).
    assert_gone_everywhere(app, _needles())
    assert sql_hits(app, "Mark") <= {("party", "given_names"), ("party", "email")}
    log_verifies(app)

    # The registration system did it: who and when; then the requester is told.
    iid = _call(app, lambda: db.session.execute(db.select(RegistrationInstruction.id)).scalar_one())
    action = f"{request_page(ref)}/uitvoeren/vernietiging/opdrachten/{iid}/bevestigen"
    resp = ch.post_form(cw, request_page(ref), action, {"name": "", "on": "01-01-2020"})
    assert "Schrijf de naam op" in cw.get(resp.headers["Location"]).get_data(as_text=True)
    tomorrow = (date.today() + timedelta(days=1)).strftime("%d-%m-%Y")
    resp = ch.post_form(cw, request_page(ref), action, {"name": "J. de Wit (archief)", "on": tomorrow})
    assert "toekomst" in cw.get(resp.headers["Location"]).get_data(as_text=True)
    resp = ch.post_form(cw, request_page(ref), action, {"name": "J. de Wit (archief)",
                                                        "on": date.today().strftime("%d-%m-%Y")})
    assert resp.status_code == 302
    with app.app_context():
        ins = db.session.get(RegistrationInstruction, iid)
        assert (ins.confirmed_name, ins.confirmed_on, ins.confirmed_by) == ("J. de Wit (archief)", date.today(),
                                                                              cw.staff_id)
        a = db.session.execute(db.select(RightAssessment).filter_by(right="vernietiging")).scalar_one()
        assert a.executed_on == date.today() and a.executed_by == cw.staff_id
        msg = db.session.execute(db.select(Message).filter_by(request_id=mark_req.id)).scalars().all()[-1]
        assert "vernietigd" in msg.body
        db.session.remove()
    mailbox.wait_for(2)  # the decision, then the destruction done
    notices = mailbox.to("mark@example.org")
    assert notices, "a neutral notice that there is news"
    for notice in notices:
        body = mailbox.body(notice)
        assert "vernietig" not in body.lower() and "Mark" not in body
    # The requester sees the letter and the message on the status page.
    status = app.test_client()
    with app.app_context():
        requester = ch.request_of(ref).requester.id
        db.session.remove()
    ch.status_login(status, ref, requester)
    html = status.get("/volgen/verzoek").get_data(as_text=True)
    assert "Vernietiging" in html and "vernietigd" in html
    log_verifies(app)

    # The mother's part still works: a new copy for her, without the father.
    new_copy = _call(app, copies.create_copy, people.caseworker, sanne, sanne_link)
    with app.app_context():
        text = copies.render(db.session.get(Copy, new_copy))
        db.session.remove()
    flat = " ".join(ch.pdf_text(text).split())
    assert "Mark" not in flat and "hockey" not in flat and "Conclusie onderzoek" in flat


def test_art9_3_anonymise_keeps_an_empty_shell_of_the_entry(app, people):
    dossier_id = _import(app)
    ref = _linked(app, people, dossier_id)
    _decide(app, people, ref, "vernietiging")
    _call(app, destruction.execute, people.caseworker, ref, "vernietiging", method="anonymise", confirmed=True)
    with app.app_context():
        e3 = db.session.execute(db.select(DossierEntry).filter_by(entry_id="e3")).scalar_one()
        assert (e3.text, e3.title, e3.author, e3.source_person, e3.concerns, e3.attachments) == \
            ("[geanonimiseerd]", None, None, None, [], [])
        assert e3.kind == "conversation" and e3.date == date(2025, 2, 20)
        ins = db.session.execute(db.select(RegistrationInstruction)).scalar_one()
        assert ins.kind == "anonymise" and ins.payload["method"] == "anonymise"
        db.session.remove()
    assert_gone_everywhere(app, _needles())
    log_verifies(app)


def test_art17_a_grant_in_part_destroys_only_the_selected_entries(app, people, logged_in):
    dossier_id = _import(app)
    ref = _linked(app, people, dossier_id)
    _call(app, destruction.record_interest, people.caseworker, ref, "Lotte Jansen, de dochter", REASONS)
    _decide(app, people, ref, "vernietiging", "grant_in_part", ["substantial_interest_other"], REASONS)
    with app.app_context():
        e3 = db.session.execute(db.select(DossierEntry.id).filter_by(entry_id="e3")).scalar_one()
        e4 = db.session.execute(db.select(DossierEntry.id).filter_by(entry_id="e4")).scalar_one()
        db.session.remove()
    cw = logged_in("caseworker")
    page = f"{request_page(ref)}/uitvoeren/vernietiging"
    html = cw.get(page).get_data(as_text=True)
    assert f'name="entries" value="{e3}"' in html and f'value="{e4}"' not in html  # only his part to choose from
    resp = ch.post_form(cw, page, page, {"method": "destroy", "confirm": "y"})
    assert "Kies de stukken" in cw.get(resp.headers["Location"]).get_data(as_text=True)
    assert _code(app, destruction.execute, people.caseworker, ref, "vernietiging", method="destroy",
                 entry_pks=[], confirmed=True) == "entries_required"
    assert _code(app, destruction.execute, people.caseworker, ref, "vernietiging", method="destroy",
                 entry_pks=[e4], confirmed=True) == "entry_not_concerned"  # e4 is Lotte's alone
    _call(app, destruction.execute, people.caseworker, ref, "vernietiging", method="destroy", entry_pks=[e3],
          confirmed=True)
    with app.app_context():
        ids = set(db.session.execute(db.select(DossierEntry.entry_id)).scalars())
        assert ids == {"e1", "e2", "e4", "e5", "e6"}
        e1 = db.session.execute(db.select(DossierEntry).filter_by(entry_id="e1")).scalar_one()
        assert "Mark Jansen" in e1.text  # not part of what was granted
        p2 = db.session.execute(db.select(DossierPerson).filter_by(person_id="p2")).scalar_one()
        assert p2.given_names == "Mark"
        assert db.session.execute(db.select(RegistrationInstruction)).scalar_one().payload["scope"] == "selected"
        db.session.remove()
    assert_gone_everywhere(app, [E3_TEXT, "hockey", "Gesprek met vader"])
    assert _code(app, destruction.execute, people.caseworker, ref, "vernietiging", method="destroy",
                 entry_pks=[e3], confirmed=True) == "already_executed"


def test_art17_a_failed_execution_changes_nothing(app, people, monkeypatch):
    dossier_id = _import(app)
    ref = _linked(app, people, dossier_id)
    _decide(app, people, ref, "vernietiging")
    before = snapshot(app)

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(instructions, "notification_tasks", broken)
    with pytest.raises(RuntimeError):
        _call(app, destruction.execute, people.caseworker, ref, "vernietiging", method="destroy", confirmed=True)
    assert snapshot(app) == before
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(RegistrationInstruction)).scalar_one() == 0
        a = db.session.execute(db.select(RightAssessment)).scalar_one_or_none()
        assert a is None or a.method is None
        db.session.remove()
    monkeypatch.undo()
    # And it can be done afterwards.
    _call(app, destruction.execute, people.caseworker, ref, "vernietiging", method="destroy", confirmed=True)
    assert_gone_everywhere(app, [E3_TEXT, "hockey"])


def test_art17_execution_needs_a_signed_grant_a_link_and_the_permission(app, people, make_staff):
    dossier_id = _import(app)
    ref = _verified(app, people)
    assert _code(app, destruction.execute, people.caseworker, ref, "vernietiging", method="destroy",
                 confirmed=True) == "not_granted"
    _decide(app, people, ref, "vernietiging")  # a grant can be signed before linking
    assert _code(app, destruction.execute, people.caseworker, ref, "vernietiging", method="destroy",
                 confirmed=True) == destruction.DOSSIER_NOT_LINKED
    _call(app, copies.link_dossier, people.caseworker, ref, dossier_id, "p2")
    assert _code(app, destruction.execute, people.caseworker, ref, "gegevenswissing", method="destroy",
                 confirmed=True) == "right_not_asked"
    from portal.services.authz import NotAllowed

    officer = ch.actor(app, make_staff("privacy_officer"))
    with pytest.raises(NotAllowed):
        _call(app, destruction.execute, officer, ref, "vernietiging", method="destroy", confirmed=True)
    assert sql_hits(app, "hockey")


def test_art17_the_panel_is_escaped_and_shows_nothing_before_identity_is_verified(app, people, logged_in):
    dossier_id = _import(app)
    unverified = ch.file(app, MARK_DESTROY)
    html = logged_in("caseworker").get(request_page(unverified)).get_data(as_text=True)
    assert "Koppelen aan een dossier kan pas" in html and dossier_id not in html
    ref = _linked(app, people, dossier_id)
    _call(app, destruction.record_interest, people.caseworker, ref, "<script>alert(1)</script>", REASONS + " <b>x</b>")
    html = logged_in("caseworker").get(request_page(ref)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html
    # The privacy officer sees no case content at all.
    assert logged_in("privacy_officer").get(request_page(ref)).status_code == 403
