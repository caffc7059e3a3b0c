"""The request page of the back office and what staff do on it: claim or assign a
request, write to the requester (or ask for more information), extend the answer
period (AVG 12(3)), and see whether another open request concerns the same subject.

Every function is one transaction: it checks the authorisation matrix first
(authz.require), writes its timeline event and its access-log entry (art. 7.5, reason
= the request served) with the change, and raises a CaseError with a stable code when
it cannot be done (then nothing is stored). E-mail notices go out after the commit and
are neutral (portal/templates/email/news.txt): a link to the status login page, never
a name, a reference or what was asked.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale, format_date
from flask_babel import gettext as _

from ..infra.extensions import db
from ..models import Decision, Document, Extension, Message, Party, Request, RequestedRight, Staff, utcnow
from ..rules import deadlines
from ..rules.permissions import Permission, Role
from ..rules.rights import Right
from ..rules.status import BEFORE_QUEUE, OPEN, IllegalMove, RequestStatus, check_move
from . import answers, audit, letters
from .authz import Actor, can, require
from . import notices, timeline
from .duplicates import FINISHED_STATUSES, flag_possible_duplicate
from .notices import Notified
from .timeline import today_local
from .errors import DomainError, load_request

log = logging.getLogger(__name__)

S = RequestStatus
#: Statuses in which the request is being handled and its deadline runs.
OPEN_STATUSES = frozenset(OPEN)
#: Roles a request can be assigned to.
ASSIGNABLE_ROLES = (Role.CASEWORKER.value, Role.TEAM_LEADER.value)
MESSAGE_MAX = 5000
#: "Nearly due": the due date is at most this many working days away (queue, page, digest).
NEARLY_DUE_WORKING_DAYS = 5


class CaseError(DomainError):
    """A stable code the face turns into a sentence (backoffice/queue.py)."""


def _load(reference: str) -> Request:
    return load_request(reference, CaseError)


def _log(actor: Actor, action: str, req: Request, outcome: str = "ok") -> None:
    audit.record(action, actor=actor.label, actor_role=actor.role.value, object_type="request", object_id=req.id,
                 subject_ref=req.reference, reason=f"request {req.reference}", outcome=outcome)


# --- the earliest due date (denormalised for the queue) ----------------------------------

def effective_due(right: RequestedRight, extension: Extension | None) -> date:
    """The day the answer on this right is due: the extended date when extended."""
    return extension.new_due_on if extension is not None else right.due_on


def refresh_earliest_due(req: Request) -> None:
    """Recompute Request.earliest_due_on from its rights still unanswered and their
    extensions (portal/services/answers.py)."""
    answers.refresh_earliest_due(req)


@dataclass(frozen=True)
class TimelineEntry:
    at: object
    kind: str
    public: bool
    actor: str  # "requester", "co_requester", "system" or "staff:<id>"
    staff_name: str | None


@dataclass(frozen=True)
class RightView:
    right: str
    details: dict
    due_on: date
    extension: Extension | None
    due: date  # effective: extended when extended
    days_left: int
    extendable: bool  # AVG 12(3): access and copy only, within the first month, not yet extended


@dataclass(frozen=True)
class DuplicateLink:
    reference: str
    status: str
    received_on: date


@dataclass
class RequestPage:
    request: Request
    today: date
    parties: list[Party]
    requester: Party
    co_requester: Party | None
    subject: Party
    rights: list[RightView]
    earliest_due: date | None
    days_left: int | None
    overdue: bool
    nearly_due: bool
    timeline: list[TimelineEntry]
    messages: list[Message]
    message_authors: dict[str, str]
    documents: list[Document]
    decisions: list[Decision]
    assignee: Staff | None
    assignable: list[Staff]
    duplicate_of: DuplicateLink | None
    duplicates: list[DuplicateLink]
    # The child's note (art. 20.4) is for the team leader only (None for others).
    art20_4_note: str | None
    is_open: bool
    may: dict[str, bool] = field(default_factory=dict)


def _staff_names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(db.select(Staff.id, Staff.display_name).where(Staff.id.in_(ids))).all()
    return dict(rows)


def _staff_id(label: str | None) -> int | None:
    if label and label.startswith("staff:"):
        try:
            return int(label[6:])
        except ValueError:
            return None
    return None


def request_page(actor: Actor, reference: str, *, today: date | None = None) -> RequestPage:
    """Everything the request page shows (art. 7.5: logged as a read of the request).
    Opening the page also looks for a second request for the same subject."""
    require(actor, Permission.REQUEST_VIEW, object_type="request", subject_ref=reference)
    today = today or today_local()
    req = _load(reference)
    flag_possible_duplicate(req)
    _log(actor, "request.view", req)
    show_note = bool(req.art20_4_note) and can(actor, Permission.DECISION_SIGN)
    if show_note:
        # What the child wrote is for the team leader only (art. 20.4): its own entry.
        _log(actor, "request.view_art20_4_note", req)
    # The change (a flag) and the log entries are one transaction; what follows only
    # reads, so that nothing read for the page is expired by a later commit.
    db.session.commit()
    tl_note = req.art20_4_note if show_note else None

    extensions = {e.right: e for e in db.session.execute(db.select(Extension).filter_by(request_id=req.id)).scalars()}
    rights = []
    for r in req.rights:
        ext = extensions.get(r.right)
        due = effective_due(r, ext)
        extendable = (ext is None and Right(r.right) in deadlines.EXTENDABLE_RIGHTS
                      and req.status_enum in OPEN_STATUSES
                      and deadlines.can_extend(Right(r.right), req.clock_started_on, max(today, req.clock_started_on)))
        rights.append(RightView(r.right, r.details, r.due_on, ext, due, (due - today).days, extendable))
    earliest = min((r.due for r in rights), default=None)
    is_open = req.status_enum in OPEN_STATUSES
    nearly_until = deadlines.working_days_after(today, NEARLY_DUE_WORKING_DAYS)

    staff_ids = {i for i in (_staff_id(e.actor) for e in req.events) if i}
    staff_ids |= {i for i in (_staff_id(m.author) for m in req.messages) if i}
    decisions = db.session.execute(db.select(Decision).filter_by(request_id=req.id).order_by(Decision.id)).scalars().all()
    if req.assignee_id:
        staff_ids.add(req.assignee_id)
    names = _staff_names(staff_ids)
    timeline = [TimelineEntry(e.at, e.kind, e.public, e.actor, names.get(_staff_id(e.actor))) for e in req.events]
    authors = {m.author: names[_staff_id(m.author)] for m in req.messages if _staff_id(m.author) in names}

    dup_of = None
    if req.possible_duplicate_of:
        other = db.session.get(Request, req.possible_duplicate_of)
        if other is not None:
            dup_of = DuplicateLink(other.reference, other.status, other.received_on)
    later = db.session.execute(
        db.select(Request.reference, Request.status, Request.received_on)
        .where(Request.possible_duplicate_of == req.id).order_by(Request.id)
    ).all()

    assignable = db.session.execute(
        db.select(Staff).where(Staff.active.is_(True), Staff.role.in_(ASSIGNABLE_ROLES),
                               Staff.confidentiality_recorded_at.is_not(None)).order_by(Staff.display_name, Staff.id)
    ).scalars().all()
    page = RequestPage(
        request=req,
        today=today,
        parties=list(req.parties),
        requester=req.requester,
        co_requester=req.co_requester,
        subject=req.subject,
        rights=rights,
        earliest_due=earliest,
        days_left=(earliest - today).days if earliest else None,
        overdue=bool(is_open and earliest and earliest < today),
        nearly_due=bool(is_open and earliest and today <= earliest <= nearly_until),
        timeline=timeline,
        messages=list(req.messages),
        message_authors=authors,
        documents=list(req.documents),
        decisions=list(decisions),
        assignee=db.session.get(Staff, req.assignee_id) if req.assignee_id else None,
        assignable=list(assignable),
        duplicate_of=dup_of,
        duplicates=[DuplicateLink(*row) for row in later],
        art20_4_note=tl_note,
        is_open=is_open,
        may={p.name.lower(): can(actor, p) for p in (Permission.REQUEST_ASSIGN, Permission.REQUEST_MESSAGE,
                                                     Permission.EXTENSION_PROPOSE)},
    )
    return page


# --- claim and assign -----------------------------------------------------------------------

def _take_on(req: Request, actor: Actor) -> None:
    """A request that gets an assignee is being handled: received -> in progress."""
    if req.status_enum is S.RECEIVED:
        timeline.move(req, S.IN_PROGRESS, actor.label)


def _check_assignable(req: Request) -> None:
    if req.status_enum in BEFORE_QUEUE or req.status_enum in FINISHED_STATUSES:
        raise CaseError("not_assignable_now")


def claim(actor: Actor, reference: str) -> None:
    """"Ik pak dit op": the request is assigned to the actor."""
    require(actor, Permission.REQUEST_ASSIGN, object_type="request", subject_ref=reference)
    req = _load(reference)
    _check_assignable(req)
    if req.assignee_id == actor.staff_id:
        raise CaseError("already_yours")
    req.assignee_id = actor.staff_id
    timeline.event(req, "claimed", actor.label, public=False)
    _take_on(req, actor)
    _log(actor, "request.claim", req)
    db.session.commit()


def assign(actor: Actor, reference: str, staff_id: int) -> None:
    """Assign the request to a caseworker or team leader (active, confidentiality
    agreement recorded, allowed to see requests)."""
    require(actor, Permission.REQUEST_ASSIGN, object_type="request", subject_ref=reference)
    req = _load(reference)
    _check_assignable(req)
    target = db.session.get(Staff, staff_id)
    if (target is None or not target.active or target.role not in ASSIGNABLE_ROLES
            or not can(Actor.of(target, second_factor=True), Permission.REQUEST_VIEW)):
        raise CaseError("not_an_assignee")
    if req.assignee_id == target.id:
        raise CaseError("already_assigned")
    req.assignee_id = target.id
    timeline.event(req, "assigned", actor.label, public=False)
    _take_on(req, actor)
    _log(actor, "request.assign", req)
    db.session.commit()


# --- writing to the requester ----------------------------------------------------------------

def send_message(actor: Actor, reference: str, body: str, *, party_id: int | None = None,
                 asks_for_document: bool = False) -> Notified:
    """Write to the requester: shown on the status page (to everyone, or to one person
    of a joint request), with a neutral e-mail notice to each addressed person whose
    e-mail address is safe to use and confirmed. ``asks_for_document`` asks for more
    information and moves the request to waiting_for_requester (the requester's reply
    moves it back: portal/services/requests.reply)."""
    require(actor, Permission.REQUEST_MESSAGE, object_type="request", subject_ref=reference)
    req = _load(reference)
    text = (body or "").strip()
    if not text:
        raise CaseError("message_empty")
    if len(text) > MESSAGE_MAX:
        raise CaseError("message_too_long")
    if req.status_enum in BEFORE_QUEUE or req.status_enum in FINISHED_STATUSES:
        raise CaseError("request_not_open")
    people = notices.addressable(req)
    if party_id is not None:
        people = [p for p in people if p.id == party_id]
        if not people:
            raise CaseError("not_a_party")
    if asks_for_document and req.status_enum is not S.WAITING_FOR_REQUESTER:
        try:
            check_move(req.status_enum, S.WAITING_FOR_REQUESTER)
        except IllegalMove:
            raise CaseError("cannot_ask_now") from None
    req.messages.append(Message(direction=Message.TO_REQUESTER, body=text, author=actor.label, at=utcnow(),
                                party_id=party_id, asks_for_document=asks_for_document))
    timeline.event(req, "message_to_requester", actor.label)
    if asks_for_document and req.status_enum is not S.WAITING_FOR_REQUESTER:
        timeline.move(req, S.WAITING_FOR_REQUESTER, actor.label)
    _log(actor, "message.to_requester", req)
    addresses, lang = notices.safe_addresses(people), req.language
    db.session.commit()
    return notices.send(addresses, lang)


# --- extension (AVG 12(3)) --------------------------------------------------------------------

@dataclass(frozen=True)
class Extended:
    right: str
    new_due_on: date
    notified: Notified


def extend(actor: Actor, reference: str, right: str, reasons: str, *, today: date | None = None) -> Extended:
    """Extend the answer period for access or copy by two further months (AVG 12(3)).

    Needs reasons; possible only while the first month runs (deadlines.can_extend) and
    once per right. Stores the Extension (new_due_on = deadlines.extended_due), a
    timeline event, a message to everyone on the status page with the new date and
    the reasons (told today), the extension letter (portal/services/letters.py), and
    sends a neutral e-mail notice.
    """
    require(actor, Permission.EXTENSION_PROPOSE, object_type="request", subject_ref=reference)
    today = today or today_local()
    req = _load(reference)
    text = (reasons or "").strip()
    if not text:
        raise CaseError("reasons_missing")
    if len(text) > MESSAGE_MAX:
        raise CaseError("message_too_long")
    try:
        the_right = Right(right)
    except ValueError:
        raise CaseError("right_not_asked") from None
    asked = next((r for r in req.rights if r.right == the_right.value), None)
    if asked is None:
        raise CaseError("right_not_asked")
    if the_right not in deadlines.EXTENDABLE_RIGHTS:
        raise CaseError("not_extendable")
    if req.status_enum not in OPEN_STATUSES:
        raise CaseError("request_not_open")
    if db.session.execute(db.select(Extension.id).filter_by(request_id=req.id, right=the_right.value)).first():
        raise CaseError("already_extended")
    if today < req.clock_started_on or not deadlines.can_extend(the_right, req.clock_started_on, today):
        raise CaseError("too_late")
    new_due = deadlines.extended_due(the_right, req.clock_started_on)
    ext = Extension(request_id=req.id, right=the_right.value, reasons=text, decided_by=actor.staff_id,
                    decided_on=today, told_on=today, new_due_on=new_due)
    db.session.add(ext)
    db.session.flush()
    refresh_earliest_due(req)
    from ..labels import LONG_DATE, RIGHT_NAMES

    with force_locale(req.language):
        body = _("We hebben meer tijd nodig voor uw verzoek: %(right)s. U krijgt uiterlijk op %(date)s antwoord.",
                 right=str(RIGHT_NAMES[the_right.value]).lower(), date=format_date(new_due, LONG_DATE))
        body += "\n\n" + _("De reden: %(reasons)s", reasons=text)
    req.messages.append(Message(direction=Message.TO_REQUESTER, body=body, author=actor.label, at=utcnow()))
    timeline.event(req, "deadline_extended", actor.label)
    # "The letter is kept": the extension letter (PDF, in the request's language), made,
    # stored and released on the status page in this same transaction.
    letters.keep_extension_letter(req, ext, actor=actor)
    _log(actor, "extension.decide", req)
    addresses, lang = notices.addresses(req), req.language
    db.session.commit()
    return Extended(the_right.value, new_due, notices.send(addresses, lang))

