"""Page helpers for the staff login and administration pages (as SecureDrop's
app_navigators): a label or URL change is one edit here, not in every test."""
from __future__ import annotations

import re
import time

import pyotp
from argon2 import PasswordHasher

from portal.infra.extensions import db
from portal.models import Staff, utcnow

CSRF_RE = re.compile(r'name="(?:[\w-]*-)?csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "correct horse battery staple 42"  # as in tests/backoffice/conftest.py
GENERIC_LOGIN_ERROR = "De gebruikersnaam of het wachtwoord klopt niet, of het account is tijdelijk geblokkeerd."
GENERIC_CODE_ERROR = "De code klopt niet of is al gebruikt"

LOGIN = "/backoffice/login"
TOTP = "/backoffice/totp"
TOTP_SETUP = "/backoffice/totp/instellen"
ACCOUNT = "/backoffice/account"
PASSWORD_PAGE = "/backoffice/account/wachtwoord"
LOGOUT = "/backoffice/uitloggen"


def csrf(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def page_csrf(client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code, resp.headers.get("Location"))
    return csrf(resp.get_data(as_text=True))


def login_password(client, username: str, password: str = PASSWORD):
    token = page_csrf(client, LOGIN)
    return client.post(LOGIN, data={"csrf_token": token, "username": username, "password": password})


def submit_code(client, code: str):
    token = page_csrf(client, TOTP)
    return client.post(TOTP, data={"csrf_token": token, "totp-code": code})


def submit_recovery(client, code: str):
    token = page_csrf(client, TOTP)
    return client.post(TOTP, data={"csrf_token": token, "recovery-recovery_code": code})


def logout(client):
    token = page_csrf(client, ACCOUNT)
    return client.post(LOGOUT, data={"csrf_token": token})


def secret_of(app, staff_id: int) -> str:
    """The TOTP secret as stored: encrypted by the Vault, decrypted here."""
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        return app.extensions["vault"].decrypt_text(staff.totp_secret_enc)


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def give_second_factor(app, staff_id: int) -> str:
    """Set a confirmed TOTP secret directly (the set-up pages are tested on their own)."""
    secret = pyotp.random_base32()
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        staff.totp_secret_enc = app.extensions["vault"].encrypt_text(secret)
        staff.totp_confirmed_at = utcnow()
        db.session.commit()
    return secret


def username_of(app, staff_id: int) -> str:
    with app.app_context():
        return db.session.get(Staff, staff_id).username


def staff_row(app, staff_id: int) -> dict:
    with app.app_context():
        s = db.session.get(Staff, staff_id)
        return {c.name: getattr(s, c.name) for c in Staff.__table__.columns}


def update_staff(app, staff_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(db.update(Staff).where(Staff.id == staff_id).values(**values))
        db.session.commit()


def full_login(client, app, staff_id: int, *, offset_steps: int = 0):
    """Password and TOTP through the real pages; returns the TOTP answer."""
    secret = secret_of(app, staff_id)
    resp = login_password(client, username_of(app, staff_id))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(TOTP), resp.status_code
    return submit_code(client, code_at(secret, offset_steps))


def is_login_redirect(resp) -> bool:
    return resp.status_code == 302 and "/backoffice/login" in resp.headers.get("Location", "")


WEAK_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
