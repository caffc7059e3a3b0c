"""Issue 10, signing from the team leader's inbox on one page: a decision (art. 14.2,
20.4), the child's art. 20.4 question, a correction refusal (art. 15) and the check of a
carried-out destruction (art. 17.4) or erasure (art. 18). Each page shows the item, its
reason and grounds (a logged read), and the sign / send back buttons with four eyes
(nobody signs their own proposal or checks their own execution; a deputy signs as a
team leader does). Bad input: signed already, another team leader first, own proposal,
a withdrawn request: a clear error, nothing changed."""
from __future__ import annotations

from datetime import date

import pytest

from portal.infra.extensions import db
from portal.models import (AuditEvent, CorrectionItem, Decision, Letter, ParentInvolvementDecision, RegistrationInstruction,
                           RightAssessment, Staff)
from portal.rules.grounds import Ground
from portal.services import copies, decisions, destruction, inbox, withdrawal
from portal.services import rectification as rx

from . import casework_helpers as ch
from .casework_helpers import SELF
from .conftest import log_in
from .queue_helpers import answers
from .copy_helpers import MARK
from .test_art17_destruction import _call, _decide, _import, _linked

REASONS = "Een deel van het verslag gaat over de buurvrouw die de melding deed; dat deel laten wij weg."
NOTE = "Mijn vader mag dit niet weten, hij wordt dan boos."
ART20_4_REASONS = "Er zijn concrete signalen van geweld door de vader; het belang van het kind weegt zwaarder."
REFUSAL = "Dit is het oordeel van Veilig Thuis over de veiligheid. Dat is geen feit dat wij verbeteren."


@pytest.fixture
def people(app, make_staff):
    class People:
        caseworker_id = make_staff("caseworker")
        leader_id = make_staff("team_leader")
        other_id = make_staff("team_leader")
        caseworker = ch.actor(app, caseworker_id)
        leader = ch.actor(app, leader_id)
        other = ch.actor(app, other_id)
    with app.app_context():
        db.session.get(Staff, People.other_id).display_name = "Anna Andere"
        db.session.commit()
        db.session.remove()
    return People


def _client(app, staff_id):
    client = app.test_client()
    log_in(client, app, staff_id)
    return client


def _reads(app, action: str, reference: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(db.select(AuditEvent).filter_by(action=action, subject_ref=reference)).scalars().all()
        db.session.remove()
    return rows


def _decision(app, decision_id) -> tuple:
    with app.app_context():
        d = db.session.get(Decision, decision_id)
        out = (d.state, d.reviewed_by, d.review_comment,
               db.session.execute(db.select(db.func.count(Letter.id)).where(Letter.decision_id == d.id)).scalar_one())
        db.session.remove()
    return out


def _proposed_restriction(app, people, proposer=None) -> tuple[str, int]:
    ref = ch.file(app, SELF)
    ch.verify_everyone(app, ref, people.caseworker)
    dec = _call(app, decisions.propose, proposer or people.caseworker, ref, "inzage", "grant_in_part",
                [Ground.THIRD_PARTY_PRIVACY.value], REASONS)
    return ref, dec


def _post(client, url, data):
    token = ch.csrf_of(client, "/backoffice/teamleider")
    return client.post(url, data={"csrf_token": token, **data})


# --- decisions (art. 14.2, 20.4) -------------------------------------------------------------------

def test_art14_2_a_restriction_is_signed_from_one_page_with_its_grounds_and_reasons(app, people):
    ref, dec = _proposed_restriction(app, people)
    tl = _client(app, people.leader_id)
    listing = tl.get("/backoffice/teamleider").get_data(as_text=True)
    url = f"/backoffice/teamleider/besluit/{ref}/{dec}"
    assert f'href="{url}"' in listing
    page = tl.get(url).get_data(as_text=True)
    assert REASONS in page and "Gedeeltelijk toewijzen" in page and 'id="button-sign"' in page
    assert Ground(Ground.THIRD_PARTY_PRIVACY.value).label("nl") in page
    assert len(_reads(app, "decision.sign_view", ref)) == 1  # the reasons are personal data: a logged read
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "sign"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/backoffice/teamleider")
    assert _decision(app, dec)[:2] == ("signed", people.leader_id) and _decision(app, dec)[3] == 1
    # Signing what is already signed: a clear error, nothing changed (no second letter).
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "sign"}, follow_redirects=True)
    assert "Dit besluit wacht niet op een teamleider." in r.get_data(as_text=True)
    assert _decision(app, dec) == ("signed", people.leader_id, None, 1)


