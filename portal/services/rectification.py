"""Correction (art. 15) and own statement (art. 16) of the Privacyreglement Veilig Thuis.

Correction (art. 15), one ``CorrectionItem`` per wish:

1. The items come from the request's details (one per wish: what the dossier says now,
   what it should say, why); a caseworker may add an item or split one in two, and
   links each to the entry or entries it is about (only entries of the subject's own
   part of the dossier, art. 13, after the request is linked to the dossier person,
   ``copies.link_dossier``; before everyone is verified nothing is shown, art. 20.5).
2. ``decide_item``: improve (the new text of one entry), delete or shield (afschermen)
   is the caseworker's to decide (state "decided"); a refusal needs a ground
   (``rules.grounds``, e.g. NOT_FACTUALLY_INCORRECT) and written reasons and is only
   proposed: a team leader who did not propose it signs it (``sign_item``) or sends it
   back (``send_back_item``). Art. 15 is for facts: an opinion or assessment is not
   "improved" to what the requester wants (``about_facts`` False refuses "improve");
   the letter then explains and offers the own statement of art. 16.
3. ``propose_decision``: when every item is decided, one decision on the right
   (``decisions.propose``: grant, grant in part, or refuse, with the grounds of the
   refused items and their reasons), which a team leader signs like every decision;
   signing makes the letter (pdf/decision/_correctie.html reads ``letter_part``) and
   the status page and the neutral e-mail tell the requester.
4. ``execute``, after the decision is signed: an ``EntryAmendment`` per changed entry
   (the portal's copy shows it in every later copy, portal/services/copies.py), a
   ``RegistrationInstruction`` "rectify" per dossier (docs/registration-instructions.md)
   and a ``NotificationTask`` per recipient the dossier says the entry was shared with
   (AVG 19). Unreleased copies of the dossier must be rendered and checked again.

Own statement (art. 16): ``add_statement`` adds the person's text (and optionally a
PDF, checked by portal/documents/uploads.py and encrypted) to the dossier person of the linked
request, linked to the entries it responds to, with an instruction "add_statement";
``propose_statement_decision`` proposes the grant a team leader signs: the letter
confirms it (pdf/decision/_eigen_verklaring.html). The statement is in every later copy
for that person, in full and marked as theirs; only the identifiers the dossier gives
for other persons are redacted in it, as in any entry (the person's own words are never
otherwise touched: no free-text detector, no staff redaction).

Every read of dossier data and every change is in the access log (``audit.record``)
and every change on the request's timeline (``requests._event``, not shown to the
requester: the requester sees the decision and its letter).
"""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask import current_app

from ..infra.crypto import VaultError
from ..infra.extensions import db
from ..models import (Copy, CorrectionItem, Decision, Document, DossierEntry, DossierLink, DossierPerson,
                      EntryAmendment, NotificationTask, OwnStatement, RegistrationInstruction, Request, utcnow)
from ..rules import grounds as G
from ..rules import redaction as R
from ..rules.permissions import Permission
from ..rules.rights import Right
from ..rules.selection import entries_for_copy
from . import audit, authz, casework, instructions
from .authz import Actor
from .errors import DomainError, load_request
from .requests import _event, today_local

RECTIFICATION = Right.RECTIFICATION.value  # "correctie"
OWN_STATEMENT = Right.OWN_STATEMENT.value  # "eigen_verklaring"

IMPROVE, DELETE, SHIELD, REFUSE = (CorrectionItem.IMPROVE, CorrectionItem.DELETE, CorrectionItem.SHIELD,
                                   CorrectionItem.REFUSE)
OUTCOMES = (IMPROVE, DELETE, SHIELD, REFUSE)
CHANGES = (IMPROVE, DELETE, SHIELD)
OPEN, PROPOSED, DECIDED, EXECUTED = "open", "proposed", "decided", "executed"

WISH_MAX = 5000  # as the public form (portal/public/forms.py TEXT_MAX)
NEW_TEXT_MAX = 20000
STATEMENT_MAX = 20000  # as the public form (TEXT_MAX * 4)
REASONS_MAX = 10000
ITEMS_MAX = 50


class RectificationError(DomainError):
    """A stable code the face turns into a sentence (backoffice/rights.py)."""


# --- small helpers --------------------------------------------------------------------------

def _load(reference: str) -> Request:
    return load_request(reference, RectificationError)


def _asked(req: Request, right: str) -> None:
    if not any(r.right == right for r in req.rights):
        raise RectificationError("right_not_asked")


def _verified(req: Request) -> None:
    """Art. 20.5: no dossier data (and no link) before everyone taking part is verified."""
    if not casework.identity_verified(req):
        raise RectificationError("identity_not_verified")


def _log(actor: Actor, action: str, req: Request, *, object_type: str = "request", object_id=None,
         reason: str | None = None, outcome: str = "ok") -> None:
    audit.record(action, actor=actor.label, actor_role=actor.role.value, object_type=object_type,
                 object_id=object_id if object_id is not None else req.id, subject_ref=req.reference,
                 reason=(reason or f"request {req.reference}")[:200], outcome=outcome)


