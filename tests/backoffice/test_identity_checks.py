"""Identity and representation checks (art. 20.5) and the capacity judgment (art. 20.2).

A caseworker opens an uploaded ID copy or proof (decrypted on view, every view logged,
only documents of the request the page is for), records the outcome, and the checked
copy is deleted at once while the record of the check stays. `identity_verified`
says when the request may be linked to dossier data.
"""
from __future__ import annotations

import hashlib
from datetime import date

import pytest

from portal.infra.extensions import db
from portal.models import CapacityJudgment, Document, IdentityCheck, Message, Party, RequestEvent
from portal.services import casework
from portal.services.authz import NotAllowed
from portal.services.casework import CaseworkError

from .casework_helpers import (FOR_CHILD, SELF, actor, audit_actions, csrf_of, file, jpeg, pdf_file, post_form,
                               request_of, verify_everyone)


def _docs(app, reference, kind=None):
    with app.app_context():
        req = request_of(reference)
        out = [(d.id, d.kind, d.party_id, d.sha256) for d in req.documents if kind is None or d.kind == kind]
        db.session.remove()
        return out


def _party_ids(app, reference):
    with app.app_context():
        req = request_of(reference)
        out = {p.role: p.id for p in req.parties}
        db.session.remove()
        return out


def _page(ref):
    return f"/backoffice/verzoeken/{ref}/behandeling"


# --- opening a document ----------------------------------------------------------------------------

def test_art20_5_caseworker_opens_id_copy_decrypted_and_every_view_is_logged(app, logged_in):
    client = logged_in("caseworker")
    ref = file(app, SELF, id_copy=jpeg())
    [(doc_id, kind, _party, sha)] = _docs(app, ref)
    assert kind == "identity"

    for _ in range(2):
        resp = client.get(f"/backoffice/verzoeken/{ref}/documenten/{doc_id}")
        assert resp.status_code == 200
        assert hashlib.sha256(resp.data).hexdigest() == sha  # the cleaned upload, decrypted
    assert resp.headers["Content-Type"] == "image/jpeg"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in resp.headers["Cache-Control"]
    csp = resp.headers["Content-Security-Policy"]
    assert csp.startswith("sandbox") and "default-src 'none'" in csp
    assert resp.headers["Content-Disposition"].startswith("inline")

    views = [a for a in audit_actions(app, ref) if a[0] == "document.view"]
    assert views == [("document.view", "document", str(doc_id), f"request {ref}")] * 2


