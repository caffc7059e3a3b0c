"""axe-core on every public page, in Dutch and in English (WCAG 2.0, 2.1, 2.2 A and AA).

The pages are reached the way a person reaches them: by filling the flow in the browser
(with portal.js running). Every question page is audited as it first appears and again
after it was sent empty (with its error summary and field errors). All findings of one
test are collected and reported together, each under the page it was found on.
"""
from __future__ import annotations

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from portal.rules import eligibility
from .navigator import Filing, Joiner, L, Navigator, Person

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}

LANGS = ["nl", "en"]

NOT_POSSIBLE = [
    eligibility.CHILD_UNDER_12_CANNOT_FILE_ALONE,
    eligibility.YOUNG_PERSON_FILES_SELF,
    eligibility.SUBJECT_NOT_ADULT,
    eligibility.BIRTH_DATE_IN_FUTURE,
    eligibility.IMPLAUSIBLE_AGE,
]


class Audit:
    """Runs axe on the page a navigator is on; remembers every violation by page."""

    def __init__(self, axe, lang: str):
        self.axe = axe
        self.lang = lang
        self.pages: list[str] = []
        self.found: dict[str, str] = {}

    def __call__(self, nav: Navigator, name: str):
        page = nav.page
        assert page.locator("html").get_attribute("lang") == self.lang, f"{name}: <html lang> is not {self.lang}"
        results = self.axe.run(page, options=AXE_OPTIONS)
        self.pages.append(name)
        if results.violations_count:
            self.found[f"{name} ({page.url})"] = results.generate_report()

    def assert_clean(self):
        report = "\n\n".join(f"=== {where}\n{text}" for where, text in self.found.items())
        assert not self.found, f"axe found violations on {len(self.found)} of {len(self.pages)} pages [{self.lang}]:\n{report}"


def _navigator(page, live_server, lang: str) -> Navigator:
    nav = Navigator(page, live_server.base_url, t=live_server.translator(lang))
    nav.set_language(lang, "/")
    return nav


def _with_errors(audit: Audit, button: str = L.CONTINUE, only: set[str] | None = None):
    """on_page hook: audit the page, send it empty, audit it with its errors."""

    def hook(nav: Navigator, step: str):
        if only is not None and step not in only:
            return
        audit(nav, step)
        if step == "controleren":
            nav.press(L.SEND)
        else:
            nav.press(button)
        assert nav.has_error_summary(), f"{step}: sending it empty showed no errors"
        audit(nav, f"{step} with errors")

    return hook


def _ddmmyyyy(d: date) -> str:
    return d.strftime("%d-%m-%Y")


