"""The access log (art. 7.5): one entry per read or change of personal data.

Called inside the service's own transaction, so an action and its log entry are
stored together or not at all. Entries are hash-chained: `verify_chain()` finds any
entry changed or removed after the fact.
"""
from __future__ import annotations

import hmac
import logging

from flask import current_app

from ..infra.extensions import db
from ..models import AuditEvent, utcnow

log = logging.getLogger(__name__)
GENESIS = "0" * 64
AUDIT_LOCK_KEY = 7_500_001


def record(
    action: str,
    *,
    actor: str,
    actor_role: str,
    object_type: str | None = None,
    object_id: str | int | None = None,
    subject_ref: str | None = None,
    reason: str | None = None,
    outcome: str = "ok",
) -> AuditEvent:
    """Add one access-log entry to the current transaction (the caller commits)."""
    if db.session.get_bind().dialect.name == "postgresql":
        # Serialise writers until commit so two entries never share a predecessor.
        db.session.execute(db.text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})
    last = db.session.execute(
        db.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    event = AuditEvent(
        at=utcnow(),
        actor=actor,
        actor_role=actor_role,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        subject_ref=subject_ref,
        reason=reason,
        outcome=outcome,
        prev_hash=last or GENESIS,
    )
    event.hash = event.compute_hash(_key())
    db.session.add(event)
    db.session.flush()
    return event


def _key() -> bytes:
    return current_app.config["AUDIT_HMAC_KEY"].encode()


def verify_chain() -> tuple[bool, int | None]:
    """Walk the log in order; return (True, None) or (False, id of the first entry
    that was altered, or that follows a removed or reordered one)."""
    prev = GENESIS
    key = _key()
    for event in db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id)).scalars():
        if event.prev_hash != prev or not hmac.compare_digest(event.compute_hash(key), event.hash):
            return False, event.id
        prev = event.hash
    return True, None
