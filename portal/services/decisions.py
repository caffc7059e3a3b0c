"""Decisions on the rights of a request (art. 14.2, 20.4): a caseworker proposes, a team
leader signs or sends back.

Four eyes for every decision. DOMAIN.md says every refusal or restriction is decided by
a team leader; this portal applies that to grants too, so that no answer leaves VT on
one person's word: every decision, whatever its outcome, is signed by a team leader
(Permission.DECISION_SIGN) who did not propose it. "Proposed by" is whoever last wrote
the proposal, so editing someone else's proposal does not let you sign it.

Life of a decision (Decision.state):
  proposed -> signed | sent_back;  sent_back -> proposed (revised);
  signed -> replaced, only when a newer decision that replaces it (replaces_id) is signed.
A signed decision is never edited. Both the replaced and the new decision are kept.

On signing: the decision letter is made and released to the requester (portal/services/
letters.py), and when every right of the request has a signed decision the request
moves to "decided". Granting (in full or in part) needs the identity of everyone taking
part verified (art. 20.5); nothing is signed while an art. 20.4 question is open.

Extension (AVG 12(3)) is not a decision here: portal/services/casefile.extend.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass


from ..infra.extensions import db
from ..models import Decision, Request, utcnow
from ..rules import grounds as G
from ..rules.permissions import Permission
from ..rules.rights import Right
from ..rules.status import BEFORE_QUEUE, RequestStatus
from . import answers, audit, casework, letters, notices, timeline
from .destruction.checks import check_decision
from .authz import Actor, require
from .timeline import today_local
from .errors import DomainError, load_request

log = logging.getLogger(__name__)

S = RequestStatus
OPEN_STATES = (Decision.PROPOSED, Decision.SENT_BACK)
#: Statuses in which decisions can be proposed and signed (also "decided": a signed
#: decision can be replaced by a new one).
WORKING_STATUSES = frozenset({S.RECEIVED, S.IN_PROGRESS, S.WAITING_FOR_REQUESTER, S.DECIDED})
REASONS_MAX = 10000
COMMENT_MAX = 5000


class DecisionError(DomainError):
    """A stable code the face turns into a sentence (backoffice/casework.py)."""


def _load(reference: str) -> Request:
    return load_request(reference, DecisionError)


def _decision(req: Request, decision_id: int) -> Decision:
    dec = db.session.execute(
        db.select(Decision).where(Decision.id == decision_id, Decision.request_id == req.id)
    ).scalar_one_or_none()
    if dec is None:
        raise DecisionError("not_found")
    return dec


def _log(actor: Actor, action: str, req: Request, dec: Decision, outcome: str = "ok") -> None:
    audit.record(action, actor=actor.label, actor_role=actor.role.value, object_type="decision", object_id=dec.id,
                 subject_ref=req.reference, reason=f"request {req.reference}", outcome=outcome)


def has_representative(req: Request) -> bool:
    """Someone acts for the subject (art. 20.1, 20.3): art. 20.4 can apply."""
    return any(casework.needs_representation(p) for p in req.parties)


def _check_working(req: Request) -> None:
    if req.status_enum is S.WITHDRAWN:
        raise DecisionError("request_withdrawn")
    if req.status_enum in BEFORE_QUEUE or req.status_enum not in WORKING_STATUSES:
        raise DecisionError("request_not_open")


def _validate(req: Request, right: str, outcome: str, grounds: list[str], reasons: str | None) -> tuple[str, list[str], str | None]:
    try:
        the_right = Right(right)
    except ValueError:
        raise DecisionError("right_not_asked") from None
    if not any(r.right == the_right.value for r in req.rights):
        raise DecisionError("right_not_asked")
    chosen = list(dict.fromkeys(grounds or []))  # keep order, drop repeats
    error = G.check_proposal(the_right, outcome, chosen, reasons, has_representative=has_representative(req))
    if error:
        raise DecisionError(error)
    # Issue #5, destruction and erasure: art. 17.3 (a refuted report's destruction is
    # granted: no refusal), art. 17.4 (a refusal for someone else's substantial interest
    # names that person and why) and art. 18.3 (a refusal on AVG 17(3) names the
    # exception). Here, so that proposing and signing (which calls this again) check it
    # whatever face is used. The rule lives in portal/services/destruction/checks.py.
    error = check_decision(req, the_right, outcome, chosen)
    if error:
        raise DecisionError(error)
    text = (reasons or "").strip() or None
    if text and len(text) > REASONS_MAX:
        raise DecisionError("reasons_too_long")
    if G.Outcome(outcome) is not G.Outcome.REFUSE and not casework.identity_verified(req):
        # Art. 20.5: nothing is given before everyone taking part is verified.
        raise DecisionError("identity_not_verified")
    return the_right.value, chosen, text


def signed_decisions(req: Request) -> dict[str, Decision]:
    """The decision that stands for each right: the signed one (never a replaced one)."""
    rows = db.session.execute(
        db.select(Decision).filter_by(request_id=req.id, state=Decision.SIGNED).order_by(Decision.id)
    ).scalars()
    return {d.right: d for d in rows}


def every_right_decided(req: Request) -> bool:
    decided = signed_decisions(req)
    return bool(req.rights) and all(r.right in decided for r in req.rights)


@dataclass(frozen=True)
class RightDecisions:
    """One right of a request with its decisions, newest last."""

    right: str
    decisions: list[Decision]
    standing: Decision | None  # the signed one
    open: Decision | None  # proposed or sent back
    letters: dict[int, int]  # decision id -> letter id


def decision_overview(req: Request) -> list[RightDecisions]:
    """Per right asked: its decisions (for the casework panel; metadata and the texts
    staff wrote, read as part of the request page)."""
    from ..models import Letter

    rows = list(db.session.execute(
        db.select(Decision).filter_by(request_id=req.id).order_by(Decision.id)).scalars())
    letter_ids = dict(db.session.execute(
        db.select(Letter.decision_id, Letter.id).where(Letter.request_id == req.id, Letter.decision_id.is_not(None))
    ).all())
    out = []
    for r in req.rights:
        mine = [d for d in rows if d.right == r.right]
        out.append(RightDecisions(
            right=r.right, decisions=mine,
            standing=next((d for d in mine if d.state == Decision.SIGNED), None),
            open=next((d for d in mine if d.state in OPEN_STATES), None),
            letters={d.id: letter_ids[d.id] for d in mine if d.id in letter_ids},
        ))
    return out


def _move_state(dec: Decision, expected: str, **values) -> bool:
    """Change a decision only if it is still in the `expected` state (one UPDATE with
    that condition, so a concurrent change is noticed on SQLite and PostgreSQL alike)."""
    result = db.session.execute(
        db.update(Decision).where(Decision.id == dec.id, Decision.state == expected).values(**values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    for key, value in values.items():
        setattr(dec, key, value)
    return True


# --- proposing ----------------------------------------------------------------------------

def propose(actor: Actor, reference: str, right: str, outcome: str, grounds: list[str], reasons: str | None,
            *, replaces_id: int | None = None) -> Decision:
    """A caseworker proposes a decision on one right: grant, grant in part (restriction)
    or refuse. A restriction or refusal needs at least one ground from the catalogue
    (portal/rules/grounds.py) and written reasons (art. 14.2, 20.4). To change a signed
    decision, propose a new one that replaces it (replaces_id)."""
    require(actor, Permission.DECISION_PROPOSE, object_type="request", subject_ref=reference)
    req = _load(reference)
    _check_working(req)
    right_value, chosen, text = _validate(req, right, outcome, grounds, reasons)
    same_right = list(db.session.execute(
        db.select(Decision).filter_by(request_id=req.id, right=right_value)).scalars())
    if any(d.state in OPEN_STATES for d in same_right):
        raise DecisionError("open_proposal_exists")
    standing = next((d for d in same_right if d.state == Decision.SIGNED), None)
    if replaces_id is None and standing is not None:
        raise DecisionError("already_decided")
    if replaces_id is not None and (standing is None or standing.id != replaces_id):
        raise DecisionError("replaces_not_standing")
    dec = Decision(request_id=req.id, right=right_value, outcome=G.Outcome(outcome).value,
                   grounds_json=json.dumps(chosen), reasons=text, state=Decision.PROPOSED,
                   proposed_by=actor.staff_id, proposed_at=utcnow(), replaces_id=replaces_id)
    db.session.add(dec)
    db.session.flush()
    timeline.event(req, "decision_proposed", actor.label, public=False)
    if req.status_enum is S.RECEIVED:
        timeline.move(req, S.IN_PROGRESS, actor.label)
    _log(actor, "decision.propose", req, dec)
    db.session.commit()
    return dec


def revise(actor: Actor, reference: str, decision_id: int, outcome: str, grounds: list[str],
           reasons: str | None) -> Decision:
    """Change a proposal that is not signed yet (proposed, or sent back). Whoever revises
    becomes its proposer, and so cannot sign it. A signed decision cannot be edited."""
    require(actor, Permission.DECISION_PROPOSE, object_type="decision", object_id=decision_id, subject_ref=reference)
    req = _load(reference)
    dec = _decision(req, decision_id)
    if dec.state not in OPEN_STATES:
        _log(actor, "decision.revise", req, dec, outcome="refused")
        db.session.commit()
        raise DecisionError("signed_cannot_be_edited")
    _check_working(req)
    _right, chosen, text = _validate(req, dec.right, outcome, grounds, reasons)
    if not _move_state(dec, dec.state, outcome=G.Outcome(outcome).value, grounds_json=json.dumps(chosen),
                       reasons=text, state=Decision.PROPOSED, proposed_by=actor.staff_id, proposed_at=utcnow()):
        db.session.rollback()
        raise DecisionError("signed_cannot_be_edited")
    timeline.event(req, "decision_revised", actor.label, public=False)
    _log(actor, "decision.revise", req, dec)
    db.session.commit()
    return dec


# --- the team leader ------------------------------------------------------------------------

def send_back(actor: Actor, reference: str, decision_id: int, comment: str) -> Decision:
    """The team leader does not sign, and says why (the caseworker revises)."""
    require(actor, Permission.DECISION_SIGN, object_type="decision", object_id=decision_id, subject_ref=reference)
    req = _load(reference)
    dec = _decision(req, decision_id)
    if dec.state != Decision.PROPOSED:
        raise DecisionError("not_waiting_for_review")
    if dec.proposed_by == actor.staff_id:
        raise DecisionError("own_proposal")
    text = (comment or "").strip()
    if not text:
        raise DecisionError("comment_required")
    if len(text) > COMMENT_MAX:
        raise DecisionError("comment_too_long")
    if not _move_state(dec, Decision.PROPOSED, state=Decision.SENT_BACK, reviewed_by=actor.staff_id,
                       reviewed_at=utcnow(), review_comment=text):
        db.session.rollback()
        raise DecisionError("not_waiting_for_review")
    timeline.event(req, "decision_sent_back", actor.label, public=False)
    _log(actor, "decision.send_back", req, dec)
    db.session.commit()
    return dec


def sign(actor: Actor, reference: str, decision_id: int) -> Decision:
    """A team leader signs a proposal (art. 14.2, 20.4): never their own. The letter is
    made in the request's language and released on the status page; the decision it
    replaces (if any) becomes "replaced"; when every right is decided the request moves
    to "decided". One transaction; the neutral e-mail notice goes out after it."""
    require(actor, Permission.DECISION_SIGN, object_type="decision", object_id=decision_id, subject_ref=reference)
    req = _load(reference)
    dec = _decision(req, decision_id)
    if dec.state != Decision.PROPOSED:
        raise DecisionError("not_waiting_for_review")
    if dec.proposed_by is None or dec.proposed_by == actor.staff_id:
        # Nobody signs their own proposal (and a proposal whose author's account was
        # removed is proposed again by someone present).
        _log(actor, "decision.sign", req, dec, outcome="refused")
        db.session.commit()
        raise DecisionError("own_proposal")
    _check_working(req)
    if casework.art20_4_pending(req):
        raise DecisionError("art20_4_pending")
    # Check the proposal again: the request may have changed since it was written.
    _validate(req, dec.right, dec.outcome, dec.grounds, dec.reasons)
    replaced = None
    if dec.replaces_id is not None:
        replaced = _decision(req, dec.replaces_id)
        if replaced.state != Decision.SIGNED:
            raise DecisionError("replaces_not_standing")
    now = utcnow()
    # Compare-and-set: of two team leaders signing at the same moment, one wins; the
    # other gets "not waiting for review" (and nothing of theirs is stored).
    if not _move_state(dec, Decision.PROPOSED, state=Decision.SIGNED, reviewed_by=actor.staff_id, reviewed_at=now):
        db.session.rollback()
        raise DecisionError("not_waiting_for_review")
    if replaced is not None:
        if not _move_state(replaced, Decision.SIGNED, state=Decision.REPLACED):
            db.session.rollback()
            raise DecisionError("replaces_not_standing")
        timeline.event(req, "decision_replaced", actor.label, public=False)
    db.session.flush()
    letter = letters.issue_decision_letter(req, dec, replaced=replaced, actor=actor)
    timeline.event(req, "decision_signed", actor.label, public=False)
    _log(actor, "decision.sign", req, dec)
    # The right is answered on the day of the first signing (a replacing decision does
    # not move that day); when every right is answered the request is decided.
    answers.mark_answered(req, dec.right, on=today_local(), outcome=dec.outcome, by=answers.DECISION)
    if every_right_decided(req) or answers.every_right_answered(req):
        if req.status_enum is not S.DECIDED:
            timeline.move(req, S.DECIDED, actor.label)
        if req.answered_on is None:
            req.answered_on = today_local()
    answers.refresh_earliest_due(req)
    addresses, lang = notices.addresses(req), req.language
    db.session.commit()
    notices.send(addresses, lang)
    log.info("decision %s signed, letter %s released", dec.id, letter.id)
    return dec
