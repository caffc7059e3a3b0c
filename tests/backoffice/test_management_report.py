"""The management report (privacy officer, team leaders): counts per right and month of
receipt, answered on time (an extension's new date counting), open and overdue,
extended, refused and restricted per ground, average days to answer; as a page with a
table and an SVG chart, and as CSV. Counts only: no reference, no name.

The requests are filed through the public service (queue_helpers.file), then their
rights, status, extensions and signed decisions are set straight in the database, so
that each number below is known by hand.
"""
from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime

import pytest
from sqlalchemy import event

import portal.labels
from portal.infra.extensions import db
from portal.models import Decision, Extension, Request, RequestedRight
from portal.services import reports as svc

from .queue_helpers import actor, audit_entries, file, update

PAGE = "/backoffice/rapportage"
CSV = "/backoffice/rapportage.csv"
PERIOD = {"date_from": "2024-01", "date_to": "2024-02"}
TODAY = date(2024, 6, 1)
SVG_NS = "{http://www.w3.org/2000/svg}"
NAMES = ("Sanne", "de Vries")


def make_request(app, received: date, rights: dict[str, date], *, status: str = "in_progress",
                 answered_on: date | None = None) -> tuple[str, int]:
    """A filed request received on `received`, asking for exactly these rights (right ->
    due date). Returns (reference, id)."""
    ref = file(app, received=received)
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=ref)).scalar_one()
        db.session.execute(db.delete(RequestedRight).where(RequestedRight.request_id == req.id))
        for right, due in rights.items():
            db.session.add(RequestedRight(request_id=req.id, right=right, due_on=due))
        req_id = req.id
        db.session.commit()
        db.session.remove()
    update(app, ref, status=status, answered_on=answered_on, earliest_due_on=min(rights.values()))
    return ref, req_id


def sign(app, req_id: int, right: str, outcome: str, at: datetime, grounds=(), state=Decision.SIGNED) -> None:
    with app.app_context():
        db.session.add(Decision(request_id=req_id, right=right, outcome=outcome, grounds_json=json.dumps(list(grounds)),
                                reasons="Redenen die lang genoeg zijn voor een besluit." if grounds else None,
                                state=state, proposed_at=at, reviewed_at=at))
        db.session.commit()
        db.session.remove()


def extend(app, req_id: int, right: str, new_due: date) -> None:
    with app.app_context():
        db.session.add(Extension(request_id=req_id, right=right, reasons="Veel stukken.", decided_on=new_due,
                                 told_on=new_due, new_due_on=new_due))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def dataset(app):
    """January and February 2024 (times in UTC; answer dates in Europe/Amsterdam)."""
    refs = []
    # January
    a_ref, a = make_request(app, date(2024, 1, 10), {"inzage": date(2024, 2, 10)}, status="decided")
    sign(app, a, "inzage", "grant", datetime(2024, 2, 1, 10, 0))  # on time, 22 days
    b_ref, b = make_request(app, date(2024, 1, 15), {"inzage": date(2024, 2, 15), "afschrift": date(2024, 2, 15)},
                            status="decided")
    sign(app, b, "inzage", "refuse", datetime(2024, 2, 20, 9, 0),
         grounds=["third_party_privacy", "safety_of_those_involved"])  # late, 36 days
    extend(app, b, "afschrift", date(2024, 4, 15))
    sign(app, b, "afschrift", "grant_in_part", datetime(2024, 4, 1, 9, 0),
         grounds=["third_party_privacy"])  # on time thanks to the extension, 77 days
    c_ref, _c = make_request(app, date(2024, 1, 20), {"correctie": date(2024, 2, 20)})  # open, overdue
    # Signed at 23:30 UTC on 10 February = 00:30 on 11 February in Amsterdam: one day late.
    i_ref, i = make_request(app, date(2024, 1, 11), {"inzage": date(2024, 2, 10)}, status="decided")
    sign(app, i, "inzage", "grant", datetime(2024, 2, 10, 23, 30))  # late, 31 days
    # February
    d_ref, d = make_request(app, date(2024, 2, 5), {"inzage": date(2024, 3, 5)}, status="decided")
    sign(app, d, "inzage", "grant", datetime(2024, 2, 25, 9, 0), state=Decision.REPLACED)  # first answer: 20 days
    sign(app, d, "inzage", "refuse", datetime(2024, 3, 20, 9, 0), grounds=["vt_task"])  # stands now
    e_ref, _e = make_request(app, date(2024, 2, 10), {"vernietiging": date(2024, 5, 10)}, status="decided",
                             answered_on=date(2024, 3, 1))  # no decision per right: answered_on, 20 days
    g_ref, _g = make_request(app, date(2024, 2, 12), {"gegevenswissing": date(2024, 3, 12)}, status="closed")
    # Not counted: never reached the queue; received before the period.
    f_ref, _f = make_request(app, date(2024, 2, 28), {"inzage": date(2024, 3, 28)}, status="awaiting_email")
    h_ref, _h = make_request(app, date(2023, 12, 31), {"inzage": date(2024, 1, 31)})
    refs += [a_ref, b_ref, c_ref, i_ref, d_ref, e_ref, g_ref, f_ref, h_ref]
    return refs


