"""Deadlines: art. 15, 17.2, 17.4, 18.1, AVG 12(3), Algemene termijnenwet art. 1 and 3.

Every expected date is worked out by hand from a calendar (weekday in the comment),
never with the code under test.
"""
from __future__ import annotations

from datetime import date

import holidays
import pytest

from portal.rules import deadlines as DL
from portal.rules.deadlines import (
    Deadline,
    atw_holidays,
    can_extend,
    deadline,
    destruction_due,
    due_date,
    extended_due,
    is_atw_holiday,
    next_working_day_on_or_after,
)
from portal.rules.rights import Right

D = date
R = Right


# --- one calendar month: inzage, afschrift, eigen verklaring (AVG 12(3)) ----------------


@pytest.mark.parametrize(
    "right, received, due",
    [
        (R.ACCESS, D(2025, 1, 31), D(2025, 2, 28)),  # common year: last day of Feb (Fri)
        (R.ACCESS, D(2024, 1, 31), D(2024, 2, 29)),  # leap year: 29 Feb (Thu)
        (R.COPY, D(2028, 1, 31), D(2028, 2, 29)),  # leap year (Tue)
        (R.COPY, D(2026, 1, 31), D(2026, 3, 2)),  # 28 Feb 2026 is a Saturday -> Mon 2 Mar
        (R.ACCESS, D(2026, 11, 30), D(2026, 12, 30)),  # Wed
        (R.ACCESS, D(2026, 3, 31), D(2026, 4, 30)),  # 30 Apr (Thu): April has no 31st
        (R.OWN_STATEMENT, D(2026, 8, 31), D(2026, 9, 30)),  # Wed
        (R.OWN_STATEMENT, D(2025, 12, 15), D(2026, 1, 15)),  # across the year (Thu)
        (R.ACCESS, D(2027, 1, 29), D(2027, 3, 1)),  # 28 Feb 2027 is a Sunday -> Mon 1 Mar
    ],
)
def test_avg12_3_one_calendar_month(right, received, due):
    assert due_date(right, received) == due


# --- four weeks = 28 days: art. 15, 17.2, 18.1 ----------------------------------------------


@pytest.mark.parametrize(
    "right, received, due",
    [
        (R.RECTIFICATION, D(2026, 3, 2), D(2026, 3, 30)),  # Mon -> Mon
        (R.DESTRUCTION, D(2026, 3, 2), D(2026, 3, 30)),
        (R.ERASURE, D(2026, 3, 2), D(2026, 3, 30)),
        (R.ERASURE, D(2024, 2, 1), D(2024, 2, 29)),  # leap year (Thu)
        (R.RECTIFICATION, D(2026, 2, 1), D(2026, 3, 2)),  # 1 Mar 2026 is a Sunday -> Mon 2 Mar
        (R.DESTRUCTION, D(2026, 11, 28), D(2026, 12, 28)),  # 26 Dec (Sat, 2nd Christmas day) -> Mon 28
        (R.RECTIFICATION, D(2026, 4, 9), D(2026, 5, 7)),  # Thu, no holiday
    ],
)
def test_art15_art17_2_art18_1_four_weeks_is_28_days(right, received, due):
    assert due_date(right, received) == due


# --- Algemene termijnenwet art. 1 and 3 ------------------------------------------------------


@pytest.mark.parametrize(
    "received, due, why",
    [
        (D(2026, 2, 14), D(2026, 3, 16), "Saturday 14 Mar -> Mon 16 Mar"),
        (D(2026, 2, 15), D(2026, 3, 16), "Sunday 15 Mar -> Mon 16 Mar"),
        (D(2026, 3, 6), D(2026, 4, 7), "Easter Monday 6 Apr -> Tue 7 Apr"),
        (D(2026, 3, 27), D(2026, 4, 28), "King's Day Mon 27 Apr -> Tue 28 Apr"),
        (D(2026, 4, 5), D(2026, 5, 6), "5 May 2026 (Tue, not a lustrum year) -> Wed 6 May"),
        (D(2026, 4, 14), D(2026, 5, 18), "Ascension Thu 14 May, equated Fri 15 May, Sat, Sun -> Mon 18 May"),
        (D(2026, 4, 25), D(2026, 5, 26), "Whit Monday 25 May -> Tue 26 May"),
        (D(2026, 11, 25), D(2026, 12, 28), "Christmas Fri 25 Dec, Sat 26, Sun 27 -> Mon 28 Dec"),
        (D(2026, 11, 26), D(2026, 12, 28), "2nd Christmas day Sat 26 Dec, Sun 27 -> Mon 28 Dec"),
        (D(2025, 11, 25), D(2025, 12, 29), "Christmas Thu 25, Fri 26, Sat, Sun -> Mon 29 Dec 2025"),
        (D(2025, 12, 1), D(2026, 1, 5), "New Year Thu 1 Jan, equated Fri 2 Jan, Sat, Sun -> Mon 5 Jan"),
        (D(2027, 4, 5), D(2027, 5, 10), "5 May Wed, Ascension Thu 6, equated Fri 7, Sat, Sun -> Mon 10"),
        (D(2026, 3, 3), D(2026, 4, 7), "Good Friday 3 Apr, Sat, Easter Sunday, Easter Monday -> Tue 7 Apr"),
    ],
)
def test_atw_art1_art3_one_month_deadline_moves_past_weekend_and_holidays(received, due, why):
    assert due_date(R.ACCESS, received) == due, why


