"""Shared fixtures: the app on a real database, a real SMTP server on loopback.

Database: SQLite in a temporary file by default; set TEST_DATABASE_URL to run the
same suite on PostgreSQL (`.ci/run` does, with a fresh schema per run). The schema is
made by the Alembic migrations, so the migrations are tested too.

REQUIRE_SYSTEM_PARTS=1 (set by .ci/run) turns a skip for a missing system part
(Chromium, poppler) into a failure.
"""
from __future__ import annotations

import contextlib
import email
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import threading
import time
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import create_engine, text

from portal import create_app
from portal.infra.extensions import db


def require_or_skip(condition: bool, reason: str) -> None:
    """Skip with a one-line reason, unless REQUIRE_SYSTEM_PARTS=1 (CI): then fail."""
    if condition:
        return
    if os.environ.get("REQUIRE_SYSTEM_PARTS") == "1":
        pytest.fail(f"required system part missing: {reason}")
    pytest.skip(reason)


# --- SMTP ------------------------------------------------------------------------------

class _Collector:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


class Mailbox:
    """What the loopback SMTP server received during one test."""

    def __init__(self, handler: _Collector):
        self._handler = handler
        self._start = len(handler.messages)

    @property
    def messages(self):
        return self._handler.messages[self._start:]

    def wait_for(self, count: int = 1, timeout: float = 5.0):
        end = time.time() + timeout
        while len(self.messages) < count and time.time() < end:
            time.sleep(0.02)
        assert len(self.messages) >= count, f"expected {count} e-mail(s), got {len(self.messages)}"
        return self.messages

    def to(self, address: str):
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]

    @staticmethod
    def body(msg) -> str:
        return msg.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def link(msg) -> str:
        found = re.findall(r"https?://\S+", Mailbox.body(msg))
        assert found, "no link in the e-mail"
        return found[0]


@pytest.fixture
def mailbox(smtp_server):
    return Mailbox(smtp_server[1])


# --- database --------------------------------------------------------------------------

def _database_url(tmp_path_factory) -> tuple[str, callable]:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        path = tmp_path_factory.mktemp("db") / "test.sqlite3"
        return f"sqlite:///{path}", lambda: None
    # PostgreSQL: a fresh schema for this run, dropped afterwards.
    schema = f"run_{secrets.token_hex(6)}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    scoped = f"{url}{sep}options=-csearch_path%3D{schema}"

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return scoped, drop


@pytest.fixture(scope="session")
def _app_session(tmp_path_factory, smtp_server):
    url, drop = _database_url(tmp_path_factory)
    controller, _handler = smtp_server
    # The destruction journal (portal/infra/journal.py) of this run, not the repository's instance/.
    os.environ["DESTRUCTION_JOURNAL"] = str(tmp_path_factory.mktemp("journal") / "destruction-journal.jsonl")
    # So are the access log's checkpoints, for the apps that tests build themselves too.
    os.environ["AUDIT_CHECKPOINT_PATH"] = str(tmp_path_factory.mktemp("audit") / "checkpoints.log")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SERVER_NAME": "portal.test",
        "PUBLIC_BASE_URL": "http://portal.test",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": controller.port,
        "RATELIMIT_ENABLED": False,
        "HUEY_IMMEDIATE": True,
        "AUDIT_CHECKPOINT_PATH": os.environ["AUDIT_CHECKPOINT_PATH"],
    })
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    drop()


def _empty_all_tables(app):
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def app(_app_session):
    _empty_all_tables(_app_session)
    # The destruction journal belongs to the database: emptied with it.
    journal = os.environ.get("DESTRUCTION_JOURNAL")
    if journal and os.path.exists(journal):
        os.remove(journal)
    # The access log starts empty in every test, and so do its checkpoints.
    open(_app_session.config["AUDIT_CHECKPOINT_PATH"], "w").close()
    from portal.infra.extensions import limiter

    if _app_session.config["RATELIMIT_ENABLED"]:
        with _app_session.app_context():
            limiter.reset()
    yield _app_session
    with _app_session.app_context():
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


# --- the stand-in DigiD broker (issue 11) ------------------------------------------------

STANDIN = Path(__file__).resolve().parents[1] / "digid-standin"
STANDIN_CLIENT_ID, STANDIN_CLIENT_SECRET = "vt-portal", "standin-secret"


@contextlib.contextmanager
def standin_broker(redirect_uris: str):
    """panva's oidc-provider (digid-standin/server.js) on a free loopback port, started
    and stopped here; yields its issuer. Skipped without Node.js or `npm ci`."""
    node = shutil.which("node")
    require_or_skip(node is not None, "Node.js is not installed (the stand-in DigiD broker needs it)")
    require_or_skip((STANDIN / "node_modules" / "oidc-provider").is_dir(),
                    "the stand-in DigiD broker is not installed: cd digid-standin && npm ci")
    env = {**os.environ, "STANDIN_PORT": "0", "STANDIN_CLIENT_ID": STANDIN_CLIENT_ID,
           "STANDIN_CLIENT_SECRET": STANDIN_CLIENT_SECRET, "STANDIN_REDIRECT_URIS": redirect_uris}
    proc = subprocess.Popen([node, "server.js"], cwd=STANDIN, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert line, "the stand-in DigiD broker did not start"
        yield json.loads(line)["issuer"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def digid_broker():
    """The stand-in broker for the test client (callback on http://portal.test)."""
    with standin_broker("http://portal.test/verzoek/digid/terug") as issuer:
        yield issuer


@pytest.fixture
def digid(app, digid_broker):
    """The app with DigiD configured against the stand-in broker, for one test."""
    from portal.services import eid

    saved = {k: app.config.get(k) for k in ("DIGID_ISSUER", "DIGID_CLIENT_ID", "DIGID_CLIENT_SECRET")}
    app.config.update(DIGID_ISSUER=digid_broker, DIGID_CLIENT_ID=STANDIN_CLIENT_ID,
                      DIGID_CLIENT_SECRET=STANDIN_CLIENT_SECRET)
    eid.clear_cache()
    yield digid_broker
    app.config.update(saved)
    eid.clear_cache()
