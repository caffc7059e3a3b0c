"""Helpers for the app-level tests: dates relative to today, short database looks,
decrypting stored documents, and reading pages. No assertions about the app here
beyond what a helper needs to do its job."""
from __future__ import annotations

import io
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pikepdf
from PIL import Image

from portal.infra.extensions import db
from portal.models import Document, Draft, DraftUpload, Request
from portal.rules.eligibility import age_on
from portal.services import drafts
from portal.services.requests import today_local

REFERENCE_RE = re.compile(r"^VT-[ABCDEFGHJKMNPQRSTVWXYZ23456789]{4}(-[ABCDEFGHJKMNPQRSTVWXYZ23456789]{4}){2}$")
ANY_CSRF_RE = re.compile(r'name="(?:[\w-]*-)?csrf_token"[^>]*value="([^"]+)"')


# --- dates ------------------------------------------------------------------------------

def today(app) -> date:
    """The day of receipt as the app sees it (Europe/Amsterdam)."""
    with app.app_context():
        return today_local()


def years_ago(n: int, on: date) -> date:
    """The birth date of someone who turns `n` on `on` (or turned n already, when
    `on` is 29 February and that day does not exist n years back: then 28 February)."""
    try:
        born = on.replace(year=on.year - n)
    except ValueError:  # 29 February -> a common year
        born = date(on.year - n, 2, 28)
    assert age_on(born, on) == n
    return born


def day_before_birthday(n: int, on: date) -> date:
    """The birth date of someone who is n-1 on `on` and turns n tomorrow (or soon)."""
    born = years_ago(n, on) + timedelta(days=1)
    assert age_on(born, on) == n - 1
    return born


def dmy(d: date) -> str:
    return d.strftime("%d-%m-%Y")


# --- database ---------------------------------------------------------------------------

@contextmanager
def dbs(app):
    """A short-lived session for looking at (or changing) stored state between requests.
    Closed at once, so SQLite never holds a lock while the app writes."""
    with app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()


def count(app, model, **filters) -> int:
    with dbs(app) as s:
        q = db.select(db.func.count()).select_from(model)
        for k, v in filters.items():
            q = q.where(getattr(model, k) == v)
        return s.execute(q).scalar_one()


def request_by_ref(s, reference: str) -> Request:
    return s.execute(db.select(Request).filter_by(reference=reference)).scalar_one()


def nothing_stored(app) -> dict:
    """Counts of everything a failed step must not leave behind."""
    return {
        "requests": count(app, Request),
        "documents": count(app, Document),
        "draft_uploads": count(app, DraftUpload),
    }


def draft_state(app, client) -> tuple[dict, dict]:
    """(the draft's answers, {slot: sha256} of its uploads) for this browser."""
    with client.session_transaction() as sess:
        draft_id = sess.get("draft")
    with dbs(app):
        _row, answers = drafts.load(draft_id)
        slots = {k: v.sha256 for k, v in drafts.upload_slots(draft_id).items()}
    return answers, slots


def draft_count(app) -> int:
    return count(app, Draft)


def decrypt(app, ciphertext: bytes) -> bytes:
    return app.extensions["vault"].decrypt(ciphertext)


def assert_valid_image(data: bytes, fmt: str = "JPEG") -> Image.Image:
    im = Image.open(io.BytesIO(data))
    assert im.format == fmt
    im.load()
    return im


def assert_valid_pdf(data: bytes) -> None:
    assert data.startswith(b"%PDF-")
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) >= 1


# --- pages ------------------------------------------------------------------------------

def any_csrf(html: str) -> str:
    m = ANY_CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def path_of(link: str) -> str:
    """The path of a link in an e-mail (the test app's SERVER_NAME is portal.test)."""
    assert link.startswith("http://portal.test/"), link
    return link.split("portal.test", 1)[1]


def main_text(html: str) -> str:
    """What a page says, without the CSRF token (which differs per response)."""
    return ANY_CSRF_RE.sub('value="CSRF"', html)


def open_status_session(client, reference: str, party_id: int) -> str:
    """A status-page login for this person, as the passphrase or link login makes one:
    a session row on the server and its id in the test client's cookie."""
    from portal.models import Party
    from portal.services import status_sessions

    with dbs(client.application) as s:
        req = request_by_ref(s, reference)
        session_id = status_sessions.begin(req, s.get(Party, party_id))
        s.commit()
    with client.session_transaction() as sess:
        sess["status"] = session_id
    return session_id


def login_passphrase(client, reference: str, passphrase: str):
    token = any_csrf(client.get("/volgen").get_data(as_text=True))
    return client.post("/volgen/wachtzin", data={"csrf_token": token, "p-reference": reference, "p-passphrase": passphrase})


def ask_status_link(client, reference: str, email: str = "sanne@example.org"):
    token = any_csrf(client.get("/volgen").get_data(as_text=True))
    return client.post("/volgen/link", data={"csrf_token": token, "l-reference": reference, "l-email": email})


# --- the app's own messages ---------------------------------------------------------------
# Wording is edited by others (B1 copy work); where the app keeps a message in a table,
# the tests take it from there, so they check that *the* message for this case is shown.

def upload_message(app, code: str, lang: str = "nl") -> str:
    from portal.public.views import UPLOAD_MESSAGES

    return _text(app, UPLOAD_MESSAGES[code], lang)


def join_message(app, code: str, lang: str = "nl") -> str:
    from portal.public.views import JOIN_ERRORS

    return _text(app, JOIN_ERRORS[code], lang)


def _text(app, lazy, lang: str) -> str:
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(lang):
        return str(lazy)


def page_text(resp) -> str:
    """The page as text with entities decoded (messages may hold quotes)."""
    import html as htmlmod

    return htmlmod.unescape(resp.get_data(as_text=True))


def long_date(app, d, lang: str = "nl") -> str:
    """A date as the pages show it ('3 maart 2026')."""
    from flask_babel import force_locale, format_date

    with app.test_request_context(), force_locale(lang):
        return format_date(d, "long")


def neutral_status_page(html: str) -> str:
    """A status page without what differs between any two requests: the reference, the
    dates and times, the CSRF token."""
    html = re.sub(r"VT-[A-Z0-9-]+", "REF", html)
    html = re.sub(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"([^>]*name="csrf_token")', "CSRF", html)
    html = re.sub(r'datetime="[^"]*"', "", html)
    html = re.sub(r"<time[^>]*>[^<]*</time>", "<time></time>", html)
    html = re.sub(r"\b\d{1,2} [a-z]+ \d{4}( \d{2}:\d{2})?", "DATE", html)
    return html