def test_atw_art1_christmas_friday_chain_to_monday():
    dl = deadline(R.ACCESS, D(2026, 11, 25))
    assert dl.nominal == D(2026, 12, 25)  # Friday, first Christmas day
    assert dl.due == D(2026, 12, 28)  # Monday
    assert dl.moved
    assert [m[:10] for m in dl.moved_because] == ["2026-12-25", "2026-12-26", "2026-12-27"]
    assert "Kerstdag" in dl.moved_because[0]
    assert "Algemene termijnenwet art. 1" in dl.basis and "AVG 12(3)" in dl.basis


def test_atw_art3_lid2_good_friday_is_a_holiday_for_deadlines():
    # Atw art. 3 lid 2: "Voor de toepassing van deze wet wordt de Goede Vrijdag met de in
    # het vorige lid genoemde dagen gelijkgesteld." A period ending on Good Friday moves.
    assert is_atw_holiday(D(2026, 4, 3))
    assert next_working_day_on_or_after(D(2026, 4, 3)) == D(2026, 4, 7)  # past Easter Monday
    assert next_working_day_on_or_after(D(2027, 3, 26)) == D(2027, 3, 30)  # Good Friday 2027 -> Tue


@pytest.mark.parametrize(
    "day, holiday",
    [
        (D(2026, 1, 1), True),  # Nieuwjaarsdag
        (D(2026, 4, 3), True),  # Goede Vrijdag (art. 3 lid 2)
        (D(2026, 4, 5), False),  # Easter Sunday: not in art. 3 (a Sunday anyway)
        (D(2026, 4, 6), True),  # Tweede Paasdag
        (D(2026, 4, 27), True),  # Koningsdag
        (D(2025, 4, 26), True),  # Koningsdag 2025 on Sat 26 Apr (27 Apr was a Sunday)
        (D(2025, 4, 27), False),
        (D(2026, 5, 5), True),  # 5 May, every year
        (D(2027, 5, 5), True),
        (D(2025, 5, 5), True),  # lustrum year
        (D(2026, 5, 14), True),  # Hemelvaartsdag
        (D(2026, 5, 24), False),  # Whit Sunday: not in art. 3
        (D(2026, 5, 25), True),  # Tweede Pinksterdag
        (D(2026, 12, 25), True),
        (D(2026, 12, 26), True),
        (D(2026, 12, 31), False),  # New Year's Eve is not a holiday
        (D(2026, 5, 4), False),  # Remembrance day is not
        (D(2026, 5, 15), True),  # equated by decree (art. 3 lid 3)
        (D(2026, 1, 2), True),  # equated by decree
    ],
)
def test_atw_art3_holidays(day, holiday):
    assert is_atw_holiday(day) is holiday


def test_atw_art3_calendar_2026_by_hand():
    assert set(atw_holidays(2026)) == {
        D(2026, 1, 1), D(2026, 1, 2), D(2026, 4, 3), D(2026, 4, 6), D(2026, 4, 27), D(2026, 5, 5),
        D(2026, 5, 14), D(2026, 5, 15), D(2026, 5, 25), D(2026, 12, 25), D(2026, 12, 26),
    }


def test_atw_art3_lid3_equated_days_can_be_added():
    extra = [D(2026, 3, 16)]  # a Monday, as if equated by a new decree
    assert not is_atw_holiday(D(2026, 3, 16))
    assert is_atw_holiday(D(2026, 3, 16), extra_days=extra)
    # Saturday 14 Mar -> Sun -> (equated) Mon -> Tue 17 Mar
    assert due_date(R.ACCESS, D(2026, 2, 14), extra_days=extra) == D(2026, 3, 17)
    assert DL.EQUATED_DAYS >= {D(2026, 1, 2), D(2026, 5, 15), D(2027, 5, 7)}


@pytest.mark.parametrize(
    "day, expected",
    [
        (D(2026, 3, 10), D(2026, 3, 10)),  # Tuesday: unchanged
        (D(2026, 3, 14), D(2026, 3, 16)),  # Saturday
        (D(2026, 3, 15), D(2026, 3, 16)),  # Sunday
        (D(2026, 12, 24), D(2026, 12, 24)),  # Christmas Eve is a working day
        (D(2026, 12, 25), D(2026, 12, 28)),
    ],
)
def test_atw_art1_next_working_day_on_or_after(day, expected):
    assert next_working_day_on_or_after(day) == expected


