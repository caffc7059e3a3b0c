"""Quick exit ('Snel weg', or Escape three times) and history-safe navigation.

With JavaScript (portal.js), a visit to the portal takes one history entry: links
replace it and forms are posted with fetch() and shown in place. Quick exit replaces
that one entry with the neutral site, so afterwards neither the back button nor the
forward button leads to a portal page.

Without JavaScript the 'Snel weg' link is a plain link to the neutral site: it still
leaves at once, but the portal pages stay in the history (documented on the 'Veilig
internetten' page: use a private window, clear the history). And the whole filing flow
works without JavaScript.

Each test starts its tab on a page of the neutral site, so there is a 'before'.
"""
from __future__ import annotations

import re

from portal.infra.extensions import db
from portal.models import Request

from .navigator import Filing, L, Navigator, Person


def navigation_history(page) -> tuple[list[str], int]:
    """The tab's session history as the browser keeps it (back and forward)."""
    cdp = page.context.new_cdp_session(page)
    try:
        h = cdp.send("Page.getNavigationHistory")
    finally:
        cdp.detach()
    return [e["url"] for e in h["entries"]], h["currentIndex"]


def walk_through_the_portal(nav: Navigator, neutral):
    """Before: the neutral site. Then a typed address, two links, the start button (a
    form POST) and one answered question (a POST and a redirect); end on 'Over u'."""
    nav.page.goto(neutral.before_url)
    nav.goto("/")
    nav.follow(L.RIGHTS_LINK)
    nav.follow(L.SAFE_BROWSING_LINK)
    nav.follow(L.BRAND)  # the brand link: back to the front page
    assert nav.path == "/"
    nav.press(L.START_FROM_FRONT)
    assert nav.step == "voor-wie"
    nav.choose(L.FOR_WHOM["self"], group=L.FOR_WHOM_GROUP)
    nav.continue_()
    assert nav.step == "over-u", nav.page.url


def assert_no_portal_page_in_history(nav: Navigator, neutral):
    page = nav.page
    entries, current = navigation_history(page)
    assert not [u for u in entries if nav.on_portal(u)], f"portal pages left in the history: {entries}"
    assert entries[current] == neutral.exit_url
    # What a person sees: back, back, back ... and forward again: never the portal.
    seen = [page.url]
    for _ in range(len(entries) + 1):
        before = page.url
        page.go_back()
        seen.append(page.url)
        if page.url == before:
            break
    # The tab began on about:blank, then the neutral 'before' page.
    assert neutral.before_url in seen and page.url in (neutral.before_url, "about:blank"), seen
    for _ in range(len(entries) + 1):
        before = page.url
        page.go_forward()
        seen.append(page.url)
        if page.url == before:
            break
    assert not [u for u in seen if nav.on_portal(u)], f"back/forward reached the portal: {seen}"
    assert page.url == neutral.exit_url, seen


def assert_no_referrer(neutral):
    exits = [(path, ref) for path, ref in neutral.seen if path == "/weer"]
    assert exits, "the neutral site was not asked for"
    assert all(ref is None for _, ref in exits), f"the neutral site was told where the person came from: {exits}"


def test_snel_weg_leaves_for_the_neutral_site_and_no_portal_page_is_left_in_the_history(nav, live_server):
    neutral = live_server.neutral
    walk_through_the_portal(nav, neutral)
    entries, _ = navigation_history(nav.page)
    assert len([u for u in entries if nav.on_portal(u)]) == 1, f"the visit should take one entry: {entries}"

    nav.quick_exit()
    nav.page.wait_for_url(neutral.exit_url)
    assert nav.page.locator("#neutral").inner_text() == "neutral"
    assert_no_portal_page_in_history(nav, neutral)
    assert_no_referrer(neutral)


def test_escape_three_times_leaves_like_snel_weg_even_while_typing(nav, live_server):
    neutral = live_server.neutral
    walk_through_the_portal(nav, neutral)
    field = nav.label(L.GIVEN_NAMES)
    field.click()
    field.type("Sa")
    nav.page.keyboard.press("Escape")
    nav.page.keyboard.press("Escape")
    nav.page.wait_for_timeout(300)
    assert nav.on_portal(), "two presses of Escape are not enough to leave"
    nav.page.keyboard.press("Escape")
    nav.page.wait_for_url(neutral.exit_url)
    assert_no_portal_page_in_history(nav, neutral)
    assert_no_referrer(neutral)


def test_without_javascript_snel_weg_is_a_plain_link_to_the_neutral_site(new_context, live_server):
    neutral = live_server.neutral
    page = new_context(java_script_enabled=False).new_page()
    nav = Navigator(page, live_server.base_url, t=live_server.translator("nl"))
    walk_through_the_portal(nav, neutral)
    link = page.get_by_role("link", name=L.QUICK_EXIT)
    assert link.get_attribute("href") == neutral.exit_url
    assert "noreferrer" in (link.get_attribute("rel") or "")
    nav.quick_exit()
    page.wait_for_url(neutral.exit_url)
    assert_no_referrer(neutral)
    # Without JavaScript the portal pages stay in the history: that is the documented
    # limit (see 'Veilig internetten'), so it is not asserted either way here.


def test_without_javascript_the_whole_filing_flow_works_up_to_the_confirmation(new_context, live_server, app, mailbox):
    page = new_context(java_script_enabled=False).new_page()
    nav = Navigator(page, live_server.base_url, t=live_server.translator("nl"))
    filing = Filing(
        for_whom="adult_represented",
        rep_kind="curator",
        subject=Person(given_names="Willem", surname="Jansen", birth_date="11-11-1950"),
        requester=Person(given_names="Sanne", surname="de Vries", birth_date="14-03-1985", bsn=""),
        rights=["inzage", "afschrift", "correctie"],
        identity_method="upload",
        proof_method="upload",
        email="sanne@example.org",
    )
    steps = []
    nav.file_request(filing, on_page=lambda n, step: steps.append(step))
    assert steps == ["voor-wie", "vertegenwoordiging", "betrokkene", "over-u", "rechten", "afschrift",
                     "correctie", "identiteit", "bewijs", "contact", "contact-gegevens", "controleren"]
    # A page with errors works without JavaScript too: send the check page unticked.
    nav.press(L.SEND)
    assert nav.has_error_summary() and nav.path == "/verzoek/controleren"
    sub = nav.submit()
    assert sub.passphrase is None and sub.invitation_code is None
    assert nav.heading(L.SENT_HEADING).is_visible()

    [msg] = mailbox.wait_for(1)
    assert mailbox.to("sanne@example.org")
    link = mailbox.link(msg)
    assert re.match(re.escape(live_server.base_url) + r"/bevestigen/\S+$", link), link
    page.goto(link)
    nav.press(L.CONFIRM_EMAIL)
    assert nav.heading(L.EMAIL_CONFIRMED_HEADING).is_visible()
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=sub.reference)).scalar_one()
        assert req.status == "received"
        assert sorted(r.right for r in req.rights) == ["afschrift", "correctie", "inzage"]
        assert len(req.documents) == 2  # identity and proof of representation
