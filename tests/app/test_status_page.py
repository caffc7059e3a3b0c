"""Following a request (AVG 12(3): the requester is told where it stands; art. 20.5: only
the requester may see it): by reference and passphrase, or by a single-use e-mailed
link; the status page shows the timeline and the due date; a reply with a file is stored
with its file in one go."""
from __future__ import annotations

import io
import re

from portal.infra.extensions import db
from portal.models import AuditEvent, Document, Message, RequestEvent, utcnow

from .filing import Filer, Filing, Person, jpeg_bytes
from .support import (any_csrf, ask_status_link, count, dbs, decrypt, dmy, login_passphrase, long_date, main_text, page_text, path_of,
                      request_by_ref, today, upload_message, years_ago)


def test_avg12_requester_without_email_follows_the_request_with_reference_and_passphrase(client, app, mailbox):
    sub = Filer(client).fill(Filing(email=None)).submit()
    # Eight Dutch words in the Dutch portal (issue 15).
    from portal.services.passphrases import word_list

    assert sub.passphrase and len(sub.passphrase.split()) == 8
    assert all(w in word_list("nl") for w in sub.passphrase.split())
    assert "U ziet de wachtzin maar één keer" in sub.html
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.passphrase_hash and sub.passphrase not in req.passphrase_hash
        due = req.rights[0].due_on
    assert mailbox.messages == []

    browser = app.test_client()
    assert browser.get("/volgen/verzoek").headers["Location"].endswith("/volgen")
    # A slip in one word is not enough to get in when a second word is missing.
    words = sub.passphrase.split()
    assert login_passphrase(app.test_client(), sub.reference, " ".join(words[1:])).status_code == 400
    # Case and spacing do not matter, nor one slip in a word; the reference may be typed without dashes.
    words[2] = words[2][:-1]
    resp = login_passphrase(browser, sub.reference.replace("-", "").lower(), "  " + " ".join(words).upper().replace(" ", "   "))
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/volgen/verzoek")
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    assert sub.reference in page
    assert 'id="status">Ontvangen<' in page
    assert f"Antwoord uiterlijk op {long_date(app, due)}" in page
    assert "Verzoek verstuurd" in page and "Status: Ontvangen" in page
    with dbs(app) as s:
        actions = [a.action for a in s.execute(db.select(AuditEvent).filter_by(subject_ref=sub.reference)).scalars()]
        assert "status.login" in actions and "status.view" in actions


def test_art20_5_wrong_passphrase_and_unknown_reference_get_the_same_answer(client, app):
    sub = Filer(client).fill(Filing(email=None)).submit()
    unknown = "VT-AAAA-BBBB-CCCC"
    assert unknown != sub.reference
    wrong = login_passphrase(app.test_client(), sub.reference, "dit is niet de goede wachtzin")
    nobody = login_passphrase(app.test_client(), unknown, "dit is niet de goede wachtzin")
    assert wrong.status_code == nobody.status_code == 400
    wrong_html = main_text(wrong.get_data(as_text=True)).replace(sub.reference, "REF")
    nobody_html = main_text(nobody.get_data(as_text=True)).replace(unknown, "REF")
    assert wrong_html == nobody_html
    assert "Deze combinatie van kenmerk en wachtzin kennen wij niet." in wrong_html
    # A requester with e-mail has no passphrase: guessing one gets the same answer too.
    mailer = Filer(app.test_client()).fill(Filing()).submit()
    no_phrase = login_passphrase(app.test_client(), mailer.reference, "dit is niet de goede wachtzin")
    assert main_text(no_phrase.get_data(as_text=True)).replace(mailer.reference, "REF") == nobody_html


