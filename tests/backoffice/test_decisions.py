"""Decisions and the team leader (art. 14.2, 20.4): a caseworker proposes per right,
a team leader signs or sends back; a refusal or restriction needs a ground from the
catalogue and written reasons; nobody signs their own proposal; a signed decision is
never edited (a new one replaces it, both kept). Four eyes for every decision, grants
included (portal/services/decisions.py says why)."""
from __future__ import annotations

import json

import pytest

from portal.infra.extensions import db
from portal.models import Decision, Letter
from portal.rules import grounds as G
from portal.rules.rights import Right
from portal.services import decisions
from portal.services.authz import NotAllowed
from portal.services.decisions import DecisionError

from .casework_helpers import FOR_CHILD, SELF, actor, audit_actions, file, post_form, request_of, verify_everyone

REASONS = "Een deel van het verslag gaat over de buurvrouw die de melding deed; dat deel laten wij weg."


@pytest.fixture
def staff(app, make_staff):
    """A caseworker and two team leaders, as service actors."""
    class Staff:
        caseworker = actor(app, make_staff("caseworker"))
        leader = actor(app, make_staff("team_leader"))
        other_leader = actor(app, make_staff("team_leader"))
    return Staff


def _verified(app, staff, base=SELF, **kw) -> str:
    ref = file(app, base, **kw)
    verify_everyone(app, ref, staff.caseworker)
    return ref


def _call(app, fn, *args, **kw):
    with app.app_context():
        try:
            out = fn(*args, **kw)
            return out.id if hasattr(out, "id") else out
        finally:
            db.session.remove()


def _code(app, fn, *args, **kw) -> str:
    with pytest.raises(DecisionError) as exc:
        _call(app, fn, *args, **kw)
    return exc.value.code


def _decision(app, decision_id) -> dict:
    with app.app_context():
        d = db.session.get(Decision, decision_id)
        out = {c.name: getattr(d, c.name) for c in Decision.__table__.columns}
        db.session.remove()
        return out


# --- the rule, table by table -----------------------------------------------------------------

@pytest.mark.parametrize("right,outcome,grounds,reasons,rep,expected", [
    ("inzage", "grant", [], None, False, None),
    ("inzage", "grant", [], "Fijn dat u het vraagt.", False, None),
    ("inzage", "grant", ["vt_task"], None, False, G.GRANT_HAS_NO_GROUNDS),
    ("inzage", "refuse", [], REASONS, False, G.GROUND_REQUIRED),
    ("inzage", "refuse", ["third_party_privacy"], "", False, G.REASONS_REQUIRED),
    ("inzage", "refuse", ["third_party_privacy"], "   te kort   ", False, G.REASONS_REQUIRED),
    ("inzage", "grant_in_part", [], REASONS, False, G.GROUND_REQUIRED),
    ("inzage", "grant_in_part", ["third_party_privacy"], REASONS, False, None),
    ("afschrift", "grant_in_part", ["safety_of_those_involved", "vt_task"], REASONS, False, None),
    ("inzage", "refuse", ["substantial_interest_other"], REASONS, False, G.GROUND_NOT_FOR_RIGHT),  # art. 17.4
    ("vernietiging", "refuse", ["substantial_interest_other"], REASONS, False, None),
    ("vernietiging", "refuse", ["third_party_privacy"], REASONS, False, G.GROUND_NOT_FOR_RIGHT),  # art. 14.2
    ("gegevenswissing", "refuse", ["avg_17_3_exceptions"], REASONS, False, None),  # art. 18.3
    ("correctie", "refuse", ["not_factually_incorrect"], REASONS, False, None),  # art. 15
    ("eigen_verklaring", "refuse", ["manifestly_unfounded_or_excessive"], REASONS, False, None),  # AVG 12(5)
    ("inzage", "refuse", ["identity_not_established"], REASONS, False, None),  # art. 20.5
    ("inzage", "refuse", ["no_right_to_act"], REASONS, True, None),
    ("inzage", "refuse", ["art20_4_weighty_interests_child"], REASONS, False, G.GROUND_NEEDS_REPRESENTATIVE),
    ("inzage", "refuse", ["art20_4_weighty_interests_child"], REASONS, True, None),
    ("inzage", "refuse", ["no_such_ground"], REASONS, False, G.GROUND_UNKNOWN),
    ("inzage", "extend", [], REASONS, False, G.OUTCOME_UNKNOWN),  # extension: casefile.extend, not a decision
])
def test_art14_2_check_proposal_table(right, outcome, grounds, reasons, rep, expected):
    assert G.check_proposal(right, outcome, grounds, reasons, has_representative=rep) == expected


