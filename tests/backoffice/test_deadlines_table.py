"""Deadlines through the services, table by table (issue 3, "Deadlines"; DOMAIN.md):
what submit_request stores for each right, and what the extension service stores,
for a request received on the Thursday before Easter, near Koningsdag, and on 31
January, with and without an extension. All arithmetic is in portal/rules/deadlines.py
(tests/unit/test_deadlines.py tests it directly); these tests show that the services
use it and record it on the request.

Expected dates are worked out by hand from a calendar (weekday in the comment).

One month (AVG 12(3)): inzage, afschrift, eigen verklaring. Four weeks = 28 days:
correctie (art. 15), vernietiging (art. 17.2), gegevenswissing (art. 18.1). A period
that ends on a Saturday, Sunday or holiday runs on to the next working day (Atw art. 1;
Good Friday counts, art. 3 lid 2; equated days, art. 3 lid 3).

The extension (AVG 12(3): "may be extended by two further months") is computed by
deadlines.extended_due as three calendar months from receipt, then the Atw. Only at
the end of a month does that differ from "two months after the first due date": for
31 January 2026 the first period ends 28 February (nominally; the Atw moves it to
Monday 2 March), and the extension ends 30 April 2026, not 28 April or 4 May.
"""
from __future__ import annotations

from datetime import date

import pytest

from portal.infra.extensions import db
from portal.models import Extension
from portal.services import casefile

from .queue_helpers import FOR_CHILD, actor, file, get_request

D = date

DETAILS = {
    "afschrift": {"delivery": "download"},
    "correctie": FOR_CHILD["details"]["correctie"],
    "vernietiging": {"refuted": "yes", "grounds": "De melding klopte niet."},
    "gegevenswissing": {"grounds": ["a"], "explanation": "Niet meer nodig."},
    "eigen_verklaring": {"statement": "Ik ben het er niet mee eens."},
}
ALL_RIGHTS = ["inzage", "afschrift", "correctie", "eigen_verklaring", "vernietiging", "gegevenswissing"]


def file_all_rights(app, received: date) -> str:
    return file(app, received=received, rights=ALL_RIGHTS, details=DETAILS)


def due_per_right(app, ref) -> dict[str, date]:
    return {r.right: r.due_on for r in get_request(app, ref).rights}


# received, one month (inzage/afschrift/eigen verklaring), four weeks (correctie/vernietiging/gegevenswissing)
TABLE = [
    # Thursday 2 April 2026, the Thursday before Easter (Good Friday 3 April, Easter Monday 6 April).
    # One month: Sat 2 May -> Sun 3 -> Mon 4 May (5 May, Liberation Day, is the day after).
    # Four weeks: Thu 30 April 2026.
    (D(2026, 4, 2), D(2026, 5, 4), D(2026, 4, 30)),
    # Good Friday itself as the end of four weeks: received Fri 6 March 2026 -> Fri 3 April (Good
    # Friday) -> Sat, Sun, Easter Monday -> Tue 7 April 2026. One month: Mon 6 April (Easter Monday) -> Tue 7 April.
    (D(2026, 3, 6), D(2026, 4, 7), D(2026, 4, 7)),
    # Koningsdag 2026 is Monday 27 April. Received Fri 27 March 2026: one month -> Mon 27 April -> Tue 28 April.
    # Four weeks: Fri 24 April 2026 (not moved).
    (D(2026, 3, 27), D(2026, 4, 28), D(2026, 4, 24)),
    # Received Mon 30 March 2026: four weeks -> Mon 27 April (Koningsdag) -> Tue 28 April.
    # One month: Thu 30 April 2026.
    (D(2026, 3, 30), D(2026, 4, 30), D(2026, 4, 28)),
    # Koningsdag 2025 was Saturday 26 April (27 April was a Sunday). Received Wed 26 March 2025:
    # one month -> Sat 26 April -> Sun 27 -> Mon 28 April 2025. Four weeks: Wed 23 April 2025.
    (D(2025, 3, 26), D(2025, 4, 28), D(2025, 4, 23)),
    # Koningsdag 2028 is Thursday 27 April and Friday 28 April 2028 is an equated day (Atw art. 3 lid 3).
    # Received Mon 27 March 2028: one month -> Thu 27 April -> Fri 28 (equated) -> Sat, Sun -> Mon 1 May 2028.
    (D(2028, 3, 27), D(2028, 5, 1), D(2028, 4, 24)),
    # 31 January: one month ends on the last day of February.
    # 2025: Fri 28 February 2025. Four weeks: Fri 28 February 2025.
    (D(2025, 1, 31), D(2025, 2, 28), D(2025, 2, 28)),
    # 2026 (received on a Saturday, through the portal): Sat 28 February -> Mon 2 March 2026; four weeks the same.
    (D(2026, 1, 31), D(2026, 3, 2), D(2026, 3, 2)),
    # 2028, a leap year: Tue 29 February 2028. Four weeks: Mon 28 February 2028.
    (D(2028, 1, 31), D(2028, 2, 29), D(2028, 2, 28)),
]