def _text(value: str | None, limit: int, too_long: str) -> str | None:
    """Trimmed text or None; line breaks kept (plain text, escaped wherever shown)."""
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise RectificationError(too_long)
    return text or None


def links_of(req: Request) -> list[DossierLink]:
    from . import copies

    return list(copies.links_of(req))


def _requester_is_subject(req: Request) -> bool:
    from . import copies

    return copies._requester_is_subject(req)  # noqa: SLF001 (the copy's own reading of who asks)


def _decisions(req: Request, right: str) -> list[Decision]:
    return list(db.session.execute(
        db.select(Decision).filter_by(request_id=req.id, right=right).order_by(Decision.id)).scalars())


def standing_decision(req: Request, right: str) -> Decision | None:
    return next((d for d in _decisions(req, right) if d.state == Decision.SIGNED), None)


def open_decision(req: Request, right: str) -> Decision | None:
    return next((d for d in _decisions(req, right) if d.state in (Decision.PROPOSED, Decision.SENT_BACK)), None)


# --- the subject's part of the linked dossier(s) (art. 13) ----------------------------------

@dataclass(frozen=True)
class Eligible:
    link: DossierLink
    entry: DossierEntry


def eligible_entries(req: Request) -> list[Eligible]:
    """The entries of every linked dossier that are the subject's own part (art. 13, the
    same selection as their copy): only these can be corrected or answered."""
    from . import copies

    out: list[Eligible] = []
    for link in links_of(req):
        dossier = link.dossier
        persons = [copies.person_value(p) for p in dossier.persons]
        by_id = {e.entry_id: e for e in dossier.entries}
        chosen = entries_for_copy([copies.entry_value(e) for e in dossier.entries], subject_id=link.person.person_id,
                                  requester_is_subject=_requester_is_subject(req), persons=persons,
                                  requester_id=link.requester_person.person_id if link.requester_person else None,
                                  joint=req.joint)
        out += [Eligible(link, by_id[v.id]) for v in chosen]
    return out


def _eligible_by_pk(req: Request) -> dict[int, Eligible]:
    return {e.entry.id: e for e in eligible_entries(req)}


# --- amendments as every later copy shows them (portal/services/copies.py) ------------------

@dataclass(frozen=True)
class Effective:
    """What a copy shows of an entry after decided corrections: ``delete`` (left out)
    outweighs ``shield`` (only "Afgeschermd (artikel 15)"), which outweighs ``improve``
    (the latest new text, with "Gecorrigeerd op <date> (artikel 15)")."""

    kind: str
    new_text: str | None
    decided_on: date


_WEIGHT = {IMPROVE: 0, SHIELD: 1, DELETE: 2}


def effective_amendments(entry_pks: Iterable[int]) -> dict[int, Effective]:
    pks = sorted(set(entry_pks))
    if not pks:
        return {}
    rows = db.session.execute(db.select(EntryAmendment).where(EntryAmendment.entry_pk.in_(pks))
                              .order_by(EntryAmendment.id)).scalars().all()
    out: dict[int, Effective] = {}
    for a in rows:
        now = out.get(a.entry_pk)
        if now is None or _WEIGHT[a.kind] >= _WEIGHT[now.kind]:
            out[a.entry_pk] = Effective(a.kind, a.new_text, a.decided_on)
    return out


class ShieldedEntry:
    """A shielded entry as the copy's plan holds it: the entry, without its attachments
    (a shielded entry shows only its line; nothing of it, no attachment, goes along)."""

    attachments = ()

    def __init__(self, entry: DossierEntry):
        self._entry = entry

    def __getattr__(self, name):
        return getattr(self._entry, name)


class Plan(list):
    """The plan of a copy (``copies.plan``): the planned entries, and what the document
    made from it needs besides: the person's own statements (art. 16, ``statements``),
    and the copy's person, the dossier's persons and who else reads (to redact an
    improved entry's new text, art. 15)."""

    def __init__(self, entries=(), *, statements: Sequence["PlannedStatement"] = (), subject_ref: str = "",
                 persons: Sequence = (), readers: Sequence[str] = ()):
        super().__init__(entries)
        self.statements = tuple(statements)
        self.subject_ref = subject_ref
        self.persons = tuple(persons)
        self.readers = tuple(readers)


#: What a copy prints in place of a shielded entry (nl, en).
SHIELD_LABEL = ("Afgeschermd (artikel 15)", "Shielded (article 15)")


@dataclass(frozen=True)
class PlannedStatement:
    statement: OwnStatement
    spans: tuple[tuple[int, int, str], ...]  # (start, end, ground): known identifiers of others


def statements_of(person: DossierPerson) -> list[OwnStatement]:
    return list(db.session.execute(db.select(OwnStatement).filter_by(person_pk=person.id)
                                   .order_by(OwnStatement.added_at, OwnStatement.id)).scalars())


