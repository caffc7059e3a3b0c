"""Correction (art. 15), one ``CorrectionItem`` per wish: the items from the request's
details, a caseworker adds, edits, splits and links them to entries, decides each
(improve, delete, shield; a refusal a team leader signs or sends back, or reopened), then
proposes one decision on the right (``propose_decision``) and, once it is signed, carries
it out (``execute``: amendments, a "rectify" instruction per dossier, AVG 19 tasks)."""
from __future__ import annotations

from collections.abc import Sequence

from ...infra.extensions import db
from ...models import CorrectionItem, Decision, DossierEntry, EntryAmendment, RegistrationInstruction, Request, utcnow
from ...rules import grounds as G
from ...rules.permissions import Permission
from ...rules.rights import Right
from .. import authz, decisions, instructions, signals, timeline
from ..authz import Actor
from ..copies.common import links_of
from ..timeline import today_local
from .common import (CHANGES, DECIDED, DELETE, EXECUTED, IMPROVE, ITEMS_MAX, NEW_TEXT_MAX, OPEN, OUTCOMES, PROPOSED,
                     REASONS_MAX, RECTIFICATION, REFUSE, SHIELD, WISH_MAX, RectificationError, clean_text,
                     copies_to_redo, decisions_of, eligible_by_pk, items_of, load, log_access, require_asked,
                     require_verified, standing_decision)
from .guards import has_representative, require_working


# --- correction items (art. 15) ----------------------------------------------------------------

def wishes(req: Request) -> list[dict]:
    """The wishes of the request's details: a list ``items`` of {what_is_wrong,
    should_say, why}, or one wish with those keys (the public form asks one)."""
    right = next((r for r in req.rights if r.right == RECTIFICATION), None)
    if right is None:
        return []
    details = right.details or {}
    raw = details.get("items") if isinstance(details.get("items"), list) else [details]
    out = []
    for w in raw[:ITEMS_MAX]:
        if not isinstance(w, dict):
            continue
        wish = {k: (str(w.get(k) or "").strip()[:WISH_MAX] or None) for k in ("what_is_wrong", "should_say", "why")}
        if wish["what_is_wrong"] or wish["should_say"]:
            out.append(wish)
    return out


def ensure_items(actor: Actor, req: Request) -> list[CorrectionItem]:
    """One item per wish of the request, made the first time the items are read."""
    items = items_of(req)
    if items or not any(r.right == RECTIFICATION for r in req.rights):
        return items
    for pos, w in enumerate(wishes(req)):
        db.session.add(CorrectionItem(request_id=req.id, position=pos, says_now=w["what_is_wrong"],
                                      should_say=w["should_say"], why=w["why"]))
    db.session.flush()
    items = items_of(req)
    if items:
        timeline.event(req, "correction_items_made", actor.label, public=False)
        log_access(actor, "rectification.items.make", req, reason=f"request {req.reference}: {len(items)} item(s)")
    return items


def _item(req: Request, item_id: int) -> CorrectionItem:
    item = db.session.get(CorrectionItem, item_id)
    if item is None or item.request_id != req.id:
        raise RectificationError("item_not_found")
    return item


def _items_locked(req: Request) -> None:
    """Items are fixed once the decision on the right is proposed or signed (a decision
    sent back opens them again)."""
    for d in decisions_of(req, RECTIFICATION):
        if d.state == Decision.PROPOSED:
            raise RectificationError("decision_pending")
        if d.state == Decision.SIGNED:
            raise RectificationError("already_decided")


def _for_change(actor: Actor, reference: str, permission: Permission = Permission.DECISION_PROPOSE) -> Request:
    authz.require(actor, permission, object_type="request", subject_ref=reference)
    req = load(reference)
    require_asked(req, RECTIFICATION)
    require_working(req)
    return req


def _wish_fields(says_now, should_say, why) -> tuple[str | None, str | None, str | None]:
    s = clean_text(says_now, WISH_MAX, "wish_too_long")
    t = clean_text(should_say, WISH_MAX, "wish_too_long")
    w = clean_text(why, WISH_MAX, "wish_too_long")
    if not s and not t:
        raise RectificationError("wish_required")
    return s, t, w