def _report(app, staff_id, date_from=date(2024, 1, 1), date_to=date(2024, 2, 1), today=TODAY):
    who = actor(app, staff_id)
    with app.test_request_context():
        return svc.monthly_report(who, date_from, date_to, today=today)


def _cells(report):
    return {(f"{r.month:%Y-%m}", r.right): r.counts for r in report.rows}


def numbers(c):
    return (c.received, c.answered, c.on_time, c.late, c.overdue_open, c.extended, c.refused, c.restricted)


# --- the numbers -------------------------------------------------------------------------------------


def test_counts_per_right_and_month(app, make_staff, dataset):
    report = _report(app, make_staff("privacy_officer"))
    cells = _cells(report)
    assert list(cells) == [("2024-01", "inzage"), ("2024-01", "afschrift"), ("2024-01", "correctie"),
                           ("2024-02", "inzage"), ("2024-02", "vernietiging"), ("2024-02", "gegevenswissing")]
    #                                        received answered on_time late overdue extended refused restricted
    assert numbers(cells[("2024-01", "inzage")]) == (3, 3, 1, 2, 0, 0, 1, 0)
    assert numbers(cells[("2024-01", "afschrift")]) == (1, 1, 1, 0, 0, 1, 0, 1)
    assert numbers(cells[("2024-01", "correctie")]) == (1, 0, 0, 0, 1, 0, 0, 0)
    assert numbers(cells[("2024-02", "inzage")]) == (1, 1, 1, 0, 0, 0, 1, 0)
    assert numbers(cells[("2024-02", "vernietiging")]) == (1, 1, 1, 0, 0, 0, 0, 0)
    assert numbers(cells[("2024-02", "gegevenswissing")]) == (1, 0, 0, 0, 0, 0, 0, 0)  # closed without answer
    assert numbers(report.total) == (8, 6, 4, 2, 1, 1, 2, 1)
    assert report.requests == 7
    assert [(f"{m.month:%Y-%m}", m.counts.received, m.counts.on_time) for m in report.months] == [
        ("2024-01", 5, 2), ("2024-02", 3, 2)]
    assert numbers(report.by_right["inzage"]) == (4, 4, 2, 2, 0, 0, 2, 0)
    assert report.total.on_time_percent == 67


def test_refusals_and_restrictions_per_ground(app, make_staff, dataset):
    report = _report(app, make_staff("team_leader"))
    cells = _cells(report)
    assert cells[("2024-01", "inzage")].grounds_in_order() == [
        ("third_party_privacy", 1, 0), ("safety_of_those_involved", 1, 0)]
    assert cells[("2024-01", "afschrift")].grounds_in_order() == [("third_party_privacy", 0, 1)]
    # The decision that stands counts (the replaced grant does not).
    assert cells[("2024-02", "inzage")].grounds_in_order() == [("vt_task", 1, 0)]
    assert report.total.grounds_in_order() == [
        ("third_party_privacy", 1, 1), ("safety_of_those_involved", 1, 0), ("vt_task", 1, 0)]
    assert report.grounds_used == ["third_party_privacy", "safety_of_those_involved", "vt_task"]


