"""Issue 10, deadlines that are not answers: the destruction's own execution deadline
(art. 17.4: carried out within three months of receipt) beside the answer deadline, in
the queue, the daily digest and the team leader's inbox; gone once it is carried out."""
from __future__ import annotations

from datetime import timedelta

from portal.infra.extensions import db
from portal.models import Decision, Request, RightAssessment
from portal.rules import deadlines
from portal.services import inbox, queue as q
from portal.services.timeline import today_local

from . import casework_helpers as ch
from .queue_helpers import answers, file, set_staff, update

DESTROY = answers(rights=["vernietiging"], details={"vernietiging": {"refuted": "no", "grounds": "Het klopt niet."}})


def _decided(app, reference, proposer, signer, outcome="grant"):
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        db.session.add(Decision(request_id=req.id, right="vernietiging", outcome=outcome, grounds_json="[]",
                                state=Decision.SIGNED, proposed_by=proposer, reviewed_by=signer))
        req.status = "decided"
        db.session.commit()
        received = req.received_on
        db.session.remove()
    return deadlines.destruction_deadline(received).due


def test_art17_4_queue_shows_the_execution_deadline_of_a_decided_destruction(app, make_staff):
    cw, tl = make_staff("caseworker"), make_staff("team_leader")
    reference = file(app, DESTROY)
    execute_by = _decided(app, reference, cw, tl)
    later = execute_by + timedelta(days=1)
    with app.app_context():
        assert (execute_by - today_local()).days > 80  # three months, not the four weeks of the answer
        page = q.queue_page(ch.actor(app, cw), q.QueueFilters(status="all"), today=later)
        row = next(r for r in page.rows if r.reference == reference)
        assert (row.execute_by, row.execute_overdue, row.overdue) == (execute_by, True, False)
        assert page.counts.execution_overdue == 1
        # Carried out: no longer watched.
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        db.session.add(RightAssessment(request_id=req.id, right="vernietiging", executed_on=today_local()))
        db.session.commit()
        page = q.queue_page(ch.actor(app, cw), q.QueueFilters(status="all"), today=later)
        assert next(r for r in page.rows if r.reference == reference).execute_by is None
        assert page.counts.execution_overdue == 0
        db.session.remove()


def test_art17_4_refused_destruction_has_no_execution_deadline(app, make_staff):
    cw, tl = make_staff("caseworker"), make_staff("team_leader")
    reference = file(app, DESTROY)
    _decided(app, reference, cw, tl, outcome="refuse")
    with app.app_context():
        page = q.queue_page(ch.actor(app, cw), q.QueueFilters(status="all"))
        assert next(r for r in page.rows if r.reference == reference).execute_by is None
        db.session.remove()


def test_art17_4_digest_counts_destructions_still_to_carry_out(app, make_staff, mailbox):
    cw, tl = make_staff("caseworker"), make_staff("team_leader")
    set_staff(app, tl, email="tl@vt.example")
    reference = file(app, DESTROY)
    execute_by = _decided(app, reference, cw, tl)
    with app.app_context():
        q.send_digest(today=execute_by + timedelta(days=1))
    body = mailbox.wait_for(1)[0].get_body(preferencelist=("plain",)).get_content()
    assert "Vernietiging nog uitvoeren (art. 17, binnen drie maanden): 1 te laat, 0 binnen 5 werkdagen" in body


def test_art17_4_inbox_shows_the_execution_deadline_beside_the_answer_deadline(app, make_staff):
    cw, tl = make_staff("caseworker"), make_staff("team_leader")
    reference = file(app, DESTROY)
    update(app, reference, status="in_progress")
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        db.session.add(Decision(request_id=req.id, right="vernietiging", outcome="grant", grounds_json="[]",
                                state=Decision.PROPOSED, proposed_by=cw))
        db.session.commit()
        items = inbox.inbox(ch.actor(app, tl))
        assert [(i.kind, i.reference) for i in items] == [("decision", reference)]
        assert items[0].due_on == req.rights[0].due_on
        assert items[0].execute_by == deadlines.destruction_deadline(req.received_on).due > items[0].due_on
        db.session.remove()