def test_art14_2_sending_back_needs_a_comment_beside_the_field(app, people):
    ref, dec = _proposed_restriction(app, people)
    tl = _client(app, people.leader_id)
    url = f"/backoffice/teamleider/besluit/{ref}/{dec}"
    page = tl.get(url).get_data(as_text=True)
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "send_back", "comment": "  "})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and 'id="comment-error"' in html and "Schrijf waarom u het voorstel terugstuurt." in html
    assert _decision(app, dec) == ("proposed", None, None, 0)
    # Without the CSRF token: nothing changes either.
    assert tl.post(url, data={"action": "sign"}).status_code == 400
    assert _decision(app, dec) == ("proposed", None, None, 0)
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "send_back", "comment": "Noem de grond preciezer."})
    assert r.status_code == 302
    assert _decision(app, dec) == ("sent_back", people.leader_id, "Noem de grond preciezer.", 0)


def test_art20_4_own_proposal_the_page_names_who_can_sign_and_a_forged_post_changes_nothing(app, people):
    ref, dec = _proposed_restriction(app, people, proposer=people.leader)
    tl = _client(app, people.leader_id)
    url = f"/backoffice/teamleider/besluit/{ref}/{dec}"
    page = tl.get(url).get_data(as_text=True)
    assert 'id="four-eyes"' in page and "Anna Andere" in page and 'id="button-sign"' not in page
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "sign"})
    assert r.status_code == 400 and "U kunt uw eigen voorstel niet ondertekenen" in r.get_data(as_text=True)
    assert _decision(app, dec) == ("proposed", None, None, 0)
    # The other team leader signs it.
    other = _client(app, people.other_id)
    assert other.post(url, data={"csrf_token": ch.csrf(other.get(url).get_data(as_text=True)),
                                 "action": "sign"}).status_code == 302
    assert _decision(app, dec)[:2] == ("signed", people.other_id)


def test_art20_4_a_deputy_signs_from_the_inbox(app, people, make_staff):
    admin, deputy = make_staff("functional_admin"), make_staff("caseworker")
    with app.app_context():
        from portal.services import staff as staff_svc
        staff_svc.grant_deputy(ch.actor(app, admin), deputy)
        db.session.remove()
    ref, dec = _proposed_restriction(app, people)
    client = _client(app, deputy)
    assert f"/backoffice/teamleider/besluit/{ref}/{dec}" in client.get("/backoffice/teamleider").get_data(as_text=True)
    url = f"/backoffice/teamleider/besluit/{ref}/{dec}"
    r = client.post(url, data={"csrf_token": ch.csrf(client.get(url).get_data(as_text=True)), "action": "sign"})
    assert r.status_code == 302 and _decision(app, dec)[:2] == ("signed", deputy)
    # A caseworker who is not a deputy has no inbox.
    assert _client(app, people.caseworker_id).get(url).status_code == 403


def test_art14_2_another_team_leader_signed_first_a_clear_error_nothing_changed(app, people):
    ref, dec = _proposed_restriction(app, people)
    tl, other = _client(app, people.leader_id), _client(app, people.other_id)
    url = f"/backoffice/teamleider/besluit/{ref}/{dec}"
    page = tl.get(url).get_data(as_text=True)  # open, then the other team leader signs first
    other.post(url, data={"csrf_token": ch.csrf(other.get(url).get_data(as_text=True)), "action": "sign"})
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "send_back", "comment": "Te laat."},
                follow_redirects=True)
    assert "Dit besluit wacht niet op een teamleider." in r.get_data(as_text=True)
    assert _decision(app, dec) == ("signed", people.other_id, None, 1)


def test_art14_2_a_withdrawn_request_cannot_be_signed_from_the_inbox(app, people):
    ref, dec = _proposed_restriction(app, people)
    tl = _client(app, people.leader_id)
    url = f"/backoffice/teamleider/besluit/{ref}/{dec}"
    page = tl.get(url).get_data(as_text=True)
    with app.app_context():
        withdrawal.withdraw(ref, ch.request_of(ref).requester.id)
        db.session.remove()
    assert url not in tl.get("/backoffice/teamleider").get_data(as_text=True)
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "sign"}, follow_redirects=True)
    assert "ingetrokken" in r.get_data(as_text=True)
    assert _decision(app, dec) == ("proposed", None, None, 0)
    r = tl.get(url, follow_redirects=True)
    assert "ingetrokken" in r.get_data(as_text=True) and 'id="button-sign"' not in r.get_data(as_text=True)


