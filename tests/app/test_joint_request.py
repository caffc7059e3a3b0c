"""The joint request of art. 20.1 (a child of 12 up to 16 and a parent with authority or
guardian, "beiden"): either one starts and invites the other, who joins with their own
identity check; the starter can never be the second person; a child can say that
involving a parent is not safe, and then a team leader decides (art. 20.4)."""
from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest

from portal.infra.extensions import db
from portal.models import AuditEvent, Document, Invitation, Party, Request, utcnow

from .filing import Filer, Filing, Person, jpeg_bytes, pdf_bytes
from .support import (assert_valid_image, assert_valid_pdf, count, dbs, decrypt, dmy, join_message, login_passphrase,
                      page_text, path_of, request_by_ref, today, upload_message, years_ago)

PARENT = {"given_names": "Petra", "surname": "Bakker", "birth_date": "01-06-1980"}


def child_starts(app, *, email=None, channel="code", parent_email=None) -> Filing:
    """A child of 13 files for themselves and invites their parent (art. 20.1)."""
    born = years_ago(13, today(app))
    second = {"given_names": "Petra", "surname": "Bakker", "rep_kind": "ouder_met_gezag", "channel": channel}
    if parent_email:
        second["email"] = parent_email
    return Filing(for_whom="self", requester=Person("Noor", "Bakker", dmy(born)), second=second, email=email)


def parent_starts(app, *, email="karin@example.org", channel="email", child_email="mila@example.org") -> Filing:
    """A parent with authority files for their child of 14, jointly (art. 20.1)."""
    born = years_ago(14, today(app))
    second = {"channel": channel, **({"email": child_email} if channel == "email" else {})}
    return Filing(for_whom="child_12_16", rep_kind="ouder_met_gezag", subject=Person("Mila", "Jansen", dmy(born)),
                  requester=Person("Karin", "Jansen", "02-02-1975"), second=second, email=email)


def enter_code(client, reference, code):
    return Filer(client).post("/meedoen", {"reference": reference, "code": code})


def join_details(client, person: dict, *, email="", id_file=None, proof_method=None, proof_file=None):
    data = {"bsn": "", "email": email, "method": "upload", **person,
            "document": (io.BytesIO(id_file or jpeg_bytes()), "id.jpg")}
    if proof_method:
        data["proof_method"] = proof_method
    if proof_file:
        data["proof"] = (io.BytesIO(proof_file), "gezag.pdf")
    return Filer(client).post("/meedoen/gegevens", data, content_type="multipart/form-data")


def snapshot(app, reference):
    """What joining changes: status, invitation use, people and their documents."""
    with dbs(app) as s:
        req = request_by_ref(s, reference)
        return {
            "status": req.status,
            "used": [i.used_at for i in req.invitations],
            "parties": [(p.role, p.given_names, p.surname, p.birth_date, p.identity_method, p.joined_at) for p in req.parties],
            "documents": count(app, Document),
        }


# --- the child starts ---------------------------------------------------------------------

def test_art20_1_child_of_13_starts_and_the_parent_joins_by_code_with_own_identity_and_proof(client, app):
    sub = Filer(client).fill(child_starts(app)).submit()
    assert sub.invitation_code and sub.passphrase  # no e-mail: a passphrase, and the code to pass on
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert (req.status, req.joint, req.started_by, req.representative_kind) == (
            "awaiting_co_requester", True, "child", "ouder_met_gezag")
        parent_party_id = req.co_requester.id

    parent = app.test_client()
    resp = enter_code(parent, sub.reference, sub.invitation_code)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/meedoen/gegevens")
    page = parent.get("/meedoen/gegevens").get_data(as_text=True)
    assert "doet u als ouder met gezag of voogd mee" in page
    id_copy, proof = jpeg_bytes((500, 300)), pdf_bytes()
    resp = join_details(parent, PARENT, email="petra@example.org", id_file=id_copy, proof_method="upload", proof_file=proof)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    assert "U doet mee aan het verzoek" in resp.get_data(as_text=True)

    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "received"
        p = s.get(Party, parent_party_id)
        assert (p.role, p.is_subject, p.given_names, p.surname, dmy(p.birth_date)) == (
            "co_requester", False, "Petra", "Bakker", "01-06-1980")
        assert p.identity_method == "upload" and p.joined_at is not None
        assert p.email == "petra@example.org" and p.email_confirmed_at is None  # not the invited address: unconfirmed
        docs = {d.kind: d for d in req.documents if d.party_id == parent_party_id}
        assert set(docs) == {Document.IDENTITY, Document.REPRESENTATION}
        assert_valid_image(decrypt(app, docs[Document.IDENTITY].ciphertext))
        assert_valid_pdf(decrypt(app, docs[Document.REPRESENTATION].ciphertext))
        [inv] = req.invitations
        assert inv.used_at is not None
        assert "co_requester_joined" in [e.kind for e in req.events]
        assert s.execute(db.select(AuditEvent).filter_by(action="request.join", subject_ref=sub.reference)).scalar_one()


