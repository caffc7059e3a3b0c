"""Follow your requests with DigiD (art. 20.5, issue 11 item 5), against the stand-in
broker (panva's oidc-provider, the `digid` fixture): DigiD at or above DIGID_MIN_LOA is a
third way into the status page. It lists the requests filed with that BSN as requester
(found by the BSN's blind index; only that index is kept), nothing else: not a request
about that person filed by someone else, not one they joined as the second person, not
one where someone typed their BSN. Each opens in a server-side status session. The
answer has the same shape for none or many; logout ends it (item 6)."""
from __future__ import annotations

import logging
import re

from sqlalchemy import event

from portal.infra.encrypted import bsn_index
from portal.infra.extensions import db
from portal.models import AuditEvent, Party, Request, StatusSession
from portal.services import drafts
from tests.app.filing import Filer, Filing, Person, csrf
from tests.app.support import any_csrf
from tests.app.test_art20_5_digid import (BSN_SUBSTANTIEEL, _at_broker, _finish_filing, _leave_for_broker, _path,
                                          _to_identity_step)

UNKNOWN = "VT-PQRS-TUVW-XY23"
BSN_HOOG = "999990019"
LIST = "/volgen/digid/verzoek"


def _file_with_digid(app, person="substantieel", filing: Filing | None = None, then=()) -> str:
    """A request filed in a browser of its own whose requester logged in with DigiD."""
    client = app.test_client()
    filer = _to_identity_step(client, filing)
    client.get(_path(_at_broker(_leave_for_broker(client), person)))
    for step, data in then:
        filer.step(step, data)
    if then:
        return filer.submit().reference
    return _finish_filing(filer, client).reference


def _digid_status_login(client, person):
    resp = client.get("/volgen/digid")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:1000]
    return client.get(_path(_at_broker(resp.headers["Location"], person)))


def _listed(html: str) -> list[str]:
    return re.findall(r'name="reference" value="(VT-[A-Z0-9-]+)"', html)


def _open(client, reference):
    page = client.get(LIST).get_data(as_text=True)
    return client.post(LIST, data={"csrf_token": csrf(page), "reference": reference})


def _session(client, key):
    with client.session_transaction() as sess:
        return sess.get(key)


