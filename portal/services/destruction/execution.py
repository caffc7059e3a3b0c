"""Carrying out a signed grant of destruction or erasure (art. 17, 18; art. 9.3: destroyed
or anonymised), in the portal and as an instruction per linked dossier for the
registration system, in one transaction (``execute``); recording that the registration
system did it (``confirm_execution``), and then telling the requester."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import gettext as _

from ...infra import journal
from ...infra.extensions import db
from ...models import (Copy, CopyAttachment, CopyEntry, CopyRedaction, CorrectionItem, Decision, DossierPerson,
                       EntryAmendment, Message, RegistrationInstruction, Request, RightAssessment,
                       correction_item_entries, own_statement_entries, utcnow)
from ...rules.permissions import Permission
from ...rules.rights import Right
from .. import audit, authz, casework, instructions, notices, timeline
from ..authz import Actor
from ..timeline import today_local
from .common import (ANONYMISE, ANONYMISED, DESTROY, DESTRUCTION, KIND_FOR, KINDS_OF, METHODS, REMOVED,
                     DestructionError, assessment_of, ensure_assessment, instructions_for, request_for_right,
                     standing_decision)
from .scope import Plan, person_values, plan, subject_spans


def _scrub(text: str | None, subject, others: Sequence) -> tuple[str | None, int]:
    """``text`` with the subject's identifiers replaced by "[verwijderd]", and how many."""
    spans = subject_spans(text, subject, others) if subject is not None else []
    if not spans:
        return text, 0
    out, pos = [], 0
    for a, b in spans:
        out.append(text[pos:a])
        out.append(REMOVED)
        pos = b
    out.append(text[pos:])
    return "".join(out), len(spans)


# --- executing ------------------------------------------------------------------------------------

def _scrub_json(value, subject, others, forget: set[str], gone_entries: set[str]):
    """A payload of an earlier instruction with the text of destroyed entries dropped (a
    rectification's ``new_text`` of such an entry), any string that holds a forgotten
    text cleared, and (``subject`` given: a full grant) the subject's identifiers
    taken out of every other string."""
    if isinstance(value, dict):
        out = {}
        drop_text = value.get("entry_id") in gone_entries
        for k, v in value.items():
            if drop_text and k in ("new_text", "text"):
                out[k] = None
            else:
                out[k] = _scrub_json(v, subject, others, forget, gone_entries)
        return out
    if isinstance(value, list):
        return [_scrub_json(v, subject, others, forget, gone_entries) for v in value]
    if isinstance(value, str):
        if any(f and f in value for f in forget):
            return None
        return _scrub(value, subject, others)[0] if subject is not None else value
    return value


def withdraw_copy(copy: Copy, changed: set[int], gone: set[int], gone_attachments: set[int], right: str) -> bool:
    """The portal's copy of destroyed data goes: the PDF, the redaction rows of the
    changed entries (their offsets belong to the old text), the destroyed entries and
    attachments; the copy is withdrawn (a new one can be made), with the reason. True
    when it had been released: its requester must be told."""
    was_released = copy.status == Copy.RELEASED
    copy.withdrawn_reason = Copy.DESTROYED if right == DESTRUCTION else Copy.ERASED
    copy.pdf_ciphertext = None
    copy.pdf_sha256 = None
    copy.pdf_pages = None
    copy.rendered_version = None
    copy.rendered_at = None
    copy.render_state, copy.render_progress, copy.render_error = "idle", 0, None
    copy.status = Copy.WITHDRAWN
    copy.version = (copy.version or 1) + 1
    for r in list(copy.redactions):
        if r.entry_pk in changed:
            copy.redactions.remove(r)
            db.session.delete(r)
    for ce in list(copy.entries):
        if ce.entry_pk in gone:
            copy.entries.remove(ce)
            db.session.delete(ce)
    for ca in list(copy.attachments):
        ca.redacted_ciphertext = ca.ocr_ciphertext = None
        if ca.attachment_pk in gone_attachments:
            copy.attachments.remove(ca)
            db.session.delete(ca)
        elif ca.state == CopyAttachment.REDACTED:
            ca.state, ca.boxes_json = CopyAttachment.UNREVIEWED, "[]"
    return was_released


def tell_copy_withdrawn(actor: Actor, copy_req: Request) -> list[tuple[str, str]]:
    """A released copy was withdrawn because data in it were destroyed or erased: its
    requester reads why on the status page (a message and a timeline event, in the
    request's language), in words that do not say whose data or at whose request."""
    with force_locale(copy_req.language):
        body = _("Wij hebben uw afschrift ingetrokken. Er zijn gegevens uit het dossier vernietigd of gewist. "
                 "Daardoor klopt het afschrift niet meer, en u kunt het niet meer downloaden. "
                 "Wilt u een nieuw afschrift? Neem dan contact met ons op.")
    copy_req.messages.append(Message(direction=Message.TO_REQUESTER, body=body, author=actor.label, at=utcnow()))
    timeline.event(copy_req, "copy_withdrawn", actor.label, public=True)
    return [(a, copy_req.language) for a in notices.addresses(copy_req)]


