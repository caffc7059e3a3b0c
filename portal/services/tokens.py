"""Signed links (itsdangerous), one salt per purpose, single use, expiring.

A link carries a random token id (jti) and the object it is for, encrypted with the
Vault before it is signed: nobody who sees the link (a mail server, a browser history,
someone reading over a shoulder) can read the reference in it. Using a link records
its jti in UsedToken, so a second use fails.
"""
from __future__ import annotations

import json
import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from ..infra.crypto import VaultError
from ..infra.extensions import db
from ..models import UsedToken

# One salt per purpose: a token made for one purpose is worthless for another.
SALTS = {
    "email-confirm": "vt-portal/email-confirm/v1",
    "status-link": "vt-portal/status-link/v1",
    "invitation": "vt-portal/invitation/v1",
}


class TokenInvalid(Exception):
    """The link is broken, forged, used before, or expired. `reason` says which."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALTS[purpose])


def make(purpose: str, payload: dict) -> str:
    sealed = current_app.extensions["vault"].encrypt(json.dumps({**payload, "j": secrets.token_urlsafe(16)}).encode())
    return _serializer(purpose).dumps(sealed.decode())


def read(purpose: str, token: str, max_age: int) -> dict:
    """Check signature and age; does not mark the token used (see consume)."""
    if not token or len(token) > 1000:
        raise TokenInvalid("malformed")
    try:
        sealed = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise TokenInvalid("expired") from None
    except BadSignature:
        raise TokenInvalid("invalid") from None
    try:
        payload = json.loads(current_app.extensions["vault"].decrypt(sealed.encode()))
    except (VaultError, ValueError, AttributeError):
        raise TokenInvalid("invalid") from None
    if not isinstance(payload, dict):
        raise TokenInvalid("invalid")
    return payload


def consume(purpose: str, payload: dict) -> None:
    """Mark the token used in the current transaction; raise if it was used before."""
    jti = payload.get("j")
    if not isinstance(jti, str):
        raise TokenInvalid("invalid")
    exists = db.session.execute(db.select(UsedToken.id).filter_by(purpose=purpose, jti=jti)).first()
    if exists:
        raise TokenInvalid("used")
    db.session.add(UsedToken(purpose=purpose, jti=jti))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise TokenInvalid("used") from None


def reference_in(purpose: str, token: str) -> str:
    """The reference a link of this purpose names, if its signature holds (at any age,
    used or not), else "". For keeping rate limits per reference; never a login."""
    try:
        payload = read(purpose, token, max_age=10 * 365 * 24 * 3600)
    except TokenInvalid:
        return ""
    ref = payload.get("r")
    return ref if isinstance(ref, str) else ""
