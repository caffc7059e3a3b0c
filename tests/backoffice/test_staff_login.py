"""Staff login (art. 7): password (argon2id, rehash), throttling per account, the TOTP
second factor (set-up, single use, parallel use), recovery codes, the session limits,
and every session of an account ending on logout, password change and second-factor
reset. Through the real pages; the database is read only to check what was stored."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pyotp
import pytest
from argon2 import PasswordHasher

from portal.infra.extensions import db
from portal.models import AuditEvent, RecoveryCode, Staff, utcnow
from portal.services import audit
from portal.services import staff as staff_svc
from portal.services.staff import login as staff_login  # defines and calls _verify, holds _recovery

from .conftest import log_in
from .staff_pages import (
    ACCOUNT, GENERIC_CODE_ERROR, GENERIC_LOGIN_ERROR, LOGIN, PASSWORD, PASSWORD_PAGE, TOTP, TOTP_SETUP, WEAK_HASHER,
    code_at, csrf, full_login, give_second_factor, is_login_redirect, login_password, logout, page_csrf, secret_of,
    staff_row, submit_code, submit_recovery, update_staff, username_of,
)


@pytest.fixture
def confirmed(app, make_staff):
    """A caseworker with a confirmed second factor: (staff_id, secret)."""
    def make(role="caseworker", **kw):
        staff_id = make_staff(role, **kw)
        return staff_id, give_second_factor(app, staff_id)

    return make


# --- password -------------------------------------------------------------------------------

def test_art7_login_with_password_and_totp_reaches_the_back_office(app, confirmed):
    staff_id, _secret = confirmed()
    client = app.test_client()
    resp = full_login(client, app, staff_id)
    assert resp.status_code == 302
    assert client.get(ACCOUNT).status_code == 200
    with client.session_transaction() as s:
        assert s["bo_2fa"] is True
        assert s["_user_id"] == f"{staff_id}:0"


def test_art7_password_is_rehashed_at_login_when_the_argon2_parameters_change(app, confirmed):
    staff_id, _ = confirmed()
    weak = WEAK_HASHER.hash(PASSWORD)
    update_staff(app, staff_id, password_hash=weak)
    assert PasswordHasher().check_needs_rehash(weak)
    resp = login_password(app.test_client(), username_of(app, staff_id))
    assert resp.status_code == 302
    stored = staff_row(app, staff_id)["password_hash"]
    assert stored != weak
    assert stored.startswith("$argon2id$")
    assert not PasswordHasher().check_needs_rehash(stored)
    assert PasswordHasher().verify(stored, PASSWORD)


def test_art7_a_current_hash_is_not_rewritten(app, confirmed):
    staff_id, _ = confirmed()
    before = staff_row(app, staff_id)["password_hash"]
    login_password(app.test_client(), username_of(app, staff_id))
    assert staff_row(app, staff_id)["password_hash"] == before


def test_art7_unknown_user_wrong_password_and_locked_account_get_one_answer(app, confirmed):
    staff_id, _ = confirmed()
    locked_id, _ = confirmed()
    update_staff(app, locked_id, failed_logins=5, locked_until=utcnow() + timedelta(minutes=15))

    def answer(username, password):
        resp = login_password(app.test_client(), username, password)
        html = resp.get_data(as_text=True)
        body = html[html.index("<main"):html.index("</main>")]
        return resp.status_code, csrf_free(body)

    unknown = answer("niemand-bekend", "wat dan ook 123")
    wrong = answer(username_of(app, staff_id), "verkeerd wachtwoord 1")
    locked = answer(username_of(app, locked_id), PASSWORD)  # even the right password
    assert unknown[0] == wrong[0] == locked[0] == 400
    assert GENERIC_LOGIN_ERROR in unknown[1]
    assert unknown[1] == wrong[1] == locked[1]


def csrf_free(html: str) -> str:
    import re

    return re.sub(r'value="[^"]*"', 'value=""', html)


def test_art7_unknown_user_costs_a_password_check_too(app, confirmed, monkeypatch):
    """The clock does not tell an unknown account apart: a dummy argon2 check runs."""
    calls = []
    real = staff_login._verify
    monkeypatch.setattr(staff_login, "_verify", lambda h, stored, given: calls.append(stored) or real(h, stored, given))
    login_password(app.test_client(), "bestaat-niet", "een wachtwoord van 12")
    assert len(calls) == 1 and calls[0].startswith("$argon2id$")


def test_art7_the_sixth_attempt_is_locked_even_with_the_right_password(app, confirmed):
    staff_id, _ = confirmed()
    username = username_of(app, staff_id)
    client = app.test_client()
    for attempt in range(5):
        assert login_password(client, username, f"fout wachtwoord {attempt}").status_code == 400
    row = staff_row(app, staff_id)
    assert row["failed_logins"] == 5
    assert row["locked_until"] > utcnow() + timedelta(minutes=14)
    assert row["locked_until"] <= utcnow() + timedelta(minutes=15)
    resp = login_password(client, username, PASSWORD)
    assert resp.status_code == 400
    assert GENERIC_LOGIN_ERROR in resp.get_data(as_text=True)
    assert client.get(ACCOUNT).status_code == 302  # not logged in

    # Time passes: the lock has ended and the right password works again.
    update_staff(app, staff_id, locked_until=utcnow() - timedelta(seconds=1))
    resp = login_password(client, username, PASSWORD)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(TOTP)


def test_art7_each_further_failure_doubles_the_lock(app, confirmed):
    staff_id, _ = confirmed()
    username = username_of(app, staff_id)
    update_staff(app, staff_id, failed_logins=5, locked_until=utcnow() - timedelta(seconds=1))
    login_password(app.test_client(), username, "nog een keer fout")
    row = staff_row(app, staff_id)
    assert row["failed_logins"] == 6
    assert timedelta(minutes=29) < row["locked_until"] - utcnow() <= timedelta(minutes=30)
    assert staff_svc.lock_duration(4) is None
    assert staff_svc.lock_duration(5) == timedelta(minutes=15)
    assert staff_svc.lock_duration(7) == timedelta(minutes=60)
    assert staff_svc.lock_duration(500) == timedelta(hours=24)


def test_art7_a_complete_login_resets_the_failure_count(app, confirmed):
    staff_id, _ = confirmed()
    update_staff(app, staff_id, failed_logins=3)
    assert full_login(app.test_client(), app, staff_id).status_code == 302
    assert staff_row(app, staff_id)["failed_logins"] == 0


def test_art7_the_login_starts_a_fresh_session(app, confirmed):
    staff_id, _ = confirmed()
    client = app.test_client()
    with client.session_transaction() as s:
        s["planted"] = "from before the login"
        s["bo_2fa"] = True
    login_password(client, username_of(app, staff_id))
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["bo_2fa"] is False
        assert s["_user_id"] == f"{staff_id}:0"
        assert abs(s["bo_login_at"] - time.time()) < 30


def test_art7_login_attempts_are_limited_per_address(app):
    from portal import create_app
    from portal.infra.extensions import limiter

    was_enabled = limiter.enabled
    overrides = {k: app.config[k] for k in ("TESTING", "SQLALCHEMY_DATABASE_URI", "SERVER_NAME", "PUBLIC_BASE_URL",
                                            "MAIL_SERVER", "MAIL_PORT", "HUEY_IMMEDIATE", "AUDIT_CHECKPOINT_PATH")}
    overrides.update({"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_STAFF_LOGIN": "3 per hour"})
    limited = create_app(overrides)
    try:
        with limited.app_context():
            limiter.reset()
        client = limited.test_client()
        for attempt in range(3):
            assert login_password(client, f"iemand{attempt}", "wat dan ook 123").status_code == 400
        assert login_password(client, "iemand", "wat dan ook 123").status_code == 429
        assert client.get(LOGIN).status_code == 200  # only the POST is limited
    finally:
        with limited.app_context():
            limiter.reset()
            db.session.remove()
            db.engine.dispose()
        limiter.enabled = was_enabled


# --- the second factor -----------------------------------------------------------------------------

def test_art7_totp_is_set_up_at_the_first_login_with_a_qr_code_and_recovery_codes(app, make_staff):
    staff_id = make_staff("caseworker")
    client = app.test_client()
    resp = login_password(client, username_of(app, staff_id))
    assert resp.headers["Location"].endswith(TOTP_SETUP)
    page = client.get(TOTP_SETUP).get_data(as_text=True)
    assert "<svg" in page and "<img" not in page  # inline SVG, no external image
    secret = secret_of(app, staff_id)  # stored encrypted
    assert secret.encode() not in (staff_row(app, staff_id)["totp_secret_enc"] or b"")
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in page
    # A reload shows the same secret (the app may already have scanned it).
    client.get(TOTP_SETUP)
    assert secret_of(app, staff_id) == secret

    wrong = client.post(TOTP_SETUP, data={"csrf_token": csrf(page), "setup-code": "000000" if code_at(secret) != "000000" else "111111"})
    assert wrong.status_code == 400 and GENERIC_CODE_ERROR in wrong.get_data(as_text=True)
    assert staff_row(app, staff_id)["totp_confirmed_at"] is None

    resp = client.post(TOTP_SETUP, data={"csrf_token": csrf(page), "setup-code": pyotp.TOTP(secret).now()})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    import re

    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", html)
    assert len(codes) == 10 and len(set(codes)) == 10
    row = staff_row(app, staff_id)
    assert row["totp_confirmed_at"] is not None and row["last_totp_step"] is not None
    with app.app_context():
        hashes = db.session.execute(db.select(RecoveryCode.code_hash).where(RecoveryCode.staff_id == staff_id)).scalars().all()
    assert len(hashes) == 10 and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(c in h for c in codes for h in hashes)
    assert client.get(ACCOUNT).status_code == 200
    # The codes are not shown again.
    assert client.get(TOTP_SETUP).status_code == 302


def test_art7_a_totp_code_is_accepted_once(app, confirmed):
    staff_id, secret = confirmed()
    code = code_at(secret)
    first = app.test_client()
    login_password(first, username_of(app, staff_id))
    assert submit_code(first, code).status_code == 302
    second = app.test_client()
    login_password(second, username_of(app, staff_id))
    resp = submit_code(second, code)
    assert resp.status_code == 400 and GENERIC_CODE_ERROR in resp.get_data(as_text=True)
    assert second.get(ACCOUNT).headers["Location"].endswith(TOTP)
    # An older step (still inside the window) is refused too: steps only move forward.
    third = app.test_client()
    login_password(third, username_of(app, staff_id))
    assert submit_code(third, code_at(secret, -1)).status_code == 400
    # The next step is fine.
    assert submit_code(third, code_at(secret, +1)).status_code == 302


def test_art7_two_parallel_logins_with_one_code_give_one_success(app, confirmed):
    staff_id, secret = confirmed()
    clients = [app.test_client(), app.test_client()]
    tokens = []
    for c in clients:
        login_password(c, username_of(app, staff_id))
        tokens.append(page_csrf(c, TOTP))
    code = code_at(secret)
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def go(i):
        barrier.wait()
        results[i] = clients[i].post(TOTP, data={"csrf_token": tokens[i], "totp-code": code}).status_code

    threads = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [302, 400], results
    reached = [c.get(ACCOUNT).status_code for c in clients]
    assert sorted(reached) == [200, 302]
    with app.app_context():
        assert audit.verify_chain() == (True, None)


def test_art7_eight_parallel_checks_of_one_code_give_one_success(app, confirmed):
    """The same at the service, with more contenders: one atomic UPDATE decides."""
    staff_id, secret = confirmed()
    code = code_at(secret)
    barrier = threading.Barrier(8)
    outcomes: list = []

    def go():
        with app.app_context():
            barrier.wait()
            try:
                staff_svc.verify_totp(staff_id, code)
                outcomes.append("ok")
            except staff_svc.SecondFactorFailed:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=go) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["ok"] + ["refused"] * 7, outcomes
    with app.app_context():
        reused = db.session.execute(db.select(AuditEvent).where(AuditEvent.outcome == "reused")).scalars().all()
        assert len(reused) == 7
        assert audit.verify_chain() == (True, None)


def test_art7_a_recovery_code_works_once(app, confirmed, make_staff):
    staff_id, _secret = confirmed()
    codes = [staff_svc.new_recovery_code() for _ in range(2)]
    with app.app_context():
        db.session.add_all(RecoveryCode(staff_id=staff_id, code_hash=staff_login._recovery.hash(c)) for c in codes)
        db.session.commit()
    client = app.test_client()
    login_password(client, username_of(app, staff_id))
    resp = submit_recovery(client, codes[0].upper())  # case and spaces do not matter
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "nog 1 herstelcodes over" in page
    other = app.test_client()
    login_password(other, username_of(app, staff_id))
    resp = submit_recovery(other, codes[0])
    assert resp.status_code == 400 and GENERIC_CODE_ERROR in resp.get_data(as_text=True)
    assert submit_recovery(other, codes[1]).status_code == 302


def test_art7_wrong_codes_count_towards_the_lock(app, confirmed):
    staff_id, secret = confirmed()
    client = app.test_client()
    login_password(client, username_of(app, staff_id))
    bad = "123456" if code_at(secret) != "123456" else "654321"
    for _ in range(5):
        submit_code(client, bad)
    assert staff_row(app, staff_id)["locked_until"] is not None
    # Locked: even the right code is refused now.
    resp = submit_code(client, code_at(secret))
    assert resp.status_code == 400
    assert client.get(ACCOUNT).status_code == 302


def test_art7_without_the_second_factor_only_the_totp_pages_open(app, confirmed, logged_in):
    staff_id, _ = confirmed("functional_admin")
    client = app.test_client()
    log_in(client, app, staff_id, second_factor=False)
    for url in (ACCOUNT, PASSWORD_PAGE, "/backoffice/beheer/accounts", "/backoffice/beheer/matrix", "/backoffice/welkom"):
        resp = client.get(url)
        assert resp.status_code == 302 and resp.headers["Location"].endswith(TOTP), url
    assert client.get(TOTP).status_code == 200


# --- session limits and ending every session --------------------------------------------------------

def test_art7_an_idle_session_ends_after_15_minutes(app, logged_in):
    client = logged_in("caseworker")
    assert client.get(ACCOUNT).status_code == 200
    with client.session_transaction() as s:
        s["bo_seen"] = time.time() - 16 * 60
    resp = client.get(ACCOUNT)
    assert is_login_redirect(resp) and "expired=1" in resp.headers["Location"]
    assert is_login_redirect(client.get(ACCOUNT))  # and it stays ended


def test_art7_activity_keeps_a_session_alive(app, logged_in):
    client = logged_in("caseworker")
    with client.session_transaction() as s:
        s["bo_seen"] = time.time() - 14 * 60
    assert client.get(ACCOUNT).status_code == 200


def test_art7_every_session_ends_after_12_hours(app, logged_in):
    client = logged_in("caseworker")
    with client.session_transaction() as s:
        s["bo_login_at"] = time.time() - 13 * 3600
    resp = client.get(ACCOUNT)
    assert is_login_redirect(resp) and "expired=1" in resp.headers["Location"]
    assert is_login_redirect(client.get(ACCOUNT))


@pytest.fixture
def two_sessions(app, logged_in):
    """Two clients logged in to the same account."""
    first = logged_in("caseworker")
    second = app.test_client()
    log_in(second, app, first.staff_id)
    assert first.get(ACCOUNT).status_code == 200 and second.get(ACCOUNT).status_code == 200
    return first, second


def test_art7_logout_ends_every_session_of_the_account(app, two_sessions):
    first, second = two_sessions
    resp = logout(first)
    assert is_login_redirect(resp)
    assert is_login_redirect(first.get(ACCOUNT))
    assert is_login_redirect(second.get(ACCOUNT))
    assert staff_row(app, first.staff_id)["session_epoch"] == 1


def test_art7_logout_is_post_only(app, logged_in):
    client = logged_in("caseworker")
    assert client.get("/backoffice/uitloggen").status_code == 405
    assert client.get(ACCOUNT).status_code == 200


def test_art7_a_password_change_ends_the_other_sessions(app, two_sessions):
    first, second = two_sessions
    token = page_csrf(first, PASSWORD_PAGE)
    resp = first.post(PASSWORD_PAGE, data={"csrf_token": token, "current": PASSWORD,
                                            "new": "een heel nieuw wachtwoord", "repeat": "een heel nieuw wachtwoord"})
    assert resp.status_code == 302
    assert first.get(ACCOUNT).status_code == 200  # this one carries on
    assert is_login_redirect(second.get(ACCOUNT))
    with first.application.app_context():
        stored = db.session.get(Staff, first.staff_id).password_hash
    assert PasswordHasher().verify(stored, "een heel nieuw wachtwoord")


@pytest.mark.parametrize("new, repeat, message", [
    ("kort", "kort", "minstens 12 tekens"),
    ("een lang wachtwoord", "een ander wachtwoord", "niet gelijk"),
    ("USERNAME", "USERNAME", "niet gelijk zijn aan uw gebruikersnaam"),
])
def test_art7_password_rules(app, logged_in, new, repeat, message):
    client = logged_in("caseworker", username="medewerker-met-lange-naam")
    if new == "USERNAME":
        new = repeat = "Medewerker-Met-Lange-Naam"
    token = page_csrf(client, PASSWORD_PAGE)
    resp = client.post(PASSWORD_PAGE, data={"csrf_token": token, "current": PASSWORD, "new": new, "repeat": repeat})
    assert resp.status_code == 400
    assert message in resp.get_data(as_text=True)
    assert PasswordHasher().verify(staff_row(app, client.staff_id)["password_hash"], PASSWORD)


def test_art7_password_change_needs_the_current_password(app, logged_in):
    client = logged_in("caseworker")
    token = page_csrf(client, PASSWORD_PAGE)
    resp = client.post(PASSWORD_PAGE, data={"csrf_token": token, "current": "niet mijn wachtwoord",
                                            "new": "een heel nieuw wachtwoord", "repeat": "een heel nieuw wachtwoord"})
    assert resp.status_code == 400 and "huidige wachtwoord klopt niet" in resp.get_data(as_text=True)


def test_art7_a_second_factor_reset_ends_every_session_and_asks_for_a_new_set_up(app, two_sessions, logged_in):
    first, second = two_sessions
    admin = logged_in("functional_admin")
    token = page_csrf(admin, f"/backoffice/beheer/accounts/{first.staff_id}")
    resp = admin.post(f"/backoffice/beheer/accounts/{first.staff_id}/tweede-factor", data={"csrf_token": token})
    assert resp.status_code == 302
    assert is_login_redirect(first.get(ACCOUNT)) and is_login_redirect(second.get(ACCOUNT))
    row = staff_row(app, first.staff_id)
    assert row["totp_secret_enc"] is None and row["totp_confirmed_at"] is None and row["last_totp_step"] is None
    with app.app_context():
        assert db.session.execute(db.select(RecoveryCode).where(RecoveryCode.staff_id == first.staff_id)).first() is None
    client = app.test_client()
    assert login_password(client, username_of(app, first.staff_id)).headers["Location"].endswith(TOTP_SETUP)


# --- art. 7.3 ----------------------------------------------------------------------------------------

def test_art7_3_without_a_confidentiality_agreement_one_may_log_in_but_do_nothing(app, confirmed):
    staff_id, _ = confirmed("team_leader", confidentiality=False)
    client = app.test_client()
    resp = full_login(client, app, staff_id)
    landing = client.get(resp.headers["Location"])
    assert landing.status_code == 302 and landing.headers["Location"].endswith("/backoffice/account/nog-niet-actief")
    page = client.get(landing.headers["Location"]).get_data(as_text=True)
    assert "geheimhoudingsverklaring" in page
    # The overview of who may do what: granted to team leaders, but not before art. 7.3.
    assert client.get("/backoffice/beheer/wie-mag-wat").status_code == 403
    if "backoffice.queue" in app.view_functions:
        with app.test_request_context():
            from flask import url_for

            assert client.get(url_for("backoffice.queue")).status_code == 403
    with app.app_context():
        denied = db.session.execute(db.select(AuditEvent).where(AuditEvent.outcome == "denied")).scalars().all()
    assert denied and all(e.actor == f"staff:{staff_id}" for e in denied)


def test_art7_a_one_time_password_must_be_replaced_first(app, make_staff):
    staff_id = make_staff("caseworker")
    with app.app_context():
        one_time = staff_svc.reset_password(staff_svc.CLI, staff_id)
    secret = give_second_factor(app, staff_id)
    client = app.test_client()
    assert login_password(client, username_of(app, staff_id), one_time).status_code == 302
    submit_code(client, code_at(secret))
    resp = client.get(ACCOUNT)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(PASSWORD_PAGE)
    token = page_csrf(client, PASSWORD_PAGE)
    resp = client.post(PASSWORD_PAGE, data={"csrf_token": token, "current": one_time,
                                            "new": "mijn eigen wachtwoord", "repeat": "mijn eigen wachtwoord"})
    assert resp.status_code == 302
    assert client.get(ACCOUNT).status_code == 200
    assert staff_row(app, staff_id)["password_must_change"] is False
