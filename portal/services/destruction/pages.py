"""What the back office shows of destruction and erasure (art. 17, 18): the panel on the
request page (no dossier text: the dossier's id, outcome and retention years, the
weighing staff wrote), and logging the execution page as a read of dossier data
(art. 7.5)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ...infra.extensions import db
from ...models import (Decision, DossierLink, RegistrationInstruction, Request, RequestedRight, RetentionExtension,
                       RightAssessment)
from ...rules import deadlines
from ...rules import grounds as G
from ...rules import retention as RT
from .. import audit, casework
from ..authz import Actor
from ..copies.common import links_of
from ..timeline import today_local
from .common import (DESTRUCTION, ERASURE, RIGHTS, assessment_of, claimed, exceptions, execution_deadline,
                     instructions_for, is_refuted, weighed)
from .retention import retention_extensions, retention_of
from .scope import Plan


@dataclass(frozen=True)
class LinkView:
    link: DossierLink
    refuted: bool
    retention: RT.Retention
    extensions: tuple[RetentionExtension, ...]


@dataclass(frozen=True)
class RightView:
    right: str
    asked: RequestedRight
    assessment: RightAssessment | None
    decision: Decision | None  # the signed one
    open_decision: Decision | None
    execute_by: deadlines.Deadline | None  # art. 17.4 (destruction only)
    claimed: tuple[str, ...]
    weighed: dict
    exceptions: dict
    instructions: tuple[RegistrationInstruction, ...]
    tasks: tuple
    executed_in_portal: bool
    done_on: date | None
    may_execute: bool
    execute_overdue: bool = False  # art. 17.4 deadline passed and not done
    execute_nearly_due: bool = False  # within 5 working days and not done


@dataclass(frozen=True)
class PanelData:
    verified: bool
    links: tuple[LinkView, ...]
    rights: tuple[RightView, ...]
    refuted: bool


def panel_data(req: Request) -> PanelData | None:
    """What the request page shows for destruction and erasure (no dossier text: the
    dossier's id, outcome and retention years; the weighing staff wrote)."""
    from ...models import NotificationTask

    asked = [r for r in req.rights if r.right in RIGHTS]
    if not asked:
        return None
    verified = casework.identity_verified(req)
    links = links_of(req) if verified else []
    lviews = tuple(LinkView(link, is_refuted(link), retention_of(link.dossier),
                            tuple(retention_extensions(link.dossier))) for link in links)
    decisions = list(db.session.execute(db.select(Decision).filter_by(request_id=req.id).order_by(Decision.id)).scalars())
    today = today_local()
    rviews = []
    for r in asked:
        a = assessment_of(req, r.right)
        signed = next((d for d in decisions if d.right == r.right and d.state == Decision.SIGNED), None)
        open_ = next((d for d in decisions if d.right == r.right and d.state in (Decision.PROPOSED, Decision.SENT_BACK)),
                     None)
        ins = tuple(instructions_for(req, r.right))
        tasks = tuple(db.session.execute(db.select(NotificationTask).where(
            NotificationTask.instruction_id.in_([i.id for i in ins])).order_by(NotificationTask.id)).scalars()) if ins else ()
        executed = a is not None and a.method is not None
        done = (a.executed_on if a is not None and a.executed_on else None)
        due = execution_deadline(req) if r.right == DESTRUCTION else None
        refused = signed is not None and signed.outcome == G.Outcome.REFUSE.value
        watch = due is not None and done is None and not refused
        rviews.append(RightView(
            right=r.right, asked=r, assessment=a, decision=signed, open_decision=open_,
            execute_by=due,
            claimed=tuple(claimed(a, req)) if r.right == ERASURE else (), weighed=weighed(a), exceptions=exceptions(a),
            instructions=ins, tasks=tasks, executed_in_portal=executed, done_on=done,
            may_execute=(verified and bool(links) and not executed and signed is not None
                         and signed.outcome in (G.Outcome.GRANT.value, G.Outcome.GRANT_IN_PART.value)),
            execute_overdue=watch and today > due.due,
            execute_nearly_due=watch and today <= due.due <= deadlines.working_days_after(today, 5)))
    return PanelData(verified, lviews, tuple(rviews), any(lv.refuted for lv in lviews))


def log_plan_view(actor: Actor, req: Request, right: str, plans: Sequence[Plan]) -> None:
    """The execution page shows entry titles and dates of the subject's part: a read of
    dossier data (art. 7.5)."""
    audit.record(f"{'destruction' if right == DESTRUCTION else 'erasure'}.plan_view", actor=actor.label,
                 actor_role=actor.role.value, object_type="request", object_id=req.id, subject_ref=req.reference,
                 reason="; ".join(f"dossier {p.link.dossier.dossier_id} {p.link.person.person_id}" for p in plans)[:200])
    db.session.commit()