def known_spans(text: str, persons, subject_ref: str, readers: Iterable[str] = ()) -> tuple[tuple[int, int, str], ...]:
    """Only the identifiers the dossier gives for other persons (as in any entry of the
    copy): the reporter always, a protected person's whereabouts where others read."""
    from . import copies

    if not text:
        return ()
    spans = copies._merged(R.find_known_identifiers(text, persons, copy_for=subject_ref,  # noqa: SLF001
                                                    readers=tuple(readers)))
    return tuple((s.start, s.end, s.ground) for s in spans)


def amended_text_spans(text: str, persons, subject_ref: str,
                       readers: Iterable[str] = ()) -> tuple[tuple[int, int, str], ...]:
    """An improved entry's new text (VT's words, like any entry): the known identifiers
    of others and the free-text detector, as a new copy would redact it."""
    from . import copies

    if not text:
        return ()
    known = copies._merged(R.find_known_identifiers(text, persons, copy_for=subject_ref,  # noqa: SLF001
                                                    readers=tuple(readers)))
    spans = copies._merged(known + copies.detector_spans(text, persons, subject_ref, known))  # noqa: SLF001
    return tuple((s.start, s.end, s.ground) for s in spans)


def planned_statements(person: DossierPerson, persons, readers: Iterable[str] = ()) -> list[PlannedStatement]:
    """The person's own statements for their copy. One the registration system has taken
    over (a newer export holds an ``own_statement`` entry of this person with the same
    text) is in the copy as that entry already: not twice."""
    carried = {" ".join(e.text.split()) for e in person.dossier.entries
               if e.kind == "own_statement" and e.source_person_pk == person.id}
    return [PlannedStatement(st, known_spans(st.text, persons, person.person_id, readers))
            for st in statements_of(person) if not (st.text and " ".join(st.text.split()) in carried)]


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _local_date(moment) -> date:
    from datetime import timezone
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=timezone.utc).astimezone(ZoneInfo(current_app.config["TIMEZONE"])).date()


def with_statements(views: Sequence[tuple[int, "EntryView"]], statements: Sequence[PlannedStatement],
                    lang: str) -> tuple:
    """The copy's entries (``(entry_pk, view)``, in date order) with the person's own
    statements (art. 16) put in by the date they were added, numbered 1, 2, ... in that
    order. A statement is printed in full, marked as the person's own, with a line per
    entry it answers ("stuk 3") and a line about its PDF. Runs inside force_locale."""
    from dataclasses import replace

    from flask_babel import format_date

    from .. import labels
    from ..documents.copy_document import EntryView
    from .copies import segments

    rows = [(v.date, 0, i, ("entry", pk, v)) for i, (pk, v) in enumerate(views)]
    rows += [(_local_date(ps.statement.added_at), 1, i, ("statement", None, ps)) for i, ps in enumerate(statements)]
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    numbers = {pk: n for n, (_d, _k, _i, (kind, pk, _x)) in enumerate(rows, start=1) if kind == "entry"}
    out = []
    for n, (when, _k, _i, (kind, _pk, obj)) in enumerate(rows, start=1):
        if kind == "entry":
            out.append(replace(obj, number=n))
            continue
        st = obj.statement
        person = st.person
        lines = []
        for e in st.responds_to:
            kind_label = str(labels.ENTRY_KIND_NAMES.get(e.kind, e.kind))
            day = format_date(e.date, "long")
            if e.id in numbers:
                lines.append(_pick((f"Deze verklaring gaat over stuk {numbers[e.id]} ({kind_label}, {day}).",
                                    f"This statement is about entry {numbers[e.id]} ({kind_label}, {day})."), lang))
            else:
                lines.append(_pick((f"Deze verklaring gaat over een stuk van {day} ({kind_label}).",
                                    f"This statement is about an entry of {day} ({kind_label})."), lang))
        if st.pdf_sha256:
            lines.append(_pick(("Bij deze verklaring hoort ook een PDF. Die zit in het dossier, maar niet in dit "
                                "afschrift. Wilt u hem hebben? Vraag het ons.",
                                "A PDF belongs to this statement. It is in the dossier, but not in this copy. "
                                "Would you like it? Ask us."), lang))
        source = person.relation if person.role == "subject" and person.relation else \
            str(labels.SOURCE_NAMES.get(person.role, labels.SOURCE_NAMES["third_party"]))
        out.append(EntryView(
            number=n, date=when, kind_label=str(labels.ENTRY_KIND_NAMES["own_statement"]), title=(),
            source_label=source,
            nature_label=_pick(("eigen verklaring (artikel 16)", "own statement (article 16)"), lang),
            text=segments(st.text, list(obj.spans)) if st.text else (),
            own_statement=True, withheld_label=None, attachment_lines=tuple(lines)))
    return tuple(out)


