"""The copy (afschrift, art. 14) of one person's part of a dossier, from link to release.

The steps, each a function here that both the back office and the CLI call:

1. ``link_dossier``: a caseworker links the request to the dossier person it is about,
   only after everyone taking part is verified (art. 20.5, ``casework.identity_verified``);
   before that nothing may reveal whether VT has a dossier at all.
2. ``create_copy``: the entries of the copy are chosen (art. 13, ``rules.selection``) and
   every identifier the dossier gives for another person is redacted (art. 14.2,
   ``rules.redaction``); then the free-text detector (``rules.detection``; ``deduce`` in
   the background worker where installed) adds what the dossier does not list.
3. The workbench (``lift``, ``confirm``, ``add_redaction``, ``withhold_entry``,
   ``review_attachment``): every redaction has a ground and an origin; lifting one needs
   a reason; withholding an entry, an attachment, or redacting on a ground beyond a third
   party's privacy is a restriction that a team leader signs (art. 14.2, 20.4).
4. ``request_render``: the PDF is rendered by the background job queue (``jobs.render_copy``)
   with progress, never in a web worker; the result is kept encrypted.
5. ``mark_reviewed`` (caseworker), ``sign`` (team leader, where something is withheld),
   ``release``: only a reviewed copy of the current version, signed where needed, from
   an import that is still current.

Redacted text is replaced on the server (``segments``) before any HTML exists: the
template receives labels, never the characters behind them.
"""
from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import force_locale

from .. import labels
from ..documents.copy_document import CopyDocument, EntryView, Segment, WithheldLine
from ..infra.extensions import db
from ..models import (Copy, CopyAttachment, CopyEntry, CopyRedaction, Dossier, DossierEntry, DossierLink,
                      DossierPerson, Party, Request, utcnow)
from ..rules import redaction as R
from ..rules.permissions import Permission
from ..rules.rights import Right
from ..rules.selection import Address, Entry, Person, entries_for_copy
from . import audit, authz, casework
from .authz import Actor
from .errors import DomainError, load_request
from .requests import _event, today_local

log = logging.getLogger(__name__)

REASONS_MIN = 10
REASONS_MAX = 5000
PHRASE_MAX = 300
FIELDS = ("title", "text")
#: Grounds a caseworker may give to a redaction they add (the reporter's is automatic).
STAFF_GROUNDS = (R.THIRD_PARTY, R.SAFETY, R.TASK)
#: A redaction added by staff on one of these grounds goes beyond a third party's
#: identifiers: a restriction a team leader signs (art. 14.2, 20.4).
RESTRICTION_GROUNDS = frozenset({R.SAFETY, R.TASK})
#: Lifting an automatic redaction on one of these grounds shows the reporter or a
#: protected person's whereabouts: a team leader signs it.
SENSITIVE_LIFT_GROUNDS = frozenset({R.REPORTER_PROTECTION, R.SAFETY})
#: Grounds for withholding a whole entry or attachment (art. 14.2).
WITHHOLD_GROUNDS = ("third_party_privacy", "safety_of_those_involved", "vt_task")
WITHHOLD_LABELS = {
    "third_party_privacy": ("privacy van een ander (art. 14 lid 2)", "privacy of another person (art. 14(2))"),
    "safety_of_those_involved": ("veiligheid van betrokkenen (art. 14 lid 2)", "safety of those involved (art. 14(2))"),
    "vt_task": ("de taak van Veilig Thuis (art. 14 lid 2)", "Veilig Thuis's task (art. 14(2))"),
}
GROUND_LABELS = {  # for the cover letter: (nl, en)
    R.THIRD_PARTY: ("privacy van een ander (art. 14 lid 2)", "privacy of another person (art. 14(2))"),
    R.REPORTER_PROTECTION: ("privacy van een ander (art. 14 lid 2)", "privacy of another person (art. 14(2))"),
    R.SAFETY: ("veiligheid (art. 14 lid 2)", "safety (art. 14(2))"),
    R.TASK: ("de taak van Veilig Thuis (art. 14 lid 2)", "Veilig Thuis's task (art. 14(2))"),
}
DOWNLOAD_DAYS = 30
DOWNLOADS_ALLOWED = 3


class CopyError(DomainError):
    """A stable code the face turns into a sentence (backoffice/copies.py)."""


# --- plain values from the models ----------------------------------------------------------

def person_value(p: DossierPerson) -> Person:
    return Person(
        id=p.person_id, role=p.role, given_names=p.given_names, family_name=p.family_name,
        birth_date=p.birth_date, bsn=p.bsn,
        addresses=tuple(Address(a.get("street", ""), a.get("number", ""), a.get("postcode", ""), a.get("city", ""))
                        for a in p.addresses),
        phones=tuple(p.phones), emails=tuple(p.emails), organisation=p.organisation,
        protected_address=bool(p.protected_address), relation=p.relation or "",
    )


def entry_value(e: DossierEntry) -> Entry:
    return Entry(id=e.entry_id, date=e.date, kind=e.kind, nature=e.nature,
                 source_person=e.source_person.person_id if e.source_person else None,
                 concerns=tuple(p.person_id for p in e.concerns), text=e.text, title=e.title or "")


# --- the plan: which entries, which redactions (pure given the dossier) ------------------

@dataclass(frozen=True)
class PlannedRedaction:
    field: str
    start: int
    end: int
    ground: str
    origin: str
    kind: str
    person_ref: str | None


@dataclass(frozen=True)
class PlannedEntry:
    entry: DossierEntry
    redactions: tuple[PlannedRedaction, ...]


