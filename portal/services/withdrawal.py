"""The requester withdraws a request on the status page (issue 10).

What happens, in one transaction:
* the request moves to "withdrawn" (rules/status.py): it is no longer open, so its
  deadline stops and it is overdue nowhere (queue, digest, report);
* everything the requester uploaded with it (ID copies, proof of representation, an own
  statement as a file, files sent with messages) is deleted, as the hourly purge deletes
  the uploads of an unconfirmed request (portal/services/purge.py); the purge is logged
  with how many files it removed, never what they held;
* the caseworker sees it in the queue (status "ingetrokken") and on the timeline.

What does not change: what was already delivered. A released copy stays released and
its download stays as it was; letters already sent stay on the status page.

After withdrawal nothing can answer, release or sign the request: the decision and copy
services refuse with "request_withdrawn".

Only the person who filed the request (the requester) can withdraw it: in a joint
request (art. 20.1) one person cannot end the other's request behind their back.

A parent whom the invited child kept out (art. 20.4, services/left_out.py) sees the
same page and the same way to withdraw as anyone, but withdrawing ends only their own
part: their uploads are deleted and their page says "ingetrokken"; the child's request
goes on, and the caseworker sees on the timeline that the parent withdrew.
"""
from __future__ import annotations

from ..infra.extensions import db
from ..models import Document, Party
from ..rules.status import ALLOWED_MOVES, RequestStatus
from . import audit, left_out, timeline
from .errors import DomainError
from .references import by_reference

S = RequestStatus


class WithdrawalError(DomainError):
    """A stable code the face turns into a sentence (portal/public/views.py)."""


def can_withdraw(req, party_id: int) -> bool:
    party = next((p for p in req.parties if p.id == party_id), None)
    if party is not None and left_out.since(req, party.id) is not None:
        # The kept-out parent (art. 20.4) withdraws their own part only, once.
        return not left_out.withdrew(req)
    return bool(party and party.role == Party.REQUESTER and S.WITHDRAWN in ALLOWED_MOVES[req.status_enum])


def withdraw(reference: str, party_id: int) -> int:
    """Withdraw the request for the person of this status page. Returns how many
    uploads were deleted."""
    req = by_reference(reference)
    if req is None:
        raise WithdrawalError("not_found")
    party = next((p for p in req.parties if p.id == party_id), None)
    if party is None:
        raise WithdrawalError("not_found")
    if left_out.since(req, party.id) is not None:
        return _withdraw_left_out_parent(req, party)
    if party.role != Party.REQUESTER:
        raise WithdrawalError("not_the_requester")
    if S.WITHDRAWN not in ALLOWED_MOVES[req.status_enum]:
        raise WithdrawalError("cannot_withdraw_now")
    timeline.event(req, "request_withdrawn", party.role)
    timeline.move(req, S.WITHDRAWN, party.role)
    audit.record("request.withdraw", actor=party.role, actor_role="public", object_type="request", object_id=req.id,
                 subject_ref=req.reference, reason="status page")
    uploads = db.session.execute(db.select(Document).filter_by(request_id=req.id)).scalars().all()
    for doc in uploads:
        db.session.delete(doc)
    timeline.event(req, "uploads_purged", "system")
    audit.record("purge.withdrawn_request_uploads", actor="system", actor_role="system", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason=f"request withdrawn: removed {len(uploads)}")
    db.session.commit()
    return len(uploads)


def _withdraw_left_out_parent(req, party: Party) -> int:
    """The parent whom the invited child kept out (art. 20.4) withdraws: only their own
    part ends (their uploads are deleted); the child's request goes on."""
    if left_out.withdrew(req):
        raise WithdrawalError("cannot_withdraw_now")
    timeline.event(req, left_out.WITHDREW, party.role, public=False)
    audit.record("request.withdraw", actor=party.role, actor_role="public", object_type="request", object_id=req.id,
                 subject_ref=req.reference, reason="status page, parent kept out (art. 20.4)")
    uploads = db.session.execute(db.select(Document).filter_by(request_id=req.id, party_id=party.id)).scalars().all()
    for doc in uploads:
        db.session.delete(doc)
    audit.record("purge.withdrawn_request_uploads", actor="system", actor_role="system", object_type="request",
                 object_id=req.id, subject_ref=req.reference, reason=f"parent withdrew: removed {len(uploads)}")
    db.session.commit()
    return len(uploads)
