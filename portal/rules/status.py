"""The life of a request: one enum, one table of allowed moves.

Every move is written to the request timeline and the access log by the service layer
(portal/services/requests.py), never here.
"""
from __future__ import annotations

import enum


class RequestStatus(str, enum.Enum):
    AWAITING_EMAIL = "awaiting_email"  # e-mail address not yet confirmed; not in the queue
    AWAITING_CO_REQUESTER = "awaiting_co_requester"  # art. 20.1: child 12-16 and parent, both
    RECEIVED = "received"  # in the back-office queue
    IN_PROGRESS = "in_progress"
    WAITING_FOR_REQUESTER = "waiting_for_requester"  # VT asked for more (e.g. a clearer ID copy)
    DECIDED = "decided"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


S = RequestStatus

ALLOWED_MOVES: dict[RequestStatus, frozenset[RequestStatus]] = {
    S.AWAITING_EMAIL: frozenset({S.AWAITING_CO_REQUESTER, S.RECEIVED, S.WITHDRAWN}),
    S.AWAITING_CO_REQUESTER: frozenset({S.RECEIVED, S.WITHDRAWN}),
    # -> closed: every right answered by a delivery (a released or handed-over copy, an
    # inspection), portal/services/answers.py.
    S.RECEIVED: frozenset({S.IN_PROGRESS, S.WAITING_FOR_REQUESTER, S.DECIDED, S.CLOSED, S.WITHDRAWN}),
    S.IN_PROGRESS: frozenset({S.WAITING_FOR_REQUESTER, S.DECIDED, S.CLOSED, S.WITHDRAWN}),
    S.WAITING_FOR_REQUESTER: frozenset({S.IN_PROGRESS, S.DECIDED, S.CLOSED, S.WITHDRAWN}),
    S.DECIDED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

# Statuses in which the request has not yet reached the queue.
BEFORE_QUEUE = frozenset({S.AWAITING_EMAIL, S.AWAITING_CO_REQUESTER})

# Statuses in which the request is being handled and its answer is due: the queue's
# default list; only an open request can be overdue. (A tuple: its order is part of
# the SQL of the queue's partial indexes, portal/models.py OPEN_SQL.)
OPEN = (S.RECEIVED, S.IN_PROGRESS, S.WAITING_FOR_REQUESTER)


class IllegalMove(ValueError):
    def __init__(self, current: RequestStatus, target: RequestStatus):
        super().__init__(f"a request cannot go from {current.value} to {target.value}")
        self.current = current
        self.target = target


def check_move(current: RequestStatus, target: RequestStatus) -> None:
    """Raise IllegalMove unless the table allows current -> target."""
    if target not in ALLOWED_MOVES[current]:
        raise IllegalMove(current, target)