def _merged(spans: Sequence[R.Span]) -> list[R.Span]:
    """Overlapping spans as one, keeping the weightiest ground (and its person)."""
    out: list[R.Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if out and s.start <= out[-1].end:
            last = out[-1]
            heavier = R._PRIORITY[s.ground] > R._PRIORITY[last.ground]
            keep = s if heavier else last
            out[-1] = R.Span(last.start, max(last.end, s.end), keep.person_id, keep.kind, keep.ground)
        else:
            out.append(s)
    return out


def _detections(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) found by the free-text detector(s); [] where none is present."""
    found: list[tuple[int, int, str]] = []
    try:
        from ..rules import detection
    except ImportError:  # pragma: no cover - the module ships with the portal
        return found
    found += [(d.start, d.end, d.kind) for d in detection.detect(text)]
    if current_app and current_app.config.get("DETECTOR_DEDUCE"):
        try:
            from ..documents import detection_deduce
        except ImportError:  # pragma: no cover
            detection_deduce = None
        if detection_deduce is not None and detection_deduce.deduce_available():
            found += [(d.start, d.end, d.kind) for d in detection_deduce.detect_with_deduce(text)]
    return found


def detector_spans(text: str, persons: Sequence[Person], copy_for: str, known: Sequence[R.Span]) -> list[R.Span]:
    """Detector hits that are not the copy's own person's identifiers and not already
    covered by a known redaction (ground: privacy of a third party)."""
    subject = [p for p in persons if p.id == copy_for]
    own = R.find_known_identifiers(text, subject, copy_for=None) if subject else []
    out = []
    for start, end, kind in _detections(text):
        if any(o.start <= start and end <= o.end for o in own):
            continue  # the person's own name, address, ...: theirs to see
        if any(k.start <= start and end <= k.end for k in known):
            continue
        out.append(R.Span(start, end, "", kind, R.THIRD_PARTY))
    return out


def plan(dossier: Dossier, subject: DossierPerson, *, requester_is_subject: bool, readers: Iterable[str] = (),
         requester_ref: str | None = None, joint: bool = False, detect: bool = True) -> list[PlannedEntry]:
    """The entries of ``subject``'s copy (art. 13) with their automatic redactions
    (art. 14.2): the known identifiers of every other person, the reporter always, a
    protected person's whereabouts; and, with ``detect``, the free-text detector.

    Decided corrections (art. 15, ``EntryAmendment``): a deleted entry is left out; a
    shielded entry is kept (it prints only "Afgeschermd (artikel 15)") without its
    redactions or attachments; an improved entry keeps the redactions of its original
    text here (the workbench and the detector work on that text): the document prints
    the new text with redactions of its own (``_entry_view``). The subject's own
    statements (art. 16) ride along as ``statements`` of the returned plan (they are not
    dossier entries), with the known identifiers of other persons redacted in them."""
    from . import rectification as RX

    persons = [person_value(p) for p in dossier.persons]
    by_id = {e.entry_id: e for e in dossier.entries}
    chosen = entries_for_copy([entry_value(e) for e in dossier.entries], subject_id=subject.person_id,
                              requester_is_subject=requester_is_subject, persons=persons,
                              requester_id=requester_ref, joint=joint)
    readers = tuple(readers)
    amended = RX.effective_amendments(by_id[v.id].id for v in chosen)
    out = []
    for value in chosen:
        row = by_id[value.id]
        eff = amended.get(row.id)
        if eff is not None and eff.kind == RX.DELETE:
            continue
        if eff is not None and eff.kind == RX.SHIELD:
            out.append(PlannedEntry(RX.ShieldedEntry(row), ()))
            continue
        planned: list[PlannedRedaction] = []
        for field in FIELDS:
            text = (row.title or "") if field == "title" else row.text
            if not text:
                continue
            known = R.find_known_identifiers(text, persons, copy_for=subject.person_id, readers=readers)
            spans = _merged(known)
            if detect:
                spans = _merged(spans + detector_spans(text, persons, subject.person_id, spans))
            for s in spans:
                origin = CopyRedaction.KNOWN if s.person_id else CopyRedaction.DETECTOR
                planned.append(PlannedRedaction(field, s.start, s.end, s.ground, origin, s.kind, s.person_id or None))
        out.append(PlannedEntry(row, tuple(planned)))
    return RX.Plan(out, statements=RX.planned_statements(subject, persons, readers), subject_ref=subject.person_id,
                   persons=persons, readers=readers)


# --- applying redactions ---------------------------------------------------------------------

def segments(text: str, spans: Iterable[tuple[int, int, str]], lang: str = "nl") -> tuple[Segment, ...]:
    """``text`` cut into plain runs and labels; (start, end, ground) spans in force,
    merged as ``rules.redaction.merge`` merges them (the weightiest ground wins). The
    redacted characters are not in the result."""
    out: list[Segment] = []
    pos = 0
    for start, end, ground in R.merge(R.Span(a, b, "", "", g) for a, b, g in spans):
        if start > pos:
            out.append(Segment(text[pos:start]))
        out.append(Segment(R.LABELS[ground], redacted=True))
        pos = max(pos, end)
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return tuple(out)


def _in_force(redactions: Iterable) -> list:
    return [r for r in redactions if getattr(r, "state", CopyRedaction.APPLIED) != CopyRedaction.LIFTED]


# --- the document ----------------------------------------------------------------------------

def _source_label(entry: DossierEntry) -> str:
    src = entry.source_person
    if src is None:
        return str(labels.SOURCE_NAMES[None])
    if src.role == "subject" and src.relation:
        return src.relation  # "vader", "moeder": a household role, not a name
    return str(labels.SOURCE_NAMES.get(src.role, labels.SOURCE_NAMES["third_party"]))


def _entry_view(number: int, entry: DossierEntry, reds: Sequence, subject_ref: str, *, withheld_label: str | None,
                attachment_lines: tuple[str, ...] = (), amendment=None, amended_spans: Sequence = (),
                lang: str = "nl") -> EntryView:
    """One entry of the copy. ``amendment`` (``rectification.Effective``, art. 15): a
    shielded entry prints only "Afgeschermd (artikel 15)" (``withheld_label``, set by the
    caller); an improved one prints the new text, with ``amended_spans`` (redactions of
    that text) and the line "Gecorrigeerd op <date> (artikel 15)"."""
    from flask_babel import format_date

    by_field: dict[str, list[tuple[int, int, str]]] = {f: [] for f in FIELDS}
    for r in _in_force(reds):
        by_field[r.field].append((r.start, r.end, r.ground))
    title = entry.title or ""
    if amendment is not None and amendment.kind == "shield":
        title = ""  # nothing of a shielded entry but its line
    if withheld_label:
        text: tuple[Segment, ...] = ()
    elif amendment is not None and amendment.kind == "improve" and amendment.new_text:
        when = format_date(amendment.decided_on, "long")
        line = _lang_pick((f"Gecorrigeerd op {when} (artikel 15)", f"Corrected on {when} (article 15)"), lang)
        text = segments(amendment.new_text, list(amended_spans)) + (Segment("\n\n" + line),)
    else:
        text = segments(entry.text, by_field["text"])
    return EntryView(
        number=number, date=entry.date, kind_label=str(labels.ENTRY_KIND_NAMES.get(entry.kind, entry.kind)),
        title=segments(title, by_field["title"]) if title else (),
        source_label=_source_label(entry), nature_label=str(labels.NATURE_NAMES.get(entry.nature, entry.nature)),
        text=text,
        own_statement=entry.kind == "own_statement" and entry.source_person is not None
        and entry.source_person.person_id == subject_ref,
        withheld_label=withheld_label, attachment_lines=attachment_lines,
    )


def _lang_pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def document_from_plan(planned: Sequence[PlannedEntry], *, language: str, reference: str, recipient_name: str,
                       subject_name: str, on_behalf: bool, received_on: date, made_on: date,
                       draft: bool = True) -> CopyDocument:
    """The document for a plan straight from ``plan`` (the CLI's draft: nothing lifted),
    with the decided corrections (art. 15) and the person's own statements (art. 16)."""
    from . import rectification as RX

    statements = getattr(planned, "statements", ())
    subject_ref = getattr(planned, "subject_ref", "")
    persons = getattr(planned, "persons", ())
    readers = getattr(planned, "readers", ())
    amended = RX.effective_amendments(pe.entry.id for pe in planned)
    with force_locale(language):
        views = []
        counts: dict[str, int] = {}
        for pe in planned:
            eff = amended.get(pe.entry.id)
            label, spans = None, ()
            if eff is not None and eff.kind == RX.SHIELD:
                label = _lang_pick(RX.SHIELD_LABEL, language)
            elif eff is not None and eff.kind == RX.IMPROVE:
                spans = RX.amended_text_spans(eff.new_text or "", persons, subject_ref, readers)
            views.append((pe.entry.id, _entry_view(0, pe.entry, pe.redactions, subject_ref, withheld_label=label,
                                                   amendment=eff, amended_spans=spans, lang=language)))
            if label:
                continue
            for r in pe.redactions:
                if eff is None or r.field != "text":
                    counts[r.ground] = counts.get(r.ground, 0) + 1
            for _s, _e, ground in spans:
                counts[ground] = counts.get(ground, 0) + 1
        for ps in statements:
            for _s, _e, ground in ps.spans:
                counts[ground] = counts.get(ground, 0) + 1
        entries = RX.with_statements(views, statements, language)
        return CopyDocument(language=language, reference=reference, recipient_name=recipient_name, made_on=made_on,
                            received_on=received_on, subject_name=subject_name, on_behalf=on_behalf,
                            entries=entries, withheld=_withheld_lines(counts, {}, language), draft=draft)


def _withheld_lines(redaction_counts: dict[str, int], withheld_counts: dict[str, int], lang: str) -> tuple[WithheldLine, ...]:
    lines: dict[str, int] = {}
    for ground, n in redaction_counts.items():
        label = _lang_pick(GROUND_LABELS[ground], lang)
        lines[label] = lines.get(label, 0) + n
    out = [WithheldLine(label, n, _lang_pick(("Stukjes tekst weggelaten", "Parts of the text removed"), lang))
           for label, n in lines.items()]
    for ground, n in withheld_counts.items():
        out.append(WithheldLine(_lang_pick(WITHHOLD_LABELS.get(ground, (ground, ground)), lang), n,
                                _lang_pick(("Hele stukken niet opgenomen", "Whole entries or attachments left out"), lang)))
    return tuple(out)


def document_for(copy: Copy, *, draft: bool) -> CopyDocument:
    """The document of a stored copy, with every decision on its redactions, the
    decided corrections (art. 15: a deleted entry left out, a shielded one as its line
    only, an improved one with its new text) and the person's own statements (art. 16),
    as they stand when the copy is rendered."""
    from . import rectification as RX

    req: Request = db.session.get(Request, copy.request_id)
    link = copy.link
    lang = req.language or "nl"
    subject_ref = link.person.person_id
    persons = [person_value(p) for p in link.dossier.persons]
    readers = _readers(req, link)
    amended = RX.effective_amendments(ce.entry_pk for ce in copy.entries)
    reds_by_entry: dict[int, list[CopyRedaction]] = {}
    for r in copy.redactions:
        reds_by_entry.setdefault(r.entry_pk, []).append(r)
    atts_by_entry: dict[int, list[CopyAttachment]] = {}
    for a in copy.attachments:
        atts_by_entry.setdefault(a.attachment.entry_pk, []).append(a)
    counts: dict[str, int] = {}
    withheld: dict[str, int] = {}
    attachment_no = 0
    with force_locale(lang):
        views = []
        for ce in copy.entries:
            eff = amended.get(ce.entry_pk)
            if eff is not None and eff.kind == RX.DELETE:
                continue  # art. 15: deleted, in no later copy
            shielded = eff is not None and eff.kind == RX.SHIELD
            reds = reds_by_entry.get(ce.entry_pk, [])
            lines = []
            for a in ([] if shielded else atts_by_entry.get(ce.entry_pk, [])):
                if a.state == CopyAttachment.REDACTED:
                    attachment_no += 1
                    lines.append(_lang_pick((f"Bijlage {attachment_no}: achter in dit afschrift, met weggelaten delen.",
                                             f"Attachment {attachment_no}: at the end of this copy, with parts removed."), lang))
                else:
                    withheld[a.ground or "third_party_privacy"] = withheld.get(a.ground or "third_party_privacy", 0) + 1
                    lines.append(_lang_pick(("Een bijlage is niet opgenomen.", "An attachment is left out."), lang))
            label, spans = None, ()
            if ce.withheld:
                withheld[ce.withheld_ground] = withheld.get(ce.withheld_ground, 0) + 1
                label = _lang_pick(("Dit stuk is niet opgenomen: ", "This entry is left out: "), lang) + \
                    _lang_pick(WITHHOLD_LABELS.get(ce.withheld_ground, (ce.withheld_ground,) * 2), lang)
            elif shielded:
                label = _lang_pick(RX.SHIELD_LABEL, lang)
            else:
                improved = eff is not None and eff.kind == RX.IMPROVE
                if improved:
                    spans = RX.amended_text_spans(eff.new_text or "", persons, subject_ref, readers)
                    for _s, _e, ground in spans:
                        counts[ground] = counts.get(ground, 0) + 1
                for r in _in_force(reds):
                    if not (improved and r.field == "text"):  # the original text is not printed
                        counts[r.ground] = counts.get(r.ground, 0) + 1
            views.append((ce.entry_pk, _entry_view(0, ce.entry, reds, subject_ref, withheld_label=label,
                                                   attachment_lines=tuple(lines), amendment=eff,
                                                   amended_spans=spans, lang=lang)))
        statements = RX.planned_statements(link.person, persons, readers)
        for ps in statements:
            for _s, _e, ground in ps.spans:
                counts[ground] = counts.get(ground, 0) + 1
        entries = RX.with_statements(views, statements, lang)
        requester = next((p for p in req.parties if p.role == Party.REQUESTER), None)
        return CopyDocument(
            language=lang, reference=req.reference,
            recipient_name=requester.display_name if requester else "",
            made_on=today_local(), received_on=req.received_on,
            subject_name=f"{link.person.given_names} {link.person.family_name}",
            on_behalf=not _requester_is_subject(req), entries=entries,
            withheld=_withheld_lines(counts, withheld, lang),
            attachment_count=attachment_no, draft=draft,
        )


# --- loading and logging -------------------------------------------------------------------

def _load(reference: str) -> Request:
    return load_request(reference, CopyError)


def _log(actor: Actor, action: str, req: Request, copy: Copy | None = None, *, reason: str | None = None,
         outcome: str = "ok") -> None:
    audit.record(action, actor=actor.label, actor_role=actor.role.value,
                 object_type="copy" if copy is not None else "request",
                 object_id=copy.id if copy is not None else req.id, subject_ref=req.reference,
                 reason=reason or f"request {req.reference}", outcome=outcome)


def _copy(req: Request, copy_id: int) -> Copy:
    copy = db.session.get(Copy, copy_id)
    if copy is None or copy.request_id != req.id:
        raise CopyError("copy_not_found")
    return copy


def _requester_is_subject(req: Request) -> bool:
    """The requester asks for their own data (a representative, or the parent who started
    a joint request, does not)."""
    requester = next((p for p in req.parties if p.role == Party.REQUESTER), None)
    return bool(requester and requester.is_subject)


def _wants_copy(req: Request) -> bool:
    return any(r.right in (Right.ACCESS.value, Right.COPY.value) for r in req.rights)


def is_stale(copy: Copy) -> bool:
    """Made from an import that has since been replaced: cannot be released."""
    return copy.link.dossier.content_hash != copy.dossier_hash


# --- 1. link -----------------------------------------------------------------------------

def link_dossier(actor: Actor, reference: str, dossier_id: str, person_id: str,
                 requester_person_id: str | None = None) -> DossierLink:
    """Link the request to the dossier person it is about (after art. 20.5 checks)."""
    req = _load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="request", object_id=req.id, subject_ref=reference)
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="request", object_id=req.id, subject_ref=reference)
    if not casework.identity_verified(req):
        raise CopyError("identity_not_verified")
    dossier = db.session.execute(db.select(Dossier).filter_by(dossier_id=(dossier_id or "").strip())).scalar_one_or_none()
    if dossier is None:
        raise CopyError("dossier_not_found")
    persons = {p.person_id: p for p in dossier.persons}
    person = persons.get((person_id or "").strip())
    if person is None:
        raise CopyError("person_not_found")
    if person.role != "subject":
        raise CopyError("not_a_subject")
    rep = None
    if requester_person_id:
        rep = persons.get(requester_person_id.strip())
        if rep is None:
            raise CopyError("person_not_found")
        if rep.id == person.id:
            raise CopyError("same_person")
    existing = db.session.execute(db.select(DossierLink).filter_by(request_id=req.id, dossier_pk=dossier.id)).scalar_one_or_none()
    if existing is not None:
        raise CopyError("already_linked")
    link = DossierLink(request_id=req.id, dossier_pk=dossier.id, person_pk=person.id,
                       requester_person_pk=rep.id if rep else None, linked_by=actor.staff_id)
    db.session.add(link)
    _event(req, "dossier_linked", "caseworker", public=False)
    _log(actor, "dossier.link", req, reason=f"dossier {dossier.dossier_id} person {person.person_id}")
    db.session.commit()
    return link


