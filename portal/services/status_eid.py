"""Follow your requests with DigiD (issue 11, item 5): the third way into the status page,
next to the passphrase and the link by e-mail.

A DigiD login at or above DIGID_MIN_LOA proves a BSN; the portal keeps nothing of it
but its keyed blind index (IdentityCheck.eid_bsn_index, portal/infra/encrypted.py).
With it the person sees the requests filed with that BSN as requester, nothing else:
the requests whose requester (Party.REQUESTER) proved their identity with DigiD and
that BSN when filing (art. 20.5). So never a request where that BSN belongs to
- the person a request is about but who did not file it (a child, an adult under
  curatele), also not through DigiD Machtigen (the legal subject's BSN is not indexed);
- the second person of a joint request (art. 20.1), who follows with their own
  passphrase or link;
- a BSN someone typed in the form (unproven: anyone can type anyone's BSN).
A parent whom an invited child kept out (art. 20.4, services/left_out.py) is the
requester and sees their request listed like any other, with the date it was received
and nothing more; its status page, in the status session of that requester, shows no
more than the passphrase would (a request in progress), so the list does not tell them
what the child said either.

The list is one query whatever it holds (no lookups per request, nothing decrypted but
the newest requester's birth date, to know whether a young person reads). Opening a
request starts the server-side status session (status_sessions.py) for its requester.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..infra.extensions import db
from ..models import IdentityCheck, Party, Request
from . import audit, status_sessions
from .errors import DomainError
from .requests import StatusAccess, StatusLogin, reads_as_young


@dataclass(frozen=True)
class Listed:
    """One request in the list: its reference and the day it was received."""

    reference: str
    received_on: date


@dataclass(frozen=True)
class Mine:
    """What a DigiD login on the status page shows: the requests, newest first, and
    whether a young person reads (their requester is a young person filing for themselves)."""

    requests: tuple[Listed, ...]
    young: bool


def _filed_with(bsn_index: str):
    """The requester parties whose identity check by DigiD gave this BSN, with their request."""
    checked = db.select(IdentityCheck.id).where(
        IdentityCheck.party_id == Party.id, IdentityCheck.request_id == Request.id,
        IdentityCheck.kind == "identity", IdentityCheck.method == "eid", IdentityCheck.result == "verified",
        IdentityCheck.eid_bsn_index == bsn_index)
    return (db.select(Request, Party).join(Party, Party.request_id == Request.id)
            .where(Party.role == Party.REQUESTER, checked.exists())
            .order_by(Request.received_on.desc(), Request.id.desc()))


def mine(bsn_index: str | None) -> Mine:
    """The requests filed with the BSN of this blind index as requester (none without one)."""
    rows = db.session.execute(_filed_with(bsn_index or "")).all() if bsn_index else []
    listed = tuple(Listed(req.reference, req.received_on) for req, _party in rows)
    return Mine(listed, reads_as_young(rows[0][1]) if rows else False)


def open_request(reference: str, bsn_index: str | None) -> StatusLogin:
    """Open the status page of one request of that list, for its requester. Raises
    DomainError('login_failed') for any reference not in it (unknown, or not filed
    with this BSN as requester): the same for every reason."""
    found = None
    if bsn_index and reference:
        found = db.session.execute(_filed_with(bsn_index).where(Request.reference == reference)).first()
    if found is None:
        raise DomainError("login_failed")
    req, party = found
    audit.record("status.login", actor="requester", actor_role="public", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason="digid")
    session_id = status_sessions.begin(req, party)
    db.session.commit()
    return StatusLogin(StatusAccess(req.reference, party.id), session_id)
