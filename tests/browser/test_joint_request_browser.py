"""Art. 20.1 in Chromium: a child of 13 files together with a parent.

The child asks for inzage for themselves, names their parent, chooses to pass on an
invitation code and cannot safely receive e-mail (so gets a passphrase). The parent joins
in a separate browser (own cookies) with the reference and the code, gives their own
details, identity and proof of authority. Then the child follows the request with
reference and passphrase.
"""
from __future__ import annotations

from datetime import date

from babel.dates import format_date
from dateutil.relativedelta import relativedelta

from portal.infra.extensions import db
from portal.models import Document, Request
from portal.rules import deadlines
from portal.rules.rights import Right
from portal.services.requests import today_local

from .navigator import Filing, Joiner, L, Navigator, Person


def _ddmmyyyy(d: date) -> str:
    return d.strftime("%d-%m-%Y")


def test_art20_1_child_of_13_files_with_parent_who_joins_by_code_and_child_follows_by_passphrase(
        page, new_context, live_server, app, mailbox):
    with app.app_context():
        today = today_local()
    child_birth = today - relativedelta(years=13, days=40)
    child = Person(given_names="Noor", surname="Bakker", birth_date=_ddmmyyyy(child_birth))
    parent = Person(given_names="Ingrid", surname="Bakker", birth_date="02-05-1980")

    # --- the child files ----------------------------------------------------------------
    kid = Navigator(page, live_server.base_url, t=live_server.translator("nl"))
    kid.file_request(Filing(
        for_whom="self",
        requester=child,
        rights=["inzage"],
        second={"given_names": parent.given_names, "surname": parent.surname,
                "rep_kind": "parent_with_authority", "channel": "code"},
        identity_method="upload",
        email=None,
    ))
    sub = kid.submit()
    assert sub.passphrase, "no e-mail: the child gets a passphrase"
    assert sub.invitation_code, "invitation by code: the code is on the confirmation page"
    due = deadlines.due_date(Right.ACCESS, today)
    due_text = format_date(due, "long", locale="nl")
    assert due_text in page.inner_text("main"), "the due date is on the confirmation page"

    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=sub.reference)).scalar_one()
        assert req.joint and req.started_by == "child"
        assert req.status == "awaiting_co_requester"
        assert req.passphrase_hash and sub.passphrase not in req.passphrase_hash

    # --- the parent joins in a browser of their own ----------------------------------------
    parent_page = new_context().new_page()
    ouder = Navigator(parent_page, live_server.base_url, t=live_server.translator("nl"))
    ouder.join(sub.reference, sub.invitation_code, Joiner(person=parent, identity_method="upload",
                                                          proof_method="upload"))
    assert ouder.path == "/meedoen/gegevens"
    assert ouder.heading(L.JOINED_HEADING).is_visible(), \
        parent_page.inner_text("main")[:2000]

    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=sub.reference)).scalar_one()
        assert req.status == "received"
        co = [p for p in req.parties if p.role == "co_requester"]
        assert len(co) == 1 and co[0].joined_at is not None and not co[0].is_subject
        assert co[0].birth_date == date(1980, 5, 2)
        docs = sorted((d.kind, d.party_id == co[0].id) for d in req.documents)
        # The child's identity; the parent's identity and proof of authority.
        assert docs == sorted([(Document.IDENTITY, False), (Document.IDENTITY, True),
                               (Document.REPRESENTATION, True)]), docs
        assert [e.kind for e in req.events if e.kind == "co_requester_joined"]

    # A second use of the same code is refused.
    again = Navigator(new_context().new_page(), live_server.base_url, t=live_server.translator("nl"))
    again.open_invitation(sub.reference, sub.invitation_code)
    assert again.path == "/meedoen" and again.has_error_summary()

    # --- the child follows the request ---------------------------------------------------
    kid.status_login(sub.reference, sub.passphrase)
    assert kid.path == "/volgen/verzoek", page.inner_text("main")[:2000]
    assert page.locator("#status").inner_text().strip() == L.STATUS_RECEIVED
    timeline = page.get_by_role("list").filter(has_text=L.EVENT_SUBMITTED)
    assert timeline.count() == 1
    events = timeline.inner_text()
    assert L.EVENT_JOINED in events
    assert L.EVENT_STATUS_RECEIVED in events
    assert f"{L.DUE_ON} {due_text}" in page.inner_text("main")
    assert sub.reference in page.inner_text("main")

    # Nothing was e-mailed: neither person gave an address.
    assert mailbox.messages == []
