"""The management report (privacy officer, team leaders): per month of receipt and per
right, how many were received, answered, answered on time, still open and overdue,
extended, refused or restricted (per ground), and how long an answer took on average.
As a table (backoffice/reports.py), a simple bar chart (server-rendered SVG) and CSV.

Counts only: no reference, no name, nothing from a case. That is why the privacy
officer, who may never see case content, may read it (Permission.REPORTS_VIEW).
Reading it is logged ("report.view", "report.export"), with the period and nothing else.

What is counted (the definitions the page explains in plain words):

* Unit: one *requested right* (RequestedRight). A request for inzage and afschrift
  counts once under inzage and once under afschrift. The totals also give the number of
  distinct requests.
* Which requests: those that reached the queue (not "awaiting e-mail" or "awaiting the
  second person"), with ``received_on`` in the period: from the first day of the first
  month to the last day of the last month. Grouped by the calendar month of
  ``received_on`` (a date, Europe/Amsterdam, as stored), computed in Python, so the
  same code runs on SQLite and PostgreSQL.
* Due date: the extension's ``new_due_on`` when the right was extended (AVG 12(3)),
  otherwise ``RequestedRight.due_on``.
* Answer date of a right: the Europe/Amsterdam date of the *first* signing of a decision
  on that right (``Decision.reviewed_at`` of a decision now signed or replaced: a later
  decision that replaces it does not move the date on which the requester was
  answered). A right without any signed decision counts as answered on
  ``RequestedRight.answered_on`` (afschrift and inzage: the day the copy was released,
  handed over or shown, portal/services/answers.py), else on
  ``Request.answered_on`` when that is set (the request was answered as a whole, for
  example before decisions were kept per right); otherwise it is not answered.
* Answered on time: answer date on or before the due date. Answered late: the rest of
  the answered ones.
* Open and overdue: not answered, the request still open (received, in progress,
  waiting for the requester) and the due date before today (Europe/Amsterdam). A
  request closed or withdrawn without an answer is neither.
* Extended: the right has an Extension.
* Refused / restricted: the decision that stands now (state signed) says "refuse" /
  "grant_in_part" (a grant in part is a restriction); without a decision, a copy
  whose restriction a team leader signed counts as restricted (without a ground here). Per ground: each ground that
  decision names counts once, so a decision with two grounds counts under both (the
  ground counts can add up to more than refused + restricted).
* Average days to answer: calendar days from ``received_on`` to the answer date,
  averaged over the answered rights. Totals are weighted (all days / all answered), not
  an average of averages. None when nothing was answered.

Queries: a fixed number, whatever the number of requests: one for the rights (with the
request and any extension), one for the signed and replaced decisions of the same
requests; both are walked once.
"""
from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from xml.sax.saxutils import escape as _xml_escape
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from sqlalchemy import and_, select

from ..infra.extensions import db
from ..labels import RIGHT_NAMES
from ..models import Decision, Extension, Request, RequestedRight
from ..rules.grounds import Ground, Outcome
from ..rules.permissions import Permission
from ..rules.rights import Right
from ..rules.status import BEFORE_QUEUE, OPEN
from . import audit
from .access_log import csv_cell
from .authz import Actor, require
from .errors import DomainError
from .timeline import today_local

#: The longest period one report covers.
MAX_MONTHS = 36

_BEFORE_QUEUE = [s.value for s in BEFORE_QUEUE]
_OPEN = frozenset(s.value for s in OPEN)
_RIGHTS = [r.value for r in Right]
_GROUNDS = [g.value for g in Ground]


class ReportError(DomainError):
    """A period the report cannot cover: "range_reversed" or "range_too_long"."""


# --- the numbers ------------------------------------------------------------------------------


