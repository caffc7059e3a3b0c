"""The back-office queue (werkvoorraad) and the daily digest of overdue and nearly due
requests. Nobody misses a deadline: the queue is sorted by due date, overdue and
nearly due requests are marked and counted, and every morning each assignee and every
team leader gets the counts by e-mail (no personal data, no references).

Fast with 100,000 requests: a page is one query (request, its subject, its assignee;
sorted on the indexed, denormalised Request.earliest_due_on), plus one query each for
the rights and the open team-leader questions of that page's ids, one count for the
pager and one for the counts at the top. Never a query per row.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, case, exists, false, func, or_, select, text

from ..infra import mail
from ..infra.extensions import db
from ..models import (OPEN_SQL, Copy, CopyAttachment, CopyEntry, CopyRedaction, CorrectionItem, Decision,
                      ParentInvolvementDecision, Party, Request, RequestedRight, RightAssessment, Staff)
from ..rules import deadlines
from ..rules.permissions import Permission, Role
from ..rules.rights import Right
from ..rules.status import BEFORE_QUEUE, RequestStatus
from . import audit, execution_watch, inbox
from .authz import Actor, can, require
from .casefile import NEARLY_DUE_WORKING_DAYS, OPEN_STATUSES
from .copies.common import RESTRICTION_GROUNDS, SENSITIVE_LIFT_GROUNDS
from .timeline import today_local

PAGE_SIZE = 50
MAX_DUE_WITHIN = 90
#: status filter values besides a RequestStatus: the default, and everything in the queue
STATUS_OPEN = "open"
STATUS_ALL = "all"
SORTS = ("due", "received")

_OPEN = [s.value for s in OPEN_STATUSES]
_IN_QUEUE = [s.value for s in RequestStatus if s not in BEFORE_QUEUE]


class QueueError(ValueError):
    """A filter the service cannot use (the face validates first; this is the backstop)."""


@dataclass(frozen=True)
class QueueFilters:
    """What the queue shows. All filters combine (AND).

    status: "open" (default: received, in progress, waiting for the requester), "all"
    (everything that reached the queue), or one RequestStatus value (which may be one
    of the statuses before the queue). Overdue, nearly due and due-within only ever
    select open requests: a decided or closed request is not late.
    """

    status: str = STATUS_OPEN
    right: str | None = None
    mine: bool = False
    due_within: int | None = None  # due today .. today + N calendar days (1..90)
    overdue: bool = False
    nearly_due: bool = False  # due within 5 working days
    waiting_for_team_leader: bool = False  # anything in the team leader's inbox (services/inbox.py)
    waiting_for_requester: bool = False
    sort: str = "due"
    page: int = 1

    def check(self) -> None:
        if self.status not in (STATUS_OPEN, STATUS_ALL, *(s.value for s in RequestStatus)):
            raise QueueError("status")
        if self.right is not None and self.right not in {r.value for r in Right}:
            raise QueueError("right")
        if self.due_within is not None and not 1 <= self.due_within <= MAX_DUE_WITHIN:
            raise QueueError("due_within")
        if self.sort not in SORTS:
            raise QueueError("sort")
        if self.page < 1:
            raise QueueError("page")


@dataclass(frozen=True)
class QueueRow:
    id: int
    reference: str
    status: str
    rights: tuple[str, ...]
    subject_name: str
    received_on: date
    due_on: date | None
    days_left: int | None
    overdue: bool
    nearly_due: bool
    assignee_id: int | None
    assignee_name: str | None
    waiting_for_team_leader: bool
    art20_4_review: bool
    possible_duplicate: bool
    # Art. 17.4: the destruction must be carried out by this day (None: nothing to carry out).
    execute_by: date | None = None
    execute_overdue: bool = False


@dataclass(frozen=True)
class QueueCounts:
    """Open requests overdue or due within 5 working days: all, and the actor's own."""

    overdue: int
    nearly_due: int
    mine_overdue: int
    mine_nearly_due: int
    # Art. 17.4: destructions still to carry out, overdue and due within 5 working days.
    execution_overdue: int = 0
    execution_nearly_due: int = 0


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int
    page_size: int
    today: date
    nearly_due_until: date
    counts: QueueCounts


