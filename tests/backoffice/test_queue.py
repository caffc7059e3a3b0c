"""The queue (issue 3, "The queue"): all requests with status, rights, subject, due date
and days left, assignee; filters; sorted by due date; paginated; overdue and nearly due
requests marked and counted; every view in the access log (art. 7.5); no query per row.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from portal.infra.extensions import db
from portal.models import Decision, ParentInvolvementDecision, Request, RequestedRight
from portal.rules import deadlines
from portal.services import queue as q
from portal.services.requests import today_local

from .queue_helpers import FOR_CHILD, actor, audit_entries, days_ago, file, update

ROW_RE = re.compile(r'<tr class="bo-row[^"]*">.*?</tr>', re.S)


def rows(html: str) -> list[str]:
    return ROW_RE.findall(html)


def refs(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/backoffice/verzoeken/(VT-[A-Z0-9-]+)">', html)


def test_queue_lists_requests_with_status_rights_subject_due_and_assignee(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app, FOR_CHILD, rights=["correctie", "vernietiging"],
               details={"correctie": FOR_CHILD["details"]["correctie"], "vernietiging": {"refuted": "yes", "grounds": "x"}})
    html = cw.get("/backoffice/werkvoorraad").get_data(as_text=True)
    [row] = rows(html)
    assert ref in row
    assert "Ontvangen" in row
    assert "Correctie, Vernietiging" in row
    assert "Noor Jansen" in row  # the subject, not the requester
    assert "Pieter" not in row
    assert "Niemand" in row
    due = today_local_in(app) + timedelta(days=28)
    due = deadlines.next_working_day_on_or_after(due)
    assert due.strftime("%d-%m-%Y") in row


def today_local_in(app):
    with app.app_context():
        return today_local()


def test_queue_index_redirects_to_the_queue(app, logged_in):
    cw = logged_in("caseworker")
    resp = cw.get("/backoffice/")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/backoffice/werkvoorraad")


def test_queue_sorted_by_due_date_by_default_and_by_received_on_request(app, logged_in):
    cw = logged_in("caseworker")
    # Received 10 days ago: correctie (4 weeks) is due before inzage (one month) received 20 days ago.
    late_right = file(app, received=days_ago(app, 20), rights=["inzage"])
    early_right = file(app, FOR_CHILD, received=days_ago(app, 10))
    newest = file(app, received=days_ago(app, 0))
    html = cw.get("/backoffice/werkvoorraad").get_data(as_text=True)
    dues = {}
    with app.app_context():
        for ref in (late_right, early_right, newest):
            dues[ref] = db.session.execute(db.select(Request.earliest_due_on).filter_by(reference=ref)).scalar_one()
    assert refs(html) == sorted(dues, key=lambda r: dues[r])
    html = cw.get("/backoffice/werkvoorraad?sort=received").get_data(as_text=True)
    assert refs(html) == [late_right, early_right, newest]


def test_queue_leaves_out_requests_before_the_queue_unless_asked(app, logged_in):
    cw = logged_in("caseworker")
    waiting = file(app, email="sanne@example.org", confirm=False)  # e-mail not confirmed yet
    in_queue = file(app)
    html = cw.get("/backoffice/werkvoorraad").get_data(as_text=True)
    assert refs(html) == [in_queue]
    html = cw.get("/backoffice/werkvoorraad?status=all").get_data(as_text=True)
    assert refs(html) == [in_queue]
    html = cw.get("/backoffice/werkvoorraad?status=awaiting_email").get_data(as_text=True)
    assert refs(html) == [waiting]


def test_queue_marks_overdue_and_nearly_due_with_text_not_only_colour_and_counts_them(app, logged_in):
    cw = logged_in("caseworker")
    overdue = file(app, received=days_ago(app, 45))  # inzage: due about two weeks ago
    soon = file(app, FOR_CHILD, received=days_ago(app, 27))  # correctie: 4 weeks, due tomorrow or so
    calm = file(app)
    html = cw.get("/backoffice/werkvoorraad").get_data(as_text=True)
    by_ref = {ref: row for row in rows(html) for ref in refs(row)}
    assert "bo-row--overdue" in by_ref[overdue] and ">Te laat<" in by_ref[overdue]
    assert "dagen te laat" in by_ref[overdue]
    assert "bo-row--soon" in by_ref[soon] and ">Bijna<" in by_ref[soon]
    assert "Te laat" not in by_ref[calm] and "Bijna" not in by_ref[calm]
    counts = re.search(r'id="queue-counts">(.*?)</div>', html, re.S).group(1)
    assert "1 te laat" in counts and "1 binnen 5 werkdagen" in counts
    # The counts link to the filtered lists.
    assert refs(cw.get("/backoffice/werkvoorraad?overdue=1").get_data(as_text=True)) == [overdue]
    assert refs(cw.get("/backoffice/werkvoorraad?nearly_due=1").get_data(as_text=True)) == [soon]


def test_queue_a_decided_request_is_not_late(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app, received=days_ago(app, 45))
    update(app, ref, status="decided")
    html = cw.get("/backoffice/werkvoorraad?status=all").get_data(as_text=True)
    [row] = rows(html)
    assert "Te laat" not in row
    assert refs(cw.get("/backoffice/werkvoorraad?overdue=1").get_data(as_text=True)) == []
    assert refs(cw.get("/backoffice/werkvoorraad").get_data(as_text=True)) == []  # default: open only


def test_queue_filters(app, logged_in, make_staff):
    cw = logged_in("caseworker")
    other = make_staff("caseworker")
    plain = file(app)
    mine = file(app, FOR_CHILD)
    theirs = file(app, rights=["afschrift"], details={"afschrift": {"delivery": "download"}})
    waiting = file(app)
    proposal = file(app)
    art20 = file(app)
    update(app, mine, assignee_id=cw.staff_id, status="in_progress")
    update(app, theirs, assignee_id=other, status="in_progress")
    update(app, waiting, status="waiting_for_requester")
    update(app, art20, art20_4_review=True)
    with app.app_context():
        rid = db.session.execute(db.select(Request.id).filter_by(reference=proposal)).scalar_one()
        db.session.add(Decision(request_id=rid, right="inzage", outcome="refuse", state=Decision.PROPOSED))
        db.session.commit()

    def listed(query):
        resp = cw.get(f"/backoffice/werkvoorraad?{query}")
        assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
        return set(refs(resp.get_data(as_text=True)))

    assert listed("") == {plain, mine, theirs, waiting, proposal, art20}
    assert listed("mine=1") == {mine}
    assert listed("right=correctie") == {mine}
    assert listed("right=afschrift") == {theirs}
    assert listed("status=in_progress") == {mine, theirs}
    assert listed("waiting_for_requester=1") == {waiting}
    assert listed("waiting_for_team_leader=1") == {proposal, art20}
    # Once a team leader has decided the art. 20.4 question, it no longer waits for one.
    with app.app_context():
        rid = db.session.execute(db.select(Request.id).filter_by(reference=art20)).scalar_one()
        db.session.add(ParentInvolvementDecision(request_id=rid, outcome=ParentInvolvementDecision.PARENT_MUST_TAKE_PART,
                                                 reasons="De ouder moet meedoen, want er zijn geen aanwijzingen."))
        db.session.commit()
    assert listed("waiting_for_team_leader=1") == {proposal}
    assert "Wacht op teamleider" not in [row for row in rows(cw.get("/backoffice/werkvoorraad").get_data(as_text=True))
                                         if art20 in row][0]
    assert listed("due_within=90") == {plain, mine, theirs, waiting, proposal, art20}
    assert listed("due_within=1") == set()
    assert listed("overdue=1") == set()
    assert listed("mine=1&right=inzage") == set()
    # Unchecked boxes may come as 0.
    assert listed("mine=0&overdue=0") == {plain, mine, theirs, waiting, proposal, art20}


@pytest.mark.parametrize("query", [
    "due_within=abc", "due_within=0", "due_within=91", "due_within=-3", "status=bogus", "right=kopie",
    "page=0", "page=x", "page=100001", "sort=name",
])
def test_queue_invalid_parameters_give_a_clear_error_not_a_500(app, logged_in, query):
    cw = logged_in("caseworker")
    file(app)
    resp = cw.get(f"/backoffice/werkvoorraad?{query}")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "Er is een probleem" in html
    assert refs(html) == []
    assert audit_entries(app, "queue.view") == []  # nothing was read


def _bulk(app, n: int, received, prefix: str = "AAAA"):
    """n requests straight into the tables (the pager needs more than 50)."""
    with app.app_context():
        due = deadlines.due_date(deadlines.Right.ACCESS, received)
        for i in range(n):
            req = Request(reference=f"VT-BULK-{i:04d}-{prefix}", received_on=received, clock_started_on=received,
                          clock_rule="test", for_whom="self", status="received", earliest_due_on=due)
            req.rights.append(RequestedRight(right="inzage", due_on=due))
            db.session.add(req)
        db.session.commit()


def test_queue_is_paginated_fifty_a_page(app, logged_in):
    cw = logged_in("caseworker")
    _bulk(app, 120, days_ago(app, 3))
    first = cw.get("/backoffice/werkvoorraad").get_data(as_text=True)
    assert len(rows(first)) == 50
    assert "1 tot en met 50 van 120" in first
    assert "Pagina 1 van 3" in first
    third = cw.get("/backoffice/werkvoorraad?page=3").get_data(as_text=True)
    assert len(rows(third)) == 20
    assert "101 tot en met 120 van 120" in third
    assert set(refs(first)).isdisjoint(refs(third))
    beyond = cw.get("/backoffice/werkvoorraad?page=4")
    assert beyond.status_code == 200
    assert "Deze pagina is leeg" in beyond.get_data(as_text=True)
    # The pager keeps the filters.
    html = cw.get("/backoffice/werkvoorraad?right=inzage&sort=received").get_data(as_text=True)
    assert re.search(r'href="/backoffice/werkvoorraad\?[^"]*page=2[^"]*"', html)
    link = re.search(r'rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "right=inzage" in link and "sort=received" in link


def test_queue_page_takes_the_same_number_of_queries_for_5_or_50_rows(app, logged_in, make_staff):
    staff_id = make_staff("caseworker")
    who = actor(app, staff_id)

    def statements_for_page():
        seen = []
        with app.app_context():
            engine = db.engine

            def count(conn, cursor, statement, *args):
                seen.append(statement)

            event.listen(engine, "before_cursor_execute", count)
            try:
                page = q.queue_page(who, q.QueueFilters())
            finally:
                event.remove(engine, "before_cursor_execute", count)
            db.session.remove()
        return len(page.rows), len(seen)

    _bulk(app, 5, days_ago(app, 1))
    n5, queries5 = statements_for_page()
    _bulk(app, 60, days_ago(app, 2), prefix="BBBB")
    n50, queries50 = statements_for_page()
    assert (n5, n50) == (5, 50)
    assert queries5 == queries50


def test_queue_every_view_writes_one_access_log_entry_without_content(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app)
    cw.get("/backoffice/werkvoorraad?mine=1")
    cw.get("/backoffice/werkvoorraad")
    entries = audit_entries(app, "queue.view")
    assert len(entries) == 2
    for e in entries:
        assert e.actor == f"staff:{cw.staff_id}" and e.actor_role == "caseworker"
        assert e.object_type == "queue" and e.object_id is None and e.subject_ref is None
        assert ref not in (e.reason or "") and "Sanne" not in (e.reason or "")


@pytest.mark.parametrize("role", ["privacy_officer", "functional_admin"])
def test_queue_is_closed_to_roles_without_case_content(app, logged_in, role):
    client = logged_in(role)
    file(app)
    resp = client.get("/backoffice/werkvoorraad")
    assert resp.status_code == 403
    assert "Sanne" not in resp.get_data(as_text=True)


def test_queue_needs_a_login(app, client):
    resp = client.get("/backoffice/werkvoorraad")
    assert resp.status_code == 302
    assert "/backoffice/login" in resp.headers["Location"]


def test_queue_service_checks_the_matrix_itself(app, make_staff):
    officer = actor(app, make_staff("privacy_officer"))
    from portal.services.authz import NotAllowed

    with app.app_context():
        with pytest.raises(NotAllowed):
            q.queue_page(officer, q.QueueFilters())


def test_queue_table_is_accessible(app, logged_in):
    cw = logged_in("caseworker")
    file(app)
    html = cw.get("/backoffice/werkvoorraad").get_data(as_text=True)
    assert "<caption>" in html
    assert html.count('<th scope="col">') == 7
    assert '<th scope="row">' in html
    assert '<label for="due_within">' in html
