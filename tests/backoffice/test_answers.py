"""Issue 10, "the answer follows the work": for afschrift and inzage (art. 14.1) the
released, handed-over or shown copy IS the answer. The right is answered that day, the
request closes by itself when every right is answered, and a copy released on time is
overdue nowhere: not in the queue, the digest, the management report or on the status
page (one test per place, each with a request that IS overdue beside it, so that the
place can be seen to notice lateness at all)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.infra.extensions import db
from portal.models import Inspection, Request
from portal.services import copies, queue as q, reports
from portal.services.timeline import today_local

from . import casework_helpers as ch
from .copy_helpers import MARK, get_copy, import_doc, make_copy, render_now, verified_request
from .queue_helpers import answers, file, set_staff, update

LATER = 75  # days after today: every due date of a request received today has passed


def _released(app, cw, tl=None, *, withhold=False, base=MARK, release=True, **changes):
    """A verified request for Mark Jansen, its copy reviewed (signed when something is
    withheld) and, unless told otherwise, released."""
    dossier_id = import_doc(app)
    reference = verified_request(app, cw, base, **changes)
    copy_id = make_copy(app, cw, reference, dossier_id, "p2")
    who = ch.actor(app, cw)
    if withhold:
        with app.app_context():
            first = get_copy(app, copy_id).entries[0].entry_pk
            copies.withhold_entry(who, reference, copy_id, first, "vt_task",
                                  "Het onderzoek loopt nog; dit stuk kan nu niet worden gedeeld.")
            db.session.remove()
    render_now(app, cw, reference, copy_id)
    with app.app_context():
        copies.mark_reviewed(who, reference, copy_id)
        if withhold:
            copies.sign(ch.actor(app, tl), reference, copy_id)
        if release:
            copies.release(who, reference, copy_id)
        db.session.remove()
    return reference, copy_id


def _request(app, reference) -> Request:
    return db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()


def test_art14_released_copy_answers_afschrift_on_the_day_and_closes_the_request(app, make_staff):
    cw = make_staff("caseworker")
    reference, _copy = _released(app, cw)
    with app.app_context():
        req = _request(app, reference)
        right = req.rights[0]
        assert (right.answered_on, right.answer_outcome, right.answered_by) == (today_local(), "grant", "copy_released")
        assert req.status == "closed" and req.answered_on == today_local()
        kinds = [e.kind for e in req.events]
        assert "right_answered:afschrift" in kinds and "status:closed" in kinds
        db.session.remove()


def test_art14_2_signed_restriction_makes_the_copy_a_partial_grant(app, make_staff):
    """A withheld entry signed by a team leader: the copy answers "granted in part";
    the report counts it as restricted and on time."""
    cw, tl, po = make_staff("caseworker"), make_staff("team_leader"), make_staff("privacy_officer")
    reference, _copy = _released(app, cw, tl, withhold=True)
    with app.app_context():
        assert _request(app, reference).rights[0].answer_outcome == "grant_in_part"
        today = today_local()
        report = reports.monthly_report(ch.actor(app, po), today.replace(day=1), today)
        assert (report.total.answered, report.total.on_time, report.total.restricted) == (1, 1, 1)
        db.session.remove()


def test_art14_copy_to_collect_answers_on_the_handover_not_on_release(app, make_staff):
    cw = make_staff("caseworker")
    reference, copy_id = _released(app, cw, details={"afschrift": {"delivery": "in_person"}})
    with app.app_context():
        req = _request(app, reference)
        assert req.rights[0].answered_on is None and req.status != "closed"
        party_id = req.requester.id
        db.session.remove()
    with app.app_context():
        copies.record_handover(ch.actor(app, cw), reference, copy_id, party_id)
        req = _request(app, reference)
        assert (req.rights[0].answered_by, req.status) == ("copy_handed_over", "closed")
        db.session.remove()


def test_art14_1_inspection_answers_inzage_with_date_and_who_attended(app, make_staff):
    """Inzage gets its own ending: the same reviewed copy shown at the office, recorded
    with the date and who attended; with afschrift released too, the request closes."""
    cw = make_staff("caseworker")
    base = answers(MARK, rights=["inzage", "afschrift"])
    reference, copy_id = _released(app, cw, base=base, release=False)
    who = ch.actor(app, cw)
    with app.app_context():
        party_id = _request(app, reference).requester.id
        db.session.remove()
    with app.app_context():
        for kw, code in (({"held_on": today_local() + timedelta(days=1), "mode": "office", "attended": [party_id]}, "inspection_date"),
                         ({"held_on": today_local(), "mode": "phone", "attended": [party_id]}, "inspection_mode"),
                         ({"held_on": today_local(), "mode": "office", "attended": []}, "inspection_attended"),
                         ({"held_on": today_local(), "mode": "office", "attended": [party_id + 999]}, "inspection_attended")):
            with pytest.raises(copies.CopyError) as exc:
                copies.record_inspection(who, reference, copy_id, **kw)
            assert exc.value.code == code
            db.session.rollback()
        assert db.session.execute(db.select(db.func.count()).select_from(Inspection)).scalar_one() == 0
        copies.record_inspection(who, reference, copy_id, held_on=today_local(), mode="office", attended=[party_id])
        req = _request(app, reference)
        by_right = {r.right: r for r in req.rights}
        assert by_right["inzage"].answered_by == "inspection" and by_right["afschrift"].answered_on is None
        assert req.status == "in_progress" or req.status == "received"
        row = db.session.execute(db.select(Inspection)).scalar_one()
        assert (row.mode, row.attended, row.staff_id) == ("office", [party_id], cw)
        db.session.remove()
    assert any(a[0] == "copy.inspection" for a in ch.audit_actions(app, reference))
    with app.app_context():
        copies.release(who, reference, copy_id)
        assert _request(app, reference).status == "closed"
        db.session.remove()


# --- a copy released on time is overdue nowhere ----------------------------------------------------

def test_art14_released_on_time_is_not_overdue_in_the_queue(app, make_staff):
    cw = make_staff("caseworker")
    reference, _copy = _released(app, cw)
    late = file(app)
    with app.app_context():
        later = today_local() + timedelta(days=LATER)
        page = q.queue_page(ch.actor(app, cw), q.QueueFilters(status="all"), today=later)
        rows = {r.reference: r for r in page.rows}
        assert rows[late].overdue  # the queue notices lateness
        assert not rows[reference].overdue
        overdue = q.queue_page(ch.actor(app, cw), q.QueueFilters(overdue=True), today=later)
        assert [r.reference for r in overdue.rows] == [late]
        db.session.remove()


def test_art14_released_on_time_is_not_overdue_in_the_digest(app, make_staff, mailbox):
    cw = make_staff("caseworker")
    set_staff(app, cw, email="cw@vt.example")
    reference, _copy = _released(app, cw)
    late = file(app)
    update(app, late, assignee_id=cw, status="in_progress")
    update(app, reference, assignee_id=cw)
    with app.app_context():
        q.send_digest(today=today_local() + timedelta(days=LATER))
    body = mailbox.wait_for(1)[0].get_body(preferencelist=("plain",)).get_content()
    assert "- 1 te laat:" in body  # only the request without an answer


def test_art14_released_on_time_is_answered_on_time_in_the_report(app, make_staff):
    cw, po = make_staff("caseworker"), make_staff("privacy_officer")
    _released(app, cw)
    file(app, answers(rights=["afschrift"]))
    with app.app_context():
        today = today_local()
        report = reports.monthly_report(ch.actor(app, po), today.replace(day=1), today,
                                        today=today + timedelta(days=LATER))
        assert (report.total.answered, report.total.on_time, report.total.late) == (1, 1, 0)
        assert report.total.overdue_open == 1
        db.session.remove()


def test_art14_released_on_time_status_page_says_answered_and_finished(app, make_staff):
    cw = make_staff("caseworker")
    reference, _copy = _released(app, cw)
    with app.app_context():
        party_id = _request(app, reference).requester.id
        db.session.remove()
    client = app.test_client()
    ch.status_login(client, reference, party_id)
    page = client.get("/volgen/verzoek").get_data(as_text=True)
    assert "Beantwoord op" in page and "Uw afschrift staat voor u klaar om te downloaden." in page
    assert 'id="finished"' in page and "Afgesloten" in page
    assert "Antwoord uiterlijk" not in page
    assert "right_answered" not in page and "Beantwoord: Afschrift" in page