def test_a_decision_of_another_request_is_not_found(app, people):
    ref, dec = _proposed_restriction(app, people)
    other_ref, _ = _proposed_restriction(app, people)
    tl = _client(app, people.leader_id)
    assert tl.get(f"/backoffice/teamleider/besluit/{other_ref}/{dec}").status_code == 404
    assert tl.get(f"/backoffice/teamleider/besluit/{ref}/999999").status_code == 404


# --- the child's art. 20.4 question ------------------------------------------------------------------

def _child_alone(app) -> str:
    with app.app_context():
        from portal.services.requests import today_local
        today = today_local()
        db.session.remove()
    child = {"given_names": "Lotte", "surname": "Bos", "birth_date": date(today.year - 14, 1, 1).isoformat(), "bsn": None}
    return ch.file(app, SELF, requester=child, identity={"method": "in_person"},
                   second={"not_safe": True, "not_safe_note": NOTE})


def test_art20_4_the_question_is_decided_from_one_page_with_what_the_child_wrote(app, people):
    ref = _child_alone(app)
    tl = _client(app, people.leader_id)
    url = f"/backoffice/teamleider/artikel-20-4/{ref}"
    assert f'href="{url}"' in tl.get("/backoffice/teamleider").get_data(as_text=True)
    page = tl.get(url).get_data(as_text=True)
    assert NOTE.replace("'", "&#39;") in page
    assert len(_reads(app, "request.view_art20_4_note", ref)) == 1
    # Bad input: no outcome, reasons too short; errors beside the fields, nothing stored.
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "decide", "outcome": "", "reasons": "kort"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and ('id="outcome-error"' in html or 'id="reasons-error"' in html)
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "decide", "outcome": "continue_without_parent",
                           "reasons": "kort"})
    assert r.status_code == 400 and 'id="reasons-error"' in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(ParentInvolvementDecision.id))).scalar_one() == 0
        db.session.remove()
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "decide", "outcome": "continue_without_parent",
                           "reasons": ART20_4_REASONS})
    assert r.status_code == 302
    with app.app_context():
        [d] = db.session.execute(db.select(ParentInvolvementDecision)).scalars().all()
        assert (d.outcome, d.decided_by) == ("continue_without_parent", people.leader_id)
        db.session.remove()
    # Decided: no longer in the inbox; the page says so and nothing more is stored.
    assert url not in tl.get("/backoffice/teamleider").get_data(as_text=True)
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "decide", "outcome": "parent_must_take_part",
                           "reasons": ART20_4_REASONS}, follow_redirects=True)
    assert "Bij dit verzoek is geen vraag volgens artikel 20 lid 4." in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(ParentInvolvementDecision.id))).scalar_one() == 1
        db.session.remove()


# --- a correction refusal (art. 15) -------------------------------------------------------------------

def _proposed_refusal(app, people, proposer=None) -> tuple[str, int]:
    from .dossier_helpers import example
    from .copy_helpers import import_doc

    dossier_id = import_doc(app, example())
    base = answers(MARK, rights=["correctie"], details={"correctie": {
        "what_is_wrong": "Er staat dat de kinderen niet veilig zijn.", "should_say": "De kinderen zijn wel veilig."}})
    ref = ch.file(app, base)
    ch.verify_everyone(app, ref, people.caseworker)
    _call(app, copies.link_dossier, people.caseworker, ref, dossier_id, "p2")
    with app.app_context():
        rx.correction_page(people.caseworker, ref)
        [item] = rx.items_of(ch.request_of(ref))
        item_id = item.id
        from portal.models import DossierEntry
        e2 = db.session.execute(db.select(DossierEntry.id).filter_by(entry_id="e2")).scalar_one()
        db.session.remove()
    _call(app, rx.link_entries, people.caseworker, ref, item_id, [e2])
    _call(app, rx.decide_item, proposer or people.caseworker, ref, item_id, outcome="refuse", about_facts=False,
          ground=Ground.NOT_FACTUALLY_INCORRECT.value, reasons=REFUSAL)
    return ref, item_id


