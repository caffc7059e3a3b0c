"""The request page (issue 3, "The queue"): the whole timeline (every event, who, when),
the requester, the subject, representation, contact-safety preferences, the clock,
rights and due dates, messages, documents, decisions; claim and assign; every view in
the access log with the request it served (art. 7.5)."""
from __future__ import annotations

import re

import pytest

from portal.infra.extensions import db
from portal.models import Decision, Document, Request
from portal.services import casefile
from portal.services.requests import CLOCK_RULE

from .queue_helpers import CHILD_BIRTH_DATE_NL, FOR_CHILD, actor, audit_entries, file, get_request, post, update


def page_of(client, ref):
    resp = client.get(f"/backoffice/verzoeken/{ref}")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    return resp.get_data(as_text=True)


def section(html: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}".*?</(?:section|div|table|p)>', html, re.S)
    assert m, f"no #{element_id} on the page"
    return m.group(0)


def test_request_page_shows_people_representation_clock_rights_and_documents(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app, FOR_CHILD)
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=ref)).scalar_one()
        req.documents.append(Document(kind="identity", content_type="image/jpeg", size=2048, sha256="0" * 64,
                                      ciphertext=b"secret", party=req.requester))
        db.session.add(Decision(request_id=req.id, right="correctie", outcome="refuse", state=Decision.PROPOSED))
        db.session.commit()
    html = page_of(cw, ref)
    assert ref in html
    # Requester, subject (the child), and how the requester represents the child.
    assert "Pieter Jansen" in html and "Noor Jansen" in html
    assert CHILD_BIRTH_DATE_NL in html
    assert "Ouder met gezag" in html
    # The clock: received, started, and the rule with its source.
    assert "Ontvangen op" in html and "De termijn loopt vanaf" in html
    assert CLOCK_RULE in html
    # The right with what the requester wrote and its due date.
    row = section(html, "right-correctie")
    assert "De school klopt niet." in row and "Een andere school." in row
    stored = get_request(app, ref)
    assert stored.rights[0].due_on.isoformat() in row
    # Documents: listed here, never opened from this list (the identity-check panel,
    # backoffice/request/_casework.html, opens them, logged), never their content.
    start = html.index('id="documents-title"')
    docs = html[start:html.index("</section>", start)]
    assert "Identiteitsbewijs" in docs and "image/jpeg" in docs
    assert "<a " not in docs
    assert "secret" not in html
    # Decisions listed.
    assert "Afwijzen" in section(html, "decisions-title") and "refuse" not in section(html, "decisions-title")


def test_request_page_makes_the_contact_safety_wishes_impossible_to_miss(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app, FOR_CHILD)  # phone yes (mornings), no e-mail, no voicemail, no post
    html = page_of(cw, ref)
    contact = html[html.index('id="contact-requester"'):html.index("</section>", html.index('id="contact-requester"'))]
    donts = re.search(r'class="warning bo-donts".*?</div>', contact, re.S).group(0)
    assert "<strong>NIET MAILEN</strong>" in donts
    assert "<strong>GEEN VOICEMAIL INSPREKEN</strong>" in donts
    assert "<strong>GEEN POST STUREN</strong>" in donts
    assert "NIET BELLEN" not in donts
    assert "Bellen mag: +31612345678, ochtend" in contact
    # It comes before the rest of the case.
    assert html.index("Veilig contact") < html.index("Termijnen") < html.index("Tijdlijn")


def test_request_page_timeline_has_every_event_with_who_and_when(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app, email="sanne@example.org")  # submitted, status, e-mail confirmed, status
    update(app, ref, art20_4_review=False)
    post(cw, f"/backoffice/verzoeken/{ref}", f"/backoffice/verzoeken/{ref}/oppakken", {})
    html = page_of(cw, ref)
    timeline = section(html, "timeline-title")
    stored = get_request(app, ref)
    rows = re.findall(r"<tr>\s*<td><time.*?</tr>", timeline, re.S)
    assert len(rows) == len(stored.events)
    kinds = [e.kind for e in stored.events]
    assert "claimed" in kinds  # an internal event (not on the status page) ...
    assert any("Opgepakt" in r and "Test caseworker" in r and ">nee<" in r for r in rows)  # ... shown, with who
    assert any("Verzoek ingediend" in r and "Verzoeker" in r and ">ja<" in r for r in rows)
    assert any("Status: In behandeling" in r and "Test caseworker" in r for r in rows)


