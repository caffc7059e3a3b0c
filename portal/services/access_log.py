"""Reading the access log (art. 7.5): the privacy officer searches it by person (the
request reference whose data was touched), by staff member and by date, and exports
it as CSV. Reading the log is itself logged."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..infra.extensions import db
from ..models import AuditEvent
from ..rules.permissions import Permission
from . import audit, authz
from .authz import Actor

PAGE_SIZE = 100
EXPORT_LIMIT = 100_000
CSV_FIELDS = ("id", "at", "actor", "actor_role", "action", "object_type", "object_id", "subject_ref", "reason", "outcome")


@dataclass(frozen=True)
class LogQuery:
    subject_ref: str | None = None
    actor: str | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        parts = [f"{k}={v}" for k, v in self.__dict__.items() if v]
        return ("search " + " ".join(parts))[:200] if parts else "search all"


@dataclass(frozen=True)
class LogPage:
    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def _select(q: LogQuery):
    stmt = db.select(AuditEvent)
    if q.subject_ref:
        stmt = stmt.where(AuditEvent.subject_ref == q.subject_ref)
    if q.actor:
        stmt = stmt.where(AuditEvent.actor == q.actor)
    if q.action:
        stmt = stmt.where(AuditEvent.action.startswith(q.action))
    if q.date_from:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(q.date_from, time.min))
    if q.date_to:
        stmt = stmt.where(AuditEvent.at < datetime.combine(q.date_to + timedelta(days=1), time.min))
    return stmt


def search(actor: Actor, q: LogQuery, page: int = 1) -> LogPage:
    authz.require(actor, Permission.AUDIT_VIEW)
    stmt = _select(q)
    total = db.session.execute(db.select(db.func.count()).select_from(stmt.subquery())).scalar_one()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    events = db.session.execute(
        stmt.order_by(AuditEvent.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).scalars().all()
    audit.record("audit.search", actor=actor.label, actor_role=actor.role.value, object_type="audit_event",
                 subject_ref=q.subject_ref, reason=q.describe())
    db.session.commit()
    return LogPage(events, page, pages, total)


def export_csv(actor: Actor, q: LogQuery) -> str:
    authz.require(actor, Permission.AUDIT_EXPORT)
    rows = db.session.execute(_select(q).order_by(AuditEvent.id).limit(EXPORT_LIMIT)).scalars().all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for e in rows:
        writer.writerow([csv_cell(getattr(e, f).isoformat() + "Z" if f == "at" else getattr(e, f)) for f in CSV_FIELDS])
    audit.record("audit.export", actor=actor.label, actor_role=actor.role.value, object_type="audit_event",
                 subject_ref=q.subject_ref, reason=q.describe())
    db.session.commit()
    return out.getvalue()


def csv_cell(value):
    """No spreadsheet formulas from log text (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
