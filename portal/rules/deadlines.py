"""When an answer is due (art. 15, 17, 18; AVG 12(3)) and the Algemene termijnenwet.

Nominal periods, counted from the day the request is received:

| right                              | period                   | source          |
|------------------------------------|--------------------------|-----------------|
| inzage, afschrift, eigen verklaring| one calendar month       | AVG 12(3)       |
| correctie                          | 4 weeks = 28 days        | art. 15         |
| vernietiging (answer)              | 4 weeks = 28 days        | art. 17.2       |
| vernietiging (carried out)         | three calendar months    | art. 17.4       |
| gegevenswissing                    | 4 weeks = 28 days        | art. 18.1       |
| extension (inzage, afschrift only) | two further months       | AVG 12(3)       |

A calendar month ends on the same day number of the next month, or on that month's
last day if it has no such day (31 January + one month = 28 or 29 February;
``dateutil.relativedelta``).

Then the Algemene termijnenwet (Atw): a period that ends on a Saturday, Sunday or
generally recognised holiday is extended to the next day that is none of these (art. 1
lid 1). The holidays are listed in art. 3: lid 1 New Year's Day, Easter Monday, Whit
Monday, both Christmas days, Ascension Day, the day the King's birthday is celebrated and
5 May (every year); lid 2 Good Friday; lid 3 days equated by decree (``EQUATED_DAYS``).

The day the clock starts (EDPB guidelines 01/2022) is decided and recorded per request
by the service layer; the functions here take that day as ``received_on``.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

from .rights import Right

# --- periods ------------------------------------------------------------------------

ONE_MONTH = relativedelta(months=1)  # AVG 12(3)
FOUR_WEEKS = timedelta(days=28)  # art. 15, art. 17.2, art. 18.1
EXTENSION = relativedelta(months=2)  # AVG 12(3): "by two further months"
DESTRUCTION_PERIOD = relativedelta(months=3)  # art. 17.4

#: Right -> (period, source) of the first answer.
ANSWER_PERIODS: dict[Right, tuple[relativedelta | timedelta, str]] = {
    Right.ACCESS: (ONE_MONTH, "AVG 12(3): one month"),
    Right.COPY: (ONE_MONTH, "AVG 12(3): one month"),
    Right.OWN_STATEMENT: (ONE_MONTH, "AVG 12(3): one month"),
    Right.RECTIFICATION: (FOUR_WEEKS, "art. 15: four weeks"),
    Right.DESTRUCTION: (FOUR_WEEKS, "art. 17.2: four weeks"),
    Right.ERASURE: (FOUR_WEEKS, "art. 18.1: four weeks"),
}

#: Rights whose answer may be extended by two months (AVG 12(3)), as DOMAIN.md sets it.
EXTENDABLE_RIGHTS: frozenset[Right] = frozenset({Right.ACCESS, Right.COPY})

ATW_BASIS = "Algemene termijnenwet art. 1 lid 1"

# --- the Atw holiday calendar ---------------------------------------------------------

#: Days equated with a generally recognised holiday by decree (Atw art. 3 lid 3),
#: published in the Staatscourant, usually for three years at a time. Add each new
#: decree here (or pass ``extra_days`` to the functions below). Source for these dates:
#: the titles of the decrees as quoted by mr. W.G.H.M. van der Putten, sterfgeval.nl,
#: question 70745 (4 October 2025): "Besluit gelijkstelling van 28 april 2023, 19 mei
#: 2023, 10 mei 2024, 27 december 2024 en 30 mei 2025 met een algemeen erkende
#: feestdag" and "Besluit gelijkstelling van 2 januari 2026, 15 mei 2026, 7 mei 2027,
#: 28 april 2028 en 26 mei 2028 met een algemeen erkende feestdag". Check against the
#: Staatscourant before relying on them; empty this to ignore decrees altogether.
EQUATED_DAYS: frozenset[date] = frozenset(
    {
        date(2023, 4, 28),
        date(2023, 5, 19),
        date(2024, 5, 10),
        date(2024, 12, 27),
        date(2025, 5, 30),
        date(2026, 1, 2),
        date(2026, 5, 15),
        date(2027, 5, 7),
        date(2028, 4, 28),
        date(2028, 5, 26),
    }
)
EQUATED_DAY_LABEL = "gelijkgestelde dag (Atw art. 3 lid 3)"

#: holidays.NL (English names) -> label, for the days that are in Atw art. 3.
_ATW_FROM_HOLIDAYS_NL: dict[str, str] = {
    "New Year's Day": "Nieuwjaarsdag (Atw art. 3 lid 1)",
    "Good Friday": "Goede Vrijdag (Atw art. 3 lid 2)",
    "Easter Monday": "Tweede Paasdag (Atw art. 3 lid 1)",
    "King's Day": "Koningsdag (Atw art. 3 lid 1)",
    "Queen's Day": "Koninginnedag (Atw art. 3 lid 1)",
    "Liberation Day": "5 mei (Atw art. 3 lid 1)",
    "Ascension Day": "Hemelvaartsdag (Atw art. 3 lid 1)",
    "Pentecost Monday": "Tweede Pinksterdag (Atw art. 3 lid 1)",
    "Whit Monday": "Tweede Pinksterdag (Atw art. 3 lid 1)",
    "Christmas Day": "Eerste Kerstdag (Atw art. 3 lid 1)",
    "Second Day of Christmas": "Tweede Kerstdag (Atw art. 3 lid 1)",
}
#: holidays.NL days that are not in Atw art. 3 (they are Sundays anyway).
_NOT_ATW_IN_HOLIDAYS_NL: frozenset[str] = frozenset({"Easter Sunday", "Pentecost", "Whit Sunday"})
FIFTH_OF_MAY_LABEL = "5 mei (Atw art. 3 lid 1)"


@lru_cache(maxsize=256)
def _statutory_holidays(year: int) -> tuple[tuple[date, str], ...]:
    """Atw art. 3 lid 1-2 days of ``year`` plus ``EQUATED_DAYS``, from holidays.NL."""
    found: dict[date, str] = {}
    for day, name in holidays.NL(years=year, language="en_US").items():
        for part in str(name).split("; "):  # the package joins two names on one day with "; "
            label = _ATW_FROM_HOLIDAYS_NL.get(part)
            # A name the package adds in a later version is left out, not guessed at:
            # leaving a day out can only make a deadline earlier, never later.
            # tests/unit/test_deadlines.py fails on such a name so that it is noticed.
            if label is not None:
                found.setdefault(day, label)
    # Atw art. 3 lid 1 names 5 May for every year; holidays.NL only every fifth year.
    found.setdefault(date(year, 5, 5), FIFTH_OF_MAY_LABEL)
    for day in EQUATED_DAYS:
        if day.year == year:
            found.setdefault(day, EQUATED_DAY_LABEL)
    return tuple(sorted(found.items()))


def atw_holidays(year: int, *, extra_days: Iterable[date] = ()) -> dict[date, str]:
    """The generally recognised holidays of ``year`` and their labels (Atw art. 3).

    Lid 1: New Year's Day, Easter Monday, Whit Monday, both Christmas days, Ascension
    Day, the day the King's birthday is celebrated, 5 May (every year). Lid 2: Good
    Friday. Lid 3: days equated by decree (``EQUATED_DAYS`` plus ``extra_days``).
    Easter Sunday and Whit Sunday are not listed (they are Sundays).
    """
    result = dict(_statutory_holidays(year))
    for day in extra_days:
        if day.year == year:
            result.setdefault(day, EQUATED_DAY_LABEL)
    return dict(sorted(result.items()))


def is_atw_holiday(d: date, *, extra_days: Iterable[date] = ()) -> bool:
    """True when ``d`` is a generally recognised holiday or an equated day (Atw art. 3)."""
    return d in atw_holidays(d.year, extra_days=extra_days)


def why_not_a_working_day(d: date, *, extra_days: Iterable[date] = ()) -> str | None:
    """Why a period may not end on ``d`` (Atw art. 1 lid 1), or None if it may.

    Saturday, Sunday, or the holiday's label from ``atw_holidays``.
    """
    label = atw_holidays(d.year, extra_days=extra_days).get(d)
    if label is not None:
        return label
    if d.weekday() == 5:
        return "zaterdag (Atw art. 1 lid 1)"
    if d.weekday() == 6:
        return "zondag (Atw art. 1 lid 1)"
    return None


def _move_forward(d: date, extra_days: frozenset[date]) -> tuple[date, tuple[str, ...]]:
    reasons: list[str] = []
    while (why := why_not_a_working_day(d, extra_days=extra_days)) is not None:
        reasons.append(f"{d.isoformat()}: {why}")
        d += timedelta(days=1)
    return d, tuple(reasons)


def next_working_day_on_or_after(d: date, *, extra_days: Iterable[date] = ()) -> date:
    """``d`` itself, or the first later day that is not a Saturday, Sunday or Atw holiday.

    This is where a period that nominally ends on ``d`` really ends (Atw art. 1 lid 1).
    "Working day" means only that: an equated day (art. 3 lid 3) is not a working day
    here, even though offices may be open.
    """
    return _move_forward(d, frozenset(extra_days))[0]


def working_days_after(d: date, n: int, *, extra_days: Iterable[date] = ()) -> date:
    """The ``n``-th working day after ``d`` (``d`` itself not counted), in the sense of
    ``next_working_day_on_or_after``: not a Saturday, Sunday or Atw holiday.

    The back office calls a request "nearly due" when its due date is no later than
    ``working_days_after(today, 5)`` (portal/services/queue.py). Raises ``ValueError``
    for a negative ``n``; ``n == 0`` gives ``d``.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    extra = frozenset(extra_days)
    for _ in range(n):
        d = _move_forward(d + timedelta(days=1), extra)[0]
    return d


