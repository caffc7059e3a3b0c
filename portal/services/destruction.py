"""Destruction (art. 17) and erasure (art. 18) of dossier data, and the retention of a
dossier (art. 9) of the Privacyreglement Veilig Thuis.

The weighing (``RightAssessment``, one per right of a request):

- Destruction (vernietiging, art. 17): the answer is due in four weeks (art. 17.2,
  ``RequestedRight.due_on``); the destruction itself within three months of receipt
  (art. 17.4, ``execute_by`` = ``rules.deadlines.destruction_due``). A request whose
  linked dossier's outcome is ``refuted`` must be granted (art. 17.3). Otherwise it may
  be refused only because keeping the data is of substantial interest to someone other
  than the requester (art. 17.4): the assessment names that person and why
  (``record_interest``), and a team leader signs the refusal like every decision.
- Erasure (gegevenswissing, art. 18): the grounds a-e of art. 18.2 as the requester
  gave them (``claimed_json``, copied from the request) and as the caseworker weighs
  them (``weighed_json``), and the exceptions of AVG 17(3) as a checklist
  (``exceptions_json``); answered without undue delay, at the latest in four weeks.

``check_decision`` is what portal/services/decisions.py asks before it stores or signs
a decision on either right, so that no face can bypass art. 17.3, 17.4 and 18.3.

Carrying it out (``execute``, after the decision is signed), per linked dossier, in one
transaction (a failure changes nothing):

- The entries concerned: those whose ``concerns`` include the subject, and those the
  subject is the source of (a grant in part: the entries the caseworker selects).
  * An entry about the subject alone is destroyed (the row, its attachments and every
    copy of it) or, with method "anonymise" (art. 9.3), kept as an empty shell: date,
    kind and nature, text "[geanonimiseerd]", no title, author, source, concerns or
    attachments.
  * An entry that also concerns others is theirs too (art. 13: the rights of one
    person may not harm another's). It stays, with the subject taken out: every
    identifier the dossier gives for the subject (names, addresses, phone numbers,
    e-mail, BSN, birth date; ``rules.redaction``) is replaced by "[verwijderd]", the
    subject leaves ``concerns`` and ``source_person``. Its attachments are removed
    from the portal (pixels cannot be anonymised here; the registration system does
    that and its next export brings them back).
  * A full grant also takes the subject's identifiers out of every other entry of the
    dossier that names them, removes the subject's own statements (art. 16), and
    anonymises the dossier person itself (the row stays so that the request's link
    keeps pointing somewhere; every identifier is gone).
- The portal's own copies of that data: every copy (afschrift) holding a changed
  entry, and every copy made for the subject, loses its PDF, its redaction rows for
  those entries, its redacted attachments, and is withdrawn (a new copy can be made);
  the texts of earlier corrections and the payloads of earlier instructions for those
  entries are cleared the same way.
- A ``RegistrationInstruction`` for the registration system: kind "destroy" or
  "anonymise" (art. 17), "erase" (art. 18); ids only (docs/registration-instructions.md),
  and a ``NotificationTask`` per recipient the changed entries were shared with (AVG 19).
  Someone at the registration system carries it out; a caseworker records by whom and
  when (``confirm_execution``); when every instruction is confirmed, the requester is
  told on the status page (and by a neutral e-mail where e-mail is safe).
- The access log records that it happened: ids and counts, never a text.

The request's own records (the requester's name as they typed it, messages, letters)
are not dossier data: they follow the portal's own retention (portal/services/purge.py).

What is deleted or overwritten leaves no trace in a SQLite file (``PRAGMA
secure_delete``, portal/infra/extensions.py). PostgreSQL keeps old row versions in its data
files until VACUUM reclaims them (and the WAL until it is recycled): the database runs
on an encrypted volume with autovacuum on, and nothing of it is readable through SQL
once the transaction commits (tests/backoffice/test_art17_destruction.py checks both).

Retention (art. 9): ``retention_of`` (rules/retention.py with the dossier's household
and the team leaders' extensions) and ``extend_retention`` (art. 9.2, team leader).

The art. 17.3 letter: ``outcome_letter`` writes the letter that tells a person of a
dossier whose report was refuted the outcome and their right to ask for destruction
(``flask dossier outcome-letter``).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from ..infra.extensions import db
from ..models import (Copy, CopyAttachment, CopyEntry, CopyRedaction, CorrectionItem, Decision, Dossier,
                      DossierEntry, DossierLink, DossierPerson, EntryAmendment, Message,
                      OwnStatement, RegistrationInstruction, Request, RequestedRight, RetentionExtension,
                      RightAssessment, correction_item_entries, own_statement_entries, utcnow)
from ..rules import deadlines
from ..rules import grounds as G
from ..rules import redaction as R
from ..rules import retention as RT
from ..rules.permissions import Permission
from ..rules.rights import Right
from ..rules.status import BEFORE_QUEUE, RequestStatus
from . import audit, authz, casework, instructions
from .authz import Actor
from .errors import DomainError, load_request

DESTRUCTION = Right.DESTRUCTION.value
ERASURE = Right.ERASURE.value
RIGHTS = (DESTRUCTION, ERASURE)
REFUTED = "refuted"

DESTROY, ANONYMISE = "destroy", "anonymise"
METHODS = (DESTROY, ANONYMISE)  # art. 9.3: a certified company, or anonymisation
KIND_FOR = {DESTRUCTION: {DESTROY: "destroy", ANONYMISE: "anonymise"}, ERASURE: {DESTROY: "erase", ANONYMISE: "erase"}}
KINDS_OF = {DESTRUCTION: ("destroy", "anonymise"), ERASURE: ("erase",)}

#: What replaces an identifier of the subject in an entry that stays (it is also about others).
REMOVED = "[verwijderd]"
#: The text of an entry anonymised as a whole (method "anonymise").
ANONYMISED = "[geanonimiseerd]"

NAME_MAX = 200
REASONS_MAX = 10000
NOTE_MAX = 2000
EXCEPTION_NOTE_MIN = 10
YEARS_AHEAD_MAX = 100

# --- art. 18.2 grounds and AVG 17(3) exceptions (pure data, both languages) ------------------

#: Art. 18.2 a-e, the codes of portal/public/forms.ERASURE_GROUNDS (the requester's words).
ERASURE_GROUNDS: dict[str, dict[str, str]] = {
    "a": {"nl": "De gegevens zijn niet meer nodig voor het doel waarvoor ze zijn verzameld.",
          "en": "The data are no longer needed for the purpose they were collected for."},
    "b": {"nl": "De toestemming is ingetrokken en er is geen andere grond om de gegevens te gebruiken.",
          "en": "Consent was withdrawn and there is no other legal ground for using the data."},
    "c": {"nl": "Er is bezwaar gemaakt en er zijn geen zwaarder wegende redenen om de gegevens te gebruiken.",
          "en": "An objection was made and there are no overriding reasons to use the data."},
    "d": {"nl": "De gegevens zijn gebruikt terwijl dat niet mocht.",
          "en": "The data were used unlawfully."},
    "e": {"nl": "De gegevens moeten volgens de wet gewist worden.",
          "en": "The data must be erased to comply with the law."},
}
#: AVG 17(3) a-e: the processing is necessary ... (art. 18.3: then no erasure is needed).
AVG_17_3_EXCEPTIONS: dict[str, dict[str, str]] = {
    "a": {"nl": "Om de vrijheid van meningsuiting en informatie te beschermen.",
          "en": "To protect freedom of expression and information."},
    "b": {"nl": "Veilig Thuis moet de gegevens volgens de wet bewaren, of heeft ze nodig voor een taak van algemeen belang.",
          "en": "Veilig Thuis must keep the data by law, or needs them for a task in the public interest."},
    "c": {"nl": "De gegevens zijn nodig voor de volksgezondheid (algemeen belang).",
          "en": "The data are needed for public health (public interest)."},
    "d": {"nl": "De gegevens zijn nodig voor archief in het algemeen belang, voor onderzoek of voor statistiek.",
          "en": "The data are needed for archiving in the public interest, for research or for statistics."},
    "e": {"nl": "De gegevens zijn nodig om een rechtszaak te beginnen, te voeren of zich te verdedigen.",
          "en": "The data are needed to bring, conduct or defend a legal claim."},
}
CODES = ("a", "b", "c", "d", "e")
APPLIES, DOES_NOT_APPLY = "applies", "does_not_apply"
FINDINGS = (APPLIES, DOES_NOT_APPLY)


def erasure_ground_label(code: str, lang: str = "nl") -> str:
    item = ERASURE_GROUNDS.get(code)
    return (item.get(lang) or item["nl"]) if item else code


def exception_label(code: str, lang: str = "nl") -> str:
    item = AVG_17_3_EXCEPTIONS.get(code)
    return (item.get(lang) or item["nl"]) if item else code


def exception_article(code: str, lang: str = "nl") -> str:
    return f"artikel 17 lid 3 onder {code} AVG" if lang == "nl" else f"Article 17(3)({code}) GDPR"


# Error codes (stable: the faces show a sentence per code).
ART17_3_MUST_GRANT = "art17_3_refuted_must_grant"
ART17_4_INTEREST_REQUIRED = "art17_4_interest_person_required"
ART18_3_EXCEPTION_REQUIRED = "art18_3_exception_required"
DOSSIER_NOT_LINKED = "dossier_not_linked"


class DestructionError(DomainError):
    """A stable code the face turns into a sentence (backoffice/rights_destruction.py)."""


# --- reading ---------------------------------------------------------------------------------

def _load(reference: str) -> Request:
    return load_request(reference, DestructionError)


def links_of(req: Request) -> list[DossierLink]:
    from .copies import links_of as _links

    return list(_links(req))


def assessment_of(req: Request, right: str) -> RightAssessment | None:
    return db.session.execute(
        db.select(RightAssessment).filter_by(request_id=req.id, right=right)).scalar_one_or_none()


def _json(text: str | None, default):
    try:
        value = json.loads(text or "")
    except ValueError:
        return default
    return value if isinstance(value, type(default)) else default


def claimed(a: RightAssessment | None, req: Request | None = None) -> list[str]:
    """The requester's grounds a-e (art. 18.2): as recorded, else as the request has them."""
    if a is not None and a.claimed_json and a.claimed_json != "[]":
        return [c for c in _json(a.claimed_json, []) if c in CODES]
    if req is not None:
        return requested_grounds(req)
    return []


