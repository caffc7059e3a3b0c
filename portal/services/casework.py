"""Casework on a request: identity and representation checks (art. 20.5), the capacity
judgment (art. 20.2) and the team leader's decision under art. 20.4.

Every function that reads or changes personal data is one transaction: it asks the
authorisation matrix first (authz.require), writes its timeline event and its
access-log entry (reason: the request it served; never the content) with the change,
and raises a CaseworkError with a stable code when it cannot be done (then nothing is
stored).

Art. 20.5 and the Dutch DPA's guidance: an ID copy is kept only until it is checked.
Recording the check deletes the checked documents (row and ciphertext) in the same
transaction; the record of the check (who, when, method, kind of document, outcome)
stays.
"""
from __future__ import annotations

import hmac
import hashlib
from dataclasses import dataclass, field

from flask import current_app

from ..infra.crypto import VaultError
from ..infra.extensions import db
from ..models import (CapacityJudgment, Document, IdentityCheck, ParentInvolvementDecision, Party, Request,
                      Staff, utcnow)
from ..rules.eligibility import AGE_CHILD_MAY_TAKE_PART, age_on
from ..rules.permissions import Permission
from ..rules.status import BEFORE_QUEUE, RequestStatus
from ..documents.uploads import sniff_type
from . import audit
from .authz import Actor, can, require
from . import eid, timeline
from .errors import DomainError, load_request

S = RequestStatus
FINISHED = frozenset({S.CLOSED, S.WITHDRAWN})

# --- what a check can record ------------------------------------------------------------

IDENTITY = "identity"
REPRESENTATION = "representation"
CHECK_KINDS = (IDENTITY, REPRESENTATION)

#: How the person was checked: a copy they uploaded, the document shown at the office,
#: or (later) an eID login.
METHODS = ("id_copy", "in_person", "eid")

#: Kinds of document per kind of check (art. 20.5; DOMAIN.md "Identity and representation").
DOCUMENT_KINDS: dict[str, tuple[str, ...]] = {
    IDENTITY: ("paspoort", "identiteitskaart", "rijbewijs", "verblijfsdocument"),
    REPRESENTATION: ("uittreksel_gezagsregister", "geboorteakte_en_gezag", "beschikking_voogdij",
                     "beschikking_curatele", "beschikking_mentorschap", "beschikking_bewind"),
}

VERIFIED = "verified"
REJECTED = "rejected"
NEEDS_MORE = "needs_more"
RESULTS = (VERIFIED, REJECTED, NEEDS_MORE)

#: The documents a caseworker may open for a check: the upload with the request, and a
#: file sent later with a message (a clearer copy, asked for on the status page).
VIEWABLE_KINDS = (Document.IDENTITY, Document.REPRESENTATION, Document.MESSAGE)
SERVABLE_TYPES = ("image/jpeg", "image/png", "application/pdf")
NOTES_MAX = 2000
REASONS_MAX = 5000


class CaseworkError(DomainError):
    """A stable code the face turns into a sentence (backoffice/casework.py)."""


def _load(reference: str) -> Request:
    return load_request(reference, CaseworkError)


def _log(actor: Actor, action: str, req: Request, *, object_type: str = "request", object_id=None,
         outcome: str = "ok") -> None:
    audit.record(action, actor=actor.label, actor_role=actor.role.value, object_type=object_type,
                 object_id=req.id if object_id is None else object_id, subject_ref=req.reference,
                 reason=f"request {req.reference}", outcome=outcome)


def _party(req: Request, party_id: int) -> Party:
    party = next((p for p in req.parties if p.id == party_id), None)
    if party is None:
        raise CaseworkError("not_a_party")
    return party


def _check_open(req: Request) -> None:
    if req.status_enum is S.WITHDRAWN:
        raise CaseworkError("request_withdrawn")
    if req.status_enum in BEFORE_QUEUE or req.status_enum in FINISHED:
        raise CaseworkError("request_not_open")


