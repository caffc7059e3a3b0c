"""portal.rules.deadlines.working_days_after: what "nearly due" (within 5 working days)
means in the queue, on the request page and in the digest. A working day is any day
that is not a Saturday, Sunday or Atw holiday (Atw art. 1 lid 1, art. 3)."""
from __future__ import annotations

from datetime import date

import pytest

from portal.rules.deadlines import working_days_after

D = date


@pytest.mark.parametrize("start, n, expected", [
    (D(2026, 11, 23), 0, D(2026, 11, 23)),  # Mon: n = 0 is the day itself
    (D(2026, 11, 23), 5, D(2026, 11, 30)),  # Mon -> next Mon
    (D(2026, 11, 27), 1, D(2026, 11, 30)),  # Fri -> Mon
    (D(2026, 11, 28), 1, D(2026, 11, 30)),  # Sat -> Mon
    (D(2026, 4, 2), 1, D(2026, 4, 7)),  # Thu before Easter: Good Friday, Sat, Sun, Easter Monday skipped
    (D(2026, 4, 2), 5, D(2026, 4, 13)),  # 7, 8, 9, 10, 13 April
    (D(2026, 4, 24), 5, D(2026, 5, 4)),  # Fri: Koningsdag Mon 27 April skipped: 28, 29, 30 Apr, 1, 4 May
    (D(2026, 5, 1), 2, D(2026, 5, 6)),  # Fri 1 May: Mon 4, then Tue 5 May (Atw: every year) skipped -> Wed 6
    (D(2026, 12, 23), 3, D(2026, 12, 29)),  # 24 Thu, (25, 26, 27 skipped), 28 Mon, 29 Tue
    (D(2026, 5, 13), 1, D(2026, 5, 18)),  # Wed before Ascension: Thu 14 (Ascension), Fri 15 (equated day) skipped
])
def test_working_days_after(start, n, expected):
    assert working_days_after(start, n) == expected


def test_extra_equated_days_are_skipped_too():
    assert working_days_after(D(2026, 11, 23), 1, extra_days=[D(2026, 11, 24)]) == D(2026, 11, 25)


def test_negative_is_an_error():
    with pytest.raises(ValueError):
        working_days_after(D(2026, 11, 23), -1)