def links_of(req: Request) -> list[DossierLink]:
    return db.session.execute(db.select(DossierLink).filter_by(request_id=req.id).order_by(DossierLink.id)).scalars().all()


# --- 2. create ----------------------------------------------------------------------------

def _readers(req: Request, link: DossierLink) -> tuple[str, ...]:
    """Who else reads the subject's copy: a representative or the joint requester."""
    if _requester_is_subject(req) and not req.joint:
        return ()
    return (link.requester_person.person_id if link.requester_person else "requester",)


def create_copy(actor: Actor, reference: str, link_id: int) -> Copy:
    """A new draft copy for a linked dossier person, with every automatic redaction.
    Earlier drafts of the same link are withdrawn."""
    req = _load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="request", object_id=req.id, subject_ref=reference)
    if not casework.identity_verified(req):
        raise CopyError("identity_not_verified")
    if not _wants_copy(req):
        raise CopyError("no_copy_right")
    link = db.session.get(DossierLink, link_id)
    if link is None or link.request_id != req.id:
        raise CopyError("link_not_found")
    planned = plan(link.dossier, link.person, requester_is_subject=_requester_is_subject(req),
                   readers=_readers(req, link), joint=req.joint,
                   requester_ref=link.requester_person.person_id if link.requester_person else None,
                   detect=False)
    for old in db.session.execute(db.select(Copy).filter_by(link_id=link.id)).scalars():
        if old.status != Copy.RELEASED and old.status != Copy.WITHDRAWN:
            old.status = Copy.WITHDRAWN
    copy = Copy(request_id=req.id, link_id=link.id, dossier_hash=link.dossier.content_hash,
                created_by=actor.staff_id, detector_state="pending")
    db.session.add(copy)
    for pos, pe in enumerate(planned):
        copy.entries.append(CopyEntry(entry_pk=pe.entry.id, position=pos))
        for r in pe.redactions:
            copy.redactions.append(CopyRedaction(entry_pk=pe.entry.id, field=r.field, start=r.start, end=r.end,
                                                 ground=r.ground, origin=r.origin, kind=r.kind, person_ref=r.person_ref))
        for att in pe.entry.attachments:
            copy.attachments.append(CopyAttachment(attachment_pk=att.id))
    _event(req, "copy_prepared", "caseworker", public=False)
    _log(actor, "copy.create", req, reason=f"request {req.reference}: {len(planned)} entries")
    db.session.commit()
    _enqueue_detection(copy.id)
    return copy


