"""The workbench at scale (issue 12 item 3, art. 14 lid 2 Privacyreglement VT): a copy
of 1,000 entries is read and changed with the same number of SQL statements as one
of 10; entries are paged, filtered by what needs a decision and found by number or
date; every action answers in place for the workbench's script and, without it, goes
back to the same page, filter and entry; buttons say what they do; an attachment is
decided on only after it was opened. Bad input gives a clear error next to the form
and changes nothing.

Real requests through the Flask test client with the CSRF token of the page; the
statement count is read with SQLAlchemy's ``before_cursor_execute`` event (a count,
not a timing).
"""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import event

from portal.infra.extensions import db
from portal.models import Copy, CopyAttachment, CopyRedaction, DossierEntry
from portal.rules import redaction as R

from . import casework_helpers as ch
from .big_dossier import big_dossier
from .copy_helpers import import_doc, make_copy, verified_request
from .dossier_helpers import example, with_attachment

IN_PLACE = {"X-Workbench": "in-place"}


def bench(reference: str, copy_id: int) -> str:
    return f"/backoffice/verzoeken/{reference}/afschrift/{copy_id}"


def html_of(resp) -> str:
    return resp.get_data(as_text=True)


def token_of(client, page: str) -> str:
    return ch.csrf_of(client, page)


class Statements:
    """Counts the SQL statements sent while it is open."""

    def __init__(self, app):
        with app.app_context():
            self.engine = db.engine
        self.n = 0

    def _count(self, *_args):
        self.n += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self._count)


@pytest.fixture
def copy_of(app, logged_in):
    """A caseworker and Mark Jansen's (p2) copy of ``doc``; (client, reference, copy id)."""

    def make(doc: dict | None = None, files: dict | None = None):
        worker = logged_in("caseworker")
        dossier_id = import_doc(app, doc, files)
        reference = verified_request(app, worker.staff_id)
        copy_id = make_copy(app, worker.staff_id, reference, dossier_id, "p2")
        return worker, reference, copy_id

    return make


def rows(app, copy_id: int, **where) -> list[CopyRedaction]:
    with app.app_context():
        out = db.session.execute(db.select(CopyRedaction).filter_by(copy_id=copy_id, **where)
                                 .order_by(CopyRedaction.id)).scalars().all()
        db.session.expunge_all()
        db.session.remove()
    return out


def version(app, copy_id: int) -> tuple[int, int, int]:
    """(version, redactions, withheld entries): what an action changes."""
    with app.app_context():
        c = db.session.get(Copy, copy_id)
        out = (c.version, len(c.redactions), sum(1 for ce in c.entries if ce.withheld))
        db.session.remove()
    return out


def entry_pk(app, copy_id: int, entry_id: str) -> int:
    with app.app_context():
        c = db.session.get(Copy, copy_id)
        pk = db.session.execute(db.select(DossierEntry.id).filter_by(entry_id=entry_id,
                                                                     dossier_pk=c.link.dossier_pk)).scalar_one()
        db.session.remove()
    return pk


def articles(html: str) -> list[str]:
    return re.findall(r'<article class="bo-entry inset[^"]*" id="(stuk-\d+|verklaring-\d+)"', html)


# --- the same number of statements for 10 and for 1,000 entries ---------------------------------