def test_art20_1_a_parent_joining_must_show_proof_of_authority(client, app):
    sub = Filer(client).fill(child_starts(app)).submit()
    parent = app.test_client()
    enter_code(parent, sub.reference, sub.invitation_code)
    before = snapshot(app, sub.reference)
    resp = join_details(parent, PARENT)  # no proof method chosen
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'id="error-summary"' in html and 'id="proof_method-error"' in html
    assert snapshot(app, sub.reference) == before
    resp = join_details(parent, PARENT, proof_method="upload")  # upload chosen, no file
    assert resp.status_code == 400 and 'id="proof-error"' in resp.get_data(as_text=True)
    assert snapshot(app, sub.reference) == before


def test_art20_1_a_parent_joining_must_be_an_adult(client, app):
    sub = Filer(client).fill(child_starts(app)).submit()
    parent = app.test_client()
    enter_code(parent, sub.reference, sub.invitation_code)
    before = snapshot(app, sub.reference)
    too_young = {**PARENT, "birth_date": dmy(years_ago(17, today(app)))}
    resp = join_details(parent, too_young, proof_method="in_person")
    assert resp.status_code == 400
    assert join_message(app, "joiner_not_adult") in page_text(resp)
    assert snapshot(app, sub.reference) == before


# --- the parent starts --------------------------------------------------------------------

def test_art20_1_parent_starts_and_the_child_is_invited_by_email_only_after_the_parent_confirms(client, app, mailbox):
    f = parent_starts(app)
    sub = Filer(client).fill(f).submit()
    assert sub.invitation_code is None  # sent by e-mail, not shown
    [confirm] = mailbox.wait_for(1)
    time.sleep(0.2)
    assert len(mailbox.messages) == 1 and mailbox.to("karin@example.org") == [confirm]
    assert mailbox.to("mila@example.org") == []
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "awaiting_email" and req.started_by == "representative"
        assert req.subject.email == "mila@example.org" and req.subject.role == "co_requester"
        assert req.invitations[0].sent_at is None

    resp = Filer(client).post(path_of(mailbox.link(confirm)), {})
    assert resp.status_code == 200 and "Uw e-mailadres is bevestigd" in resp.get_data(as_text=True)
    mailbox.wait_for(2)
    [invitation] = mailbox.to("mila@example.org")
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "awaiting_co_requester"
        assert req.invitations[0].sent_at is not None

    # The child opens the link: a GET only shows a button (mail scanners), the POST opens it.
    child = app.test_client()
    link = path_of(mailbox.link(invitation))
    assert link.startswith("/meedoen/link/")
    assert child.get(link).status_code == 200
    assert child.get(link).status_code == 200
    assert snapshot(app, sub.reference)["used"] == [None]
    resp = Filer(child).post(link, {})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/meedoen/gegevens")
    assert "Vul je eigen gegevens in" in child.get("/meedoen/gegevens").get_data(as_text=True)

    # The child must be the child the parent named: a different birth date is refused.
    before = snapshot(app, sub.reference)
    wrong = {"given_names": "Mila", "surname": "Jansen", "birth_date": dmy(years_ago(15, today(app)))}
    resp = join_details(child, wrong, email="mila@example.org")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'id="birth_date-error"' in html and join_message(app, "joiner_not_invited_child") in page_text(resp)
    assert snapshot(app, sub.reference) == before

    resp = join_details(child, {"given_names": "Mila", "surname": "Jansen", "birth_date": f.subject.birth_date},
                        email="mila@example.org")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "received"
        child_party = req.subject
        assert child_party.joined_at is not None and child_party.identity_method == "upload"
        assert child_party.email_confirmed_at is not None  # the invited address itself
        docs = [d for d in req.documents if d.party_id == child_party.id]
        assert [d.kind for d in docs] == [Document.IDENTITY]  # a child shows no proof of authority
        assert req.invitations[0].used_at is not None


