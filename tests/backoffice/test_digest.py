"""The daily digest (issue 3: overdue and nearly due requests "sent to the assignee and
the team leaders in a daily digest by a scheduled job ... with no personal data in the
e-mail"). Sent through the real SMTP server of the test fixtures."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from portal.services import tasks as jobs
from portal.services import queue as q

from .queue_helpers import FOR_CHILD, audit_entries, days_ago, file, set_staff, update


def body_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def setup_requests(app, caseworker, other):
    overdue_mine = file(app, received=days_ago(app, 45))
    soon_mine = file(app, FOR_CHILD, received=days_ago(app, 27))
    overdue_other = file(app, received=days_ago(app, 50), requester={"given_names": "Kees", "surname": "Smit",
                                                                     "birth_date": "1970-01-01", "bsn": None})
    file(app)  # not due for a month: counted nowhere
    closed_late = file(app, received=days_ago(app, 90))
    update(app, overdue_mine, assignee_id=caseworker, status="in_progress")
    update(app, soon_mine, assignee_id=caseworker, status="in_progress")
    update(app, overdue_other, assignee_id=other, status="in_progress")
    update(app, closed_late, assignee_id=caseworker, status="closed")  # answered: not late
    return [overdue_mine, soon_mine, overdue_other, closed_late]


def test_digest_counts_per_assignee_and_for_every_team_leader_without_personal_data(app, make_staff, mailbox):
    cw = make_staff("caseworker")
    other = make_staff("caseworker")
    idle = make_staff("caseworker")
    leader = make_staff("team_leader")
    leader2 = make_staff("team_leader")
    officer = make_staff("privacy_officer")
    for staff_id, address in ((cw, "cw@vt.example"), (other, "other@vt.example"), (idle, "idle@vt.example"),
                              (leader, "tl@vt.example"), (leader2, "tl2@vt.example"), (officer, "po@vt.example")):
        set_staff(app, staff_id, email=address)
    refs = setup_requests(app, cw, other)

    with app.app_context():
        result = q.send_digest()
    assert (result.sent, result.failed, result.without_address) == (4, 0, 0)
    messages = mailbox.wait_for(4)
    to = {str(m["To"]): m for m in messages}
    assert set(to) == {"cw@vt.example", "other@vt.example", "tl@vt.example", "tl2@vt.example"}

    mine = body_of(to["cw@vt.example"])
    assert "Aan u toegewezen:" in mine
    assert "- 1 te laat: http://portal.test/backoffice/werkvoorraad?mine=1&overdue=1" in mine
    assert "- 1 binnen 5 werkdagen: http://portal.test/backoffice/werkvoorraad?mine=1&nearly_due=1" in mine
    assert "Alle open verzoeken" not in mine
    theirs = body_of(to["other@vt.example"])
    assert "- 1 te laat:" in theirs and "- 0 binnen 5 werkdagen:" in theirs
    team = body_of(to["tl@vt.example"])
    assert "Alle open verzoeken (voor teamleiders):" in team
    assert "- 2 te laat: http://portal.test/backoffice/werkvoorraad?overdue=1" in team
    assert "- 1 binnen 5 werkdagen: http://portal.test/backoffice/werkvoorraad?nearly_due=1" in team
    assert "Aan u toegewezen" not in team

    personal = ["Sanne", "Vries", "Noor", "Jansen", "Pieter", "Kees", "Smit"]
    personal += refs + [r.replace("-", "") for r in refs]
    for msg in messages:
        body = body_of(msg)
        assert msg["Subject"] == app.config["MAIL_SUBJECT"]
        for item in personal:
            assert item.lower() not in body.lower(), f"{item!r} in the digest"
        assert not re.search(r"VT-[A-Z0-9]{4}", body)
    # One access-log entry, counts only.
    [entry] = audit_entries(app, "digest.send")
    assert entry.actor == "system" and "4 sent" in entry.reason
    assert all(r not in entry.reason for r in refs)


def test_digest_skips_staff_without_address_or_anything_to_report(app, make_staff, mailbox):
    cw = make_staff("caseworker")
    make_staff("team_leader")  # no e-mail address
    set_staff(app, cw, email="cw@vt.example")
    file(app)  # nothing late or nearly due
    with app.app_context():
        result = q.send_digest()
    assert (result.sent, result.without_address) == (0, 0)
    late = file(app, received=days_ago(app, 45))
    update(app, late, assignee_id=cw)
    with app.app_context():
        result = q.send_digest()
    assert (result.sent, result.without_address) == (1, 1)  # the caseworker; the team leader has no address
    [msg] = mailbox.wait_for(1)
    assert str(msg["To"]) == "cw@vt.example"


def test_digest_goes_to_nobody_who_may_not_see_the_queue(app, make_staff, mailbox):
    leader = make_staff("team_leader", confidentiality=False)  # art. 7.3: may do nothing yet
    set_staff(app, leader, email="tl@vt.example")
    file(app, received=days_ago(app, 45))
    with app.app_context():
        assert q.send_digest().sent == 0
    assert mailbox.messages == []


def test_flask_digest_send_runs_the_same_function(app, make_staff, mailbox):
    leader = make_staff("team_leader")
    set_staff(app, leader, email="tl@vt.example")
    file(app, received=days_ago(app, 45))
    result = app.test_cli_runner().invoke(args=["digest", "send"])
    assert result.exit_code == 0, result.output
    assert "digest: 1 sent, 0 failed, 0 without an e-mail address" in result.output
    [msg] = mailbox.wait_for(1)
    assert "- 1 te laat:" in body_of(msg)


def test_digest_links_use_the_back_office_address_when_configured(app, make_staff, mailbox, monkeypatch):
    leader = make_staff("team_leader")
    set_staff(app, leader, email="tl@vt.example")
    file(app, received=days_ago(app, 45))
    monkeypatch.setitem(app.config, "BACKOFFICE_BASE_URL", "https://intern.vt.example")
    with app.app_context():
        q.send_digest()
    [msg] = mailbox.wait_for(1)
    assert "https://intern.vt.example/backoffice/werkvoorraad?overdue=1" in body_of(msg)


def test_the_job_runs_at_seven_in_amsterdam_summer_and_winter():
    utc = timezone.utc
    assert jobs.at_digest_time(datetime(2026, 7, 1, 5, 0, tzinfo=utc))  # CEST: UTC+2
    assert not jobs.at_digest_time(datetime(2026, 7, 1, 6, 0, tzinfo=utc))
    assert jobs.at_digest_time(datetime(2026, 12, 1, 6, 0))  # CET: UTC+1; Huey passes naive UTC
    assert not jobs.at_digest_time(datetime(2026, 12, 1, 6, 1))
    assert not jobs.at_digest_time(datetime(2026, 12, 1, 7, 0))
    # Registered as a periodic task with Huey.
    assert any("daily_digest" in name for name in jobs.huey._registry._registry)
