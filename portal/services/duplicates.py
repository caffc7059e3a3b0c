"""A second request for the same subject: an earlier request, not closed or withdrawn,
whose subject has the same birth date and a similar name. Flagged for staff on the
request page (an internal timeline event); never shown to the requester.

A leaf of the service layer: models, rules and the timeline only.
"""
from __future__ import annotations

import unicodedata

from ..infra.extensions import db
from ..models import Party, Request
from ..rules.status import RequestStatus
from . import timeline

#: Statuses in which a request no longer counts for "a second request for the same subject".
FINISHED_STATUSES = frozenset({RequestStatus.CLOSED, RequestStatus.WITHDRAWN})


def fold(text: str | None) -> str:
    """Casefold, drop accents, keep letters and digits: "Ä. de Vries-" -> "adevries"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch))


def name_key(given_names: str | None, surname: str | None) -> tuple[str, str]:
    """What "a similar name" means here: the first given name and the surname, each
    casefolded, without accents, spaces or punctuation."""
    first = (given_names or "").split()
    return fold(first[0] if first else ""), fold(surname)


def find_possible_duplicate(req: Request) -> Request | None:
    """An earlier request, not closed or withdrawn, whose subject has the same birth
    date and a similar name (``name_key``) as this request's subject; the earliest one."""
    subject = next((p for p in req.parties if p.is_subject), None)
    if subject is None or subject.birth_date is None:
        return None
    key = name_key(subject.given_names, subject.surname)
    if not all(key):
        return None
    rows = db.session.execute(
        db.select(Party.request_id, Party.given_names, Party.surname)
        .join(Request, Request.id == Party.request_id)
        .where(Party.is_subject.is_(True), Party.birth_date == subject.birth_date, Party.request_id < req.id,
               Request.status.not_in([s.value for s in FINISHED_STATUSES]))
        .order_by(Party.request_id)
    ).all()
    for request_id, given_names, surname in rows:
        if name_key(given_names, surname) == key:
            return db.session.get(Request, request_id)
    return None


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
