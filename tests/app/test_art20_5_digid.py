"""Identity by DigiD through an OpenID Connect broker (art. 20.5, issue 11), against a real
OpenID provider: panva's oidc-provider in digid-standin/, started by the `digid_broker`
fixture. Its login page is driven over real HTTP with requests; the portal through the
Flask test client. The stand-in's test people: substantieel, hoog, midden, basis,
bsn-fout (a BSN failing the 11-test), zonder-bsn.
"""
from __future__ import annotations

import logging
import re
import socket
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests

from portal.infra.extensions import db
from portal.models import Document, IdentityCheck, Party, Request
from portal.services import drafts
from portal.services import eid
from tests.app.filing import Filer, Filing, Person, csrf

PORTAL = "http://portal.test"
BSN_SUBSTANTIEEL = "999993653"


def _draft(client, app) -> dict:
    with client.session_transaction() as sess:
        draft_id = sess.get("draft")
    with app.app_context():
        return drafts.load(draft_id)[1]


def _to_identity_step(client, filing: Filing | None = None) -> Filer:
    filer = Filer(client)
    filer.fill(filing or Filing(), until="identiteit")
    return filer


def _leave_for_broker(client) -> str:
    html = client.get("/verzoek/identiteit").get_data(as_text=True)
    assert "Inloggen met DigiD" in html
    resp = client.get("/verzoek/digid")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    return resp.headers["Location"]


def _at_broker(authorize_url: str, person: str | None, cancel: bool = False,
               browser: requests.Session | None = None) -> str:
    """Log in at the stand-in's own login page as `person` (or cancel); return the
    address the broker sends the browser back to (the portal's callback). `browser`
    keeps the broker's cookies from an earlier login (its open session)."""
    s = browser or requests.Session()

    def follow(url, method="get", **kw):
        resp = getattr(s, method)(url, allow_redirects=False, timeout=10, **kw)
        while resp.is_redirect:
            url = urljoin(url, resp.headers["Location"])
            if url.startswith(PORTAL):
                return url, None
            resp = s.get(url, allow_redirects=False, timeout=10)
        return url, resp

    url, page = follow(authorize_url)
    assert page is not None and page.status_code == 200, page.text if page is not None else url
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    data = {"cancel": "1"} if cancel else {"person": person}
    back, page = follow(urljoin(url, action), method="post", data=data)
    assert page is None, f"the broker did not send the browser back: {page.status_code} {page.text[:500]}"
    return back


def _with_param(url: str, **params) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _finish_filing(filer: Filer, client):
    # After DigiD the flow goes on at "contact".
    filer.step("contact", {"ways": ["email"]})
    filer.step("contact-gegevens", {"email": "sanne@example.org"})
    return filer.submit()


def _assert_nothing_kept(client, app):
    answers = _draft(client, app)
    assert "eid" not in answers and "eid_pending" not in answers
    assert "identiteit" not in answers.get("done", [])


def _other_routes_open(html: str):
    assert 'value="upload"' in html and 'value="in_person"' in html


# --- the good path -------------------------------------------------------------------------

def test_art20_5_digid_at_substantieel_records_the_identity_check_by_eid_with_level_time_and_broker(
        client, app, digid, caplog):
    caplog.set_level(logging.DEBUG)
    filer = _to_identity_step(client)
    back = _at_broker(_leave_for_broker(client), "substantieel")
    resp = client.get(_path(back))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/verzoek/contact")
    # The identity page now says DigiD is done and shows only the last 3 digits.
    html = client.get("/verzoek/identiteit").get_data(as_text=True)
    assert "Substantieel" in html and "eindigt op 653" in html and BSN_SUBSTANTIEEL not in html
    check_html = None
    filer.step("contact", {"ways": ["email"]})
    filer.step("contact-gegevens", {"email": "sanne@example.org"})
    check_html = client.get("/verzoek/controleren").get_data(as_text=True)
    assert "Ingelogd met DigiD" in check_html and BSN_SUBSTANTIEEL not in check_html
    submitted = filer.submit()
    assert BSN_SUBSTANTIEEL not in submitted.html
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=submitted.reference)).scalar_one()
        requester = next(p for p in req.parties if p.role == Party.REQUESTER)
        assert requester.identity_method == "eid"
        check = db.session.execute(db.select(IdentityCheck).filter_by(request_id=req.id)).scalar_one()
        assert (check.kind, check.method, check.result, check.loa, check.broker) == (
            "identity", "eid", "verified", "substantieel", digid)
        assert check.party_id == requester.id and check.checked_at is not None and check.checked_by is None
        assert BSN_SUBSTANTIEEL.encode() not in check.eid_bsn_ciphertext
        assert eid.bsn_of(check) == BSN_SUBSTANTIEEL
        # No copy of an ID document was needed, none is stored.
        assert not [d for d in req.documents if d.kind == Document.IDENTITY]
    # Never in a log line.
    assert not [r for r in caplog.records if BSN_SUBSTANTIEEL in r.getMessage()]