def _item(app, item_id) -> tuple:
    with app.app_context():
        item = db.session.get(CorrectionItem, item_id)
        out = (item.state, item.signed_by)
        db.session.remove()
    return out


def test_art15_a_correction_refusal_is_signed_from_one_page(app, people):
    ref, item_id = _proposed_refusal(app, people)
    tl = _client(app, people.leader_id)
    url = f"/backoffice/teamleider/correctie/{ref}/{item_id}"
    assert f'href="{url}"' in tl.get("/backoffice/teamleider").get_data(as_text=True)
    page = tl.get(url).get_data(as_text=True)
    assert "De kinderen zijn wel veilig." in page and REFUSAL in page
    assert Ground.NOT_FACTUALLY_INCORRECT.label("nl") in page
    assert len(_reads(app, "rectification.item.sign_view", ref)) == 1
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "sign"})
    assert r.status_code == 302 and _item(app, item_id) == ("decided", people.leader_id)
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "sign"}, follow_redirects=True)
    assert "Bij dit punt wacht geen afwijzing op een teamleider." in r.get_data(as_text=True)
    assert _item(app, item_id) == ("decided", people.leader_id)


def test_art15_own_refusal_is_not_signed_and_the_other_sends_it_back(app, people):
    ref, item_id = _proposed_refusal(app, people, proposer=people.leader)
    tl = _client(app, people.leader_id)
    url = f"/backoffice/teamleider/correctie/{ref}/{item_id}"
    page = tl.get(url).get_data(as_text=True)
    assert 'id="four-eyes"' in page and "Anna Andere" in page
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "sign"})
    assert r.status_code == 400 and "eigen voorstel" in r.get_data(as_text=True)
    assert _item(app, item_id) == ("proposed", None)
    other = _client(app, people.other_id)
    r = other.post(url, data={"csrf_token": ch.csrf(other.get(url).get_data(as_text=True)), "action": "send_back"})
    assert r.status_code == 302 and _item(app, item_id) == ("open", None)


# --- the execution check of a destruction (art. 17.4) or erasure (art. 18) -----------------------------

def _executed(app, people, *, by=None) -> tuple[str, int]:
    """Mark's destruction granted, carried out and confirmed (by `by`, the caseworker by default)."""
    who = by or people.caseworker
    dossier_id = _import(app)
    ref = _linked(app, people, dossier_id)
    _decide(app, people, ref, "vernietiging")  # proposed by the caseworker, signed by the team leader
    _call(app, destruction.execute, who, ref, "vernietiging", method="destroy", confirmed=True)
    with app.app_context():
        iid = db.session.execute(db.select(RegistrationInstruction.id)).scalar_one()
        db.session.remove()
    _call(app, destruction.confirm_execution, who, ref, "vernietiging", iid, name="J. de Wit (archief)",
          on=date.today())
    with app.app_context():
        aid = db.session.execute(db.select(RightAssessment.id).filter_by(right="vernietiging")).scalar_one()
        db.session.remove()
    return ref, aid


def _check(app, aid) -> tuple:
    with app.app_context():
        a = db.session.get(RightAssessment, aid)
        out = (a.check_state, a.checked_by, a.check_comment)
        db.session.remove()
    return out


def test_art17_4_a_carried_out_destruction_waits_in_the_inbox_and_is_checked_on_one_page(app, people):
    ref, aid = _executed(app, people)
    with app.app_context():
        [item] = [i for i in inbox.inbox(people.leader) if i.kind == inbox.EXECUTION_CHECK]
        a = db.session.get(RightAssessment, aid)
        assert (item.reference, item.right, item.due_on, item.execute_by) == (ref, "vernietiging", a.execute_by,
                                                                               a.execute_by)
        assert "execution_check" in item.reasons and "destroy" in item.reasons and not item.own
        db.session.remove()
    tl = _client(app, people.leader_id)
    url = f"/backoffice/teamleider/uitvoering/{ref}/vernietiging"
    listing = tl.get("/backoffice/teamleider").get_data(as_text=True)
    assert f'href="{url}"' in listing and "Controle van een uitgevoerde vernietiging" in listing
    page = tl.get(url).get_data(as_text=True)
    assert "J. de Wit (archief)" in page and 'id="in-time"' in page and "1 heel, 4 gedeeld" in page
    assert len(_reads(app, "destruction.check_view", ref)) == 1
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "sign"})
    assert r.status_code == 302 and _check(app, aid) == ("checked", people.leader_id, None)
    assert f'href="{url}"' not in tl.get("/backoffice/teamleider").get_data(as_text=True)
    # Checked already: a clear error, nothing changed.
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "send_back", "comment": "Toch niet."},
                follow_redirects=True)
    assert "wacht niet (meer) op een controle" in r.get_data(as_text=True)
    assert _check(app, aid) == ("checked", people.leader_id, None)
    with app.app_context():
        assert "destruction_checked" in [e.kind for e in ch.request_of(ref).events]
        db.session.remove()