def test_art14_2_every_ground_has_an_article_and_both_languages():
    for g in G.Ground:
        assert g.label("nl") and g.label("en") and g.label("nl") != g.label("en")
        assert g.article("nl") and g.article("en")
        assert any(ch.isdigit() for ch in g.article("nl"))
    assert "12 lid 5 AVG" in G.Ground.MANIFESTLY_UNFOUNDED_OR_EXCESSIVE.article("nl")
    assert "17(3) GDPR" in G.Ground.AVG_17_3_EXCEPTIONS.article("en")
    assert "20 lid 4" in G.Ground.ART20_4_WEIGHTY_INTERESTS_CHILD.article("nl")


def test_art14_2_every_right_has_a_ground_to_refuse_on():
    for right in Right:
        assert G.grounds_for(right, has_representative=False)


# --- proposing --------------------------------------------------------------------------------

def test_art14_2_refusal_without_ground_is_rejected(app, staff, logged_in):
    ref = _verified(app, staff)
    assert _code(app, decisions.propose, staff.caseworker, ref, "inzage", "refuse", [], REASONS) == G.GROUND_REQUIRED
    # and through the page: nothing is stored, the caseworker is told why
    client = logged_in("caseworker")
    page = f"/backoffice/verzoeken/{ref}/behandeling"
    resp = post_form(client, page, f"/backoffice/verzoeken/{ref}/besluiten",
                     {"right": "inzage", "outcome": "refuse", "reasons": REASONS})
    assert resp.status_code == 302
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "minstens één grond" in html or "at least one ground" in html
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(Decision)).scalar() == 0
        db.session.remove()


def test_art14_2_restriction_without_written_reasons_is_rejected(app, staff):
    ref = _verified(app, staff)
    assert _code(app, decisions.propose, staff.caseworker, ref, "inzage", "grant_in_part",
                 ["third_party_privacy"], "  ") == G.REASONS_REQUIRED


def test_art14_2_proposal_through_the_page_then_signed_by_a_team_leader(app, staff, logged_in):
    ref = _verified(app, staff)
    cw = logged_in("caseworker")
    page = f"/backoffice/verzoeken/{ref}/behandeling"
    resp = post_form(cw, page, f"/backoffice/verzoeken/{ref}/besluiten", {
        "right": "inzage", "outcome": "grant_in_part", "grounds": ["third_party_privacy", "safety_of_those_involved"],
        "reasons": REASONS})
    assert resp.status_code == 302
    with app.app_context():
        [d] = db.session.execute(db.select(Decision)).scalars().all()
        assert (d.right, d.outcome, d.state, d.proposed_by) == ("inzage", "grant_in_part", "proposed", cw.staff_id)
        assert d.grounds == ["third_party_privacy", "safety_of_those_involved"] and d.reasons == REASONS
        decision_id = d.id
        db.session.remove()

    tl = logged_in("team_leader")
    html = tl.get(page).get_data(as_text=True)
    assert f"/besluiten/{decision_id}/ondertekenen" in html
    resp = post_form(tl, page, f"/backoffice/verzoeken/{ref}/besluiten/{decision_id}/ondertekenen", {})
    assert resp.status_code == 302
    d = _decision(app, decision_id)
    assert (d["state"], d["reviewed_by"]) == ("signed", tl.staff_id)
    with app.app_context():
        req = request_of(ref)
        assert req.status == "decided" and req.answered_on is not None
        [letter] = db.session.execute(db.select(Letter)).scalars().all()
        assert letter.decision_id == decision_id and letter.released_at is not None
        db.session.remove()
    actions = [a[:3] for a in audit_actions(app, ref)]
    assert ("decision.propose", "decision", str(decision_id)) in actions
    assert ("decision.sign", "decision", str(decision_id)) in actions
    assert ("letter.issue", "letter", str(letter.id)) in actions