def test_art20_5_digid_hoog_is_above_the_minimum_too(client, app, digid):
    _to_identity_step(client)
    resp = client.get(_path(_at_broker(_leave_for_broker(client), "hoog")))
    assert resp.status_code == 302
    assert _draft(client, app)["eid"]["level"] == "hoog"


# --- what must fail, and store nothing --------------------------------------------------------

def test_art20_5_digid_wrong_state_is_refused_and_nothing_is_kept(client, app, digid):
    _to_identity_step(client)
    back = _at_broker(_leave_for_broker(client), "substantieel")
    resp = client.get(_path(_with_param(back, state="someone-elses-state")))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "niet gelukt of duurde te lang" in html
    _other_routes_open(html)
    _assert_nothing_kept(client, app)
    # The pending login is used up: the right state afterwards does not work either.
    assert client.get(_path(back)).status_code == 400
    _assert_nothing_kept(client, app)


def test_art20_5_digid_a_replayed_code_is_refused(client, app, digid):
    _to_identity_step(client)
    back = _at_broker(_leave_for_broker(client), "substantieel")
    assert client.get(_path(back)).status_code == 302
    # The same answer again: its state was used once.
    again = client.get(_path(back))
    assert again.status_code == 400
    # The same code under a fresh login's state: the broker refuses the used code.
    fresh = _leave_for_broker(client)
    state = dict(parse_qsl(urlsplit(fresh).query))["state"]
    replay = client.get(_path(_with_param(back, state=state)))
    assert replay.status_code == 400 and "Het inloggen met DigiD is niet gelukt" in replay.get_data(as_text=True)


def test_art20_5_digid_wrong_nonce_is_refused(client, app, digid):
    _to_identity_step(client)
    authorize = _with_param(_leave_for_broker(client), nonce="a-nonce-the-portal-did-not-make")
    resp = client.get(_path(_at_broker(authorize, "substantieel")))
    assert resp.status_code == 400 and "Het inloggen met DigiD is niet gelukt" in resp.get_data(as_text=True)
    _assert_nothing_kept(client, app)


def test_art20_5_digid_below_the_minimum_says_plainly_a_copy_or_visit_is_needed_and_that_way_works(
        client, app, digid):
    filer = _to_identity_step(client)
    resp = client.get(_path(_at_broker(_leave_for_broker(client), "midden")))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/verzoek/identiteit")
    html = client.get("/verzoek/identiteit").get_data(as_text=True)
    assert "niveau Midden" in html and "minstens niveau Substantieel" in html
    assert "Stuur daarom ook een kopie" in html
    _other_routes_open(html)
    answers = _draft(client, app)
    assert "eid" not in answers and answers["eid_low"] == {"level": "midden"}
    assert "identiteit" not in answers.get("done", [])
    # Going on with a visit in person works, and no eID check is recorded.
    filer.step("identiteit", {"method": "in_person"})
    submitted = _finish_filing(filer, client)
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=submitted.reference)).scalar_one()
        assert next(p for p in req.parties if p.role == Party.REQUESTER).identity_method == "in_person"
        assert db.session.execute(db.select(IdentityCheck).filter_by(request_id=req.id)).first() is None


def test_art20_5_digid_basis_is_below_the_minimum(client, app, digid):
    _to_identity_step(client)
    client.get(_path(_at_broker(_leave_for_broker(client), "basis")))
    assert "niveau Basis" in client.get("/verzoek/identiteit").get_data(as_text=True)