def _enqueue_detection(copy_id: int) -> None:
    from ..infra import jobs

    jobs.detect_in_copy(copy_id)


def run_detection(copy_id: int) -> int:
    """The free-text detector pass over a copy (background job). Adds ``detector``
    redactions, applied by default; returns how many."""
    copy = db.session.get(Copy, copy_id)
    if copy is None or copy.status == Copy.WITHDRAWN:
        return 0
    persons = [person_value(p) for p in copy.link.dossier.persons]
    subject_ref = copy.link.person.person_id
    added = 0
    try:
        for ce in copy.entries:
            for field in FIELDS:
                text = (ce.entry.title or "") if field == "title" else ce.entry.text
                if not text:
                    continue
                existing = [R.Span(r.start, r.end, r.person_ref or "", r.kind, r.ground)
                            for r in copy.redactions if r.entry_pk == ce.entry_pk and r.field == field]
                for s in _merged(detector_spans(text, persons, subject_ref, existing)):
                    copy.redactions.append(CopyRedaction(entry_pk=ce.entry_pk, field=field, start=s.start, end=s.end,
                                                         ground=s.ground, origin=CopyRedaction.DETECTOR, kind=s.kind))
                    added += 1
        copy.detector_state = "done"
        if added:
            copy.version += 1
    except Exception:  # noqa: BLE001 - the worker must record the failure, not lose it
        db.session.rollback()
        copy = db.session.get(Copy, copy_id)
        copy.detector_state = "failed"
        log.exception("detector pass failed for copy %s", copy_id)
    db.session.commit()
    return added


# --- 3. the workbench ----------------------------------------------------------------------

def _editable(actor: Actor, reference: str, copy_id: int) -> tuple[Request, Copy]:
    req = _load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = _copy(req, copy_id)
    if copy.status in (Copy.RELEASED, Copy.WITHDRAWN):
        raise CopyError("copy_closed")
    return req, copy


def _changed(copy: Copy) -> None:
    """What the copy holds changed: any rendering, review or signature is for an older
    version now."""
    copy.version += 1
    copy.status = Copy.DRAFT
    copy.reviewed_by = copy.reviewed_at = copy.signed_by = copy.signed_at = None


def _reasons(text: str | None) -> str:
    text = (text or "").strip()
    if len(text) < REASONS_MIN:
        raise CopyError("reasons_required")
    if len(text) > REASONS_MAX:
        raise CopyError("reasons_too_long")
    return text