def test_atw_art3_every_holidays_nl_name_is_known():
    """If a new version of the holidays package adds or renames a day, decide it here."""
    known = set(DL._ATW_FROM_HOLIDAYS_NL) | set(DL._NOT_ATW_IN_HOLIDAYS_NL)
    names = set()
    for year in range(1990, 2101):
        for name in holidays.NL(years=year, language="en_US").values():
            names.update(str(name).split("; "))
    assert names <= known, names - known


# --- vernietiging: carried out within three months (art. 17.4) --------------------------------


@pytest.mark.parametrize(
    "received, due",
    [
        (D(2026, 1, 15), D(2026, 4, 15)),  # Wed
        (D(2026, 1, 31), D(2026, 4, 30)),  # Thu: April has no 31st
        (D(2026, 11, 30), D(2027, 3, 1)),  # 28 Feb 2027 is a Sunday -> Mon 1 Mar
        (D(2027, 11, 30), D(2028, 2, 29)),  # leap year (Tue)
        (D(2026, 9, 25), D(2026, 12, 28)),  # Christmas Fri -> Mon 28 Dec
    ],
)
def test_art17_4_destruction_within_three_months(received, due):
    assert destruction_due(received) == due


def test_art17_2_and_17_4_answer_and_destruction_are_two_deadlines():
    received = D(2026, 3, 2)
    assert due_date(R.DESTRUCTION, received) == D(2026, 3, 30)  # answer: 28 days
    assert destruction_due(received) == D(2026, 6, 2)  # destroyed: 3 months (Tue)


# --- extension by two months (AVG 12(3)) ------------------------------------------------------


@pytest.mark.parametrize(
    "right, received, due",
    [
        (R.ACCESS, D(2026, 1, 31), D(2026, 4, 30)),  # three months from receipt (Thu)
        (R.COPY, D(2026, 1, 6), D(2026, 4, 7)),  # 6 Apr 2026 Easter Monday -> Tue 7 Apr
        (R.ACCESS, D(2026, 3, 10), D(2026, 6, 10)),  # Wed
        (R.ACCESS, D(2026, 9, 25), D(2026, 12, 28)),  # Christmas Fri -> Mon 28 Dec
    ],
)
def test_avg12_3_extended_deadline_is_three_months_from_receipt(right, received, due):
    assert extended_due(right, received) == due


@pytest.mark.parametrize("right", [R.RECTIFICATION, R.OWN_STATEMENT, R.DESTRUCTION, R.ERASURE])
def test_avg12_3_extension_only_for_access_and_copy(right):
    with pytest.raises(ValueError):
        extended_due(right, D(2026, 3, 10))
    assert can_extend(right, D(2026, 3, 10), D(2026, 3, 11)) is False


@pytest.mark.parametrize(
    "right, received, today, allowed",
    [
        (R.ACCESS, D(2026, 1, 31), D(2026, 1, 31), True),  # day of receipt
        (R.ACCESS, D(2026, 1, 31), D(2026, 2, 28), True),  # nominal last day (Sat)
        (R.ACCESS, D(2026, 1, 31), D(2026, 3, 2), True),  # moved last day (Mon, Atw)
        (R.ACCESS, D(2026, 1, 31), D(2026, 3, 3), False),  # first deadline passed
        (R.COPY, D(2026, 3, 10), D(2026, 4, 10), True),  # Fri 10 Apr, last day
        (R.COPY, D(2026, 3, 10), D(2026, 4, 11), False),
    ],
)
def test_avg12_3_extension_only_within_the_first_month(right, received, today, allowed):
    assert can_extend(right, received, today) is allowed


def test_avg12_3_today_before_receipt_is_an_error():
    with pytest.raises(ValueError):
        can_extend(R.ACCESS, D(2026, 3, 10), D(2026, 3, 9))


# --- the Deadline record ------------------------------------------------------------------------


def test_deadline_record_unmoved():
    dl = deadline(R.RECTIFICATION, D(2026, 3, 2))
    assert dl == Deadline(R.RECTIFICATION, D(2026, 3, 2), D(2026, 3, 30), D(2026, 3, 30), (), "answer", dl.basis)
    assert not dl.moved
    assert dl.basis.startswith("art. 15")


def test_deadline_record_for_destruction_and_extension():
    d1 = DL.destruction_deadline(D(2026, 11, 30))
    assert (d1.kind, d1.nominal, d1.due) == ("destruction", D(2027, 2, 28), D(2027, 3, 1))
    assert "art. 17.4" in d1.basis
    d2 = DL.extended_deadline(R.ACCESS, D(2026, 1, 6))
    assert (d2.kind, d2.nominal, d2.due) == ("extended_answer", D(2026, 4, 6), D(2026, 4, 7))
    assert "Tweede Paasdag" in d2.moved_because[0]