def test_art17_4_four_eyes_whoever_carried_it_out_does_not_check_it_and_a_send_back_goes_round(app, people):
    ref, aid = _executed(app, people, by=people.leader)  # the team leader executed and confirmed it himself
    tl = _client(app, people.leader_id)
    url = f"/backoffice/teamleider/uitvoering/{ref}/vernietiging"
    page = tl.get(url).get_data(as_text=True)
    assert 'id="four-eyes"' in page and "Anna Andere" in page and 'id="button-sign"' not in page
    r = tl.post(url, data={"csrf_token": ch.csrf(page), "action": "sign"})
    assert r.status_code == 400 and "U heeft hieraan meegewerkt" in r.get_data(as_text=True)
    assert _check(app, aid) == (None, None, None)
    with app.app_context():
        assert [i.own for i in inbox.inbox(people.leader) if i.kind == inbox.EXECUTION_CHECK] == [True]
        assert inbox.count(people.leader) == 0
        db.session.remove()
    other = _client(app, people.other_id)
    page = other.get(url).get_data(as_text=True)
    r = other.post(url, data={"csrf_token": ch.csrf(page), "action": "send_back", "comment": ""})
    assert r.status_code == 400 and 'id="comment-error"' in r.get_data(as_text=True)
    assert _check(app, aid) == (None, None, None)
    comment = "Het registratiesysteem toont de bijlage van e3 nog."
    r = other.post(url, data={"csrf_token": ch.csrf(page), "action": "send_back", "comment": comment})
    assert r.status_code == 302 and _check(app, aid) == ("sent_back", people.other_id, comment)
    with app.app_context():
        assert not [i for i in inbox.inbox(people.other) if i.kind == inbox.EXECUTION_CHECK]
        db.session.remove()
    # The caseworker sees the comment on the request page and offers it again.
    cw = _client(app, people.caseworker_id)
    request_page = f"/backoffice/verzoeken/{ref}"
    assert comment in cw.get(request_page).get_data(as_text=True)
    r = ch.post_form(cw, request_page, f"{request_page}/uitvoeren/vernietiging/opnieuw-ter-controle", {})
    assert r.status_code == 302 and _check(app, aid)[0] is None
    r = other.post(url, data={"csrf_token": ch.csrf(other.get(url).get_data(as_text=True)), "action": "sign"})
    assert r.status_code == 302 and _check(app, aid)[:2] == ("checked", people.other_id)


def test_art17_4_the_check_of_a_withdrawn_request_is_refused(app, people):
    ref, aid = _executed(app, people)
    with app.app_context():
        req = ch.request_of(ref)
        req.status = "withdrawn"  # as a withdrawal after the execution would leave it
        db.session.commit()
        db.session.remove()
    with app.app_context():
        assert not [i for i in inbox.inbox(people.leader) if i.kind == inbox.EXECUTION_CHECK]
        with pytest.raises(destruction.DestructionError) as exc:
            destruction.check_execution(people.leader, ref, "vernietiging")
        assert exc.value.code == "request_withdrawn"
        db.session.remove()
    assert _check(app, aid) == (None, None, None)


def test_art17_4_nothing_to_check_before_the_registration_system_confirmed(app, people):
    dossier_id = _import(app)
    ref = _linked(app, people, dossier_id)
    _decide(app, people, ref, "vernietiging")
    _call(app, destruction.execute, people.caseworker, ref, "vernietiging", method="destroy", confirmed=True)
    with app.app_context():
        assert not [i for i in inbox.inbox(people.other) if i.kind == inbox.EXECUTION_CHECK]
        with pytest.raises(destruction.DestructionError) as exc:
            destruction.check_execution(people.other, ref, "vernietiging")
        assert exc.value.code == "not_executed"
        db.session.remove()
    tl = _client(app, people.other_id)
    assert tl.get(f"/backoffice/teamleider/uitvoering/{ref}/afschrift").status_code == 404