def _neutral(html: str) -> str:
    html = re.sub(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"\s+name="csrf_token"', "CSRF", html)
    return re.sub(r'<input type="hidden" name="csrf_token" value="[^"]*">', "CSRF", html)


def test_art20_5_digid_on_the_status_page_lists_the_requests_filed_with_that_bsn_and_opens_each(app, digid, caplog):
    caplog.set_level(logging.DEBUG)
    first, second = _file_with_digid(app), _file_with_digid(app)
    someone_else = _file_with_digid(app, "hoog")
    browser = app.test_client()
    login_page = browser.get("/volgen").get_data(as_text=True)
    assert "Met DigiD" in login_page and 'id="status-digid"' in login_page
    start = browser.get("/volgen/digid")
    assert "prompt=login" in start.headers["Location"]  # a fresh DigiD login, not the broker's open session
    back = browser.get(_path(_at_broker(start.headers["Location"], "substantieel")))
    assert back.status_code == 302 and back.headers["Location"].endswith(LIST)
    with app.app_context():
        kept = drafts.load(_session(browser, "status_eid"))[1]
        assert kept["bsn_index"] == bsn_index(app.config["BLIND_INDEX_KEY"], BSN_SUBSTANTIEEL)
        assert BSN_SUBSTANTIEEL not in repr(kept)  # only the blind index is kept
    page = browser.get(LIST).get_data(as_text=True)
    assert sorted(_listed(page)) == sorted([first, second]) and someone_else not in page
    assert BSN_SUBSTANTIEEL not in page and "Uw verzoeken" in page
    resp = _open(browser, first)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/volgen/verzoek")
    status = browser.get("/volgen/verzoek").get_data(as_text=True)
    assert first in status and BSN_SUBSTANTIEEL not in status and 'id="link-digid-list"' in status
    # Back to the list, and the other one: the first status session ends.
    assert _open(browser, second).status_code == 302
    assert second in browser.get("/volgen/verzoek").get_data(as_text=True)
    with app.app_context():
        rows = db.session.execute(db.select(StatusSession)).scalars().all()
        req = db.session.execute(db.select(Request).filter_by(reference=second)).scalar_one()
        assert [(r.request_id, r.party_id) for r in rows] == [(req.id, req.requester.id)]
        logins = db.session.execute(db.select(AuditEvent).filter_by(action="status.login")).scalars().all()
        assert {(e.subject_ref, e.reason) for e in logins} == {(first, "digid"), (second, "digid")}
    # The BSN is in no log line and no address the browser saw.
    assert not [r for r in caplog.records if BSN_SUBSTANTIEEL in r.getMessage()]
    assert BSN_SUBSTANTIEEL not in start.headers["Location"] + back.headers["Location"]


def test_art20_5_a_young_person_reads_their_digid_list_with_je(app, digid):
    """House rule (issue 15): a young person (16, filing for themselves) reads "je" on
    the list, the way back to it and the page after logout."""
    from tests.app.support import dmy, today, years_ago

    young = Filing(requester=Person("Sem", "Visser", dmy(years_ago(16, today(app)))))
    reference = _file_with_digid(app, "substantieel", young)
    browser = app.test_client()
    _digid_status_login(browser, "substantieel")
    html = browser.get(LIST).get_data(as_text=True)
    assert _listed(html) == [reference]
    assert "Je verzoeken" in html and "die je zelf met DigiD hebt verstuurd" in html and "Uw verzoeken" not in html
    assert _open(browser, reference).status_code == 302
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    assert "Terug naar je verzoeken" in page
    assert browser.post("/volgen/uitloggen", data={"csrf_token": csrf(page)}).headers["Location"].endswith("/uitgelogd")
    out = browser.get("/uitgelogd").get_data(as_text=True)
    assert "Je bent uitgelogd" in out and "Bij DigiD ben je misschien nog ingelogd" in out


def test_art20_5_digid_below_the_minimum_on_the_status_page_is_refused_plainly(client, app, digid):
    reference = _file_with_digid(app)
    resp = _digid_status_login(client, "midden")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 403
    assert "niveau Midden" in html and "minstens niveau Substantieel" in html and "Er is niets bewaard" in html
    assert 'id="status-digid"' in html and 'name="p-passphrase"' in html and 'name="l-email"' in html
    assert _session(client, "status_eid") is None
    assert client.get(LIST).headers["Location"].endswith("/volgen")
    token = any_csrf(client.get("/volgen").get_data(as_text=True))
    assert client.post(LIST, data={"csrf_token": token, "reference": reference}).status_code == 302
    assert client.get("/volgen/verzoek").status_code == 302


def _count_queries(app, fn):
    seen = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: seen.append(args[2])  # noqa: E731 (the statement)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        resp = fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return resp, seen


def test_art20_5_digid_on_the_status_page_answers_alike_for_none_and_many(app, digid):
    """Item 5 with the rule that the portal answers alike whether or not a dossier
    exists: a BSN that filed two requests and one that filed none get the same answer
    from the broker's callback, the same page (but for the list) from the same work
    (the same SQL statements), and a reference not in their list (someone else's or an
    unknown one) the same refusal."""
    filed_ref = [_file_with_digid(app), _file_with_digid(app)]
    filed, nothing = app.test_client(), app.test_client()
    back_filed, back_nothing = _digid_status_login(filed, "substantieel"), _digid_status_login(nothing, "hoog")
    assert (back_filed.status_code, back_filed.headers["Location"]) == (back_nothing.status_code,
                                                                        back_nothing.headers["Location"])
    page_filed, sql_filed = _count_queries(app, lambda: filed.get(LIST))
    page_nothing, sql_nothing = _count_queries(app, lambda: nothing.get(LIST))
    assert page_filed.status_code == page_nothing.status_code == 200
    assert sql_filed == sql_nothing
    html_filed, html_nothing = page_filed.get_data(as_text=True), page_nothing.get_data(as_text=True)
    assert sorted(_listed(html_filed)) == sorted(filed_ref) and _listed(html_nothing) == []
    assert "Wij vinden geen verzoek dat u met DigiD heeft verstuurd" in html_nothing

    def outside(html):
        return re.sub(r'<ul class="letters" id="digid-requests">.*?</ul>|<p id="digid-none">.*?</p>', "LIST",
                      _neutral(html), flags=re.S)
    assert outside(html_filed) == outside(html_nothing)
    not_theirs = _open(nothing, filed_ref[0])  # a real request, filed with another BSN
    unknown = _open(filed, UNKNOWN)
    assert not_theirs.status_code == unknown.status_code == 400
    assert outside(not_theirs.get_data(as_text=True)) == outside(unknown.get_data(as_text=True))
    assert "Dit verzoek kunt u met DigiD niet bekijken" in unknown.get_data(as_text=True)
    assert nothing.get("/volgen/verzoek").status_code == 302  # no status session
    assert filed.get("/volgen/verzoek").status_code == 302


def test_art20_5_digid_on_the_status_page_never_lists_a_request_the_bsn_did_not_file_as_requester(client, app, digid):
    """Not the person a request is about (a parent files for a child with DigiD
    Machtigen for that child's BSN), not the second person of a joint request who
    joined with DigiD (art. 20.1), not a BSN typed in the form without DigiD."""
    from tests.app.support import dmy, today, years_ago
    from tests.app.test_art20_5_digid import _join_with_digid, _parent_at_join_page
    from tests.app.test_joint_request import PARENT

    # 1. A parent (BSN 999993653) files for their child (999990019) with a machtiging.
    for_child = Filing(for_whom="child_under_12", rep_kind="ouder_met_gezag",
                       subject=Person("Mila", "Jansen", dmy(years_ago(8, today(app)))),
                       requester=Person("Karin", "Jansen", "02-02-1975"), proof_method="in_person")
    by_machtiging = _file_with_digid(app, "machtiging", for_child,
                                     then=(("bewijs", {"method": "in_person"}), ("contact", {"ways": ["none"]})))
    # 2. A child files a joint request without DigiD; a parent joins it with DigiD (hoog).
    sub, parent = _parent_at_join_page(client, app)
    _join_with_digid(parent, "hoog")
    data = {"bsn": "", "email": "", "method": "eid", "proof_method": "in_person", **PARENT}
    assert Filer(parent).post("/meedoen/gegevens", data, content_type="multipart/form-data").status_code == 200
    # 3. Someone files without DigiD and types the BSN 999990019 as their own.
    typed = Filer(app.test_client()).fill(Filing(requester=Person(bsn=BSN_HOOG))).submit().reference

    child = app.test_client()
    _digid_status_login(child, "hoog")
    assert _listed(child.get(LIST).get_data(as_text=True)) == []
    for reference in (by_machtiging, sub.reference, typed):
        assert _open(child, reference).status_code == 400
    assert child.get("/volgen/verzoek").status_code == 302
    # The parent who filed with the machtiging is the requester: they see it.
    karin = app.test_client()
    _digid_status_login(karin, "substantieel")
    assert _listed(karin.get(LIST).get_data(as_text=True)) == [by_machtiging]


def test_art20_4_a_parent_kept_out_sees_by_digid_only_a_request_in_progress(app, digid):
    """The parent whom the invited child kept out (art. 20.4, services/left_out.py) is the
    requester: the request is in their list like any other, and its page opened from
    there is the page of a request in which the child simply joined."""
    from tests.app.support import neutral_status_page
    from tests.app.test_invited_child_not_safe import join_as_child, open_by_code, parent_starts, say_not_safe

    then = (("bewijs", {"method": "in_person"}), ("contact", {"ways": ["none"]}))
    refs, filings = [], []
    for _ in range(2):
        f = parent_starts(app)
        client = app.test_client()
        filer = _to_identity_step(client, f)
        client.get(_path(_at_broker(_leave_for_broker(client), "substantieel")))
        for step, data in then:
            filer.step(step, data)
        sub = filer.submit()
        refs.append(sub)
        filings.append(f)
    a, b = refs
    child_a, child_b = app.test_client(), app.test_client()
    open_by_code(child_a, a.reference, a.invitation_code)
    assert say_not_safe(child_a, filings[0].subject.birth_date).status_code == 200
    open_by_code(child_b, b.reference, b.invitation_code)
    join_as_child(child_b, filings[1])

    parent = app.test_client()
    _digid_status_login(parent, "substantieel")
    assert sorted(_listed(parent.get(LIST).get_data(as_text=True))) == sorted([a.reference, b.reference])
    pages = []
    for sub in (a, b):
        assert _open(parent, sub.reference).status_code == 302
        pages.append(parent.get("/volgen/verzoek").get_data(as_text=True))
    assert a.reference in pages[0] and b.reference in pages[1]
    assert neutral_status_page(pages[0]) == neutral_status_page(pages[1])


def test_art20_5_logging_out_ends_the_digid_status_login_and_a_replayed_cookie_opens_nothing(app, digid):
    """Item 6: logout ends the local session: the status session and the DigiD login for
    the list. A copy of the browser's cookie taken before logout opens nothing after."""
    reference = _file_with_digid(app)
    browser = app.test_client()
    _digid_status_login(browser, "substantieel")
    _open(browser, reference)
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    assert reference in page
    name = app.config["SESSION_COOKIE_NAME"]
    saved = browser.get_cookie(name, domain="portal.test").value
    draft_id = _session(browser, "status_eid")
    assert browser.post("/volgen/uitloggen", data={"csrf_token": csrf(page)}).status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(StatusSession)).scalar_one() == 0
        assert drafts.load(draft_id) == (None, {})
    # The cookie from before logout, put back: neither the status page nor the list opens.
    replay = app.test_client()
    replay.set_cookie(name, saved, domain="portal.test")
    assert _session(replay, "status_eid") == draft_id and _session(replay, "status")
    assert replay.get("/volgen/verzoek").headers["Location"].endswith("/volgen")
    assert replay.get(LIST).headers["Location"].endswith("/volgen")
    assert reference not in replay.get("/volgen").get_data(as_text=True)