def requested_grounds(req: Request) -> list[str]:
    right = next((r for r in req.rights if r.right == ERASURE), None)
    grounds = (right.details if right else {}).get("grounds") or []
    if isinstance(grounds, str):
        grounds = [grounds]
    return [c for c in CODES if c in grounds]


def weighed(a: RightAssessment | None) -> dict[str, dict]:
    return _json(a.weighed_json, {}) if a is not None else {}


def exceptions(a: RightAssessment | None) -> dict[str, dict]:
    return _json(a.exceptions_json, {}) if a is not None else {}


def applied_exceptions(a: RightAssessment | None) -> list[str]:
    ex = exceptions(a)
    return [c for c in CODES if (ex.get(c) or {}).get("applies")]


def is_refuted(link: DossierLink) -> bool:
    return link.dossier.outcome == REFUTED


def execution_deadline(req: Request) -> deadlines.Deadline:
    """Art. 17.4: the data destroyed within three months of receipt (Atw applied)."""
    return deadlines.destruction_deadline(req.received_on)


def _asked(req: Request, right: str) -> RequestedRight | None:
    return next((r for r in req.rights if r.right == right), None)


def standing_decision(req: Request, right: str) -> Decision | None:
    return db.session.execute(
        db.select(Decision).filter_by(request_id=req.id, right=right, state=Decision.SIGNED)).scalar_one_or_none()


