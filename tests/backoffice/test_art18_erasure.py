"""Erasure (gegevenswissing, art. 18 Privacyreglement Veilig Thuis).

Art. 18.1: answered without undue delay, at the latest in four weeks. Art. 18.2: the
grounds a-e, as the requester gave them and as the caseworker weighs them, are
recorded. Art. 18.3: no erasure where the processing is necessary for one of the
situations of AVG 17(3): a checklist, and a refusal on that ground names at least one.
Carried out as a destruction (instruction kind "erase", the portal's copies gone, the
recipients told under AVG 19), and in the access log and the timeline.
"""
from __future__ import annotations

import json
from datetime import date

import pytest

from portal.infra.extensions import db
from portal.models import AuditEvent, Letter, NotificationTask, RegistrationInstruction, RequestEvent, RightAssessment
from portal.rules import deadlines
from portal.rules.rights import Right
from portal.services import decisions, destruction
from portal.services.decisions import DecisionError

from . import casework_helpers as ch
from . import queue_helpers as qh
from .copy_helpers import MARK
from .test_art17_destruction import (REASONS, _call, _code, _decide, _import, _linked, _needles, assert_gone_everywhere,
                                     log_verifies, people, request_page)

__all__ = ["people"]  # the fixture, shared with the destruction tests

MARK_ERASE = dict(MARK, rights=["gegevenswissing"],
                  details={"gegevenswissing": {"grounds": ["a", "d"], "explanation": "Ik wil dat het weg is."}})
NOTE = "De gegevens zijn nog nodig voor de lopende zaak bij de kinderrechter."


def _weigh(client, ref: str, data: dict):
    page = request_page(ref)
    return ch.post_form(client, page, f"{page}/gegevenswissing/afweging", data)


def _assessment(app) -> dict:
    with app.app_context():
        a = db.session.execute(db.select(RightAssessment).filter_by(right="gegevenswissing")).scalar_one_or_none()
        out = None if a is None else {"claimed": json.loads(a.claimed_json), "weighed": json.loads(a.weighed_json),
                                      "exceptions": json.loads(a.exceptions_json), "updated_by": a.updated_by}
        db.session.remove()
        return out


def test_art18_1_the_answer_is_due_in_four_weeks(app, people):
    received = date(2026, 12, 1)
    ref = qh.file(app, dict(MARK_ERASE, identity={"method": "in_person"}), received=received)
    with app.app_context():
        req = ch.request_of(ref)
        assert req.rights[0].due_on == deadlines.due_date(Right.ERASURE, received) == date(2026, 12, 29)
        db.session.remove()
    assert deadlines.ANSWER_PERIODS[Right.ERASURE][1].startswith("art. 18.1")


def test_art18_2_the_grounds_as_given_and_as_weighed_and_the_exceptions_are_recorded(app, people, logged_in):
    dossier_id = _import(app)
    ref = _linked(app, people, dossier_id, MARK_ERASE)
    cw = logged_in("caseworker")
    html = cw.get(request_page(ref)).get_data(as_text=True)
    assert 'id="erasure-grounds"' in html and 'id="erasure-exceptions"' in html
    resp = _weigh(cw, ref, {
        "finding_a": "applies", "note_a": "Het onderzoek is afgesloten.",
        "finding_d": "does_not_apply", "note_d": "Er is niets onrechtmatig verwerkt.",
        "finding_c": "does_not_apply",  # weighed although not claimed
        "exception_e": "y", "exception_note_e": NOTE,
    })
    assert resp.status_code == 302
    a = _assessment(app)
    assert a["claimed"] == ["a", "d"]  # as the requester gave them
    assert a["weighed"] == {"a": {"finding": "applies", "note": "Het onderzoek is afgesloten."},
                            "c": {"finding": "does_not_apply", "note": ""},
                            "d": {"finding": "does_not_apply", "note": "Er is niets onrechtmatig verwerkt."}}
    assert a["exceptions"] == {"e": {"applies": True, "note": NOTE}}
    assert a["updated_by"] == cw.staff_id
    html = cw.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Er is niets onrechtmatig verwerkt." in html and NOTE in html
    with app.app_context():
        rows = db.session.execute(db.select(AuditEvent.action, AuditEvent.reason)
                                  .where(AuditEvent.action == "erasure.assess")).all()
        req = ch.request_of(ref)
        events = [e.kind for e in db.session.execute(db.select(RequestEvent).filter_by(request_id=req.id)).scalars()]
        db.session.remove()
    assert len(rows) == 1 and "grounds weighed a,c,d; exceptions e" in rows[0].reason
    assert NOTE not in rows[0].reason  # the log says that, not what
    assert "erasure_assessed" in events


