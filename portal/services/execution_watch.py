"""Deadlines that are not answers (issue 10): art. 17.4 gives VT three months from
receipt to carry out a destruction, whatever the answer deadline. The request page
showed it; the queue, the daily digest and the team leader's inbox show it here too.

Watched: a request that asks for destruction, reached the queue, was not withdrawn,
whose destruction is not carried out yet (RightAssessment.executed_on) and not refused
by the decision that stands. Its status does not matter: a request whose destruction
was granted is "decided", and the data must still be destroyed in time.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import and_, exists, select

from ..infra.extensions import db
from ..models import Decision, Request, RequestedRight, RightAssessment
from ..rules import deadlines
from ..rules.grounds import Outcome
from ..rules.rights import Right
from ..rules.status import BEFORE_QUEUE, RequestStatus

DESTRUCTION = Right.DESTRUCTION.value
_NOT_WATCHED = [s.value for s in BEFORE_QUEUE] + [RequestStatus.WITHDRAWN.value]


def execution_deadlines(request_ids: list[int] | None = None) -> dict[int, date]:
    """request id -> the day by which the destruction must be carried out (art. 17.4)."""
    done = exists().where(RightAssessment.request_id == Request.id, RightAssessment.right == DESTRUCTION,
                          RightAssessment.executed_on.is_not(None))
    refused = exists().where(Decision.request_id == Request.id, Decision.right == DESTRUCTION,
                             Decision.state == Decision.SIGNED, Decision.outcome == Outcome.REFUSE.value)
    query = (select(Request.id, Request.received_on)
             .join(RequestedRight, and_(RequestedRight.request_id == Request.id, RequestedRight.right == DESTRUCTION))
             .where(Request.status.not_in(_NOT_WATCHED), ~done, ~refused))
    if request_ids is not None:
        if not request_ids:
            return {}
        query = query.where(Request.id.in_(request_ids))
    return {rid: deadlines.destruction_deadline(received).due for rid, received in db.session.execute(query)}


def counts(today: date, nearly_until: date) -> tuple[int, int]:
    """(overdue, due within the nearly-due window) over every watched request."""
    dues = execution_deadlines().values()
    return sum(1 for d in dues if d < today), sum(1 for d in dues if today <= d <= nearly_until)
