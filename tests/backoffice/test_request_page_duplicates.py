"""Anything that looks like a second request for the same subject is flagged (issue 3,
"Identity and representation checks"): another open request whose subject has the
same birth date and a similar name (casefolded surname and first given name). Checked
when a request is submitted and when its page is opened; shown with a link both ways."""
from __future__ import annotations

import pytest

from portal.infra.extensions import db
from portal.models import Request
from portal.services import duplicates

from .queue_helpers import CHILD_BIRTH_DATE, FOR_CHILD, SELF, file, get_request, update


def ref_id(app, ref):
    return get_request(app, ref).id


def test_second_request_for_the_same_subject_is_flagged_on_submit(app, logged_in):
    first = file(app)
    second = file(app, requester={**SELF["requester"], "given_names": "  SANNE Maria ", "surname": "De  Vries"},
                  rights=["afschrift"], details={"afschrift": {"delivery": "download"}})
    stored = get_request(app, second)
    assert stored.possible_duplicate_of == ref_id(app, first)
    flagged = [e for e in stored.events if e.kind == "possible_duplicate_flagged"]
    assert len(flagged) == 1 and not flagged[0].public  # never shown to the requester
    assert get_request(app, first).possible_duplicate_of is None

    cw = logged_in("caseworker")
    html = cw.get(f"/backoffice/verzoeken/{second}").get_data(as_text=True)
    assert "Mogelijk een tweede verzoek voor dezelfde persoon" in html
    assert f'href="/backoffice/verzoeken/{first}"' in html
    # The first request's page links to the later one.
    html = cw.get(f"/backoffice/verzoeken/{first}").get_data(as_text=True)
    assert f'href="/backoffice/verzoeken/{second}"' in html
    # And the queue marks it.
    queue = cw.get("/backoffice/werkvoorraad").get_data(as_text=True)
    assert "Mogelijk tweede verzoek" in queue


def test_the_same_child_asked_for_by_two_parents_is_flagged(app):
    """In this domain a parent can be the one a child needs protection from: a second
    parent's request for the same child is worth a look."""
    first = file(app, FOR_CHILD)
    second = file(app, FOR_CHILD, requester={"given_names": "Fatima", "surname": "El Amrani",
                                             "birth_date": "1984-01-01", "bsn": None},
                  subject={"given_names": "Noor Elif", "surname": "jansen", "birth_date": CHILD_BIRTH_DATE})
    assert get_request(app, second).possible_duplicate_of == ref_id(app, first)


def test_accents_do_not_hide_a_second_request(app):
    first = file(app, requester={**SELF["requester"], "given_names": "Zoë", "surname": "Öztürk"})
    second = file(app, requester={**SELF["requester"], "given_names": "Zoe", "surname": "Ozturk"})
    assert get_request(app, second).possible_duplicate_of == ref_id(app, first)


@pytest.mark.parametrize("changes", [
    {"birth_date": "1985-03-15"},  # another birth date
    {"surname": "de Vries-Bakker"},  # another surname
    {"given_names": "Anne"},  # another first name
])
def test_not_flagged_when_birth_date_or_name_differ(app, changes):
    file(app)
    other = file(app, requester={**SELF["requester"], **changes})
    assert get_request(app, other).possible_duplicate_of is None


@pytest.mark.parametrize("status", ["closed", "withdrawn"])
def test_a_finished_request_does_not_count(app, status):
    first = file(app)
    update(app, first, status=status)
    second = file(app)
    assert get_request(app, second).possible_duplicate_of is None


def test_flagged_when_the_page_is_opened(app, logged_in):
    """Requests filed before this check existed are flagged when their page is opened."""
    first = file(app)
    second = file(app)
    update(app, second, possible_duplicate_of=None)
    cw = logged_in("caseworker")
    html = cw.get(f"/backoffice/verzoeken/{second}").get_data(as_text=True)
    assert f'href="/backoffice/verzoeken/{first}"' in html
    assert get_request(app, second).possible_duplicate_of == ref_id(app, first)
    # Opening the earlier request does not point it at the later one.
    cw.get(f"/backoffice/verzoeken/{first}")
    assert get_request(app, first).possible_duplicate_of is None


def test_name_key():
    assert duplicates.name_key("  Sanne  Maria", "de Vries") == duplicates.name_key("sanne", "De-Vries") == ("sanne", "devries")
    assert duplicates.name_key("Zoë", "Öztürk") == ("zoe", "ozturk")
    assert duplicates.name_key(None, None) == ("", "")


def test_a_request_is_never_its_own_duplicate(app):
    ref = file(app)
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=ref)).scalar_one()
        assert duplicates.find_possible_duplicate(req) is None
        db.session.remove()
