"""Issue 10, deputies: the functional administrator names who may sign as a deputy team
leader (a recorded, dated grant, shown in "who may do what"); four eyes still hold, and
the signing page says who can sign instead."""
from __future__ import annotations

import pytest

from portal.infra.extensions import db
from portal.models import AuditEvent, Copy, DeputyGrant, Staff
from portal.services import authz, copies

from . import casework_helpers as ch
from .copy_helpers import reviewed_copy
from .queue_helpers import csrf


def _name(app, staff_id, name):
    with app.app_context():
        db.session.get(Staff, staff_id).display_name = name
        db.session.commit()
        db.session.remove()


def test_art20_4_deputy_named_by_the_administrator_signs_but_never_their_own(app, make_staff, logged_in):
    admin = logged_in("functional_admin")
    preparer, deputy = make_staff("caseworker"), make_staff("caseworker")
    _name(app, deputy, "Dirk Deputy")
    page = admin.get("/backoffice/beheer/matrix").get_data(as_text=True)
    assert "Plaatsvervangend teamleider" in page
    r = admin.post("/backoffice/beheer/plaatsvervangers", data={"csrf_token": csrf(page), "staff_id": deputy})
    assert r.status_code == 302
    with app.app_context():
        grant = db.session.execute(db.select(DeputyGrant)).scalar_one()
        assert (grant.staff_id, grant.granted_by, grant.revoked_at) == (deputy, admin.staff_id, None)
        assert grant.granted_at is not None
        assert db.session.execute(db.select(AuditEvent).filter_by(action="deputy.grant")).scalar_one()
        db.session.remove()
    overview = admin.get("/backoffice/beheer/matrix").get_data(as_text=True)
    assert "Dirk Deputy, sinds" in overview and "Plaatsvervangend teamleider sinds" in overview

    # The deputy signs a copy someone else prepared...
    reference, copy_id = reviewed_copy(app, preparer, withhold=True)
    with app.app_context():
        copies.sign(ch.actor(app, deputy), reference, copy_id)
        assert db.session.get(Copy, copy_id).status == Copy.SIGNED
        db.session.remove()
    # ...a privacy officer can never be named, and a revoked grant signs nothing.
    with app.app_context():
        from portal.services import staff as staff_svc
        officer = make_staff("privacy_officer")
        with pytest.raises(staff_svc.StaffError):
            staff_svc.grant_deputy(ch.actor(app, admin.staff_id), officer)
        db.session.rollback()
        grant_id = db.session.execute(db.select(DeputyGrant.id)).scalar_one()
        staff_svc.revoke_deputy(ch.actor(app, admin.staff_id), grant_id)
        assert not authz.can(ch.actor(app, deputy), authz.Permission.DECISION_SIGN)
        db.session.remove()


def test_art20_4_deputy_cannot_sign_own_work_and_the_page_names_who_can(app, make_staff, logged_in):
    admin = make_staff("functional_admin")
    deputy = make_staff("caseworker")
    leader = make_staff("team_leader")
    _name(app, leader, "Teun Teamleider")
    with app.app_context():
        from portal.services import staff as staff_svc
        staff_svc.grant_deputy(ch.actor(app, admin), deputy)
        db.session.remove()
    reference, copy_id = reviewed_copy(app, deputy, withhold=True)  # the deputy prepared it
    with app.app_context():
        with pytest.raises(copies.CopyError) as exc:
            copies.sign(ch.actor(app, deputy), reference, copy_id)
        assert exc.value.code == "four_eyes"
        db.session.remove()
    client = app.test_client()
    from .conftest import log_in
    log_in(client, app, deputy)
    page = client.get(f"/backoffice/teamleider/afschrift/{reference}/{copy_id}").get_data(as_text=True)
    assert 'id="four-eyes"' in page and "Teun Teamleider" in page
