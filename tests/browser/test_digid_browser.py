"""DigiD in Chromium (art. 20.5, issue 11): the whole flow through the stand-in broker's
own login page, in Dutch with JavaScript and in English without; axe on our pages."""
from __future__ import annotations

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


def test_art20_5_digid_in_chromium_in_dutch_through_the_brokers_login_page(live_digid, page, axe, app):
    live, _issuer = live_digid
    nav = Navigator(page, live.base_url, t=live.translator("nl"))
    _file_with_digid(nav, page, "substantieel", axe=axe)
    text = page.inner_text("main")
    assert "Ingelogd met DigiD" in text and "999993653" not in text
    _audit(axe, page)
    sub = nav.submit()
    assert _recorded(app, sub.reference) == ("eid", "eid", "substantieel")


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


def test_art20_5_following_requests_with_digid_in_chromium_in_dutch(live_digid, page, new_context, axe, app):
    """Item 5 in Chromium: the requests filed with the BSN are listed after a DigiD login
    at the broker's own page, each opens its status page; axe on each of our pages."""
    live, _issuer = live_digid
    nav = Navigator(page, live.base_url, t=live.translator("nl"))
    # One request filed on another device, one in this browser (which keeps the broker's session).
    elsewhere = new_context().new_page()
    other = Navigator(elsewhere, live.base_url, t=live.translator("nl"))
    _file_with_digid(other, elsewhere, "substantieel")
    references = [other.submit().reference]
    _file_with_digid(nav, page, "substantieel")
    references.append(nav.submit().reference)
    nav.goto("/volgen")
    _audit(axe, page)
    # Below the minimum first: a plain message, the other ways still offered.
    _follow_with_digid(nav, page, "midden")
    assert "minstens niveau Substantieel" in page.inner_text("main")
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
    # The broker's session has ended too: the identity step (which does not ask for a
    # fresh login) shows the broker's login page again.
    nav.start_request()
    filing = Filing()
    while nav.step != "identiteit":
        nav.answer(nav.step, filing)
        nav.continue_()
    page.get_by_role("link", name=nav.t("Inloggen met DigiD")).click()
    page.wait_for_url("**/interaction/**")


def test_art20_5_following_requests_with_digid_in_chromium_in_english_without_javascript(live_digid, new_context, app):
    """The same without JavaScript, in English: first a level too low (a plain message,
    the other ways still offered), then a login at the minimum. (axe needs JavaScript in
    the page: it audits these pages in the Dutch test above.)"""
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
