"""Art. 9 of the Privacyreglement Veilig Thuis: how long a dossier is kept.

Art. 9.1: fifteen years, counted from the year VT closed the case (closed in 2025:
kept through 31 December 2040); extended when the youngest child of the household is
not yet 18 at the end of those fifteen years, "tot en met het jaar waarin dit jongste
kind achttien jaar oud is geworden" (through the END of that year). Art. 9.2: a team
leader may extend it further, with reasons. Every expected year is worked out by hand.
"""
from __future__ import annotations

from datetime import date

import pytest

from portal.rules import retention as RT
from portal.rules.retention import HouseholdMember as M
from portal.rules.retention import TeamLeaderExtension as X

D = date


@pytest.mark.parametrize("closed, household, extensions, until, codes", [
    # art. 9.1: closing year + 15, whatever the day of closing
    (D(2025, 7, 18), [], [], 2040, [RT.BASE]),
    (D(2025, 1, 1), [], [], 2040, [RT.BASE]),
    (D(2025, 12, 31), [], [], 2040, [RT.BASE]),
    # the example dossier: youngest (Daan) born 2016, 18 in 2034 < 2040: no extension
    (D(2025, 7, 18), [M("p1", D(1988, 4, 12)), M("p3", D(2011, 6, 2)), M("p4", D(2016, 1, 20))], [], 2040,
     [RT.BASE, RT.YOUNGEST_CHILD_NO_EFFECT]),
    # a baby: born 2024, 18 in 2042 > 2040: through the end of 2042
    (D(2025, 7, 18), [M("p1", D(1990, 1, 1)), M("p4", D(2024, 3, 9))], [], 2042, [RT.BASE, RT.YOUNGEST_CHILD]),
    # born 2023, 18 in 2041: one year more
    (D(2025, 7, 18), [M("p4", D(2023, 1, 1))], [], 2041, [RT.BASE, RT.YOUNGEST_CHILD]),
    # turns 18 in the last year of the term itself, even on 31 December: 18 at its end, no extension
    (D(2025, 7, 18), [M("p4", D(2022, 12, 31))], [], 2040, [RT.BASE, RT.YOUNGEST_CHILD_NO_EFFECT]),
    (D(2025, 7, 18), [M("p4", D(2022, 1, 1))], [], 2040, [RT.BASE, RT.YOUNGEST_CHILD_NO_EFFECT]),
    # born after closing but known to the dossier: still the youngest
    (D(2025, 3, 1), [M("p4", D(2025, 11, 30))], [], 2043, [RT.BASE, RT.YOUNGEST_CHILD]),
    # art. 9.2: a team leader's extension beyond the term
    (D(2025, 7, 18), [M("p4", D(2016, 1, 20))], [X(2045, "Lopende procedure bij de rechtbank.")], 2045,
     [RT.BASE, RT.YOUNGEST_CHILD_NO_EFFECT, RT.TEAM_LEADER]),
    # ... and one the term already reaches changes nothing
    (D(2025, 7, 18), [M("p4", D(2024, 3, 9))], [X(2041, "Te kort.")], 2042,
     [RT.BASE, RT.YOUNGEST_CHILD, RT.TEAM_LEADER_NO_EFFECT]),
    # two extensions: the later year counts
    (D(2025, 7, 18), [], [X(2044, "Eerste verlenging."), X(2050, "Tweede verlenging.")], 2050,
     [RT.BASE, RT.TEAM_LEADER, RT.TEAM_LEADER]),
])
def test_art9_1_and_9_2_retention_table(closed, household, extensions, until, codes):
    ret = RT.retention(closed, household, extensions)
    assert ret.until_year == until
    assert [r.code for r in ret.reasons] == codes
    assert ret.keep_until == D(until, 12, 31)
    assert ret.destroy_from == D(until + 1, 1, 1)
    assert ret.base_until_year == closed.year + 15
    assert all(r.article in ("art. 9.1", "art. 9.2") for r in ret.reasons)


def test_art9_1_the_term_runs_through_the_end_of_the_year_the_youngest_turns_18():
    ret = RT.retention(D(2025, 7, 18), [M("p3", D(2011, 6, 2)), M("p4", D(2024, 3, 9))])
    assert ret.child_until_year == 2042 and ret.youngest.person_id == "p4"
    step = next(r for r in ret.reasons if r.code == RT.YOUNGEST_CHILD)
    assert (step.person_id, step.year, step.until_year) == ("p4", 2042, 2042)
    # still kept on the child's 18th birthday and on the last day of that year, not the day after
    assert not ret.expired(D(2042, 3, 9)) and not ret.expired(D(2042, 12, 31))
    assert ret.expired(D(2043, 1, 1))


def test_art9_1_the_term_has_not_started_while_the_case_is_open():
    ret = RT.retention(None, [M("p4", D(2024, 3, 9))], [X(2050, "Vooruit verlengd.")])
    assert not ret.running and ret.until_year is None and ret.keep_until is None
    assert not ret.expired(D(2099, 1, 1))
    assert [r.code for r in ret.reasons] == [RT.NOT_CLOSED, RT.TEAM_LEADER_NO_EFFECT]


def test_art9_1_a_household_member_without_birth_date_is_listed_for_a_check_by_hand():
    ret = RT.retention(D(2025, 7, 18), [M("p1", D(1988, 4, 12)), M("p4", None)])
    assert ret.unknown_birth_dates == ("p4",)
    assert ret.until_year == 2040  # counted from those with a known birth date
    assert RT.BIRTH_DATE_UNKNOWN in [r.code for r in ret.reasons]


def test_art9_1_turns_adult_in():
    assert RT.turns_adult_in(D(2016, 1, 20)) == 2034
    assert RT.turns_adult_in(D(2008, 2, 29)) == 2026