# --- the starter is never the second person --------------------------------------------------

def test_art20_1_the_starter_in_the_same_browser_cannot_join_by_code(client, app):
    sub = Filer(client).fill(child_starts(app)).submit()
    before = snapshot(app, sub.reference)
    resp = enter_code(client, sub.reference, sub.invitation_code)
    assert resp.status_code == 400
    assert join_message(app, "joiner_is_starter") in page_text(resp)
    assert snapshot(app, sub.reference) == before
    with client.session_transaction() as sess:
        assert "join" not in sess


def test_art20_1_the_starter_in_the_same_browser_cannot_use_the_emailed_invitation(client, app, mailbox):
    sub = Filer(client).fill(parent_starts(app)).submit()
    Filer(client).post(path_of(mailbox.link(mailbox.wait_for(1)[0])), {})
    mailbox.wait_for(2)
    [invitation] = mailbox.to("mila@example.org")
    before = snapshot(app, sub.reference)
    resp = Filer(client).post(path_of(mailbox.link(invitation)), {})
    assert resp.status_code == 400
    assert join_message(app, "joiner_is_starter") in page_text(resp)
    assert snapshot(app, sub.reference) == before


def test_art20_1_someone_with_the_starters_name_and_birth_date_cannot_join(client, app):
    f = child_starts(app)
    sub = Filer(client).fill(f).submit()
    other = app.test_client()
    assert enter_code(other, sub.reference, sub.invitation_code).status_code == 302
    before = snapshot(app, sub.reference)
    # The same person, typed a little differently, in another browser.
    same = {"given_names": "  noor ", "surname": "BAKKER", "birth_date": f.requester.birth_date}
    resp = join_details(other, same, proof_method="upload", proof_file=pdf_bytes())
    assert resp.status_code == 400
    assert join_message(app, "joiner_is_starter") in page_text(resp)
    assert snapshot(app, sub.reference) == before


def test_art20_1_someone_with_the_starters_email_address_cannot_join(client, app, mailbox):
    f = parent_starts(app)
    sub = Filer(client).fill(f).submit()
    Filer(client).post(path_of(mailbox.link(mailbox.wait_for(1)[0])), {})
    mailbox.wait_for(2)
    child = app.test_client()
    Filer(child).post(path_of(mailbox.link(mailbox.to("mila@example.org")[0])), {})
    before = snapshot(app, sub.reference)
    resp = join_details(child, {"given_names": "Mila", "surname": "Jansen", "birth_date": f.subject.birth_date},
                        email="Karin@Example.org")
    assert resp.status_code == 400
    assert join_message(app, "joiner_is_starter") in page_text(resp)
    assert snapshot(app, sub.reference) == before


# --- the invitation: single use, expiring ---------------------------------------------------

def test_art20_1_an_invitation_code_works_once(client, app):
    sub = Filer(client).fill(child_starts(app)).submit()
    parent = app.test_client()
    enter_code(parent, sub.reference, sub.invitation_code)
    assert join_details(parent, PARENT, proof_method="in_person").status_code == 200
    after_join = snapshot(app, sub.reference)

    again = app.test_client()
    resp = enter_code(again, sub.reference, sub.invitation_code)
    assert resp.status_code == 400
    assert join_message(app, "invitation_used") in page_text(resp)
    assert snapshot(app, sub.reference) == after_join


def test_art20_1_an_emailed_invitation_link_works_once(client, app, mailbox):
    f = parent_starts(app)
    sub = Filer(client).fill(f).submit()
    Filer(client).post(path_of(mailbox.link(mailbox.wait_for(1)[0])), {})
    mailbox.wait_for(2)
    link = path_of(mailbox.link(mailbox.to("mila@example.org")[0]))
    child = app.test_client()
    Filer(child).post(link, {})
    assert join_details(child, {"given_names": "Mila", "surname": "Jansen", "birth_date": f.subject.birth_date}).status_code == 200
    resp = Filer(app.test_client()).post(link, {})
    assert resp.status_code == 400
    assert join_message(app, "invitation_used") in page_text(resp)