def _take_on(req: Request, actor: Actor) -> None:
    """Casework on a received request means it is being handled."""
    if req.status_enum is S.RECEIVED:
        timeline.move(req, S.IN_PROGRESS, actor.label)


# --- who takes part, and who must show what ---------------------------------------------

def taking_part(req: Request) -> list[Party]:
    """The people who exercise the right and must be verified: the requester and, in a
    joint request (art. 20.1, 12 to 16), the second person. A subject who does not file
    (a child under 12, an adult under curatele) is not checked: their representative is.
    A parent whom a team leader decided to leave out (art. 20.4) does not take part."""
    without_parent = latest_art20_4(req)
    out = []
    for p in req.parties:
        if p.role not in (Party.REQUESTER, Party.CO_REQUESTER):
            continue
        # The parent is the second person (the child started) or the requester (the
        # parent started and the invited child said it is not safe, services/joint.py).
        if (without_parent is not None and without_parent.outcome == ParentInvolvementDecision.CONTINUE_WITHOUT_PARENT
                and req.joint and not p.is_subject):
            continue
        out.append(p)
    return out


def needs_representation(party: Party) -> bool:
    """Whoever asks for data that is not their own must show that they may (art. 20.5)."""
    return party.role in (Party.REQUESTER, Party.CO_REQUESTER) and not party.is_subject


def _latest_checks(req: Request) -> dict[tuple[int, str], IdentityCheck]:
    rows = db.session.execute(
        db.select(IdentityCheck).filter_by(request_id=req.id).order_by(IdentityCheck.checked_at, IdentityCheck.id)
    ).scalars()
    latest: dict[tuple[int, str], IdentityCheck] = {}
    for check in rows:
        latest[(check.party_id, check.kind)] = check
    return latest


def identity_verified(req: Request) -> bool:
    """True when every person taking part is verified (art. 20.5), and where someone acts
    for the subject, their right to act is verified too.

    Only then may the request be linked to the dossier person(s) and dossier data be
    shown; before that, nothing may reveal whether VT has a dossier at all. A joint
    request whose parent must take part (art. 20.4) but has not joined is not verified.
    """
    parties = taking_part(req)
    if not parties:
        return False
    decision = latest_art20_4(req)
    if (req.joint and decision is not None and decision.outcome == ParentInvolvementDecision.PARENT_MUST_TAKE_PART
            and not any(p.role == Party.CO_REQUESTER and p.joined_at for p in req.parties)):
        return False
    if req.joint and not any(p.role == Party.CO_REQUESTER for p in parties):
        # A joint request with one person only: allowed only after an art. 20.4 decision.
        if decision is None or decision.outcome != ParentInvolvementDecision.CONTINUE_WITHOUT_PARENT:
            return False
    latest = _latest_checks(req)
    for p in parties:
        if p.joined_at is None and p.role == Party.CO_REQUESTER:
            return False
        wanted = [IDENTITY] + ([REPRESENTATION] if needs_representation(p) else [])
        for kind in wanted:
            check = latest.get((p.id, kind))
            if check is None or check.result != VERIFIED:
                return False
    return True


# --- opening an uploaded document --------------------------------------------------------

@dataclass(frozen=True)
class DocumentFile:
    content_type: str
    data: bytes
    filename: str
    # False when the bytes do not match their stored type: then served as a download
    # of application/octet-stream, never shown in the browser.
    matches_type: bool