def add_item(actor: Actor, reference: str, *, says_now: str | None, should_say: str | None,
             why: str | None = None) -> CorrectionItem:
    """A caseworker adds a wish the request holds but the form did not split out."""
    req = _for_change(actor, reference)
    _items_locked(req)
    s, t, w = _wish_fields(says_now, should_say, why)
    items = ensure_items(actor, req)
    if len(items) >= ITEMS_MAX:
        raise RectificationError("too_many_items")
    item = CorrectionItem(request_id=req.id, position=(max((i.position for i in items), default=-1) + 1),
                          says_now=s, should_say=t, why=w)
    db.session.add(item)
    db.session.flush()
    timeline.event(req, "correction_item_added", actor.label, public=False)
    log_access(actor, "rectification.item.add", req, object_type="correction_item", object_id=item.id)
    db.session.commit()
    return item


def edit_item(actor: Actor, reference: str, item_id: int, *, says_now: str | None, should_say: str | None,
              why: str | None = None) -> CorrectionItem:
    """Change the wording of an open item (to split one wish in two, say)."""
    req = _for_change(actor, reference)
    _items_locked(req)
    item = _item(req, item_id)
    if item.state != OPEN:
        raise RectificationError("item_not_open")
    item.says_now, item.should_say, item.why = _wish_fields(says_now, should_say, why)
    timeline.event(req, "correction_item_edited", actor.label, public=False)
    log_access(actor, "rectification.item.edit", req, object_type="correction_item", object_id=item.id)
    db.session.commit()
    return item


def split_item(actor: Actor, reference: str, item_id: int) -> CorrectionItem:
    """A second item with the same wording and entries, right after the first: the
    caseworker then narrows each to one wish."""
    req = _for_change(actor, reference)
    _items_locked(req)
    item = _item(req, item_id)
    if item.state != OPEN:
        raise RectificationError("item_not_open")
    items = items_of(req)
    if len(items) >= ITEMS_MAX:
        raise RectificationError("too_many_items")
    for other in items:
        if other.position > item.position:
            other.position += 1
    new = CorrectionItem(request_id=req.id, position=item.position + 1, says_now=item.says_now,
                         should_say=item.should_say, why=item.why)
    new.entries = list(item.entries)
    db.session.add(new)
    db.session.flush()
    timeline.event(req, "correction_item_split", actor.label, public=False)
    log_access(actor, "rectification.item.split", req, object_type="correction_item", object_id=new.id,
               reason=f"split from item {item.id}")
    db.session.commit()
    return new


def link_entries(actor: Actor, reference: str, item_id: int, entry_pks: Sequence[int]) -> CorrectionItem:
    """Link an item to the entry or entries it is about: entries of the subject's own
    part of a linked dossier (art. 13), after art. 20.5."""
    req = _for_change(actor, reference)
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="correction_item", object_id=item_id,
                  subject_ref=reference)
    _items_locked(req)
    require_verified(req)
    item = _item(req, item_id)
    if item.state != OPEN:
        raise RectificationError("item_not_open")
    if not links_of(req):
        raise RectificationError("not_linked")
    eligible = eligible_by_pk(req)
    wanted = list(dict.fromkeys(int(p) for p in entry_pks))
    if not wanted:
        raise RectificationError("entries_required")
    if any(p not in eligible for p in wanted):
        raise RectificationError("entry_not_eligible")
    item.entries = [eligible[p].entry for p in wanted]
    timeline.event(req, "correction_entries_linked", actor.label, public=False)
    log_access(actor, "rectification.item.link", req, object_type="correction_item", object_id=item.id,
               reason="entries " + ",".join(eligible[p].entry.entry_id for p in wanted))
    db.session.commit()
    return item