def _statements_per_step(app, logged_in, n: int) -> dict[str, int]:
    from portal.services import copies

    client = logged_in("caseworker")
    dossier_id = import_doc(app, big_dossier(n))
    reference = verified_request(app, client.staff_id)
    who = ch.actor(app, client.staff_id)
    with app.app_context():
        link_id = copies.link_dossier(who, reference, dossier_id, "p2").id
        db.session.remove()
    out = {}
    with Statements(app) as s, app.app_context():
        copy_id = copies.create_copy(who, reference, link_id).id
        db.session.remove()
    out["create (service, detector included)"] = s.n
    page = bench(reference, copy_id)
    client.get(page)  # warm: the first request of a client reads some things once
    with Statements(app) as s:
        html = html_of(client.get(page))
    out["page"] = s.n
    token = ch.csrf(html)
    reds = rows(app, copy_id)
    reporter = next(r for r in reds if r.ground == R.REPORTER_PROTECTION)
    other = next(r for r in reds if r.id != reporter.id and r.entry_pk != reporter.entry_pk
                 and "huisbezoek" in rows_text(app, r.entry_pk))
    pk = other.entry_pk
    steps = [
        ("confirm in place", f"{page}/weglatingen/{reporter.id}/bevestigen", {}, IN_PLACE),
        ("lift in place", f"{page}/weglatingen/{other.id}/opheffen", {"reason": "De aanvrager kent deze naam al."}, IN_PLACE),
        ("add in place", f"{page}/stukken/{pk}/weglaten",
         {"phrase": "huisbezoek", "field": "text", "ground": R.THIRD_PARTY, "reason": "Dit wijst naar de buurvrouw."}, IN_PLACE),
        ("add again in place", f"{page}/stukken/{pk}/weglaten",
         {"phrase": "huisbezoek", "field": "text", "ground": R.THIRD_PARTY, "reason": "Dit wijst naar de buurvrouw."}, IN_PLACE),
        ("withhold in place", f"{page}/stukken/{pk}/niet-opnemen",
         {"ground": "vt_task", "reasons": "Het onderzoek loopt nog, dit kan nu niet."}, IN_PLACE),
        ("restore in place", f"{page}/stukken/{pk}/toch-opnemen", {}, IN_PLACE),
        ("confirm without script", f"{page}/weglatingen/{other.id}/bevestigen", {}, {}),
    ]
    for name, action, data, headers in steps:
        with Statements(app) as s:
            resp = client.post(action, data={"csrf_token": token, **data}, headers=headers)
        assert resp.status_code in (200, 302), (name, resp.status_code, html_of(resp)[:500])
        out[name] = s.n
    return out


def test_issue12_statements_per_page_and_action_are_the_same_for_10_and_1000_entries(app, logged_in):
    """Issue 12 item 3: making the copy (by the job queue, which runs at once here), the
    workbench page and each action (confirm, lift, add, withhold, restore; in place and
    as a full page) run the same number of SQL statements for a copy of 10 entries as
    for one of 1,000: no query per entry."""
    before = app.config.get("COPY_PLAN_INLINE_MAX", 200)
    app.config["COPY_PLAN_INLINE_MAX"] = 0  # both through the queue's path
    try:
        small = _statements_per_step(app, logged_in, 10)
        big = _statements_per_step(app, logged_in, 1000)
    finally:
        app.config["COPY_PLAN_INLINE_MAX"] = before
    assert small == big, f"10 entries: {small}\n1,000 entries: {big}"
    # Nor does it grow with the redactions already in the entry.
    assert big["add in place"] == big["add again in place"], big


def test_issue12_making_a_copy_inline_runs_the_same_statements_for_10_and_300_entries(app, logged_in):
    """Issue 12 item 3: a copy small enough to be made inside the web request
    (``COPY_PLAN_INLINE_MAX``) is stored with one INSERT per kind of row."""
    from portal.services import copies

    counts = []
    for n in (10, 150):
        client = logged_in("caseworker")
        dossier_id = import_doc(app, big_dossier(n))
        reference = verified_request(app, client.staff_id)
        who = ch.actor(app, client.staff_id)
        with app.app_context():
            link_id = copies.link_dossier(who, reference, dossier_id, "p2").id
            db.session.remove()
        with Statements(app) as s, app.app_context():
            c = copies.create_copy(who, reference, link_id)
            assert c.detector_state != copies.PLANNING
            db.session.remove()
        counts.append(s.n)
    assert counts[0] == counts[1]


