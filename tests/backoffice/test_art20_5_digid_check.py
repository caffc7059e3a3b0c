"""The identity check by DigiD (art. 20.5, issue 11) as the caseworker sees it: done by
eID with level and broker, the person verified without a copy, the BSN not on the page."""
from __future__ import annotations

from portal.infra.extensions import db
from portal.models import Request
from portal.services import casework
from tests.app.test_art20_5_digid import BSN_SUBSTANTIEEL, _at_broker, _finish_filing, _leave_for_broker, _path, _to_identity_step


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