def instructions_for(req: Request, right: str) -> list[RegistrationInstruction]:
    return list(db.session.execute(
        db.select(RegistrationInstruction).where(RegistrationInstruction.request_id == req.id,
                                                 RegistrationInstruction.kind.in_(KINDS_OF[right]))
        .order_by(RegistrationInstruction.id)).scalars())


# --- the check decisions.py makes (art. 17.3, 17.4, 18.3) -------------------------------------

def check_decision(req: Request, right: Right | str, outcome: G.Outcome | str, grounds: Sequence[str]) -> str | None:
    """None if this decision may be proposed or signed; otherwise the error code.

    Art. 17.3: when the linked dossier's investigation refuted the report, destruction
    is granted: no refusal, no restriction. To know that, a request whose people are
    verified must be linked to the dossier before anything but a grant is decided.
    Art. 17.4: a refusal because keeping the data is of substantial interest to
    someone else names that person and why (``record_interest``).
    Art. 18.3: a refusal of erasure on the AVG 17(3) exceptions names at least one of
    them, ticked in the checklist with a note (``record_erasure``)."""
    right, outcome = Right(right), G.Outcome(outcome)
    if outcome is G.Outcome.GRANT:
        return None
    if right is Right.DESTRUCTION:
        links = links_of(req)
        if any(is_refuted(link) for link in links):
            return ART17_3_MUST_GRANT
        if not links and casework.identity_verified(req):
            return DOSSIER_NOT_LINKED
        if G.Ground.SUBSTANTIAL_INTEREST_OTHER.value in grounds:
            if not links:
                return DOSSIER_NOT_LINKED
            a = assessment_of(req, DESTRUCTION)
            if (a is None or not (a.interest_person or "").strip()
                    or len((a.interest_reasons or "").strip()) < G.MIN_REASONS):
                return ART17_4_INTEREST_REQUIRED
    if right is Right.ERASURE and G.Ground.AVG_17_3_EXCEPTIONS.value in grounds:
        if not applied_exceptions(assessment_of(req, ERASURE)):
            return ART18_3_EXCEPTION_REQUIRED
    return None


