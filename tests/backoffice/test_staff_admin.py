"""The administrator's account pages (art. 7, Permission.STAFF_MANAGE): list, create,
deactivate, reset the second factor or the password, record the confidentiality
agreement (art. 7.3, who and when)."""
from __future__ import annotations

import re

from argon2 import PasswordHasher

from portal.infra.extensions import db
from portal.models import AuditEvent, Staff
from portal.services import audit

from .conftest import log_in
from .staff_pages import (
    ACCOUNT, GENERIC_LOGIN_ERROR, PASSWORD, TOTP_SETUP, is_login_redirect, login_password, page_csrf, staff_row,
    username_of,
)

ACCOUNTS = "/backoffice/beheer/accounts"


def detail(staff_id: int) -> str:
    return f"{ACCOUNTS}/{staff_id}"


def post_action(client, staff_id: int, action: str, **data):
    token = page_csrf(client, detail(staff_id))
    return client.post(f"{detail(staff_id)}/{action}", data={"csrf_token": token, **data})


def test_art7_the_administrator_lists_accounts(app, logged_in, make_staff):
    admin = logged_in("functional_admin")
    make_staff("caseworker", username="zichtbaar", confidentiality=False)
    page = admin.get(ACCOUNTS).get_data(as_text=True)
    assert "zichtbaar" in page and "Medewerker" in page and "Nog niet vastgelegd" in page


def test_art7_the_administrator_creates_an_account_and_sees_a_one_time_password_once(app, logged_in):
    admin = logged_in("functional_admin")
    token = page_csrf(admin, f"{ACCOUNTS}/nieuw")
    resp = admin.post(f"{ACCOUNTS}/nieuw", data={"csrf_token": token, "username": "s.smit", "display_name": "Sara Smit",
                                                "role": "team_leader"})
    assert resp.status_code == 200
    password = re.search(r'id="one-time-password"[^>]*>([^<]+)<', resp.get_data(as_text=True)).group(1)
    with app.app_context():
        staff = db.session.execute(db.select(Staff).where(Staff.username == "s.smit")).scalar_one()
        assert staff.role == "team_leader" and PasswordHasher().verify(staff.password_hash, password)
        event = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "staff.create")).scalar_one()
        assert event.actor == f"staff:{admin.staff_id}" and event.actor_role == "functional_admin"
        new_id = staff.id
    assert password not in admin.get(detail(new_id)).get_data(as_text=True)
    # The new account logs in with it and sets up its second factor.
    assert login_password(app.test_client(), "s.smit", password).headers["Location"].endswith(TOTP_SETUP)


def test_art7_creating_an_account_checks_the_form(app, logged_in, make_staff):
    admin = logged_in("functional_admin")
    make_staff("caseworker", username="bestaat")
    token = page_csrf(admin, f"{ACCOUNTS}/nieuw")
    resp = admin.post(f"{ACCOUNTS}/nieuw", data={"csrf_token": token, "username": "bestaat", "display_name": "X",
                                                "role": "caseworker"})
    assert resp.status_code == 400 and "bestaat al" in resp.get_data(as_text=True)
    resp = admin.post(f"{ACCOUNTS}/nieuw", data={"csrf_token": token, "username": "met spatie", "display_name": "",
                                                "role": "directeur"})
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(Staff.id))).scalar_one() == 2


def test_art7_3_the_administrator_records_the_confidentiality_agreement(app, logged_in, make_staff):
    admin = logged_in("functional_admin", username="beheer-1")
    staff_id = make_staff("caseworker", confidentiality=False)
    resp = post_action(admin, staff_id, "geheimhouding")
    assert resp.status_code == 302
    row = staff_row(app, staff_id)
    assert row["confidentiality_recorded_by"] == admin.staff_id and row["confidentiality_recorded_at"] is not None
    page = admin.get(detail(staff_id)).get_data(as_text=True)
    confidentiality = re.search(r'id="confidentiality">(.*?)</dd>', page, re.S).group(1)
    assert "Vastgelegd op" in confidentiality and "beheer-1" in confidentiality


