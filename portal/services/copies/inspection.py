"""Inzage (art. 14.1): the requester sees the same reviewed copy (signed where something
is withheld) at the office or online, without taking it home. Recording that it was
shown, with the date and who attended, answers the right of inzage on that date
(portal/services/answers.py)."""
from __future__ import annotations

import json
from datetime import date

from ...infra.extensions import db
from ...models import Copy, Inspection
from ...rules.permissions import Permission
from ...rules.rights import Right
from .. import answers, authz, casework, timeline
from ..authz import Actor
from ..timeline import today_local
from .common import CopyError, copy_of, is_stale, load, log_access
from .releasing import check_not_withdrawn, copy_outcome, needs_signature, rendered_current

MODES = (Inspection.OFFICE, Inspection.ONLINE)


def inspections_of(req) -> list[Inspection]:
    return db.session.execute(db.select(Inspection).filter_by(request_id=req.id).order_by(Inspection.id)).scalars().all()


def record_inspection(actor: Actor, reference: str, copy_id: int, *, held_on: date | None, mode: str,
                      attended: list[int]) -> Inspection:
    """The reviewed copy was shown (art. 14.1): at the office or online, on ``held_on``,
    to the people of the request in ``attended``; the caseworker recording it was there."""
    req = load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = copy_of(req, copy_id)
    check_not_withdrawn(req)
    if not any(r.right == Right.ACCESS.value for r in req.rights):
        raise CopyError("inspection_not_asked")
    if copy.status not in (Copy.REVIEWED, Copy.SIGNED, Copy.RELEASED):
        raise CopyError("not_reviewed")
    if needs_signature(copy) and copy.signed_by is None:
        raise CopyError("not_signed")
    if is_stale(copy) or (copy.status != Copy.RELEASED and not rendered_current(copy)):
        raise CopyError("copy_stale")
    if mode not in MODES:
        raise CopyError("inspection_mode")
    if held_on is None or held_on > today_local() or held_on < req.received_on:
        raise CopyError("inspection_date")
    taking_part = {p.id for p in casework.taking_part(req)}
    chosen = sorted(set(attended or []))
    if not chosen or not set(chosen) <= taking_part:
        raise CopyError("inspection_attended")
    row = Inspection(request_id=req.id, copy_id=copy.id, held_on=held_on, mode=mode,
                     attended_json=json.dumps(chosen), staff_id=actor.staff_id)
    db.session.add(row)
    timeline.event(req, "copy_inspected", "caseworker")
    if answers.mark_answered(req, Right.ACCESS.value, on=held_on, outcome=copy_outcome(copy), by=answers.INSPECTION):
        answers.settle(req, actor.label)
    log_access(actor, "copy.inspection", req, copy, reason=f"{mode} {held_on.isoformat()}")
    db.session.commit()
    return row