# --- retention (art. 9) --------------------------------------------------------------------------

def household(dossier: Dossier) -> list[RT.HouseholdMember]:
    """The household members the dossier names (role subject; ``household_member`` not
    false). Persons taken out by a destruction carry no birth date and are left out."""
    return [RT.HouseholdMember(p.person_id, p.birth_date) for p in dossier.persons
            if p.role == "subject" and p.household_member is not False and not _removed(p)]


def retention_extensions(dossier: Dossier) -> list[RetentionExtension]:
    return list(db.session.execute(db.select(RetentionExtension).filter_by(dossier_pk=dossier.id)
                                   .order_by(RetentionExtension.decided_at, RetentionExtension.id)).scalars())


def retention_of(dossier: Dossier) -> RT.Retention:
    exts = [RT.TeamLeaderExtension(e.until_year, e.reasons, e.decided_at.date() if e.decided_at else None, e.id)
            for e in retention_extensions(dossier)]
    return RT.retention(dossier.closed_on, household(dossier), exts)


def _link(req: Request, link_id: int) -> DossierLink:
    link = db.session.get(DossierLink, link_id)
    if link is None or link.request_id != req.id:
        raise DestructionError("link_not_found")
    return link


def extend_retention(actor: Actor, reference: str, link_id: int, until_year: int | None, reasons: str | None,
                     *, today: date | None = None) -> RetentionExtension:
    """Art. 9.2: a team leader extends the retention of the linked dossier, with written
    reasons (recorded with the dossier; on the request's timeline, not shown to the
    requester)."""
    authz.require(actor, Permission.DECISION_SIGN, object_type="request", subject_ref=reference)
    req = _load(reference)
    _check_open(req)
    link = _link(req, link_id)
    text = (reasons or "").strip()
    if len(text) < G.MIN_REASONS:
        raise DestructionError("reasons_required")
    if len(text) > REASONS_MAX:
        raise DestructionError("reasons_too_long")
    current = retention_of(link.dossier)
    if not current.running:
        raise DestructionError("dossier_not_closed")
    today = today or _today()
    if until_year is None or until_year <= current.until_year or until_year > today.year + YEARS_AHEAD_MAX:
        raise DestructionError("year_not_later")
    ext = RetentionExtension(dossier_pk=link.dossier_pk, until_year=until_year, reasons=text,
                             decided_by=actor.staff_id, decided_at=utcnow())
    db.session.add(ext)
    db.session.flush()
    _event(req, "retention_extended", actor.label, public=False)
    audit.record("retention.extend", actor=actor.label, actor_role=actor.role.value, object_type="dossier",
                 object_id=link.dossier.dossier_id, subject_ref=req.reference,
                 reason=f"dossier {link.dossier.dossier_id}: until {until_year} (extension {ext.id})")
    db.session.commit()
    return ext


# --- recording the weighing ----------------------------------------------------------------------

def _today() -> date:
    from .requests import today_local

    return today_local()


def _event(req: Request, kind: str, actor: str, public: bool = False) -> None:
    from .requests import _event as add_event

    add_event(req, kind, actor, public=public)


def _check_open(req: Request) -> None:
    if req.status_enum in BEFORE_QUEUE or req.status_enum in (RequestStatus.CLOSED, RequestStatus.WITHDRAWN):
        raise DestructionError("request_not_open")


