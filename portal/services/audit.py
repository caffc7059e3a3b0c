"""The access log (art. 7.5): one entry per read or change of personal data.

Called inside the service's own transaction, so an action and its log entry are
stored together or not at all. Entries are hash-chained: `verify_chain()` finds any
entry changed or removed after the fact. The end of the chain is anchored outside the
database by signed checkpoints (portal/infra/checkpoints.py): after a commit that added
entries, once AUDIT_CHECKPOINT_EVERY entries have been added since the newest
checkpoint, and every few minutes from the hourly jobs' module (tasks.py). `verify()`
checks the chain against every checkpoint and names what is missing.
"""
from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from ..infra import checkpoints
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
    db.session.info["audit_recorded"] = True
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


# --- checkpoints: the end of the log, anchored outside the database ---------------------------

def _checkpoint_key() -> bytes:
    return current_app.config["AUDIT_CHECKPOINT_KEY"].encode()


def _checkpoint_path() -> str:
    return current_app.config["AUDIT_CHECKPOINT_PATH"]


def _head(conn, after: checkpoints.Checkpoint | None) -> tuple[int, int | None, str]:
    """(count, id, hash) of the log's newest committed entry. Counts from the newest
    checkpoint when there is one, so the table is not counted whole on every commit."""
    table = AuditEvent.__table__
    last = conn.execute(db.select(table.c.id, table.c.hash).order_by(table.c.id.desc()).limit(1)).first()
    if last is None:
        return 0, None, GENESIS
    if after is not None and after.head_id is not None and after.head_id <= last.id:
        added = conn.execute(db.select(db.func.count()).select_from(table).where(table.c.id > after.head_id)).scalar_one()
        return after.count + added, last.id, last.hash
    return conn.execute(db.select(db.func.count()).select_from(table)).scalar_one(), last.id, last.hash


def checkpoint(*, force: bool = False) -> checkpoints.Checkpoint | None:
    """Append a signed checkpoint of the committed log when one is due: AUDIT_CHECKPOINT_EVERY
    entries since the newest, or whenever the head moved (``force``: the periodic job).
    Reads on a connection of its own, so it may run right after a commit."""
    path, key = _checkpoint_path(), _checkpoint_key()
    newest = checkpoints.newest_recent(path, key)
    with db.engine.connect() as conn:
        count, head_id, head = _head(conn, newest)
    if newest is not None and newest.count == count and newest.head == head:
        return None
    if not force and newest is not None and count - newest.count < current_app.config["AUDIT_CHECKPOINT_EVERY"]:
        return None
    at = utcnow().isoformat(timespec="seconds") + "Z"
    checkpoints.append(path, checkpoints.line_for(key, count, head_id, head, at))
    return checkpoints.Checkpoint(count, head_id, head, at)


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    if not session.info.pop("audit_recorded", False) or not has_app_context():
        return
    try:
        checkpoint()
    except OSError as exc:
        # The action is stored; a checkpoint that cannot be written is loud in the log
        # and the next one (or the periodic job) covers these entries too.
        log.error("access-log checkpoint could not be written: %s", type(exc).__name__)


@sa_event.listens_for(Session, "after_rollback")
def _after_rollback(session) -> None:
    session.info.pop("audit_recorded", None)


@dataclass
class Verification:
    """What `flask audit verify` found: problems (empty when intact), entries counted,
    and the newest checkpoint the log was held against."""

    problems: list[str] = field(default_factory=list)
    count: int = 0
    newest: checkpoints.Checkpoint | None = None

    @property
    def intact(self) -> bool:
        return not self.problems


def verify() -> Verification:
    """The chain from the first entry, and every checkpoint against it: the entry at
    position COUNT must carry the checkpoint's HEAD, and the log must hold at least as
    many entries as the newest checkpoint counted. Entries cut from the end, a table
    emptied or replaced by an older copy, each is named."""
    result = Verification()
    ok, bad = verify_chain()
    if not ok:
        result.problems.append(f"access log broken at entry {bad}: it was altered, or an entry before it was removed or reordered")
    found, bad_lines = checkpoints.read_all(_checkpoint_path(), _checkpoint_key())
    for number in bad_lines:
        result.problems.append(f"checkpoint file line {number} is not a validly signed checkpoint")
    wanted: dict[int, list[checkpoints.Checkpoint]] = {}
    for cp in found:
        wanted.setdefault(cp.count, []).append(cp)
    seen: dict[int, tuple[int, str]] = {}
    position = 0
    last: tuple[int, str] | None = None
    for row_id, row_hash in db.session.execute(db.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id)):
        position += 1
        last = (row_id, row_hash)
        if position in wanted:
            seen[position] = last
    result.count = position
    result.newest = max(found, key=lambda cp: cp.count, default=None)
    newest = result.newest
    if newest is not None and position < newest.count:
        missing = newest.count - position
        where = (f"after entry {last[0]} (position {position})" if last else "the table is empty")
        result.problems.append(
            f"{missing} entries missing at the end: the checkpoint of {newest.at} counted {newest.count} entries "
            f"(newest entry id {newest.head_id}), the log holds {position}; {where}")
    for count, cps in sorted(wanted.items()):
        if count == 0 or count > position:
            continue
        row_id, row_hash = seen[count]
        for cp in cps:
            if not hmac.compare_digest(row_hash, cp.head):
                result.problems.append(
                    f"entry {row_id} at position {count} is not the entry the checkpoint of {cp.at} signed "
                    f"(id {cp.head_id}): the log was replaced or rewritten")
                break
    return result