def _copies_to_redo(dossier_pks: set[int], *, person_pk: int | None = None,
                    drop_entries: set[int] = frozenset(), drop_attachments_of: set[int] = frozenset()) -> int:
    """Unreleased copies of these dossiers (of one person, for a statement) hold an older
    state of the dossier: back to draft, a new version to render and check. A deleted
    entry leaves them; a shielded entry's attachments leave them."""
    q = db.select(Copy).join(DossierLink, DossierLink.id == Copy.link_id).where(
        DossierLink.dossier_pk.in_(sorted(dossier_pks)), Copy.status.in_((Copy.DRAFT, Copy.REVIEWED, Copy.SIGNED)))
    if person_pk is not None:
        q = q.where(DossierLink.person_pk == person_pk)
    n = 0
    for copy in db.session.execute(q).scalars():
        for ce in [ce for ce in copy.entries if ce.entry_pk in drop_entries]:
            copy.entries.remove(ce)
        for r in [r for r in copy.redactions if r.entry_pk in drop_entries]:
            copy.redactions.remove(r)
        for a in [a for a in copy.attachments if a.attachment.entry_pk in (drop_entries | drop_attachments_of)]:
            copy.attachments.remove(a)
        copy.version += 1
        copy.status = Copy.DRAFT
        copy.reviewed_by = copy.reviewed_at = copy.signed_by = copy.signed_at = None
        n += 1
    return n


# --- correction items (art. 15) ----------------------------------------------------------------

def items_of(req: Request) -> list[CorrectionItem]:
    return list(db.session.execute(db.select(CorrectionItem).filter_by(request_id=req.id)
                                   .order_by(CorrectionItem.position, CorrectionItem.id)).scalars())


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


def _ensure_items(actor: Actor, req: Request) -> list[CorrectionItem]:
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
        _event(req, "correction_items_made", actor.label, public=False)
        _log(actor, "rectification.items.make", req, reason=f"request {req.reference}: {len(items)} item(s)")
    return items


def _item(req: Request, item_id: int) -> CorrectionItem:
    item = db.session.get(CorrectionItem, item_id)
    if item is None or item.request_id != req.id:
        raise RectificationError("item_not_found")
    return item


def _items_locked(req: Request) -> None:
    """Items are fixed once the decision on the right is proposed or signed (a decision
    sent back opens them again)."""
    for d in _decisions(req, RECTIFICATION):
        if d.state == Decision.PROPOSED:
            raise RectificationError("decision_pending")
        if d.state == Decision.SIGNED:
            raise RectificationError("already_decided")


def _working(req: Request) -> None:
    """Only a request in the queue and not closed or withdrawn is worked on."""
    from .decisions import WORKING_STATUSES

    if req.status_enum not in WORKING_STATUSES:
        raise RectificationError("request_not_open")


def _for_change(actor: Actor, reference: str, permission: Permission = Permission.DECISION_PROPOSE) -> Request:
    authz.require(actor, permission, object_type="request", subject_ref=reference)
    req = _load(reference)
    _asked(req, RECTIFICATION)
    _working(req)
    return req


def _wish_fields(says_now, should_say, why) -> tuple[str | None, str | None, str | None]:
    s = _text(says_now, WISH_MAX, "wish_too_long")
    t = _text(should_say, WISH_MAX, "wish_too_long")
    w = _text(why, WISH_MAX, "wish_too_long")
    if not s and not t:
        raise RectificationError("wish_required")
    return s, t, w