_EXT = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def open_document(actor: Actor, reference: str, document_id: int) -> DocumentFile:
    """Decrypt an ID copy or proof of representation of THIS request for a check
    (art. 20.5). Every opening is logged (art. 7.5). A document of another request is
    not found, the same as one that does not exist."""
    require(actor, Permission.IDENTITY_CHECK, object_type="document", object_id=document_id, subject_ref=reference)
    req = _load(reference)
    doc = db.session.execute(
        db.select(Document).where(Document.id == document_id, Document.request_id == req.id,
                                  Document.kind.in_(VIEWABLE_KINDS))
    ).scalar_one_or_none()
    if doc is None:
        raise CaseworkError("not_found")
    try:
        data = current_app.extensions["vault"].decrypt(doc.ciphertext)
    except VaultError:
        _log(actor, "document.view", req, object_type="document", object_id=doc.id, outcome="error")
        db.session.commit()
        raise CaseworkError("document_unreadable") from None
    intact = hmac.compare_digest(hashlib.sha256(data).hexdigest(), doc.sha256)
    if not intact:
        _log(actor, "document.view", req, object_type="document", object_id=doc.id, outcome="integrity_error")
        db.session.commit()
        raise CaseworkError("document_unreadable")
    _log(actor, "document.view", req, object_type="document", object_id=doc.id)
    db.session.commit()
    matches = doc.content_type in SERVABLE_TYPES and sniff_type(data) == doc.content_type
    ext = _EXT.get(doc.content_type, "bin") if matches else "bin"
    return DocumentFile(doc.content_type if matches else "application/octet-stream", data,
                        f"document-{doc.id}.{ext}", matches)


# --- recording a check ---------------------------------------------------------------------

def record_check(actor: Actor, reference: str, party_id: int, *, kind: str, method: str, document_kind: str,
                 name_matches: bool, birth_date_matches: bool, result: str, notes: str | None = None,
                 message_document_ids: tuple[int, ...] | list[int] = ()) -> IdentityCheck:
    """Record an identity or representation check of one person (art. 20.5) and delete
    what was checked: every document of that person and kind, plus the files sent with a
    message that the caseworker marked as part of this check. One transaction.

    "Verified" needs both the name and the birth date to match. A representation check
    only for someone who acts for the subject."""
    require(actor, Permission.IDENTITY_CHECK, object_type="request", subject_ref=reference)
    req = _load(reference)
    _check_open(req)
    party = _party(req, party_id)
    if party.role not in (Party.REQUESTER, Party.CO_REQUESTER):
        raise CaseworkError("party_does_not_take_part")
    if kind not in CHECK_KINDS:
        raise CaseworkError("kind_unknown")
    if kind == REPRESENTATION and not needs_representation(party):
        raise CaseworkError("no_representation_to_check")
    if method not in METHODS:
        raise CaseworkError("method_unknown")
    if document_kind not in DOCUMENT_KINDS[kind]:
        raise CaseworkError("document_kind_unknown")
    if result not in RESULTS:
        raise CaseworkError("result_unknown")
    if result == VERIFIED and not (name_matches and birth_date_matches):
        raise CaseworkError("verified_needs_match")
    text = (notes or "").strip() or None
    if text and len(text) > NOTES_MAX:
        raise CaseworkError("notes_too_long")

    checked = list(db.session.execute(
        db.select(Document).where(Document.request_id == req.id, Document.party_id == party.id, Document.kind == kind)
    ).scalars())
    extra_ids = {int(i) for i in message_document_ids}
    if extra_ids:
        extra = list(db.session.execute(
            db.select(Document).where(Document.request_id == req.id, Document.party_id == party.id,
                                      Document.kind == Document.MESSAGE, Document.id.in_(extra_ids))
        ).scalars())
        if len(extra) != len(extra_ids):
            raise CaseworkError("not_found")
        checked += extra
    if method == "id_copy" and not checked:
        raise CaseworkError("no_copy_to_check")

    check = IdentityCheck(request_id=req.id, party_id=party.id, kind=kind, method=method,
                          document_kind=document_kind, name_matches=bool(name_matches),
                          birth_date_matches=bool(birth_date_matches), result=result, notes=text,
                          checked_by=actor.staff_id, checked_at=utcnow())
    db.session.add(check)
    db.session.flush()
    for doc in checked:
        # The row holds the ciphertext: deleting the row deletes the copy.
        _log(actor, "document.delete", req, object_type="document", object_id=doc.id)
        if doc in req.documents:
            req.documents.remove(doc)
        db.session.delete(doc)
    timeline.event(req, f"{kind}_check:{result}", actor.label, public=False)
    _take_on(req, actor)
    _log(actor, f"{kind}_check.record", req, object_type="identity_check", object_id=check.id)
    db.session.commit()
    return check