def test_issue12_a_big_copy_is_made_by_the_job_queue_and_shown_as_being_made(app, copy_of, logged_in):
    """Issue 12, speed: making a copy of a big dossier never holds the web request: the
    copy is stored at once as being made, the workbench says so and refreshes itself,
    nothing can be done to it until the job queue has chosen its entries and
    redactions; meanwhile the page shows how far the job is (a percentage, as for
    rendering); then it holds exactly what a copy made at once holds."""
    from portal.services import copies
    from portal.services import signals

    client, reference, inline_id = copy_of()  # the example: made at once
    with app.app_context():
        link_id = db.session.get(Copy, inline_id).link_id
        db.session.remove()
    page_of = lambda cid: bench(reference, cid)  # noqa: E731
    before = app.config.get("COPY_PLAN_INLINE_MAX", 200)
    app.config["COPY_PLAN_INLINE_MAX"] = 3
    try:
        token = token_of(client, f"/backoffice/verzoeken/{reference}/afschrift")
        with signals.copy_created.muted():  # the queue has not run yet
            resp = client.post(f"/backoffice/verzoeken/{reference}/afschrift/koppelingen/{link_id}/maken",
                               data={"csrf_token": token})
    finally:
        app.config["COPY_PLAN_INLINE_MAX"] = before
    assert resp.status_code == 302
    copy_id = int(resp.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    html = html_of(client.get(page_of(copy_id)))
    assert '<meta http-equiv="refresh" content="3">' in html and 'id="plan-progress"' in html
    assert re.search(r'<progress id="plan-progress" max="100" value="0"[^>]*>0%</progress> 0%', html)
    assert 'data-state="planning"' in html and articles(html) == []
    who = ch.actor(app, client.staff_id)
    with app.app_context():
        for call in (lambda: copies.request_render(who, reference, copy_id),
                     lambda: copies.withhold_entry(who, reference, copy_id, 1, "vt_task", "Het onderzoek loopt nog."),
                     lambda: copies.mark_reviewed(who, reference, copy_id)):
            with pytest.raises(copies.CopyError) as exc:
                call()
            assert exc.value.code == "copy_preparing"
            db.session.rollback()
        # How far the job is, as the page shows it while the job runs (a percentage, as
        # for rendering): told as it goes, and read by the page meanwhile.
        from portal.services.copies import link as making

        told, shown = [], []
        record = making.record_plan_progress

        def spy(cid, pct):
            record(cid, pct)
            told.append(pct)
            if len(told) == 2:
                shown.append(html_of(client.get(page_of(copy_id))))

        making.record_plan_progress = spy
        try:
            assert copies.fill_copy(copy_id) is True
        finally:
            making.record_plan_progress = record
        assert told == sorted(told) and len(told) >= 2 and 0 < told[0] < told[-1] < 100
        assert f'value="{told[1]}"' in shown[0] and f"{told[1]}%" in shown[0]
        assert db.session.get(Copy, copy_id).plan_progress == 100
        copies.run_detection(copy_id)
        db.session.remove()
    html = html_of(client.get(page_of(copy_id)))
    assert 'id="plan-progress"' not in html and len(articles(html)) == len(articles(html_of(client.get(page_of(inline_id)))))

    def made(cid):
        return sorted((r.entry_pk, r.field, r.start, r.end, r.ground, r.origin) for r in rows(app, cid))

    assert made(copy_id) == made(inline_id)


# --- paging, filters, jumping ---------------------------------------------------------------------

def test_issue12_entries_are_paged_and_found_by_number_or_date(app, copy_of):
    """Issue 12 item 3: 25 entries a page, in the printed order and numbering; a jump by
    number or by date goes to the page and the entry; the URL holds only the filter, the
    page, a number or a date."""
    client, reference, copy_id = copy_of(big_dossier(60))
    page = bench(reference, copy_id)
    html = html_of(client.get(page))
    shown = articles(html)
    assert len(shown) == 25
    assert re.findall(r'id="stuk-\d+" data-entry="[^"]+" data-number="(\d+)"', html)[:3] == ["1", "2", "3"]
    assert "Pagina 1 van 3" in html and 'rel="next"' in html
    third = html_of(client.get(page + "?pagina=3"))
    assert len(articles(third)) == 10 and re.search(r'data-number="51"', third) and "Pagina 3 van 3" in third

    resp = client.get(page + "?naar=30")
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert "pagina=2" in location and re.search(r"#stuk-\d+$", location)
    landed = html_of(client.get(location))
    anchor = location.rsplit("#", 1)[1]
    assert re.search(rf'id="{anchor}" data-entry="[^"]+" data-number="30"', landed)

    # By date: the first entry on or after it (entries run three a day from 6 January 2025).
    resp = client.get(page + "?datum=2025-01-20")
    assert resp.status_code == 302
    landed = html_of(client.get(resp.headers["Location"]))
    anchor = resp.headers["Location"].rsplit("#", 1)[1]
    assert re.search(rf'id="{anchor}" data-entry="[^"]+" data-number="43"', landed)

    # Every link of the page that carries a query string carries only these words.
    for query in re.findall(r'href="[^"?#]*\?([^"#]*)', html):
        for key, _value in (pair.split("=", 1) for pair in unescape(query).split("&")):
            assert key in ("filter", "pagina"), query


@pytest.mark.parametrize("query, message", [
    ("pagina=4", "Deze pagina bestaat niet."),
    ("pagina=0", "Deze pagina bestaat niet."),
    ("pagina=twee", "Deze pagina bestaat niet."),
    ("filter=alles-over-de-melder", "Kies een filter uit de lijst."),
    ("naar=61", "Er is geen stuk met dit nummer."),
    ("naar=-1", "Er is geen stuk met dit nummer."),
    ("datum=30-02-2025", "Vul een datum in zoals 2025-03-12."),
    ("datum=2030-01-01", "Er is geen stuk op of na deze datum."),
])
def test_issue12_a_bad_page_filter_number_or_date_is_an_error_next_to_the_form(app, copy_of, query, message):
    """Issue 12, bad input: a page out of range, a filter not on the list, an entry
    number that does not exist, a date that is not one: a clear error next to the form
    (400), the first page of all entries, nothing changed."""
    client, reference, copy_id = copy_of(big_dossier(60))
    before = version(app, copy_id)
    resp = client.get(bench(reference, copy_id) + "?" + query)
    assert resp.status_code == 400
    html = html_of(resp)
    assert re.search(r'<p class="field-error" id="paginas-error">.*' + re.escape(message), html)
    assert len(articles(html)) == 25 and "Pagina 1 van 3" in html
    assert version(app, copy_id) == before


def test_issue12_filters_show_what_needs_a_decision(app, copy_of):
    """Issue 12 item 3: the filters show the entries with unconfirmed reporter or safety
    redactions, with detector hits not yet decided, withheld entries, and entries with
    unreviewed attachments; an entry leaves a filter once decided."""
    doc, files = with_attachment(example(), entry=2, name="attachments/brief.pdf")
    client, reference, copy_id = copy_of(doc, files)
    page = bench(reference, copy_id)
    reporter = [r for r in rows(app, copy_id) if r.ground in (R.REPORTER_PROTECTION, R.SAFETY)]
    assert reporter
    with_reporter = {f"stuk-{r.entry_pk}" for r in reporter}
    assert set(articles(html_of(client.get(page + "?filter=melder")))) == with_reporter
    assert articles(html_of(client.get(page + "?filter=niet-opgenomen"))) == []
    e3 = entry_pk(app, copy_id, "e3")
    assert articles(html_of(client.get(page + "?filter=bijlagen"))) == [f"stuk-{e3}"]

    token = token_of(client, page)
    first = reporter[0].entry_pk
    for r in reporter:
        if r.entry_pk == first:
            assert client.post(f"{page}/weglatingen/{r.id}/bevestigen", data={"csrf_token": token}).status_code == 302
    assert f"stuk-{first}" not in articles(html_of(client.get(page + "?filter=melder")))
    assert client.post(f"{page}/stukken/{e3}/niet-opnemen",
                       data={"csrf_token": token, "ground": "vt_task",
                             "reasons": "Het onderzoek loopt nog, dit kan nu niet."}).status_code == 302
    assert articles(html_of(client.get(page + "?filter=niet-opgenomen"))) == [f"stuk-{e3}"]
    html = html_of(client.get(page + "?filter=detector"))
    assert 'id="shown" data-filter="detector"' in html


# --- in place, and without the script ----------------------------------------------------------------

def test_issue12_each_action_answers_in_place_with_the_entry_and_the_counts(app, copy_of):
    """Issue 12 item 3: confirm, lift with a reason, add a redaction, withhold and
    restore each answer the workbench's script with only the changed parts (the entry,
    the state of the copy, the counts, a status sentence), not a whole page; the CSRF
    token is checked as for any form."""
    client, reference, copy_id = copy_of()
    page = bench(reference, copy_id)
    token = token_of(client, page)
    red = next(r for r in rows(app, copy_id) if r.ground == R.THIRD_PARTY)
    pk = red.entry_pk

    def in_place(action, data):
        resp = client.post(f"{page}/{action}", data={"csrf_token": token, **data}, headers=IN_PLACE)
        html = html_of(resp)
        assert "<html" not in html and "<h1" not in html
        assert f'id="stuk-{pk}"' in html and 'id="telling"' in html and 'id="stappen"' in html
        return resp.status_code, html

    status, html = in_place(f"weglatingen/{red.id}/bevestigen", {})
    assert status == 200 and "U heeft bevestigd dat dit stuk weg moet." in html
    assert re.search(rf'<li id="weglating-{red.id}"[^>]*data-state="confirmed"', html)
    assert articles(html) == [f"stuk-{pk}"]  # that entry only

    status, html = in_place(f"weglatingen/{red.id}/opheffen", {"reason": "De aanvrager kent deze naam al."})
    assert status == 200 and re.search(rf'<li id="weglating-{red.id}"[^>]*data-state="lifted"', html)

    word = next(w for w in rows_text(app, pk).split() if len(w) > 5 and w.isalpha())
    status, html = in_place(f"stukken/{pk}/weglaten", {"phrase": word, "field": "text", "ground": R.THIRD_PARTY,
                                                       "reason": "Dit wijst naar iemand anders."})
    assert status == 200 and "keer weggelaten" in html and 'data-origin="staff"' in html

    status, html = in_place(f"stukken/{pk}/niet-opnemen", {"ground": "vt_task",
                                                          "reasons": "Het onderzoek loopt nog, dit kan nu niet."})
    assert status == 200 and f'id="stuk-{pk}-withheld"' in html and 'data-restriction="entry_withheld"' in html
    status, html = in_place(f"stukken/{pk}/toch-opnemen", {})
    assert status == 200 and f'id="stuk-{pk}-withheld"' not in html

    # Without the CSRF token, or with another one: refused (the app's CSRF check comes
    # before the view, in place as for a full page), nothing changed.
    before = version(app, copy_id)
    for data in ({}, {"csrf_token": "x" + token[1:]}):
        resp = client.post(f"{page}/weglatingen/{red.id}/bevestigen", data=data, headers=IN_PLACE)
        assert resp.status_code == 400
    assert version(app, copy_id) == before
    assert rows(app, copy_id, id=red.id)[0].state == CopyRedaction.LIFTED


def rows_text(app, pk: int) -> str:
    with app.app_context():
        text = db.session.get(DossierEntry, pk).text
        db.session.remove()
    return text


def test_issue12_bad_input_in_place_shows_the_error_at_that_entry_and_changes_nothing(app, copy_of):
    """Issue 12, bad input: a lift without a reason, a phrase that does not occur, a bad
    ground, offsets outside the text: the error next to that entry's form, nothing
    changed (same version, same redactions)."""
    client, reference, copy_id = copy_of()
    page = bench(reference, copy_id)
    token = token_of(client, page)
    red = rows(app, copy_id)[0]
    pk = red.entry_pk
    before = version(app, copy_id)
    cases = [
        (f"weglatingen/{red.id}/opheffen", {"reason": ""}, f"weglating-{red.id}", "waarom dit stuk toch zichtbaar"),
        (f"weglatingen/{red.id}/opheffen", {"reason": "kort"}, f"weglating-{red.id}", "minstens 10 tekens"),
        (f"stukken/{pk}/weglaten", {"phrase": "Zwaluwstaartvlinder", "field": "text", "ground": R.THIRD_PARTY,
                                     "reason": "Dit wijst naar iemand anders."}, f"weglaten-{pk}", "staan niet in dit stuk"),
        (f"stukken/{pk}/weglaten", {"phrase": "de", "field": "text", "ground": "omdat-het-kan",
                                     "reason": "Dit wijst naar iemand anders."}, f"weglaten-{pk}", "Kies een grond uit de lijst."),
        (f"stukken/{pk}/niet-opnemen", {"ground": "zomaar", "reasons": "Het onderzoek loopt nog, echt."},
         f"stuk-{pk}", "Kies een grond uit de lijst."),
    ]
    for action, data, anchor, message in cases:
        resp = client.post(f"{page}/{action}", data={"csrf_token": token, **data}, headers=IN_PLACE)
        assert resp.status_code == 422, action
        html = html_of(resp)
        assert re.search(rf'<p class="field-error" id="{anchor}-error">.*{re.escape(message)}', html), (action, message)
        assert f'id="stuk-{pk}"' in html
        assert version(app, copy_id) == before

    # Offsets outside the text (the service's range form): refused, nothing stored.
    from portal.services import copies

    who = ch.actor(app, client.staff_id)
    with app.app_context():
        length = len(db.session.get(DossierEntry, pk).text)
        for start, end in ((-1, 3), (5, 5), (0, length + 1), (length, length + 4)):
            with pytest.raises(copies.CopyError) as exc:
                copies.add_redaction(who, reference, copy_id, entry_pk=pk, field="text", ground=R.THIRD_PARTY,
                                     reason="Dit wijst naar iemand anders.", start=start, end=end)
            assert exc.value.code == "bad_range"
            db.session.rollback()
        db.session.remove()
    assert version(app, copy_id) == before


def test_issue12_without_the_script_an_action_returns_to_the_same_page_filter_and_entry(app, copy_of):
    """Issue 12 item 3: without JavaScript the same forms post the whole page and come
    back (POST-redirect-GET) to the page and filter the caseworker was on, at the entry;
    an error comes back there too."""
    client, reference, copy_id = copy_of(big_dossier(60))
    page = bench(reference, copy_id)
    html = html_of(client.get(page + "?pagina=2"))
    assert '<input type="hidden" name="pagina" value="2">' in html
    token = ch.csrf(html)
    shown = {int(a.split("-")[1]) for a in articles(html)}
    red = next(r for r in rows(app, copy_id) if r.entry_pk in shown)
    resp = client.post(f"{page}/weglatingen/{red.id}/bevestigen", data={"csrf_token": token, "pagina": "2"})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"{page}?pagina=2#weglating-{red.id}")
    back = html_of(client.get(resp.headers["Location"]))
    assert "Pagina 2 van 3" in back and re.search(rf'<li id="weglating-{red.id}"[^>]*data-state="confirmed"', back)

    resp = client.post(f"{page}/weglatingen/{red.id}/opheffen",
                       data={"csrf_token": token, "pagina": "2", "filter": "melder", "reason": ""})
    assert resp.headers["Location"].endswith(f"{page}?filter=melder&pagina=2#weglating-{red.id}") or \
        resp.headers["Location"].endswith(f"{page}?pagina=2&filter=melder#weglating-{red.id}")
    # A way back that is not on the list is dropped, not followed.
    resp = client.post(f"{page}/weglatingen/{red.id}/bevestigen",
                       data={"csrf_token": token, "pagina": "x", "filter": "<script>"})
    assert resp.headers["Location"].endswith(f"{page}#weglating-{red.id}")


