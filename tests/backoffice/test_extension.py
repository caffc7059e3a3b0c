"""Extension of the answer period (AVG 12(3); DOMAIN.md: access and copy only): it needs
reasons, is possible only while the first month runs, once per right; the requester is
told on the status page (with the new date and the reasons) and by a neutral e-mail;
the Extension row, a timeline event and the access-log entry are stored together."""
from __future__ import annotations

import re
from datetime import date

import pytest

from portal.infra.extensions import db
from portal.models import Extension, Request
from portal.rules import deadlines
from portal.rules.rights import Right
from portal.services import casefile
from portal.services.authz import NotAllowed
from portal.services.casefile import CaseError

from tests.app.support import open_status_session

from .queue_helpers import FOR_CHILD, actor, audit_entries, days_ago, file, get_request, post, update

REASONS = "Het dossier is groot en moet op veel plaatsen worden afgeschermd."


def extensions(app, ref):
    with app.app_context():
        rid = db.session.execute(db.select(Request.id).filter_by(reference=ref)).scalar_one()
        rows = db.session.execute(db.select(Extension).filter_by(request_id=rid)).scalars().all()
        db.session.expunge_all()
        db.session.remove()
        return rows


def extend(app, who, ref, right="inzage", reasons=REASONS, today=None):
    with app.app_context():
        try:
            return casefile.extend(who, ref, right, reasons, today=today)
        finally:
            db.session.remove()


def test_avg12_3_extension_through_the_request_page(app, logged_in, mailbox):
    cw = logged_in("caseworker")
    received = days_ago(app, 10)
    ref = file(app, received=received, email="sanne@example.org", rights=["inzage", "correctie"],
               details={"correctie": FOR_CHILD["details"]["correctie"]})
    page = cw.get(f"/backoffice/verzoeken/{ref}").get_data(as_text=True)
    assert "Termijn verlengen voor Inzage" in page
    assert "Termijn verlengen voor Correctie" not in page  # art. 15: four weeks, no extension
    resp = post(cw, f"/backoffice/verzoeken/{ref}", f"/backoffice/verzoeken/{ref}/verlengen",
                {"right": "inzage", "reasons": REASONS})
    assert resp.status_code == 302
    [ext] = extensions(app, ref)
    new_due = deadlines.extended_due(Right.ACCESS, received)
    assert ext.right == "inzage" and ext.new_due_on == new_due and ext.reasons == REASONS
    assert ext.decided_by == cw.staff_id and ext.decided_on == ext.told_on == days_ago(app, 0)
    stored = get_request(app, ref)
    # The requester is told on the status page, to everyone, with the date and the reasons.
    [message] = stored.messages
    assert message.party_id is None
    assert "meer tijd nodig" in message.body and REASONS in message.body
    assert str(new_due.year) in message.body
    assert stored.events[-1].kind == "deadline_extended" and stored.events[-1].public
    # ... and by a neutral e-mail.
    [mail] = mailbox.wait_for(1)
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "http://portal.test/volgen" in body and REASONS not in body and ref not in body
    # The page shows the extended date; the original due date stays as it was.
    assert stored.rights[0].due_on == deadlines.due_date(Right.ACCESS, received)
    page = cw.get(f"/backoffice/verzoeken/{ref}").get_data(as_text=True)
    row = re.search(r'id="right-inzage".*?</tr>', page, re.S).group(0)
    assert new_due.isoformat() in row and REASONS in row
    assert "Termijn verlengen voor Inzage" not in page  # once only
    assert len(audit_entries(app, "extension.decide")) == 1


def test_the_queue_sorts_on_the_extended_date(app, make_staff):
    """Request.earliest_due_on (denormalised for the queue) follows the extension; with
    a right that is not extended, the earlier date still counts."""
    who = actor(app, make_staff("caseworker"))
    received = days_ago(app, 3)
    only_access = file(app, received=received)
    with_rectification = file(app, FOR_CHILD, received=received, rights=["afschrift", "correctie"],
                              details={"afschrift": {"delivery": "download"}, "correctie": FOR_CHILD["details"]["correctie"]})
    extend(app, who, only_access)
    extend(app, who, with_rectification, right="afschrift")
    assert get_request(app, only_access).earliest_due_on == deadlines.extended_due(Right.ACCESS, received)
    assert get_request(app, with_rectification).earliest_due_on == deadlines.due_date(Right.RECTIFICATION, received)


@pytest.mark.parametrize("reasons", ["", "   "])
def test_an_extension_needs_reasons(app, make_staff, reasons):
    who = actor(app, make_staff("caseworker"))
    ref = file(app)
    with pytest.raises(CaseError) as exc:
        extend(app, who, ref, reasons=reasons)
    assert exc.value.code == "reasons_missing"
    assert extensions(app, ref) == []


def test_the_form_says_so_when_the_reasons_are_missing(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app)
    resp = post(cw, f"/backoffice/verzoeken/{ref}", f"/backoffice/verzoeken/{ref}/verlengen",
                {"right": "inzage", "reasons": ""})
    assert resp.status_code == 400
    assert "Schrijf waarom u meer tijd nodig heeft." in resp.get_data(as_text=True)
    assert extensions(app, ref) == []


