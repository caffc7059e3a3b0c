"""Art. 20.4 in Chromium for the invited child: a parent files jointly for their child
of 14 (art. 20.1); the child opens the invitation (by the e-mailed link or with the
reference and code) and, before joining, says that involving the parent is not safe.
With and without JavaScript. The child gets a passphrase of their own and follows the
request; the parent's status page is then the same page as for a request in which the
child simply joined (compared after removing the reference, dates and the CSRF token).
"""
from __future__ import annotations

import pytest
from dateutil.relativedelta import relativedelta

from portal.infra.extensions import db
from portal.models import Request
from portal.services.requests import today_local
from tests.app.support import neutral_status_page

from .navigator import Filing, Joiner, Navigator, Person

NOTE = "Mijn vader wordt boos als hij dit ziet."


def _parent_files(new_context, live_server, child: Person, channel: str, js: bool):
    page = new_context(java_script_enabled=js).new_page()
    nav = Navigator(page, live_server.base_url, t=live_server.translator("nl"))
    nav.file_request(Filing(
        for_whom="child_12_16", rep_kind="parent_with_authority", subject=child,
        requester=Person(given_names="Karin", surname="Jansen", birth_date="02-02-1975"),
        rights=["inzage"],
        second={"channel": channel, **({"email": "mila@example.org"} if channel == "email" else {})},
        proof_method="upload", email=None,
    ))
    sub = nav.submit()
    assert sub.passphrase, "the parent gave no e-mail address: a passphrase"
    return nav, sub


def _child_opens(new_context, live_server, mailbox, sub, channel: str, js: bool, sent_before: int):
    nav = Navigator(new_context(java_script_enabled=js).new_page(), live_server.base_url,
                    t=live_server.translator("nl"))
    if channel == "email":
        invitation = mailbox.wait_for(sent_before + 1)[-1]
        assert "mila@example.org" in str(invitation["To"])
        link = mailbox.link(invitation)
        nav.open_invitation_link(link[link.index("/meedoen/"):])
    else:
        nav.open_invitation(sub.reference, sub.invitation_code)
    assert nav.path == "/meedoen/gegevens", nav.page.inner_text("main")[:2000]
    return nav


def _parents_status_page(new_context, live_server, sub, js: bool) -> str:
    nav = Navigator(new_context(java_script_enabled=js).new_page(), live_server.base_url,
                    t=live_server.translator("nl"))
    nav.status_login(sub.reference, sub.passphrase)
    assert nav.path == "/volgen/verzoek", nav.page.inner_text("main")[:2000]
    html = nav.page.content()
    assert sub.reference in html
    return html


@pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("channel", ["code", "email"], ids=["by-code", "by-link"])
def test_art20_4_invited_child_says_not_safe_and_the_parents_page_shows_a_request_in_progress(
        channel, js, new_context, live_server, app, mailbox):
    with app.app_context():
        today = today_local()
    child = Person(given_names="Mila", surname="Jansen",
                   birth_date=(today - relativedelta(years=14, days=20)).strftime("%d-%m-%Y"))

    # Request A: the child says that involving the parent is not safe.
    _, a = _parent_files(new_context, live_server, child, channel, js)
    kid = _child_opens(new_context, live_server, mailbox, a, channel, js, sent_before=0)
    child_phrase = kid.say_not_safe(child.birth_date, NOTE)
    assert child_phrase and child_phrase != a.passphrase
    assert a.reference in kid.page.inner_text("main")

    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=a.reference)).scalar_one()
        assert req.art20_4_review and req.art20_4_note == NOTE and req.status == "received"
        db.session.remove()

    # The child follows the request with their own passphrase.
    kid.status_login(a.reference, child_phrase)
    assert kid.path == "/volgen/verzoek", kid.page.inner_text("main")[:2000]
    assert NOTE not in kid.page.inner_text("main")

    # Request B: the same, but the child simply joins.
    _, b = _parent_files(new_context, live_server, child, channel, js)
    kid_b = _child_opens(new_context, live_server, mailbox, b, channel, js, sent_before=1)
    kid_b.fill_join_details(Joiner(person=child, identity_method="upload", proof_method=None))
    kid_b.press("Meedoen")

    page_a = _parents_status_page(new_context, live_server, a, js)
    page_b = _parents_status_page(new_context, live_server, b, js)
    assert NOTE not in page_a
    assert neutral_status_page(page_a) == neutral_status_page(page_b)
