"""Browser fixtures: the portal served live on loopback, a neutral site to quick-exit to,
and Debian's Chromium driven through Playwright.

The live app is a second app from create_app() with the SAME database and SMTP server
as the session app of tests/conftest.py (so a test can inspect the database with the
`app` fixture and read e-mail with `mailbox`), but without SERVER_NAME and with
PUBLIC_BASE_URL pointing at the live server. The `live_server` fixture depends on `app`,
so every browser test starts with empty tables, as the other tests do.

One browser per session; every test gets its own context (cookies) and page. Nothing is
downloaded: Chromium is the system one. A missing Chromium (or Playwright) skips with a
one-line reason, and fails when REQUIRE_SYSTEM_PARTS=1.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal import create_app
from portal.infra.extensions import db
from tests.conftest import chromium_path, require_or_skip

from .navigator import Navigator

HERE = Path(__file__).resolve().parent

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Fail fast: a missing element is a failure in seconds, not after Playwright's 30 s.
DEFAULT_TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


# --- a neutral site on loopback (the quick exit goes there) -----------------------------

NEUTRAL_HTML = (b"<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>Het weer</title></head>"
                b"<body><h1>Het weer</h1><p id='neutral'>neutral</p></body></html>")


class _NeutralHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.seen.append((self.path, self.headers.get("Referer")))
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(NEUTRAL_HTML)))
        self.end_headers()
        self.wfile.write(NEUTRAL_HTML)

    def log_message(self, *args):
        pass


@dataclass(frozen=True)
class NeutralSite:
    base_url: str
    seen: list  # (path, Referer header) of every request, oldest first

    @property
    def before_url(self) -> str:
        """Where a test's tab is before it opens the portal (so there is a 'before')."""
        return f"{self.base_url}/voor"

    @property
    def exit_url(self) -> str:
        """The live app's QUICK_EXIT_URL."""
        return f"{self.base_url}/weer"


@pytest.fixture(scope="session")
def neutral_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NeutralHandler)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, name="neutral-site", daemon=True)
    thread.start()
    yield NeutralSite(f"http://127.0.0.1:{server.server_port}", server.seen)
    server.shutdown()
    server.server_close()
    thread.join(5)


# --- the live portal -------------------------------------------------------------------

@dataclass
class LiveServer:
    app: object          # the live Flask app (serves the browser)
    base_url: str
    neutral: NeutralSite

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def translator(self, lang: str):
        """gettext in `lang` through the live app's own catalogues: the English labels
        the browser sees are the ones the tests look for, compiled or not."""
        from flask_babel import force_locale, gettext

        def t(msgid: str) -> str:
            with self.app.test_request_context("/"), force_locale(lang):
                return gettext(msgid)

        return t


@pytest.fixture(scope="session")
def _live_server(_app_session, smtp_server, neutral_site):
    controller, _handler = smtp_server
    session_cfg = _app_session.config
    live = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": session_cfg["SQLALCHEMY_DATABASE_URI"],
        "SERVER_NAME": None,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": controller.port,
        "RATELIMIT_ENABLED": False,
        "HUEY_IMMEDIATE": True,
        "AUDIT_CHECKPOINT_PATH": session_cfg["AUDIT_CHECKPOINT_PATH"],
        "QUICK_EXIT_URL": neutral_site.exit_url,
    })
    server = make_server("127.0.0.1", 0, live, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    live.config["PUBLIC_BASE_URL"] = base_url
    thread = threading.Thread(target=server.serve_forever, name="live-portal", daemon=True)
    thread.start()
    yield LiveServer(live, base_url, neutral_site)
    server.shutdown()
    server.server_close()
    thread.join(5)
    with live.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(app, _live_server):
    """The live portal, on tables emptied for this test (through the `app` fixture)."""
    return _live_server


# --- Chromium ----------------------------------------------------------------------------

def _chromium_executable() -> str | None:
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else chromium_path()


@pytest.fixture(scope="session")
def browser():
    path = _chromium_executable()
    require_or_skip(path is not None, "Chromium not found: apt-get install chromium (browser tests)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip(False, "Playwright (Python) is not installed: pip install -e '.[test]'")
    pw = sync_playwright().start()
    try:
        chromium = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
    except Exception as exc:  # noqa: BLE001 (any launch failure is the same to the suite)
        pw.stop()
        first_line = (str(exc).strip().splitlines() or ["unknown error"])[0]
        require_or_skip(False, f"Chromium at {path} did not start: {first_line}")
    yield chromium
    chromium.close()
    pw.stop()


@pytest.fixture(scope="session")
def axe():
    """axe-core (bundled with axe-playwright-python; nothing is downloaded)."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        require_or_skip(False, "axe-playwright-python is not installed: pip install -e '.[test]'")
    return Axe()


@pytest.fixture
def new_context(browser):
    """Make a fresh browser context (own cookies, own history); closed after the test."""
    made = []

    def make(**kwargs):
        ctx = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", **kwargs)
        ctx.set_default_timeout(DEFAULT_TIMEOUT_MS)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def nav(page, live_server):
    """A navigator for the test's page, in Dutch."""
    return Navigator(page, live_server.base_url, t=live_server.translator("nl"))