@pytest.mark.parametrize("received, one_month, four_weeks", TABLE, ids=[str(t[0]) for t in TABLE])
def test_deadlines_recorded_on_submit(app, received, one_month, four_weeks):
    ref = file_all_rights(app, received)
    assert due_per_right(app, ref) == {
        "inzage": one_month, "afschrift": one_month, "eigen_verklaring": one_month,
        "correctie": four_weeks, "vernietiging": four_weeks, "gegevenswissing": four_weeks,
    }
    stored = get_request(app, ref)
    # The clock: received that day, started that day, and why (docs/deadlines.md).
    assert stored.received_on == stored.clock_started_on == received
    assert "EDPB" in stored.clock_rule and "not paused" in stored.clock_rule
    # The queue sorts on the earliest of them.
    assert stored.earliest_due_on == min(one_month, four_weeks)


# received, the day the extension is decided, extended due date for inzage and afschrift
EXTENDED = [
    # Thursday before Easter: three months -> Thu 2 July 2026. Decided on the last day of the first month.
    (D(2026, 4, 2), D(2026, 5, 4), D(2026, 7, 2)),
    # Near Koningsdag: 27 March 2026 + three months = Sat 27 June -> Mon 29 June 2026.
    (D(2026, 3, 27), D(2026, 4, 28), D(2026, 6, 29)),
    # 27 March 2028 + three months = Tue 27 June 2028.
    (D(2028, 3, 27), D(2028, 4, 3), D(2028, 6, 27)),
    # 31 January 2026 + three months = Thu 30 April 2026 (April has no 31st). Decided Mon 2 March,
    # the first due date after the Atw: still in time.
    (D(2026, 1, 31), D(2026, 3, 2), D(2026, 4, 30)),
    # 31 January 2025 -> Wed 30 April 2025.
    (D(2025, 1, 31), D(2025, 2, 3), D(2025, 4, 30)),
    # 31 January 2028 -> Sun 30 April 2028 -> Mon 1 May 2028.
    (D(2028, 1, 31), D(2028, 2, 1), D(2028, 5, 1)),
]


@pytest.mark.parametrize("received, decided, extended", EXTENDED, ids=[str(t[0]) for t in EXTENDED])
def test_deadlines_with_an_extension(app, make_staff, received, decided, extended):
    who = actor(app, make_staff("caseworker"))
    ref = file_all_rights(app, received)
    before = due_per_right(app, ref)
    with app.app_context():
        for right in ("inzage", "afschrift"):
            casefile.extend(who, ref, right, "Veel stukken om door te nemen.", today=decided)
        rows = {e.right: e for e in db.session.execute(db.select(Extension)).scalars()}
        db.session.remove()
    assert {r: e.new_due_on for r, e in rows.items()} == {"inzage": extended, "afschrift": extended}
    assert all(e.decided_on == e.told_on == decided for e in rows.values())
    # The first due dates stay recorded as they were; the others are not extended.
    assert due_per_right(app, ref) == before
    # The earliest due date is now that of the four-week rights.
    assert get_request(app, ref).earliest_due_on == min(before["correctie"], extended)


@pytest.mark.parametrize("received, first_due", [(D(2026, 4, 2), D(2026, 5, 4)), (D(2026, 1, 31), D(2026, 3, 2))])
def test_extension_is_too_late_the_day_after_the_first_due_date(app, make_staff, received, first_due):
    who = actor(app, make_staff("caseworker"))
    ref = file(app, received=received)
    from datetime import timedelta

    with app.app_context():
        with pytest.raises(casefile.CaseError):
            casefile.extend(who, ref, "inzage", "Te laat bedacht.", today=first_due + timedelta(days=1))
        db.session.remove()