def anonymise_person(p: DossierPerson) -> None:
    p.given_names = REMOVED
    p.family_name = REMOVED
    p.relation = None
    p.birth_date = None
    p.bsn = None
    p.organisation = None
    p.protected_address = False
    p.addresses_json = p.phones_json = p.emails_json = "[]"


@dataclass(frozen=True)
class Counts:
    whole: int
    shared: int
    mentions: int
    attachments: int
    copies: int
    statements: int


def _nothing_left(kind: str, payload: dict, gone_entry_refs: set[str]) -> bool:
    """An earlier instruction the execution leaves nothing to do of: an own statement
    whose text is cleared (the statement is destroyed with the person's data), a
    correction whose every entry is destroyed."""
    if kind == "add_statement":
        return payload.get("text") is None
    if kind == "rectify":
        changes = payload.get("changes") or []
        return bool(changes) and all(c.get("entry_id") in gone_entry_refs for c in changes)
    return False


def _execute_link(actor: Actor, req: Request, right: str, dec: Decision, p: Plan, method: str,
                  execute_by: date | None, today: date, tell: list[tuple[str, str]]) -> tuple[RegistrationInstruction, Counts]:
    subject, dossier = p.link.person, p.link.dossier
    values = person_values(dossier)
    me = values.get(subject.id)
    others = [v for k, v in values.items() if k != subject.id]
    whole_ids = {e.id for e in p.whole}
    gone = whole_ids  # entries no copy may hold any more (destroyed, or emptied shells)
    changed = {e.id for e in p.changed}
    gone_attachments = {a.id for e in p.whole + p.shared for a in e.attachments}
    gone_entry_refs = {e.entry_id for e in p.whole}

    # Texts that must not survive anywhere (earlier instructions, corrections).
    forget: set[str] = set()
    for e in p.whole:
        forget |= {t for t in (e.text, e.title) if t and len(t) >= 12}
    amendments = list(db.session.execute(db.select(EntryAmendment).where(EntryAmendment.entry_pk.in_(changed))).scalars()) \
        if changed else []
    for am in amendments:
        if am.entry_pk in whole_ids and am.new_text and len(am.new_text) >= 12:
            forget.add(am.new_text)
    items_by_entry: dict[int, list[CorrectionItem]] = {}
    if changed:
        rows = db.session.execute(db.select(correction_item_entries.c.item_id, correction_item_entries.c.entry_pk)
                                  .where(correction_item_entries.c.entry_pk.in_(changed))).all()
        for item_id, entry_pk in rows:
            item = db.session.get(CorrectionItem, item_id)
            if item is not None:
                items_by_entry.setdefault(entry_pk, []).append(item)

    # 1. The instruction for the registration system (ids only) and AVG 19.
    payload = {
        "request": req.reference,
        "right": right,
        "article": Right(right).article,
        "decision_id": dec.id,
        "person_id": subject.person_id,
        "scope": "all" if p.full else "selected",
        "method": method,
        "method_basis": "art. 9.3",
        "whole": [e.entry_id for e in p.whole],
        "remove_person_from": [e.entry_id for e in p.shared],
        "mentions": [e.entry_id for e in p.mentions],
        "own_statements": [s.id for s in p.statements],
        "person": "anonymise" if p.full else None,
        "execute_by": execute_by.isoformat() if execute_by else None,
        "executed_in_portal_on": today.isoformat(),
    }
    ins = instructions.create(actor, req, dossier.dossier_id, KIND_FOR[right][method], payload)
    instructions.notification_tasks(req, ins, [e for e in p.changed if e.shared_with])

    # 2. Earlier instructions about this dossier: no destroyed text, no identifier of the subject.
    for old in db.session.execute(db.select(RegistrationInstruction).where(
            RegistrationInstruction.dossier_ref == dossier.dossier_id,
            RegistrationInstruction.id != ins.id)).scalars():
        before = old.payload
        after = _scrub_json(before, me if p.full else None, others, forget, gone_entry_refs)
        if old.kind == "add_statement" and p.full and before.get("person_id") == subject.person_id:
            after["text"] = None
        if after != before:
            after["cleared_by_instruction"] = ins.id
            if old.confirmed_on is None and _nothing_left(old.kind, after, gone_entry_refs):
                after["superseded_by_instruction"] = ins.id  # it no longer waits for a confirmation
            old.payload_json = json.dumps(after, ensure_ascii=False, sort_keys=True)

    # 3. Copies of that data.
    for copy in p.copies:
        if withdraw_copy(copy, changed, gone, gone_attachments, right):
            copy_req = db.session.get(Request, copy.request_id)
            if copy_req is not None:
                tell += tell_copy_withdrawn(actor, copy_req)
    # Rows of copies not in the plan (none expected: the plan holds every copy of a
    # changed entry), deleted in SQL; the plan's own copies went through the ORM above.
    planned = [c.id for c in p.copies] or [-1]
    if gone:
        db.session.execute(db.delete(CopyRedaction).where(CopyRedaction.entry_pk.in_(gone),
                                                          CopyRedaction.copy_id.not_in(planned)))
        db.session.execute(db.delete(CopyEntry).where(CopyEntry.entry_pk.in_(gone), CopyEntry.copy_id.not_in(planned)))
    if gone_attachments:
        db.session.execute(db.delete(CopyAttachment).where(CopyAttachment.attachment_pk.in_(gone_attachments),
                                                           CopyAttachment.copy_id.not_in(planned)))

    # 4. Corrections and amendments of these entries.
    for am in amendments:
        if am.entry_pk in whole_ids:
            db.session.delete(am)
        elif am.new_text:
            am.new_text = _scrub(am.new_text, me, others)[0]
    for entry_pk, items in items_by_entry.items():
        for item in items:
            if entry_pk in whole_ids:
                item.says_now = item.should_say = item.new_text = None
            else:
                for attr in ("says_now", "should_say", "new_text"):
                    setattr(item, attr, _scrub(getattr(item, attr), me, others)[0])
            item.why = _scrub(item.why, me, others)[0]
    if whole_ids:
        db.session.execute(db.delete(correction_item_entries).where(correction_item_entries.c.entry_pk.in_(whole_ids)))
        db.session.execute(db.delete(own_statement_entries).where(own_statement_entries.c.entry_pk.in_(whole_ids)))

    # 5. The entries.
    for e in p.whole:
        for att in list(e.attachments):
            e.attachments.remove(att)
            db.session.delete(att)
        if method == DESTROY:
            dossier.entries.remove(e)
            db.session.delete(e)
        else:
            e.text, e.title, e.author = ANONYMISED, None, None
            e.source_person = None
            e.concerns = []
    for e in p.shared:
        for att in list(e.attachments):
            e.attachments.remove(att)
            db.session.delete(att)
    for e in p.shared + p.mentions:
        e.text = _scrub(e.text, me, others)[0] or ""
        e.title = _scrub(e.title, me, others)[0]
        e.author = _scrub(e.author, me, others)[0]
        if any(c.id == subject.id for c in e.concerns):
            e.concerns = [c for c in e.concerns if c.id != subject.id]
        if e.source_person_pk == subject.id:
            e.source_person = None

    # 6. The subject's own statements, and the person (a full grant).
    for st in p.statements:
        st.responds_to = []
        db.session.delete(st)
    if p.full:
        anonymise_person(subject)

    counts = Counts(len(p.whole), len(p.shared), len(p.mentions), len(gone_attachments), len(p.copies),
                    len(p.statements))
    return ins, counts