def _redaction(copy: Copy, redaction_id: int) -> CopyRedaction:
    r = next((r for r in copy.redactions if r.id == redaction_id), None)
    if r is None:
        raise CopyError("redaction_not_found")
    return r


def lift(actor: Actor, reference: str, copy_id: int, redaction_id: int, reason: str) -> CopyRedaction:
    """Show a redacted part after all, with a reason (logged; the reporter's or a
    protected address's needs a team leader's signature before release)."""
    req, copy = _editable(actor, reference, copy_id)
    r = _redaction(copy, redaction_id)
    reason = _reasons(reason)
    if r.state == CopyRedaction.LIFTED:
        raise CopyError("already_lifted")
    r.state, r.reason, r.decided_by, r.decided_at = CopyRedaction.LIFTED, reason, actor.staff_id, utcnow()
    _changed(copy)
    _log(actor, "copy.redaction.lift", req, copy, reason=f"redaction {r.id} ground {r.ground} origin {r.origin}")
    db.session.commit()
    return r


def confirm(actor: Actor, reference: str, copy_id: int, redaction_id: int) -> CopyRedaction:
    req, copy = _editable(actor, reference, copy_id)
    r = _redaction(copy, redaction_id)
    if r.state == CopyRedaction.LIFTED:
        copy.version += 1  # re-applying changes the text
        copy.status = Copy.DRAFT
    r.state, r.decided_by, r.decided_at = CopyRedaction.CONFIRMED, actor.staff_id, utcnow()
    _log(actor, "copy.redaction.confirm", req, copy, reason=f"redaction {r.id}")
    db.session.commit()
    return r


def _field_text(entry: DossierEntry, field: str) -> str:
    if field not in FIELDS:
        raise CopyError("bad_field")
    return (entry.title or "") if field == "title" else entry.text


def _copy_entry(copy: Copy, entry_pk: int) -> CopyEntry:
    ce = next((c for c in copy.entries if c.entry_pk == entry_pk), None)
    if ce is None:
        raise CopyError("entry_not_in_copy")
    return ce


def add_redaction(actor: Actor, reference: str, copy_id: int, *, entry_pk: int, field: str, ground: str,
                  reason: str, phrase: str | None = None, start: int | None = None, end: int | None = None,
                  everywhere: bool = False) -> list[CopyRedaction]:
    """Redact a selection by hand: a range (start, end) of one field, or every
    occurrence of a phrase in that field (``everywhere``: in every entry of the copy)."""
    req, copy = _editable(actor, reference, copy_id)
    if ground not in STAFF_GROUNDS:
        raise CopyError("bad_ground")
    reason = _reasons(reason)
    ce = _copy_entry(copy, entry_pk)
    spans: list[tuple[int, int, int, str]] = []  # (entry_pk, start, end, field)
    if phrase is not None and phrase.strip():
        phrase = phrase.strip()
        if len(phrase) > PHRASE_MAX:
            raise CopyError("phrase_too_long")
        words = R.fold(phrase).split()
        pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
        targets = copy.entries if everywhere else [ce]
        for target in targets:
            fields = FIELDS if everywhere else (field,)
            for f in fields:
                text = _field_text(target.entry, f)
                for m in re.finditer(pattern, R.fold(text)):
                    spans.append((target.entry_pk, m.start(), m.end(), f))
        if not spans:
            raise CopyError("phrase_not_found")
    else:
        text = _field_text(ce.entry, field)
        if start is None or end is None or not (0 <= start < end <= len(text)):
            raise CopyError("bad_range")
        spans.append((entry_pk, start, end, field))
    added = []
    for epk, s, e, f in spans:
        r = CopyRedaction(entry_pk=epk, field=f, start=s, end=e, ground=ground, origin=CopyRedaction.STAFF,
                          kind="selection", state=CopyRedaction.CONFIRMED, reason=reason,
                          decided_by=actor.staff_id, decided_at=utcnow())
        copy.redactions.append(r)
        added.append(r)
    _changed(copy)
    _log(actor, "copy.redaction.add", req, copy, reason=f"{len(added)} redaction(s) ground {ground}")
    db.session.commit()
    return added


def withhold_entry(actor: Actor, reference: str, copy_id: int, entry_pk: int, ground: str, reasons: str) -> CopyEntry:
    """Leave a whole entry out (art. 14.2): a restriction a team leader signs."""
    req, copy = _editable(actor, reference, copy_id)
    if ground not in WITHHOLD_GROUNDS:
        raise CopyError("bad_ground")
    reasons = _reasons(reasons)
    ce = _copy_entry(copy, entry_pk)
    ce.withheld, ce.withheld_ground, ce.withheld_reasons, ce.withheld_by = True, ground, reasons, actor.staff_id
    _changed(copy)
    _log(actor, "copy.entry.withhold", req, copy, reason=f"entry {ce.entry.entry_id} ground {ground}")
    db.session.commit()
    return ce


def restore_entry(actor: Actor, reference: str, copy_id: int, entry_pk: int) -> CopyEntry:
    req, copy = _editable(actor, reference, copy_id)
    ce = _copy_entry(copy, entry_pk)
    if not ce.withheld:
        raise CopyError("not_withheld")
    ce.withheld, ce.withheld_ground, ce.withheld_reasons, ce.withheld_by = False, None, None, None
    _changed(copy)
    _log(actor, "copy.entry.restore", req, copy, reason=f"entry {ce.entry.entry_id}")
    db.session.commit()
    return ce


def _copy_attachment(copy: Copy, ca_id: int) -> CopyAttachment:
    ca = next((a for a in copy.attachments if a.id == ca_id), None)
    if ca is None:
        raise CopyError("attachment_not_found")
    return ca


def other_persons_strings(copy: Copy) -> list[str]:
    """Every identifier string of every person but the copy's own, to look for in an
    attachment (the reporter's always; the protected whereabouts when others read)."""
    out: list[str] = []
    me = copy.link.person.person_id
    for p in copy.link.dossier.persons:
        if p.person_id == me and p.role != "reporter":
            continue
        out += [f"{p.given_names} {p.family_name}", p.family_name] + [g for g in p.given_names.split() if len(g) > 1]
        for a in p.addresses:
            out += [f"{a.get('street', '')} {a.get('number', '')}".strip(), a.get("postcode", "")]
        out += list(p.phones) + list(p.emails) + ([p.bsn] if p.bsn else []) + ([p.organisation] if p.organisation else [])
        if p.birth_date:
            out.append(p.birth_date.strftime("%d-%m-%Y"))
    return [s for s in dict.fromkeys(x.strip() for x in out) if len(s) >= 2]