def test_average_days_to_answer(app, make_staff, dataset):
    report = _report(app, make_staff("privacy_officer"))
    cells = _cells(report)
    a = (date(2024, 2, 1) - date(2024, 1, 10)).days  # 22
    b = (date(2024, 2, 20) - date(2024, 1, 15)).days  # 36
    i = (date(2024, 2, 11) - date(2024, 1, 11)).days  # 31: the Amsterdam date of the signing
    assert cells[("2024-01", "inzage")].average_days == round((a + b + i) / 3, 1) == 29.7
    assert cells[("2024-01", "afschrift")].average_days == (date(2024, 4, 1) - date(2024, 1, 15)).days == 77
    assert cells[("2024-02", "inzage")].average_days == 20  # the first signing, not the replacing one
    assert cells[("2024-02", "vernietiging")].average_days == 20  # answered_on
    assert cells[("2024-01", "correctie")].average_days is None
    # Weighted over all answered rights, not an average of averages.
    assert report.total.average_days == round((a + b + i + 77 + 20 + 20) / 6, 1)


def test_overdue_is_as_of_today(app, make_staff, dataset):
    staff = make_staff("team_leader")
    early = _report(app, staff, today=date(2024, 2, 20))  # due today: not overdue yet
    assert _cells(early)[("2024-01", "correctie")].overdue_open == 0
    assert _cells(_report(app, staff, today=date(2024, 2, 21)))[("2024-01", "correctie")].overdue_open == 1


def test_period_bounds_and_empty_months(app, make_staff, dataset):
    staff = make_staff("team_leader")
    december = _report(app, staff, date(2023, 12, 1), date(2023, 12, 31))
    assert numbers(december.total)[:1] == (1,) and december.requests == 1
    spring = _report(app, staff, date(2024, 3, 1), date(2024, 5, 1))
    assert spring.rows == [] and spring.total.received == 0 and len(spring.months) == 3
    assert spring.total.average_days is None and spring.total.on_time_percent is None
    # Any day of a month means the whole month.
    same = _report(app, staff, date(2024, 1, 31), date(2024, 2, 3))
    assert (same.date_from, same.date_to) == (date(2024, 1, 1), date(2024, 2, 29))
    assert numbers(same.total) == numbers(_report(app, staff).total)


def test_period_is_checked_by_the_service(app, make_staff):
    who = actor(app, make_staff("privacy_officer"))
    with app.test_request_context():
        with pytest.raises(svc.ReportError) as exc:
            svc.monthly_report(who, date(2024, 3, 1), date(2024, 2, 1))
        assert exc.value.code == "range_reversed"
        with pytest.raises(svc.ReportError) as exc:
            svc.report_csv(who, date(2021, 1, 1), date(2024, 1, 1))  # 37 months
        assert exc.value.code == "range_too_long"
        assert len(svc.monthly_report(who, date(2021, 2, 1), date(2024, 1, 1)).months) == 36


def test_the_number_of_queries_does_not_grow_with_the_requests(app, make_staff, dataset):
    staff = make_staff("team_leader")

    def count_statements():
        statements = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            _report(app, staff)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(statements)

    before = count_statements()
    for day in range(1, 9):
        _ref, rid = make_request(app, date(2024, 1, day), {"inzage": date(2024, 2, day), "afschrift": date(2024, 2, day)},
                                 status="decided")
        sign(app, rid, "inzage", "refuse", datetime(2024, 2, day, 9), grounds=["vt_task"])
        extend(app, rid, "afschrift", date(2024, 4, day))
    assert count_statements() == before
    assert before <= 12


# --- the chart -------------------------------------------------------------------------------------


