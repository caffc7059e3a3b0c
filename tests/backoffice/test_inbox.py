"""Issue 10, the team leader's inbox: everything that waits for a signature on one page,
oldest due first, each with its reason; a count beside the menu link and in the digest;
a copy signed from one page that shows each withheld entry beside the caseworker's
reason (a logged read: that text is personal data); four eyes, with who can sign instead."""
from __future__ import annotations

from portal.infra.extensions import db
from portal.models import AuditEvent, Copy
from portal.services import copies, queue as q

from . import casework_helpers as ch
from .conftest import log_in
from .copy_helpers import get_copy, reviewed_copy
from .queue_helpers import file, set_staff

WHY = "Het onderzoek loopt nog; dit stuk kan nu niet worden gedeeld."


def test_art14_2_inbox_lists_a_withheld_copy_and_signs_it_from_one_page(app, make_staff, logged_in):
    cw = make_staff("caseworker")
    reference, copy_id = reviewed_copy(app, cw, withhold=True)
    tl = logged_in("team_leader")
    page = tl.get("/backoffice/teamleider").get_data(as_text=True)
    assert reference in page and "Afschrift met een beperking" in page and "Een heel stuk wordt niet opgenomen." in page
    assert 'id="inbox-count">1<' in page  # beside the menu link
    sign_url = f"/backoffice/teamleider/afschrift/{reference}/{copy_id}"
    assert f'href="{sign_url}"' in page
    with app.app_context():
        entry = get_copy(app, copy_id).entries[0].entry
        text = entry.text
        db.session.remove()
    sign_page = tl.get(sign_url).get_data(as_text=True)
    assert WHY in sign_page and text.split()[0] in sign_page  # the reason beside the text it concerns
    with app.app_context():
        reads = db.session.execute(db.select(AuditEvent).filter_by(action="copy.sign_view", subject_ref=reference)).scalars().all()
        assert len(reads) == 1 and reads[0].actor_role == "team_leader"
        db.session.remove()
    r = tl.post(sign_url, data={"csrf_token": ch.csrf(sign_page)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/backoffice/teamleider")
    with app.app_context():
        assert get_copy(app, copy_id).status == Copy.SIGNED
        db.session.remove()
    after = tl.get("/backoffice/teamleider").get_data(as_text=True)
    assert 'id="inbox-empty"' in after and 'id="inbox-count">0<' in after


def test_art14_2_four_eyes_the_page_says_who_can_sign_instead(app, make_staff, logged_in):
    leader = make_staff("team_leader")
    other = make_staff("team_leader", username="tl-other")
    with app.app_context():
        from portal.models import Staff
        db.session.get(Staff, other).display_name = "Anna Andere"
        db.session.commit()
        db.session.remove()
    reference, copy_id = reviewed_copy(app, leader, withhold=True)  # the team leader prepared it
    client = app.test_client()
    log_in(client, app, leader)
    listing = client.get("/backoffice/teamleider").get_data(as_text=True)
    assert "Uw eigen voorstel" in listing and 'id="inbox-count">0<' in listing
    page = client.get(f"/backoffice/teamleider/afschrift/{reference}/{copy_id}").get_data(as_text=True)
    assert 'id="four-eyes"' in page and "Anna Andere" in page and 'id="button-sign"' not in page


def test_art14_2_queue_waiting_for_team_leader_holds_the_copy(app, make_staff):
    cw = make_staff("caseworker")
    reference, _copy = reviewed_copy(app, cw, withhold=True)
    file(app)  # a request without anything to sign
    with app.app_context():
        page = q.queue_page(ch.actor(app, cw), q.QueueFilters(waiting_for_team_leader=True))
        assert [r.reference for r in page.rows] == [reference]
        assert page.rows[0].waiting_for_team_leader
        db.session.remove()


def test_digest_counts_what_waits_for_a_signature(app, make_staff, mailbox):
    cw, tl = make_staff("caseworker"), make_staff("team_leader")
    set_staff(app, tl, email="tl@vt.example")
    reviewed_copy(app, cw, withhold=True)
    with app.app_context():
        q.send_digest()
    body = mailbox.wait_for(1)[0].get_body(preferencelist=("plain",)).get_content()
    assert "Wacht op de handtekening van een teamleider: 1: http://portal.test/backoffice/teamleider" in body
