"""How long a dossier is kept: art. 9 of the Privacyreglement Veilig Thuis (2018).

Art. 9.1: "vijftien jaar, te rekenen vanaf het jaar waarin Veilig Thuis de
gegevensverwerking in verband met de melding heeft afgesloten". The term is counted
in whole calendar years from the year VT closed the case: closed in 2025, kept
through 31 December 2040 (2025 + 15), destroyed from 1 January 2041.

Art. 9.1, second and third sentence: the term "moet worden verlengd indien bij het
einde van deze bewaartermijn het jongste kind in het gezin ... nog geen achttien jaar
oud is", and then runs "tot en met het jaar waarin dit jongste kind achttien jaar oud
is geworden". At the end of the term (31 December of the last year) the youngest child
is not yet 18 exactly when they turn 18 in a later year; the term then runs through
the END of the year in which they turn 18. A child who turns 18 in the last year of the
term itself (even on 31 December) is 18 at its end: no extension.

Art. 9.2: a team leader may extend the term further, with written reasons. An
extension to a year the term already reaches changes nothing (it is listed, marked
"no effect"). Art. 9 has no way to shorten the term.

Art. 9.3: destruction is by a certified company or by anonymisation (the service
layer, portal/services/destruction/execution.py, records which).

"The youngest child in the family": the caller passes the household members the
dossier knows (``household``: person id and birth date). Children born after the
dossier was closed are not in it. A household member without a birth date cannot be
counted: each one is listed (``BIRTH_DATE_UNKNOWN``) so that staff check by hand.

Pure: no Flask, no database. Every step of the calculation is returned as data
(``Retention.reasons``), for the request page and for tests.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

TERM_YEARS = 15  # art. 9.1, Wmo 2015
ADULT_AGE = 18  # art. 9.1

# Reason codes (stable: the back office shows a sentence per code).
NOT_CLOSED = "not_closed"  # art. 9.1: the term starts when VT closes the case
BASE = "base"  # art. 9.1: closing year + 15
YOUNGEST_CHILD = "youngest_child"  # art. 9.1: extended to the year the youngest turns 18
YOUNGEST_CHILD_NO_EFFECT = "youngest_child_no_effect"  # the youngest is 18 by the end of the term
BIRTH_DATE_UNKNOWN = "birth_date_unknown"  # a household member without a birth date
TEAM_LEADER = "team_leader"  # art. 9.2
TEAM_LEADER_NO_EFFECT = "team_leader_no_effect"  # art. 9.2, to a year the term already reaches

ARTICLES = {
    NOT_CLOSED: "art. 9.1",
    BASE: "art. 9.1",
    YOUNGEST_CHILD: "art. 9.1",
    YOUNGEST_CHILD_NO_EFFECT: "art. 9.1",
    BIRTH_DATE_UNKNOWN: "art. 9.1",
    TEAM_LEADER: "art. 9.2",
    TEAM_LEADER_NO_EFFECT: "art. 9.2",
}


@dataclass(frozen=True)
class HouseholdMember:
    person_id: str
    birth_date: date | None


@dataclass(frozen=True)
class TeamLeaderExtension:
    """Art. 9.2: a team leader's extension to the end of ``until_year``, with reasons."""

    until_year: int
    reasons: str
    decided_on: date | None = None
    ref: int | None = None  # the stored row's id, for the page


@dataclass(frozen=True)
class Reason:
    """One step of the calculation. ``until_year``: the year the term runs through
    after this step (None while the term has not started)."""

    code: str
    until_year: int | None
    person_id: str | None = None
    year: int | None = None  # closing year (BASE), the year the child turns 18, the extension's year
    extension: TeamLeaderExtension | None = None

    @property
    def article(self) -> str:
        return ARTICLES[self.code]


@dataclass(frozen=True)
class Retention:
    closed_year: int | None
    base_until_year: int | None  # closing year + 15
    youngest: HouseholdMember | None  # the youngest household member with a known birth date
    child_until_year: int | None  # the year the youngest turns 18, when that extends the term
    until_year: int | None  # the term runs through 31 December of this year
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def running(self) -> bool:
        """The term has started (VT closed the case)."""
        return self.until_year is not None

    @property
    def keep_until(self) -> date | None:
        """The last day the dossier is kept (art. 9.1: "tot en met het jaar")."""
        return date(self.until_year, 12, 31) if self.until_year is not None else None

    @property
    def destroy_from(self) -> date | None:
        """The first day the dossier is due for destruction (art. 9.3)."""
        return date(self.until_year + 1, 1, 1) if self.until_year is not None else None

    @property
    def unknown_birth_dates(self) -> tuple[str, ...]:
        return tuple(r.person_id for r in self.reasons if r.code == BIRTH_DATE_UNKNOWN and r.person_id)

    def expired(self, today: date) -> bool:
        """True from the first day after the term (never while it has not started)."""
        return self.destroy_from is not None and today >= self.destroy_from


def turns_adult_in(birth_date: date) -> int:
    """The calendar year in which someone born on ``birth_date`` turns 18."""
    return birth_date.year + ADULT_AGE


def retention(closed_on: date | None, household: Sequence[HouseholdMember] = (),
              extensions: Iterable[TeamLeaderExtension] = ()) -> Retention:
    """The retention term of one dossier under art. 9, with every step as a ``Reason``.

    ``closed_on``: the day VT closed the case (None: not closed, the term has not
    started). ``household``: the household members the dossier names (the youngest
    of them is "het jongste kind"). ``extensions``: the team leaders' extensions
    (art. 9.2), in the order they were decided.
    """
    reasons: list[Reason] = []
    for m in household:
        if m.birth_date is None:
            reasons.append(Reason(BIRTH_DATE_UNKNOWN, None, person_id=m.person_id))
    known = [m for m in household if m.birth_date is not None]
    # The youngest: the latest birth date (ties: the first listed).
    youngest = max(known, key=lambda m: m.birth_date, default=None)
    exts = list(extensions)

    if closed_on is None:
        reasons.insert(0, Reason(NOT_CLOSED, None))
        for ext in exts:  # recorded, but the term has not started: nothing to extend yet
            reasons.append(Reason(TEAM_LEADER_NO_EFFECT, None, year=ext.until_year, extension=ext))
        return Retention(None, None, youngest, None, None, tuple(reasons))

    closed_year = closed_on.year
    base = closed_year + TERM_YEARS
    until = base
    steps = [Reason(BASE, base, year=closed_year)]
    child_until = None
    if youngest is not None:
        adult_year = turns_adult_in(youngest.birth_date)
        if adult_year > base:
            # Not yet 18 at the end of the term (31 December of `base`): through the
            # end of the year in which they turn 18.
            child_until = until = adult_year
            steps.append(Reason(YOUNGEST_CHILD, until, person_id=youngest.person_id, year=adult_year))
        else:
            steps.append(Reason(YOUNGEST_CHILD_NO_EFFECT, until, person_id=youngest.person_id, year=adult_year))
    for ext in exts:
        if ext.until_year > until:
            until = ext.until_year
            steps.append(Reason(TEAM_LEADER, until, year=ext.until_year, extension=ext))
        else:
            steps.append(Reason(TEAM_LEADER_NO_EFFECT, until, year=ext.until_year, extension=ext))
    return Retention(closed_year, base, youngest, child_until, until, tuple(steps + reasons))