def test_avg12_requester_with_email_logs_in_by_an_emailed_link_and_sees_timeline_and_due_date(client, app, mailbox):
    sub = Filer(client).fill(Filing(email="sanne@example.org")).submit()
    Filer(client).post(path_of(mailbox.link(mailbox.wait_for(1)[0])), {})
    with dbs(app) as s:
        due = request_by_ref(s, sub.reference).rights[0].due_on

    browser = app.test_client()
    resp = ask_status_link(browser, sub.reference)
    assert resp.status_code == 200 and "Kijk in uw e-mail" in resp.get_data(as_text=True)
    mailbox.wait_for(2)
    msg = mailbox.messages[1]
    assert str(msg["To"]) == "sanne@example.org"
    link = path_of(mailbox.link(msg))
    assert link.startswith("/volgen/link/")
    # Opening the link (GET) does not log in.
    assert browser.get(link).status_code == 200
    assert browser.get("/volgen/verzoek").status_code == 302
    resp = Filer(browser).post(link, {})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/volgen/verzoek")
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    assert sub.reference in page
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S).group(1)
    # In the order things happened: the address was confirmed, then the request was received.
    labels = ("Verzoek verstuurd", "Status: Wacht op bevestiging van uw e-mailadres", "E-mailadres bevestigd",
              "Status: Ontvangen")
    positions = [timeline.find(label) for label in labels]
    assert -1 not in positions and positions == sorted(positions), positions
    assert f"Antwoord uiterlijk op {long_date(app, due)}" in page


def test_avg12_a_status_link_works_once(client, app, mailbox):
    sub = Filer(client).fill(Filing()).submit()
    Filer(client).post(path_of(mailbox.link(mailbox.wait_for(1)[0])), {})
    ask_status_link(app.test_client(), sub.reference)
    link = path_of(mailbox.link(mailbox.wait_for(2)[1]))
    assert Filer(app.test_client()).post(link, {}).status_code == 302
    again = app.test_client()
    resp = Filer(again).post(link, {})
    assert resp.status_code == 400
    assert "De link is al gebruikt." in resp.get_data(as_text=True)
    assert again.get("/volgen/verzoek").status_code == 302


def test_art20_5_a_status_link_goes_only_to_a_confirmed_address_and_the_answer_is_the_same_for_any_reference(client, app, mailbox):
    sub = Filer(client).fill(Filing()).submit()
    mailbox.wait_for(1)
    unconfirmed = ask_status_link(app.test_client(), sub.reference)
    unknown = ask_status_link(app.test_client(), "VT-AAAA-BBBB-CCCC")
    assert unconfirmed.status_code == unknown.status_code == 200
    assert main_text(unconfirmed.get_data(as_text=True)) == main_text(unknown.get_data(as_text=True))
    import time

    time.sleep(0.1)
    assert len(mailbox.messages) == 1  # only the confirmation e-mail


def test_avg12_reply_to_a_message_with_a_file_is_stored_with_its_file_in_one_go(client, app):
    sub = Filer(client).fill(Filing(email=None)).submit()
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        req.messages.append(Message(direction=Message.TO_REQUESTER, body="Wilt u een duidelijkere kopie sturen?",
                                    author="medewerker", asks_for_document=True, at=utcnow()))
        req.status = "waiting_for_requester"
        s.commit()
        docs_before = len(req.documents)
    browser = app.test_client()
    login_passphrase(browser, sub.reference, sub.passphrase)
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    assert "Wilt u een duidelijkere kopie sturen?" in page
    # Veilig Thuis asked something: the page offers a reply form right there.
    assert "Uw antwoord" in page and 'name="body"' in page and "/volgen/bericht" not in page
    photo = jpeg_bytes((800, 500))
    resp = Filer(browser).post("/volgen/verzoek", {"body": "Hierbij een nieuwe kopie.", "document": (io.BytesIO(photo), "kopie.jpg")},
                               content_type="multipart/form-data")
    assert resp.status_code == 302
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    assert "Uw bericht is verstuurd." in page and "Hierbij een nieuwe kopie." in page
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        reply = [m for m in req.messages if m.direction == Message.FROM_REQUESTER]
        assert [m.body for m in reply] == ["Hierbij een nieuwe kopie."]
        [doc] = reply[0].documents
        assert (doc.kind, doc.request_id, doc.party_id, doc.content_type) == (
            Document.MESSAGE, req.id, req.requester.id, "image/jpeg")
        plain = decrypt(app, doc.ciphertext)
        assert plain != doc.ciphertext and plain[:3] == b"\xff\xd8\xff"
        assert len(req.documents) == docs_before + 1
        assert req.status == "in_progress"
        assert "requester_replied" in [e.kind for e in req.events]


