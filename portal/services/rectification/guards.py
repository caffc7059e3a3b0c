"""The two checks of correction (art. 15) and own statement (art. 16) that ask the
decisions service (portal/services/decisions.py): the request is being worked on, and
someone acts for the subject (art. 20.1, 20.3: art. 20.4 can apply).

Apart from common.py so that the letter's part (letter.py), which the decisions service
reads through the letters, never imports the decisions service."""
from __future__ import annotations

from ...models import Request
from ...rules.status import RequestStatus
from .. import decisions
from .common import RectificationError


def require_working(req: Request) -> None:
    """Only a request in the queue and not closed or withdrawn is worked on."""
    if req.status_enum is RequestStatus.WITHDRAWN:
        raise RectificationError("request_withdrawn")
    if req.status_enum not in decisions.WORKING_STATUSES:
        raise RectificationError("request_not_open")


def has_representative(req: Request) -> bool:
    """Someone acts for the subject (art. 20.1, 20.3): art. 20.4 can apply."""
    return decisions.has_representative(req)