def test_art14_2_caseworker_cannot_sign(app, staff, logged_in):
    ref = _verified(app, staff)
    decision_id = _call(app, decisions.propose, staff.leader, ref, "inzage", "grant", [], None)
    cw = logged_in("caseworker")
    page = f"/backoffice/verzoeken/{ref}/behandeling"
    assert post_form(cw, page, f"/backoffice/verzoeken/{ref}/besluiten/{decision_id}/ondertekenen", {}).status_code == 403
    with pytest.raises(NotAllowed):
        _call(app, decisions.sign, staff.caseworker, ref, decision_id)
    assert _decision(app, decision_id)["state"] == "proposed"


@pytest.mark.parametrize("role", ["privacy_officer", "functional_admin"])
def test_art7_1_no_decisions_without_case_permissions(app, staff, make_staff, role):
    ref = _verified(app, staff)
    who = actor(app, make_staff(role))
    with pytest.raises(NotAllowed):
        _call(app, decisions.propose, who, ref, "inzage", "grant", [], None)


def test_art20_4_team_leader_cannot_sign_own_proposal(app, staff, logged_in):
    ref = _verified(app, staff)
    decision_id = _call(app, decisions.propose, staff.leader, ref, "inzage", "refuse", ["vt_task"], REASONS)
    assert _code(app, decisions.sign, staff.leader, ref, decision_id) == "own_proposal"
    assert _code(app, decisions.send_back, staff.leader, ref, decision_id, "Toch niet.") == "own_proposal"
    assert _decision(app, decision_id)["state"] == "proposed"
    # the attempt is in the access log, as refused
    with app.app_context():
        from portal.models import AuditEvent

        outcomes = db.session.execute(db.select(AuditEvent.outcome).where(
            AuditEvent.action == "decision.sign", AuditEvent.object_id == str(decision_id))).scalars().all()
        db.session.remove()
    assert outcomes == ["refused"]
    _call(app, decisions.sign, staff.other_leader, ref, decision_id)
    assert _decision(app, decision_id)["state"] == "signed"


def test_art20_4_own_proposal_shows_no_sign_button(app, logged_in, make_staff):
    tl = logged_in("team_leader")
    ref = file(app, SELF)
    verify_everyone(app, ref, actor(app, make_staff("caseworker")))
    _call(app, decisions.propose, actor(app, tl.staff_id), ref, "inzage", "grant", [], None)
    html = tl.get(f"/backoffice/verzoeken/{ref}/behandeling").get_data(as_text=True)
    assert "/ondertekenen" not in html and "eigen voorstel" in html


def test_art20_4_revising_another_persons_proposal_makes_you_its_proposer(app, staff):
    """Otherwise a team leader could rewrite a caseworker's proposal and sign it alone."""
    ref = _verified(app, staff)
    decision_id = _call(app, decisions.propose, staff.caseworker, ref, "inzage", "grant", [], None)
    _call(app, decisions.revise, staff.leader, ref, decision_id, "refuse", ["vt_task"], REASONS)
    d = _decision(app, decision_id)
    assert (d["outcome"], d["proposed_by"], d["state"]) == ("refuse", staff.leader.staff_id, "proposed")
    assert _code(app, decisions.sign, staff.leader, ref, decision_id) == "own_proposal"
    _call(app, decisions.sign, staff.other_leader, ref, decision_id)


def test_art14_2_sent_back_with_a_comment_then_revised_and_signed(app, staff):
    ref = _verified(app, staff)
    decision_id = _call(app, decisions.propose, staff.caseworker, ref, "inzage", "refuse", ["vt_task"], REASONS)
    assert _code(app, decisions.send_back, staff.leader, ref, decision_id, "  ") == "comment_required"
    _call(app, decisions.send_back, staff.leader, ref, decision_id, "Beperken is genoeg: alleen de melder afschermen.")
    d = _decision(app, decision_id)
    assert d["state"] == "sent_back" and "melder" in d["review_comment"] and d["reviewed_by"] == staff.leader.staff_id
    assert _code(app, decisions.sign, staff.leader, ref, decision_id) == "not_waiting_for_review"
    _call(app, decisions.revise, staff.caseworker, ref, decision_id, "grant_in_part", ["third_party_privacy"], REASONS)
    assert _decision(app, decision_id)["state"] == "proposed"
    _call(app, decisions.sign, staff.leader, ref, decision_id)
    assert _decision(app, decision_id)["state"] == "signed"
    with app.app_context():
        kinds = [e.kind for e in request_of(ref).events]
        db.session.remove()
    assert kinds.index("decision_proposed") < kinds.index("decision_sent_back") < kinds.index("decision_revised") \
        < kinds.index("decision_signed")


