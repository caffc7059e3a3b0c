"""Purges of the portal's own records (art. 9, last paragraph of DOMAIN.md "Retention"):
unconfirmed requests with their uploads, and abandoned drafts. Each purge writes one
access-log entry with how many records it removed, never what they held."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from ..infra.extensions import db
from ..models import Draft, Request, utcnow
from ..rules.status import RequestStatus
from . import audit


def purge_unconfirmed(now: datetime | None = None) -> int:
    """Delete requests whose e-mail address was not confirmed in time, with their
    uploads (cascade). Returns how many were removed."""
    now = now or utcnow()
    stale = db.session.execute(
        db.select(Request).where(Request.status == RequestStatus.AWAITING_EMAIL.value, Request.purge_after < now)
    ).scalars().all()
    for req in stale:
        db.session.delete(req)
    audit.record("purge.unconfirmed_requests", actor="system", actor_role="system", object_type="request",
                 reason=f"unconfirmed after {current_app.config['UNCONFIRMED_PURGE_DAYS']} days: removed {len(stale)}")
    db.session.commit()
    return len(stale)


def purge_drafts(now: datetime | None = None) -> int:
    """Delete drafts (and their uploads) not touched for DRAFT_PURGE_HOURS."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=current_app.config["DRAFT_PURGE_HOURS"])
    stale = db.session.execute(db.select(Draft).where(Draft.updated_at < cutoff)).scalars().all()
    for draft in stale:
        db.session.delete(draft)
    audit.record("purge.drafts", actor="system", actor_role="system", object_type="draft",
                 reason=f"untouched for {current_app.config['DRAFT_PURGE_HOURS']} hours: removed {len(stale)}")
    db.session.commit()
    return len(stale)