def test_svg_is_well_formed_and_accessible(app, make_staff, dataset):
    report = _report(app, make_staff("privacy_officer"))
    with app.test_request_context():
        markup = svc.report_svg(report)
    root = ET.fromstring(markup)
    assert root.tag == f"{SVG_NS}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG_NS}title"), root.find(f"{SVG_NS}desc")
    assert title is not None and title.text and desc is not None and "8 ontvangen" in desc.text
    assert root.get("aria-labelledby") == f'{title.get("id")} {desc.get("id")}'
    tags = {el.tag.removeprefix(SVG_NS) for el in root.iter()}
    assert tags <= {"svg", "title", "desc", "rect", "line", "text"}
    assert "href" not in markup and "script" not in markup and "url(" not in markup and "style" not in markup
    # One bar for received and one for on time per month, at the right heights' order.
    bars = [el for el in root.iter(f"{SVG_NS}rect") if el.find(f"{SVG_NS}title") is not None]
    assert len(bars) == 2 * len(report.months)
    heights = [float(b.get("height")) for b in bars]
    assert heights[0] > heights[1] > 0  # January: 5 received, 2 on time


def test_svg_escapes_its_text(app, make_staff, dataset, monkeypatch):
    report = _report(app, make_staff("privacy_officer"))
    evil = '<script>alert("x")</script> & \'quoted\''
    monkeypatch.setattr(svc, "_", lambda text, **kw: evil + (text % kw if kw else text))
    with app.test_request_context():
        markup = svc.report_svg(report)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    root = ET.fromstring(markup)  # still well-formed
    assert not [el for el in root.iter() if el.tag.removeprefix(SVG_NS) == "script"]
    assert root.find(f"{SVG_NS}title").text.startswith(evil)


# --- the page and the CSV ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["privacy_officer", "team_leader"])
def test_privacy_officer_and_team_leader_see_the_report(app, logged_in, dataset, role):
    client = logged_in(role)
    resp = client.get(PAGE, query_string=PERIOD)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "<caption>" in html and 'scope="col"' in html and 'scope="row"' in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert 'href="/backoffice/rapportage.csv?date_from=2024-01&amp;date_to=2024-02"' in html
    total_row = html.split('id="report-total"')[1].split("</tr>")[0]
    assert [int(x) for x in re.findall(r"<td>(\d+)</td>", total_row)] == [8, 6, 4, 2, 1, 1, 2, 1]
    assert "Op tijd beantwoord: 4 van de 6 beantwoorde rechten (67 procent)." in html
    assert "De persoonlijke levenssfeer van een ander moet worden beschermd." in html
    assert resp.headers["Cache-Control"] == "no-store"
    # The menu leads here.
    assert 'href="/backoffice/rapportage"' in html.split("</nav>")[0]


def test_default_period_is_the_last_twelve_months(app, logged_in):
    html = logged_in("team_leader").get(PAGE).get_data(as_text=True)
    assert "In deze periode zijn geen verzoeken ontvangen." in html
    assert 'id="report-table"' in html


@pytest.mark.parametrize("role", ["caseworker", "functional_admin"])
def test_others_may_not_see_it(app, logged_in, dataset, role):
    client = logged_in(role)
    assert client.get(PAGE, query_string=PERIOD).status_code == 403
    assert client.get(CSV, query_string=PERIOD).status_code == 403
    html = client.get("/backoffice/account").get_data(as_text=True)
    assert "/backoffice/rapportage" not in html
    assert not audit_entries(app, "report.view") and not audit_entries(app, "report.export")
    assert audit_entries(app, "denied:reports.view")


@pytest.mark.parametrize("args, message", [
    ({"date_from": "2024-13", "date_to": "2024-12"}, "Vul een maand in als jjjj-mm"),
    ({"date_from": "januari", "date_to": "2024-12"}, "Vul een maand in als jjjj-mm"),
    ({"date_from": "2024-01", "date_to": "2024-02-30"}, "Vul een maand in als jjjj-mm"),
    ({"date_from": "2024-03", "date_to": "2024-02"}, "De eerste maand ligt na de laatste maand"),
    ({"date_from": "2021-01", "date_to": "2024-01"}, "Kies hoogstens 36 maanden"),
])
def test_bad_parameters_give_400_with_a_message(app, logged_in, args, message):
    client = logged_in("privacy_officer")
    for url in (PAGE, CSV):
        resp = client.get(url, query_string=args)
        assert resp.status_code == 400, url
        html = resp.get_data(as_text=True)
        assert message in html and 'class="error-summary"' in html
        assert "<svg" not in html
    assert not audit_entries(app, "report.view") and not audit_entries(app, "report.export")


