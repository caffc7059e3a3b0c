"""Issue 10, withdrawal: the requester withdraws on the status page (one confirmation
page); the deadline stops; what they uploaded is purged as for an unconfirmed request
and the purge is logged; the caseworker sees it in the queue and on the timeline; a
withdrawn request cannot be answered, released or signed; what was delivered stays."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.infra.extensions import db
from portal.models import AuditEvent, Copy, CopyDelivery, Document, Request
from portal.services import copies, decisions, queue as q
from portal.services.timeline import today_local

from . import casework_helpers as ch
from .copy_helpers import MARK, import_doc, make_copy, render_now, verified_request
from .queue_helpers import answers


def _request(reference) -> Request:
    return db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()


def _withdraw(app, reference):
    with app.app_context():
        party_id = _request(reference).requester.id
        db.session.remove()
    client = app.test_client()
    ch.status_login(client, reference, party_id)
    return client, client.post("/volgen/intrekken", data={"csrf_token": ch.csrf_of(client, "/volgen/intrekken")})


def test_withdrawal_one_confirmation_page_purges_uploads_logged_and_stops_the_deadline(app, make_staff):
    cw = make_staff("caseworker")
    reference = ch.file(app, MARK)  # with an uploaded ID copy
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Document)).scalar_one() == 1
        party_id = _request(reference).requester.id
        db.session.remove()
    client = app.test_client()
    ch.status_login(client, reference, party_id)
    status = client.get("/volgen/verzoek").get_data(as_text=True)
    assert 'href="/volgen/intrekken"' in status
    confirm = client.get("/volgen/intrekken").get_data(as_text=True)
    assert "verwijderen wij meteen" in confirm and "blijft zoals het is" in confirm
    # Without the CSRF token: nothing happens.
    assert client.post("/volgen/intrekken", data={}).status_code == 400
    with app.app_context():
        assert _request(reference).status == "received"
        db.session.remove()
    r = client.post("/volgen/intrekken", data={"csrf_token": ch.csrf_of(client, "/volgen/intrekken")})
    assert r.status_code == 302
    page = client.get("/volgen/verzoek").get_data(as_text=True)
    assert "Ingetrokken" in page and "U heeft uw verzoek ingetrokken" in page and 'id="link-withdraw"' not in page
    with app.app_context():
        req = _request(reference)
        assert req.status == "withdrawn"
        assert db.session.execute(db.select(db.func.count()).select_from(Document)).scalar_one() == 0
        purge = db.session.execute(db.select(AuditEvent).filter_by(action="purge.withdrawn_request_uploads")).scalar_one()
        assert purge.reason == "request withdrawn: removed 1" and purge.subject_ref == reference
        assert [e.kind for e in req.events][-3:] == ["request_withdrawn", "status:withdrawn", "uploads_purged"]
        # The caseworker sees it in the queue; the deadline stopped: overdue nowhere.
        later = today_local() + timedelta(days=75)
        who = ch.actor(app, cw)
        assert [r.reference for r in q.queue_page(who, q.QueueFilters(status="withdrawn")).rows] == [reference]
        assert q.queue_page(who, q.QueueFilters(overdue=True), today=later).rows == []
        db.session.remove()
    # Withdrawing twice: the page offers no button; a POST anyway gets a clear error.
    assert 'id="button-withdraw"' not in client.get("/volgen/intrekken").get_data(as_text=True)
    r = client.post("/volgen/intrekken", data={"csrf_token": ch.csrf_of(client, "/volgen/verzoek")})
    assert r.status_code == 400 and "Intrekken kan niet meer" in r.get_data(as_text=True)


def test_withdrawn_request_cannot_be_released_signed_or_decided(app, make_staff):
    cw, tl = make_staff("caseworker"), make_staff("team_leader")
    dossier_id = import_doc(app)
    reference = verified_request(app, cw)
    copy_id = make_copy(app, cw, reference, dossier_id, "p2")
    render_now(app, cw, reference, copy_id)
    who = ch.actor(app, cw)
    with app.app_context():
        copies.mark_reviewed(who, reference, copy_id)
        db.session.remove()
    _withdraw(app, reference)
    with app.app_context():
        with pytest.raises(copies.CopyError) as exc:
            copies.release(who, reference, copy_id)
        assert exc.value.code == "request_withdrawn"
        db.session.rollback()
        with pytest.raises(copies.CopyError) as exc:
            copies.sign(ch.actor(app, tl), reference, copy_id)
        assert exc.value.code == "request_withdrawn"
        db.session.rollback()
        with pytest.raises(decisions.DecisionError) as exc:
            decisions.propose(who, reference, "afschrift", "grant", [], None)
        assert exc.value.code == "request_withdrawn"
        db.session.rollback()
        assert db.session.get(Copy, copy_id).status == Copy.REVIEWED
        assert _request(reference).rights[0].answered_on is None
        db.session.remove()


def test_withdrawal_after_release_changes_nothing_delivered(app, make_staff):
    cw = make_staff("caseworker")
    dossier_id = import_doc(app)
    reference = verified_request(app, cw, answers(MARK, rights=["inzage", "afschrift"]))
    copy_id = make_copy(app, cw, reference, dossier_id, "p2")
    render_now(app, cw, reference, copy_id)
    who = ch.actor(app, cw)
    with app.app_context():
        copies.mark_reviewed(who, reference, copy_id)
        copies.release(who, reference, copy_id)  # answers afschrift; inzage still open
        before = [(d.id, d.expires_at, d.downloads_left) for d in db.session.execute(db.select(CopyDelivery)).scalars()]
        db.session.remove()
    client, r = _withdraw(app, reference)
    assert r.status_code == 302
    with app.app_context():
        req = _request(reference)
        assert req.status == "withdrawn"
        assert db.session.get(Copy, copy_id).status == Copy.RELEASED
        after = [(d.id, d.expires_at, d.downloads_left) for d in db.session.execute(db.select(CopyDelivery)).scalars()]
        assert after == before and before
        assert {r.right: r.answered_by for r in req.rights} == {"inzage": None, "afschrift": "copy_released"}
        db.session.remove()
    assert "Afschrift ophalen" in client.get("/volgen/verzoek").get_data(as_text=True)
