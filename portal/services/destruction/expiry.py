"""Dossiers past their retention (art. 9): the team leader's list, and destroying such a
dossier by anonymisation (art. 9.3), as a destruction under art. 17 is carried out: in
the portal, in one transaction, with an instruction for the registration system and an
access-log entry.

Art. 9.1: a dossier is kept through 31 December of the last year of its term
(``rules.retention``: 15 years after the year of closing, through the year the youngest
child turns 18, a team leader's extensions with reasons). From the next day it is due
for destruction. ``past_retention`` lists those dossiers (ids and dates only; no names);
``destroy_expired`` anonymises one: every entry becomes an empty shell (date, kind,
nature; text "[geanonimiseerd]"), every person's identifiers go, attachments, the
portal's corrections, amendments and own statements of the dossier go, every copy of it
is withdrawn (a released one's requester is told, in words that say no more than that
data were destroyed or erased), and earlier instructions for the dossier that still
wait lose their texts and lapse. The instruction (kind ``anonymise``, ``scope``
``dossier``, ``article`` "art. 9") tells the registration system to do the same; until
it is confirmed, no export of the dossier is imported, and afterwards none either
(``Dossier.retention_destroyed_on``)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from ...infra import journal
from ...infra.extensions import db
from ...models import (Copy, CorrectionItem, CopyAttachment, CopyEntry, CopyRedaction, Dossier, DossierLink,
                       EntryAmendment, OwnStatement, RegistrationInstruction, Request, correction_item_entries,
                       own_statement_entries)
from ...rules import retention as RT
from ...rules.permissions import Permission
from .. import audit, authz, instructions, notices
from ..authz import Actor
from ..timeline import today_local
from .common import ANONYMISED, DESTRUCTION, DestructionError
from .execution import anonymise_person, tell_copy_withdrawn, withdraw_copy
from .retention import retention_of


@dataclass(frozen=True)
class Expired:
    """A dossier whose retention has ended (ids and dates only)."""

    dossier_id: str
    closed_on: date
    keep_until: date
    destroy_from: date
    persons: int
    entries: int
    linked_requests: int


def past_retention(actor: Actor, *, today: date | None = None) -> list[Expired]:
    """Every imported dossier past its retention and not yet anonymised, oldest first.
    Reading the list is logged (it holds no personal data: ids and dates)."""
    authz.require(actor, Permission.DECISION_SIGN, object_type="dossier")
    today = today or today_local()
    out: list[Expired] = []
    rows = db.session.execute(db.select(Dossier).where(Dossier.closed_on.is_not(None),
                                                       Dossier.retention_destroyed_on.is_(None))
                              .order_by(Dossier.closed_on, Dossier.dossier_id)).scalars()
    for d in rows:
        ret = retention_of(d)
        if ret.expired(today):
            linked = db.session.execute(db.select(db.func.count(db.distinct(DossierLink.request_id)))
                                        .where(DossierLink.dossier_pk == d.id)).scalar_one()
            out.append(Expired(d.dossier_id, d.closed_on, ret.keep_until, ret.destroy_from, len(d.persons),
                               len(d.entries), linked))
    out.sort(key=lambda e: (e.destroy_from, e.dossier_id))
    audit.record("retention.list", actor=actor.label, actor_role=actor.role.value, object_type="dossier",
                 reason=f"{len(out)} dossier(s) past retention on {today.isoformat()}")
    db.session.commit()
    return out


def waiting_instructions(actor: Actor) -> list[RegistrationInstruction]:
    """The instructions of dossiers anonymised after their retention that the
    registration system has not yet confirmed."""
    authz.require(actor, Permission.DECISION_SIGN, object_type="dossier")
    rows = db.session.execute(db.select(RegistrationInstruction).where(
        RegistrationInstruction.request_id.is_(None), RegistrationInstruction.kind == "anonymise",
        RegistrationInstruction.confirmed_on.is_(None)).order_by(RegistrationInstruction.id)).scalars()
    return [r for r in rows if r.payload.get("scope") == "dossier"]


def _payload(d: Dossier, ret: RT.Retention, today: date) -> dict:
    return {
        "dossier_id": d.dossier_id,
        "article": "art. 9",
        "scope": "dossier",
        "method": "anonymise",
        "method_basis": "art. 9.3",
        "keep_until": ret.keep_until.isoformat(),
        "entries": sorted(e.entry_id for e in d.entries),
        "persons": sorted(p.person_id for p in d.persons),
        "executed_in_portal_on": today.isoformat(),
    }


def _clear_earlier(d: Dossier, ins: RegistrationInstruction) -> None:
    """Earlier instructions of the dossier: no text of it survives; those still waiting
    lapse (the registration system anonymises the whole dossier instead)."""
    for old in db.session.execute(db.select(RegistrationInstruction).where(
            RegistrationInstruction.dossier_ref == d.dossier_id, RegistrationInstruction.id != ins.id)).scalars():
        payload = old.payload

        def strip(value):
            if isinstance(value, dict):
                return {k: (None if k in ("text", "new_text") else strip(v)) for k, v in value.items()}
            if isinstance(value, list):
                return [strip(v) for v in value]
            return value

        after = strip(payload)
        lapses = old.confirmed_on is None and old.kind in ("rectify", "add_statement")
        if after != payload or lapses:
            after["cleared_by_instruction"] = ins.id
            if lapses:
                after["superseded_by_instruction"] = ins.id
            old.payload_json = json.dumps(after, ensure_ascii=False, sort_keys=True)


def destroy_expired(actor: Actor, dossier_id: str, *, confirmed: bool,
                    today: date | None = None) -> RegistrationInstruction:
    """Anonymise one dossier whose retention has ended (art. 9.3), in the portal and as
    an instruction for the registration system; one transaction: any failure changes
    nothing. ``confirmed``: the team leader ticked that this cannot be undone."""
    authz.require(actor, Permission.DECISION_SIGN, object_type="dossier", object_id=(dossier_id or "")[:64])
    d = db.session.execute(db.select(Dossier).filter_by(dossier_id=dossier_id)).scalar_one_or_none()
    if d is None:
        raise DestructionError("dossier_not_found")
    if d.retention_destroyed_on is not None:
        raise DestructionError("already_executed")
    today = today or today_local()
    ret = retention_of(d)
    if not ret.expired(today):
        raise DestructionError("retention_running")
    if not confirmed:
        raise DestructionError("confirm_required")
    tell: list[tuple[str, str]] = []
    try:
        won = db.session.execute(
            db.update(Dossier).where(Dossier.id == d.id, Dossier.retention_destroyed_on.is_(None))
            .values(retention_destroyed_on=today).execution_options(synchronize_session=False)).rowcount == 1
        if not won:
            raise DestructionError("already_executed")
        d.retention_destroyed_on = today
        with db.session.no_autoflush:
            ins = instructions.create(actor, None, d.dossier_id, "anonymise", _payload(d, ret, today))
            _clear_earlier(d, ins)
            entry_ids = {e.id for e in d.entries}
            attachment_ids = {a.id for e in d.entries for a in e.attachments}
            copies = list(db.session.execute(
                db.select(Copy).join(DossierLink, DossierLink.id == Copy.link_id)
                .where(DossierLink.dossier_pk == d.id).order_by(Copy.id)).scalars())
            for copy in copies:
                if withdraw_copy(copy, entry_ids, entry_ids, attachment_ids, DESTRUCTION):
                    copy_req = db.session.get(Request, copy.request_id)
                    if copy_req is not None:
                        tell += tell_copy_withdrawn(actor, copy_req)
            planned = [c.id for c in copies] or [-1]
            if entry_ids:
                db.session.execute(db.delete(CopyRedaction).where(CopyRedaction.entry_pk.in_(entry_ids),
                                                                  CopyRedaction.copy_id.not_in(planned)))
                db.session.execute(db.delete(CopyEntry).where(CopyEntry.entry_pk.in_(entry_ids),
                                                              CopyEntry.copy_id.not_in(planned)))
                for am in db.session.execute(db.select(EntryAmendment)
                                             .where(EntryAmendment.entry_pk.in_(entry_ids))).scalars():
                    db.session.delete(am)
                item_ids = set(db.session.execute(db.select(correction_item_entries.c.item_id)
                                                  .where(correction_item_entries.c.entry_pk.in_(entry_ids))).scalars())
                for item_id in item_ids:
                    item = db.session.get(CorrectionItem, item_id)
                    if item is not None:
                        item.says_now = item.should_say = item.new_text = item.why = None
                db.session.execute(db.delete(correction_item_entries)
                                   .where(correction_item_entries.c.entry_pk.in_(entry_ids)))
                db.session.execute(db.delete(own_statement_entries)
                                   .where(own_statement_entries.c.entry_pk.in_(entry_ids)))
            if attachment_ids:
                db.session.execute(db.delete(CopyAttachment).where(CopyAttachment.attachment_pk.in_(attachment_ids),
                                                                   CopyAttachment.copy_id.not_in(planned)))
            for st in db.session.execute(db.select(OwnStatement).filter_by(dossier_pk=d.id)).scalars():
                st.responds_to = []
                db.session.delete(st)
            for e in d.entries:
                for att in list(e.attachments):
                    e.attachments.remove(att)
                    db.session.delete(att)
                e.text, e.title, e.author = ANONYMISED, None, None
                e.source_person = None
                e.concerns = []
            for p in d.persons:
                anonymise_person(p)
            audit.record("retention.destroy", actor=actor.label, actor_role=actor.role.value, object_type="dossier",
                         object_id=d.dossier_id,
                         reason=(f"dossier {d.dossier_id}: art. 9.3 anonymised after retention (kept until "
                                 f"{ret.keep_until.isoformat()}): {len(entry_ids)} entries, {len(d.persons)} persons, "
                                 f"{len(attachment_ids)} attachments, {len(copies)} copies; instruction {ins.id}")[:200])
        db.session.flush()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    journal.record({"instruction": ins.id, "kind": ins.kind, "dossier": d.dossier_id, "person": None,
                    "scope": "dossier", "entries": ins.payload["entries"], "request": None})
    for address, lang in sorted(set(tell)):
        notices.send([address], lang)
    return ins