def test_art20_5_logging_out_after_digid_offers_the_brokers_own_logout(app, digid):
    """Item 6: after the portal's logout, a browser that used DigiD is offered the
    broker's logout (RP-initiated logout: its end_session_endpoint from discovery, our
    client id, back to the front page), once; without an ID token (and so no BSN) in
    the address. A browser that did not use DigiD goes to the front page as before."""
    from urllib.parse import parse_qs, urlsplit

    import requests

    browser = app.test_client()
    _digid_status_login(browser, "substantieel")
    page = browser.get(LIST).get_data(as_text=True)
    out = browser.post("/volgen/uitloggen", data={"csrf_token": csrf(page)})
    assert out.status_code == 302 and out.headers["Location"].endswith("/uitgelogd")
    html = browser.get("/uitgelogd").get_data(as_text=True)
    link = re.search(r'id="broker-logout" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    discovery = requests.get(f"{digid}/.well-known/openid-configuration", timeout=10).json()
    assert link.split("?")[0] == discovery["end_session_endpoint"]
    params = parse_qs(urlsplit(link).query)
    assert params == {"client_id": ["vt-portal"], "post_logout_redirect_uri": ["http://portal.test/"]}
    assert BSN_SUBSTANTIEEL not in link
    # The broker accepts it (no error page; the Chromium test logs out there for real).
    at_broker = requests.get(link, timeout=10)
    assert at_broker.status_code == 200 and "<h1>Fout</h1>" not in at_broker.text
    assert browser.get("/uitgelogd").headers["Location"].endswith("/")  # once
    plain = app.test_client()
    page = plain.get("/volgen").get_data(as_text=True)
    assert plain.post("/volgen/uitloggen", data={"csrf_token": any_csrf(page)}).headers["Location"].endswith("/")


def test_art20_5_without_digid_the_status_login_is_as_before(client, app):
    assert not app.config.get("DIGID_ISSUER")
    assert "Met DigiD" not in client.get("/volgen").get_data(as_text=True)
    assert client.get("/volgen/digid").status_code == 404
    assert client.get("/volgen/digid/verzoek").status_code == 404
