"""Threat model O10 (issue 13, finding 2): the status page's session lives on the server.
The cookie holds only a random id; logout, a new login, 2 hours from login or 30 idle
minutes end the session, and a cookie copied before then opens nothing."""
from __future__ import annotations

import hashlib
from datetime import timedelta

from portal.infra.extensions import db
from portal.models import AuditEvent, StatusSession, utcnow
from portal.services import status_sessions

from .filing import Filer, Filing
from .support import any_csrf, dbs, login_passphrase


def _cookie(app, browser) -> str:
    return browser.get_cookie(app.config["SESSION_COOKIE_NAME"], domain="portal.test").value


def _replay(app, value: str):
    """A fresh browser (another machine, a synced profile) with a copied cookie."""
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], value, domain="portal.test")
    return thief.get("/volgen/verzoek")


def _logged_in(app, client):
    sub = Filer(client).fill(Filing(email=None)).submit()
    browser = app.test_client()
    assert login_passphrase(browser, sub.reference, sub.passphrase).status_code == 302
    assert browser.get("/volgen/verzoek").status_code == 200
    return sub, browser


def _shift(app, **deltas):
    """Move every session's clock back (started_at, last_seen_at) by the given minutes."""
    with dbs(app) as s:
        for row in s.execute(db.select(StatusSession)).scalars():
            for field, minutes in deltas.items():
                setattr(row, field, getattr(row, field) - timedelta(minutes=minutes))
        s.commit()


def test_o10_a_cookie_copied_before_logout_is_refused_afterwards(client, app):
    _sub, browser = _logged_in(app, client)
    copied = _cookie(app, browser)
    assert _replay(app, copied).status_code == 200  # the copy works while the session is open
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    assert browser.post("/volgen/uitloggen", data={"csrf_token": any_csrf(page)}).status_code == 302
    resp = _replay(app, copied)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/volgen")
    with dbs(app) as s:
        assert s.execute(db.select(db.func.count()).select_from(StatusSession)).scalar_one() == 0
        assert s.execute(db.select(AuditEvent).filter_by(action="status.logout")).scalars().all()


def test_o10_a_new_login_with_the_same_reference_ends_the_earlier_session(client, app):
    sub, browser = _logged_in(app, client)
    copied = _cookie(app, browser)
    again = app.test_client()
    assert login_passphrase(again, sub.reference, sub.passphrase).status_code == 302
    assert _replay(app, copied).status_code == 302
    assert browser.get("/volgen/verzoek").status_code == 302
    assert again.get("/volgen/verzoek").status_code == 200


def test_o10_a_session_ends_two_hours_after_login_however_busy(client, app):
    _sub, browser = _logged_in(app, client)
    _shift(app, started_at=119)
    assert browser.get("/volgen/verzoek").status_code == 200  # used a second ago: not idle
    _shift(app, started_at=1)
    resp = browser.get("/volgen/verzoek")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/volgen")


def test_o10_a_session_ends_after_30_idle_minutes(client, app):
    _sub, browser = _logged_in(app, client)
    _shift(app, started_at=29, last_seen_at=29)
    assert browser.get("/volgen/verzoek").status_code == 200  # the use starts the idle time again
    _shift(app, started_at=30, last_seen_at=30)
    assert browser.get("/volgen/verzoek").status_code == 302


def test_o10_the_cookie_holds_an_id_and_the_database_only_its_hash(client, app):
    sub, browser = _logged_in(app, client)
    with app.app_context():
        data = app.session_interface.get_signing_serializer(app).loads(_cookie(app, browser))
    session_id = data["status"]
    assert isinstance(session_id, str) and sub.reference not in str(data)
    with dbs(app) as s:
        [row] = s.execute(db.select(StatusSession)).scalars().all()
        assert row.token_hash == hashlib.sha256(session_id.encode()).hexdigest()
        assert session_id not in str([getattr(row, c.name) for c in StatusSession.__table__.columns])


def test_o10_the_hourly_job_deletes_ended_sessions(client, app):
    from portal.services.tasks import purge_hourly

    _sub, browser = _logged_in(app, client)
    other = app.test_client()
    sub2 = Filer(client).fill(Filing(email=None)).submit()
    login_passphrase(other, sub2.reference, sub2.passphrase)
    with dbs(app) as s:  # the first session is 3 hours old, the second fresh
        first = s.execute(db.select(StatusSession).order_by(StatusSession.id)).scalars().first()
        first.started_at = first.last_seen_at = utcnow() - timedelta(hours=3)
        s.commit()
    with app.app_context():
        purge_hourly.call_local()  # the job itself, as the consumer runs it every hour
    with dbs(app) as s:
        assert s.execute(db.select(db.func.count()).select_from(StatusSession)).scalar_one() == 1
    assert other.get("/volgen/verzoek").status_code == 200
    with app.app_context():
        assert status_sessions.purge_expired(utcnow() + timedelta(hours=3)) == 1
