"""The identity check by DigiD (art. 20.5, issue 11) as the caseworker sees it: done by
eID with level and broker, the person verified without a copy, the BSN not on the page."""
from __future__ import annotations

from portal.infra.extensions import db
from portal.models import Request
from portal.services import casework
from portal.models import IdentityCheck, Party
from portal.services import eid
from tests.app.filing import Filing, Person
from tests.app.test_art20_5_digid import (BSN_SUBSTANTIEEL, _at_broker, _draft, _finish_filing, _leave_for_broker, _path,
                                         _to_identity_step)


def test_art20_5_caseworker_sees_the_check_by_digid_with_level_and_broker(app, client, digid, logged_in):
    filer = _to_identity_step(client)
    client.get(_path(_at_broker(_leave_for_broker(client), "substantieel")))
    submitted = _finish_filing(filer, client)
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=submitted.reference)).scalar_one()
        assert casework.identity_verified(req)
        db.session.remove()
    staff = logged_in("caseworker")
    html = staff.get(f"/backoffice/verzoeken/{submitted.reference}/behandeling").get_data(as_text=True)
    assert "Ingelogd met eID" in html and "niveau substantieel" in html and digid in html
    assert BSN_SUBSTANTIEEL not in html
    page = staff.get(f"/backoffice/verzoeken/{submitted.reference}").get_data(as_text=True)
    assert "Ingelogd met DigiD" in page and BSN_SUBSTANTIEEL not in page


# --- DigiD Machtigen (issue 11, item 4) -----------------------------------------------------------

def test_art20_5_digid_machtigen_proves_the_own_identity_and_keeps_whom_it_acts_for_not_as_art20_3_proof(
        client, app, digid, logged_in):
    # A parent files for their child under 12 and logs in with a machtiging for the child.
    from tests.app.support import dmy, today, years_ago

    born = years_ago(8, today(app))
    filing = Filing(for_whom="child_under_12", rep_kind="ouder_met_gezag", subject=Person("Mila", "Jansen", dmy(born)),
                    requester=Person("Karin", "Jansen", "02-02-1975"), proof_method="in_person")
    filer = _to_identity_step(client, filing)
    resp = client.get(_path(_at_broker(_leave_for_broker(client), "machtiging")))
    # The proof of authority is still asked for (art. 20.3): the next page is "bewijs".
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/verzoek/bewijs")
    assert _draft(client, app)["eid"]["bsn"] == BSN_SUBSTANTIEEL  # the acting person's own BSN
    filer.step("bewijs", {"method": "in_person"})
    submitted = _finish_filing(filer, client)
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=submitted.reference)).scalar_one()
        requester = next(p for p in req.parties if p.role == Party.REQUESTER)
        [check] = db.session.execute(db.select(IdentityCheck).filter_by(request_id=req.id)).scalars().all()
        assert (check.kind, check.party_id) == ("identity", requester.id)  # identity only, no representation check
        assert eid.bsn_of(check) == BSN_SUBSTANTIEEL and eid.legal_bsn_of(check) == "999990019"
        assert b"999990019" not in check.eid_legal_bsn_ciphertext
        from portal.services import casework
        assert not casework.identity_verified(req)  # the representation is still to be checked
        db.session.remove()
    staff = logged_in("caseworker")
    html = staff.get(f"/backoffice/verzoeken/{submitted.reference}/behandeling").get_data(as_text=True)
    assert "DigiD Machtigen" in html and "eindigt op 019" in html and "999990019" not in html