def test_art20_1_an_expired_invitation_is_refused(client, app):
    sub = Filer(client).fill(child_starts(app)).submit()
    with dbs(app) as s:
        inv = s.execute(db.select(Invitation)).scalar_one()
        inv.expires_at = utcnow() - timedelta(minutes=1)
        s.commit()
    before = snapshot(app, sub.reference)
    resp = enter_code(app.test_client(), sub.reference, sub.invitation_code)
    assert resp.status_code == 400
    assert join_message(app, "invitation_expired") in page_text(resp)
    assert snapshot(app, sub.reference) == before


def test_art20_1_an_invitation_that_expires_while_the_form_is_open_is_refused_on_sending(client, app):
    sub = Filer(client).fill(child_starts(app)).submit()
    parent = app.test_client()
    assert enter_code(parent, sub.reference, sub.invitation_code).status_code == 302
    with dbs(app) as s:
        inv = s.execute(db.select(Invitation)).scalar_one()
        inv.expires_at = utcnow() - timedelta(seconds=1)
        s.commit()
    before = snapshot(app, sub.reference)
    resp = join_details(parent, PARENT, proof_method="upload", proof_file=pdf_bytes())
    assert resp.status_code == 400
    assert join_message(app, "invitation_expired") in page_text(resp)
    assert snapshot(app, sub.reference) == before


def test_art20_1_a_wrong_code_is_refused_without_saying_whether_the_reference_exists(client, app):
    sub = Filer(client).fill(child_starts(app)).submit()
    wrong_code = enter_code(app.test_client(), sub.reference, "AAAA-BBBB-CCCC")
    unknown_ref = enter_code(app.test_client(), "VT-AAAA-BBBB-CCCC", sub.invitation_code)
    assert wrong_code.status_code == unknown_ref.status_code == 400
    msg = join_message(app, "invitation_invalid")
    assert msg in page_text(wrong_code) and msg in page_text(unknown_ref)


def test_art20_1_a_code_is_not_usable_before_the_starter_confirmed_their_email(client, app, mailbox):
    sub = Filer(client).fill(child_starts(app, email="noor@example.org")).submit()
    assert sub.invitation_code
    resp = enter_code(app.test_client(), sub.reference, sub.invitation_code)
    assert resp.status_code == 400
    assert join_message(app, "invitation_not_ready") in page_text(resp)
    Filer(client).post(path_of(mailbox.link(mailbox.wait_for(1)[0])), {})
    assert enter_code(app.test_client(), sub.reference, sub.invitation_code).status_code == 302


# --- art. 20.4: the child says involving the parent is not safe --------------------------------

def test_art20_4_child_says_parent_is_not_safe_no_invitation_and_a_team_leader_decides(client, app, mailbox):
    born = years_ago(13, today(app))
    f = Filing(for_whom="self", requester=Person("Noor", "Bakker", dmy(born)),
               second={"not_safe": "y", "not_safe_note": "Mijn vader mag dit niet weten."}, email=None)
    sub = Filer(client).fill(f).submit()
    assert sub.invitation_code is None
    assert "Je ouder of voogd krijgt geen uitnodiging" in sub.html
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "received"
        assert req.joint is True and req.art20_4_review is True
        assert [p.role for p in req.parties] == ["requester"]
        assert list(req.invitations) == []
        [review] = [e for e in req.events if e.kind == "art20_4_review_requested"]
        assert review.public is False
    assert count(app, Invitation) == 0
    time.sleep(0.1)
    assert mailbox.messages == []
    # The child's own status page does not show the (hidden) review event.
    browser = app.test_client()
    login_passphrase(browser, sub.reference, sub.passphrase)
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    assert sub.reference in page and "art20_4" not in page


def test_art20_4_the_childs_explanation_is_kept_for_the_team_leader_and_not_shown_on_the_status_page(client, app):
    note = "Mijn vader mag dit niet weten."
    f = Filing(for_whom="self", requester=Person("Noor", "Bakker", dmy(years_ago(13, today(app)))),
               second={"not_safe": "y", "not_safe_note": "  " + note + "  "}, email=None)
    sub = Filer(client).fill(f).submit()
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.art20_4_review is True
        assert (req.art20_4_note or "").strip() == note
    browser = app.test_client()
    login_passphrase(browser, sub.reference, sub.passphrase)
    page = browser.get("/volgen/verzoek").get_data(as_text=True)
    assert sub.reference in page
    assert "Mijn vader" not in page