def add_item(actor: Actor, reference: str, *, says_now: str | None, should_say: str | None,
             why: str | None = None) -> CorrectionItem:
    """A caseworker adds a wish the request holds but the form did not split out."""
    req = _for_change(actor, reference)
    _items_locked(req)
    s, t, w = _wish_fields(says_now, should_say, why)
    items = _ensure_items(actor, req)
    if len(items) >= ITEMS_MAX:
        raise RectificationError("too_many_items")
    item = CorrectionItem(request_id=req.id, position=(max((i.position for i in items), default=-1) + 1),
                          says_now=s, should_say=t, why=w)
    db.session.add(item)
    db.session.flush()
    _event(req, "correction_item_added", actor.label, public=False)
    _log(actor, "rectification.item.add", req, object_type="correction_item", object_id=item.id)
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
    _event(req, "correction_item_edited", actor.label, public=False)
    _log(actor, "rectification.item.edit", req, object_type="correction_item", object_id=item.id)
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
    _event(req, "correction_item_split", actor.label, public=False)
    _log(actor, "rectification.item.split", req, object_type="correction_item", object_id=new.id,
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
    _verified(req)
    item = _item(req, item_id)
    if item.state != OPEN:
        raise RectificationError("item_not_open")
    if not links_of(req):
        raise RectificationError("not_linked")
    eligible = _eligible_by_pk(req)
    wanted = list(dict.fromkeys(int(p) for p in entry_pks))
    if not wanted:
        raise RectificationError("entries_required")
    if any(p not in eligible for p in wanted):
        raise RectificationError("entry_not_eligible")
    item.entries = [eligible[p].entry for p in wanted]
    _event(req, "correction_entries_linked", actor.label, public=False)
    _log(actor, "rectification.item.link", req, object_type="correction_item", object_id=item.id,
         reason="entries " + ",".join(eligible[p].entry.entry_id for p in wanted))
    db.session.commit()
    return item


def decide_item(actor: Actor, reference: str, item_id: int, *, outcome: str, about_facts: bool | None,
                new_text: str | None = None, ground: str | None = None, reasons: str | None = None) -> CorrectionItem:
    """The caseworker's decision on one item. Improve, delete, shield: decided. Refuse:
    proposed, for a team leader to sign (four eyes). Nothing is stored on an error."""
    req = _for_change(actor, reference)
    _items_locked(req)
    _verified(req)
    item = _item(req, item_id)
    if item.state != OPEN:
        raise RectificationError("item_not_open")
    if outcome not in OUTCOMES:
        raise RectificationError("outcome_unknown")
    if about_facts is None:
        raise RectificationError("about_facts_required")
    text = _text(reasons, REASONS_MAX, "reasons_too_long")
    clean_new = None
    chosen_ground = None
    if outcome == REFUSE:
        if not ground:
            raise RectificationError(G.GROUND_REQUIRED)
        error = G.check_proposal(Right.RECTIFICATION, G.Outcome.REFUSE, [ground], text,
                                 has_representative=_has_representative(req))
        if error:
            raise RectificationError(error)
        chosen_ground = G.Ground(ground).value
    else:
        if ground:
            raise RectificationError(G.GRANT_HAS_NO_GROUNDS)
        if not item.entries:
            raise RectificationError("entries_required")
        eligible = _eligible_by_pk(req)
        if any(e.id not in eligible for e in item.entries):
            raise RectificationError("entry_not_eligible")
        if outcome == IMPROVE:
            if not about_facts:
                # Art. 15 improves facts; an opinion is answered with an own statement (art. 16).
                raise RectificationError("opinion_not_improved")
            if len(item.entries) != 1:
                raise RectificationError("improve_one_entry")
            clean_new = _text(new_text, NEW_TEXT_MAX, "new_text_too_long")
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
    _event(req, kind, actor.label, public=False)
    _log(actor, "rectification.item.decide", req, object_type="correction_item", object_id=item.id,
         reason=f"outcome {outcome}" + (f" ground {chosen_ground}" if chosen_ground else ""))
    db.session.commit()
    return item


def _has_representative(req: Request) -> bool:
    from . import decisions

    return decisions.has_representative(req)


def sign_item(actor: Actor, reference: str, item_id: int) -> CorrectionItem:
    """A team leader signs a proposed refusal of one item: never their own proposal."""
    req = _for_change(actor, reference, Permission.DECISION_SIGN)
    _items_locked(req)
    item = _item(req, item_id)
    if item.state != PROPOSED:
        raise RectificationError("item_not_proposed")
    if item.decided_by is None or item.decided_by == actor.staff_id:
        _log(actor, "rectification.item.sign", req, object_type="correction_item", object_id=item.id,
             outcome="refused")
        db.session.commit()
        raise RectificationError("own_proposal")
    item.state, item.signed_by, item.signed_at = DECIDED, actor.staff_id, utcnow()
    _event(req, "correction_item_refusal_signed", actor.label, public=False)
    _log(actor, "rectification.item.sign", req, object_type="correction_item", object_id=item.id)
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
    _event(req, "correction_item_sent_back", actor.label, public=False)
    _log(actor, "rectification.item.send_back", req, object_type="correction_item", object_id=item.id)
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
    _event(req, "correction_item_reopened", actor.label, public=False)
    _log(actor, "rectification.item.reopen", req, object_type="correction_item", object_id=item.id)
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
    from . import decisions

    req = _for_change(actor, reference)
    items = items_of(req)
    if not items:
        raise RectificationError("no_items")
    if any(i.state in (OPEN, PROPOSED) for i in items):
        raise RectificationError("items_not_decided")
    outcome, grounds, reasons = decision_summary(items)
    sent_back = next((d for d in _decisions(req, RECTIFICATION) if d.state == Decision.SENT_BACK), None)
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
    _verified(req)
    dec = standing_decision(req, RECTIFICATION)
    if dec is None:
        raise RectificationError("not_signed")
    items = items_of(req)
    if any(i.state == EXECUTED for i in items):
        raise RectificationError("already_executed")
    changes = [i for i in items if i.state == DECIDED and i.outcome in CHANGES]
    if not changes:
        raise RectificationError("nothing_to_execute")
    eligible = _eligible_by_pk(req)
    today = today_local()
    by_dossier: dict[int, list[tuple[CorrectionItem, DossierEntry]]] = {}
    number = {i.id: n for n, i in enumerate(items, start=1)}
    for item in changes:
        for entry in item.entries:
            if entry.id not in eligible:
                raise RectificationError("entry_not_eligible")
            by_dossier.setdefault(entry.dossier_pk, []).append((item, entry))
    made: list[RegistrationInstruction] = []
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
        redo = _copies_to_redo({dossier_pk},
                               drop_entries={e.id for i, e in pairs if i.outcome == DELETE},
                               drop_attachments_of={e.id for i, e in pairs if i.outcome == SHIELD})
        _log(actor, "rectification.execute", req, object_type="instruction", object_id=ins.id,
             reason=f"dossier {dossier.dossier_id}: {len(pairs)} change(s), {redo} copy(ies) to render again")
    for item in changes:
        item.state = EXECUTED
    _event(req, "correction_executed", actor.label, public=False)
    db.session.commit()
    return made


# --- own statement (art. 16) --------------------------------------------------------------------

def statements_for_request(req: Request) -> list[OwnStatement]:
    return list(db.session.execute(db.select(OwnStatement).filter_by(request_id=req.id)
                                   .order_by(OwnStatement.id)).scalars())


def requested_statement(req: Request) -> str:
    right = next((r for r in req.rights if r.right == OWN_STATEMENT), None)
    return str(((right.details if right else {}) or {}).get("statement") or "").strip()


def request_statement_document(req: Request) -> Document | None:
    return db.session.execute(db.select(Document).filter_by(request_id=req.id, kind=Document.STATEMENT)
                              .order_by(Document.id.desc())).scalars().first()


def _decrypt_checked(ciphertext: bytes, sha256: str) -> bytes:
    try:
        data = current_app.extensions["vault"].decrypt(ciphertext)
    except VaultError:
        raise RectificationError("pdf_unreadable") from None
    if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), sha256 or ""):
        raise RectificationError("pdf_unreadable")
    return data


