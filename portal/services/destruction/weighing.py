"""Recording the weighing of a request (``RightAssessment``): for destruction who else has
a substantial interest in keeping the data and why (art. 17.4, ``record_interest``); for
erasure the grounds a-e (art. 18.2) and the AVG 17(3) checklist (art. 18.3,
``record_erasure``)."""
from __future__ import annotations

import json

from ...infra.extensions import db
from ...models import RightAssessment, utcnow
from ...rules import grounds as G
from ...rules.permissions import Permission
from .. import audit, timeline
from ..authz import Actor
from ..copies.common import links_of
from .common import (ART17_3_MUST_GRANT, CODES, DESTRUCTION, ERASURE, EXCEPTION_NOTE_MIN, FINDINGS, NAME_MAX,
                     NOTE_MAX, REASONS_MAX, DestructionError, check_open, ensure_assessment, is_refuted,
                     request_for_right)


def _not_executed(a: RightAssessment) -> None:
    if a.method is not None:
        raise DestructionError("already_executed")


def record_interest(actor: Actor, reference: str, person: str | None, reasons: str | None) -> RightAssessment:
    """Art. 17.4: who else has a substantial interest in keeping the data, and why.
    Both, or neither (clearing them). Not for a refuted report (art. 17.3)."""
    req = request_for_right(actor, reference, DESTRUCTION, Permission.DECISION_PROPOSE)
    check_open(req)
    who = " ".join((person or "").split())
    why = (reasons or "").strip()
    if who or why:
        if any(is_refuted(link) for link in links_of(req)):
            raise DestructionError(ART17_3_MUST_GRANT)
        if not who:
            raise DestructionError("interest_person_required")
        if len(who) > NAME_MAX:
            raise DestructionError("interest_person_too_long")
        if len(why) < G.MIN_REASONS:
            raise DestructionError("reasons_required")
        if len(why) > REASONS_MAX:
            raise DestructionError("reasons_too_long")
    a = ensure_assessment(req, DESTRUCTION, actor)
    _not_executed(a)
    a.interest_person, a.interest_reasons = who or None, why or None
    a.updated_at, a.updated_by = utcnow(), actor.staff_id
    timeline.event(req, "destruction_assessed", actor.label, public=False)
    audit.record("destruction.assess", actor=actor.label, actor_role=actor.role.value, object_type="right_assessment",
                 object_id=a.id, subject_ref=req.reference,
                 reason=f"request {req.reference}: interest {'named' if who else 'cleared'}")
    db.session.commit()
    return a


def record_erasure(actor: Actor, reference: str, weighing: dict[str, dict], exception_list: dict[str, dict]) -> RightAssessment:
    """Art. 18.2 and 18.3: the caseworker's finding on each ground a-e (``applies`` or
    ``does_not_apply``, with a note; a ground left out is not weighed) and the AVG
    17(3) checklist (``applies`` true needs a note of at least 10 characters). The
    requester's own grounds are kept as they gave them (``claimed_json``)."""
    req = request_for_right(actor, reference, ERASURE, Permission.DECISION_PROPOSE)
    check_open(req)
    clean_w: dict[str, dict] = {}
    for code, item in (weighing or {}).items():
        if code not in CODES:
            raise DestructionError("ground_unknown")
        finding = (item or {}).get("finding") or ""
        note = (str((item or {}).get("note") or "")).strip()
        if len(note) > NOTE_MAX:
            raise DestructionError("note_too_long")
        if not finding:
            if note:
                raise DestructionError("finding_required")
            continue
        if finding not in FINDINGS:
            raise DestructionError("finding_unknown")
        clean_w[code] = {"finding": finding, "note": note}
    clean_x: dict[str, dict] = {}
    for code, item in (exception_list or {}).items():
        if code not in CODES:
            raise DestructionError("exception_unknown")
        applies = bool((item or {}).get("applies"))
        note = (str((item or {}).get("note") or "")).strip()
        if len(note) > NOTE_MAX:
            raise DestructionError("note_too_long")
        if applies and len(note) < EXCEPTION_NOTE_MIN:
            raise DestructionError("exception_note_required")
        if not applies and note:
            raise DestructionError("exception_not_ticked")
        if applies:
            clean_x[code] = {"applies": True, "note": note}
    a = ensure_assessment(req, ERASURE, actor)
    _not_executed(a)
    a.weighed_json = json.dumps({c: clean_w[c] for c in CODES if c in clean_w}, ensure_ascii=False)
    a.exceptions_json = json.dumps({c: clean_x[c] for c in CODES if c in clean_x}, ensure_ascii=False)
    a.updated_at, a.updated_by = utcnow(), actor.staff_id
    timeline.event(req, "erasure_assessed", actor.label, public=False)
    audit.record("erasure.assess", actor=actor.label, actor_role=actor.role.value, object_type="right_assessment",
                 object_id=a.id, subject_ref=req.reference,
                 reason=f"request {req.reference}: grounds weighed {','.join(clean_w) or '-'}; "
                        f"exceptions {','.join(clean_x) or '-'}")
    db.session.commit()
    return a