def decide_item(actor: Actor, reference: str, item_id: int, *, outcome: str, about_facts: bool | None,
                new_text: str | None = None, ground: str | None = None, reasons: str | None = None) -> CorrectionItem:
    """The caseworker's decision on one item. Improve, delete, shield: decided. Refuse:
    proposed, for a team leader to sign (four eyes). Nothing is stored on an error."""
    req = _for_change(actor, reference)
    _items_locked(req)
    require_verified(req)
    item = _item(req, item_id)
    if item.state != OPEN:
        raise RectificationError("item_not_open")
    if outcome not in OUTCOMES:
        raise RectificationError("outcome_unknown")
    if about_facts is None:
        raise RectificationError("about_facts_required")
    text = clean_text(reasons, REASONS_MAX, "reasons_too_long")
    clean_new = None
    chosen_ground = None
    if outcome == REFUSE:
        if not ground:
            raise RectificationError(G.GROUND_REQUIRED)
        error = G.check_proposal(Right.RECTIFICATION, G.Outcome.REFUSE, [ground], text,
                                 has_representative=has_representative(req))
        if error:
            raise RectificationError(error)
        chosen_ground = G.Ground(ground).value
    else:
        if ground:
            raise RectificationError(G.GRANT_HAS_NO_GROUNDS)
        if not item.entries:
            raise RectificationError("entries_required")
        eligible = eligible_by_pk(req)
        if any(e.id not in eligible for e in item.entries):
            raise RectificationError("entry_not_eligible")
        if outcome == IMPROVE:
            if not about_facts:
                # Art. 15 improves facts; an opinion is answered with an own statement (art. 16).
                raise RectificationError("opinion_not_improved")
            if len(item.entries) != 1:
                raise RectificationError("improve_one_entry")
            clean_new = clean_text(new_text, NEW_TEXT_MAX, "new_text_too_long")
            if not clean_new:
                raise RectificationError("new_text_required")
            if clean_new == item.entries[0].text.strip():
                raise RectificationError("new_text_unchanged")
        elif new_text and new_text.strip():
            raise RectificationError("new_text_only_for_improve")
    now = utcnow()
    item.about_facts = bool(about_facts)
    item.outcome, item.new_text, item.ground, item.reasons = outcome, clean_new, chosen_ground, text
    item.decided_by, item.decided_at = actor.staff_id, now
    item.signed_by = item.signed_at = None
    item.state = PROPOSED if outcome == REFUSE else DECIDED
    kind = "correction_item_refusal_proposed" if outcome == REFUSE else "correction_item_decided"
    timeline.event(req, kind, actor.label, public=False)
    log_access(actor, "rectification.item.decide", req, object_type="correction_item", object_id=item.id,
               reason=f"outcome {outcome}" + (f" ground {chosen_ground}" if chosen_ground else ""))
    db.session.commit()
    return item


def sign_item(actor: Actor, reference: str, item_id: int) -> CorrectionItem:
    """A team leader signs a proposed refusal of one item: never their own proposal."""
    req = _for_change(actor, reference, Permission.DECISION_SIGN)
    _items_locked(req)
    item = _item(req, item_id)
    if item.state != PROPOSED:
        raise RectificationError("item_not_proposed")
    if item.decided_by is None or item.decided_by == actor.staff_id:
        log_access(actor, "rectification.item.sign", req, object_type="correction_item", object_id=item.id,
                   outcome="refused")
        db.session.commit()
        raise RectificationError("own_proposal")
    item.state, item.signed_by, item.signed_at = DECIDED, actor.staff_id, utcnow()
    timeline.event(req, "correction_item_refusal_signed", actor.label, public=False)
    log_access(actor, "rectification.item.sign", req, object_type="correction_item", object_id=item.id)
    db.session.commit()
    return item


def send_back_item(actor: Actor, reference: str, item_id: int) -> CorrectionItem:
    """The team leader does not sign a proposed refusal: the item is open again, with
    the proposal still filled in for the caseworker to change."""
    req = _for_change(actor, reference, Permission.DECISION_SIGN)
    _items_locked(req)
    item = _item(req, item_id)
    if item.state != PROPOSED:
        raise RectificationError("item_not_proposed")
    if item.decided_by == actor.staff_id:
        raise RectificationError("own_proposal")
    item.state = OPEN
    timeline.event(req, "correction_item_sent_back", actor.label, public=False)
    log_access(actor, "rectification.item.send_back", req, object_type="correction_item", object_id=item.id)
    db.session.commit()
    return item


def reopen_item(actor: Actor, reference: str, item_id: int) -> CorrectionItem:
    """Take a decided (or proposed) item back to open, before the decision on the right
    is proposed."""
    req = _for_change(actor, reference)
    _items_locked(req)
    item = _item(req, item_id)
    if item.state not in (PROPOSED, DECIDED):
        raise RectificationError("item_not_decided")
    item.state = OPEN
    item.signed_by = item.signed_at = None
    timeline.event(req, "correction_item_reopened", actor.label, public=False)
    log_access(actor, "rectification.item.reopen", req, object_type="correction_item", object_id=item.id)
    db.session.commit()
    return item