def _is_open():
    """The open requests, said exactly as the partial indexes say it (models.OPEN_SQL)."""
    return text(f"request.{OPEN_SQL}")


def _copy_to_sign():
    """A reviewed copy that withholds something or shows the reporter or a protected
    address after all: a team leader signs it (copies.releasing.restrictions, in SQL)."""
    return exists().where(
        Copy.request_id == Request.id, Copy.status == Copy.REVIEWED,
        or_(exists().where(CopyEntry.copy_id == Copy.id, CopyEntry.withheld.is_(True)),
            exists().where(CopyAttachment.copy_id == Copy.id, CopyAttachment.state == CopyAttachment.WITHHELD),
            exists().where(CopyRedaction.copy_id == Copy.id, or_(
                and_(CopyRedaction.origin == CopyRedaction.STAFF, CopyRedaction.ground.in_(RESTRICTION_GROUNDS),
                     CopyRedaction.state != CopyRedaction.LIFTED),
                and_(CopyRedaction.state == CopyRedaction.LIFTED, CopyRedaction.ground.in_(SENSITIVE_LIFT_GROUNDS))))))


def _waiting_for_team_leader():
    """A decision proposed and not yet signed or sent back (art. 14.2, 20.4), a copy
    whose restriction waits for a signature, or the child's art. 20.4 question that no
    team leader has decided on yet."""
    proposed = exists().where(Decision.request_id == Request.id, Decision.state == Decision.PROPOSED)
    decided = exists().where(ParentInvolvementDecision.request_id == Request.id)
    return or_(and_(Request.art20_4_review.is_(True), ~decided), proposed, _copy_to_sign(), _item_or_check())


def _item_or_check():
    """A correction item's refusal waiting for a signature (art. 15), or a carried-out
    destruction or erasure waiting for a team leader's check (art. 17.4, 18; issue 10)."""
    refusal = exists().where(CorrectionItem.request_id == Request.id, CorrectionItem.state == "proposed")
    check = exists().where(RightAssessment.request_id == Request.id, RightAssessment.executed_on.is_not(None),
                           RightAssessment.check_state.is_(None))
    return or_(refusal, check)


def _conditions(f: QueueFilters, actor: Actor, today: date, nearly_until: date) -> list:
    if f.status == STATUS_OPEN:
        where = [_is_open()]
    elif f.status == STATUS_ALL:
        where = [Request.status.in_(_IN_QUEUE)]
    else:
        where = [Request.status == f.status]
    if f.right:
        where.append(exists().where(RequestedRight.request_id == Request.id, RequestedRight.right == f.right))
    if f.mine:
        where.append(Request.assignee_id == actor.staff_id)
    if f.overdue:
        where += [_is_open(), Request.earliest_due_on < today]
    if f.nearly_due:
        where += [_is_open(), Request.earliest_due_on >= today, Request.earliest_due_on <= nearly_until]
    if f.due_within is not None:
        where += [_is_open(), Request.earliest_due_on >= today,
                  Request.earliest_due_on <= today + timedelta(days=f.due_within)]
    if f.waiting_for_team_leader:
        where.append(_waiting_for_team_leader())
    if f.waiting_for_requester:
        where.append(Request.status == RequestStatus.WAITING_FOR_REQUESTER.value)
    return where


def page_query(f: QueueFilters, actor: Actor, today: date, nearly_until: date):
    """The SELECT of one page: requests with their subject's name and assignee."""
    order = ((Request.earliest_due_on, Request.id) if f.sort == "due" else (Request.received_on, Request.id))
    return (
        select(Request.id, Request.reference, Request.status, Request.received_on, Request.earliest_due_on,
               Request.assignee_id, Request.art20_4_review, Request.possible_duplicate_of,
               Party.given_names, Party.surname, Staff.display_name)
        .select_from(Request)
        .outerjoin(Party, and_(Party.request_id == Request.id, Party.is_subject.is_(True)))
        .outerjoin(Staff, Staff.id == Request.assignee_id)
        .where(*_conditions(f, actor, today, nearly_until))
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset((f.page - 1) * PAGE_SIZE)
    )