def test_art15_art17_4_the_queue_filter_waiting_for_a_team_leader_holds_refusals_and_checks(app, people):
    from portal.services import queue as q

    refusal_ref, _item_id = _proposed_refusal(app, people)
    check_ref, _aid = _executed(app, people)
    ch.file(app, SELF)  # nothing to sign
    with app.app_context():
        page = q.queue_page(people.caseworker, q.QueueFilters(status="all", waiting_for_team_leader=True))
        assert {r.reference for r in page.rows} == {refusal_ref, check_ref}
        assert all(r.waiting_for_team_leader for r in page.rows)
        db.session.remove()


def test_art17_art18_the_check_events_have_words_for_staff():
    """The check's timeline events are made with the right in their name (an f-string the
    source reader of tests/unit/test_words_not_codes.py cannot see): words for each."""
    from backoffice import queue as bo

    for word in ("destruction", "erasure"):
        for suffix in ("checked", "check_sent_back", "check_offered_again"):
            assert f"{word}_{suffix}" in bo.EVENT_NAMES


def test_art15_art20_4_a_withdrawn_request_says_so_for_a_correction_refusal_and_an_art20_4_question(app, people):
    """A withdrawn request cannot be signed or decided: the error says it was withdrawn."""
    ref, item_id = _proposed_refusal(app, people)
    child_ref = _child_alone(app)
    with app.app_context():
        for r in (ref, child_ref):
            withdrawal.withdraw(r, ch.request_of(r).requester.id)
        db.session.remove()
    with app.app_context():
        with pytest.raises(rx.RectificationError) as exc:
            rx.sign_item(people.leader, ref, item_id)
        assert exc.value.code == "request_withdrawn"
        from portal.services import casework
        with pytest.raises(casework.CaseworkError) as exc:
            casework.decide_art20_4(people.leader, child_ref, "continue_without_parent", ART20_4_REASONS)
        assert exc.value.code == "request_withdrawn"
        assert not [i for i in inbox.inbox(people.other) if i.reference in (ref, child_ref)]
        db.session.remove()
    assert _item(app, item_id) == ("proposed", None)
    tl = _client(app, people.other_id)
    r = tl.get(f"/backoffice/teamleider/correctie/{ref}/{item_id}", follow_redirects=True)
    assert "ingetrokken" in r.get_data(as_text=True)


def test_art18_a_carried_out_erasure_waits_for_its_check_due_on_its_answer_deadline(app, people):
    from portal.models import RequestedRight
    from .test_art18_erasure import MARK_ERASE

    dossier_id = _import(app)
    ref = _linked(app, people, dossier_id, MARK_ERASE)
    _call(app, destruction.record_erasure, people.caseworker, ref, {"a": {"finding": "applies", "note": ""}}, {})
    _decide(app, people, ref, "gegevenswissing")
    _call(app, destruction.execute, people.caseworker, ref, "gegevenswissing", method="anonymise", confirmed=True)
    with app.app_context():
        iid = db.session.execute(db.select(RegistrationInstruction.id)).scalar_one()
        db.session.remove()
    _call(app, destruction.confirm_execution, people.caseworker, ref, "gegevenswissing", iid, name="J. de Wit",
          on=date.today())
    with app.app_context():
        [item] = [i for i in inbox.inbox(people.other) if i.kind == inbox.EXECUTION_CHECK]
        due = db.session.execute(db.select(RequestedRight.due_on).filter_by(right="gegevenswissing")).scalar_one()
        assert (item.reference, item.right, item.due_on, item.execute_by) == (ref, "gegevenswissing", due, None)
        db.session.remove()
    tl = _client(app, people.other_id)
    url = f"/backoffice/teamleider/uitvoering/{ref}/gegevenswissing"
    page = tl.get(url).get_data(as_text=True)
    assert "J. de Wit" in page and 'id="in-time"' not in page  # no three-month deadline for erasure
    assert tl.post(url, data={"csrf_token": ch.csrf(page), "action": "sign"}).status_code == 302
    with app.app_context():
        a = db.session.execute(db.select(RightAssessment).filter_by(right="gegevenswissing")).scalar_one()
        assert (a.check_state, a.checked_by) == ("checked", people.other_id)
        assert "erasure_checked" in [e.kind for e in ch.request_of(ref).events]
        db.session.remove()