# --- deadlines --------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A deadline with its reasoning, to be recorded with the request.

    nominal: the end of the period before the Atw (art. 15/17/18, AVG 12(3)).
    due: the last day on which the answer is in time, after Atw art. 1.
    moved_because: one entry per day skipped ("2026-12-25: Eerste Kerstdag (...)").
    kind: "answer", "extended_answer" or "destruction".
    basis: the rule and its source, in words.
    """

    right: Right
    received_on: date
    nominal: date
    due: date
    moved_because: tuple[str, ...] = ()
    kind: str = "answer"
    basis: str = ""

    @property
    def moved(self) -> bool:
        """True when Atw art. 1 moved the deadline past its nominal day."""
        return self.due != self.nominal


def _make(right: Right, received_on: date, nominal: date, kind: str, basis: str, extra_days: Iterable[date]) -> Deadline:
    due, reasons = _move_forward(nominal, frozenset(extra_days))
    return Deadline(right, received_on, nominal, due, reasons, kind, f"{basis}; {ATW_BASIS}")


def nominal_due(right: Right, received_on: date) -> date:
    """The end of the answer period before the Atw (art. 15, 17.2, 18.1; AVG 12(3))."""
    period, _ = ANSWER_PERIODS[Right(right)]
    return received_on + period


def deadline(right: Right, received_on: date, *, extra_days: Iterable[date] = ()) -> Deadline:
    """The answer deadline for ``right`` with its reasoning (art. 15, 17.2, 18.1; AVG 12(3); Atw art. 1)."""
    right = Right(right)
    _, basis = ANSWER_PERIODS[right]
    return _make(right, received_on, nominal_due(right, received_on), "answer", basis, extra_days)


def due_date(right: Right, received_on: date, *, extra_days: Iterable[date] = ()) -> date:
    """The last day to answer a request for ``right`` received on ``received_on``.

    One calendar month for inzage, afschrift and eigen verklaring (AVG 12(3)); 28 days
    for correctie (art. 15), vernietiging (art. 17.2) and gegevenswissing (art. 18.1);
    then moved past Saturdays, Sundays and holidays (Atw art. 1 lid 1, art. 3).
    """
    return deadline(right, received_on, extra_days=extra_days).due


def extended_deadline(right: Right, received_on: date, *, extra_days: Iterable[date] = ()) -> Deadline:
    """The deadline after the two-month extension of AVG 12(3), with its reasoning.

    Only for inzage and afschrift (``EXTENDABLE_RIGHTS``); raises ``ValueError`` for
    any other right. The whole period is then three calendar months from receipt
    (one month plus two further months), moved under Atw art. 1.
    """
    right = Right(right)
    if right not in EXTENDABLE_RIGHTS:
        raise ValueError(f"the deadline for {right.value} cannot be extended")
    nominal = received_on + (ONE_MONTH + EXTENSION)  # three months counted from receipt
    return _make(right, received_on, nominal, "extended_answer", "AVG 12(3): one month plus two further months", extra_days)


def extended_due(right: Right, received_on: date, *, extra_days: Iterable[date] = ()) -> date:
    """The last day to answer after an extension under AVG 12(3) (inzage, afschrift only)."""
    return extended_deadline(right, received_on, extra_days=extra_days).due


def can_extend(right: Right, received_on: date, today: date, *, extra_days: Iterable[date] = ()) -> bool:
    """May the deadline still be extended today (AVG 12(3))?

    Only for inzage and afschrift, and only while the first deadline has not passed
    (the requester must be told, with reasons, within the first month): ``today`` up to
    and including ``due_date(right, received_on)``. Raises ``ValueError`` when ``today``
    is before ``received_on``.
    """
    right = Right(right)
    if today < received_on:
        raise ValueError("today is before the day the request was received")
    if right not in EXTENDABLE_RIGHTS:
        return False
    return today <= due_date(right, received_on, extra_days=extra_days)


def destruction_deadline(received_on: date, *, extra_days: Iterable[date] = ()) -> Deadline:
    """The day by which granted destruction must be carried out, with reasoning (art. 17.4)."""
    nominal = received_on + DESTRUCTION_PERIOD
    return _make(Right.DESTRUCTION, received_on, nominal, "destruction", "art. 17.4: three months", extra_days)


def destruction_due(received_on: date, *, extra_days: Iterable[date] = ()) -> date:
    """The last day to destroy the data: three months after receipt (art. 17.4), Atw applied.

    The answer itself is due earlier: ``due_date(Right.DESTRUCTION, ...)``, 28 days (art. 17.2).
    """
    return destruction_deadline(received_on, extra_days=extra_days).due