@pytest.mark.parametrize("lang", LANGS)
def test_information_and_single_pages_have_no_axe_violations(lang, page, live_server, axe):
    audit = Audit(axe, lang)
    nav = _navigator(page, live_server, lang)
    for path in ["/", "/uw-rechten", "/klachten", "/veilig-internetten", "/verzoek", "/volgen", "/meedoen"]:
        nav.goto(path)
        audit(nav, path)
    for reason in NOT_POSSIBLE:
        nav.goto(f"/verzoek/niet-mogelijk/{reason}")
        audit(nav, f"not possible: {reason}")
    resp = nav.goto("/deze-pagina-bestaat-niet")
    assert resp.status == 404
    audit(nav, "404")
    # The pages behind a link from an e-mail (a button, so mail scanners use up nothing).
    nav.goto("/bevestigen/niet-geldig")
    audit(nav, "confirm e-mail")
    nav.goto("/meedoen/link/niet-geldig")
    audit(nav, "join by link")
    nav.goto("/volgen/link/niet-geldig")
    audit(nav, "status link")
    nav.press(L.STATUS_OPEN)
    assert nav.path == "/volgen/link/niet-geldig"
    audit(nav, "token problem")
    # Asking for a status link: the same answer whether or not the reference exists.
    nav.goto("/volgen")
    form = nav.form_with_button(L.STATUS_LINK_SEND)
    nav.fill(L.STATUS_REFERENCE, "VT-AAAA-BBBB-CCCC", within=form)
    nav.fill(L.STATUS_LINK_EMAIL, "iemand@example.org", within=form)
    nav.press(L.STATUS_LINK_SEND, within=form)
    assert not nav.has_error_summary(), page.inner_text("main")[:2000]
    audit(nav, "status link sent")
    audit.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_every_question_page_with_and_without_errors_and_the_check_and_confirmation_pages(
        lang, page, live_server, axe):
    """A parent for a child of 13 (art. 20.1), asking for all six rights: this route
    has every question page."""
    audit = Audit(axe, lang)
    nav = _navigator(page, live_server, lang)
    child_birth = date.today() - relativedelta(years=13, days=40)
    filing = Filing(
        for_whom="child_12_16",
        rep_kind="parent_with_authority",
        subject=Person(given_names="Noor", surname="Bakker", birth_date=_ddmmyyyy(child_birth)),
        requester=Person(given_names="Ingrid", surname="Bakker", birth_date="02-05-1980"),
        rights=["inzage", "afschrift", "correctie", "eigen_verklaring", "vernietiging", "gegevenswissing"],
        second={"channel": "code"},
        email=None,
        phone="06 12345678",  # no e-mail (a passphrase), but the contact details page
    )
    steps = []
    hook = _with_errors(audit)

    def on_page(n: Navigator, step: str):
        steps.append(step)
        if step in ("betrokkene", "over-u"):
            # The birth date is required: its label must not call it optional.
            birth = n.page.locator(f"label[for={n.label(L.BIRTH_DATE).get_attribute('id')}]").inner_text()
            assert n.t("niet verplicht") not in birth, f"{step}: {birth!r}"
        hook(n, step)

    nav.file_request(filing, on_page=on_page)
    assert steps == ["voor-wie", "vertegenwoordiging", "betrokkene", "over-u", "rechten", "afschrift", "correctie",
                     "eigen-verklaring", "vernietiging", "wissing", "tweede-persoon", "identiteit", "bewijs",
                     "contact", "contact-gegevens", "controleren"]
    sub = nav.submit()
    assert sub.passphrase and sub.invitation_code
    audit(nav, "confirmation (passphrase and invitation code)")
    audit.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_child_route_joining_and_status_pages(lang, page, new_context, live_server, axe):
    """A child of 13 files (the child's page about the parent), the parent joins (join
    pages, with errors), the child follows the request (status login and page)."""
    audit = Audit(axe, lang)
    kid = _navigator(page, live_server, lang)
    child_birth = date.today() - relativedelta(years=13, days=40)
    kid.file_request(Filing(
        for_whom="self",
        requester=Person(given_names="Noor", surname="Bakker", birth_date=_ddmmyyyy(child_birth)),
        rights=["inzage"],
        second={"given_names": "Ingrid", "surname": "Bakker", "rep_kind": "parent_with_authority", "channel": "code"},
        email=None,
    ), on_page=_with_errors(audit, only={"tweede-persoon"}))
    assert "tweede-persoon" in audit.pages
    sub = kid.submit()
    audit(kid, "confirmation (child)")

    parent = _navigator(new_context().new_page(), live_server, lang)
    parent.goto("/meedoen")
    parent.continue_()
    assert parent.has_error_summary()
    audit(parent, "join code with errors")
    parent.open_invitation(sub.reference, sub.invitation_code)
    assert parent.path == "/meedoen/gegevens"
    audit(parent, "join details")
    parent.press(L.JOIN)
    assert parent.has_error_summary()
    audit(parent, "join details with errors")
    parent.fill_join_details(Joiner(person=Person(given_names="Ingrid", surname="Bakker", birth_date="02-05-1980")))
    parent.press(L.JOIN)
    assert not parent.has_error_summary(), parent.page.inner_text("main")[:2000]
    audit(parent, "joined")

    kid.goto("/volgen")
    kid.press(L.STATUS_OPEN, within=kid.form_with_button(L.STATUS_OPEN))
    assert kid.has_error_summary()
    audit(kid, "status login with errors")
    kid.status_login(sub.reference, sub.passphrase)
    assert kid.path == "/volgen/verzoek"
    audit(kid, "status page")
    # Nobody asked anything: a link to a page to send a message, not a reply form.
    kid.follow(L.SEND_MESSAGE)
    assert kid.path == "/volgen/bericht"
    audit(kid, "send a message")
    kid.press(L.REPLY_SEND)
    assert kid.has_error_summary()
    audit(kid, "status page with errors")
    audit.assert_clean()


@pytest.mark.parametrize("lang", LANGS)
def test_invited_child_pages_not_safe_and_status(lang, page, new_context, live_server, axe):
    """A parent files jointly for a child of 14; the invited child sees the join page
    for a child, says that involving the parent is not safe (art. 20.4: the page, with
    errors, and the page with the child's own passphrase), and follows the request."""
    audit = Audit(axe, lang)
    parent = _navigator(page, live_server, lang)
    child = Person(given_names="Mila", surname="Jansen",
                   birth_date=_ddmmyyyy(date.today() - relativedelta(years=14, days=20)))
    parent.file_request(Filing(
        for_whom="child_12_16", rep_kind="parent_with_authority", subject=child,
        requester=Person(given_names="Karin", surname="Jansen", birth_date="02-02-1975"),
        rights=["inzage"], second={"channel": "code"}, email=None,
    ))
    sub = parent.submit()
    kid = _navigator(new_context().new_page(), live_server, lang)
    kid.open_invitation(sub.reference, sub.invitation_code)
    assert kid.path == "/meedoen/gegevens"
    audit(kid, "join details (child)")
    kid.follow(L.NOT_SAFE)
    audit(kid, "not safe")
    kid.press(L.JOIN_NOT_SAFE_SEND)
    assert kid.has_error_summary()
    audit(kid, "not safe with errors")
    phrase = kid.say_not_safe_here(child.birth_date)
    audit(kid, "not safe: own passphrase")
    kid.status_login(sub.reference, phrase)
    assert kid.path == "/volgen/verzoek"
    audit(kid, "status page (child)")
    audit.assert_clean()


def test_the_audit_itself_finds_a_known_violation(page, axe):
    """Guards the options above: a page with an unlabelled field and an image without
    alternative text must fail, or a green run above would mean nothing."""
    page.set_content("<!doctype html><html lang='nl'><head><title>t</title></head>"
                     "<body><main><input id='x'><img src='data:,'></main></body></html>")
    results = axe.run(page, options=AXE_OPTIONS)
    found = {v["id"] for v in results.response["violations"]}
    assert {"label", "image-alt"} <= found, results.generate_report()