def execute(actor: Actor, reference: str, right: str, *, method: str, entry_pks: Iterable[int] | None = None,
            confirmed: bool = False) -> list[RegistrationInstruction]:
    """Carry out a signed grant (in full or in part) of destruction or erasure, in the
    portal and as an instruction per linked dossier (see the module docstring). One
    transaction: any failure changes nothing. ``confirmed``: the caseworker ticked
    that this cannot be undone."""
    req = request_for_right(actor, reference, right, Permission.DECISION_PROPOSE)
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="request", subject_ref=reference)
    if not casework.identity_verified(req):
        raise DestructionError("identity_not_verified")
    if method not in METHODS:
        raise DestructionError("method_unknown")
    if not confirmed:
        raise DestructionError("confirm_required")
    done = assessment_of(req, right)
    if done is not None and done.method is not None:
        raise DestructionError("already_executed")
    dec = standing_decision(req, right)
    plans = plan(req, right, entry_pks)  # raises not_granted, dossier_not_linked, entries...
    today = today_local()
    try:
        a = ensure_assessment(req, right, actor)
        if a.method is not None:
            raise DestructionError("already_executed")
        # Compare-and-set: of two people executing at the same moment, one wins.
        won = db.session.execute(
            db.update(RightAssessment).where(RightAssessment.id == a.id, RightAssessment.method.is_(None))
            .values(method=method, updated_at=utcnow(), updated_by=actor.staff_id)
            .execution_options(synchronize_session=False)).rowcount == 1
        if not won:
            raise DestructionError("already_executed")
        a.method = method
        execute_by = a.execute_by if right == DESTRUCTION else None
        made: list[RegistrationInstruction] = []
        tell: list[tuple[str, str]] = []  # (address, language) of requesters whose released copy was withdrawn
        with db.session.no_autoflush:
            for p in plans:
                ins, c = _execute_link(actor, req, right, dec, p, method, execute_by, today, tell)
                made.append(ins)
                audit.record(f"{'destruction' if right == DESTRUCTION else 'erasure'}.execute", actor=actor.label,
                             actor_role=actor.role.value, object_type="instruction", object_id=ins.id,
                             subject_ref=req.reference,
                             reason=(f"dossier {p.link.dossier.dossier_id} {p.link.person.person_id} {method}: "
                                     f"{c.whole} whole, {c.shared} shared, {c.mentions} mentions, "
                                     f"{c.attachments} attachments, {c.copies} copies, {c.statements} statements")[:200])
        timeline.event(req, f"{'destruction' if right == DESTRUCTION else 'erasure'}_executed", actor.label, public=False)
        db.session.flush()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for ins in made:  # outside the database: a restore of an older backup must not bring it back
        journal.record({"instruction": ins.id, "kind": ins.kind, "dossier": ins.dossier_ref,
                        "person": ins.payload.get("person_id"), "scope": ins.payload.get("scope"),
                        "entries": ins.payload.get("whole", []) + ins.payload.get("remove_person_from", [])
                        + ins.payload.get("mentions", []), "request": req.reference})
    for address, lang in sorted(set(tell)):
        notices.send([address], lang)
    return made