# --- the capacity judgment (art. 20.2) --------------------------------------------------------

def record_capacity_judgment(actor: Actor, reference: str, party_id: int, *, lacks_capacity: bool,
                             reasons: str) -> CapacityJudgment:
    """VT's judgment whether a subject of 12 or older can oversee what exercising the
    right means (art. 20.2): who (the actor), when (now), why (reasons), and the outcome."""
    require(actor, Permission.CAPACITY_JUDGE, object_type="request", subject_ref=reference)
    req = _load(reference)
    _check_open(req)
    party = _party(req, party_id)
    if not party.is_subject:
        raise CaseworkError("not_the_subject")
    if party.birth_date is not None and age_on(party.birth_date, req.received_on) < AGE_CHILD_MAY_TAKE_PART:
        raise CaseworkError("subject_under_12")
    text = (reasons or "").strip()
    if len(text) < 20:
        raise CaseworkError("reasons_required")
    if len(text) > REASONS_MAX:
        raise CaseworkError("reasons_too_long")
    judgment = CapacityJudgment(request_id=req.id, party_id=party.id, lacks_capacity=bool(lacks_capacity),
                                reasons=text, judged_by=actor.staff_id, judged_at=utcnow())
    db.session.add(judgment)
    db.session.flush()
    timeline.event(req, "capacity_judged", actor.label, public=False)
    _take_on(req, actor)
    _log(actor, "capacity.judge", req, object_type="capacity_judgment", object_id=judgment.id)
    db.session.commit()
    return judgment


# --- the art. 20.4 decision -----------------------------------------------------------------

ART20_4_OUTCOMES = (ParentInvolvementDecision.CONTINUE_WITHOUT_PARENT, ParentInvolvementDecision.PARENT_MUST_TAKE_PART)


def latest_art20_4(req: Request) -> ParentInvolvementDecision | None:
    return db.session.execute(
        db.select(ParentInvolvementDecision).filter_by(request_id=req.id)
        .order_by(ParentInvolvementDecision.decided_at.desc(), ParentInvolvementDecision.id.desc()).limit(1)
    ).scalar_one_or_none()


def art20_4_pending(req: Request) -> bool:
    """The child said involving a parent is not safe, and no team leader has decided yet."""
    return bool(req.art20_4_review) and latest_art20_4(req) is None


def decide_art20_4(actor: Actor, reference: str, outcome: str, reasons: str) -> ParentInvolvementDecision:
    """A team leader decides (art. 20.4) whether a joint request of a child of 12 to 16
    goes on without the parent the child said it is not safe to involve, or whether the
    parent must take part. Written reasons. Continuing resolves the request's flag;
    "the parent must take part" leaves it set (the child's concern stays visible) and
    the request cannot be granted until a parent has joined and is verified
    (identity_verified). A later decision is a new record; the latest counts."""
    require(actor, Permission.DECISION_SIGN, object_type="request", subject_ref=reference)
    req = _load(reference)
    _check_open(req)
    if not req.art20_4_review:
        raise CaseworkError("no_art20_4_question")
    if outcome not in ART20_4_OUTCOMES:
        raise CaseworkError("outcome_unknown")
    text = (reasons or "").strip()
    if len(text) < 20:
        raise CaseworkError("reasons_required")
    if len(text) > REASONS_MAX:
        raise CaseworkError("reasons_too_long")
    decision = ParentInvolvementDecision(request_id=req.id, outcome=outcome, reasons=text,
                                         decided_by=actor.staff_id, decided_at=utcnow())
    db.session.add(decision)
    db.session.flush()
    if outcome == ParentInvolvementDecision.CONTINUE_WITHOUT_PARENT:
        req.art20_4_review = False
    timeline.event(req, f"art20_4:{outcome}", actor.label, public=False)
    _take_on(req, actor)
    _log(actor, "art20_4.decide", req, object_type="parent_involvement_decision", object_id=decision.id)
    db.session.commit()
    return decision


