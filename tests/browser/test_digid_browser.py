"""DigiD in Chromium (art. 20.5, issue 11): the whole flow through the stand-in broker's
own login page, in Dutch and English with JavaScript (axe on our pages) and in English
without JavaScript."""
from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import urlencode

import pytest

from portal.infra.extensions import db
from portal.models import IdentityCheck, Party, Request
from portal.services import eid
from tests.conftest import STANDIN_CLIENT_ID, STANDIN_CLIENT_SECRET, standin_broker

from .navigator import CHECK, Filing, Navigator


@pytest.fixture
def live_digid(live_server):
    with standin_broker(f"{live_server.base_url}/verzoek/digid/terug") as issuer:
        app = live_server.app
        saved = {k: app.config.get(k) for k in ("DIGID_ISSUER", "DIGID_CLIENT_ID", "DIGID_CLIENT_SECRET")}
        app.config.update(DIGID_ISSUER=issuer, DIGID_CLIENT_ID=STANDIN_CLIENT_ID,
                          DIGID_CLIENT_SECRET=STANDIN_CLIENT_SECRET)
        eid.clear_cache()
        yield live_server, issuer
        app.config.update(saved)
        eid.clear_cache()


def _audit(axe, page):
    results = axe.run(page)
    assert results.violations_count == 0, results.generate_report()


def _file_with_digid(nav: Navigator, page, person: str, axe=None):
    nav.start_request()
    filing = Filing()
    for _ in range(30):
        if nav.path == f"/verzoek/{CHECK}":
            return
        step = nav.step
        assert step, page.url
        if step == "identiteit":
            if axe:
                _audit(axe, page)
            page.get_by_role("link", name=nav.t("Inloggen met DigiD")).click()
            page.wait_for_url("**/interaction/**")
            page.get_by_role("button", name=person, exact=True).click()
            page.wait_for_url(f"{nav.base_url}/verzoek/**")
            continue
        nav.answer(step, filing)
        nav.continue_()
    raise AssertionError("the flow did not reach the check page")


def _recorded(app, reference):
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        requester = next(p for p in req.parties if p.role == Party.REQUESTER)
        check = db.session.execute(db.select(IdentityCheck).filter_by(request_id=req.id)).scalar_one()
        out = (requester.identity_method, check.method, check.loa)
        db.session.remove()
        return out


def _navigator(live, page, lang: str) -> Navigator:
    nav = Navigator(page, live.base_url, t=live.translator(lang))
    if lang != "nl":
        nav.set_language(lang, "/")
    return nav


def _broker_session_open(page, issuer: str, redirect_uri: str) -> bool:
    """Ask the broker itself whether this browser still has a session there: an
    authorisation request with prompt=none gets a code with a session and
    error=login_required without one (nothing is shown, nothing is followed)."""
    meta = page.request.get(f"{issuer}/.well-known/openid-configuration").json()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(b"probe-verifier-" * 3).digest()).rstrip(b"=").decode()
    query = urlencode({"client_id": STANDIN_CLIENT_ID, "redirect_uri": redirect_uri, "response_type": "code",
                       "scope": "openid", "prompt": "none", "state": secrets.token_urlsafe(16),
                       "nonce": secrets.token_urlsafe(16), "code_challenge": challenge,
                       "code_challenge_method": "S256"})
    response = page.request.get(f"{meta['authorization_endpoint']}?{query}", max_redirects=0)
    location = response.headers.get("location", "")
    assert location.startswith(redirect_uri), (response.status, location)
    assert ("code=" in location) != ("error=login_required" in location), location
    return "code=" in location


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_art20_5_digid_in_chromium_through_the_brokers_login_page(live_digid, page, axe, app, lang):
    """Filing with DigiD, with JavaScript, in Dutch and English: axe on the identity step,
    the check page and the confirmation page, which offers the broker's own logout."""
    live, _issuer = live_digid
    nav = _navigator(live, page, lang)
    _file_with_digid(nav, page, "substantieel", axe=axe)
    text = page.inner_text("main")
    assert nav.t("Ingelogd met DigiD") in text and "999993653" not in text
    _audit(axe, page)
    sub = nav.submit()
    assert _recorded(app, sub.reference) == ("eid", "eid", "substantieel")
    # Filed with DigiD: the confirmation page offers the broker's own logout (issue 11, item 6).
    assert page.get_by_role("link", name=nav.t("Ook uitloggen bij DigiD")).count() == 1
    _audit(axe, page)


def test_art20_5_digid_in_chromium_in_english_without_javascript_and_a_level_too_low(live_digid, new_context, app):
    live, _issuer = live_digid
    page = new_context(java_script_enabled=False).new_page()
    nav = Navigator(page, live.base_url, t=live.translator("en"))
    nav.set_language("en", "/")
    nav.start_request()
    filing = Filing()
    while nav.step != "identiteit":
        nav.answer(nav.step, filing)
        nav.continue_()
    page.get_by_role("link", name="Log in with DigiD").click()
    page.wait_for_url("**/interaction/**")
    page.get_by_role("button", name="midden", exact=True).click()
    page.wait_for_url(f"{live.base_url}/verzoek/identiteit")
    text = page.inner_text("main")
    assert "level Midden" in text and "at least level Substantieel" in text
    # The other way is open: on with a visit in person.
    nav.choose("Ik laat mijn identiteitsbewijs zien bij Veilig Thuis", group="Hoe laat u zien wie u bent?")
    nav.continue_()
    assert nav.step == "contact"