def confirm_execution(actor: Actor, reference: str, right: str, instruction_id: int, *, name: str | None,
                      on: date | None) -> RegistrationInstruction:
    """Someone at the registration system carried out the instruction: who and when
    (as ``instructions.confirm``, and in the same transaction the assessment). When
    every instruction of the right is confirmed, the destruction is done: the
    requester is told on the status page, with a neutral e-mail where that is safe."""
    req = request_for_right(actor, reference, right, Permission.DECISION_PROPOSE)
    ins = db.session.get(RegistrationInstruction, instruction_id)
    if ins is None or ins.request_id != req.id or ins.kind not in KINDS_OF[right]:
        raise DestructionError("instruction_not_found")
    if ins.confirmed_on is not None:
        raise DestructionError("already_confirmed")
    who = " ".join((name or "").split())
    if not who or len(who) > instructions.NAME_MAX:
        raise DestructionError("name_required")
    if on is None:
        raise DestructionError("date_required")
    if on > today_local():
        raise DestructionError("date_in_future")
    if on < ins.created_at.date():
        raise DestructionError("date_before_instruction")
    ins.confirmed_on, ins.confirmed_by, ins.confirmed_name = on, actor.staff_id, who
    audit.record("instruction.confirm", actor=actor.label, actor_role=actor.role.value, object_type="instruction",
                 object_id=ins.id, subject_ref=req.reference, reason=f"dossier {ins.dossier_ref}")
    word = "destruction" if right == DESTRUCTION else "erasure"
    addresses: list[str] = []
    a = assessment_of(req, right)
    if all(i.confirmed_on is not None for i in instructions_for(req, right)) and a is not None:
        a.executed_on = max(i.confirmed_on for i in instructions_for(req, right))
        a.executed_by = actor.staff_id
        timeline.event(req, f"{word}_confirmed", actor.label, public=False)
        audit.record(f"{word}.done", actor=actor.label, actor_role=actor.role.value, object_type="right_assessment",
                     object_id=a.id, subject_ref=req.reference, reason=f"request {req.reference}: done on {a.executed_on}")
        addresses = _tell_requester(actor, req, right, a)
    db.session.commit()
    if addresses:
        notices.send(addresses, req.language)
    return ins


def _tell_requester(actor: Actor, req: Request, right: str, a: RightAssessment) -> list[str]:
    """A message on the status page that it is done (in the request's language)."""
    from flask_babel import format_date
    from ...labels import LONG_DATE

    with force_locale(req.language):
        when = format_date(a.executed_on, LONG_DATE)
        if right == DESTRUCTION and a.method == ANONYMISE:
            body = _("Wij hebben uw verzoek om vernietiging uitgevoerd. De gegevens zijn op %(date)s anoniem gemaakt. "
                     "Niemand kan ze nog met u in verband brengen.", date=when)
        elif right == DESTRUCTION:
            body = _("Wij hebben uw verzoek om vernietiging uitgevoerd. De gegevens zijn op %(date)s vernietigd.",
                     date=when)
        else:
            body = _("Wij hebben uw verzoek om gegevenswissing uitgevoerd. De gegevens zijn op %(date)s gewist.",
                     date=when)
    req.messages.append(Message(direction=Message.TO_REQUESTER, body=body, author=actor.label, at=utcnow()))
    timeline.event(req, "message_to_requester", actor.label, public=True)
    return notices.addresses(req)