def _for_right(actor: Actor, reference: str, right: str, permission: Permission) -> Request:
    authz.require(actor, permission, object_type="request", subject_ref=reference)
    req = _load(reference)
    if right not in RIGHTS or _asked(req, right) is None:
        raise DestructionError("right_not_asked")
    return req


def _ensure_assessment(req: Request, right: str, actor: Actor | None) -> RightAssessment:
    a = assessment_of(req, right)
    if a is None:
        a = RightAssessment(request_id=req.id, right=right,
                            claimed_json=json.dumps(requested_grounds(req) if right == ERASURE else []),
                            execute_by=execution_deadline(req).due if right == DESTRUCTION else None,
                            updated_at=utcnow(), updated_by=actor.staff_id if actor else None)
        db.session.add(a)
        db.session.flush()
    return a


def _not_executed(a: RightAssessment) -> None:
    if a.method is not None:
        raise DestructionError("already_executed")


def record_interest(actor: Actor, reference: str, person: str | None, reasons: str | None) -> RightAssessment:
    """Art. 17.4: who else has a substantial interest in keeping the data, and why.
    Both, or neither (clearing them). Not for a refuted report (art. 17.3)."""
    req = _for_right(actor, reference, DESTRUCTION, Permission.DECISION_PROPOSE)
    _check_open(req)
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
    a = _ensure_assessment(req, DESTRUCTION, actor)
    _not_executed(a)
    a.interest_person, a.interest_reasons = who or None, why or None
    a.updated_at, a.updated_by = utcnow(), actor.staff_id
    _event(req, "destruction_assessed", actor.label)
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
    req = _for_right(actor, reference, ERASURE, Permission.DECISION_PROPOSE)
    _check_open(req)
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
    a = _ensure_assessment(req, ERASURE, actor)
    _not_executed(a)
    a.weighed_json = json.dumps({c: clean_w[c] for c in CODES if c in clean_w}, ensure_ascii=False)
    a.exceptions_json = json.dumps({c: clean_x[c] for c in CODES if c in clean_x}, ensure_ascii=False)
    a.updated_at, a.updated_by = utcnow(), actor.staff_id
    _event(req, "erasure_assessed", actor.label)
    audit.record("erasure.assess", actor=actor.label, actor_role=actor.role.value, object_type="right_assessment",
                 object_id=a.id, subject_ref=req.reference,
                 reason=f"request {req.reference}: grounds weighed {','.join(clean_w) or '-'}; "
                        f"exceptions {','.join(clean_x) or '-'}")
    db.session.commit()
    return a


# --- what an execution touches ---------------------------------------------------------------------

def _removed(p: DossierPerson) -> bool:
    return p.given_names == REMOVED and p.family_name == REMOVED


def _concerns(entry: DossierEntry, person: DossierPerson) -> bool:
    return any(c.id == person.id for c in entry.concerns) or entry.source_person_pk == person.id


def _only_about(entry: DossierEntry, person: DossierPerson) -> bool:
    """The entry is about this person alone (no one else in ``concerns``)."""
    others = [c for c in entry.concerns if c.id != person.id]
    return not others and _concerns(entry, person)


def concerned_entries(link: DossierLink) -> list[DossierEntry]:
    """The entries of the subject's part of the dossier (art. 13): they concern the
    subject, or the subject is their source."""
    return [e for e in link.dossier.entries if _concerns(e, link.person)]


def _person_values(dossier: Dossier):
    from .copies import person_value

    return {p.id: person_value(p) for p in dossier.persons if not _removed(p)}


def _subject_spans(text: str | None, subject, others: Sequence) -> list[tuple[int, int]]:
    """Where ``text`` holds an identifier the dossier gives for ``subject`` (a
    ``rules.selection.Person``): spans to replace. Not the family name alone when
    another person of the dossier has the same one ("Lotte Jansen" keeps "Jansen"
    when her father asks), and not a piece of a longer identifier of someone else."""
    if not text:
        return []
    fam = R.fold(subject.family_name).split()
    namesake = next((o for o in others if R.fold(o.family_name).split() == fam), None)
    persons = [subject] + ([namesake] if namesake is not None else [])
    mine = [s for s in R.find_known_identifiers(text, persons, copy_for=namesake.id if namesake else None)
            if s.person_id == subject.id]
    if not mine:
        return []
    theirs = R.find_known_identifiers(text, list(others), copy_for=None)
    keep = [s for s in mine
            if not any(o.start <= s.start and s.end <= o.end and (o.end - o.start) > (s.end - s.start) for o in theirs)]
    return [(a, b) for a, b, _g in R.merge(keep)]


