"""The registration system's side of a correction (art. 15) or own statement (art. 16):
the request's instructions ("rectify", "add_statement") and their notification tasks
(AVG 19), ticking a task off, confirming an instruction, the JSON export of a dossier.
The instructions themselves live in portal/services/instructions.py."""
from __future__ import annotations

import json
from datetime import date

from ...infra.extensions import db
from ...models import NotificationTask, RegistrationInstruction, Request
from ...rules.permissions import Permission
from .. import authz, instructions, timeline
from ..authz import Actor
from ..copies.common import links_of
from .common import RectificationError, load


# --- instructions and notification tasks of this request -------------------------------------

def instructions_of(req: Request) -> list[RegistrationInstruction]:
    return list(db.session.execute(db.select(RegistrationInstruction).filter_by(request_id=req.id)
                                   .where(RegistrationInstruction.kind.in_(("rectify", "add_statement")))
                                   .order_by(RegistrationInstruction.id)).scalars())


def tasks_of(req: Request) -> list[NotificationTask]:
    ids = [i.id for i in instructions_of(req)]
    if not ids:
        return []
    return list(db.session.execute(db.select(NotificationTask).filter_by(request_id=req.id)
                                   .where(NotificationTask.instruction_id.in_(ids))
                                   .order_by(NotificationTask.id)).scalars())


def tick_task(actor: Actor, reference: str, task_id: int, *, done_on: date,
              note: str | None = None) -> NotificationTask:
    """A recipient was told of the correction (AVG 19): when and by whom; on the timeline."""
    authz.require(actor, Permission.DECISION_PROPOSE, object_type="notification_task", object_id=task_id,
                  subject_ref=reference)
    req = load(reference)
    task = db.session.get(NotificationTask, task_id)
    if task is None or task.request_id != req.id or task.id not in {t.id for t in tasks_of(req)}:
        raise RectificationError("task_not_found")
    timeline.event(req, "notification_done", actor.label, public=False)
    try:
        return instructions.tick(actor, task_id, done_on=done_on, note=note)
    except instructions.InstructionError as exc:
        db.session.rollback()
        raise RectificationError(exc.code) from None


def confirm_instruction(actor: Actor, reference: str, instruction_id: int, *, name: str,
                        on: date) -> RegistrationInstruction:
    """Someone at the registration system carried out an instruction of this request."""
    authz.require(actor, Permission.DECISION_PROPOSE, object_type="instruction", object_id=instruction_id,
                  subject_ref=reference)
    req = load(reference)
    if instruction_id not in {i.id for i in instructions_of(req)}:
        raise RectificationError("instruction_not_found")
    timeline.event(req, "instruction_confirmed", actor.label, public=False)
    try:
        return instructions.confirm(actor, instruction_id, name=name, on=on)
    except instructions.InstructionError as exc:
        db.session.rollback()
        raise RectificationError(exc.code) from None


def export_for(actor: Actor, reference: str, dossier_ref: str) -> dict:
    """The registration system's JSON for a dossier this request is linked to."""
    authz.require(actor, Permission.DECISION_PROPOSE, object_type="dossier", object_id=dossier_ref,
                  subject_ref=reference)
    req = load(reference)
    if dossier_ref not in {ln.dossier.dossier_id for ln in links_of(req)}:
        raise RectificationError("not_linked")
    return instructions.export(actor, dossier_ref)


def instruction_json(ins: RegistrationInstruction) -> str:
    return json.dumps(ins.payload, ensure_ascii=False, indent=2, sort_keys=True)