def add_statement(actor: Actor, reference: str, *, link_id: int, text: str | None, entry_pks: Sequence[int],
                  upload: bytes | None = None, use_request_pdf: bool = False) -> OwnStatement:
    """Add the person's own statement to the dossier person of the linked request (art.
    16): the text as they wrote it, optionally a PDF (a new upload, checked and cleaned
    by portal/documents/uploads.py, or the one sent with the request), linked to the entries it
    responds to; an instruction "add_statement" for the registration system. One
    transaction: on any error nothing is stored."""
    from ..documents.uploads import UploadRejected, inspect_upload

    authz.require(actor, Permission.DECISION_PROPOSE, object_type="request", subject_ref=reference)
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="request", subject_ref=reference)
    req = _load(reference)
    _asked(req, OWN_STATEMENT)
    _working(req)
    _verified(req)
    for d in _decisions(req, OWN_STATEMENT):
        if d.state == Decision.SIGNED and d.outcome == G.Outcome.REFUSE.value:
            raise RectificationError("statement_refused")
    if statements_for_request(req):
        raise RectificationError("statement_exists")
    link = next((ln for ln in links_of(req) if ln.id == link_id), None)
    if link is None:
        raise RectificationError("not_linked")
    body = _text(text, STATEMENT_MAX, "statement_too_long") or ""
    eligible = {pk: e for pk, e in _eligible_by_pk(req).items() if e.link.id == link.id}
    wanted = list(dict.fromkeys(int(p) for p in entry_pks))
    if not wanted:
        raise RectificationError("entries_required")
    if any(p not in eligible for p in wanted):
        raise RectificationError("entry_not_eligible")
    pdf = None
    if upload is not None:
        try:
            clean = inspect_upload(upload, max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
                                   max_pixels=current_app.config["UPLOAD_MAX_PIXELS"])
        except UploadRejected as exc:
            raise RectificationError(f"upload_{exc.code}") from None
        if clean.content_type != "application/pdf":
            raise RectificationError("upload_not_pdf")
        pdf = clean.content
    elif use_request_pdf:
        doc = request_statement_document(req)
        if doc is None:
            raise RectificationError("no_request_pdf")
        pdf = _decrypt_checked(doc.ciphertext, doc.sha256)
    if not body and pdf is None:
        raise RectificationError("statement_required")
    st = OwnStatement(request_id=req.id, dossier_pk=link.dossier_pk, person_pk=link.person_pk, text=body,
                      added_by=actor.staff_id)
    if pdf is not None:
        st.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        st.pdf_ciphertext = current_app.extensions["vault"].encrypt(pdf)
    st.responds_to = [eligible[p].entry for p in wanted]
    db.session.add(st)
    db.session.flush()
    payload = {
        "request": req.reference,
        "statement_id": st.id,
        "person_id": link.person.person_id,
        "added_on": today_local().isoformat(),
        "responds_to": [eligible[p].entry.entry_id for p in wanted],
        "text": body,
        "pdf": {"media_type": "application/pdf", "sha256": st.pdf_sha256} if pdf is not None else None,
    }
    ins = instructions.create(actor, req, link.dossier.dossier_id, "add_statement", payload)
    redo = _copies_to_redo({link.dossier_pk}, person_pk=link.person_pk)
    _event(req, "own_statement_added", actor.label, public=False)
    _log(actor, "statement.add", req, object_type="own_statement", object_id=st.id,
         reason=f"dossier {link.dossier.dossier_id} person {link.person.person_id}: instruction {ins.id}, "
                f"{redo} copy(ies) to render again")
    db.session.commit()
    return st