def open_attachment(actor: Actor, reference: str, copy_id: int, copy_attachment_id: int, *,
                    redacted: bool) -> tuple[bytes, str]:
    """An attachment of a copy for the caseworker: the original (to see what must go) or
    the redacted PDF the copy will hold. Logged."""
    req = _load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = _copy(req, copy_id)
    ca = _copy_attachment(copy, copy_attachment_id)
    vault = current_app.extensions["vault"]
    if redacted:
        if ca.state != CopyAttachment.REDACTED or ca.redacted_ciphertext is None:
            raise CopyError("not_redacted")
        data, media_type = vault.decrypt(ca.redacted_ciphertext), "application/pdf"
    else:
        data, media_type = vault.decrypt(ca.attachment.ciphertext), ca.attachment.media_type
    _log(actor, "copy.attachment.open", req, copy, reason=f"attachment {ca.id} {'redacted' if redacted else 'original'}")
    db.session.commit()
    return data, media_type


def review_attachment(actor: Actor, reference: str, copy_id: int, copy_attachment_id: int, *, decision: str,
                      ground: str | None = None, reasons: str | None = None,
                      boxes: Sequence[dict] = (), extra_phrases: Sequence[str] = ()) -> CopyAttachment:
    """Decide on one attachment: ``withhold`` it (a restriction: a team leader signs), or
    ``redact`` it: every page becomes pixels, every known identifier of another person
    (found in the text layer and by OCR) and every box drawn by staff blacked out."""
    req, copy = _editable(actor, reference, copy_id)
    ca = _copy_attachment(copy, copy_attachment_id)
    if decision == "withhold":
        if ground not in WITHHOLD_GROUNDS:
            raise CopyError("bad_ground")
        ca.state, ca.ground, ca.reasons = CopyAttachment.WITHHELD, ground, _reasons(reasons)
        ca.redacted_ciphertext = None
    elif decision == "redact":
        from ..documents import attachment_redaction as AR

        vault = current_app.extensions["vault"]
        att = ca.attachment
        data = vault.decrypt(att.ciphertext)
        try:
            staff_boxes = [AR.Box(int(b["page"]), float(b["x0"]), float(b["y0"]), float(b["x1"]), float(b["y1"]))
                           for b in boxes]
        except (KeyError, TypeError, ValueError) as exc:
            raise CopyError("bad_box") from exc
        needles = other_persons_strings(copy) + [p.strip() for p in extra_phrases if p and p.strip()]
        try:
            found = AR.text_boxes(data, att.media_type, needles)
            pdf = AR.redact(data, att.media_type, list(found) + staff_boxes)
        except AR.AttachmentError as exc:
            raise CopyError("attachment_unreadable") from exc
        ca.state, ca.ground, ca.reasons = CopyAttachment.REDACTED, None, (reasons or "").strip() or None
        ca.boxes_json = json.dumps([b.__dict__ for b in staff_boxes])
        ca.redacted_ciphertext = vault.encrypt(pdf)
    else:
        raise CopyError("bad_decision")
    ca.reviewed_by, ca.reviewed_at = actor.staff_id, utcnow()
    _changed(copy)
    _log(actor, f"copy.attachment.{decision}", req, copy, reason=f"attachment {ca.id}")
    db.session.commit()
    return ca


# --- 4. rendering ----------------------------------------------------------------------------

def request_render(actor: Actor, reference: str, copy_id: int) -> Copy:
    """Ask the job queue for the PDF of the copy as it is now (a draft: "CONCEPT")."""
    req, copy = _editable(actor, reference, copy_id)
    if is_stale(copy):
        raise CopyError("copy_stale")  # redaction offsets belong to the older text
    if copy.render_state in ("queued", "rendering"):
        raise CopyError("already_rendering")
    copy.render_state, copy.render_progress, copy.render_error = "queued", 0, None
    _log(actor, "copy.render", req, copy)
    db.session.commit()
    from ..infra import jobs

    jobs.render_copy(copy.id, copy.version)
    return copy


def render(copy: Copy, *, progress: Callable[[int], None] | None = None) -> bytes:
    """The PDF of a stored copy: the document, then the redacted attachments merged."""
    from ..documents.copy_pdf import render_copy_pdf

    progress = progress or (lambda pct: None)
    progress(10)
    doc = document_for(copy, draft=copy.status != Copy.RELEASED)
    progress(30)
    pdf = render_copy_pdf(doc)
    progress(80)
    parts = [current_app.extensions["vault"].decrypt(a.redacted_ciphertext)
             for a in copy.attachments if a.state == CopyAttachment.REDACTED and a.redacted_ciphertext]
    if parts:
        from ..documents.attachment_redaction import merge_pdfs

        pdf = merge_pdfs([pdf, *parts])
    progress(95)
    return pdf


def run_render(copy_id: int, version: int) -> None:
    """Background job: render the copy as it is at ``version`` and keep it encrypted."""
    copy = db.session.get(Copy, copy_id)
    if copy is None:
        return
    if copy.version != version:
        copy.render_state = "idle"  # changed since: a new render will be asked
        db.session.commit()
        return
    copy.render_state, copy.render_progress = "rendering", 5
    db.session.commit()

    def progress(pct: int) -> None:
        db.session.execute(db.update(Copy).where(Copy.id == copy_id).values(render_progress=pct))
        db.session.commit()

    try:
        pdf = render(copy, progress=progress)
    except Exception:  # noqa: BLE001 - recorded for the caseworker, logged without content
        db.session.rollback()
        log.exception("rendering copy %s failed", copy_id)
        db.session.execute(db.update(Copy).where(Copy.id == copy_id).values(render_state="failed",
                                                                           render_error="render_failed"))
        db.session.commit()
        return
    pages, text = pdf_text(pdf)
    copy = db.session.get(Copy, copy_id)
    hits = final_gate(copy, text)
    if hits and copy.status == Copy.RELEASED:
        # The final file would show the reporter or a protected address: it is not kept
        # and cannot be downloaded; the caseworker sees why.
        log.error("final gate stopped the released copy %s: %d hit(s)", copy_id, len(hits))
        copy.render_state, copy.render_error, copy.render_progress = "failed", f"final_gate:{len(hits)}", 0
        db.session.commit()
        return
    copy.pdf_ciphertext = current_app.extensions["vault"].encrypt(pdf)
    copy.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    copy.pdf_pages = pages
    copy.rendered_version, copy.rendered_at = version, utcnow()
    copy.render_error = f"final_gate:{len(hits)}" if hits else None
    copy.render_state, copy.render_progress = "done", 100
    db.session.commit()