def _scrub(text: str | None, subject, others: Sequence) -> tuple[str | None, int]:
    """``text`` with the subject's identifiers replaced by "[verwijderd]", and how many."""
    spans = _subject_spans(text, subject, others) if subject is not None else []
    if not spans:
        return text, 0
    out, pos = [], 0
    for a, b in spans:
        out.append(text[pos:a])
        out.append(REMOVED)
        pos = b
    out.append(text[pos:])
    return "".join(out), len(spans)


@dataclass
class Plan:
    """What an execution does in one linked dossier (ids and counts for the page and
    the log; the rows themselves for ``execute``)."""

    link: DossierLink
    full: bool  # the whole request granted: also mentions, statements, the person row
    whole: list[DossierEntry] = field(default_factory=list)  # about the subject alone
    shared: list[DossierEntry] = field(default_factory=list)  # also about others: subject taken out
    mentions: list[DossierEntry] = field(default_factory=list)  # not about the subject, but naming them
    statements: list[OwnStatement] = field(default_factory=list)
    copies: list[Copy] = field(default_factory=list)

    @property
    def attachments(self) -> int:
        return sum(len(e.attachments) for e in self.whole + self.shared)

    @property
    def changed(self) -> list[DossierEntry]:
        return self.whole + self.shared + self.mentions


def _plan_link(link: DossierLink, *, full: bool, selected: set[int] | None) -> Plan:
    subject = link.person
    plan = Plan(link=link, full=full)
    targets = [e for e in concerned_entries(link) if full or (selected is not None and e.id in selected)]
    for e in targets:
        (plan.whole if _only_about(e, subject) else plan.shared).append(e)
    if full and not _removed(subject):
        values = _person_values(link.dossier)
        me = values.get(subject.id)
        others = [v for k, v in values.items() if k != subject.id]
        target_ids = {e.id for e in targets}
        for e in link.dossier.entries:
            if e.id in target_ids:
                continue
            if _subject_spans(e.text, me, others) or _subject_spans(e.title, me, others):
                plan.mentions.append(e)
        plan.statements = list(db.session.execute(
            db.select(OwnStatement).filter_by(dossier_pk=link.dossier_pk, person_pk=subject.id)
            .order_by(OwnStatement.id)).scalars())
    changed = [e.id for e in plan.changed]
    copy_ids: set[int] = set()
    if changed:
        copy_ids |= set(db.session.execute(
            db.select(CopyEntry.copy_id).where(CopyEntry.entry_pk.in_(changed))).scalars())
    if full:
        copy_ids |= set(db.session.execute(
            db.select(Copy.id).join(DossierLink, DossierLink.id == Copy.link_id)
            .where(DossierLink.person_pk == subject.id)).scalars())
    if copy_ids:
        plan.copies = list(db.session.execute(db.select(Copy).where(Copy.id.in_(copy_ids)).order_by(Copy.id)).scalars())
    return plan


def plan(req: Request, right: str, entry_pks: Iterable[int] | None = None) -> list[Plan]:
    """What ``execute`` would do for the standing decision on ``right``: everything of
    the subject for a grant, the selected entries of the subject's part for a grant in
    part."""
    dec = standing_decision(req, right)
    if dec is None or dec.outcome not in (G.Outcome.GRANT.value, G.Outcome.GRANT_IN_PART.value):
        raise DestructionError("not_granted")
    links = links_of(req)
    if not links:
        raise DestructionError(DOSSIER_NOT_LINKED)
    full = dec.outcome == G.Outcome.GRANT.value
    selected: set[int] | None = None
    if not full:
        selected = {int(x) for x in (entry_pks or [])}
        allowed = {e.id for link in links for e in concerned_entries(link)}
        if not selected:
            raise DestructionError("entries_required")
        if not selected <= allowed:
            raise DestructionError("entry_not_concerned")
    return [_plan_link(link, full=full, selected=selected) for link in links]


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


