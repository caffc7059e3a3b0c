"""Brute force (threat model T7): logins, links and submissions are rate limited per
address. The session app runs with limits off; these tests build their own app with
limits on, on the same database, and switch the shared limiter back off afterwards."""
from __future__ import annotations

import pytest

from portal import create_app
from portal.infra.extensions import db, limiter

from .filing import Filer, Filing
from .support import any_csrf, login_passphrase


@pytest.fixture
def limited_app(app):
    """A second app with RATELIMIT_ENABLED and 10 status logins per hour. Flask-Limiter
    keeps `enabled` on the one shared Limiter, so it is restored after the test."""
    was_enabled = limiter.enabled
    overrides = {k: app.config[k] for k in ("TESTING", "SQLALCHEMY_DATABASE_URI", "SERVER_NAME", "PUBLIC_BASE_URL",
                                            "MAIL_SERVER", "MAIL_PORT", "HUEY_IMMEDIATE")}
    overrides.update({"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_STATUS": "10 per hour"})
    limited = create_app(overrides)
    try:
        with limited.app_context():
            limiter.reset()
        yield limited
    finally:
        with limited.app_context():
            limiter.reset()
            db.session.remove()
            db.engine.dispose()
        limiter.enabled = was_enabled


def test_t7_the_11th_passphrase_login_in_an_hour_is_refused_with_429(app, limited_app):
    sub = Filer(app.test_client()).fill(Filing(email=None)).submit()  # filed while limits are still off
    browser = limited_app.test_client()
    for attempt in range(10):
        resp = login_passphrase(browser, sub.reference, f"verkeerde wachtzin {attempt}")
        assert resp.status_code == 400, attempt
    # The 11th is refused even with the right passphrase: guessing cannot go on.
    resp = login_passphrase(browser, sub.reference, sub.passphrase)
    assert resp.status_code == 429
    html = resp.get_data(as_text=True)
    assert "U heeft dit te vaak geprobeerd" in html
    assert resp.headers["Cache-Control"] == "no-store"
    assert browser.get("/volgen/verzoek").status_code == 302  # not logged in


def test_t7_the_limit_is_per_address_not_per_browser(app, limited_app):
    sub = Filer(app.test_client()).fill(Filing(email=None)).submit()
    for attempt in range(10):
        login_passphrase(limited_app.test_client(), sub.reference, f"fout {attempt}")
    assert login_passphrase(limited_app.test_client(), sub.reference, sub.passphrase).status_code == 429
    # Another address still gets in.
    other = limited_app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login_passphrase(other, sub.reference, sub.passphrase).status_code == 302


def test_t7_asking_for_status_links_is_limited_too(app, limited_app, mailbox):
    browser = limited_app.test_client()
    token = any_csrf(browser.get("/volgen").get_data(as_text=True))
    for _ in range(10):
        assert browser.post("/volgen/link", data={"csrf_token": token, "l-reference": "VT-AAAA-BBBB-CCCC", "l-email": "iemand@example.org"}).status_code == 200
    assert browser.post("/volgen/link", data={"csrf_token": token, "l-reference": "VT-AAAA-BBBB-CCCC", "l-email": "iemand@example.org"}).status_code == 429
    assert mailbox.messages == []


def test_t7_limits_are_off_again_for_the_session_app_after_the_limited_app(app, client):
    """Guard for the fixture: the Limiter is shared between apps, so a leak would make
    the rest of the suite flaky."""
    assert limiter.enabled is False
    sub = Filer(client).fill(Filing(email=None)).submit()
    for attempt in range(12):
        assert login_passphrase(client, sub.reference, f"fout {attempt}").status_code == 400