def propose_statement_decision(actor: Actor, reference: str) -> Decision:
    """Propose granting the own statement once it is added: a team leader signs it and
    the letter confirms it to the requester."""
    from . import decisions

    authz.require(actor, Permission.DECISION_PROPOSE, object_type="request", subject_ref=reference)
    req = _load(reference)
    _asked(req, OWN_STATEMENT)
    if not statements_for_request(req):
        raise RectificationError("no_statement")
    sent_back = next((d for d in _decisions(req, OWN_STATEMENT) if d.state == Decision.SENT_BACK), None)
    try:
        if sent_back is not None:
            return decisions.revise(actor, reference, sent_back.id, G.Outcome.GRANT.value, [], None)
        return decisions.propose(actor, reference, OWN_STATEMENT, G.Outcome.GRANT.value, [], None)
    except decisions.DecisionError as exc:
        db.session.rollback()
        raise RectificationError(exc.code) from None


@dataclass(frozen=True)
class PdfFile:
    data: bytes
    filename: str


def open_statement_pdf(actor: Actor, reference: str, statement_id: int) -> PdfFile:
    """The PDF of an added statement (for staff, and to hand to the registration
    system). Logged."""
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="own_statement", object_id=statement_id,
                  subject_ref=reference)
    req = _load(reference)
    st = db.session.get(OwnStatement, statement_id)
    if st is None or st.request_id != req.id or st.pdf_ciphertext is None:
        raise RectificationError("statement_not_found")
    data = _decrypt_checked(st.pdf_ciphertext, st.pdf_sha256)
    _log(actor, "statement.pdf.view", req, object_type="own_statement", object_id=st.id)
    db.session.commit()
    return PdfFile(data, f"eigen-verklaring-{req.reference}-{st.id}.pdf")


def open_request_statement_pdf(actor: Actor, reference: str) -> PdfFile:
    """The PDF the requester sent with the request (before it is added). Logged."""
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="request", subject_ref=reference)
    req = _load(reference)
    _asked(req, OWN_STATEMENT)
    doc = request_statement_document(req)
    if doc is None:
        raise RectificationError("no_request_pdf")
    data = _decrypt_checked(doc.ciphertext, doc.sha256)
    _log(actor, "document.view", req, object_type="document", object_id=doc.id, reason="own statement (art. 16)")
    db.session.commit()
    return PdfFile(data, f"verklaring-{req.reference}.pdf")


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
    req = _load(reference)
    task = db.session.get(NotificationTask, task_id)
    if task is None or task.request_id != req.id or task.id not in {t.id for t in tasks_of(req)}:
        raise RectificationError("task_not_found")
    _event(req, "notification_done", actor.label, public=False)
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
    req = _load(reference)
    if instruction_id not in {i.id for i in instructions_of(req)}:
        raise RectificationError("instruction_not_found")
    _event(req, "instruction_confirmed", actor.label, public=False)
    try:
        return instructions.confirm(actor, instruction_id, name=name, on=on)
    except instructions.InstructionError as exc:
        db.session.rollback()
        raise RectificationError(exc.code) from None


def export_for(actor: Actor, reference: str, dossier_ref: str) -> dict:
    """The registration system's JSON for a dossier this request is linked to."""
    authz.require(actor, Permission.DECISION_PROPOSE, object_type="dossier", object_id=dossier_ref,
                  subject_ref=reference)
    req = _load(reference)
    if dossier_ref not in {ln.dossier.dossier_id for ln in links_of(req)}:
        raise RectificationError("not_linked")
    return instructions.export(actor, dossier_ref)


# --- what the pages and the letter read ------------------------------------------------------------

@dataclass
class EntryRow:
    link: DossierLink
    entry: DossierEntry
    amendment: Effective | None


@dataclass
class CorrectionPage:
    req: Request
    verified: bool
    links: list[DossierLink]
    items: list[CorrectionItem]
    entries: list[EntryRow]
    decision: Decision | None  # the signed one
    open: Decision | None  # proposed or sent back
    instructions: list[RegistrationInstruction]
    tasks: list[NotificationTask]
    all_decided: bool
    executed: bool
    has_representative: bool
    grounds: list = field(default_factory=list)


def correction_page(actor: Actor, reference: str) -> CorrectionPage:
    """Everything the correction page shows, with the dossier entries of the subject's
    part (a read of personal data: logged)."""
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="request", subject_ref=reference)
    req = _load(reference)
    _asked(req, RECTIFICATION)
    verified = casework.identity_verified(req)
    items = _ensure_items(actor, req) if authz.can(actor, Permission.DECISION_PROPOSE) else items_of(req)
    links = links_of(req) if verified else []
    rows: list[EntryRow] = []
    if verified and links:
        eligible = eligible_entries(req)
        amended = effective_amendments(e.entry.id for e in eligible)
        rows = [EntryRow(e.link, e.entry, amended.get(e.entry.id)) for e in eligible]
    has_rep = _has_representative(req)
    page = CorrectionPage(
        req=req, verified=verified, links=links, items=items, entries=rows,
        decision=standing_decision(req, RECTIFICATION), open=open_decision(req, RECTIFICATION),
        instructions=[i for i in instructions_of(req) if i.kind == "rectify"],
        tasks=tasks_of(req), all_decided=bool(items) and all(i.state in (DECIDED, EXECUTED) for i in items),
        executed=any(i.state == EXECUTED for i in items), has_representative=has_rep,
        grounds=G.grounds_for(Right.RECTIFICATION, has_representative=has_rep),
    )
    _log(actor, "rectification.view", req,
         reason=f"request {req.reference}: {len(rows)} entr(y/ies) of {len(links)} linked dossier(s)")
    db.session.commit()
    return page