# --- labels ------------------------------------------------------------------------------------------

def _accessible_names(html: str, tag: str = "button|summary") -> list[str]:
    names = []
    for inner in re.findall(rf"<(?:{tag})\b[^>]*>(.*?)</(?:{tag})>", html, flags=re.S):
        names.append(" ".join(unescape(re.sub(r"<[^>]+>", " ", inner)).split()))
    return names


def test_issue12_buttons_say_what_they_do_by_ground_and_kind_never_the_text(app, copy_of):
    """Issue 12 item 3: "Weglating bevestigen: naam van de melder", not thirteen times
    "Bevestigen": each button and summary has its own accessible name, made of the
    ground and the kind of identifier, never the redacted words themselves."""
    client, reference, copy_id = copy_of()
    html = html_of(client.get(bench(reference, copy_id)))
    names = _accessible_names(html)
    assert "Bevestigen" not in names and "Opheffen" not in names
    assert any(n.startswith("Weglating bevestigen: naam van de melder (stuk ") for n in names)
    assert any(n.startswith("Weglating opheffen: ") for n in names)
    assert any(re.fullmatch(r"Stuk \d+ niet opnemen", n) for n in names)
    assert any(re.fullmatch(r"Weglaten in stuk \d+", n) for n in names)
    for tag in ("button", "summary"):  # each button, each disclosure: a name of its own
        own = _accessible_names(html, tag)
        assert len(own) == len(set(own)) > 5, tag
    with app.app_context():
        texts = []
        for r in db.session.execute(db.select(CopyRedaction).filter_by(copy_id=copy_id)).scalars():
            e = db.session.get(DossierEntry, r.entry_pk)
            texts.append((e.text if r.field == "text" else e.title or "")[r.start:r.end])
        db.session.remove()
    for n in names:
        for t in texts:
            assert len(t) < 4 or t not in n, (t, n)