def test_request_page_view_is_logged_with_the_request_it_served(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app)
    page_of(cw, ref)
    [entry] = audit_entries(app, "request.view")
    stored = get_request(app, ref)
    assert entry.actor == f"staff:{cw.staff_id}" and entry.actor_role == "caseworker"
    assert entry.object_type == "request" and entry.object_id == str(stored.id)
    assert entry.subject_ref == ref and ref in entry.reason
    assert "Sanne" not in (entry.reason or "")


def test_request_page_unknown_reference_is_404_and_no_access_for_roles_without_case_content(app, logged_in):
    cw = logged_in("caseworker")
    assert cw.get("/backoffice/verzoeken/VT-AAAA-BBBB-CCCC").status_code == 404
    ref = file(app)
    officer = logged_in("privacy_officer")
    resp = officer.get(f"/backoffice/verzoeken/{ref}")
    assert resp.status_code == 403
    assert "Sanne" not in resp.get_data(as_text=True)
    assert audit_entries(app, "denied:request.view")


def test_art20_4_flag_for_everyone_and_the_childs_note_for_the_team_leader_only(app, logged_in):
    ref = file(app)
    update(app, ref, art20_4_review=True, art20_4_note="Papa wordt boos als hij het weet.")
    cw_html = page_of(logged_in("caseworker"), ref)
    assert "Art. 20.4: de teamleider beslist" in cw_html
    assert "Papa wordt boos" not in cw_html
    tl_html = page_of(logged_in("team_leader"), ref)
    assert "Papa wordt boos als hij het weet." in section(tl_html, "art20-4-note")
    assert len(audit_entries(app, "request.view_art20_4_note")) == 1


# --- claim and assign ----------------------------------------------------------------------

def test_claim_assigns_to_me_and_moves_received_to_in_progress(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app)
    resp = post(cw, f"/backoffice/verzoeken/{ref}", f"/backoffice/verzoeken/{ref}/oppakken", {})
    assert resp.status_code == 302
    stored = get_request(app, ref)
    assert stored.assignee_id == cw.staff_id
    assert stored.status == "in_progress"
    assert [e.kind for e in stored.events][-2:] == ["claimed", "status:in_progress"]
    assert [e.public for e in stored.events][-2:] == [False, True]  # the requester sees "in progress" only
    assert len(audit_entries(app, "request.claim")) == 1
    html = page_of(cw, ref)
    assert "Test caseworker" in section(html, "assignee")
    # The queue shows the assignee and "assigned to me" finds it.
    queue = cw.get("/backoffice/werkvoorraad?mine=1").get_data(as_text=True)
    assert ref in queue and "Test caseworker" in queue


def test_assign_to_another_caseworker_or_team_leader(app, logged_in, make_staff):
    cw = logged_in("caseworker")
    leader = make_staff("team_leader")
    ref = file(app)
    resp = post(cw, f"/backoffice/verzoeken/{ref}", f"/backoffice/verzoeken/{ref}/toewijzen", {"staff_id": leader})
    assert resp.status_code == 302
    stored = get_request(app, ref)
    assert stored.assignee_id == leader and stored.status == "in_progress"
    assert stored.events[-2].kind == "assigned"


@pytest.mark.parametrize("who", ["privacy_officer", "functional_admin", "no_agreement", "unknown"])
def test_assign_only_to_staff_who_may_handle_requests(app, logged_in, make_staff, who):
    cw = logged_in("caseworker")
    target = {
        "privacy_officer": lambda: make_staff("privacy_officer"),
        "functional_admin": lambda: make_staff("functional_admin"),
        "no_agreement": lambda: make_staff("caseworker", confidentiality=False),
        "unknown": lambda: 999_999,
    }[who]()
    ref = file(app)
    resp = post(cw, f"/backoffice/verzoeken/{ref}", f"/backoffice/verzoeken/{ref}/toewijzen", {"staff_id": target})
    assert resp.status_code == 400
    assert "Kies een medewerker of teamleider die verzoeken mag behandelen." in resp.get_data(as_text=True)
    stored = get_request(app, ref)
    assert stored.assignee_id is None and stored.status == "received"


def test_claim_and_assign_need_the_permission_in_the_service_too(app, make_staff):
    ref = file(app)
    officer = actor(app, make_staff("privacy_officer"))
    from portal.services.authz import NotAllowed

    with app.app_context():
        with pytest.raises(NotAllowed):
            casefile.claim(officer, ref)
        with pytest.raises(NotAllowed):
            casefile.assign(officer, ref, officer.staff_id)
    assert get_request(app, ref).assignee_id is None


def test_post_without_csrf_token_is_refused(app, logged_in):
    cw = logged_in("caseworker")
    ref = file(app)
    resp = cw.post(f"/backoffice/verzoeken/{ref}/oppakken", data={})
    assert resp.status_code == 400
    assert get_request(app, ref).assignee_id is None