def test_art20_4_without_not_safe_no_note_is_kept(client, app):
    f = child_starts(app)
    f.second["not_safe_note"] = "los tekstje"
    sub = Filer(client).fill(f).submit()
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.art20_4_review is False and req.art20_4_note is None


def test_art20_4_child_says_parent_is_not_safe_with_email_reaches_the_queue_after_confirmation(client, app, mailbox):
    born = years_ago(15, today(app))
    f = Filing(for_whom="self", requester=Person("Noor", "Bakker", dmy(born)), second={"not_safe": "y"},
               email="noor@example.org")
    sub = Filer(client).fill(f).submit()
    [msg] = mailbox.wait_for(1)
    Filer(client).post(path_of(mailbox.link(msg)), {})
    time.sleep(0.1)
    assert len(mailbox.messages) == 1  # no invitation goes out after confirmation either
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert (req.status, req.art20_4_review) == ("received", True)
        assert list(req.invitations) == []
    assert count(app, Request) == 1


# --- bad input when joining ---------------------------------------------------------------------

JOIN_BAD = [
    ({"given_names": ""}, None, "given_names", "Vul de voornamen in."),
    ({"surname": "x" * 121}, None, "surname", "Gebruik hoogstens 120 tekens."),
    ({"birth_date": "31-02-1980"}, None, "birth_date", "Deze datum bestaat niet."),
    ({"birth_date": "abc"}, None, "birth_date", "Schrijf de datum als dag-maand-jaar"),
    ({"birth_date": ""}, None, "birth_date", "Vul de geboortedatum in."),
    ({"bsn": "123456789"}, None, "bsn", "Dit is geen geldig burgerservicenummer."),
    ({"email": "x@"}, None, "email", "Vul een geldig e-mailadres in"),
    ({"method": None}, None, "method", "Kies hoe u laat zien wie u bent."),
    ({}, b"<html></html>", "document", ("upload", "unsupported_type")),
    ({}, b"", "document", ("join", "identity_upload_missing")),
]


@pytest.mark.parametrize("bad,id_file,field,message", JOIN_BAD, ids=[c[2] + "-" + str(i) for i, c in enumerate(JOIN_BAD)])
def test_art20_5_joining_with_bad_details_shows_the_error_and_changes_nothing(bad, id_file, field, message, client, app):
    sub = Filer(client).fill(child_starts(app)).submit()
    parent = app.test_client()
    enter_code(parent, sub.reference, sub.invitation_code)
    before = snapshot(app, sub.reference)
    data = {"given_names": "Petra", "surname": "Bakker", "birth_date": "01-06-1980", "bsn": "", "email": "",
            "method": "upload", "proof_method": "in_person", **bad}
    data = {k: v for k, v in data.items() if v is not None}
    if id_file is None:
        data["document"] = (io.BytesIO(jpeg_bytes()), "id.jpg")
    elif id_file:
        data["document"] = (io.BytesIO(id_file), "id.jpg", "image/jpeg")
    resp = Filer(parent).post("/meedoen/gegevens", data, content_type="multipart/form-data")
    assert resp.status_code in (200, 400)
    html = resp.get_data(as_text=True)
    assert 'id="error-summary"' in html and f'id="{field}-error"' in html
    if isinstance(message, tuple):
        message = upload_message(app, message[1]) if message[0] == "upload" else join_message(app, message[1])
    assert message in page_text(resp)
    assert snapshot(app, sub.reference) == before
    assert "U doet mee aan het verzoek" not in html


def test_art20_1_a_child_without_email_invites_the_parent_by_email_at_once(client, app, mailbox):
    sub = Filer(client).fill(child_starts(app, channel="email", parent_email="petra@example.org")).submit()
    assert sub.passphrase and sub.invitation_code is None
    [invitation] = mailbox.wait_for(1)
    assert str(invitation["To"]) == "petra@example.org"
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "awaiting_co_requester"
        assert req.invitations[0].sent_at is not None and req.invitations[0].channel == "email"
    parent = app.test_client()
    assert Filer(parent).post(path_of(mailbox.link(invitation)), {}).status_code == 302
    resp = join_details(parent, PARENT, email="petra@example.org", proof_method="upload", proof_file=pdf_bytes())
    assert resp.status_code == 200
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "received"
        assert req.co_requester.email_confirmed_at is not None  # joined with the invited address