def test_signed_decision_cannot_be_edited(app, staff, logged_in):
    ref = _verified(app, staff)
    decision_id = _call(app, decisions.propose, staff.caseworker, ref, "inzage", "grant_in_part",
                        ["third_party_privacy"], REASONS)
    _call(app, decisions.sign, staff.leader, ref, decision_id)
    before = _decision(app, decision_id)
    assert _code(app, decisions.revise, staff.caseworker, ref, decision_id, "grant", [], None) == "signed_cannot_be_edited"
    assert _code(app, decisions.sign, staff.other_leader, ref, decision_id) == "not_waiting_for_review"
    assert _code(app, decisions.send_back, staff.other_leader, ref, decision_id, "Nee.") == "not_waiting_for_review"
    # also not through the page
    cw = logged_in("caseworker")
    page = f"/backoffice/verzoeken/{ref}/behandeling"
    resp = post_form(cw, page, f"/backoffice/verzoeken/{ref}/besluiten/{decision_id}/wijzigen",
                     {"outcome": "grant", "reasons": ""})
    assert resp.status_code == 302
    assert "kan niet worden gewijzigd" in cw.get(resp.headers["Location"]).get_data(as_text=True)
    assert _decision(app, decision_id) == before
    # a second proposal for the same right without saying it replaces the first is refused too
    assert _code(app, decisions.propose, staff.caseworker, ref, "inzage", "grant", [], None) == "already_decided"


def test_new_decision_replaces_a_signed_one_and_both_are_kept(app, staff):
    ref = _verified(app, staff)
    first = _call(app, decisions.propose, staff.caseworker, ref, "inzage", "refuse", ["vt_task"], REASONS)
    _call(app, decisions.sign, staff.leader, ref, first)
    second = _call(app, decisions.propose, staff.caseworker, ref, "inzage", "grant", [], None, replaces_id=first)
    # until the new one is signed, the first one stands
    assert _decision(app, first)["state"] == "signed"
    assert _code(app, decisions.propose, staff.caseworker, ref, "inzage", "grant", [], None,
                 replaces_id=first) == "open_proposal_exists"
    _call(app, decisions.sign, staff.other_leader, ref, second)
    assert _decision(app, first)["state"] == "replaced"
    assert (_decision(app, second)["state"], _decision(app, second)["replaces_id"]) == ("signed", first)
    with app.app_context():
        req = request_of(ref)
        assert decisions.signed_decisions(req)["inzage"].id == second
        letters = db.session.execute(db.select(Letter).order_by(Letter.id)).scalars().all()
        assert [l.decision_id for l in letters] == [first, second]
        assert req.status == "decided"
        db.session.remove()


def test_replacing_only_the_standing_decision(app, staff):
    ref = _verified(app, staff)
    proposed = _call(app, decisions.propose, staff.caseworker, ref, "inzage", "grant", [], None)
    assert _code(app, decisions.propose, staff.caseworker, ref, "inzage", "grant", [], None,
                 replaces_id=proposed) == "open_proposal_exists"
    _call(app, decisions.sign, staff.leader, ref, proposed)
    other = _verified(app, staff)
    assert _code(app, decisions.propose, staff.caseworker, other, "inzage", "grant", [], None,
                 replaces_id=proposed) == "replaces_not_standing"


def test_request_is_decided_when_every_right_has_a_signed_decision(app, staff):
    ref = _verified(app, staff, rights=["inzage", "correctie"],
                    details={"correctie": {"what_is_wrong": "Mijn school klopt niet.", "should_say": "Het Lyceum."}})
    a = _call(app, decisions.propose, staff.caseworker, ref, "inzage", "grant", [], None)
    b = _call(app, decisions.propose, staff.caseworker, ref, "correctie", "refuse", ["not_factually_incorrect"], REASONS)
    _call(app, decisions.sign, staff.leader, ref, a)
    with app.app_context():
        req = request_of(ref)
        assert req.status == "in_progress" and req.answered_on is None
        db.session.remove()
    _call(app, decisions.sign, staff.leader, ref, b)
    with app.app_context():
        req = request_of(ref)
        assert req.status == "decided" and req.answered_on is not None
        assert "status:decided" in [e.kind for e in req.events if e.public]
        db.session.remove()


