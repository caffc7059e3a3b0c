"""Every right (art. 14-18) through every way of filing (art. 20.1, 20.3), end to end:
the pages, the stored request, its rights with details and due dates, its people, its
encrypted uploads, and its status before and after the e-mail address is confirmed."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from portal.infra.extensions import db
from portal.models import Document, DraftUpload, Invitation, Party, Request
from portal.rules import deadlines
from portal.rules.rights import Right

from .filing import Filer, Filing, Person, jpeg_bytes, pdf_bytes
from .support import (REFERENCE_RE, assert_valid_image, assert_valid_pdf, count, dbs, decrypt, dmy, long_date, path_of,
                      request_by_ref, today, years_ago)

VALID_BSN = "111222333"  # passes the 11-test

DETAILS = {
    "inzage": {},
    "afschrift": {"delivery": "in_person"},
    "correctie": {"what_is_wrong": "Er staat dat ik in Eindhoven woon.", "should_say": "Ik woon in Helmond."},
    "eigen_verklaring": {"statement": "Ik ben het oneens met de conclusie van het gesprek."},
    "vernietiging": {"refuted": "yes", "grounds": "Het onderzoek liet zien dat de melding niet klopte."},
    "gegevenswissing": {"grounds": ["b", "e"], "explanation": "De gegevens over mijn werk."},
}

# route -> (for_whom, representative kind, subject's age or None, joint, child starts)
ROUTES = {
    "self_adult": ("self", None, None, False, False),
    "self_12_15_with_parent_invited": ("self", None, 13, True, True),
    "child_under_12_by_ouder_met_gezag": ("child_under_12", "ouder_met_gezag", 8, False, False),
    "child_under_12_by_voogd": ("child_under_12", "voogd", 11, False, False),
    "child_12_16_jointly_by_ouder_met_gezag": ("child_12_16", "ouder_met_gezag", 14, True, False),
    "child_12_16_jointly_by_voogd": ("child_12_16", "voogd", 12, True, False),
    "adult_represented_by_curator": ("adult_represented", "curator", 40, False, False),
    "adult_represented_by_mentor": ("adult_represented", "mentor", 67, False, False),
    "adult_represented_by_bewindvoerder": ("adult_represented", "bewindvoerder", 18, False, False),
}


def filing_for(route: str, right: str, on) -> tuple[Filing, dict]:
    for_whom, rep_kind, age, joint, child_starts = ROUTES[route]
    identity = jpeg_bytes((320, 200))
    proof = pdf_bytes()
    statement = pdf_bytes() if right == "eigen_verklaring" else None
    if for_whom == "self":
        requester = Person("Noor", "Bakker", dmy(years_ago(age, on)) if age else "14-03-1985", VALID_BSN)
        subject = None
    else:
        requester = Person("Karin", "Jansen", "02-02-1975", VALID_BSN)
        subject = Person("Mila", "Jansen", dmy(years_ago(age, on)))
    second = None
    if joint and child_starts:
        second = {"given_names": "Petra", "surname": "Bakker", "rep_kind": "ouder_met_gezag", "channel": "code"}
    elif joint:
        second = {"channel": "code"}
    f = Filing(for_whom=for_whom, rep_kind=rep_kind, subject=subject, requester=requester, rights=[right],
               details={right: DETAILS[right]} if DETAILS[right] else {}, second=second,
               identity_file=identity, proof_file=proof, statement_file=statement,
               email="verzoeker@example.org")
    return f, {"identity": identity, "proof": proof, "statement": statement}


def _check_document(app, doc: Document, kind: str, party_id: int | None, content_type: str):
    assert doc.kind == kind
    assert doc.party_id == party_id
    assert doc.content_type == content_type
    plain = decrypt(app, doc.ciphertext)
    # Encrypted at rest: the stored bytes are not the file, nor do they contain it.
    assert doc.ciphertext != plain
    assert plain[:64] not in doc.ciphertext
    assert doc.size == len(plain)
    assert doc.sha256 == hashlib.sha256(plain).hexdigest()
    if content_type == "image/jpeg":
        assert_valid_image(plain, "JPEG")
    else:
        assert_valid_pdf(plain)


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("right", [r.value for r in Right])
def test_art14_to_18_each_right_by_each_art20_route_is_stored_with_details_due_date_parties_and_encrypted_documents(
        route, right, client, app, mailbox):
    for_whom, rep_kind, age, joint, child_starts = ROUTES[route]
    on = today(app)
    f, files = filing_for(route, right, on)
    sub = Filer(client).fill(f).submit()
    assert REFERENCE_RE.match(sub.reference)
    # A requester with e-mail gets no passphrase; the code for the second person is shown once.
    assert sub.passphrase is None
    assert (sub.invitation_code is not None) is joint

    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert count(app, Request) == 1
        assert req.status == "awaiting_email"
        assert req.purge_after is not None
        assert req.for_whom == for_whom
        assert req.language == "nl"
        assert req.joint is joint
        assert req.started_by == (("child" if child_starts else "representative") if joint else None)
        assert req.representative_kind == ("ouder_met_gezag" if child_starts else rep_kind)
        assert req.art20_4_review is False
        # The day of receipt in Europe/Amsterdam (either side of midnight if the test ran across it).
        assert req.received_on in (on, today(app))
        assert req.clock_started_on == req.received_on
        assert "AVG 12(3)" in req.clock_rule

        # The right, its details as answered, and its due date (art. 15, 17, 18; AVG 12(3)).
        [rr] = req.rights
        assert rr.right == right
        assert rr.details == DETAILS[right]
        assert rr.due_on == deadlines.due_date(Right(right), req.received_on)
        assert rr.due_on > req.received_on
        due = rr.due_on

        # The people.
        requester = req.requester
        assert (requester.given_names, requester.surname) == (f.requester.given_names, f.requester.surname)
        assert dmy(requester.birth_date) == f.requester.birth_date
        assert requester.bsn == VALID_BSN
        assert requester.email == "verzoeker@example.org" and requester.email_ok
        assert requester.email_confirmed_at is None
        assert requester.identity_method == "upload"
        assert requester.is_subject is (for_whom == "self")
        roles = sorted(p.role for p in req.parties)
        if for_whom == "self" and not joint:
            assert roles == ["requester"]
        elif child_starts:
            assert roles == ["co_requester", "requester"]
            parent = req.co_requester
            assert (parent.given_names, parent.surname, parent.is_subject) == ("Petra", "Bakker", False)
            assert parent.joined_at is None
        else:
            subject = req.subject
            assert subject.role == (Party.CO_REQUESTER if joint else Party.SUBJECT)
            assert (subject.given_names, subject.surname) == ("Mila", "Jansen")
            assert dmy(subject.birth_date) == f.subject.birth_date
            assert roles == sorted(["requester", subject.role])

        # Invitation for the second person (art. 20.1 "beiden"): hashed code, single use, expiring.
        invs = list(req.invitations)
        if joint:
            [inv] = invs
            invitee = req.co_requester if child_starts else req.subject
            assert inv.party_id == invitee.id
            assert inv.channel == "code" and inv.used_at is None
            assert sub.invitation_code not in inv.code_hash
            assert timedelta(days=13) < inv.expires_at - inv.created_at <= timedelta(seconds=app.config["INVITATION_MAX_AGE"])
        else:
            assert invs == []

        # Uploads: checked, re-encoded and encrypted, each tied to the person who sent it.
        docs = s.execute(db.select(Document).filter_by(request_id=req.id).order_by(Document.id)).scalars().all()
        by_kind = {d.kind: d for d in docs}
        expected = {Document.IDENTITY}
        if for_whom != "self":
            expected.add(Document.REPRESENTATION)
        if right == "eigen_verklaring":
            expected.add(Document.STATEMENT)
        assert set(by_kind) == expected and len(docs) == len(expected)
        _check_document(app, by_kind[Document.IDENTITY], Document.IDENTITY, requester.id, "image/jpeg")
        if for_whom != "self":
            _check_document(app, by_kind[Document.REPRESENTATION], Document.REPRESENTATION, requester.id, "application/pdf")
        if right == "eigen_verklaring":
            _check_document(app, by_kind[Document.STATEMENT], Document.STATEMENT, requester.id, "application/pdf")
        assert [e.kind for e in req.events][:2] == ["submitted", "status:awaiting_email"]

    # The confirmation page names the due date of the right.
    assert f"<strong>{long_date(app, due)}</strong>" in sub.html

    # Confirming the e-mail address puts the request in the queue, or (joint) makes it
    # wait for the second person.
    [msg] = mailbox.wait_for(1)
    assert Filer(client).post(path_of(mailbox.link(msg)), {}).status_code == 200
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == ("awaiting_co_requester" if joint else "received")
        assert req.purge_after is None
        assert req.requester.email_confirmed_at is not None
        assert "email_confirmed" in [e.kind for e in req.events]
    assert count(app, Request) == 1


def test_art14_to_18_all_six_rights_in_one_request_each_get_their_own_due_date(client, app, mailbox):
    on = today(app)
    rights = [r.value for r in Right]
    f = Filing(rights=rights, details={r: d for r, d in DETAILS.items() if d}, email=None)
    sub = Filer(client).fill(f).submit()
    assert sub.passphrase
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "received"
        stored = {rr.right: rr for rr in req.rights}
        assert list(stored) == rights
        for r in rights:
            assert stored[r].details == DETAILS[r]
            assert stored[r].due_on == deadlines.due_date(Right(r), req.received_on)
        assert req.received_on in (on, today(app))
        assert req.earliest_due == min(rr.due_on for rr in req.rights)
        # Only a text statement: no statement document.
        assert [d.kind for d in req.documents] == [Document.IDENTITY]
    assert mailbox.messages == []


def test_art16_own_statement_as_a_pdf_only_is_stored_encrypted_with_an_empty_text(client, app, mailbox):
    statement = pdf_bytes()
    f = Filing(rights=["eigen_verklaring"], details={"eigen_verklaring": {"statement": ""}}, statement_file=statement)
    sub = Filer(client).fill(f).submit()
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.rights[0].details == {"statement": ""}
        [doc] = [d for d in req.documents if d.kind == Document.STATEMENT]
        assert doc.content_type == "application/pdf"
        assert_valid_pdf(decrypt(app, doc.ciphertext))


def test_art16_own_statement_without_text_or_pdf_is_refused(client, app):
    filer = Filer(client).fill(Filing(rights=["eigen_verklaring"]), until="eigen-verklaring")
    resp = filer.step("eigen-verklaring", {"statement": "   "}, expect_redirect=False)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="error-summary"' in html and 'id="statement-error"' in html
    assert "Schrijf uw verklaring, of voeg een PDF toe." in html
    assert count(app, Invitation) == 0 and count(app, Request) == 0


def test_art16_own_statement_file_must_be_a_pdf_not_a_photo(client, app):
    filer = Filer(client).fill(Filing(rights=["eigen_verklaring"]), until="eigen-verklaring")
    resp = filer.step("eigen-verklaring", {"statement": ""}, files={"statement_file": (jpeg_bytes(), "verklaring.jpg")},
                      expect_redirect=False)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="statement_file-error"' in html
    assert "Voeg uw verklaring toe als PDF" in html
    assert count(app, DraftUpload) == 0


def test_art17_3_whether_the_report_was_refuted_is_stored_as_answered_for_the_destruction_decision(client, app):
    f = Filing(rights=["vernietiging"], details={"vernietiging": {"refuted": "unknown", "grounds": ""}})
    sub = Filer(client).fill(f).submit()
    with dbs(app) as s:
        rr = request_by_ref(s, sub.reference).rights[0]
        assert rr.details == {"refuted": "unknown", "grounds": ""}
        assert json.loads(rr.details_json)["refuted"] == "unknown"