@dataclass
class StatementPage:
    req: Request
    verified: bool
    links: list[DossierLink]
    entries: list[EntryRow]
    requested_text: str
    request_pdf: Document | None
    statements: list[OwnStatement]
    decision: Decision | None
    open: Decision | None
    instructions: list[RegistrationInstruction]


def statement_page(actor: Actor, reference: str) -> StatementPage:
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="request", subject_ref=reference)
    req = _load(reference)
    _asked(req, OWN_STATEMENT)
    verified = casework.identity_verified(req)
    links = links_of(req) if verified else []
    rows: list[EntryRow] = []
    if verified and links:
        eligible = eligible_entries(req)
        amended = effective_amendments(e.entry.id for e in eligible)
        rows = [EntryRow(e.link, e.entry, amended.get(e.entry.id)) for e in eligible]
    page = StatementPage(
        req=req, verified=verified, links=links, entries=rows, requested_text=requested_statement(req),
        request_pdf=request_statement_document(req), statements=statements_for_request(req),
        decision=standing_decision(req, OWN_STATEMENT), open=open_decision(req, OWN_STATEMENT),
        instructions=[i for i in instructions_of(req) if i.kind == "add_statement"],
    )
    _log(actor, "statement.view", req, reason=f"request {req.reference}: {len(rows)} entr(y/ies)")
    db.session.commit()
    return page


@dataclass(frozen=True)
class PanelData:
    """The small panel on the request page (no dossier data)."""

    rectification: bool
    own_statement: bool
    verified: bool
    linked: bool
    items: dict  # state -> count
    statement_added: bool
    open_tasks: int
    unconfirmed: int


def panel(req: Request) -> PanelData | None:
    asked = {r.right for r in req.rights}
    if RECTIFICATION not in asked and OWN_STATEMENT not in asked:
        return None
    counts: dict[str, int] = {}
    for i in items_of(req):
        counts[i.state] = counts.get(i.state, 0) + 1
    verified = casework.identity_verified(req)
    inst = instructions_of(req)
    return PanelData(rectification=RECTIFICATION in asked, own_statement=OWN_STATEMENT in asked, verified=verified,
                     linked=bool(links_of(req)) if verified else False, items=counts,
                     statement_added=bool(statements_for_request(req)),
                     open_tasks=sum(1 for t in tasks_of(req) if t.done_on is None),
                     unconfirmed=sum(1 for i in inst if i.confirmed_on is None))


@dataclass(frozen=True)
class LetterItem:
    number: int
    says_now: str | None
    should_say: str | None
    outcome: str
    ground: G.Ground | None
    own_statement_route: bool


@dataclass(frozen=True)
class LetterPart:
    items: tuple[LetterItem, ...] = ()
    own_statement_route: bool = False
    shared: bool = False  # a changed entry was shared with others: they are told (AVG 19)
    statement: OwnStatement | None = None
    responds_to: tuple[tuple[date, object], ...] = ()  # (date, kind label) of the entries answered


def letter_part(decision: Decision) -> LetterPart:
    """What pdf/decision/_correctie.html and _eigen_verklaring.html print for a decision:
    per item the requester's own words and the outcome (never the dossier's text, never
    another person's data); for a statement the dates and kinds of the entries it
    answers."""
    req = db.session.get(Request, decision.request_id)
    if req is None:
        return LetterPart()
    if decision.right == RECTIFICATION:
        items = [i for i in items_of(req) if i.state in (DECIDED, EXECUTED)]
        out = []
        for n, i in enumerate(items, start=1):
            route = i.outcome == REFUSE and (i.about_facts is False
                                             or i.ground == G.Ground.NOT_FACTUALLY_INCORRECT.value)
            out.append(LetterItem(n, i.says_now, i.should_say, i.outcome,
                                  G.Ground(i.ground) if i.ground else None, route))
        shared = any(e.shared_with for i in items if i.outcome in CHANGES for e in i.entries)
        return LetterPart(items=tuple(out), own_statement_route=any(x.own_statement_route for x in out), shared=shared)
    if decision.right == OWN_STATEMENT:
        st = next(iter(statements_for_request(req)), None)
        if st is None:
            return LetterPart()
        from .. import labels

        return LetterPart(statement=st, responds_to=tuple((e.date, labels.ENTRY_KIND_NAMES.get(e.kind, e.kind))
                                                          for e in st.responds_to))
    return LetterPart()


def instruction_json(ins: RegistrationInstruction) -> str:
    return json.dumps(ins.payload, ensure_ascii=False, indent=2, sort_keys=True)
