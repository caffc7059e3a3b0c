"""Operating the portal (issue 14): liveness and readiness for the monitoring (the
database, Redis when configured, the job consumer's heartbeat and the queue's lag),
revealing no personal data and no versions; "not ready" when PostgreSQL or Redis is
down; the plain error page, never a stack trace; and one JSON line per request that
holds no personal data, no token and no reference (art. 7.5 keeps who saw what in the
access log, not in the server's log)."""
from __future__ import annotations

import json
import logging

import pytest

from portal import create_app
from portal.infra import health, jobs

from .filing import Filer, Filing

DOWN = "postgresql+psycopg://postgres@127.0.0.1:1/nothing"  # a closed port: PostgreSQL is down
REDIS_DOWN = "redis://127.0.0.1:1/14"
#: A second app binds the shared extensions again (Flask-Limiter takes RATELIMIT_ENABLED from
#: the last app it was given): the test app's setting, so that nothing leaks into other tests.
SAME = {"RATELIMIT_ENABLED": False}


def test_liveness_and_readiness_say_nothing_about_people_or_versions(client):
    live = client.get("/health/live")
    assert live.status_code == 200 and live.get_json() == {"status": "alive"}
    ready = client.get("/health/ready")
    body = ready.get_json()
    assert ready.status_code == 200 and body["status"] == "ready" and body["checks"]["database"] == "ok"
    assert set(body["checks"]) <= {"database", "redis", "redis1", "consumer", "queue_waiting", "queue_lag_seconds",
                                   "jobs_failed"}
    raw = ready.get_data(as_text=True).lower()
    for word in ("version", "flask", "python", "postgres", "sqlite", "werkzeug", "@"):
        assert word not in raw
    assert "Set-Cookie" not in ready.headers and "Set-Cookie" not in live.headers


def test_readiness_is_not_ready_when_postgresql_or_redis_is_down(app):
    broken = create_app({**SAME, "TESTING": True, "SQLALCHEMY_DATABASE_URI": DOWN, "RATELIMIT_STORAGE_URI": REDIS_DOWN,
                         "SECRET_KEY": app.config["SECRET_KEY"]})
    resp = broken.test_client().get("/health/ready")
    body = resp.get_json()
    assert resp.status_code == 503 and body["status"] == "not ready"
    assert body["checks"]["database"] == "down" and body["checks"]["redis"] == "down"
    # The live one still answers: the process is up, its dependencies are not.
    assert broken.test_client().get("/health/live").status_code == 200


def test_readiness_checks_the_redis_on_loopback_when_configured(app):
    with_redis = create_app({**SAME, "TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                             "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14"})
    body = with_redis.test_client().get("/health/ready").get_json()
    if body["checks"].get("redis") == "down":
        pytest.skip("no Redis on 127.0.0.1:6379")
    assert body["status"] == "ready" and body["checks"]["redis"] == "ok"


def test_with_the_database_down_a_page_shows_the_plain_error_page(app):
    broken = create_app({**SAME, "SQLALCHEMY_DATABASE_URI": DOWN, "WTF_CSRF_ENABLED": False,
                         "SECRET_KEY": app.config["SECRET_KEY"]})
    logging.disable(logging.CRITICAL)
    try:
        resp = broken.test_client().post("/volgen/wachtzin", data={"p-reference": "VT-ABCD-EFGH-JKMN",
                                                                   "p-passphrase": "een twee drie vier vijf zes"})
    finally:
        logging.disable(logging.NOTSET)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 500 and "Er ging iets mis" in html and 'id="quick-exit"' in html
    for leak in ("Traceback", "psycopg", "OperationalError", "sqlalchemy", "127.0.0.1:1"):
        assert leak not in html


def test_the_consumer_heartbeat_and_failed_jobs_are_counted(app):
    before = health.queue_state()
    with app.app_context():
        health.heartbeat()  # as the consumer runs it every minute (immediate in tests)

        @jobs.huey.task()
        def fails_on_purpose():
            raise RuntimeError("made-up failure")

        fails_on_purpose()
    state = health.queue_state()
    assert state.consumer == "ok" and state.lag_seconds is not None and state.lag_seconds >= 0
    assert state.failed == before.failed + 1 and state.last_failed_task.endswith("fails_on_purpose")


def _records(caplog) -> list[dict]:
    return [json.loads(logging.getLogger("portal.request").handlers[0].format(r))
            for r in caplog.records if r.name == "portal.request"]


def test_request_logs_are_json_without_personal_data_tokens_or_references(client, app, mailbox, caplog):
    logging.getLogger("portal.request").addHandler(caplog.handler)  # it does not propagate to the root
    person = Filing()
    sub = Filer(client).fill(person).submit()
    [msg] = mailbox.wait_for(1)
    path = mailbox.link(msg).split("portal.test", 1)[1]
    Filer(client).post(path, {})  # the confirm link: a token in the path
    client.get(f"/volgen/link/{path.rsplit('/', 1)[-1]}")  # a token where a reference is expected
    client.get(f"/nergens/{sub.reference}")  # no route: the path is not logged either
    logging.getLogger("portal.request").removeHandler(caplog.handler)
    records = _records(caplog)
    assert len(records) >= 5
    for rec in records:
        assert set(rec) == {"ts", "level", "event", "method", "route", "endpoint", "status", "ms", "request_id"}
    text = "\n".join(json.dumps(r) for r in records)
    token = path.rsplit("/", 1)[-1]
    for needle in (sub.reference, token, person.requester.given_names, person.requester.surname,
                   person.email, "wachtzin=", "?"):
        assert needle and needle not in text, needle
    assert any(r["route"] == "/bevestigen/<token>" for r in records)
    assert any(r["route"] == "(no route)" and r["status"] == 404 for r in records)


def test_the_functional_administrator_sees_the_queue_state(app):
    """Waiting and failed jobs and the last heartbeat, on a back-office page behind the
    account-management permission."""
    from tests.backoffice.conftest import log_in

    from portal.infra.extensions import db
    from portal.models import Staff, utcnow

    with app.app_context():
        admin = Staff(username="beheer-jobs", display_name="Beheer", role="functional_admin", password_hash="x",
                      confidentiality_recorded_at=utcnow())
        worker = Staff(username="mw-jobs", display_name="Mw", role="caseworker", password_hash="x",
                       confidentiality_recorded_at=utcnow())
        db.session.add_all([admin, worker])
        db.session.commit()
        ids = admin.id, worker.id
        db.session.remove()
    c = app.test_client()
    log_in(c, app, ids[0])
    with app.app_context():
        health.heartbeat()
    html = c.get("/backoffice/beheer/achtergrondtaken").get_data(as_text=True)
    assert 'id="consumer-state"' in html and "De taakverwerker werkt" in html
    assert 'id="jobs-waiting"' in html and 'id="jobs-failed"' in html
    other = app.test_client()
    log_in(other, app, ids[1])
    assert other.get("/backoffice/beheer/achtergrondtaken").status_code == 403
