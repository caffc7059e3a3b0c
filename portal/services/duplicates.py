"""A second request for the same subject: an earlier request, not closed or withdrawn,
whose subject has the same birth date and a similar name. Flagged for staff on the
request page (an internal timeline event); never shown to the requester.

A leaf of the service layer: models, rules and the timeline only.
"""
from __future__ import annotations

from flask import current_app

from ..infra.encrypted import fold, subject_index
from ..infra.extensions import db
from ..models import Party, Request
from ..rules.status import RequestStatus
from . import timeline

#: Statuses in which a request no longer counts for "a second request for the same subject".
FINISHED_STATUSES = frozenset({RequestStatus.CLOSED, RequestStatus.WITHDRAWN})


def name_key(given_names: str | None, surname: str | None) -> tuple[str, str]:
    """What "a similar name" means here: the first given name and the surname, each
    casefolded, without accents, spaces or punctuation."""
    first = (given_names or "").split()
    return fold(first[0] if first else ""), fold(surname)


def find_possible_duplicate(req: Request) -> Request | None:
    """An earlier request, not closed or withdrawn, whose subject has the same birth
    date and a similar name (``name_key``) as this request's subject; the earliest one.
    Names and birth dates are encrypted at rest: the subjects are found by their keyed
    blind index (Party.match_index, over exactly ``name_key`` and the birth date)."""
    subject = next((p for p in req.parties if p.is_subject), None)
    if subject is None or subject.birth_date is None:
        return None
    key = name_key(subject.given_names, subject.surname)
    if not all(key):
        return None
    index = subject_index(current_app.config["BLIND_INDEX_KEY"], subject.given_names, subject.surname,
                          subject.birth_date)
    request_id = db.session.execute(
        db.select(Party.request_id)
        .join(Request, Request.id == Party.request_id)
        .where(Party.is_subject.is_(True), Party.match_index == index, Party.request_id < req.id,
               Request.status.not_in([s.value for s in FINISHED_STATUSES]))
        .order_by(Party.request_id).limit(1)
    ).scalar()
    return db.session.get(Request, request_id) if request_id is not None else None


def flag_possible_duplicate(req: Request, actor: str = "system") -> Request | None:
    """Set Request.possible_duplicate_of when an earlier open request looks like one
    for the same subject (called by submit_request and when the page is opened).
    Adds an internal timeline event; the caller commits."""
    if req.possible_duplicate_of is not None:
        return db.session.get(Request, req.possible_duplicate_of)
    other = find_possible_duplicate(req)
    if other is not None:
        req.possible_duplicate_of = other.id
        timeline.event(req, "possible_duplicate_flagged", actor, public=False)
    return other