def test_avg12_a_reply_whose_file_is_refused_stores_neither_message_nor_file(client, app):
    sub = Filer(client).fill(Filing(email=None)).submit()
    browser = app.test_client()
    login_passphrase(browser, sub.reference, sub.passphrase)
    before = (count(app, Message), count(app, Document), count(app, RequestEvent))
    resp = Filer(browser).post("/volgen/verzoek", {"body": "Hier is het.",
                                                   "document": (io.BytesIO(b"<html>x</html>"), "kopie.jpg", "image/jpeg")},
                               content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert 'id="error-summary"' in html and 'id="document-error"' in html
    assert upload_message(app, "unsupported_type") in page_text(resp)
    assert (count(app, Message), count(app, Document), count(app, RequestEvent)) == before


def test_avg12_no_reply_on_a_closed_request(client, app):
    sub = Filer(client).fill(Filing(email=None)).submit()
    browser = app.test_client()
    login_passphrase(browser, sub.reference, sub.passphrase)
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    token = any_csrf(page)
    with dbs(app) as s:
        request_by_ref(s, sub.reference).status = "closed"
        s.commit()
    resp = browser.post("/volgen/verzoek", data={"csrf_token": token, "body": "Nog een vraag."})
    assert resp.status_code == 400
    assert "Dit verzoek is afgesloten." in resp.get_data(as_text=True)
    assert count(app, Message) == 0


def test_art20_5_logging_out_ends_access_to_the_status_page(client, app):
    sub = Filer(client).fill(Filing(email=None)).submit()
    browser = app.test_client()
    login_passphrase(browser, sub.reference, sub.passphrase)
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    browser.post("/volgen/uitloggen", data={"csrf_token": any_csrf(page)})
    assert browser.get("/volgen/verzoek").headers["Location"].endswith("/volgen")


def test_art20_5_a_logged_in_browser_whose_request_is_gone_is_sent_to_the_login_page(client, app):
    sub = Filer(client).fill(Filing(email=None)).submit()
    browser = app.test_client()
    login_passphrase(browser, sub.reference, sub.passphrase)
    assert browser.get("/volgen/verzoek").status_code == 200
    with dbs(app) as s:
        s.delete(request_by_ref(s, sub.reference))
        s.commit()
    resp = browser.get("/volgen/verzoek")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/volgen")
    with browser.session_transaction() as sess:
        assert "status" not in sess


def test_art20_1_in_a_joint_request_each_person_sees_only_their_own_messages(client, app, mailbox):
    """The parent may be the one the child needs protection from (art. 20.4): a message
    to or from the child is never shown to the parent, and the other way round."""
    child_born = dmy(years_ago(14, today(app)))
    f = Filing(for_whom="child_12_16", rep_kind="ouder_met_gezag", subject=Person("Mila", "Jansen", child_born),
               requester=Person("Karin", "Jansen", "02-02-1975"), second={"channel": "email", "email": "mila@example.org"},
               email="karin@example.org")
    sub = Filer(client).fill(f).submit()
    Filer(client).post(path_of(mailbox.link(mailbox.wait_for(1)[0])), {})
    mailbox.wait_for(2)
    child = app.test_client()
    Filer(child).post(path_of(mailbox.link(mailbox.to("mila@example.org")[0])), {})
    data = {"given_names": "Mila", "surname": "Jansen", "birth_date": child_born, "bsn": "", "email": "mila@example.org",
            "method": "in_person"}
    assert Filer(child).post("/meedoen/gegevens", data).status_code == 200
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        parent_id, child_id = req.requester.id, req.subject.id
        for body, party in (("Voor jou alleen, Mila.", child_id), ("Voor u alleen, mevrouw Jansen.", parent_id),
                            ("Voor jullie allebei.", None)):
            req.messages.append(Message(direction=Message.TO_REQUESTER, body=body, author="medewerker", at=utcnow(),
                                        party_id=party))
        s.commit()

    # Each asks for a status link with their own address; only that address gets one,
    # so neither learns that the other looked.
    ask_status_link(app.test_client(), sub.reference, "karin@example.org")
    mailbox.wait_for(3)
    assert [str(m["To"]) for m in mailbox.messages[2:]] == ["karin@example.org"]
    ask_status_link(app.test_client(), sub.reference, "mila@example.org")
    mailbox.wait_for(4)
    links = {str(m["To"]): path_of(mailbox.link(m)) for m in mailbox.messages[2:4]}
    assert set(links) == {"karin@example.org", "mila@example.org"}
    child_browser, parent_browser = app.test_client(), app.test_client()
    assert Filer(child_browser).post(links["mila@example.org"], {}).status_code == 302
    assert Filer(parent_browser).post(links["karin@example.org"], {}).status_code == 302

    child_page = child_browser.get("/volgen/verzoek").get_data(as_text=True)
    assert "Voor jou alleen, Mila." in child_page and "Voor jullie allebei." in child_page
    assert "Voor u alleen" not in child_page
    resp = Filer(child_browser).post("/volgen/verzoek", {"body": "Alleen voor de medewerker."})
    assert resp.status_code == 302

    parent_page = parent_browser.get("/volgen/verzoek").get_data(as_text=True)
    assert "Voor u alleen, mevrouw Jansen." in parent_page and "Voor jullie allebei." in parent_page
    assert "Voor jou alleen" not in parent_page and "Alleen voor de medewerker." not in parent_page
    with dbs(app) as s:
        [reply] = [m for m in request_by_ref(s, sub.reference).messages if m.direction == Message.FROM_REQUESTER]
        assert (reply.party_id, reply.author) == (child_id, "co_requester")


def test_avg12_without_a_question_the_status_page_offers_to_send_a_message_not_a_reply(client, app):
    sub = Filer(client).fill(Filing(email=None)).submit()
    browser = app.test_client()
    login_passphrase(browser, sub.reference, sub.passphrase)
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    assert "Uw antwoord" not in page and 'name="body"' not in page
    assert 'href="/volgen/bericht"' in page and "Stuur een bericht" in page
    form_page = browser.get("/volgen/bericht")
    assert form_page.status_code == 200 and 'name="body"' in form_page.get_data(as_text=True)
    resp = browser.post("/volgen/verzoek", data={"csrf_token": any_csrf(form_page.get_data(as_text=True)),
                                                 "body": "Ik heb een vraag."})
    assert resp.status_code == 302
    assert "Ik heb een vraag." in browser.get("/volgen/verzoek").get_data(as_text=True)
    assert app.test_client().get("/volgen/bericht").headers["Location"].endswith("/volgen")


def test_avg12_the_confirmation_page_says_where_to_keep_reference_and_passphrase_and_what_if_lost(client, app):
    adult = Filer(client).fill(Filing(email=None)).submit()
    assert 'id="keep-safe"' in adult.html
    assert "waar niemand anders het vindt" in adult.html and "Bent u ze kwijt?" in adult.html
    assert app.config["ORGANISATION_PHONE"] in adult.html
    # A young person filing for themselves reads "je".
    young = Filing(requester=Person("Noor", "Bakker", dmy(years_ago(13, today(app)))), email=None,
                   second={"not_safe": "y"})
    kid = Filer(app.test_client()).fill(young).submit()
    assert "Ben je ze kwijt?" in kid.html and "Bent u ze kwijt?" not in kid.html
    # With a safe e-mail address there is no passphrase, and no word about keeping it.
    with_email = Filer(app.test_client()).fill(Filing()).submit()
    assert 'id="keep-safe"' not in with_email.html