def test_month_may_also_be_written_as_mm_yyyy(app, logged_in, dataset):
    resp = logged_in("team_leader").get(PAGE, query_string={"date_from": "01-2024", "date_to": "2-2024"})
    assert resp.status_code == 200
    assert 'value="2024-01"' in resp.get_data(as_text=True)


def test_csv_download(app, logged_in, dataset):
    client = logged_in("privacy_officer")
    resp = client.get(CSV, query_string=PERIOD)
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="rapportage-2024-01-2024-02.csv"'
    assert resp.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    header, body = rows[0], rows[1:]
    assert header[:11] == ["Maand", "Recht", "Ontvangen", "Beantwoord", "Op tijd beantwoord", "Te laat beantwoord",
                           "Open en te laat", "Verlengd", "Afgewezen", "Beperkt", "Dagen tot antwoord (gemiddeld)"]
    by_key = {(r[0], r[1]): r for r in body}
    col = header.index
    jan = by_key[("2024-01", "Inzage")]
    assert jan[2:11] == ["3", "3", "1", "2", "0", "0", "1", "0", "29.7"]
    assert jan[col("Afgewezen, grond: third_party_privacy")] == "1"
    assert jan[col("Afgewezen, grond: safety_of_those_involved")] == "1"
    assert jan[col("Beperkt, grond: third_party_privacy")] == "0"
    assert by_key[("2024-01", "Afschrift")][col("Beperkt, grond: third_party_privacy")] == "1"
    assert by_key[("2024-01", "Correctie")][col("Dagen tot antwoord (gemiddeld)")] == ""
    assert by_key[("Totaal", "Inzage")][2:4] == ["4", "4"]
    assert by_key[("Totaal", "Alle rechten")][2:10] == ["8", "6", "4", "2", "1", "1", "2", "1"]
    assert len(body) == 6 + 5 + 1  # (month, right) rows, a total per right asked (5 of 6), the total
    assert all(len(r) == len(header) for r in body)
    [entry] = audit_entries(app, "report.export")
    assert entry.reason == "monthly report 2024-01..2024-02" and entry.subject_ref is None
    assert entry.actor == f"staff:{client.staff_id}" and entry.actor_role == "privacy_officer"


def test_csv_guards_against_formulas(app, make_staff, dataset, monkeypatch):
    monkeypatch.setitem(portal.labels.RIGHT_NAMES, "inzage", '=HYPERLINK("http://evil.example","klik")')
    monkeypatch.setitem(portal.labels.RIGHT_NAMES, "afschrift", "@SUM(1+1)")
    who = actor(app, make_staff("privacy_officer"))
    with app.test_request_context():
        body = svc.report_csv(who, date(2024, 1, 1), date(2024, 2, 1), today=TODAY)
    cells = [c for row in csv.reader(io.StringIO(body)) for c in row]
    assert "'=HYPERLINK(\"http://evil.example\",\"klik\")" in cells and "'@SUM(1+1)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]


def test_viewing_is_logged_without_personal_data(app, logged_in, dataset):
    client = logged_in("team_leader")
    client.get(PAGE, query_string=PERIOD)
    [entry] = audit_entries(app, "report.view")
    assert entry.object_type == "report" and entry.subject_ref is None
    assert entry.reason == "monthly report 2024-01..2024-02"
    assert entry.actor == f"staff:{client.staff_id}"


def test_no_personal_data_in_page_csv_or_svg(app, logged_in, make_staff, dataset):
    references = dataset
    client = logged_in("privacy_officer")
    outputs = [client.get(PAGE, query_string=PERIOD).get_data(as_text=True),
               client.get(CSV, query_string=PERIOD).get_data(as_text=True)]
    report = _report(app, make_staff("privacy_officer"))
    with app.test_request_context():
        outputs.append(svc.report_svg(report))
    for text in outputs:
        for ref in references:
            assert ref not in text
            assert ref.replace("-", "") not in text
        for name in NAMES:
            assert name not in text
        assert "1985-03-14" not in text and "14-03-1985" not in text
    for entry in audit_entries(app):
        if entry.action.startswith("report."):
            assert entry.subject_ref is None and not any(ref in (entry.reason or "") for ref in references)
