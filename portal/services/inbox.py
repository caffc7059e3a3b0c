"""The team leader's inbox (issue 10): everything that waits for a team leader's
signature, oldest due date first, each naming the item and why it waits.

What waits (each needs Permission.DECISION_SIGN):
* a proposed decision on a right (art. 14.2, 20.4; portal/services/decisions.py);
* a reviewed copy that withholds something or shows the reporter or a protected
  address after all (art. 14.2, 20.4; portal/services/copies/releasing.py);
* a child's art. 20.4 question that no team leader has decided;
* a proposed refusal of a correction item (art. 15; portal/services/rectification);
* a destruction (art. 17) or erasure (art. 18) carried out and confirmed, waiting for a
  team leader who took no part in it to check it (portal/services/destruction/check.py);
  due on its art. 17.4 execution deadline (erasure: its answer deadline).

Nobody signs their own proposal (four eyes): an item this team leader proposed,
prepared or reviewed is listed as "not by you", so they see that it waits for
someone else.

The list itself shows no case content: the reference, the right, the due date, what
kind of thing waits, and the reason codes. It is logged as one read ("inbox.view")
with how many items it listed. The copy's signing page (``copy_to_sign``) shows the
original text behind each redaction or withheld entry beside the caseworker's reason:
that is personal data, and reading it is logged ("copy.sign_view") per copy.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..infra.extensions import db
from ..models import (Copy, CopyAttachment, CopyEntry, CopyRedaction, CorrectionItem, Decision, Extension,
                      ParentInvolvementDecision, Request, RequestedRight, Staff)
from ..rules.permissions import Permission
from ..rules.status import OPEN, RequestStatus
from . import audit, authz, execution_watch
from .authz import Actor
from .copies.common import RESTRICTION_GROUNDS, SENSITIVE_LIFT_GROUNDS, CopyError, copy_of, load
from .copies.releasing import restrictions
from .copies.texts import text_of
from .destruction import check as destruction_check

DECISION, COPY, ART20_4, CORRECTION = "decision", "copy", "art20_4", "correction_refusal"
EXECUTION_CHECK = "execution_check"
_WORKING = [s.value for s in OPEN] + [RequestStatus.DECIDED.value]


@dataclass(frozen=True)
class InboxItem:
    kind: str  # decision | copy | art20_4 | correction_refusal | execution_check
    reference: str
    object_id: int
    right: str | None
    due_on: date | None
    reasons: tuple[str, ...]  # codes: an outcome and grounds, or the copy's restrictions
    proposed_by: str | None  # the display name of whoever proposed or prepared it
    own: bool  # this team leader proposed, prepared or reviewed it: someone else signs
    execute_by: date | None = None  # art. 17.4: the destruction must be carried out by then


def _dues(request_ids: set[int]) -> dict[tuple[int, str], date]:
    if not request_ids:
        return {}
    out = {(rid, right): due for rid, right, due in db.session.execute(
        db.select(RequestedRight.request_id, RequestedRight.right, RequestedRight.due_on)
        .where(RequestedRight.request_id.in_(request_ids)))}
    for rid, right, new_due in db.session.execute(
            db.select(Extension.request_id, Extension.right, Extension.new_due_on)
            .where(Extension.request_id.in_(request_ids))):
        out[(rid, right)] = new_due
    return out


def _collect(actor: Actor | None) -> list[InboxItem]:
    me = actor.staff_id if actor is not None else None
    names = dict(db.session.execute(db.select(Staff.id, Staff.display_name)).all())
    rows: list[tuple] = []  # (kind, request, object id, right, reasons, proposer id, own)
    for dec, req in db.session.execute(
            db.select(Decision, Request).join(Request, Request.id == Decision.request_id)
            .where(Decision.state == Decision.PROPOSED, Request.status.in_(_WORKING))):
        rows.append((DECISION, req, dec.id, dec.right, (dec.outcome, *dec.grounds), dec.proposed_by,
                     me is not None and dec.proposed_by == me))
    for copy, req in db.session.execute(
            db.select(Copy, Request).join(Request, Request.id == Copy.request_id)
            .where(Copy.status == Copy.REVIEWED, Request.status.in_(_WORKING))):
        codes = restrictions(copy)
        if codes:
            rows.append((COPY, req, copy.id, "afschrift", tuple(codes), copy.reviewed_by or copy.created_by,
                         me is not None and me in (copy.created_by, copy.reviewed_by)))
    decided = db.select(ParentInvolvementDecision.id).where(ParentInvolvementDecision.request_id == Request.id).exists()
    for req in db.session.execute(
            db.select(Request).where(Request.art20_4_review.is_(True), ~decided,
                                     Request.status.in_([s.value for s in OPEN]))).scalars():
        rows.append((ART20_4, req, req.id, None, ("art20_4",), None, False))
    for item, req in db.session.execute(
            db.select(CorrectionItem, Request).join(Request, Request.id == CorrectionItem.request_id)
            .where(CorrectionItem.state == "proposed", Request.status.in_(_WORKING))):
        rows.append((CORRECTION, req, item.id, "correctie", tuple(x for x in ("refuse", item.ground) if x),
                     item.decided_by, me is not None and item.decided_by == me))
    checks: dict[int, date] = {}  # assessment id -> its art. 17.4 execution deadline
    for a, req in db.session.execute(destruction_check.waiting_checks()):
        part = destruction_check.took_part(req, a.right, a)
        late = a.execute_by is not None and a.executed_on > a.execute_by
        rows.append((EXECUTION_CHECK, req, a.id, a.right,
                     ("execution_check", a.method or "", *(("executed_late",) if late else ())),
                     a.executed_by, me is not None and me in part))
        if a.execute_by is not None:
            checks[a.id] = a.execute_by
    dues = _dues({r[1].id for r in rows})
    execute_by = execution_watch.execution_deadlines(sorted({r[1].id for r in rows}))
    out = []
    for kind, req, object_id, right, reasons, proposer, own in rows:
        if kind == EXECUTION_CHECK:
            reasons = tuple(r for r in reasons if r)
            due = checks.get(object_id) or dues.get((req.id, right))
            out.append(InboxItem(kind, req.reference, object_id, right, due or req.earliest_due_on, reasons,
                                 names.get(proposer), bool(own), checks.get(object_id)))
            continue
        due = dues.get((req.id, right)) if right else None
        out.append(InboxItem(kind, req.reference, object_id, right, due or req.earliest_due_on, tuple(reasons),
                             names.get(proposer), bool(own), execute_by.get(req.id)))
    out.sort(key=lambda i: (i.due_on or date.max, i.reference, i.kind, i.object_id))
    return out


def count(actor: Actor) -> int:
    """How many items wait for a team leader (the number beside the menu link; the
    digest counts the same). Not a read of case content: not logged."""
    if not authz.can(actor, Permission.DECISION_SIGN):
        return 0
    return sum(1 for i in _collect(actor) if not i.own)


def count_all() -> int:
    """For the daily digest: everything waiting for a team leader's signature."""
    return len(_collect(None))