# --- following your requests with DigiD (issue 11, item 5) ------------------------------------

def _follow_with_digid(nav: Navigator, page, person: str):
    """From 'Uw verzoek volgen', through the broker's own login page; the broker asks
    again though this browser still has its session from filing (prompt=login)."""
    nav.goto("/volgen")
    page.get_by_role("link", name=nav.t("Inloggen met DigiD")).click()
    page.wait_for_url("**/interaction/**")
    page.get_by_role("button", name=person, exact=True).click()
    page.wait_for_url(lambda url: url.startswith(nav.base_url + "/") or "/auth/" in url)
    if not nav.on_portal():
        # Another person than the broker's open session: oidc-provider ends that session
        # first with a form its script submits; without JavaScript the person clicks on.
        page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: url.startswith(nav.base_url + "/"))


def _open_from_list(nav: Navigator, page, reference: str):
    name = nav.t("Verzoek %(reference)s bekijken") % {"reference": reference}
    nav.wait_for_new_page(lambda: page.get_by_role("button", name=name, exact=True).click())
    assert nav.path == "/volgen/verzoek", page.url


def _to_identity_step(nav: Navigator):
    nav.start_request()
    filing = Filing()
    while nav.step != "identiteit":
        nav.answer(nav.step, filing)
        nav.continue_()


AT_LEAST = {"nl": "minstens niveau Substantieel", "en": "at least level Substantieel"}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_art20_5_following_requests_with_digid_in_chromium(live_digid, page, new_context, axe, app, lang):
    """Item 5 in Chromium, with JavaScript, in Dutch and English: the requests filed with
    the BSN are listed after a DigiD login at the broker's own page, each opens its status
    page; axe on each of our pages. Item 6, the shared device: a new request in the same
    browser, over the broker's open session, meets the broker's login page again
    (prompt=login); the broker's own logout ends that session."""
    live, issuer = live_digid
    callback = f"{live.base_url}/verzoek/digid/terug"
    nav = _navigator(live, page, lang)
    # One request filed on another device, one in this browser (which keeps the broker's session).
    elsewhere = new_context().new_page()
    other = _navigator(live, elsewhere, lang)
    _file_with_digid(other, elsewhere, "substantieel")
    references = [other.submit().reference]
    _file_with_digid(nav, page, "substantieel")
    references.append(nav.submit().reference)
    assert _broker_session_open(page, issuer, callback)
    # The next user of this browser starts a request: the broker asks for a login again.
    _to_identity_step(nav)
    page.get_by_role("link", name=nav.t("Inloggen met DigiD")).click()
    page.wait_for_url("**/interaction/**")
    assert page.get_by_role("button", name="substantieel", exact=True).count() == 1
    nav.goto("/volgen")
    _audit(axe, page)
    # Below the minimum first: a plain message, the other ways still offered.
    _follow_with_digid(nav, page, "midden")
    assert AT_LEAST[lang] in page.inner_text("main")
    _audit(axe, page)
    _follow_with_digid(nav, page, "substantieel")
    assert nav.path == "/volgen/digid/verzoek"
    assert nav.heading("Uw verzoeken").count() == 1
    text = page.inner_text("main")
    assert all(r in text for r in references) and "999993653" not in text
    _audit(axe, page)
    _open_from_list(nav, page, references[0])
    assert references[0] in page.inner_text("main")
    _audit(axe, page)
    nav.follow("Terug naar uw verzoeken")
    _open_from_list(nav, page, references[1])
    assert references[1] in page.inner_text("main")
    nav.press("Uitloggen")
    # Item 6: our logout ends our session and offers the broker's own (RP-initiated logout).
    assert nav.path == "/uitgelogd"
    _audit(axe, page)
    page.get_by_role("link", name=nav.t("Ook uitloggen bij DigiD")).click()
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live.base_url}/")
    nav.goto("/volgen/digid/verzoek")
    assert nav.path == "/volgen"  # logged out: the list is gone with the status page
    assert not _broker_session_open(page, issuer, callback)  # and the broker's session with it


def test_art20_5_following_requests_with_digid_in_chromium_in_english_without_javascript(live_digid, new_context, app):
    """The same without JavaScript, in English: first a level too low (a plain message,
    the other ways still offered), then a login at the minimum. (axe needs JavaScript in
    the page: it audits these pages in the tests above.)"""
    live, _issuer = live_digid
    page = new_context(java_script_enabled=False).new_page()
    nav = Navigator(page, live.base_url, t=live.translator("en"))
    nav.set_language("en", "/")
    _file_with_digid(nav, page, "substantieel")
    reference = nav.submit().reference
    _follow_with_digid(nav, page, "midden")
    text = page.inner_text("main")
    assert "level Midden" in text and "at least level Substantieel" in text
    assert page.get_by_label(nav.t("Wachtzin")).count() == 1  # the passphrase is still offered
    _follow_with_digid(nav, page, "substantieel")
    assert nav.path == "/volgen/digid/verzoek" and nav.heading("Uw verzoeken").count() == 1
    assert page.get_by_role("heading", name="Your requests").count() == 1
    _open_from_list(nav, page, reference)
    assert reference in page.inner_text("main")
    nav.press("Uitloggen")
    assert nav.path == "/uitgelogd"
    assert page.get_by_role("link", name="Log out of DigiD too").count() == 1
    nav.goto("/volgen/verzoek")
    assert nav.path == "/volgen"