# --- an attachment only after it was opened ---------------------------------------------------------------

def test_issue12_an_attachment_is_decided_on_only_after_it_was_opened(app, copy_of, logged_in):
    """Issue 12 item 3: an attachment can be marked reviewed only after this caseworker
    opened it in this copy: before, the button is disabled with the reason, and the
    service refuses (error next to the form, nothing changed); another caseworker's
    opening does not count for them."""
    doc, files = with_attachment(example(), entry=2, name="attachments/brief.pdf")
    client, reference, copy_id = copy_of(doc, files)
    page = bench(reference, copy_id)
    with app.app_context():
        ca_id = db.session.get(Copy, copy_id).attachments[0].id
        db.session.remove()
    html = html_of(client.get(page))
    assert re.search(rf'id="button-attachment-{ca_id}" disabled aria-describedby="bijlage-{ca_id}-open-first"', html)
    data = {"decision": "withhold", "ground": "vt_task", "reasons": "De brief noemt het lopende onderzoek."}
    resp = client.post(f"{page}/bijlagen/{ca_id}", data={"csrf_token": ch.csrf(html), **data})
    assert resp.status_code == 302
    assert "Bekijk de bijlage eerst zoals hij binnenkwam." in html_of(client.get(resp.headers["Location"]))
    with app.app_context():
        assert db.session.get(CopyAttachment, ca_id).state == CopyAttachment.UNREVIEWED
        db.session.remove()

    # Another caseworker opens it: that is not this caseworker's look.
    other = logged_in("caseworker")
    assert other.get(f"{page}/bijlagen/{ca_id}/origineel").status_code == 200
    assert 'disabled aria-describedby' in html_of(client.get(page))

    assert client.get(f"{page}/bijlagen/{ca_id}/origineel").status_code == 200
    html = html_of(client.get(page))
    assert f'id="button-attachment-{ca_id}" disabled' not in html and "open-first" not in html
    resp = client.post(f"{page}/bijlagen/{ca_id}", data={"csrf_token": ch.csrf(html), **data}, headers=IN_PLACE)
    assert resp.status_code == 200 and f'id="bijlage-{ca_id}" data-state="withheld"' in html_of(resp)