def test_art20_5_digid_a_bsn_failing_the_11_test_is_refused(client, app, digid):
    _to_identity_step(client)
    resp = client.get(_path(_at_broker(_leave_for_broker(client), "bsn-fout")))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "geen geldig burgerservicenummer" in html and "123456789" not in html
    _other_routes_open(html)
    _assert_nothing_kept(client, app)


def test_art20_5_digid_without_a_bsn_is_refused(client, app, digid):
    _to_identity_step(client)
    resp = client.get(_path(_at_broker(_leave_for_broker(client), "zonder-bsn")))
    assert resp.status_code == 400 and "geen geldig burgerservicenummer" in resp.get_data(as_text=True)
    _assert_nothing_kept(client, app)


def test_art20_5_digid_the_person_cancelling_at_the_broker(client, app, digid):
    _to_identity_step(client)
    resp = client.get(_path(_at_broker(_leave_for_broker(client), None, cancel=True)))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "afgebroken" in html
    _other_routes_open(html)
    _assert_nothing_kept(client, app)


def test_art20_5_digid_broker_down_gives_a_clear_page_and_the_other_routes_stay_open(client, app, digid):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    app.config["DIGID_ISSUER"] = f"http://127.0.0.1:{closed}"
    eid.clear_cache()
    filer = _to_identity_step(client)
    before = _draft(client, app)
    resp = client.get("/verzoek/digid")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503 and "DigiD is nu niet bereikbaar" in page
    _other_routes_open(page)
    assert _draft(client, app) == before
    filer.step("identiteit", {"method": "in_person"})
    assert _finish_filing(filer, client).reference


# --- the BSN typed earlier, logging out, no DigiD configured ------------------------------------

def test_art20_5_digid_a_different_typed_bsn_is_pointed_out_and_the_person_chooses(client, app, digid):
    filer = _to_identity_step(client, Filing(requester=Person(bsn="111222333")))
    client.get(_path(_at_broker(_leave_for_broker(client), "substantieel")))
    filer.step("contact", {"ways": ["email"]})
    filer.step("contact-gegevens", {"email": "sanne@example.org"})
    html = client.get("/verzoek/controleren").get_data(as_text=True)
    assert "Twee verschillende BSN" in html and "eindigt op 653" in html and "eindigt op 333" in html
    assert BSN_SUBSTANTIEEL not in html
    # Not sent while the question is open.
    resp = client.post("/verzoek/controleren", data={"csrf_token": csrf(html), "truthful": "y"})
    assert resp.status_code == 200 and "Er ontbreekt nog iets" in resp.get_data(as_text=True)
    resp = client.post("/verzoek/digid/bsn", data={"csrf_token": csrf(html), "choice": "digid"})
    assert resp.status_code == 302
    submitted = filer.submit()
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=submitted.reference)).scalar_one()
        assert next(p for p in req.parties if p.role == Party.REQUESTER).bsn == BSN_SUBSTANTIEEL


def test_art20_5_digid_the_typed_bsn_chosen_means_the_login_was_not_theirs(client, app, digid):
    _to_identity_step(client, Filing(requester=Person(bsn="111222333")))
    client.get(_path(_at_broker(_leave_for_broker(client), "substantieel")))
    html = client.get("/verzoek/identiteit").get_data(as_text=True)
    resp = client.post("/verzoek/digid/bsn", data={"csrf_token": csrf(html), "choice": "typed"})
    assert resp.headers["Location"].endswith("/verzoek/identiteit")
    _assert_nothing_kept(client, app)
    assert _draft(client, app)["requester"]["bsn"] == "111222333"


def test_art20_5_logging_out_ends_the_local_digid_state(client, app, digid):
    _to_identity_step(client)
    client.get(_path(_at_broker(_leave_for_broker(client), "substantieel")))
    assert _draft(client, app)["eid"]["bsn"] == BSN_SUBSTANTIEEL
    html = client.get("/verzoek/identiteit").get_data(as_text=True)
    client.post("/volgen/uitloggen", data={"csrf_token": csrf(html)})
    _assert_nothing_kept(client, app)


def test_art20_5_without_digid_issuer_the_identity_step_is_as_before(client, app):
    assert not app.config.get("DIGID_ISSUER")
    _to_identity_step(client)
    html = client.get("/verzoek/identiteit").get_data(as_text=True)
    assert "DigiD" not in html
    _other_routes_open(html)
    assert client.get("/verzoek/digid").status_code == 404
    assert client.get("/verzoek/digid/terug?state=x&code=y").status_code == 404


