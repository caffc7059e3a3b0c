"""Status-page sessions kept on the server (threat model O10; issue 13).

The browser's signed cookie holds only a random session id (32 bytes); the session
itself is a row (StatusSession) that holds the id's SHA-256, the request and the
person. So the server decides when a session ends, not the cookie:

- logout deletes the row: a copy of the cookie taken before opens nothing afterwards;
- a new login of the same person to the same request ends their earlier sessions;
- a session ends 2 hours after login (absolute: use does not extend it) and after 30
  idle minutes;
- the hourly job deletes ended sessions (``purge_expired``).

``begin`` adds to the caller's transaction (the login's, with its access-log entry);
``resume``, ``end`` and ``purge_expired`` are one transaction each.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from ..infra.extensions import db
from ..models import Party, Request, StatusSession, utcnow
from . import audit


@dataclass(frozen=True)
class Resumed:
    """An open status session: the request's reference and the person it is for."""

    reference: str
    party_id: int


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _limits() -> tuple[timedelta, timedelta]:
    cfg = current_app.config
    return timedelta(minutes=cfg["STATUS_SESSION_MAX_MINUTES"]), timedelta(minutes=cfg["STATUS_SESSION_IDLE_MINUTES"])


def _ended(row: StatusSession, now: datetime) -> bool:
    absolute, idle = _limits()
    return now - row.started_at >= absolute or now - row.last_seen_at >= idle


def begin(req: Request, party: Party) -> str:
    """Start a session for this person on this request, in the caller's transaction,
    ending any earlier session of theirs. Returns the id for the cookie (never stored)."""
    db.session.execute(db.delete(StatusSession).where(StatusSession.request_id == req.id,
                                                      StatusSession.party_id == party.id))
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(StatusSession(token_hash=_hash(session_id), request_id=req.id, party_id=party.id,
                                 started_at=now, last_seen_at=now))
    return session_id


def _row(session_id: object) -> StatusSession | None:
    if not isinstance(session_id, str) or not 16 <= len(session_id) <= 100:
        return None
    return db.session.execute(
        db.select(StatusSession).filter_by(token_hash=_hash(session_id))).scalar_one_or_none()


def resume(session_id: object) -> Resumed | None:
    """The session this cookie's id names, if it is still open; records the use (idle
    time starts again; the 2 hours from login do not). None when it has ended."""
    row = _row(session_id)
    if row is None:
        return None
    now = utcnow()
    req = db.session.get(Request, row.request_id)
    if _ended(row, now) or req is None:
        db.session.delete(row)
        db.session.commit()
        return None
    row.last_seen_at = now
    db.session.commit()
    return Resumed(req.reference, row.party_id)


def reference_of(session_id: object) -> str:
    """The reference an open session is for, without recording a use ("" if none):
    for keeping rate limits per reference (portal/public/limits.py)."""
    row = _row(session_id)
    if row is None or _ended(row, utcnow()):
        return ""
    req = db.session.get(Request, row.request_id)
    return req.reference if req is not None else ""


def end(session_id: object) -> bool:
    """Logout: delete the session, so no copy of the cookie opens anything again."""
    row = _row(session_id)
    if row is None:
        return False
    req = db.session.get(Request, row.request_id)
    db.session.delete(row)
    if req is not None:
        audit.record("status.logout", actor="requester", actor_role="public", object_type="request",
                     object_id=req.id, subject_ref=req.reference, reason="logout")
    db.session.commit()
    return True


def purge_expired(now: datetime | None = None) -> int:
    """Delete every session past its 2 hours or its 30 idle minutes (the hourly job)."""
    now = now or utcnow()
    absolute, idle = _limits()
    result = db.session.execute(db.delete(StatusSession).where(
        (StatusSession.started_at <= now - absolute) | (StatusSession.last_seen_at <= now - idle)))
    db.session.commit()
    return result.rowcount or 0