def test_issue12_redacting_everywhere_in_place_returns_every_entry_of_the_page(app, copy_of):
    """Issue 12 item 3: "Overal in dit afschrift" can change every entry, so the in-place
    answer holds every entry of the page; a phrase that occurs nowhere is an error next
    to that entry's form."""
    client, reference, copy_id = copy_of()
    page = bench(reference, copy_id)
    html = html_of(client.get(page))
    token = ch.csrf(html)
    shown = articles(html)
    pk = int(shown[0].split("-")[1])
    data = {"csrf_token": token, "field": "text", "ground": R.THIRD_PARTY, "reason": "Dit wijst naar iemand anders.",
            "everywhere": "y"}
    resp = client.post(f"{page}/stukken/{pk}/weglaten", data={**data, "phrase": "Zwaluwstaartvlinder"}, headers=IN_PLACE)
    assert resp.status_code == 422 and f'id="weglaten-{pk}-error"' in html_of(resp)
    resp = client.post(f"{page}/stukken/{pk}/weglaten", data={**data, "phrase": "Lotte"}, headers=IN_PLACE)
    assert resp.status_code == 200 and articles(html_of(resp)) == shown


def test_issue12_without_the_script_an_action_on_a_page_that_is_gone_lands_on_the_last_page(app, copy_of):
    """Issue 12 item 3: without JavaScript an action goes back to the page the
    caseworker was on; when that page no longer exists (the filter shrank, here "Stukken
    die niet worden opgenomen" from 26 to 25 entries), it lands on the last page, at the
    entry if it is still shown there, else at the list of entries, with the notice;
    never the error "Deze pagina bestaat niet". A page typed in the URL that does not
    exist is still that error."""
    from portal.services import copies

    client, reference, copy_id = copy_of(big_dossier(30))
    page = bench(reference, copy_id)
    who = ch.actor(app, client.staff_id)
    with app.app_context():
        pks = [ce.entry_pk for ce in db.session.get(Copy, copy_id).entries][:26]
        db.session.remove()
    for pk in pks:
        with app.app_context():
            copies.withhold_entry(who, reference, copy_id, pk, "vt_task", "Het onderzoek loopt nog, dit kan nu niet.")
            db.session.remove()
    html = html_of(client.get(page + "?filter=niet-opgenomen&pagina=2"))
    assert "Pagina 2 van 2" in html and articles(html) == [f"stuk-{pks[-1]}"]
    token = ch.csrf(html)
    back = {"csrf_token": token, "filter": "niet-opgenomen", "pagina": "2"}

    # Another tab took entry 1 in again: page 2 is gone; a redaction of the last entry,
    # still left out, is confirmed from the old page 2: it is now on page 1.
    with app.app_context():
        copies.restore_entry(who, reference, copy_id, pks[0])
        db.session.remove()
    red = next(r for r in rows(app, copy_id) if r.entry_pk == pks[-1])
    resp = client.post(f"{page}/weglatingen/{red.id}/bevestigen", data=back)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"pagina=2#weglating-{red.id}")
    resp = client.get(resp.headers["Location"])
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith(f"{page}?filter=niet-opgenomen#weglating-{red.id}")
    landed = html_of(client.get(resp.headers["Location"]))
    assert "Pagina 1 van 1" in landed and f"stuk-{pks[-1]}" in articles(landed)
    assert "U heeft bevestigd dat dit stuk weg moet." in landed and "Deze pagina bestaat niet" not in landed

    # The entry itself taken in again from the old page 2: it has left the filter.
    with app.app_context():
        copies.withhold_entry(who, reference, copy_id, pks[0], "vt_task", "Het onderzoek loopt nog, dit kan nu niet.")
        db.session.remove()
    resp = client.post(f"{page}/stukken/{pks[-1]}/toch-opnemen", data=back)
    assert resp.status_code == 302
    resp = client.get(resp.headers["Location"])
    assert resp.headers["Location"].endswith(f"{page}?filter=niet-opgenomen#stukken")
    landed = html_of(client.get(resp.headers["Location"]))
    assert f"stuk-{pks[-1]}" not in articles(landed) and "Dit stuk wordt weer opgenomen." in landed

    # Typed, not after an action: still the error.
    resp = client.get(page + "?filter=niet-opgenomen&pagina=2")
    assert resp.status_code == 400 and "Deze pagina bestaat niet." in html_of(resp)