def test_art7_deactivating_an_account_ends_its_sessions_and_its_logins(app, logged_in, make_staff):
    admin = logged_in("functional_admin")
    worker = logged_in("caseworker")
    assert post_action(admin, worker.staff_id, "actief", active="0").status_code == 302
    assert is_login_redirect(worker.get(ACCOUNT))
    resp = login_password(app.test_client(), username_of(app, worker.staff_id))
    assert resp.status_code == 400 and GENERIC_LOGIN_ERROR in resp.get_data(as_text=True)
    assert post_action(admin, worker.staff_id, "actief", active="1").status_code == 302
    assert login_password(app.test_client(), username_of(app, worker.staff_id)).status_code == 302


def test_art7_an_administrator_cannot_switch_off_their_own_account(app, logged_in):
    admin = logged_in("functional_admin")
    resp = post_action(admin, admin.staff_id, "actief", active="0")
    assert resp.status_code == 302
    assert staff_row(app, admin.staff_id)["active"] is True
    assert admin.get(ACCOUNT).status_code == 200


def test_art7_a_password_reset_gives_a_one_time_password_and_ends_every_session(app, logged_in):
    admin = logged_in("functional_admin")
    worker = logged_in("caseworker")
    resp = post_action(admin, worker.staff_id, "wachtwoord")
    assert resp.status_code == 200
    password = re.search(r'id="one-time-password"[^>]*>([^<]+)<', resp.get_data(as_text=True)).group(1)
    assert is_login_redirect(worker.get(ACCOUNT))
    username = username_of(app, worker.staff_id)
    assert login_password(app.test_client(), username, PASSWORD).status_code == 400
    assert login_password(app.test_client(), username, password).status_code == 302
    assert staff_row(app, worker.staff_id)["password_must_change"] is True


def test_art7_account_pages_are_for_staff_managers_only(app, logged_in, make_staff):
    staff_id = make_staff("caseworker")
    for role in ("caseworker", "team_leader", "privacy_officer"):
        client = logged_in(role)
        assert client.get(ACCOUNTS).status_code == 403, role
        assert client.get(detail(staff_id)).status_code == 403, role
    # And the services ask again: a denial is logged.
    with app.app_context():
        denied = db.session.execute(db.select(AuditEvent).where(AuditEvent.action == "denied:staff.manage")).scalars().all()
        assert len(denied) == 6


def test_art7_an_unknown_account_is_not_found(app, logged_in):
    admin = logged_in("functional_admin")
    assert admin.get(detail(999999)).status_code == 404


def test_art7_every_account_change_is_in_the_access_log(app, logged_in, make_staff):
    admin = logged_in("functional_admin")
    staff_id = make_staff("caseworker", confidentiality=False)
    post_action(admin, staff_id, "geheimhouding")
    post_action(admin, staff_id, "tweede-factor")
    post_action(admin, staff_id, "wachtwoord")
    post_action(admin, staff_id, "actief", active="0")
    with app.app_context():
        actions = db.session.execute(
            db.select(AuditEvent.action).where(AuditEvent.object_type == "staff", AuditEvent.object_id == str(staff_id))
            .order_by(AuditEvent.id)).scalars().all()
        assert actions == ["staff.confidentiality_recorded", "staff.second_factor_reset", "staff.password_reset",
                           "staff.deactivate"]
        assert audit.verify_chain() == (True, None)


def test_art7_an_administrator_without_second_factor_reaches_nothing(app, make_staff):
    staff_id = make_staff("functional_admin")
    client = app.test_client()
    log_in(client, app, staff_id, second_factor=False)
    resp = client.get(ACCOUNTS)
    assert resp.status_code == 302 and "/backoffice/totp" in resp.headers["Location"]