def test_art20_5_proof_pdf_is_shown_inline_with_a_strict_policy(app, logged_in):
    client = logged_in("caseworker")
    ref = file(app, FOR_CHILD, proof_copy=pdf_file())
    [(doc_id, _kind, _p, _sha)] = _docs(app, ref, "representation")
    resp = client.get(f"/backoffice/verzoeken/{ref}/documenten/{doc_id}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.data.startswith(b"%PDF-")
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_art20_5_document_of_another_request_is_not_found(app, logged_in):
    """One request's documents are not reachable through another's page (issue 3)."""
    client = logged_in("caseworker")
    mine = file(app, SELF)
    other = file(app, SELF, requester={**SELF["requester"], "given_names": "Anna"})
    [(other_doc, *_)] = _docs(app, other)
    assert client.get(f"/backoffice/verzoeken/{mine}/documenten/{other_doc}").status_code == 404
    assert client.get(f"/backoffice/verzoeken/{mine}/documenten/999999").status_code == 404
    assert client.get(f"/backoffice/verzoeken/VT-XXXX-XXXX-XXXX/documenten/{other_doc}").status_code == 404
    assert not [a for a in audit_actions(app, other) if a[0] == "document.view"]


def test_art20_5_document_a_stored_file_that_is_not_what_its_type_says_is_never_shown_inline(app, make_staff):
    ref = file(app, SELF)
    with app.app_context():
        req = request_of(ref)
        html = b"<html><script>alert(1)</script></html>"
        doc = req.documents[0]
        doc.ciphertext = app.extensions["vault"].encrypt(html)
        doc.sha256 = hashlib.sha256(html).hexdigest()
        db.session.commit()
        f = casework.open_document(actor(app, make_staff("caseworker")), ref, doc.id)
        assert f.content_type == "application/octet-stream" and not f.matches_type
        db.session.remove()


@pytest.mark.parametrize("role", ["privacy_officer", "functional_admin"])
def test_art7_1_document_view_denied_without_identity_check_permission(app, logged_in, role):
    client = logged_in(role)
    ref = file(app, SELF)
    [(doc_id, *_)] = _docs(app, ref)
    assert client.get(f"/backoffice/verzoeken/{ref}/documenten/{doc_id}").status_code == 403


def test_art7_3_no_confidentiality_agreement_no_document(app, make_staff):
    ref = file(app, SELF)
    [(doc_id, *_)] = _docs(app, ref)
    who = actor(app, make_staff("caseworker", confidentiality=False))
    with app.app_context():
        with pytest.raises(NotAllowed):
            casework.open_document(who, ref, doc_id)
        db.session.remove()


# --- recording a check ------------------------------------------------------------------------------

def test_art20_5_id_copy_deleted_after_check(app, logged_in):
    client = logged_in("caseworker")
    ref = file(app, SELF)
    [(doc_id, *_)] = _docs(app, ref)
    requester = _party_ids(app, ref)["requester"]
    resp = post_form(client, _page(ref), f"/backoffice/verzoeken/{ref}/controle/{requester}", {
        "kind": "identity", "method": "id_copy", "document_kind": "identiteitskaart", "name_matches": "y",
        "birth_date_matches": "y", "result": "verified", "notes": "Foto en BSN afgeschermd."})
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith(_page(ref))

    with app.app_context():
        assert db.session.get(Document, doc_id) is None  # row and ciphertext gone
        req = request_of(ref)
        assert not req.documents
        [check] = db.session.execute(db.select(IdentityCheck).filter_by(request_id=req.id)).scalars().all()
        assert (check.party_id, check.kind, check.method, check.document_kind, check.result) == (
            requester, "identity", "id_copy", "identiteitskaart", "verified")
        assert check.name_matches and check.birth_date_matches and check.checked_by == client.staff_id
        assert check.notes == "Foto en BSN afgeschermd."
        kinds = [e.kind for e in req.events]
        assert "identity_check:verified" in kinds
        assert req.status == "in_progress"
        assert casework.identity_verified(req)
        db.session.remove()
    actions = [a[:3] for a in audit_actions(app, ref)]
    assert ("document.delete", "document", str(doc_id)) in actions
    assert ("identity_check.record", "identity_check", str(check.id)) in actions
    # The log holds no content: not the notes, not the document kind.
    with app.app_context():
        from portal.models import AuditEvent

        for e in db.session.execute(db.select(AuditEvent)).scalars():
            assert "BSN" not in " ".join(str(getattr(e, f)) for f in AuditEvent.FIELDS)
        db.session.remove()


def test_art20_5_check_in_person_deletes_nothing_else_and_keeps_the_record(app, make_staff):
    ref = file(app, SELF, identity={"method": "in_person"})
    who = actor(app, make_staff("caseworker"))
    requester = _party_ids(app, ref)["requester"]
    with app.app_context():
        casework.record_check(who, ref, requester, kind="identity", method="in_person", document_kind="paspoort",
                              name_matches=True, birth_date_matches=True, result="verified")
        assert casework.identity_verified(request_of(ref))
        db.session.remove()


def test_art20_5_verified_needs_name_and_birth_date_to_match(app, make_staff):
    ref = file(app, SELF)
    who = actor(app, make_staff("caseworker"))
    requester = _party_ids(app, ref)["requester"]
    with app.app_context():
        with pytest.raises(CaseworkError) as exc:
            casework.record_check(who, ref, requester, kind="identity", method="id_copy", document_kind="paspoort",
                                  name_matches=True, birth_date_matches=False, result="verified")
        assert exc.value.code == "verified_needs_match"
        db.session.remove()
    assert len(_docs(app, ref)) == 1  # nothing stored, nothing deleted


@pytest.mark.parametrize("field,value,code", [
    ("kind", "passport", "kind_unknown"),
    ("method", "fax", "method_unknown"),
    ("document_kind", "uittreksel_gezagsregister", "document_kind_unknown"),  # not an identity document
    ("result", "maybe", "result_unknown"),
])
def test_art20_5_check_only_with_known_values(app, make_staff, field, value, code):
    ref = file(app, SELF)
    who = actor(app, make_staff("caseworker"))
    requester = _party_ids(app, ref)["requester"]
    values = dict(kind="identity", method="id_copy", document_kind="paspoort", name_matches=True,
                  birth_date_matches=True, result="verified")
    values[field] = value
    with app.app_context():
        with pytest.raises(CaseworkError) as exc:
            casework.record_check(who, ref, requester, **values)
        assert exc.value.code == code
        db.session.remove()


def test_art20_5_representation_checked_only_for_someone_acting_for_another(app, make_staff):
    who = actor(app, make_staff("caseworker"))
    own = file(app, SELF)
    with app.app_context():
        with pytest.raises(CaseworkError) as exc:
            casework.record_check(who, own, _party_ids(app, own)["requester"], kind="representation", method="id_copy",
                                  document_kind="uittreksel_gezagsregister", name_matches=True,
                                  birth_date_matches=True, result="verified")
        assert exc.value.code == "no_representation_to_check"
        db.session.remove()


def test_art20_5_parent_needs_identity_and_representation_before_verified(app, make_staff):
    ref = file(app, FOR_CHILD)
    who = actor(app, make_staff("caseworker"))
    ids = _party_ids(app, ref)
    with app.app_context():
        casework.record_check(who, ref, ids["requester"], kind="identity", method="id_copy", document_kind="rijbewijs",
                              name_matches=True, birth_date_matches=True, result="verified")
        assert not casework.identity_verified(request_of(ref))
        assert [k for _i, k, *_ in _docs(app, ref)] == ["representation"]  # only the ID copy went
        casework.record_check(who, ref, ids["requester"], kind="representation", method="id_copy",
                              document_kind="uittreksel_gezagsregister", name_matches=True, birth_date_matches=True,
                              result="verified")
        assert casework.identity_verified(request_of(ref))
        assert _docs(app, ref) == []
        db.session.remove()


def test_art20_5_check_of_a_subject_who_does_not_file_is_refused(app, make_staff):
    ref = file(app, FOR_CHILD)
    who = actor(app, make_staff("caseworker"))
    with app.app_context():
        with pytest.raises(CaseworkError) as exc:
            casework.record_check(who, ref, _party_ids(app, ref)["subject"], kind="identity", method="in_person",
                                  document_kind="paspoort", name_matches=True, birth_date_matches=True,
                                  result="verified")
        assert exc.value.code == "party_does_not_take_part"
        db.session.remove()


def test_art20_5_party_of_another_request_is_not_found(app, logged_in):
    client = logged_in("caseworker")
    mine, other = file(app, SELF), file(app, SELF)
    theirs = _party_ids(app, other)["requester"]
    resp = post_form(client, _page(mine), f"/backoffice/verzoeken/{mine}/controle/{theirs}", {
        "kind": "identity", "method": "id_copy", "document_kind": "paspoort", "name_matches": "y",
        "birth_date_matches": "y", "result": "verified"})
    assert resp.status_code == 404
    assert len(_docs(app, other)) == 1


@pytest.mark.parametrize("results,verified", [
    (["verified"], True),
    (["rejected"], False),
    (["needs_more"], False),
    (["needs_more", "verified"], True),
    (["verified", "rejected"], False),  # the latest check counts
])
def test_art20_5_identity_verified_follows_the_latest_check(app, make_staff, results, verified):
    ref = file(app, SELF, identity={"method": "in_person"})
    who = actor(app, make_staff("caseworker"))
    requester = _party_ids(app, ref)["requester"]
    with app.app_context():
        assert not casework.identity_verified(request_of(ref))
        for result in results:
            casework.record_check(who, ref, requester, kind="identity", method="in_person", document_kind="paspoort",
                                  name_matches=result == "verified", birth_date_matches=result == "verified",
                                  result=result)
        assert casework.identity_verified(request_of(ref)) is verified
        db.session.remove()


def test_art20_5_joint_request_needs_both_people_verified(app, make_staff):
    """Art. 20.1, 12 to 16: the child and the parent both take part and both are verified."""
    with app.app_context():
        from portal.services.requests import today_local

        today = today_local()
        db.session.remove()
    child = {"given_names": "Lotte", "surname": "Bos", "birth_date": date(today.year - 14, 1, 1).isoformat(), "bsn": None}
    ref = file(app, SELF, requester=child, identity={"method": "in_person"},
               second={"not_safe": False, "channel": "code", "given_names": "Marco", "surname": "Bos", "email": None})
    who = actor(app, make_staff("caseworker"))
    with app.app_context():
        req = request_of(ref)
        parent = req.co_requester
        parent.joined_at, parent.identity_method, parent.birth_date = parent.request.created_at, "in_person", date(1980, 5, 5)
        req.status = "received"
        db.session.commit()
        ids = {p.role: p.id for p in req.parties}
        db.session.remove()
    with app.app_context():
        casework.record_check(who, ref, ids["requester"], kind="identity", method="in_person",
                              document_kind="identiteitskaart", name_matches=True, birth_date_matches=True,
                              result="verified")
        assert not casework.identity_verified(request_of(ref))
        casework.record_check(who, ref, ids["co_requester"], kind="identity", method="in_person",
                              document_kind="paspoort", name_matches=True, birth_date_matches=True, result="verified")
        assert not casework.identity_verified(request_of(ref))  # the parent's authority still unchecked
        casework.record_check(who, ref, ids["co_requester"], kind="representation", method="in_person",
                              document_kind="uittreksel_gezagsregister", name_matches=True, birth_date_matches=True,
                              result="verified")
        assert casework.identity_verified(request_of(ref))
        db.session.remove()


# --- asking for a clearer copy ------------------------------------------------------------------------

def test_art20_5_needs_more_offers_a_message_asking_for_a_clearer_copy(app, logged_in):
    client = logged_in("caseworker")
    ref = file(app, SELF, lang="en")
    requester = _party_ids(app, ref)["requester"]
    resp = post_form(client, _page(ref), f"/backoffice/verzoeken/{ref}/controle/{requester}", {
        "kind": "identity", "method": "id_copy", "document_kind": "paspoort", "result": "needs_more"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"#bericht-{requester}")
    assert _docs(app, ref) == []  # the unclear copy is deleted too
    page = client.get(_page(ref)).get_data(as_text=True)
    assert f'id="bericht-{requester}"' in page
    assert "Please send a new, clear copy" in page or "clear copy" in page  # suggested text in the request's language

    resp = post_form(client, _page(ref), f"/backoffice/verzoeken/{ref}/controle/{requester}/bericht",
                     {"body": "Please send a clearer copy of your passport."})
    assert resp.status_code == 302
    with app.app_context():
        req = request_of(ref)
        [msg] = req.messages
        assert msg.asks_for_document and msg.party_id == requester and msg.direction == Message.TO_REQUESTER
        assert req.status == "waiting_for_requester"
        db.session.remove()


def test_art20_5_a_clearer_copy_sent_with_a_message_is_deleted_when_checked(app, make_staff):
    from portal.services import requests as svc
    from portal.documents.uploads import inspect_upload

    ref = file(app, SELF)
    who = actor(app, make_staff("caseworker"))
    requester = _party_ids(app, ref)["requester"]
    with app.app_context():
        casework.record_check(who, ref, requester, kind="identity", method="id_copy", document_kind="paspoort",
                              name_matches=False, birth_date_matches=True, result="needs_more")
        svc.reply(svc.StatusAccess(ref, requester), "Hier is een betere kopie.", inspect_upload(jpeg((10, 20, 30))))
        [(msg_doc, kind, *_)] = _docs(app, ref)
        assert kind == "message"
        casework.record_check(who, ref, requester, kind="identity", method="id_copy", document_kind="paspoort",
                              name_matches=True, birth_date_matches=True, result="verified",
                              message_document_ids=[msg_doc])
        assert _docs(app, ref) == []
        assert casework.identity_verified(request_of(ref))
        db.session.remove()


def test_art20_5_check_page_shows_no_document_content_and_links_only_this_requests_files(app, logged_in):
    client = logged_in("caseworker")
    ref = file(app, FOR_CHILD)
    html = client.get(_page(ref)).get_data(as_text=True)
    for doc_id, *_ in _docs(app, ref):
        assert f"/backoffice/verzoeken/{ref}/documenten/{doc_id}" in html
    assert "Controle vastleggen" in html
    assert not [a for a in audit_actions(app, ref) if a[0] == "document.view"]
    assert ("request.view", "request") in [a[:2] for a in audit_actions(app, ref)]


# --- the capacity judgment (art. 20.2) ------------------------------------------------------------------

def test_art20_2_capacity_judgment_records_who_when_why(app, logged_in):
    with app.app_context():
        from portal.services.requests import today_local

        today = today_local()
        db.session.remove()
    young = {"given_names": "Daan", "surname": "Smit", "birth_date": date(today.year - 17, 1, 1).isoformat(), "bsn": None}
    ref = file(app, SELF, requester=young)
    leader = logged_in("team_leader")
    subject = _party_ids(app, ref)["requester"]
    resp = post_form(leader, _page(ref), f"/backoffice/verzoeken/{ref}/wilsbekwaamheid", {
        "party_id": subject, "lacks_capacity": "yes",
        "reasons": "Gesprek op 3 maart: kan de gevolgen niet overzien (verslag in het dossier)."})
    assert resp.status_code == 302
    with app.app_context():
        [j] = db.session.execute(db.select(CapacityJudgment)).scalars().all()
        assert (j.party_id, j.lacks_capacity, j.judged_by) == (subject, True, leader.staff_id)
        assert j.judged_at is not None and "gevolgen" in j.reasons
        assert "capacity_judged" in [e.kind for e in request_of(ref).events]
        db.session.remove()
    assert ("capacity.judge", "capacity_judgment", str(j.id)) in [a[:3] for a in audit_actions(app, ref)]


def test_art20_2_capacity_judgment_is_for_a_team_leader_not_a_caseworker(app, logged_in):
    ref = file(app, SELF)
    client = logged_in("caseworker")
    subject = _party_ids(app, ref)["requester"]
    resp = post_form(client, _page(ref), f"/backoffice/verzoeken/{ref}/wilsbekwaamheid", {
        "party_id": subject, "lacks_capacity": "no", "reasons": "Kan het goed overzien, gesprek gevoerd."})
    assert resp.status_code == 403


def test_art20_2_no_capacity_judgment_under_12_and_reasons_required(app, make_staff):
    ref = file(app, FOR_CHILD)
    who = actor(app, make_staff("team_leader"))
    ids = _party_ids(app, ref)
    with app.app_context():
        with pytest.raises(CaseworkError) as exc:
            casework.record_capacity_judgment(who, ref, ids["subject"], lacks_capacity=True,
                                              reasons="Te jong om dit te overzien, zegt de ouder.")
        assert exc.value.code == "subject_under_12"
        with pytest.raises(CaseworkError) as exc:
            casework.record_capacity_judgment(who, ref, ids["requester"], lacks_capacity=True, reasons="x" * 30)
        assert exc.value.code == "not_the_subject"
        db.session.remove()
    own = file(app, SELF)
    with app.app_context():
        with pytest.raises(CaseworkError) as exc:
            casework.record_capacity_judgment(who, own, _party_ids(app, own)["requester"], lacks_capacity=False,
                                              reasons="kort")
        assert exc.value.code == "reasons_required"
        db.session.remove()


def test_verify_everyone_helper_leaves_request_verified(app, make_staff):
    ref = file(app, FOR_CHILD)
    verify_everyone(app, ref, actor(app, make_staff("caseworker")))
    with app.app_context():
        assert casework.identity_verified(request_of(ref))
        assert db.session.execute(db.select(db.func.count()).select_from(Party)).scalar() >= 2
        assert not db.session.execute(db.select(RequestEvent).filter_by(public=True, kind="identity_check:verified")).first()
        db.session.remove()


def test_casework_panels_on_the_request_page_and_back_there_after_a_post(app, logged_in):
    """The request page includes backoffice/request/_casework.html; a form on it
    returns to it, and an error is shown there once."""
    client = logged_in("caseworker")
    ref = file(app, SELF)
    page = f"/backoffice/verzoeken/{ref}"
    html = client.get(page).get_data(as_text=True)
    assert 'id="casework"' in html and "Controle vastleggen" in html
    requester = _party_ids(app, ref)["requester"]
    resp = post_form(client, page, f"/backoffice/verzoeken/{ref}/controle/{requester}", {
        "kind": "identity", "method": "id_copy", "document_kind": "paspoort", "name_matches": "y",
        "result": "verified"})
    assert resp.status_code == 302 and resp.headers["Location"].startswith(page + "#")
    html = client.get(page).get_data(as_text=True)
    assert 'id="casework-errors"' in html and "naam en de geboortedatum" in html
    assert 'id="casework-errors"' not in client.get(page).get_data(as_text=True)  # once
    # `next` never leads outside the back office
    resp = client.post(f"/backoffice/verzoeken/{ref}/controle/{requester}", data={
        "csrf_token": csrf_of(client, page),
        "next": "https://evil.example/", "kind": "identity", "method": "id_copy", "document_kind": "paspoort",
        "result": "needs_more"})
    assert resp.status_code == 302 and resp.headers["Location"].startswith(page)