def inbox(actor: Actor) -> list[InboxItem]:
    authz.require(actor, Permission.DECISION_SIGN, object_type="inbox")
    items = _collect(actor)
    audit.record("inbox.view", actor=actor.label, actor_role=actor.role.value, object_type="inbox",
                 reason=f"team leader inbox: {len(items)} items")
    db.session.commit()
    return items


# --- one copy to sign, on one page ------------------------------------------------------------

@dataclass(frozen=True)
class SignLine:
    """One thing the team leader signs: the text it concerns, and the caseworker's reason."""

    what: str  # entry_withheld | attachment_withheld | restriction_ground | sensitive_lift
    entry_title: str
    entry_date: date | None
    text: str  # the withheld entry's text, or the words behind the redaction
    ground: str | None
    reason: str | None


@dataclass
class CopyToSign:
    request: Request
    copy: Copy
    lines: list[SignLine] = field(default_factory=list)
    own: bool = False
    others: list[str] = field(default_factory=list)  # who else can sign (display names)


def _text_of(r: CopyRedaction) -> str:
    """The words under a redaction: in the entry's title or text, an improved entry's
    new text (art. 15) or an own statement (art. 16) (``copies.texts.text_of``)."""
    return text_of(r)[r.start:r.end]


def copy_to_sign(actor: Actor, reference: str, copy_id: int) -> CopyToSign:
    """Everything the team leader signs in this copy, each with the text it concerns and
    the caseworker's reason. The original text is personal data: this read is logged."""
    req = load(reference)
    authz.require(actor, Permission.DECISION_SIGN, object_type="copy", object_id=copy_id, subject_ref=reference)
    copy = copy_of(req, copy_id)
    if copy.status != Copy.REVIEWED or not restrictions(copy):
        raise CopyError("nothing_to_sign")
    lines: list[SignLine] = []
    entries = {ce.entry_pk: ce for ce in copy.entries}
    for ce in copy.entries:
        if ce.withheld:
            lines.append(SignLine("entry_withheld", ce.entry.title or "", ce.entry.date, ce.entry.text or "",
                                  ce.withheld_ground, ce.withheld_reasons))
    for a in copy.attachments:
        if a.state == CopyAttachment.WITHHELD:
            owner = entries.get(a.attachment.entry_pk)
            e = owner.entry if owner else None
            lines.append(SignLine("attachment_withheld", (e.title or "") if e else "", e.date if e else None,
                                  a.attachment.filename or "", a.ground, a.reasons))
    for r in copy.redactions:
        what = None
        if r.origin == CopyRedaction.STAFF and r.ground in RESTRICTION_GROUNDS and r.state != CopyRedaction.LIFTED:
            what = "restriction_ground"
        elif r.state == CopyRedaction.LIFTED and r.ground in SENSITIVE_LIFT_GROUNDS:
            what = "sensitive_lift"
        if what:
            ce: CopyEntry | None = entries.get(r.entry_pk)
            e = ce.entry if ce else None
            lines.append(SignLine(what, (e.title or "") if e else "", e.date if e else None,
                                  _text_of(r), r.ground, r.reason))
    own = actor.staff_id in (copy.created_by, copy.reviewed_by)
    others = [s.display_name for s in signers(exclude={copy.created_by, copy.reviewed_by, actor.staff_id if own else None})]
    audit.record("copy.sign_view", actor=actor.label, actor_role=actor.role.value, object_type="copy",
                 object_id=copy.id, subject_ref=req.reference, reason=f"request {req.reference}: {len(lines)} to sign")
    db.session.commit()
    return CopyToSign(req, copy, lines, own, others)


def signers(exclude: set | None = None) -> list[Staff]:
    """Active staff whose role may sign (the matrix), except ``exclude``: "who can sign
    instead" when four eyes stop this person."""
    exclude = exclude or set()
    out = []
    for s in db.session.execute(db.select(Staff).where(Staff.active.is_(True)).order_by(Staff.display_name)).scalars():
        if s.id in exclude:
            continue
        if authz.can(Actor.of(s, second_factor=True), Permission.DECISION_SIGN):
            out.append(s)
    return out
