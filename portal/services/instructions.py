"""Instructions for the registration system, and AVG 19 notification tasks (issue #5).

The portal does not own the case files: after a decided correction (art. 15), an own
statement (art. 16), a destruction (art. 17) or an erasure (art. 18), it records what
the registration system must do as a ``RegistrationInstruction`` and exports them per
dossier as JSON (``export``; format in docs/registration-instructions.md). Someone at
the registration system carries it out; a caseworker records that it was done, by whom
and when (``confirm``).

AVG 19: the recipients the dossier says an entry was shared with (``shared_with``) are
told of a rectification or erasure. Each becomes a ``NotificationTask``, ticked off with
the date and by whom (``tick``).

Payloads hold ids and the decided text, never more personal data than the change
itself needs; a destruction's payload holds ids only.
"""
from __future__ import annotations

import json
from datetime import date

from ..infra.extensions import db
from ..models import DossierEntry, NotificationTask, RegistrationInstruction, Request
from ..rules.permissions import Permission
from . import audit, authz
from .authz import Actor
from .errors import DomainError

FORMAT = "vt-instructions/1"
NAME_MAX = 120
NOTE_MAX = 500


class InstructionError(DomainError):
    pass


def create(actor: Actor, req: Request | None, dossier_ref: str, kind: str, payload: dict) -> RegistrationInstruction:
    """Record an instruction (in the caller's transaction: the caller commits)."""
    if kind not in RegistrationInstruction.KINDS:
        raise InstructionError("bad_kind")
    ins = RegistrationInstruction(request_id=req.id if req is not None else None, dossier_ref=dossier_ref, kind=kind,
                                  payload_json=json.dumps(payload, ensure_ascii=False, sort_keys=True),
                                  created_by=actor.staff_id)
    db.session.add(ins)
    db.session.flush()
    audit.record(f"instruction.{kind}", actor=actor.label, actor_role=actor.role.value, object_type="instruction",
                 object_id=ins.id, subject_ref=req.reference if req is not None else None,
                 reason=f"dossier {dossier_ref}")
    return ins


def notification_tasks(req: Request, instruction: RegistrationInstruction | None,
                       entries: list[DossierEntry]) -> list[NotificationTask]:
    """One task per recipient the entries were shared with (AVG 19), in the caller's
    transaction. The same recipient for several entries is one task per entry: the
    recipient is told about each entry they received."""
    tasks = []
    for entry in entries:
        for share in entry.shared_with:
            shared_on = share.get("date")
            task = NotificationTask(request_id=req.id, instruction_id=instruction.id if instruction else None,
                                    entry_ref=entry.entry_id, recipient=str(share.get("recipient", ""))[:200],
                                    shared_on=date.fromisoformat(shared_on) if shared_on else None,
                                    basis=(str(share.get("basis")) if share.get("basis") else None))
            db.session.add(task)
            tasks.append(task)
    return tasks


def tick(actor: Actor, task_id: int, *, done_on: date, note: str | None = None) -> NotificationTask:
    """The recipient was told: the date and who did it (AVG 19)."""
    authz.require(actor, Permission.DECISION_PROPOSE, object_type="notification_task", object_id=task_id)
    task = db.session.get(NotificationTask, task_id)
    if task is None:
        raise InstructionError("task_not_found")
    if task.done_on is not None:
        raise InstructionError("already_done")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InstructionError("note_too_long")
    if done_on > date.today():
        raise InstructionError("date_in_future")
    task.done_on, task.done_by, task.note = done_on, actor.staff_id, note or None
    req = db.session.get(Request, task.request_id)
    audit.record("notification.done", actor=actor.label, actor_role=actor.role.value, object_type="notification_task",
                 object_id=task.id, subject_ref=req.reference if req else None, reason=f"task {task.id}")
    db.session.commit()
    return task


def confirm(actor: Actor, instruction_id: int, *, name: str, on: date) -> RegistrationInstruction:
    """Someone at the registration system carried the instruction out: who and when."""
    authz.require(actor, Permission.DECISION_PROPOSE, object_type="instruction", object_id=instruction_id)
    ins = db.session.get(RegistrationInstruction, instruction_id)
    if ins is None:
        raise InstructionError("instruction_not_found")
    if ins.confirmed_on is not None:
        raise InstructionError("already_confirmed")
    if ins.superseded_by is not None:
        raise InstructionError("superseded")
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX:
        raise InstructionError("name_required")
    if on > date.today():
        raise InstructionError("date_in_future")
    ins.confirmed_on, ins.confirmed_by, ins.confirmed_name = on, actor.staff_id, name
    req = db.session.get(Request, ins.request_id) if ins.request_id else None
    audit.record("instruction.confirm", actor=actor.label, actor_role=actor.role.value, object_type="instruction",
                 object_id=ins.id, subject_ref=req.reference if req else None, reason=f"dossier {ins.dossier_ref}")
    db.session.commit()
    return ins


def export(actor: Actor, dossier_ref: str) -> dict:
    """Every instruction for one dossier, as the JSON the registration system reads
    (docs/registration-instructions.md). Reading it is logged."""
    authz.require(actor, Permission.DECISION_PROPOSE, object_type="dossier", object_id=dossier_ref)
    rows = db.session.execute(db.select(RegistrationInstruction).filter_by(dossier_ref=dossier_ref)
                              .order_by(RegistrationInstruction.id)).scalars().all()
    out = {
        "format": FORMAT,
        "dossier_id": dossier_ref,
        "instructions": [
            {"id": r.id, "kind": r.kind, "created_at": r.created_at.isoformat() + "Z",
             "confirmed_on": r.confirmed_on.isoformat() if r.confirmed_on else None, **{"payload": r.payload}}
            for r in rows
        ],
    }
    audit.record("instruction.export", actor=actor.label, actor_role=actor.role.value, object_type="dossier",
                 object_id=dossier_ref, reason=f"dossier {dossier_ref}: {len(rows)} instruction(s)")
    db.session.commit()
    return out