def test_art20_5_grant_only_after_identity_is_verified(app, staff):
    ref = file(app, SELF)
    assert _code(app, decisions.propose, staff.caseworker, ref, "inzage", "grant", [], None) == "identity_not_verified"
    assert _code(app, decisions.propose, staff.caseworker, ref, "inzage", "grant_in_part", ["vt_task"],
                 REASONS) == "identity_not_verified"
    # a refusal because identity could not be established needs no verified identity
    d = _call(app, decisions.propose, staff.caseworker, ref, "inzage", "refuse", ["identity_not_established"], REASONS)
    _call(app, decisions.sign, staff.leader, ref, d)
    assert _decision(app, d)["state"] == "signed"


def test_right_not_asked_and_request_not_in_queue(app, staff):
    ref = _verified(app, staff)
    assert _code(app, decisions.propose, staff.caseworker, ref, "vernietiging", "grant", [], None) == "right_not_asked"
    waiting = file(app, SELF, email="sanne@example.org")  # confirmed: in the queue
    with app.app_context():
        req = request_of(waiting)
        req.status = "awaiting_email"
        db.session.commit()
        db.session.remove()
    assert _code(app, decisions.propose, staff.caseworker, waiting, "inzage", "refuse", ["vt_task"],
                 REASONS) == "request_not_open"


def test_decision_of_another_request_is_not_found(app, staff, logged_in):
    mine = _verified(app, staff)
    other = _verified(app, staff)
    theirs = _call(app, decisions.propose, staff.caseworker, other, "inzage", "grant", [], None)
    tl = logged_in("team_leader")
    page = f"/backoffice/verzoeken/{mine}/behandeling"
    assert post_form(tl, page, f"/backoffice/verzoeken/{mine}/besluiten/{theirs}/ondertekenen", {}).status_code == 404
    assert post_form(tl, page, f"/backoffice/verzoeken/{mine}/besluiten/{theirs}/terugsturen",
                     {"comment": "x"}).status_code == 404
    assert tl.get(f"/backoffice/verzoeken/{mine}/besluiten/{theirs}/voorbeeld").status_code == 404
    assert _decision(app, theirs)["state"] == "proposed"


def test_art14_2_representative_request_offers_the_art20_4_ground(app, staff, logged_in):
    ref = _verified(app, staff, FOR_CHILD)
    html = logged_in("caseworker").get(f"/backoffice/verzoeken/{ref}/behandeling").get_data(as_text=True)
    assert 'value="art20_4_weighty_interests_child"' in html
    own = _verified(app, staff)
    html = logged_in("caseworker").get(f"/backoffice/verzoeken/{own}/behandeling").get_data(as_text=True)
    assert 'value="art20_4_weighty_interests_child"' not in html
    assert 'value="third_party_privacy"' in html and 'value="substantial_interest_other"' not in html


def test_grounds_are_stored_as_codes_without_repeats(app, staff):
    ref = _verified(app, staff)
    d = _call(app, decisions.propose, staff.caseworker, ref, "inzage", "refuse",
              ["vt_task", "vt_task", "third_party_privacy"], REASONS)
    assert json.loads(_decision(app, d)["grounds_json"]) == ["vt_task", "third_party_privacy"]


def test_two_team_leaders_signing_at_once_sign_only_once(app, staff):
    """Compare-and-set on the state: the second signature finds the decision signed."""
    ref = _verified(app, staff)
    decision_id = _call(app, decisions.propose, staff.caseworker, ref, "inzage", "grant", [], None)
    with app.app_context():
        mine = db.session.get(Decision, decision_id)  # read as "proposed" by the first team leader
        assert mine.state == "proposed"
        with db.engine.begin() as other:  # meanwhile the second team leader signs
            other.execute(db.update(Decision).where(Decision.id == decision_id).values(state="signed"))
        assert decisions._move_state(mine, Decision.PROPOSED, state=Decision.SIGNED) is False
        db.session.rollback()
        db.session.remove()
