"""Art. 20 through the pages: who may file, decided on the subject's age on the day of
receipt, at the exact birthdays of 12, 16 and 18 (dates relative to today; on 29
February the helpers fall back to 28 February, see support.years_ago)."""
from __future__ import annotations

from portal.infra.extensions import db
from portal.models import Request
from portal.services import drafts

from .filing import Filer, Filing, Person, jpeg_bytes, pdf_bytes
from .support import count, day_before_birthday, dbs, dmy, draft_state, request_by_ref, today, years_ago

PARENT = Person("Karin", "Jansen", "02-02-1975")


def walk_to_subject(client, for_whom: str, rep_kind: str):
    f = Filer(client)
    f.start()
    f.step("voor-wie", {"for_whom": for_whom})
    f.step("vertegenwoordiging", {"rep_kind": rep_kind})
    return f


def post_subject(filer: Filer, born) -> object:
    return filer.step("betrokkene", {"given_names": "Mila", "surname": "Jansen", "birth_date": dmy(born)})


# --- a child files for themselves --------------------------------------------------------------

def test_art20_1_child_under_12_filing_for_themselves_gets_a_kind_page_and_nothing_is_stored(client, app):
    born = day_before_birthday(12, today(app))  # 11 today, 12 tomorrow
    f = Filer(client)
    f.start()
    f.step("voor-wie", {"for_whom": "self"})
    resp = f.step("over-u", {"given_names": "Sem", "surname": "Visser", "birth_date": dmy(born), "bsn": ""})
    assert resp.headers["Location"].endswith("/verzoek/niet-mogelijk/child_under_12_cannot_file_alone")
    page = client.get(resp.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Je ouder of voogd kan dit voor je vragen" in html
    assert "Kindertelefoon" in html and "0800-2000" in html
    # No way around it: the check page sends the child back to the question, and nothing is stored.
    answers, _ = draft_state(app, client)
    assert "over-u" not in answers["done"]
    assert client.get("/verzoek/controleren").headers["Location"].endswith("/verzoek/over-u")
    assert count(app, Request) == 0


def test_art20_1_child_who_turns_12_today_may_file_and_the_request_is_joint(client, app):
    born = years_ago(12, today(app))
    f = Filing(for_whom="self", requester=Person("Sem", "Visser", dmy(born)),
               second={"given_names": "Anna", "surname": "Visser", "rep_kind": "voogd", "channel": "code"}, email=None)
    sub = Filer(client).fill(f).submit()
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert (req.for_whom, req.joint, req.representative_kind) == ("self", True, "voogd")


def test_art20_1_young_person_who_turns_16_today_files_alone_without_a_second_person(client, app):
    born = years_ago(16, today(app))
    filer = Filer(client).fill(Filing(requester=Person("Sem", "Visser", dmy(born))), until="rechten")
    filer.step("rechten", {"rights": ["inzage"]})
    # The joint page does not apply at 16.
    assert client.get("/verzoek/tweede-persoon").headers["Location"].endswith("/verzoek/identiteit")
    sub = Filer(client).fill(Filing(requester=Person("Sem", "Visser", dmy(born)))).submit()
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert (req.joint, list(req.invitations)) == (False, [])


def test_art20_1_young_person_of_15_turning_16_tomorrow_still_files_jointly(client, app):
    born = day_before_birthday(16, today(app))
    filer = Filer(client).fill(Filing(requester=Person("Sem", "Visser", dmy(born))), until="identiteit")
    # Without a second person the request cannot be sent: the check page sends back to that page.
    assert client.get("/verzoek/controleren").headers["Location"].endswith("/verzoek/tweede-persoon")
    assert filer.client.get("/verzoek/tweede-persoon").status_code == 200


# --- a parent chooses the wrong age band -----------------------------------------------------------

def test_art20_1_parent_choosing_child_under_12_for_a_13_year_old_is_switched_to_the_joint_route(client, app):
    born = years_ago(13, today(app))
    f = walk_to_subject(client, "child_under_12", "ouder_met_gezag")
    resp = post_subject(f, born)
    assert resp.headers["Location"].endswith("/verzoek/over-u")
    html = client.get("/verzoek/over-u").get_data(as_text=True)
    assert "Uw kind is 13 jaar. Wij hebben uw keuze bij" in html
    answers, _ = draft_state(app, client)
    assert answers["for_whom"] == "child_12_16"
    assert answers["assessment"] == {"allowed": True, "joint": True, "reason": "ok"}
    # Finishing the walk files one joint request with the child as second person.
    f.step("over-u", {"given_names": PARENT.given_names, "surname": PARENT.surname, "birth_date": PARENT.birth_date, "bsn": ""})
    f.step("rechten", {"rights": ["inzage"]})
    f.step("tweede-persoon", {"channel": "code"})
    f.step("identiteit", {"method": "upload"}, files={"document": (jpeg_bytes(), "id.jpg")})
    f.step("bewijs", {"method": "upload"}, files={"document": (pdf_bytes(), "b.pdf")})
    f.step("contact", {"ways": ["none"]})
    sub = f.submit()
    assert sub.invitation_code
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert (req.for_whom, req.joint, req.status) == ("child_12_16", True, "awaiting_co_requester")
        assert req.subject.role == "co_requester"


def test_art20_1_parent_choosing_child_under_12_for_a_child_turning_12_today_is_switched(client, app):
    f = walk_to_subject(client, "child_under_12", "voogd")
    post_subject(f, years_ago(12, today(app)))
    answers, _ = draft_state(app, client)
    assert answers["for_whom"] == "child_12_16" and answers["assessment"]["joint"] is True


def test_art20_1_parent_choosing_the_joint_route_for_an_11_year_old_is_switched_to_child_under_12(client, app):
    f = walk_to_subject(client, "child_12_16", "ouder_met_gezag")
    post_subject(f, day_before_birthday(12, today(app)))
    answers, _ = draft_state(app, client)
    assert answers["for_whom"] == "child_under_12"
    assert answers["assessment"] == {"allowed": True, "joint": False, "reason": "ok"}
    assert "Uw kind is 11 jaar" in client.get("/verzoek/over-u").get_data(as_text=True)


def test_art20_1_parent_of_a_16_year_old_is_told_kindly_that_the_young_person_files_themselves(client, app):
    for for_whom in ("child_12_16", "child_under_12"):
        f = walk_to_subject(client, for_whom, "ouder_met_gezag")
        resp = post_subject(f, years_ago(16, today(app)))
        assert resp.headers["Location"].endswith("/verzoek/niet-mogelijk/young_person_files_self")
        html = client.get(resp.headers["Location"]).get_data(as_text=True)
        assert "Uw kind doet het verzoek zelf" in html
        assert "Uw kind is 16 jaar of ouder" in html
        answers, _ = draft_state(app, client)
        assert "betrokkene" not in answers["done"]
        assert client.get("/verzoek/controleren").headers["Location"].endswith("/verzoek/betrokkene")
    assert count(app, Request) == 0


def test_art20_1_parent_of_a_child_turning_16_tomorrow_still_files_jointly(client, app):
    f = walk_to_subject(client, "child_12_16", "ouder_met_gezag")
    resp = post_subject(f, day_before_birthday(16, today(app)))
    assert resp.headers["Location"].endswith("/verzoek/over-u")
    answers, _ = draft_state(app, client)
    assert answers["assessment"]["joint"] is True


def test_art20_3_curator_mentor_or_bewindvoerder_for_a_minor_is_refused(client, app):
    f = walk_to_subject(client, "adult_represented", "curator")
    resp = post_subject(f, day_before_birthday(18, today(app)))  # 17, 18 tomorrow
    assert resp.headers["Location"].endswith("/verzoek/niet-mogelijk/subject_not_adult")
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Deze keuze is voor volwassenen" in html
    answers, _ = draft_state(app, client)
    assert answers["for_whom"] == "adult_represented" and "betrokkene" not in answers["done"]
    assert count(app, Request) == 0


def test_art20_3_curator_for_someone_who_turns_18_today_may_file(client, app):
    born = years_ago(18, today(app))
    f = Filing(for_whom="adult_represented", rep_kind="mentor", subject=Person("Mila", "Jansen", dmy(born)),
               requester=PARENT, email=None)
    sub = Filer(client).fill(f).submit()
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert (req.for_whom, req.representative_kind, req.joint) == ("adult_represented", "mentor", False)


def test_art20_3_only_curator_mentor_or_bewindvoerder_are_offered_for_an_adult_and_a_parent_kind_is_refused(client, app):
    f = Filer(client)
    f.start()
    f.step("voor-wie", {"for_whom": "adult_represented"})
    html = client.get("/verzoek/vertegenwoordiging").get_data(as_text=True)
    for kind in ("curator", "mentor", "bewindvoerder"):
        assert f'value="{kind}"' in html
    assert 'value="ouder_met_gezag"' not in html and 'value="voogd"' not in html
    resp = f.step("vertegenwoordiging", {"rep_kind": "ouder_met_gezag"}, expect_redirect=False)
    assert resp.status_code == 200 and 'id="error-summary"' in resp.get_data(as_text=True)
    answers, _ = draft_state(app, client)
    assert "rep_kind" not in answers


def test_art20_1_a_representative_must_be_an_adult_not_a_child_filing_for_a_sibling(client, app):
    f = walk_to_subject(client, "child_under_12", "ouder_met_gezag")
    post_subject(f, years_ago(5, today(app)))
    resp = f.step("over-u", {"given_names": "Sem", "surname": "Jansen", "birth_date": dmy(years_ago(14, today(app))), "bsn": ""},
                  expect_redirect=False)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'id="birth_date-error"' in html and "een vertegenwoordiger is 18 jaar of ouder" in html
    answers, _ = draft_state(app, client)
    assert "over-u" not in answers["done"] and "requester" not in answers


def test_art20_1_a_representative_of_17_is_refused_like_a_joining_parent(client, app):
    """A minor cannot hold parental authority (BW 1:246): the same 18 as at joining."""
    f = walk_to_subject(client, "child_under_12", "ouder_met_gezag")
    post_subject(f, years_ago(1, today(app)))
    resp = f.step("over-u", {"given_names": "Sem", "surname": "Jansen", "birth_date": dmy(years_ago(17, today(app))), "bsn": ""},
                  expect_redirect=False)
    assert resp.status_code == 200 and "een vertegenwoordiger is 18 jaar of ouder" in resp.get_data(as_text=True)


def test_art20_age_is_decided_again_on_the_day_of_receipt_not_the_day_the_draft_was_started(client, app):
    """A draft whose child is 12 on the day of sending cannot be sent as 'child under
    12': the request is assessed again on the day of receipt, and nothing is stored."""
    filing = Filing(for_whom="child_under_12", rep_kind="ouder_met_gezag",
                    subject=Person("Mila", "Jansen", dmy(years_ago(8, today(app)))), requester=PARENT, email=None)
    Filer(client).fill(filing)
    # The birth date in the draft is changed behind the pages' back to one 12 years ago today.
    with client.session_transaction() as sess:
        draft_id = sess["draft"]
    with app.app_context():
        _row, answers = drafts.load(draft_id)
        answers["subject"]["birth_date"] = years_ago(12, today(app)).isoformat()
        drafts.save(draft_id, answers)
        db.session.remove()
    resp = Filer(client).post("/verzoek/controleren", {"truthful": "y"})
    # Sent back to "for whom" with a notice; nothing is stored.
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/verzoek/voor-wie")
    page = client.get("/verzoek/voor-wie").get_data(as_text=True)
    assert "inmiddels jarig geweest" in page
    assert count(app, Request) == 0