def _withdraw_copy(copy: Copy, changed: set[int], gone: set[int], gone_attachments: set[int]) -> None:
    """The portal's copy of destroyed data goes: the PDF, the redaction rows of the
    changed entries (their offsets belong to the old text), the destroyed entries and
    attachments; the copy is withdrawn (a new one can be made)."""
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
        ca.redacted_ciphertext = None
        if ca.attachment_pk in gone_attachments:
            copy.attachments.remove(ca)
            db.session.delete(ca)
        elif ca.state == CopyAttachment.REDACTED:
            ca.state, ca.boxes_json = CopyAttachment.UNREVIEWED, "[]"


def _anonymise_person(p: DossierPerson) -> None:
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


def _execute_link(actor: Actor, req: Request, right: str, dec: Decision, p: Plan, method: str,
                  execute_by: date | None, today: date) -> tuple[RegistrationInstruction, Counts]:
    link, subject, dossier = p.link, p.link.person, p.link.dossier
    values = _person_values(dossier)
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
            old.payload_json = json.dumps(after, ensure_ascii=False, sort_keys=True)

    # 3. Copies of that data.
    for copy in p.copies:
        _withdraw_copy(copy, changed, gone, gone_attachments)
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
        _anonymise_person(subject)

    counts = Counts(len(p.whole), len(p.shared), len(p.mentions), len(gone_attachments), len(p.copies),
                    len(p.statements))
    return ins, counts


def execute(actor: Actor, reference: str, right: str, *, method: str, entry_pks: Iterable[int] | None = None,
            confirmed: bool = False) -> list[RegistrationInstruction]:
    """Carry out a signed grant (in full or in part) of destruction or erasure, in the
    portal and as an instruction per linked dossier (see the module docstring). One
    transaction: any failure changes nothing. ``confirmed``: the caseworker ticked
    that this cannot be undone."""
    req = _for_right(actor, reference, right, Permission.DECISION_PROPOSE)
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
    today = _today()
    try:
        a = _ensure_assessment(req, right, actor)
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
        made = []
        with db.session.no_autoflush:
            for p in plans:
                ins, c = _execute_link(actor, req, right, dec, p, method, execute_by, today)
                made.append(ins)
                audit.record(f"{'destruction' if right == DESTRUCTION else 'erasure'}.execute", actor=actor.label,
                             actor_role=actor.role.value, object_type="instruction", object_id=ins.id,
                             subject_ref=req.reference,
                             reason=(f"dossier {p.link.dossier.dossier_id} {p.link.person.person_id} {method}: "
                                     f"{c.whole} whole, {c.shared} shared, {c.mentions} mentions, "
                                     f"{c.attachments} attachments, {c.copies} copies, {c.statements} statements")[:200])
        _event(req, f"{'destruction' if right == DESTRUCTION else 'erasure'}_executed", actor.label)
        db.session.flush()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return made


def confirm_execution(actor: Actor, reference: str, right: str, instruction_id: int, *, name: str | None,
                      on: date | None) -> RegistrationInstruction:
    """Someone at the registration system carried out the instruction: who and when
    (as ``instructions.confirm``, and in the same transaction the assessment). When
    every instruction of the right is confirmed, the destruction is done: the
    requester is told on the status page, with a neutral e-mail where that is safe."""
    req = _for_right(actor, reference, right, Permission.DECISION_PROPOSE)
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
    if on > _today():
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
        _event(req, f"{word}_confirmed", actor.label)
        audit.record(f"{word}.done", actor=actor.label, actor_role=actor.role.value, object_type="right_assessment",
                     object_id=a.id, subject_ref=req.reference, reason=f"request {req.reference}: done on {a.executed_on}")
        addresses = _tell_requester(actor, req, right, a)
    db.session.commit()
    if addresses:
        from .casefile import _send_notices

        _send_notices(addresses, req.language)
    return ins


def _tell_requester(actor: Actor, req: Request, right: str, a: RightAssessment) -> list[str]:
    """A message on the status page that it is done (in the request's language)."""
    from flask_babel import format_date

    from .casefile import _addressable, _notice_to

    with force_locale(req.language):
        when = format_date(a.executed_on, "long")
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
    _event(req, "message_to_requester", actor.label, public=True)
    return _notice_to(_addressable(req))


