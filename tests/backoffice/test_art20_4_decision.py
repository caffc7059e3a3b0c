"""Art. 20.4: a child of 12 to 16 said that involving a parent is not safe. A team
leader decides, with written reasons, whether the request goes on without that parent
or whether the parent must take part. A parent is never assumed to be on the child's
side: until the team leader has decided, nothing is signed."""
from __future__ import annotations

from datetime import date

import pytest

from portal.infra.extensions import db
from portal.models import ParentInvolvementDecision
from portal.services import casework, decisions
from portal.services.authz import NotAllowed
from portal.services.casework import CaseworkError
from portal.services.decisions import DecisionError

from .casework_helpers import SELF, actor, audit_actions, file, post_form, request_of

NOTE = "Mijn vader mag dit niet weten, hij wordt dan boos."
REASONS = "Er zijn concrete signalen van geweld door de vader; het belang van het kind weegt zwaarder."


def _child_alone(app) -> str:
    """A child of 14 files alone and says involving a parent is not safe."""
    with app.app_context():
        from portal.services.requests import today_local

        today = today_local()
        db.session.remove()
    child = {"given_names": "Lotte", "surname": "Bos", "birth_date": date(today.year - 14, 1, 1).isoformat(), "bsn": None}
    return file(app, SELF, requester=child, identity={"method": "in_person"},
                second={"not_safe": True, "not_safe_note": NOTE})


def _state(app, ref):
    with app.app_context():
        req = request_of(ref)
        out = (req.art20_4_review, casework.art20_4_pending(req), casework.identity_verified(req),
               [e.kind for e in req.events])
        db.session.remove()
        return out


def _verify_child(app, ref, who):
    with app.app_context():
        casework.record_check(who, ref, request_of(ref).requester.id, kind="identity", method="in_person",
                              document_kind="identiteitskaart", name_matches=True, birth_date_matches=True,
                              result="verified")
        db.session.remove()


def test_art20_4_team_leader_decides_to_continue_without_the_parent(app, logged_in, make_staff):
    ref = _child_alone(app)
    review, pending, verified, _ = _state(app, ref)
    assert review and pending and not verified
    _verify_child(app, ref, actor(app, make_staff("caseworker")))
    assert not _state(app, ref)[2]  # a joint request with one person: not until a team leader decided

    tl = logged_in("team_leader")
    page = f"/backoffice/verzoeken/{ref}/behandeling"
    html = tl.get(page).get_data(as_text=True)
    assert NOTE in html  # the child's words, for the team leader
    resp = post_form(tl, page, f"/backoffice/verzoeken/{ref}/artikel-20-4",
                     {"outcome": "continue_without_parent", "reasons": REASONS})
    assert resp.status_code == 302

    review, pending, verified, events = _state(app, ref)
    assert not review and not pending and verified
    assert "art20_4:continue_without_parent" in events
    with app.app_context():
        [d] = db.session.execute(db.select(ParentInvolvementDecision)).scalars().all()
        assert (d.outcome, d.decided_by, d.reasons) == ("continue_without_parent", tl.staff_id, REASONS)
        assert d.decided_at is not None
        db.session.remove()
    actions = [a[:2] for a in audit_actions(app, ref)]
    assert ("art20_4.decide", "parent_involvement_decision") in actions
    assert ("request.view_art20_4_note", "request") in actions


def test_art20_4_parent_must_take_part_keeps_the_flag_and_blocks_a_grant(app, make_staff):
    ref = _child_alone(app)
    cw, tl, tl2 = (actor(app, make_staff(r)) for r in ("caseworker", "team_leader", "team_leader"))
    _verify_child(app, ref, cw)
    with app.app_context():
        casework.decide_art20_4(tl, ref, "parent_must_take_part", REASONS)
        db.session.remove()
    review, pending, verified, events = _state(app, ref)
    assert review and not pending and not verified
    assert "art20_4:parent_must_take_part" in events
    with app.app_context():
        with pytest.raises(DecisionError) as exc:
            decisions.propose(cw, ref, "inzage", "grant", [], None)
        assert exc.value.code == "identity_not_verified"
        # a refusal (no right to act alone) can still be decided
        d = decisions.propose(cw, ref, "inzage", "refuse", ["no_right_to_act"], REASONS)
        decisions.sign(tl2, ref, d.id)
        db.session.remove()


def test_art20_4_nothing_is_signed_while_the_question_is_open(app, make_staff):
    ref = _child_alone(app)
    cw, tl = actor(app, make_staff("caseworker")), actor(app, make_staff("team_leader"))
    with app.app_context():
        d = decisions.propose(cw, ref, "inzage", "refuse", ["identity_not_established"],
                              "Wij konden niet vaststellen wie u bent, ook niet aan de balie.")
        with pytest.raises(DecisionError) as exc:
            decisions.sign(tl, ref, d.id)
        assert exc.value.code == "art20_4_pending"
        db.session.remove()


def test_art20_4_only_a_team_leader_decides(app, logged_in, make_staff):
    ref = _child_alone(app)
    cw = logged_in("caseworker")
    page = f"/backoffice/verzoeken/{ref}/behandeling"
    html = cw.get(page).get_data(as_text=True)
    assert NOTE not in html  # the child's note is for the team leader only
    resp = post_form(cw, page, f"/backoffice/verzoeken/{ref}/artikel-20-4",
                     {"outcome": "continue_without_parent", "reasons": REASONS})
    assert resp.status_code == 403
    with app.app_context():
        with pytest.raises(NotAllowed):
            casework.decide_art20_4(actor(app, cw.staff_id), ref, "continue_without_parent", REASONS)
        db.session.remove()
    assert _state(app, ref)[0]


def test_art20_4_needs_written_reasons_and_a_known_outcome(app, make_staff):
    ref = _child_alone(app)
    tl = actor(app, make_staff("team_leader"))
    with app.app_context():
        for outcome, reasons, code in [("continue_without_parent", "", "reasons_required"),
                                       ("continue_without_parent", "Is veilig.", "reasons_required"),
                                       ("ask_the_neighbour", REASONS, "outcome_unknown")]:
            with pytest.raises(CaseworkError) as exc:
                casework.decide_art20_4(tl, ref, outcome, reasons)
            assert exc.value.code == code
        assert casework.art20_4_pending(request_of(ref))
        db.session.remove()


def test_art20_4_no_question_no_decision(app, make_staff):
    ref = file(app, SELF)
    with app.app_context():
        with pytest.raises(CaseworkError) as exc:
            casework.decide_art20_4(actor(app, make_staff("team_leader")), ref, "continue_without_parent", REASONS)
        assert exc.value.code == "no_art20_4_question"
        db.session.remove()


def test_art20_4_after_continuing_the_child_can_be_granted_with_four_eyes(app, make_staff):
    ref = _child_alone(app)
    cw, tl, tl2 = (actor(app, make_staff(r)) for r in ("caseworker", "team_leader", "team_leader"))
    _verify_child(app, ref, cw)
    with app.app_context():
        casework.decide_art20_4(tl, ref, "continue_without_parent", REASONS)
        d = decisions.propose(cw, ref, "inzage", "grant", [], None)
        decisions.sign(tl2, ref, d.id)
        assert request_of(ref).status == "decided"
        db.session.remove()