def counts(actor: Actor, today: date, nearly_until: date) -> QueueCounts:
    """One pass over the open requests (index on status and earliest_due_on)."""
    late = Request.earliest_due_on < today
    soon = and_(Request.earliest_due_on >= today, Request.earliest_due_on <= nearly_until)
    mine = Request.assignee_id == actor.staff_id
    one = lambda cond: func.coalesce(func.sum(case((cond, 1), else_=0)), 0)  # noqa: E731
    row = db.session.execute(
        select(one(late), one(soon), one(and_(mine, late)), one(and_(mine, soon)))
        .where(_is_open(), Request.earliest_due_on <= nearly_until)
    ).one()
    return QueueCounts(*(int(x) for x in row), *execution_watch.counts(today, nearly_until))


def queue_page(actor: Actor, filters: QueueFilters, *, today: date | None = None) -> QueuePage:
    """One page of the queue (50 rows), with the counts at the top. Writes one
    access-log entry, "queue.view", without content (art. 7.5)."""
    require(actor, Permission.QUEUE_VIEW, object_type="queue")
    filters.check()
    today = today or today_local()
    nearly_until = deadlines.working_days_after(today, NEARLY_DUE_WORKING_DAYS)
    rows = db.session.execute(page_query(filters, actor, today, nearly_until)).all()
    total = db.session.execute(
        select(func.count()).select_from(Request).where(*_conditions(filters, actor, today, nearly_until))
    ).scalar_one()
    ids = [r.id for r in rows]
    rights: dict[int, list[str]] = {i: [] for i in ids}
    waiting_tl: set[int] = set()
    if ids:
        for request_id, right in db.session.execute(
            select(RequestedRight.request_id, RequestedRight.right)
            .where(RequestedRight.request_id.in_(ids)).order_by(RequestedRight.id)
        ):
            rights[request_id].append(right)
        waiting_tl = set(db.session.execute(
            select(Decision.request_id).where(Decision.request_id.in_(ids), Decision.state == Decision.PROPOSED).distinct()
        ).scalars())
        waiting_tl |= set(db.session.execute(
            select(Request.id).where(Request.id.in_(ids), or_(_copy_to_sign(), _item_or_check()))).scalars())
        art20_4_asked = [r.id for r in rows if r.art20_4_review]
        if art20_4_asked:
            decided = set(db.session.execute(
                select(ParentInvolvementDecision.request_id)
                .where(ParentInvolvementDecision.request_id.in_(art20_4_asked)).distinct()
            ).scalars())
            waiting_tl |= set(art20_4_asked) - decided
    execute_by = execution_watch.execution_deadlines(ids)
    out = []
    for r in rows:
        is_open = r.status in _OPEN
        due = r.earliest_due_on
        out.append(QueueRow(
            id=r.id, reference=r.reference, status=r.status, rights=tuple(rights[r.id]),
            subject_name=" ".join(x for x in (r.given_names, r.surname) if x),
            received_on=r.received_on, due_on=due, days_left=(due - today).days if due else None,
            overdue=bool(is_open and due and due < today),
            nearly_due=bool(is_open and due and today <= due <= nearly_until),
            assignee_id=r.assignee_id, assignee_name=r.display_name,
            waiting_for_team_leader=r.id in waiting_tl,
            art20_4_review=bool(r.art20_4_review), possible_duplicate=r.possible_duplicate_of is not None,
            execute_by=execute_by.get(r.id), execute_overdue=bool(execute_by.get(r.id) and execute_by[r.id] < today),
        ))
    page_counts = counts(actor, today, nearly_until)
    audit.record("queue.view", actor=actor.label, actor_role=actor.role.value, object_type="queue", reason="queue")
    db.session.commit()
    return QueuePage(out, total, filters.page, max(1, -(-total // PAGE_SIZE)), PAGE_SIZE, today, nearly_until,
                     page_counts)


# --- the daily digest ------------------------------------------------------------------------

@dataclass(frozen=True)
class DigestResult:
    sent: int
    failed: int
    without_address: int


def _backoffice_url(endpoint: str, **values) -> str:
    base = current_app.config.get("BACKOFFICE_BASE_URL") or current_app.config["PUBLIC_BASE_URL"]
    adapter = current_app.url_map.bind("localhost", script_name=current_app.config.get("APPLICATION_ROOT") or "/")
    return base.rstrip("/") + adapter.build(endpoint, values)


def send_digest(*, today: date | None = None) -> DigestResult:
    """The daily digest (portal/services/tasks.py, `flask digest send`): to each assignee the
    number of their open requests that are overdue or due within 5 working days, and
    to every team leader the same for all open requests, each with a link to the
    queue filtered that way. Counts only: no names, no references, nothing about
    anyone. Nothing is sent to someone for whom every count is zero, or who may not
    see the queue. One access-log entry records how many e-mails went out."""
    today = today or today_local()
    nearly_until = deadlines.working_days_after(today, NEARLY_DUE_WORKING_DAYS)
    late = Request.earliest_due_on < today
    soon = and_(Request.earliest_due_on >= today, Request.earliest_due_on <= nearly_until)
    one = lambda cond: func.coalesce(func.sum(case((cond, 1), else_=0)), 0)  # noqa: E731
    per_assignee = {
        staff_id: (int(n_late), int(n_soon))
        for staff_id, n_late, n_soon in db.session.execute(
            select(Request.assignee_id, one(late), one(soon))
            .where(_is_open(), Request.earliest_due_on <= nearly_until, Request.assignee_id.is_not(None))
            .group_by(Request.assignee_id)
        )
    }
    all_late, all_soon = (int(x) for x in db.session.execute(
        select(one(late), one(soon)).where(_is_open(), Request.earliest_due_on <= nearly_until)).one())
    staff = db.session.execute(
        select(Staff).where(Staff.active.is_(True),
                            or_(Staff.role == Role.TEAM_LEADER.value,
                                Staff.id.in_(list(per_assignee)) if per_assignee else false()))
        .order_by(Staff.id)
    ).scalars().all()
    waiting_signature = inbox.count_all()
    execution = execution_watch.counts(today, nearly_until)
    links = {
        "to_sign": _backoffice_url("backoffice.inbox"),
        "execution": _backoffice_url("backoffice.queue", right="vernietiging", status="all"),
        "mine_overdue": _backoffice_url("backoffice.queue", mine=1, overdue=1),
        "mine_nearly_due": _backoffice_url("backoffice.queue", mine=1, nearly_due=1),
        "all_overdue": _backoffice_url("backoffice.queue", overdue=1),
        "all_nearly_due": _backoffice_url("backoffice.queue", nearly_due=1),
    }
    sent = failed = without = 0
    for member in staff:
        if not can(Actor.of(member, second_factor=True), Permission.QUEUE_VIEW):
            continue
        mine = per_assignee.get(member.id, (0, 0))
        team = (all_late, all_soon) if member.role == Role.TEAM_LEADER.value else None
        destroy = execution if member.role == Role.TEAM_LEADER.value and any(execution) else None
        to_sign = waiting_signature if can(Actor.of(member, second_factor=True), Permission.DECISION_SIGN) else 0
        if not any(mine) and not (team and any(team)) and not to_sign and not destroy:
            continue
        if not member.email:
            without += 1
            continue
        try:
            mail.send(member.email, "digest", "nl", mine=mine if any(mine) else None, team=team, links=links,
                      working_days=NEARLY_DUE_WORKING_DAYS, to_sign=to_sign, destroy=destroy)
            sent += 1
        except mail.MailError:
            failed += 1
    audit.record("digest.send", actor="system", actor_role="system", object_type="queue",
                 reason=f"daily digest: {sent} sent, {failed} failed, {without} without address")
    db.session.commit()
    return DigestResult(sent, failed, without)