@dataclass
class Counts:
    """The numbers of one cell of the report: a (month, right), a right over the whole
    period, a month over all rights, or everything."""

    received: int = 0
    answered: int = 0
    on_time: int = 0
    overdue_open: int = 0
    extended: int = 0
    refused: int = 0
    restricted: int = 0
    days_total: int = 0  # sum of the days to answer, over the answered ones
    #: ground -> [refused, restricted]
    grounds: dict[str, list[int]] = field(default_factory=dict)

    @property
    def late(self) -> int:
        return self.answered - self.on_time

    @property
    def average_days(self) -> float | None:
        return round(self.days_total / self.answered, 1) if self.answered else None

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.on_time / self.answered) if self.answered else None

    def add(self, other: "Counts") -> None:
        for name in ("received", "answered", "on_time", "overdue_open", "extended", "refused", "restricted",
                     "days_total"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for ground, (refused, restricted) in other.grounds.items():
            mine = self.grounds.setdefault(ground, [0, 0])
            mine[0] += refused
            mine[1] += restricted

    def grounds_in_order(self) -> list[tuple[str, int, int]]:
        """(ground, refused, restricted) in catalogue order (a code no longer in the
        catalogue last), only the ones used."""
        known = [g for g in _GROUNDS if g in self.grounds]
        return [(g, *self.grounds[g]) for g in known + sorted(set(self.grounds) - set(known))]


@dataclass
class Row:
    month: date  # the first day of the month of receipt
    right: str
    counts: Counts


@dataclass
class MonthTotal:
    month: date
    counts: Counts


@dataclass
class Report:
    date_from: date  # first day of the first month
    date_to: date  # last day of the last month
    today: date  # "overdue" is as of this day
    months: list[MonthTotal]  # every month of the period, also the empty ones
    rows: list[Row]  # (month, right) with at least one received, by month then right
    by_right: dict[str, Counts]  # every right with at least one received, over the period
    total: Counts
    requests: int  # distinct requests
    grounds_used: list[str]  # in catalogue order

    @property
    def period(self) -> str:
        return f"{self.date_from:%Y-%m}..{self.date_to:%Y-%m}"


# --- the period -------------------------------------------------------------------------------


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def month_count(date_from: date, date_to: date) -> int:
    return _month_index(date_to) - _month_index(date_from) + 1


def check_period(date_from: date, date_to: date) -> tuple[date, date]:
    """(first day of date_from's month, last day of date_to's month), or ReportError."""
    if _month_index(date_from) > _month_index(date_to):
        raise ReportError("range_reversed")
    if month_count(date_from, date_to) > MAX_MONTHS:
        raise ReportError("range_too_long")
    start = date_from.replace(day=1)
    end = _month_start(_month_index(date_to) + 1) - timedelta(days=1)
    return start, end


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months, this one included."""
    return _month_start(_month_index(today) - 11), today.replace(day=1)


# --- building it ------------------------------------------------------------------------------


def _local_date(at: datetime, tz: ZoneInfo) -> date:
    """A stored UTC moment (naive) as a date in Europe/Amsterdam."""
    return at.replace(tzinfo=timezone.utc).astimezone(tz).date()


def _in_period(start: date, end: date):
    return and_(Request.status.not_in(_BEFORE_QUEUE), Request.received_on >= start, Request.received_on <= end)


def _build(date_from: date, date_to: date, today: date | None) -> Report:
    start, end = check_period(date_from, date_to)
    today = today or today_local()
    tz = ZoneInfo(current_app.config["TIMEZONE"])

    # Query 1: the signed (or since replaced) decisions of the requests in the period.
    first_signed: dict[tuple[int, str], date] = {}
    standing: dict[tuple[int, str], tuple[str, list[str]]] = {}
    for request_id, right, state, outcome, grounds_json, reviewed_at in db.session.execute(
        select(Decision.request_id, Decision.right, Decision.state, Decision.outcome, Decision.grounds_json,
               Decision.reviewed_at)
        .join(Request, Request.id == Decision.request_id)
        .where(_in_period(start, end), Decision.state.in_([Decision.SIGNED, Decision.REPLACED]))
        .order_by(Decision.id)
    ):
        key = (request_id, right)
        if reviewed_at is not None:
            on = _local_date(reviewed_at, tz)
            if key not in first_signed or on < first_signed[key]:
                first_signed[key] = on
        if state == Decision.SIGNED:
            try:
                grounds = [g for g in json.loads(grounds_json or "[]") if isinstance(g, str)]
            except ValueError:
                grounds = []
            standing[key] = (outcome, grounds)

    # Query 2: the requested rights, with their request and extension; one pass.
    cells: dict[tuple[date, str], Counts] = {}
    request_ids: set[int] = set()
    for (request_id, received_on, status, answered_on, right, due_on, new_due_on, right_answered_on,
         right_outcome) in db.session.execute(
        select(Request.id, Request.received_on, Request.status, Request.answered_on, RequestedRight.right,
               RequestedRight.due_on, Extension.new_due_on, RequestedRight.answered_on,
               RequestedRight.answer_outcome)
        .select_from(RequestedRight)
        .join(Request, Request.id == RequestedRight.request_id)
        .outerjoin(Extension, and_(Extension.request_id == RequestedRight.request_id,
                                   Extension.right == RequestedRight.right))
        .where(_in_period(start, end))
    ):
        key = (request_id, right)
        request_ids.add(request_id)
        c = cells.setdefault((received_on.replace(day=1), right), Counts())
        c.received += 1
        due = new_due_on or due_on
        if new_due_on is not None:
            c.extended += 1
        answer = first_signed.get(key) or right_answered_on or answered_on
        if answer is not None:
            c.answered += 1
            c.days_total += (answer - received_on).days
            if due is None or answer <= due:
                c.on_time += 1
        elif status in _OPEN and due is not None and due < today:
            c.overdue_open += 1
        decided = standing.get(key)
        if decided is None and right_outcome == Outcome.GRANT_IN_PART.value:
            decided = (right_outcome, [])  # a copy whose restriction a team leader signed
        if decided is not None and decided[0] in (Outcome.REFUSE.value, Outcome.GRANT_IN_PART.value):
            slot = 0 if decided[0] == Outcome.REFUSE.value else 1
            if slot == 0:
                c.refused += 1
            else:
                c.restricted += 1
            for ground in dict.fromkeys(decided[1]):
                c.grounds.setdefault(ground, [0, 0])[slot] += 1

    order = {r: i for i, r in enumerate(_RIGHTS)}
    rows = [Row(month, right, cells[(month, right)])
            for month, right in sorted(cells, key=lambda k: (k[0], order.get(k[1], len(order)), k[1]))]
    months = [MonthTotal(_month_start(i), Counts()) for i in range(_month_index(start), _month_index(end) + 1)]
    by_month = {m.month: m.counts for m in months}
    by_right: dict[str, Counts] = {}
    total = Counts()
    for row in rows:
        by_month[row.month].add(row.counts)
        by_right.setdefault(row.right, Counts()).add(row.counts)
        total.add(row.counts)
    by_right = dict(sorted(by_right.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
    grounds_used = [g for g in _GROUNDS if g in total.grounds] + sorted(set(total.grounds) - set(_GROUNDS))
    return Report(start, end, today, months, rows, by_right, total, len(request_ids), grounds_used)


def _log(actor: Actor, action: str, report: Report) -> None:
    audit.record(action, actor=actor.label, actor_role=actor.role.value, object_type="report",
                 object_id="monthly", reason=f"monthly report {report.period}")
    db.session.commit()


def monthly_report(actor: Actor, date_from: date, date_to: date, *, today: date | None = None) -> Report:
    """The report for the months of date_from up to and including the month of date_to
    (at most MAX_MONTHS; ReportError "range_reversed" / "range_too_long"). Logged as
    "report.view" with the period only."""
    require(actor, Permission.REPORTS_VIEW, object_type="report")
    report = _build(date_from, date_to, today)
    _log(actor, "report.view", report)
    return report


# --- words ------------------------------------------------------------------------------------


def right_label(code: str) -> str:
    return str(RIGHT_NAMES.get(code, code))


def ground_label(code: str) -> str:
    try:
        ground = Ground(code)
    except ValueError:
        return code
    lang = str(get_locale() or "nl")[:2]
    return f"{ground.label(lang)} ({ground.article(lang)})"


def month_label(month: date) -> str:
    return format_date(month, "MMMM y")


# --- CSV --------------------------------------------------------------------------------------


def _csv_header() -> list[str]:
    head = [_("Maand"), _("Recht"), _("Ontvangen"), _("Beantwoord"), _("Op tijd beantwoord"),
            _("Te laat beantwoord"), _("Open en te laat"), _("Verlengd"), _("Afgewezen"), _("Beperkt"),
            _("Dagen tot antwoord (gemiddeld)")]
    for g in _GROUNDS:
        head += [_("Afgewezen, grond: %(ground)s", ground=g), _("Beperkt, grond: %(ground)s", ground=g)]
    return head


def _csv_row(month: str, right: str, c: Counts) -> list:
    row = [month, right, c.received, c.answered, c.on_time, c.late, c.overdue_open, c.extended, c.refused,
           c.restricted, "" if c.average_days is None else f"{c.average_days:.1f}"]
    for g in _GROUNDS:
        row += c.grounds.get(g, [0, 0])
    return row


def report_csv(actor: Actor, date_from: date, date_to: date, *, today: date | None = None) -> str:
    """The report as CSV: a row per (month, right), then a total per right and the total
    of everything. Months as YYYY-MM; one pair of columns per ground (codes of
    rules.grounds.Ground). Every cell passes the formula guard of the access-log export.
    Logged as "report.export" with the period only."""
    require(actor, Permission.REPORTS_VIEW, object_type="report")
    report = _build(date_from, date_to, today)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(h) for h in _csv_header()])
    for row in report.rows:
        writer.writerow([csv_cell(v) for v in _csv_row(f"{row.month:%Y-%m}", right_label(row.right), row.counts)])
    everything = _("Totaal")
    for right, counts in report.by_right.items():
        writer.writerow([csv_cell(v) for v in _csv_row(everything, right_label(right), counts)])
    writer.writerow([csv_cell(v) for v in _csv_row(everything, _("Alle rechten"), report.total)])
    _log(actor, "report.export", report)
    return out.getvalue()


# --- the chart (SVG) --------------------------------------------------------------------------

SVG_RECEIVED = "#01689b"
SVG_ON_TIME = "#39870c"
_GROUP_MIN, _GROUP_MAX = 28, 64  # width of one month: 36 months still fit the back office's 80rem page


def _esc(text) -> str:
    """Text for an SVG element or attribute: &, <, > and both quotes escaped."""
    return _xml_escape(str(text), {'"': "&quot;", "'": "&apos;"})


def _nice_scale(top: int) -> tuple[int, int]:
    """(maximum of the axis, step between the grid lines): 1, 2 or 5 times a power of ten."""
    top = max(top, 1)
    rough = top / 4
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    step = max(int(step), 1)
    return step * math.ceil(top / step), step


def report_svg(report: Report) -> str:
    """A bar chart: per month of receipt, the rights received and those answered on
    time. Self-contained markup: role="img" with <title> and <desc>, every text escaped,
    no script, no style element, no link or external reference (presentation attributes
    only, so the CSP's style-src does not stop it)."""
    months = report.months
    left, right, top, bottom = 56, 16, 56, 72
    height = 340
    plot_h = height - top - bottom
    group = max(_GROUP_MIN, min(_GROUP_MAX, 800 // max(len(months), 1)))
    bar = (group - 6) // 2
    width = left + group * len(months) + right
    axis_max, step = _nice_scale(max((m.counts.received for m in months), default=0))

    def y(value: int) -> float:
        return top + plot_h - plot_h * value / axis_max

    title = _("Ontvangen en op tijd beantwoord, per maand")
    desc = _("Staafdiagram per maand van ontvangst, van %(start)s tot en met %(end)s. Per maand twee staven: "
             "het aantal ontvangen verzoeken (per recht) en hoeveel daarvan op tijd zijn beantwoord. "
             "In totaal %(received)s ontvangen en %(on_time)s op tijd beantwoord. "
             "De cijfers staan ook in de tabel.",
             start=month_label(report.date_from), end=month_label(report.date_to.replace(day=1)),
             received=report.total.received, on_time=report.total.on_time)
    received_word, on_time_word = _("Ontvangen"), _("Op tijd beantwoord")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bo-chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="report-chart-title report-chart-desc" '
        f'font-family="sans-serif" font-size="12">',
        f'<title id="report-chart-title">{_esc(title)}</title>',
        f'<desc id="report-chart-desc">{_esc(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    # The legend.
    out += [
        f'<rect x="{left}" y="14" width="14" height="14" fill="{SVG_RECEIVED}"/>',
        f'<text x="{left + 20}" y="26" fill="#000000">{_esc(received_word)}</text>',
        f'<rect x="{left + 140}" y="14" width="14" height="14" fill="{SVG_ON_TIME}"/>',
        f'<text x="{left + 160}" y="26" fill="#000000">{_esc(on_time_word)}</text>',
    ]
    # The grid and the axis numbers.
    for value in range(0, axis_max + 1, step):
        gy = f"{y(value):.1f}"
        out.append(f'<line x1="{left}" y1="{gy}" x2="{width - right}" y2="{gy}" stroke="#cccccc" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{gy}" dy="4" text-anchor="end" fill="#000000">{value}</text>')
    # The bars and the month labels.
    for i, m in enumerate(months):
        x0 = left + i * group + (group - 2 * bar - 2) / 2
        label = month_label(m.month)
        for offset, value, colour, word in ((0, m.counts.received, SVG_RECEIVED, received_word),
                                            (bar + 2, m.counts.on_time, SVG_ON_TIME, on_time_word)):
            by = y(value)
            out.append(
                f'<rect x="{x0 + offset:.1f}" y="{by:.1f}" width="{bar}" height="{top + plot_h - by:.1f}" '
                f'fill="{colour}"><title>{_esc(f"{label}: {word.lower()} {value}")}</title></rect>')
        lx, ly = left + i * group + group / 2, top + plot_h + 12
        out.append(f'<text x="{lx:.1f}" y="{ly}" text-anchor="end" fill="#000000" '
                   f'transform="rotate(-45 {lx:.1f} {ly})">{_esc(format_date(m.month, "MMM y"))}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" '
               f'stroke="#000000" stroke-width="1"/>')
    out.append("</svg>")
    return "\n".join(out)