def pdf_text(pdf: bytes) -> tuple[int, str]:
    """(pages, text) of a rendered copy, read back with pdfium (as a reader would)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return len(doc), "\n".join(texts)
    finally:
        doc.close()


def final_gate(copy: Copy, text: str) -> list[R.Span]:
    """The last wall (docs/threat-model.md, T9): the rendered file's own text searched
    for every identifier of the reporter and for protected whereabouts that the copy's
    reader may not see. A hit stops the review and the release, unless a team leader
    signs a lift of exactly such a redaction (then the hit is what they signed)."""
    if any(r.state == CopyRedaction.LIFTED and r.ground in SENSITIVE_LIFT_GROUNDS for r in copy.redactions):
        return []
    req = db.session.get(Request, copy.request_id)
    persons = [person_value(p) for p in copy.link.dossier.persons]
    spans = R.find_known_identifiers(text, persons, copy_for=copy.link.person.person_id,
                                     readers=_readers(req, copy.link))
    return [s for s in spans if s.ground in (R.REPORTER_PROTECTION, R.SAFETY)]


# --- 5. review, sign, release ------------------------------------------------------------------

def restrictions(copy: Copy) -> list[str]:
    """What in this copy a team leader must sign (art. 14.2, 20.4), as codes."""
    out = []
    if any(ce.withheld for ce in copy.entries):
        out.append("entry_withheld")
    if any(a.state == CopyAttachment.WITHHELD for a in copy.attachments):
        out.append("attachment_withheld")
    if any(r.origin == CopyRedaction.STAFF and r.ground in RESTRICTION_GROUNDS and r.state != CopyRedaction.LIFTED
           for r in copy.redactions):
        out.append("restriction_ground")
    if any(r.state == CopyRedaction.LIFTED and r.ground in SENSITIVE_LIFT_GROUNDS for r in copy.redactions):
        out.append("sensitive_lift")
    return out


def needs_signature(copy: Copy) -> bool:
    return bool(restrictions(copy))


def view_copy(actor: Actor, reference: str, copy_id: int) -> tuple[Request, Copy]:
    """Open a copy on the workbench: a read of personal data (the original text behind
    every redaction), logged."""
    req = _load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = _copy(req, copy_id)
    _log(actor, "copy.view", req, copy)
    db.session.commit()
    return req, copy


def rendered_current(copy: Copy) -> bool:
    """The stored PDF is of the copy's current version."""
    return _rendered_current(copy)


def _rendered_current(copy: Copy) -> bool:
    return copy.render_state == "done" and copy.rendered_version == copy.version and copy.pdf_sha256 is not None


def mark_reviewed(actor: Actor, reference: str, copy_id: int) -> Copy:
    req, copy = _editable(actor, reference, copy_id)
    if is_stale(copy):
        raise CopyError("copy_stale")
    if any(a.state == CopyAttachment.UNREVIEWED for a in copy.attachments):
        raise CopyError("attachments_unreviewed")
    if copy.detector_state == "pending":
        raise CopyError("detector_pending")
    if not _rendered_current(copy):
        raise CopyError("not_rendered")
    if (copy.render_error or "").startswith("final_gate"):
        raise CopyError("final_gate")
    copy.status, copy.reviewed_by, copy.reviewed_at = Copy.REVIEWED, actor.staff_id, utcnow()
    _log(actor, "copy.review", req, copy)
    db.session.commit()
    return copy


