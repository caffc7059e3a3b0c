"""What every step of the copy shares: its error, its constants, loading the request and the
copy, the access-log entry, and who reads the copy (the person it is about, a
representative, the second person of a joint request)."""
from __future__ import annotations

from ...infra.extensions import db
from ...models import Copy, CopyAttachment, CopyRedaction, CorrectionItem, DossierEntry, DossierLink, DossierPerson, Party, Request
from ...rules import redaction as R
from ...rules.permissions import Permission
from ...rules.rights import Right
from ...rules.selection import Address, Entry, Person
from .. import audit, authz
from ..authz import Actor
from ..errors import DomainError, load_request


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


IMPROVE, DELETE, SHIELD = CorrectionItem.IMPROVE, CorrectionItem.DELETE, CorrectionItem.SHIELD


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


def lang_pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


# --- loading and logging -------------------------------------------------------------------

def load(reference: str) -> Request:
    return load_request(reference, CopyError)


def log_access(actor: Actor, action: str, req: Request, copy: Copy | None = None, *, reason: str | None = None,
         outcome: str = "ok") -> None:
    audit.record(action, actor=actor.label, actor_role=actor.role.value,
                 object_type="copy" if copy is not None else "request",
                 object_id=copy.id if copy is not None else req.id, subject_ref=req.reference,
                 reason=reason or f"request {req.reference}", outcome=outcome)


def copy_of(req: Request, copy_id: int) -> Copy:
    copy = db.session.get(Copy, copy_id)
    if copy is None or copy.request_id != req.id:
        raise CopyError("copy_not_found")
    return copy


def requester_is_subject(req: Request) -> bool:
    """The requester asks for their own data (a representative, or the parent who started
    a joint request, does not)."""
    requester = next((p for p in req.parties if p.role == Party.REQUESTER), None)
    return bool(requester and requester.is_subject)


def wants_copy(req: Request) -> bool:
    return any(r.right in (Right.ACCESS.value, Right.COPY.value) for r in req.rights)


def is_stale(copy: Copy) -> bool:
    """Made from an import that has since been replaced: cannot be released."""
    return copy.link.dossier.content_hash != copy.dossier_hash


def links_of(req: Request) -> list[DossierLink]:
    return db.session.execute(db.select(DossierLink).filter_by(request_id=req.id).order_by(DossierLink.id)).scalars().all()


# --- 2. create ----------------------------------------------------------------------------

def readers_of(req: Request, link: DossierLink) -> tuple[str, ...]:
    """Who else reads the subject's copy: a representative or the joint requester."""
    if requester_is_subject(req) and not req.joint:
        return ()
    return (link.requester_person.person_id if link.requester_person else "requester",)


# --- 3. the workbench ----------------------------------------------------------------------

def editable(actor: Actor, reference: str, copy_id: int) -> tuple[Request, Copy]:
    req = load(reference)
    authz.require(actor, Permission.COPY_PREPARE, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = copy_of(req, copy_id)
    if copy.status in (Copy.RELEASED, Copy.WITHDRAWN):
        raise CopyError("copy_closed")
    if copy.detector_state in ("planning", "plan_failed"):  # link.PLANNING: still being made, or that failed
        raise CopyError("copy_preparing")
    return req, copy


def by_entry(copy: Copy) -> tuple[dict[int, list[CopyRedaction]], dict[int, list[CopyAttachment]]]:
    """The copy's redactions and attachments, each grouped by the entry they belong to."""
    redactions: dict[int, list[CopyRedaction]] = {}
    for r in copy.redactions:
        redactions.setdefault(r.entry_pk, []).append(r)
    attachments: dict[int, list[CopyAttachment]] = {}
    for a in copy.attachments:
        attachments.setdefault(a.attachment.entry_pk, []).append(a)
    return redactions, attachments
