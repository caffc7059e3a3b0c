"""Follow a request with DigiD (issue 11, item 5): the third way into the status page,
next to the passphrase and the link by e-mail.

A DigiD login at or above DIGID_MIN_LOA proves a BSN; this module keeps nothing of it
but its keyed blind index (IdentityCheck.eid_bsn_index, portal/infra/encrypted.py), and
opens a request only for the person (party) of that request whose identity was checked
by DigiD with that BSN: the requester of a request filed with it, or, in a joint
request, the other person who joined with it, each seeing only their own.

What the person gets after the DigiD login is the same whatever their BSN has filed:
they type the reference of the request they want to follow, and an unknown reference,
someone else's request and a request not filed with DigiD all get the same answer. So
a DigiD session left open at the broker on a shared device does not show which
requests exist (threat model, the eID route). The session that follows is the
server-side status session (status_sessions.py) of the other two ways in.
"""
from __future__ import annotations

import hmac

from ..infra.extensions import db
from ..models import IdentityCheck
from . import audit, status_sessions
from .errors import DomainError
from .references import by_reference
from .requests import StatusAccess, StatusLogin


def login(reference: str, bsn_index: str | None) -> StatusLogin:
    """Open the status page of this request for the person whose DigiD check gave the
    BSN with this blind index. Raises DomainError('login_failed') otherwise, the same
    for every reason."""
    req = by_reference(reference)
    party = None
    if req is not None and bsn_index:
        checks = db.session.execute(db.select(IdentityCheck).where(
            IdentityCheck.request_id == req.id, IdentityCheck.kind == "identity", IdentityCheck.method == "eid",
            IdentityCheck.result == "verified", IdentityCheck.eid_bsn_index.is_not(None))).scalars().all()
        ids = {c.party_id for c in checks if hmac.compare_digest(c.eid_bsn_index, bsn_index)}
        party = next((p for p in req.parties if p.id in ids), None)
    if party is None:
        if req is not None:
            audit.record("status.login", actor="requester", actor_role="public", object_type="request",
                         object_id=req.id, subject_ref=req.reference, reason="digid", outcome="denied")
            db.session.commit()
        raise DomainError("login_failed")
    audit.record("status.login", actor="requester", actor_role="public", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason="digid")
    session_id = status_sessions.begin(req, party)
    db.session.commit()
    return StatusLogin(StatusAccess(req.reference, party.id), session_id)