def sign(actor: Actor, reference: str, copy_id: int) -> Copy:
    """A team leader signs what the copy withholds (art. 14.2, 20.4): not the person who
    prepared or reviewed it."""
    req = _load(reference)
    authz.require(actor, Permission.DECISION_SIGN, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = _copy(req, copy_id)
    if copy.status != Copy.REVIEWED:
        raise CopyError("not_reviewed")
    if not needs_signature(copy):
        raise CopyError("nothing_to_sign")
    if actor.staff_id in (copy.reviewed_by, copy.created_by):
        raise CopyError("four_eyes")
    if is_stale(copy) or not _rendered_current(copy):
        raise CopyError("copy_stale")
    copy.status, copy.signed_by, copy.signed_at = Copy.SIGNED, actor.staff_id, utcnow()
    _log(actor, "copy.sign", req, copy, reason=",".join(restrictions(copy)))
    db.session.commit()
    return copy


def release(actor: Actor, reference: str, copy_id: int) -> Copy:
    """Release the copy to the requester: reviewed, signed where needed, current."""
    from ..models import CopyDelivery

    req, copy = _editable(actor, reference, copy_id)
    if copy.status == Copy.DRAFT:
        raise CopyError("not_reviewed")
    if needs_signature(copy) and copy.status != Copy.SIGNED:
        raise CopyError("not_signed")
    if is_stale(copy) or not _rendered_current(copy):
        raise CopyError("copy_stale")
    # The released PDF is the final one, without "CONCEPT": rendered again by the job
    # queue from the same version (a big copy never blocks a web worker). Until it is
    # done the status page says the copy is being prepared.
    copy.status = Copy.RELEASED
    copy.render_state, copy.render_progress, copy.rendered_version = "queued", 0, None
    copy.released_by, copy.released_at = actor.staff_id, utcnow()
    for party in casework.taking_part(req):
        copy.deliveries.append(CopyDelivery(party_id=party.id, method=CopyDelivery.DOWNLOAD, created_by=actor.staff_id,
                                            expires_at=utcnow() + timedelta(days=DOWNLOAD_DAYS),
                                            downloads_left=DOWNLOADS_ALLOWED))
    _event(req, "copy_released", "caseworker")
    _log(actor, "copy.release", req, copy)
    db.session.commit()
    from ..infra import jobs

    jobs.render_copy(copy.id, copy.version)
    _notify_released(req)
    return copy


def _notify_released(req: Request) -> None:
    """A neutral e-mail that there is news, where e-mail is safe (no content)."""
    from .decisions import _notice_addresses, _notify

    _notify(_notice_addresses(req), req.language or "nl")


def open_pdf_for_staff(actor: Actor, reference: str, copy_id: int) -> bytes:
    req = _load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = _copy(req, copy_id)
    if copy.pdf_ciphertext is None:
        raise CopyError("not_rendered")
    _log(actor, "copy.pdf.open", req, copy)
    db.session.commit()
    return current_app.extensions["vault"].decrypt(copy.pdf_ciphertext)


# --- the CLI's draft: same plan, same document, same renderer ------------------------------------

def draft_pdf(dossier_id: str, person_id: str, *, language: str = "nl") -> bytes:
    """The automatically redacted draft for one subject of an imported dossier (``flask
    afschrift draft``): the plan of ``create_copy`` with the detector, the document and
    the renderer of the back office. Attachments are not in it (unreviewed: withheld)."""
    from ..documents.copy_pdf import render_copy_pdf

    dossier = db.session.execute(db.select(Dossier).filter_by(dossier_id=dossier_id)).scalar_one_or_none()
    if dossier is None:
        raise CopyError("dossier_not_found")
    person = next((p for p in dossier.persons if p.person_id == person_id), None)
    if person is None:
        raise CopyError("person_not_found")
    if person.role != "subject":
        raise CopyError("not_a_subject")
    planned = plan(dossier, person, requester_is_subject=True)
    today = today_local()
    doc = document_from_plan(planned, language=language, reference=dossier.dossier_id,
                             recipient_name=f"{person.given_names} {person.family_name}",
                             subject_name=f"{person.given_names} {person.family_name}", on_behalf=False,
                             received_on=today, made_on=today, draft=True)
    audit.record("copy.draft.cli", actor="cli", actor_role="operator", object_type="dossier", object_id=dossier.id,
                 reason=f"dossier {dossier.dossier_id} person {person.person_id}")
    db.session.commit()
    return render_copy_pdf(doc)


# --- 6. delivery: the status page, after a second proof and a one-time code ----------------
#
# Issue #4: "on the status page, after the requester proves again that it is them (the
# e-mailed link or passphrase plus a one-time code), as a download that expires and can
# be fetched a limited number of times; every download logged; or collected in person".
# How it reads here: the status page is open (an e-mailed link or reference plus
# passphrase). To download, the person proves again: whoever has a passphrase types it
# again; and a one-time code is needed on top, which goes to the confirmed, safe e-mail
# address, or, for someone without safe e-mail, which the caseworker gives by phone
# (``new_code``). A code works once, for 15 minutes, with 5 tries.

CODE_MINUTES = 15
CODE_TRIES = 5


@dataclass(frozen=True)
class DeliveryView:
    id: int
    expires_at: object
    downloads_left: int
    ready: bool  # the final PDF is rendered
    by_email: bool  # a code can be sent by e-mail
    needs_passphrase: bool


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def _new_code(delivery) -> str:
    import secrets

    code = f"{secrets.randbelow(10**8):08d}"
    delivery.code_hash = _hasher().hash(code)
    delivery.code_expires_at = utcnow() + timedelta(minutes=CODE_MINUTES)
    delivery.code_tries = 0
    return code


def _final_ready(copy: Copy) -> bool:
    return copy.status == Copy.RELEASED and _rendered_current(copy)


def _party_of(req: Request, party_id: int) -> Party | None:
    return next((p for p in req.parties if p.id == party_id), None)


def _email_safe(party: Party | None) -> bool:
    return bool(party and party.email and party.email_ok and party.email_confirmed_at)


def deliveries_for(reference: str, party_id: int) -> list[DeliveryView]:
    """The released copies this person can fetch (for the status page)."""
    from ..models import CopyDelivery

    req = load_request(reference, CopyError)
    party = _party_of(req, party_id)
    rows = db.session.execute(
        db.select(CopyDelivery).join(Copy).where(Copy.request_id == req.id, Copy.status == Copy.RELEASED,
                                                 CopyDelivery.party_id == party_id,
                                                 CopyDelivery.method == CopyDelivery.DOWNLOAD)
        .order_by(CopyDelivery.id)).scalars().all()
    now = utcnow()
    return [DeliveryView(d.id, d.expires_at, d.downloads_left, _final_ready(d.copy), _email_safe(party),
                         bool(req.passphrase_hash))
            for d in rows if d.expires_at and d.expires_at > now and d.downloads_left > 0]


def _delivery(req: Request, party_id: int, delivery_id: int):
    from ..models import CopyDelivery

    d = db.session.get(CopyDelivery, delivery_id)
    if d is None or d.party_id != party_id or d.copy.request_id != req.id or d.copy.status != Copy.RELEASED:
        raise CopyError("delivery_not_found")
    if d.expires_at is None or d.expires_at <= utcnow() or d.downloads_left <= 0:
        raise CopyError("delivery_expired")
    return d


def send_code(reference: str, party_id: int, delivery_id: int) -> None:
    """E-mail a fresh one-time code to the person's confirmed, safe address."""
    from ..infra import mail

    req = load_request(reference, CopyError)
    d = _delivery(req, party_id, delivery_id)
    party = _party_of(req, party_id)
    if not _email_safe(party):
        raise CopyError("no_safe_email")
    code = _new_code(d)
    audit.record("copy.code.sent", actor=party.role, actor_role="public", object_type="copy", object_id=d.copy_id,
                 subject_ref=req.reference, reason="one-time code by e-mail")
    db.session.commit()
    mail.send(party.email, "copy_code", req.language or "nl", code=code)


def new_code(actor: Actor, reference: str, copy_id: int, delivery_id: int) -> str:
    """A fresh one-time code for the caseworker to give by phone (someone without safe
    e-mail). Shown once; only its hash is kept."""
    req = _load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = _copy(req, copy_id)
    d = next((x for x in copy.deliveries if x.id == delivery_id), None)
    if d is None or copy.status != Copy.RELEASED:
        raise CopyError("delivery_not_found")
    code = _new_code(d)
    _log(actor, "copy.code.issued", req, copy, reason=f"delivery {d.id}")
    db.session.commit()
    return code


def download(reference: str, party_id: int, delivery_id: int, *, code: str, passphrase: str | None = None) -> bytes:
    """The released copy for the person of this status page, after the second proof.
    Wrong code or passphrase: a try is used; the code is spent once it worked."""
    from argon2.exceptions import InvalidHashError, VerificationError

    req = load_request(reference, CopyError)
    d = _delivery(req, party_id, delivery_id)
    party = _party_of(req, party_id)
    if not _final_ready(d.copy):
        raise CopyError("not_ready")

    def refuse(code_: str, *, counts: bool = True) -> CopyError:
        if counts:
            d.code_tries += 1
        audit.record("copy.download", actor=party.role, actor_role="public", object_type="copy", object_id=d.copy_id,
                     subject_ref=req.reference, reason=code_, outcome="denied")
        db.session.commit()
        return CopyError(code_)

    if d.code_hash is None or d.code_expires_at is None or d.code_expires_at <= utcnow():
        raise refuse("code_expired", counts=False)
    if d.code_tries >= CODE_TRIES:
        raise refuse("code_locked", counts=False)
    if req.passphrase_hash:
        phrase = " ".join((passphrase or "").lower().split())
        try:
            _hasher().verify(req.passphrase_hash, phrase)
        except (VerificationError, InvalidHashError):
            raise refuse("passphrase_wrong") from None
    try:
        _hasher().verify(d.code_hash, "".join((code or "").split()))
    except (VerificationError, InvalidHashError):
        raise refuse("code_wrong") from None
    d.code_hash = d.code_expires_at = None  # one time
    d.downloads += 1
    d.downloads_left -= 1
    data = current_app.extensions["vault"].decrypt(d.copy.pdf_ciphertext)
    audit.record("copy.download", actor=party.role, actor_role="public", object_type="copy", object_id=d.copy_id,
                 subject_ref=req.reference, reason=f"delivery {d.id}")
    _event(req, "copy_downloaded", party.role)
    db.session.commit()
    return data


def record_handover(actor: Actor, reference: str, copy_id: int, party_id: int, note: str | None = None):
    """The copy was handed over in person (after the ID was shown at the desk): recorded."""
    from ..models import CopyDelivery

    req = _load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = _copy(req, copy_id)
    if copy.status != Copy.RELEASED:
        raise CopyError("not_released")
    if _party_of(req, party_id) is None:
        raise CopyError("not_a_party")
    note = (note or "").strip()
    if len(note) > 500:
        raise CopyError("note_too_long")
    d = CopyDelivery(party_id=party_id, method=CopyDelivery.IN_PERSON, created_by=actor.staff_id,
                     handed_over_at=utcnow(), note=note or None, downloads_left=0)
    copy.deliveries.append(d)
    _event(req, "copy_handed_over", "caseworker")
    _log(actor, "copy.handover", req, copy, reason=f"party {party_id}")
    db.session.commit()
    return d