@pytest.mark.parametrize("data, message", [
    ({"exception_b": "y"}, "waarom die geldt"),  # ticked without a note
    ({"exception_note_b": NOTE}, "niet is aangevinkt"),  # a note without a tick
    ({"finding_a": "maybe"}, "geldt, of geldt niet"),
    ({"note_a": "Alleen een toelichting."}, "zonder oordeel"),
])
def test_art18_3_a_half_filled_checklist_is_refused_and_nothing_is_stored(app, people, logged_in, data, message):
    dossier_id = _import(app)
    ref = _linked(app, people, dossier_id, MARK_ERASE)
    cw = logged_in("caseworker")
    resp = _weigh(cw, ref, data)
    assert resp.status_code == 302
    assert message in cw.get(resp.headers["Location"]).get_data(as_text=True)
    assert _assessment(app) is None


def test_art18_3_a_refusal_on_the_avg_17_3_exceptions_names_one(app, people):
    dossier_id = _import(app)
    ref = _linked(app, people, dossier_id, MARK_ERASE)
    assert _code(app, decisions.propose, people.caseworker, ref, "gegevenswissing", "refuse", ["avg_17_3_exceptions"],
                 REASONS, exc=DecisionError) == destruction.ART18_3_EXCEPTION_REQUIRED
    _call(app, destruction.record_erasure, people.caseworker, ref,
          {"a": {"finding": "does_not_apply", "note": "Nog nodig."}, "d": {"finding": "does_not_apply", "note": ""}},
          {"e": {"applies": True, "note": NOTE}})
    dec = _decide(app, people, ref, "gegevenswissing", "refuse", ["avg_17_3_exceptions"], REASONS)
    with app.app_context():
        letter = db.session.execute(db.select(Letter).filter_by(decision_id=dec)).scalar_one()
        text = " ".join(ch.pdf_text(app.extensions["vault"].decrypt(letter.ciphertext)).split())
        db.session.remove()
    assert "artikel 17 lid 3 onder e AVG" in text and "rechtszaak" in text
    assert "door u genoemd" in text and "dit geldt niet" in text
    assert NOTE not in text  # the internal note is not in the letter; the reasons are


def test_art18_erasure_is_carried_out_as_a_destruction(app, people, logged_in):
    dossier_id = _import(app)
    ref = _linked(app, people, dossier_id, MARK_ERASE)
    _call(app, destruction.record_erasure, people.caseworker, ref, {"a": {"finding": "applies", "note": ""}}, {})
    _decide(app, people, ref, "gegevenswissing")
    cw = logged_in("caseworker")
    page = f"{request_page(ref)}/uitvoeren/gegevenswissing"
    assert "Gesprek met vader" in cw.get(page).get_data(as_text=True)
    resp = ch.post_form(cw, page, page, {"method": "anonymise", "confirm": "y"})
    assert resp.status_code == 302
    with app.app_context():
        ins = db.session.execute(db.select(RegistrationInstruction)).scalar_one()
        assert ins.kind == "erase" and ins.payload["right"] == "gegevenswissing" and ins.payload["article"] == "art. 18"
        assert ins.payload["execute_by"] is None  # art. 18: without undue delay
        tasks = db.session.execute(db.select(NotificationTask)).scalars().all()
        assert [t.recipient for t in tasks] == ["Raad voor de Kinderbescherming"]  # AVG 19
        a = db.session.execute(db.select(RightAssessment).filter_by(right="gegevenswissing")).scalar_one()
        assert a.method == "anonymise"
        actions = [r[0] for r in db.session.execute(db.select(AuditEvent.action).where(AuditEvent.subject_ref == ref))]
        db.session.remove()
    assert "erasure.execute" in actions and "instruction.erase" in actions
    assert_gone_everywhere(app, _needles())
    log_verifies(app)
    # AVG 19: a recipient ticked off, through the page.
    html = cw.get(request_page(ref)).get_data(as_text=True)
    assert "Raad voor de Kinderbescherming" in html
    task_id = tasks[0].id
    resp = ch.post_form(cw, request_page(ref), f"{request_page(ref)}/avg19/{task_id}",
                        {"done_on": date.today().strftime("%d-%m-%Y"), "note": "Per beveiligde mail."})
    assert resp.status_code == 302
    with app.app_context():
        t = db.session.get(NotificationTask, task_id)
        assert t.done_on == date.today() and t.done_by == cw.staff_id
        db.session.remove()
    # The JSON for the registration system holds ids, no text.
    resp = cw.get(f"{request_page(ref)}/uitvoeren/opdrachten/{ins.id}.json")
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("application/json")
    body = resp.get_data(as_text=True)
    assert '"kind": "erase"' in body and "hockey" not in body and "Mark" not in body