# --- for the faces --------------------------------------------------------------------------------

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
    from ..models import NotificationTask

    asked = [r for r in req.rights if r.right in RIGHTS]
    if not asked:
        return None
    verified = casework.identity_verified(req)
    links = links_of(req) if verified else []
    lviews = tuple(LinkView(link, is_refuted(link), retention_of(link.dossier),
                            tuple(retention_extensions(link.dossier))) for link in links)
    decisions = list(db.session.execute(db.select(Decision).filter_by(request_id=req.id).order_by(Decision.id)).scalars())
    today = _today()
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


@dataclass(frozen=True)
class LetterPart:
    """What pdf/decision/_vernietiging.html and _gegevenswissing.html print besides the
    decision itself: never a text from the dossier, never another person's name."""

    right: str
    refuted: bool = False
    execute_by: date | None = None
    claimed: tuple[str, ...] = ()
    weighed: dict = field(default_factory=dict)
    exceptions: tuple[str, ...] = ()
    shared_with_others: bool = False


def letter_part(decision: Decision) -> LetterPart:
    req = db.session.get(Request, decision.request_id)
    if req is None or decision.right not in RIGHTS:
        return LetterPart(decision.right)
    a = assessment_of(req, decision.right)
    links = links_of(req)
    shared = any(e.shared_with for link in links for e in concerned_entries(link))
    if decision.right == DESTRUCTION:
        return LetterPart(DESTRUCTION, refuted=any(is_refuted(link) for link in links),
                          execute_by=execution_deadline(req).due, shared_with_others=shared)
    w = weighed(a)
    return LetterPart(ERASURE, claimed=tuple(claimed(a, req)), weighed={c: w[c] for c in CODES if c in w},
                      exceptions=tuple(applied_exceptions(a)), shared_with_others=shared)


def log_plan_view(actor: Actor, req: Request, right: str, plans: Sequence[Plan]) -> None:
    """The execution page shows entry titles and dates of the subject's part: a read of
    dossier data (art. 7.5)."""
    audit.record(f"{'destruction' if right == DESTRUCTION else 'erasure'}.plan_view", actor=actor.label,
                 actor_role=actor.role.value, object_type="request", object_id=req.id, subject_ref=req.reference,
                 reason="; ".join(f"dossier {p.link.dossier.dossier_id} {p.link.person.person_id}" for p in plans)[:200])
    db.session.commit()


# --- the art. 17.3 letter ---------------------------------------------------------------------------

def outcome_letter(by, dossier_id: str, person_id: str, *, language: str = "nl") -> bytes:
    """The letter that tells a person of a dossier whose report the investigation
    refuted the outcome, and that they may ask for their data to be destroyed, which
    VT must then do (art. 17.3, last sentence; art. 17.4: within three months). ``by``:
    a staff Actor (DOSSIER_VIEW) or the command line (``staff.CLI``). Logged."""
    from ..documents.pdf import render_pdf
    from .staff import Operator

    if not isinstance(by, Operator):
        authz.require(by, Permission.DOSSIER_VIEW, object_type="dossier", object_id=dossier_id)
    if language not in current_app.config["LANGUAGES"]:
        raise DestructionError("language_unknown")
    dossier = db.session.execute(db.select(Dossier).filter_by(dossier_id=(dossier_id or "").strip())).scalar_one_or_none()
    if dossier is None:
        raise DestructionError("dossier_not_found")
    person = next((p for p in dossier.persons if p.person_id == (person_id or "").strip()), None)
    if person is None or _removed(person):
        raise DestructionError("person_not_found")
    if person.role != "subject":
        raise DestructionError("not_a_subject")
    if dossier.outcome != REFUTED:
        raise DestructionError("not_refuted")
    app = current_app._get_current_object()
    with force_locale(language):
        html = app.jinja_env.get_template("pdf/outcome_refuted.html").render(
            lang=language, today=_today(), dossier=dossier, person=person, retention=retention_of(dossier),
            org_name=app.config["ORGANISATION_NAME"], org_phone=app.config["ORGANISATION_PHONE"],
            portal_url=app.config["PUBLIC_BASE_URL"])
    pdf = render_pdf(html)
    label, role = (by.label, by.role_label) if isinstance(by, Operator) else (by.label, by.role.value)
    audit.record("dossier.outcome_letter", actor=label, actor_role=role, object_type="dossier",
                 object_id=dossier.dossier_id, reason=f"dossier {dossier.dossier_id} person {person.person_id}: art. 17.3 letter")
    db.session.commit()
    return pdf
