"""Issue 10, find the person when linking: search the imported dossiers by family name
and birth date (and BSN); candidates show only name, birth date, role, dossier number
and region; a BSN match is marked; every search is a read in the access log; nothing
before identity is verified (art. 20.5); bad input is a clear error, no search, no read."""
from __future__ import annotations

import pytest

from portal.infra.extensions import db
from portal.models import AuditEvent, DossierLink
from portal.services import copies

from . import casework_helpers as ch
from .copy_helpers import MARK, import_doc, verified_request


def _searches(app, reference):
    with app.app_context():
        n = db.session.execute(db.select(db.func.count()).select_from(AuditEvent)
                               .filter_by(action="dossier.search", subject_ref=reference)).scalar_one()
        db.session.remove()
    return n


def test_art20_5_search_finds_mark_by_name_and_birth_date_logged_and_links_in_one_click(app, make_staff, logged_in):
    cw = make_staff("caseworker")
    dossier_id = import_doc(app)
    reference = verified_request(app, cw)
    with app.app_context():
        found = copies.find_people(ch.actor(app, cw), reference, "jansen", "30-09-1985")
        assert [(c.dossier_id, c.person_id, c.role, c.bsn_match) for c in found] == [(dossier_id, "p2", "subject", False)]
        db.session.remove()
    assert _searches(app, reference) == 1
    client = logged_in("caseworker")
    url = f"/backoffice/verzoeken/{reference}/afschrift?find=1&family_name=Jansen&birth_date=30-09-1985&bsn="
    page = client.get(url).get_data(as_text=True)
    assert 'id="candidates"' in page and "Mark Jansen" in page and dossier_id in page
    for private in ("Lindelaan", "06-87654321"):  # nothing beyond what is needed to choose
        assert private not in page
    assert _searches(app, reference) == 2
    r = client.post(f"/backoffice/verzoeken/{reference}/afschrift/koppelen",
                    data={"csrf_token": ch.csrf(page), "dossier_id": dossier_id, "person_id": "p2",
                          "requester_person_id": ""})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(DossierLink)).scalar_one() == 1
        db.session.remove()


def test_art20_5_bsn_match_is_marked(app, make_staff):
    cw = make_staff("caseworker")
    import_doc(app)
    reference = verified_request(app, cw)
    with app.app_context():
        from portal.models import DossierPerson
        mark = db.session.execute(db.select(DossierPerson).filter_by(person_id="p2")).scalar_one()
        mark.bsn = "123456782"  # passes the 11-test
        db.session.commit()
        found = copies.find_people(ch.actor(app, cw), reference, "Anders", "01-01-2000", "123456782")
        assert [(c.person_id, c.bsn_match) for c in found] == [("p2", True)]
        db.session.remove()


@pytest.mark.parametrize("name, born, bsn, code", [
    ("", "30-09-1985", "", "search_name"),
    ("J", "30-09-1985", "", "search_name"),
    ("Jansen", "31-02-1985", "", "search_date"),
    ("Jansen", "1985", "", "search_date"),
    ("Jansen", "30-09-1985", "123456789", "search_bsn"),
])
def test_art20_5_bad_search_input_is_an_error_and_no_read(app, make_staff, logged_in, name, born, bsn, code):
    cw = make_staff("caseworker")
    import_doc(app)
    reference = verified_request(app, cw)
    with app.app_context():
        with pytest.raises(copies.CopyError) as exc:
            copies.find_people(ch.actor(app, cw), reference, name, born, bsn)
        assert exc.value.code == code
        db.session.remove()
    client = logged_in("caseworker")
    r = client.get(f"/backoffice/verzoeken/{reference}/afschrift",
                   query_string={"find": "1", "family_name": name, "birth_date": born, "bsn": bsn})
    assert r.status_code == 400 and 'class="field-error"' in r.get_data(as_text=True)
    assert 'id="candidates"' not in r.get_data(as_text=True)
    assert _searches(app, reference) == 0


def test_art20_5_no_search_before_identity_is_verified(app, make_staff, logged_in):
    cw = make_staff("caseworker")
    import_doc(app)
    reference = ch.file(app, MARK)
    with app.app_context():
        with pytest.raises(copies.CopyError) as exc:
            copies.find_people(ch.actor(app, cw), reference, "Jansen", "30-09-1985")
        assert exc.value.code == "identity_not_verified"
        db.session.remove()
    client = logged_in("caseworker")
    page = client.get(f"/backoffice/verzoeken/{reference}/afschrift?find=1&family_name=Jansen&birth_date=30-09-1985"
                      ).get_data(as_text=True)
    assert 'id="candidates"' not in page and 'id="search-form"' not in page and "Mark Jansen" not in page
    assert _searches(app, reference) == 0


def test_art20_5_bsn_from_digid_finds_and_marks_the_person_without_a_typed_bsn(app, make_staff, logged_in):
    """Issue 11, item 3: the BSN a DigiD login gave is kept with a keyed blind index; the
    search for the person finds a dossier person with that BSN though no BSN was typed
    (and the name does not match), and marks it as a match from DigiD, not as a typed one."""
    from portal.models import DossierPerson, IdentityCheck, Request
    from portal.infra.encrypted import bsn_index
    from portal.services import eid

    cw = make_staff("caseworker")
    dossier_id = import_doc(app)
    reference = verified_request(app, cw)
    with app.app_context():
        mark = db.session.execute(db.select(DossierPerson).filter_by(person_id="p2")).scalar_one()
        mark.bsn = "999990019"  # passes the 11-test
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        check = eid.record_check(req, req.requester, {"bsn": "999990019", "level": "substantieel",
                                                      "broker": "http://broker.test", "at": "2026-12-03T10:00:00+00:00"})
        db.session.commit()
        stored = db.session.get(IdentityCheck, check.id)
        assert stored.eid_bsn_index == bsn_index(app.config["BLIND_INDEX_KEY"], "999990019") == mark.bsn_index
        assert "999990019" not in stored.eid_bsn_index
        found = copies.find_people(ch.actor(app, cw), reference, "Anders", "01-01-2000")
        assert [(c.person_id, c.bsn_match, c.eid_bsn_match) for c in found] == [("p2", False, True)]
        # Found by name only: not marked as a DigiD match when the BSNs differ.
        mark.bsn = "123456782"
        db.session.commit()
        found = copies.find_people(ch.actor(app, cw), reference, "Jansen", "30-09-1985")
        assert [(c.person_id, c.eid_bsn_match) for c in found] == [("p2", False)]
        mark.bsn = "999990019"
        db.session.commit()
        db.session.remove()
    client = logged_in("caseworker")
    page = client.get(f"/backoffice/verzoeken/{reference}/afschrift",
                      query_string={"find": "1", "family_name": "Anders", "birth_date": "01-01-2000", "bsn": ""}
                      ).get_data(as_text=True)
    assert 'id="candidates"' in page and dossier_id in page
    assert 'id="eid-match-1"' in page and "BSN komt overeen met DigiD" in page
    assert "999990019" not in page
