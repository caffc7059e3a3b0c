"""The parent whom an invited child kept out (art. 20.4). A leaf of the service layer.

A parent starts a joint request for a child of 12 to 16 (art. 20.1); the child, in the
invitation, says that involving the parent is not safe (services/joint.py). From that
moment, unless a team leader decides that the parent must take part, the parent who
started sees no more than a request in progress: no letters or copies, no answered
rights, no later timeline, and no e-mail notices about what happens next. The domain
never assumes that a parent is on the child's side (DOMAIN.md, art. 20.4).
"""
from __future__ import annotations

from datetime import datetime

from ..infra.extensions import db
from ..models import ParentInvolvementDecision, Party, Request


def since(req: Request, party_id: int | None) -> datetime | None:
    """When this person was kept out of the request: the moment the invited child said
    that involving them is not safe, while no team leader decided that they must take
    part (pending, or "continue without the parent"). None for everyone else."""
    party = next((p for p in req.parties if p.id == party_id), None)
    if party is None or party.is_subject or party.role != Party.REQUESTER:
        return None
    said = next((i.not_safe_at for i in req.invitations if i.not_safe_at is not None), None)
    if said is None:
        return None
    latest = db.session.execute(
        db.select(ParentInvolvementDecision.outcome).filter_by(request_id=req.id)
        .order_by(ParentInvolvementDecision.decided_at.desc(), ParentInvolvementDecision.id.desc()).limit(1)
    ).scalar_one_or_none()
    if latest == ParentInvolvementDecision.PARENT_MUST_TAKE_PART:
        return None
    return said


#: The timeline event when the kept-out parent withdrew (not public: for the caseworker).
WITHDREW = "left_out_parent_withdrew"


def withdrew(req: Request) -> bool:
    """The kept-out parent withdrew: for them the request has ended; for the child it
    goes on (services/withdrawal.py)."""
    return any(e.kind == WITHDREW for e in req.events)