@pytest.mark.parametrize("right", ["correctie", "eigen_verklaring", "vernietiging", "gegevenswissing"])
def test_only_access_and_copy_can_be_extended(app, make_staff, right):
    who = actor(app, make_staff("caseworker"))
    details = {"correctie": FOR_CHILD["details"]["correctie"], "eigen_verklaring": {"statement": "Niet eens."},
               "vernietiging": {"refuted": "yes", "grounds": "x"}, "gegevenswissing": {"grounds": ["a"]}}
    ref = file(app, rights=[right], details={right: details[right]})
    with pytest.raises(CaseError) as exc:
        extend(app, who, ref, right=right)
    assert exc.value.code == "not_extendable"


def test_a_right_that_was_not_asked_cannot_be_extended(app, make_staff):
    who = actor(app, make_staff("caseworker"))
    ref = file(app)  # inzage only
    with pytest.raises(CaseError) as exc:
        extend(app, who, ref, right="afschrift")
    assert exc.value.code == "right_not_asked"


def test_only_while_the_first_month_runs(app, make_staff):
    """AVG 12(3): the requester must be told within the first month. Up to and including
    the first due date (after the Atw moved it): allowed; the day after: too late."""
    who = actor(app, make_staff("caseworker"))
    received = date(2026, 4, 2)  # Thursday before Easter; due Monday 4 May 2026
    ref = file(app, received=received)
    with pytest.raises(CaseError) as exc:
        extend(app, who, ref, today=date(2026, 5, 5))
    assert exc.value.code == "too_late"
    done = extend(app, who, ref, today=date(2026, 5, 4))
    assert done.new_due_on == date(2026, 7, 2)


def test_once_per_right(app, make_staff):
    who = actor(app, make_staff("caseworker"))
    ref = file(app)
    extend(app, who, ref)
    with pytest.raises(CaseError) as exc:
        extend(app, who, ref)
    assert exc.value.code == "already_extended"
    assert len(extensions(app, ref)) == 1


@pytest.mark.parametrize("status", ["decided", "closed", "withdrawn"])
def test_not_for_a_request_that_is_no_longer_open(app, make_staff, status):
    who = actor(app, make_staff("caseworker"))
    ref = file(app)
    update(app, ref, status=status)
    with pytest.raises(CaseError) as exc:
        extend(app, who, ref)
    assert exc.value.code == "request_not_open"


def test_the_message_is_in_the_requests_language(app, make_staff):
    who = actor(app, make_staff("caseworker"))
    ref = file(app, lang="en", received=date(2026, 1, 31))
    extend(app, who, ref, reasons="The file is large.", today=date(2026, 2, 2))
    [message] = get_request(app, ref).messages
    assert "We need more time for your request: access (inzage). You will get an answer by 30 April 2026." in message.body  # British English (issue 15)
    assert "The reason: The file is large." in message.body


@pytest.mark.parametrize("role", ["privacy_officer", "functional_admin"])
def test_extension_needs_the_permission(app, make_staff, logged_in, role):
    ref = file(app)
    who = actor(app, make_staff(role))
    with pytest.raises(NotAllowed):
        extend(app, who, ref)
    client = logged_in(role)
    resp = client.post(f"/backoffice/verzoeken/{ref}/verlengen", data={"right": "inzage", "reasons": REASONS})
    assert resp.status_code in (400, 403)  # no CSRF token from a page it cannot open; never 302
    assert extensions(app, ref) == []


def test_the_letter_is_kept(app, make_staff):
    """"The letter is kept": an extension letter (portal/services/letters.py) is stored
    with the extension, in the request's language, and released on the status page."""
    from portal.models import Letter

    who = actor(app, make_staff("caseworker"))
    ref = file(app, lang="en")
    extend(app, who, ref)
    [ext] = extensions(app, ref)
    with app.app_context():
        rid = db.session.execute(db.select(Request.id).filter_by(reference=ref)).scalar_one()
        [letter] = db.session.execute(db.select(Letter).filter_by(request_id=rid)).scalars().all()
        assert (letter.kind, letter.extension_id, letter.language) == ("extension", ext.id, "en")
        assert letter.released_at is not None
        db.session.remove()


def test_avg12_3_the_requester_sees_the_extended_date_on_the_status_page(app, make_staff):
    """After an extension the status page shows the new date, marked as extended."""

    from flask_babel import force_locale, format_date

    received = days_ago(app, 5)
    ref = file(app, received=received)
    cw = actor(app, make_staff("caseworker"))
    extend(app, cw, ref)
    new_due = deadlines.extended_due(Right.ACCESS, received)
    client = app.test_client()
    with app.app_context():
        party_id = db.session.execute(db.select(Request).filter_by(reference=ref)).scalar_one().requester.id
    open_status_session(client, ref, party_id)
    with app.test_request_context(), force_locale("nl"):
        shown = format_date(new_due, "long")
    page = client.get("/volgen/verzoek").get_data(as_text=True)
    assert f"Antwoord uiterlijk op {shown} (verlengd)" in page