def test_art20_5_digid_broker_slow_is_the_same_clear_page(client, app, digid):
    # A port that takes the connection and never answers.
    slow = socket.socket()
    slow.bind(("127.0.0.1", 0))
    slow.listen(8)
    try:
        app.config.update(DIGID_ISSUER=f"http://127.0.0.1:{slow.getsockname()[1]}", DIGID_TIMEOUT_SECONDS=1)
        eid.clear_cache()
        _to_identity_step(client)
        before = _draft(client, app)
        resp = client.get("/verzoek/digid")
        assert resp.status_code == 503 and "DigiD is nu niet bereikbaar" in resp.get_data(as_text=True)
        assert _draft(client, app) == before
    finally:
        app.config["DIGID_TIMEOUT_SECONDS"] = 10
        slow.close()


def test_art20_5_digid_broker_down_at_the_token_step_stores_nothing(client, app, digid, monkeypatch):
    _to_identity_step(client)
    back = _at_broker(_leave_for_broker(client), "substantieel")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    real = eid.metadata
    monkeypatch.setattr(eid, "metadata", lambda settings: {**real(settings), "token_endpoint": f"http://127.0.0.1:{closed}/token"})
    resp = client.get(_path(back))
    assert resp.status_code == 503 and "DigiD is nu niet bereikbaar" in resp.get_data(as_text=True)
    _other_routes_open(resp.get_data(as_text=True))
    _assert_nothing_kept(client, app)


def test_art20_5_digid_a_failed_attempt_is_logged_with_its_reason_only(client, app, digid, caplog):
    caplog.set_level(logging.INFO)
    _to_identity_step(client)
    back = _at_broker(_leave_for_broker(client), "substantieel")
    query = dict(parse_qsl(urlsplit(back).query))
    client.get(_path(_with_param(back, state="someone-elses-state")))
    failed = [r.getMessage() for r in caplog.records if r.name == "portal.eid"]
    assert failed == ["digid login failed: state"]
    # The request log's JSON fields too (route, not the address with its query).
    every_line = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "portal.request" in every_line
    assert query["code"] not in every_line and query["state"] not in every_line and BSN_SUBSTANTIEEL not in every_line


# --- joining a joint request (art. 20.1) with DigiD ------------------------------------------------

def _parent_at_join_page(client, app):
    from tests.app.test_joint_request import child_starts, enter_code

    sub = Filer(client).fill(child_starts(app)).submit()
    parent = app.test_client()
    assert enter_code(parent, sub.reference, sub.invitation_code).status_code == 302
    return sub, parent


def _join_with_digid(parent, person):
    resp = parent.get("/meedoen/digid")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:1000]
    back = parent.get(_path(_at_broker(resp.headers["Location"], person)))
    assert back.status_code == 302 and back.headers["Location"].endswith("/meedoen/gegevens")
    return parent.get("/meedoen/gegevens").get_data(as_text=True)


def test_art20_5_the_parent_joins_a_joint_request_with_digid(client, app, digid):
    from tests.app.test_joint_request import PARENT

    sub, parent = _parent_at_join_page(client, app)
    page = _join_with_digid(parent, "substantieel")
    assert "eindigt op 653" in page and "Ik ben ingelogd met DigiD" in page and BSN_SUBSTANTIEEL not in page
    data = {"bsn": "", "email": "", "method": "eid", "proof_method": "in_person", **PARENT}
    resp = Filer(parent).post("/meedoen/gegevens", data, content_type="multipart/form-data")
    assert resp.status_code == 200 and "U doet mee aan het verzoek" in resp.get_data(as_text=True)
    # Joined with DigiD: the broker's own logout is offered (item 6), as after filing.
    _assert_broker_logout(resp.get_data(as_text=True), digid)
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=sub.reference)).scalar_one()
        co = next(p for p in req.parties if p.role == Party.CO_REQUESTER)
        assert co.identity_method == "eid"
        check = db.session.execute(db.select(IdentityCheck).filter_by(request_id=req.id, party_id=co.id)).scalar_one()
        assert (check.method, check.loa, check.broker, check.result) == ("eid", "substantieel", digid, "verified")
        assert eid.bsn_of(check) == BSN_SUBSTANTIEEL
    with parent.session_transaction() as sess:
        assert "join_eid" not in sess  # the login kept for joining is gone


