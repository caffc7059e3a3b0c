"""When a right is answered, and when a request is finished (issue 10: the answer
follows the work).

A right is answered on the day its answer reaches the requester:
* a signed decision (portal/services/decisions.py): the day of the first signing;
* afschrift (art. 14.1): the day the reviewed copy is released for download, or, when
  the requester chose to collect it, the day it is handed over in person;
* inzage (art. 14.1): the day the same reviewed copy is shown at the office or online
  (portal/services/copies/inspection.py).
For a copy the outcome is "grant" when nothing but third-party data was left out
(art. 14.2 redactions are not a refusal) and "grant_in_part" when a team leader signed
a restriction: that signature is the decision, its grounds and the complaint route of
art. 21 are in the copy's cover letter.

The deadline is met or missed on the day of the answer (RequestedRight.answered_on is
compared with the due date by the report); the queue's due date is the earliest of the
rights still unanswered; and the request finishes by itself once every right is
answered: "closed" when every answer was a delivery, "decided" when a signed decision
answered one of them (a signed decision can still be replaced there).

A leaf of the service layer (models, rules and the timeline only); the caller commits.
"""
from __future__ import annotations

from datetime import date

from ..infra.extensions import db
from ..models import Extension, Request, RequestedRight
from ..rules.grounds import Outcome
from ..rules.status import RequestStatus, check_move, IllegalMove
from . import timeline

S = RequestStatus
DECISION, COPY_RELEASED, COPY_HANDED_OVER, INSPECTION = "decision", "copy_released", "copy_handed_over", "inspection"
KINDS = (DECISION, COPY_RELEASED, COPY_HANDED_OVER, INSPECTION)


def right_of(req: Request, right: str) -> RequestedRight | None:
    return next((r for r in req.rights if r.right == right), None)


def is_answered(req: Request, right: str) -> bool:
    r = right_of(req, right)
    return r is not None and r.answered_on is not None


def every_right_answered(req: Request) -> bool:
    return bool(req.rights) and all(r.answered_on is not None for r in req.rights)


def refresh_earliest_due(req: Request) -> None:
    """Request.earliest_due_on: the earliest due date of the rights not yet answered
    (an extension applied); of all rights once every one is answered (the row keeps a
    date; a finished request is not open, so it is never overdue)."""
    extensions = {e.right: e for e in db.session.execute(db.select(Extension).filter_by(request_id=req.id)).scalars()}

    def due(r: RequestedRight) -> date:
        ext = extensions.get(r.right)
        return ext.new_due_on if ext is not None else r.due_on

    waiting = [due(r) for r in req.rights if r.answered_on is None]
    every = [due(r) for r in req.rights]
    req.earliest_due_on = min(waiting) if waiting else (min(every) if every else None)


def mark_answered(req: Request, right: str, *, on: date, outcome: str, by: str) -> bool:
    """Record that ``right`` was answered on ``on`` (the first answer counts: a later
    one does not move the day the requester was answered). Returns whether this call
    answered it."""
    if by not in KINDS:
        raise ValueError(by)
    Outcome(outcome)  # a known outcome, or ValueError
    r = right_of(req, right)
    if r is None or r.answered_on is not None:
        return False
    r.answered_on, r.answer_outcome, r.answered_by = on, outcome, by
    timeline.event(req, f"right_answered:{right}", "system")
    return True


def settle(req: Request, actor: str) -> None:
    """Finish the request when every right in it is answered (see the module text).
    Also keeps the queue's due date on the rights still waiting."""
    refresh_earliest_due(req)
    if not every_right_answered(req):
        return
    if req.answered_on is None:
        req.answered_on = max(r.answered_on for r in req.rights)
    by_decision = any(r.answered_by == DECISION for r in req.rights)
    target = S.DECIDED if by_decision else S.CLOSED
    if req.status_enum is target:
        return
    try:
        check_move(req.status_enum, target)
    except IllegalMove:
        return  # withdrawn or already closed: nothing to finish
    timeline.move(req, target, actor)
