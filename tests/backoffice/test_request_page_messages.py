"""Writing to the requester from the request page (issue 3): the message is shown on the
status page (to everyone, or to one person of a joint request: art. 20.1), with a
neutral e-mail notice (no personal data, a link to the status login page, in the
request's language) to each addressed person whose e-mail is safe and confirmed.
"Ask for more information" moves the request to waiting_for_requester; the reply
moves it back."""
from __future__ import annotations

import time

import pytest

from portal.infra.extensions import db
from portal.models import Message, Party
from portal.services import casefile
from portal.services import requests as public
from portal.services.authz import NotAllowed

from tests.app.support import open_status_session

from .queue_helpers import FOR_CHILD, actor, add_party, audit_entries, file, get_request, now, post, update

BODY = "Wilt u een duidelijkere kopie van uw paspoort sturen? Noor hoeft niets te doen."


def write(client, ref, **data):
    return post(client, f"/backoffice/verzoeken/{ref}", f"/backoffice/verzoeken/{ref}/bericht",
                {"to": "", "body": BODY, **data})


def assert_neutral_notice(app, msg, *, to, lang="nl", forbidden=()):
    body = msg.get_body(preferencelist=("plain",)).get_content()
    links = [w for w in body.split() if w.startswith("http")]
    assert links == ["http://portal.test/volgen"], body
    assert str(msg["To"]) == to
    assert msg["Subject"] == (app.config["MAIL_SUBJECT_EN"] if lang == "en" else app.config["MAIL_SUBJECT"])
    assert msg["From"] == app.config["MAIL_SENDER"]
    for word in ("duidelijkere", "paspoort", "Veilig Thuis", *forbidden):
        assert word.lower() not in body.lower(), f"{word!r} in the notice"
        assert word.lower() not in str(msg["Subject"]).lower()
    return body


def test_message_to_everyone_is_on_the_status_page_with_a_neutral_notice(app, logged_in, mailbox, client):
    cw = logged_in("caseworker")
    ref = file(app, email="sanne@example.org")
    resp = write(cw, ref)
    assert resp.status_code == 302
    [msg] = mailbox.wait_for(1)
    body = assert_neutral_notice(app, msg, to="sanne@example.org", forbidden=("Sanne", "Vries", ref, ref.replace("-", "")))
    assert "Er is nieuws over uw verzoek" in body
    stored = get_request(app, ref)
    [message] = stored.messages
    assert message.direction == Message.TO_REQUESTER and message.party_id is None and not message.asks_for_document
    assert message.author == f"staff:{cw.staff_id}"
    assert stored.events[-1].kind == "message_to_requester" and stored.events[-1].public
    # The requester sees it on the status page.
    open_status_session(client, ref, stored.requester.id)
    page = client.get("/volgen/verzoek").get_data(as_text=True)
    assert "Wilt u een duidelijkere kopie van uw paspoort sturen?" in page
    assert "Veilig Thuis stuurde een bericht" in page
    # And the request page shows it, with who wrote it.
    html = cw.get(f"/backoffice/verzoeken/{ref}").get_data(as_text=True)
    assert "Van Test caseworker" in html and "voor iedereen" in html
    [entry] = audit_entries(app, "message.to_requester")
    assert entry.subject_ref == ref and BODY not in (entry.reason or "")


def test_the_notice_is_in_the_requests_language(app, logged_in, mailbox):
    cw = logged_in("caseworker")
    ref = file(app, email="sanne@example.org", lang="en")
    write(cw, ref)
    [msg] = mailbox.wait_for(1)
    body = assert_neutral_notice(app, msg, to="sanne@example.org", lang="en")
    assert "There is news about your request" in body
    assert "nieuws" not in body


def test_no_notice_to_whom_e_mail_is_not_safe_or_not_confirmed(app, logged_in, mailbox):
    cw = logged_in("caseworker")
    ref = file(app)  # no e-mail: passphrase only
    add_party(app, ref, role=Party.CO_REQUESTER, given_names="Karin", surname="de Vries",
              email="karin@example.org", email_ok=True, email_confirmed_at=None, joined_at=now())
    add_party(app, ref, role=Party.SUBJECT, is_subject=False, given_names="X", surname="Y",
              email="x@example.org", email_ok=True, email_confirmed_at=now())
    assert write(cw, ref).status_code == 302
    time.sleep(0.3)
    assert mailbox.messages == []
    assert len(get_request(app, ref).messages) == 1  # still on the status page


