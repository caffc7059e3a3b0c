"""Brute force (threat model T7): logins, links and submissions are rate limited, the
guessing endpoints per address and reference together, per reference from any address,
and with a ceiling per address (portal/public/limits.py). The session app runs with limits off; these tests build their own app with
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
                                            "MAIL_SERVER", "MAIL_PORT", "HUEY_IMMEDIATE", "AUDIT_CHECKPOINT_PATH")}
    overrides.update({"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://", "RATELIMIT_STATUS": "10 per hour",
                      "RATELIMIT_PER_REFERENCE": "15 per hour", "RATELIMIT_PER_ADDRESS": "30 per hour"})
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
    # The page says what else the person can do, with the phone number.
    assert app.config["ORGANISATION_PHONE"] in html and 'id="what-now"' in html
    assert "Bel dan 112." in html and "een link naar uw e-mail laten sturen" in html
    assert resp.headers["Cache-Control"] == "no-store"
    assert browser.get("/volgen/verzoek").status_code == 302  # not logged in


def _from(app, address: str):
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = address
    return browser


def test_t7_the_limit_is_per_address_not_per_browser(app, limited_app):
    sub = Filer(app.test_client()).fill(Filing(email=None)).submit()
    for attempt in range(10):
        login_passphrase(limited_app.test_client(), sub.reference, f"fout {attempt}")
    assert login_passphrase(limited_app.test_client(), sub.reference, sub.passphrase).status_code == 429
    # Another address still gets in.
    assert login_passphrase(_from(limited_app, "192.0.2.7"), sub.reference, sub.passphrase).status_code == 302


def test_t7_one_guesser_does_not_lock_out_everyone_behind_a_shared_address(app, limited_app):
    """Issue 13, finding 7: a shelter's residents share one address. Someone there who
    guesses at one reference is stopped on that reference; the person next to them
    logs in to their own request."""
    guessed = Filer(app.test_client()).fill(Filing(email=None)).submit()
    neighbour = Filer(app.test_client()).fill(Filing(email=None)).submit()
    for attempt in range(10):
        assert login_passphrase(_from(limited_app, "198.51.100.20"), guessed.reference, f"fout {attempt}").status_code == 400
    assert login_passphrase(_from(limited_app, "198.51.100.20"), guessed.reference, guessed.passphrase).status_code == 429
    assert login_passphrase(_from(limited_app, "198.51.100.20"), neighbour.reference, neighbour.passphrase).status_code == 302


def test_t7_a_reference_under_attack_is_slowed_whatever_the_address(app, limited_app):
    """Guesses spread over many addresses still count against the reference: after 15
    (RATELIMIT_PER_REFERENCE) a new address is refused too; other references are not."""
    sub = Filer(app.test_client()).fill(Filing(email=None)).submit()
    other = Filer(app.test_client()).fill(Filing(email=None)).submit()
    for attempt in range(15):
        assert login_passphrase(_from(limited_app, f"203.0.113.{attempt + 1}"), sub.reference, "fout").status_code == 400
    assert login_passphrase(_from(limited_app, "203.0.113.200"), sub.reference, sub.passphrase).status_code == 429
    assert login_passphrase(_from(limited_app, "203.0.113.200"), other.reference, other.passphrase).status_code == 302


def test_t7_one_address_cannot_try_reference_after_reference_without_end(app, limited_app):
    """The ceiling per address (RATELIMIT_PER_ADDRESS, 30 here) over all references."""
    for attempt in range(30):
        ref = f"VT-AAAA-BBBB-{'CDEFGHJKMNPQRSTVWXYZ23456789AB'[attempt]}CCC"
        assert login_passphrase(_from(limited_app, "198.51.100.99"), ref, "fout").status_code == 400, attempt
    assert login_passphrase(_from(limited_app, "198.51.100.99"), "VT-ZZZZ-ZZZZ-ZZZZ", "fout").status_code == 429


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