# --- what the casework panel shows ------------------------------------------------------------

@dataclass(frozen=True)
class PartyChecks:
    party: Party
    needs_representation: bool
    documents: dict[str, list[Document]]  # identity / representation / message
    checks: list[IdentityCheck]
    identity_ok: bool
    representation_ok: bool


@dataclass(frozen=True)
class Panel:
    """What the casework partial shows for one request (metadata, never a document's
    content). Built for the request page, whose view is logged by that page."""

    request: Request
    parties: list[PartyChecks]
    identity_verified: bool
    capacity: list[CapacityJudgment]
    subject: Party | None
    art20_4_decisions: list[ParentInvolvementDecision]
    art20_4_pending: bool
    staff_names: dict[int, str]
    # Art. 20.2 applies to a subject of 12 or older (on the day of receipt).
    capacity_applicable: bool = False
    # DigiD Machtigen (issue 11): check id -> last 3 digits of the BSN the login acted for.
    acted_for: dict[int, str] = field(default_factory=dict)


def panel_data(req: Request) -> Panel:
    latest = _latest_checks(req)
    all_checks = list(db.session.execute(
        db.select(IdentityCheck).filter_by(request_id=req.id).order_by(IdentityCheck.id)).scalars())
    parties = []
    for p in taking_part(req):
        docs = {k: [d for d in req.documents if d.party_id == p.id and d.kind == k] for k in VIEWABLE_KINDS}
        id_check = latest.get((p.id, IDENTITY))
        rep_check = latest.get((p.id, REPRESENTATION))
        parties.append(PartyChecks(
            party=p, needs_representation=needs_representation(p), documents=docs,
            checks=[c for c in all_checks if c.party_id == p.id],
            identity_ok=id_check is not None and id_check.result == VERIFIED,
            representation_ok=rep_check is not None and rep_check.result == VERIFIED,
        ))
    capacity = list(db.session.execute(
        db.select(CapacityJudgment).filter_by(request_id=req.id).order_by(CapacityJudgment.id)).scalars())
    art20_4 = list(db.session.execute(
        db.select(ParentInvolvementDecision).filter_by(request_id=req.id).order_by(ParentInvolvementDecision.id)
    ).scalars())
    staff_ids = {c.checked_by for c in all_checks} | {c.judged_by for c in capacity} | {d.decided_by for d in art20_4}
    staff_ids.discard(None)
    names = dict(db.session.execute(db.select(Staff.id, Staff.display_name).where(Staff.id.in_(staff_ids))).all()) \
        if staff_ids else {}
    subject = next((p for p in req.parties if p.is_subject), None)
    applicable = bool(subject is not None and subject.birth_date is not None and subject.birth_date <= req.received_on
                      and age_on(subject.birth_date, req.received_on) >= AGE_CHILD_MAY_TAKE_PART)
    acted_for = {c.id: (eid.legal_bsn_of(c) or "")[-3:] for c in all_checks if c.eid_legal_bsn_ciphertext}
    return Panel(req, parties, identity_verified(req), capacity, subject, art20_4,
                 bool(req.art20_4_review) and not art20_4, names, applicable, acted_for)


@dataclass(frozen=True)
class CaseworkPage:
    request: Request
    art20_4_note: str | None


def casework_page(actor: Actor, reference: str) -> CaseworkPage:
    """The casework panels on a page of their own (logged as a read of the request).
    What the child wrote about why involving a parent is not safe is for the team
    leader only (art. 20.4), and its reading is logged on its own."""
    require(actor, Permission.REQUEST_VIEW, object_type="request", subject_ref=reference)
    req = _load(reference)
    _log(actor, "request.view", req)
    note = None
    if req.art20_4_note and can(actor, Permission.DECISION_SIGN):
        note = req.art20_4_note
        _log(actor, "request.view_art20_4_note", req)
    db.session.commit()
    return CaseworkPage(req, note)