def test_message_to_one_person_of_a_joint_request(app, logged_in, mailbox):
    """Art. 20.1: in a joint request each person sees only their own messages and those
    for both; a message to one is never shown to, or announced to, the other."""
    cw = logged_in("caseworker")
    ref = file(app, email="sanne@example.org")
    child = add_party(app, ref, role=Party.CO_REQUESTER, given_names="Mila", surname="de Vries",
                      email="mila@example.org", email_ok=True, email_confirmed_at=now(), joined_at=now())
    resp = write(cw, ref, to=str(child))
    assert resp.status_code == 302
    [msg] = mailbox.wait_for(1)
    assert str(msg["To"]) == "mila@example.org"
    time.sleep(0.2)
    assert len(mailbox.messages) == 1
    stored = get_request(app, ref)
    with app.app_context():
        as_child = public.status_view(public.StatusAccess(ref, child))
        as_parent = public.status_view(public.StatusAccess(ref, stored.requester.id))
        assert [m.body for m in as_child.messages] == [BODY]
        assert as_parent.messages == []
        db.session.remove()


def test_message_to_someone_outside_the_request_is_refused(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app)
    other = file(app, FOR_CHILD)
    stranger = get_request(app, other).requester.id
    resp = write(cw, ref, to=str(stranger))
    assert resp.status_code == 400
    assert "Kies aan wie het bericht is." in resp.get_data(as_text=True)
    assert get_request(app, ref).messages == []


def test_ask_for_more_information_waits_for_the_requester_and_the_reply_moves_it_back(app, logged_in, mailbox):
    cw = logged_in("caseworker")
    ref = file(app, email="sanne@example.org")
    post(cw, f"/backoffice/verzoeken/{ref}", f"/backoffice/verzoeken/{ref}/oppakken", {})
    resp = write(cw, ref, asks_for_document="y")
    assert resp.status_code == 302
    stored = get_request(app, ref)
    assert stored.status == "waiting_for_requester"
    assert stored.messages[-1].asks_for_document
    assert [e.kind for e in stored.events][-2:] == ["message_to_requester", "status:waiting_for_requester"]
    assert "waiting_for_requester=1" and ref in cw.get("/backoffice/werkvoorraad?waiting_for_requester=1").get_data(as_text=True)
    with app.app_context():
        public.reply(public.StatusAccess(ref, stored.requester.id), "Hierbij de kopie.", None)
        db.session.remove()
    assert get_request(app, ref).status == "in_progress"


def test_ask_for_information_on_a_received_request(app, make_staff):
    ref = file(app)
    who = actor(app, make_staff("caseworker"))
    with app.app_context():
        casefile.send_message(who, ref, "Wilt u langskomen met uw paspoort?", asks_for_document=True)
        db.session.remove()
    assert get_request(app, ref).status == "waiting_for_requester"


@pytest.mark.parametrize("status", ["closed", "withdrawn", "awaiting_email"])
def test_no_messages_once_closed_or_before_the_queue(app, logged_in, status):
    cw = logged_in("caseworker")
    ref = file(app)
    update(app, ref, status=status)
    resp = write(cw, ref)
    assert resp.status_code == 400
    assert get_request(app, ref).messages == []


def test_cannot_ask_for_information_after_the_decision(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app)
    update(app, ref, status="decided")
    resp = write(cw, ref, asks_for_document="y")
    assert resp.status_code == 400
    assert "Bij deze status kunt u niet om informatie vragen." in resp.get_data(as_text=True)


def test_an_empty_message_is_refused_with_a_clear_error(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app)
    resp = write(cw, ref, body="   ")
    assert resp.status_code == 400
    assert "Schrijf een bericht." in resp.get_data(as_text=True)


def test_writing_needs_the_permission_in_the_service_too(app, make_staff):
    ref = file(app)
    officer = actor(app, make_staff("functional_admin"))
    with app.app_context():
        with pytest.raises(NotAllowed):
            casefile.send_message(officer, ref, "Hallo")
        db.session.remove()
    assert get_request(app, ref).messages == []