def decision_summary(items: Sequence[CorrectionItem]) -> tuple[str, list[str], str | None]:
    """(outcome, grounds, reasons) of the decision on the right from its items: every
    item granted (improved, deleted, shielded) is a grant; every item refused a refusal;
    otherwise a grant in part. The reasons hold every item's reasons, numbered as the
    letter numbers the items."""
    refused = [i for i in items if i.outcome == REFUSE]
    if not refused:
        outcome = G.Outcome.GRANT.value
    elif len(refused) == len(items):
        outcome = G.Outcome.REFUSE.value
    else:
        outcome = G.Outcome.GRANT_IN_PART.value
    grounds = list(dict.fromkeys(i.ground for i in refused if i.ground))
    lines = [f"{n}. {i.reasons}" for n, i in enumerate(items, start=1) if i.reasons]
    return outcome, grounds, ("\n\n".join(lines) or None)


def propose_decision(actor: Actor, reference: str) -> Decision:
    """One decision on the right from the decided items (a team leader signs it, as every
    decision: decisions.sign makes the letter and tells the requester)."""
    req = _for_change(actor, reference)
    items = items_of(req)
    if not items:
        raise RectificationError("no_items")
    if any(i.state in (OPEN, PROPOSED) for i in items):
        raise RectificationError("items_not_decided")
    outcome, grounds, reasons = decision_summary(items)
    sent_back = next((d for d in decisions_of(req, RECTIFICATION) if d.state == Decision.SENT_BACK), None)
    try:
        if sent_back is not None:
            dec = decisions.revise(actor, reference, sent_back.id, outcome, grounds, reasons)
        else:
            dec = decisions.propose(actor, reference, RECTIFICATION, outcome, grounds, reasons)
    except decisions.DecisionError as exc:
        db.session.rollback()
        raise RectificationError(exc.code) from None
    return dec


def execute(actor: Actor, reference: str) -> list[RegistrationInstruction]:
    """Carry out a signed decision: the portal's copy of each changed entry (every later
    copy shows it), an instruction "rectify" per dossier for the registration system,
    and a notification task per recipient the entry was shared with (AVG 19)."""
    req = _for_change(actor, reference)
    require_verified(req)
    dec = standing_decision(req, RECTIFICATION)
    if dec is None:
        raise RectificationError("not_signed")
    items = items_of(req)
    if any(i.state == EXECUTED for i in items):
        raise RectificationError("already_executed")
    changes = [i for i in items if i.state == DECIDED and i.outcome in CHANGES]
    if not changes:
        raise RectificationError("nothing_to_execute")
    eligible = eligible_by_pk(req)
    today = today_local()
    by_dossier: dict[int, list[tuple[CorrectionItem, DossierEntry]]] = {}
    number = {i.id: n for n, i in enumerate(items, start=1)}
    for item in changes:
        for entry in item.entries:
            if entry.id not in eligible:
                raise RectificationError("entry_not_eligible")
            by_dossier.setdefault(entry.dossier_pk, []).append((item, entry))
    made: list[RegistrationInstruction] = []
    redone: list[int] = []
    for dossier_pk, pairs in by_dossier.items():
        dossier = pairs[0][1].dossier
        link = next(e.link for e in eligible.values() if e.link.dossier_pk == dossier_pk)
        for item, entry in pairs:
            db.session.add(EntryAmendment(entry_pk=entry.id, item_id=item.id, kind=item.outcome,
                                          new_text=item.new_text if item.outcome == IMPROVE else None,
                                          decided_on=today))
        payload = {
            "request": req.reference,
            "decision_id": dec.id,
            "person_id": link.person.person_id,
            "executed_on": today.isoformat(),
            "changes": [
                {"item": number[item.id], "entry_id": entry.entry_id, "action": item.outcome,
                 **({"new_text": item.new_text} if item.outcome == IMPROVE else {})}
                for item, entry in pairs
            ],
        }
        ins = instructions.create(actor, req, dossier.dossier_id, "rectify", payload)
        entries = list(dict.fromkeys(entry for _item, entry in pairs))
        instructions.notification_tasks(req, ins, entries)
        made.append(ins)
        redo = copies_to_redo({dossier_pk},
                              drop_entries={e.id for i, e in pairs if i.outcome == DELETE},
                              drop_attachments_of={e.id for i, e in pairs if i.outcome == SHIELD})
        log_access(actor, "rectification.execute", req, object_type="instruction", object_id=ins.id,
                   reason=f"dossier {dossier.dossier_id}: {len(pairs)} change(s), {len(redo)} copy(ies) to render again")
        redone += redo
    for item in changes:
        item.state = EXECUTED
    timeline.event(req, "correction_executed", actor.label, public=False)
    db.session.commit()
    for copy_id in redone:
        signals.copy_texts_changed.send(copy_id)
    return made