def test_art20_5_joining_with_digid_and_another_typed_bsn_is_refused_beside_the_field(client, app, digid):
    from tests.app.test_joint_request import PARENT, snapshot

    sub, parent = _parent_at_join_page(client, app)
    _join_with_digid(parent, "substantieel")
    before = snapshot(app, sub.reference)
    data = {"bsn": "111222333", "email": "", "method": "eid", "proof_method": "in_person", **PARENT}
    resp = Filer(parent).post("/meedoen/gegevens", data, content_type="multipart/form-data")
    assert resp.status_code == 400 and "niet het BSN van uw DigiD" in resp.get_data(as_text=True)
    assert snapshot(app, sub.reference) == before


def test_art20_5_joining_with_digid_below_the_minimum_offers_no_digid_choice(client, app, digid):
    sub, parent = _parent_at_join_page(client, app)
    page = _join_with_digid(parent, "midden")
    assert "niveau Midden" in page and 'value="eid"' not in page
    _other_routes_open(page)



def _prompt(authorize_url: str) -> str | None:
    return dict(parse_qsl(urlsplit(authorize_url).query)).get("prompt")


def test_art20_5_issue11_item6_every_digid_login_asks_the_broker_for_a_fresh_login(client, app, digid):
    """Item 6, the shared device: the identity step of a new request and joining a joint
    request ask the broker for a fresh login (prompt=login), as the status page does, so
    a broker session the previous person left open in this browser proves nobody's
    identity; the stand-in honours it and shows its login page again over that session."""
    _to_identity_step(client)
    broker_browser = requests.Session()
    first = _leave_for_broker(client)
    assert _prompt(first) == "login"
    assert client.get(_path(_at_broker(first, "substantieel", browser=broker_browser))).status_code == 302
    # The broker's session is open in this browser; the next login still meets its login page
    # (_at_broker asserts that page is shown, not a straight redirect back).
    again = client.get("/verzoek/digid")
    assert again.status_code == 303 and _prompt(again.headers["Location"]) == "login"
    back = client.get(_path(_at_broker(again.headers["Location"], "substantieel", browser=broker_browser)))
    assert back.status_code == 302 and back.headers["Location"].endswith("/verzoek/contact")
    # Joining a joint request with DigiD asks the same.
    _sub, parent = _parent_at_join_page(app.test_client(), app)
    join = parent.get("/meedoen/digid")
    assert join.status_code == 303 and _prompt(join.headers["Location"]) == "login"


