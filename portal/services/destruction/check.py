"""The team leader's execution check (issue 10; art. 17.4, 18): four eyes on a
destruction or erasure that was carried out.

Art. 17.4 gives VT three months from receipt to destroy; art. 18 asks erasure without
undue delay. The caseworker carries it out in the portal (``execution.execute``) and
records that the registration system did it (``execution.confirm_execution``). Then it
waits for a team leader who took no part in it (nobody checks their own work: not the
one who executed, nor whoever confirmed an instruction) to check it, from the inbox:

* ``check_execution`` signs that it was carried out completely and in time (``check_state``
  "checked", who and when);
* ``send_back_check`` says what is not in order (a comment; ``check_state`` "sent_back");
  the caseworker mends it at the registration system and ``offer_check_again`` puts it back
  in the inbox (the comment stays until a team leader checks it).

Every step is a compare-and-set on ``check_state``: of two team leaders at the same
moment, one wins, and the other gets "not waiting" with nothing changed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ...infra.extensions import db
from ...models import Request, RightAssessment, Staff, utcnow
from ...rules.permissions import Permission
from ...rules.status import RequestStatus
from .. import audit, timeline
from ..authz import Actor
from .common import DESTRUCTION, RIGHTS, DestructionError, assessment_of, instructions_for, request_for_right

COMMENT_MAX = 5000
CHECKED, SENT_BACK = RightAssessment.CHECKED, RightAssessment.SENT_BACK


def waiting_checks():
    """Assessments whose execution is done and waits for a team leader's check, with
    their request (not withdrawn)."""
    return (db.select(RightAssessment, Request).join(Request, Request.id == RightAssessment.request_id)
            .where(RightAssessment.right.in_(RIGHTS), RightAssessment.executed_on.is_not(None),
                   RightAssessment.check_state.is_(None),
                   Request.status != RequestStatus.WITHDRAWN.value))


def took_part(req: Request, right: str, a: RightAssessment) -> set[int]:
    """Whoever carried it out or confirmed it: they do not check it (four eyes)."""
    ids = {a.executed_by}
    for ins in instructions_for(req, right):
        ids |= {ins.created_by, ins.confirmed_by}
    ids.discard(None)
    return ids


def _word(right: str) -> str:
    return "destruction" if right == DESTRUCTION else "erasure"


def _load(actor: Actor, reference: str, right: str, permission: Permission) -> tuple[Request, RightAssessment]:
    req = request_for_right(actor, reference, right, permission)
    if req.status_enum is RequestStatus.WITHDRAWN:
        raise DestructionError("request_withdrawn")
    a = assessment_of(req, right)
    if a is None or a.executed_on is None:
        raise DestructionError("not_executed")
    return req, a


def _log(actor: Actor, action: str, req: Request, a: RightAssessment, outcome: str = "ok") -> None:
    audit.record(action, actor=actor.label, actor_role=actor.role.value, object_type="right_assessment",
                 object_id=a.id, subject_ref=req.reference, reason=f"request {req.reference}", outcome=outcome)


def _move(a: RightAssessment, expected: str | None, **values) -> bool:
    cond = RightAssessment.check_state.is_(None) if expected is None else RightAssessment.check_state == expected
    done = db.session.execute(db.update(RightAssessment).where(RightAssessment.id == a.id, cond).values(**values)
                              .execution_options(synchronize_session=False)).rowcount == 1
    if done:
        for k, v in values.items():
            setattr(a, k, v)
    return done


def _for_team_leader(actor: Actor, reference: str, right: str, action: str) -> tuple[Request, RightAssessment]:
    req, a = _load(actor, reference, right, Permission.DECISION_SIGN)
    if a.check_state is not None:
        raise DestructionError("check_not_waiting")
    if actor.staff_id is None or actor.staff_id in took_part(req, right, a):
        _log(actor, action, req, a, outcome="refused")
        db.session.commit()
        raise DestructionError("own_execution")
    return req, a


def check_execution(actor: Actor, reference: str, right: str) -> RightAssessment:
    """A team leader who took no part signs that the destruction or erasure was carried
    out (four eyes)."""
    req, a = _for_team_leader(actor, reference, right, f"{_word(right)}.check")
    if not _move(a, None, check_state=CHECKED, checked_by=actor.staff_id, checked_at=utcnow()):
        db.session.rollback()
        raise DestructionError("check_not_waiting")
    timeline.event(req, f"{_word(right)}_checked", actor.label, public=False)
    _log(actor, f"{_word(right)}.check", req, a)
    db.session.commit()
    return a


def send_back_check(actor: Actor, reference: str, right: str, comment: str | None) -> RightAssessment:
    """The team leader does not sign the check, and says what is not in order."""
    text = (comment or "").strip()
    req, a = _for_team_leader(actor, reference, right, f"{_word(right)}.check_send_back")
    if not text:
        raise DestructionError("comment_required")
    if len(text) > COMMENT_MAX:
        raise DestructionError("comment_too_long")
    if not _move(a, None, check_state=SENT_BACK, checked_by=actor.staff_id, checked_at=utcnow(), check_comment=text):
        db.session.rollback()
        raise DestructionError("check_not_waiting")
    timeline.event(req, f"{_word(right)}_check_sent_back", actor.label, public=False)
    _log(actor, f"{_word(right)}.check_send_back", req, a)
    db.session.commit()
    return a


def offer_check_again(actor: Actor, reference: str, right: str) -> RightAssessment:
    """The caseworker mended what the team leader sent back: the check waits again."""
    req, a = _load(actor, reference, right, Permission.DECISION_PROPOSE)
    if a.check_state != SENT_BACK:
        raise DestructionError("check_not_sent_back")
    if not _move(a, SENT_BACK, check_state=None, checked_by=None, checked_at=None):
        db.session.rollback()
        raise DestructionError("check_not_sent_back")
    timeline.event(req, f"{_word(right)}_check_offered_again", actor.label, public=False)
    _log(actor, f"{_word(right)}.check_offer_again", req, a)
    db.session.commit()
    return a


@dataclass(frozen=True)
class InstructionLine:
    """One instruction for the registration system: ids and counts, no dossier text."""

    id: int
    dossier: str
    kind: str
    whole: int
    shared: int
    mentions: int
    confirmed_on: date | None
    confirmed_name: str | None


@dataclass
class CheckPage:
    request: Request
    right: str
    assessment: RightAssessment
    execute_by: date | None  # art. 17.4 (destruction only)
    in_time: bool | None
    instructions: list[InstructionLine]
    own: bool
    took_part: set[int]
    names: dict[int, str]  # who carried it out or confirmed it
    others: list[str] = field(default_factory=list)  # who else may check (filled by the inbox)


def check_page(actor: Actor, reference: str, right: str) -> CheckPage:
    """What the team leader checks: per instruction what was destroyed or anonymised
    (counts and ids), who at the registration system confirmed it and when, against the
    deadline.
    Logged as a read of the request (who confirmed it is named)."""
    req, a = _load(actor, reference, right, Permission.DECISION_SIGN)
    if a.check_state is not None:
        raise DestructionError("check_not_waiting")
    lines = []
    for ins in instructions_for(req, right):
        p = ins.payload
        lines.append(InstructionLine(ins.id, ins.dossier_ref, ins.kind, len(p.get("whole") or []),
                                     len(p.get("remove_person_from") or []), len(p.get("mentions") or []),
                                     ins.confirmed_on, ins.confirmed_name))
    part = took_part(req, right, a)
    own = actor.staff_id in part
    names = dict(db.session.execute(db.select(Staff.id, Staff.display_name).where(Staff.id.in_(part))).all()) \
        if part else {}
    execute_by = a.execute_by if right == DESTRUCTION else None
    in_time = (a.executed_on <= execute_by) if execute_by else None
    _log(actor, f"{_word(right)}.check_view", req, a)
    db.session.commit()
    return CheckPage(req, right, a, execute_by, in_time, lines, own, part, names)
