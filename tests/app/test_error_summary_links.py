"""WCAG 3.3.1 and 2.4.3: every link in an error summary lands on its field. For every
public form, sent empty (and the join and status forms), each `#id` the summary links
to is an element on the page; for a group of radio buttons or check boxes it is the
first choice (a fieldset's name has no element of its own)."""
from __future__ import annotations

import re

import pytest

from .filing import Filer, Filing, Person
from .support import any_csrf, dmy, login_passphrase, today, years_ago

ALL_RIGHTS = ["inzage", "afschrift", "correctie", "eigen_verklaring", "vernietiging", "gegevenswissing"]


def summary_targets(html: str) -> list[str]:
    m = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert m, "no error summary on the page"
    return re.findall(r'href="#([^"]+)"', m.group(0))


def assert_targets_exist(html: str, where: str):
    targets = summary_targets(html)
    for target in targets:
        assert re.search(rf'\bid="{re.escape(target)}"', html), f"{where}: the summary links to #{target}, which is not on the page"
    return targets


def routes(app):
    child = Person("Mila", "Jansen", dmy(years_ago(13, today(app))))
    return {
        "self": Filing(rights=ALL_RIGHTS),
        "parent_joint": Filing(for_whom="child_12_16", rep_kind="ouder_met_gezag", subject=child,
                               requester=Person("Karin", "Jansen", "02-02-1975"), rights=ALL_RIGHTS,
                               second={"channel": "code"}, email=None),
        "child_starts": Filing(requester=child, second={"given_names": "Petra", "surname": "Jansen",
                                                        "rep_kind": "ouder_met_gezag", "channel": "code"}, email=None),
    }


PAGES = [("self", p) for p in ("voor-wie", "over-u", "rechten", "afschrift", "correctie", "eigen-verklaring",
                               "vernietiging", "wissing", "identiteit", "contact", "contact-gegevens")] + \
        [("parent_joint", p) for p in ("vertegenwoordiging", "betrokkene", "tweede-persoon", "bewijs")] + \
        [("child_starts", "tweede-persoon")]


@pytest.mark.parametrize("route,step", PAGES, ids=[f"{r}-{p}" for r, p in PAGES])
def test_wcag_every_error_summary_link_of_a_question_page_lands_on_its_field(route, step, client, app):
    filer = Filer(client).fill(routes(app)[route], until=step)
    resp = filer.post(f"/verzoek/{step}", {})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'id="error-summary"' in html, f"{step}: sending it empty showed no errors"
    assert assert_targets_exist(html, step), f"{step}: the summary links to no field"


def test_wcag_error_summary_links_on_the_check_join_and_status_forms(client, app):
    # The check page (one check box).
    sub_filer = Filer(client).fill(Filing(email=None))
    html = sub_filer.post("/verzoek/controleren", {}).get_data(as_text=True)
    assert assert_targets_exist(html, "controleren") == ["truthful"]
    sub = Filer(client).fill(routes(app)["parent_joint"]).submit()

    # The invitation code form, the join details (child) and the child's "not safe" page.
    child = app.test_client()
    html = Filer(child).post("/meedoen", {}).get_data(as_text=True)
    assert set(assert_targets_exist(html, "meedoen")) == {"reference", "code"}
    assert Filer(child).post("/meedoen", {"reference": sub.reference, "code": sub.invitation_code}).status_code == 302
    html = Filer(child).post("/meedoen/gegevens", {}).get_data(as_text=True)
    assert "method-0" in assert_targets_exist(html, "meedoen/gegevens")
    html = Filer(child).post("/meedoen/niet-veilig", {}).get_data(as_text=True)
    assert set(assert_targets_exist(html, "meedoen/niet-veilig")) == {"not_safe", "birth_date"}

    # The parent's join details (a radio group for the proof of authority).
    kid_sub = Filer(app.test_client()).fill(routes(app)["child_starts"]).submit()
    parent = app.test_client()
    Filer(parent).post("/meedoen", {"reference": kid_sub.reference, "code": kid_sub.invitation_code})
    html = Filer(parent).post("/meedoen/gegevens", {"proof_method": ""}).get_data(as_text=True)
    assert_targets_exist(html, "meedoen/gegevens (parent)")

    # The status login forms and the reply form.
    browser = app.test_client()
    token = any_csrf(browser.get("/volgen").get_data(as_text=True))
    html = browser.post("/volgen/wachtzin", data={"csrf_token": token}).get_data(as_text=True)
    assert set(assert_targets_exist(html, "volgen/wachtzin")) == {"p-reference", "p-passphrase"}
    html = browser.post("/volgen/link", data={"csrf_token": token}).get_data(as_text=True)
    assert set(assert_targets_exist(html, "volgen/link")) == {"l-reference", "l-email"}
    login_passphrase(browser, sub.reference, sub.passphrase)
    token = any_csrf(browser.get("/volgen/bericht").get_data(as_text=True))
    html = browser.post("/volgen/verzoek", data={"csrf_token": token}).get_data(as_text=True)
    assert assert_targets_exist(html, "volgen/verzoek") == ["body"]