def _assert_broker_logout(html: str, issuer: str):
    """The page offers the broker's own logout, as /uitgelogd does: its end_session_endpoint
    with our client id, back to the front page, no ID token (and so no BSN) in it."""
    link = re.search(r'id="broker-logout" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    assert link.split("?")[0] == discovery["end_session_endpoint"]
    assert dict(parse_qsl(urlsplit(link).query)) == {"client_id": "vt-portal",
                                                     "post_logout_redirect_uri": "http://portal.test/"}
    assert BSN_SUBSTANTIEEL not in link


def test_art20_5_issue11_item6_the_confirmation_page_offers_the_brokers_logout_after_filing_with_digid(
        client, app, digid, monkeypatch):
    """Item 6: a browser that used DigiD only to file has no portal session to log out of,
    but the broker's session is open: the confirmation page says so in one line and
    offers the broker's own logout. Only when the request was filed with DigiD."""
    filer = _to_identity_step(client)
    client.get(_path(_at_broker(_leave_for_broker(client), "substantieel")))
    submitted = _finish_filing(filer, client)
    assert "Bij DigiD bent u misschien nog ingelogd in deze browser" in submitted.html
    _assert_broker_logout(submitted.html, digid)
    # Filed with a copy or a visit (DigiD offered but not used): no such line.
    plain = Filer(app.test_client()).fill(Filing()).submit()
    assert "broker-logout" not in plain.html and "Bij DigiD" not in plain.html
    # A broker without an end_session_endpoint: close the browser instead.
    young_client = app.test_client()
    filer = _to_identity_step(young_client, _young_filing(app))
    young_client.get(_path(_at_broker(_leave_for_broker(young_client), "substantieel")))
    discovered = eid.metadata
    monkeypatch.setattr(eid, "metadata", lambda s: {k: v for k, v in discovered(s).items() if k != "end_session_endpoint"})
    young = _finish_filing(filer, young_client)
    assert "broker-logout" not in young.html and 'id="close-browser"' in young.html
    # A young person (17, art. 20.1) reads it with "je".
    from tests.app.test_young_reader import assert_je

    assert "Bij DigiD ben je misschien nog ingelogd in deze browser" in young.html
    assert_je(young.html, "confirmation after filing with DigiD")


def test_art20_5_the_start_page_names_digid_only_where_it_is_offered(client, app):
    """Issue 15, item 7: "Een verzoek doen" names DigiD once that route exists."""
    before = client.get("/verzoek").get_data(as_text=True)
    assert "DigiD" not in before and "kopie van uw paspoort" in before
    app.config["DIGID_ISSUER"] = "https://broker.example"
    try:
        page = client.get("/verzoek").get_data(as_text=True)
    finally:
        app.config["DIGID_ISSUER"] = None
    assert "DigiD, om te laten zien wie u bent" in page and "kopie van uw paspoort" in page


# --- "je" for a young person (issue 15, item 2) -------------------------------------------------

def _young_filing(app, bsn: str = "") -> Filing:
    from tests.app.support import dmy, today, years_ago

    return Filing(requester=Person("Sem", "de Wit", dmy(years_ago(17, today(app))), bsn=bsn))


def test_art20_issue15_a_young_person_reads_the_digid_texts_with_je(client, app, digid):
    """A young requester (17, art. 20.1: files alone) reads every DigiD text of the
    identity step in "je": the offer, a login below the minimum, a cancelled login
    (the page made by the DigiD callback) and the choice between two BSNs."""
    from tests.app.test_young_reader import U_WORDS, assert_je, visible

    filer = _to_identity_step(client, _young_filing(app, bsn="111222333"))
    offer = client.get("/verzoek/identiteit").get_data(as_text=True)
    assert "Met DigiD hoef je geen kopie te sturen" in offer
    assert_je(offer, "identity step with DigiD")
    cancelled = client.get(_path(_at_broker(_leave_for_broker(client), None, cancel=True))).get_data(as_text=True)
    assert "Je hebt het inloggen met DigiD afgebroken" in cancelled
    assert_je(cancelled, "DigiD cancelled")
    client.get(_path(_at_broker(_leave_for_broker(client), "midden")))
    low = client.get("/verzoek/identiteit").get_data(as_text=True)
    assert "Je logde in met DigiD op niveau Midden" in low and "Dat kies je hieronder" in low
    assert_je(low, "DigiD below the minimum")
    client.get(_path(_at_broker(_leave_for_broker(client), "substantieel")))
    filer.step("contact", {"ways": ["email"]})
    filer.step("contact-gegevens", {"email": "sem@example.org"})
    check = client.get("/verzoek/controleren").get_data(as_text=True)
    assert "Het BSN dat je zelf invulde eindigt op 333" in check and "niet jouw DigiD" in check
    assert_je(check, "two BSNs")
    assert not U_WORDS.search(visible(check))


def test_art20_4_issue15_the_invited_child_joins_with_digid_in_je_and_the_parent_reads_u(client, app, digid):
    from tests.app.test_invited_child_not_safe import open_by_code, parent_starts
    from tests.app.test_young_reader import assert_je

    f = parent_starts(app)
    sub = Filer(client).fill(f).submit()
    child = app.test_client()
    open_by_code(child, sub.reference, sub.invitation_code)
    offer = child.get("/meedoen/gegevens").get_data(as_text=True)
    assert "Met DigiD hoef je geen kopie te sturen" in offer
    low = _join_with_digid(child, "midden")
    assert "Je logde in met DigiD op niveau Midden" in low and "Dat kies je hieronder" in low
    assert_je(low, "child joining, DigiD below the minimum")
    done = _join_with_digid(child, "substantieel")
    assert "Je bent ingelogd met DigiD, niveau Substantieel. Je burgerservicenummer (BSN) eindigt op 653" in done
    assert_je(done, "child joining with DigiD")
    # The parent invited by a child reads the same texts in "u".
    _sub, parent = _parent_at_join_page(app.test_client(), app)
    page = _join_with_digid(parent, "midden")
    assert "U logde in met DigiD op niveau Midden" in page and "Dat kiest u hieronder" in page
