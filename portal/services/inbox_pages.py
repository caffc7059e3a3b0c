"""Signing from the team leader's inbox on one page (issue 10): what a decision, an
art. 20.4 question, a correction refusal or a destruction's execution check is, why it
waits, and who can sign instead when four eyes stop this team leader.

Each function reads what the page shows and logs that read (the reasons and grounds,
the child's note, the requester's wish, who confirmed an execution are personal data).
The signature itself is the existing service: decisions.sign / send_back,
casework.decide_art20_4, rectification sign_item / send_back_item,
destruction.check_execution / send_back_check; each checks four eyes again.

Nothing here changes what waits: a page for something that no longer waits (signed,
sent back, decided, withdrawn) raises the service's own error code.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..infra.extensions import db
from ..models import CorrectionItem, Decision, Request, Staff
from ..rules.permissions import Permission
from ..rules.status import RequestStatus
from . import audit, authz, casework
from .authz import Actor
from .casework import CaseworkError
from .decisions import DecisionError
from .destruction import check as destruction_check
from .errors import load_request
from .inbox import signers
from .rectification.common import RectificationError, load as load_for_rectification


def _names(ids: set) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(db.select(Staff.id, Staff.display_name).where(Staff.id.in_(ids))).all())


def _others(actor: Actor, exclude: set) -> list[str]:
    return [s.display_name for s in signers(exclude=set(exclude) | {actor.staff_id})]


def _log(actor: Actor, action: str, req: Request, object_type: str, object_id: int) -> None:
    audit.record(action, actor=actor.label, actor_role=actor.role.value, object_type=object_type,
                 object_id=object_id, subject_ref=req.reference, reason=f"request {req.reference}: sign page")


# --- a decision (art. 14.2, 20.4) ------------------------------------------------------------

@dataclass
class DecisionToSign:
    request: Request
    decision: Decision
    proposer: str | None
    own: bool
    others: list[str] = field(default_factory=list)
    art20_4_pending: bool = False


def decision_to_sign(actor: Actor, reference: str, decision_id: int) -> DecisionToSign:
    """The proposal as the team leader signs it: outcome, grounds, the caseworker's
    reasons (a logged read)."""
    authz.require(actor, Permission.DECISION_SIGN, object_type="decision", object_id=decision_id,
                  subject_ref=reference)
    req = load_request(reference, DecisionError)
    dec = db.session.get(Decision, decision_id)
    if dec is None or dec.request_id != req.id:
        raise DecisionError("not_found")
    if req.status_enum is RequestStatus.WITHDRAWN:
        raise DecisionError("request_withdrawn")
    if dec.state != Decision.PROPOSED:
        raise DecisionError("not_waiting_for_review")
    own = dec.proposed_by is None or dec.proposed_by == actor.staff_id
    page = DecisionToSign(req, dec, _names({dec.proposed_by}).get(dec.proposed_by), own,
                          _others(actor, {dec.proposed_by}) if own else [], casework.art20_4_pending(req))
    _log(actor, "decision.sign_view", req, "decision", dec.id)
    db.session.commit()
    return page


# --- an art. 20.4 question ---------------------------------------------------------------------

@dataclass
class Art20_4ToDecide:
    request: Request
    note: str | None  # what the child wrote (team leader only)


def art20_4_to_decide(actor: Actor, reference: str) -> Art20_4ToDecide:
    """The child's question (art. 20.4) with what the child wrote: a logged read."""
    authz.require(actor, Permission.DECISION_SIGN, object_type="request", subject_ref=reference)
    req = load_request(reference, CaseworkError)
    if req.status_enum is RequestStatus.WITHDRAWN:
        raise CaseworkError("request_withdrawn")
    if not casework.art20_4_pending(req):
        raise CaseworkError("no_art20_4_question")
    _log(actor, "request.view_art20_4_note", req, "request", req.id)
    db.session.commit()
    return Art20_4ToDecide(req, req.art20_4_note)


# --- a correction refusal (art. 15) ------------------------------------------------------------

@dataclass
class CorrectionToSign:
    request: Request
    item: CorrectionItem
    proposer: str | None
    own: bool
    others: list[str] = field(default_factory=list)


def correction_to_sign(actor: Actor, reference: str, item_id: int) -> CorrectionToSign:
    """The requester's wish, the entries it is about and the proposed refusal with its
    ground and reasons (a logged read)."""
    authz.require(actor, Permission.DECISION_SIGN, object_type="correction_item", object_id=item_id,
                  subject_ref=reference)
    req = load_for_rectification(reference)
    item = db.session.get(CorrectionItem, item_id)
    if item is None or item.request_id != req.id:
        raise RectificationError("item_not_found")
    if req.status_enum is RequestStatus.WITHDRAWN:
        raise RectificationError("request_withdrawn")
    if item.state != "proposed":
        raise RectificationError("item_not_proposed")
    own = item.decided_by is None or item.decided_by == actor.staff_id
    page = CorrectionToSign(req, item, _names({item.decided_by}).get(item.decided_by), own,
                            _others(actor, {item.decided_by}) if own else [])
    _log(actor, "rectification.item.sign_view", req, "correction_item", item.id)
    db.session.commit()
    return page


# --- a destruction's or erasure's execution check (art. 17.4, 18) ------------------------------

def execution_to_check(actor: Actor, reference: str, right: str) -> destruction_check.CheckPage:
    """What was carried out, by whom, confirmed by whom and when, against the deadline
    (destruction.check.check_page logs the read); with who can check instead."""
    page = destruction_check.check_page(actor, reference, right)
    if page.own:
        page.others = _others(actor, page.took_part)
    return page

