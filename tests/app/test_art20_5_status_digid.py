"""Follow a request with DigiD (art. 20.5, issue 11 item 5), against the stand-in broker
(panva's oidc-provider, the `digid` fixture): DigiD at or above DIGID_MIN_LOA is a third
way into the status page. Only the blind index of the BSN is kept; a request opens only
for the person whose identity check by DigiD gave that BSN; the page after the login is
the same whether or not that BSN filed anything; logout ends it."""
from __future__ import annotations

import re

from portal.infra.encrypted import bsn_index
from portal.infra.extensions import db
from portal.models import AuditEvent, Party, Request, StatusSession
from portal.services import drafts
from tests.app.filing import Filer, csrf
from tests.app.test_art20_5_digid import (BSN_SUBSTANTIEEL, _at_broker, _finish_filing, _leave_for_broker, _path,
                                          _to_identity_step)

UNKNOWN = "VT-PQRS-TUVW-XY23"


def _file_with_digid(client, person="substantieel") -> str:
    filer = _to_identity_step(client)
    client.get(_path(_at_broker(_leave_for_broker(client), person)))
    return _finish_filing(filer, client).reference


def _digid_status_login(client, person):
    resp = client.get("/volgen/digid")
    assert resp.status_code == 303, resp.get_data(as_text=True)[:1000]
    return client.get(_path(_at_broker(resp.headers["Location"], person)))


def _choose(client, reference):
    page = client.get("/volgen/digid/verzoek").get_data(as_text=True)
    return client.post("/volgen/digid/verzoek", data={"csrf_token": csrf(page), "reference": reference})


def _neutral(html: str, *typed: str) -> str:
    html = re.sub(r'name="csrf_token"[^>]*value="[^"]*"|value="[^"]*"\s+name="csrf_token"', "CSRF", html)
    html = re.sub(r'<input type="hidden" name="csrf_token" value="[^"]*">', "CSRF", html)
    for t in typed:
        html = html.replace(t, "TYPED")
    return html


def test_art20_5_status_login_with_digid_opens_the_request_filed_with_that_bsn(client, app, digid):
    reference = _file_with_digid(client)
    other = app.test_client()
    login_page = other.get("/volgen").get_data(as_text=True)
    assert "Met DigiD" in login_page and 'id="status-digid"' in login_page
    back = _digid_status_login(other, "substantieel")
    assert back.status_code == 302 and back.headers["Location"].endswith("/volgen/digid/verzoek")
    with app.app_context():
        kept = drafts.load(_session(other, "status_eid"))[1]
        assert kept["bsn_index"] == bsn_index(app.config["BLIND_INDEX_KEY"], BSN_SUBSTANTIEEL)
        assert BSN_SUBSTANTIEEL not in repr(kept)  # only the blind index is kept
    resp = _choose(other, reference)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/volgen/verzoek")
    page = other.get("/volgen/verzoek").get_data(as_text=True)
    assert reference in page and BSN_SUBSTANTIEEL not in page
    assert _session(other, "status_eid") is None  # the DigiD login was used once
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        row = db.session.execute(db.select(StatusSession).filter_by(request_id=req.id)).scalar_one()
        assert row.party_id == req.requester.id
        logins = db.session.execute(db.select(AuditEvent).filter_by(action="status.login", subject_ref=reference)
                                    ).scalars().all()
        assert [(e.reason, e.outcome) for e in logins][-1][0] == "digid"


def _session(client, key):
    with client.session_transaction() as sess:
        return sess.get(key)


def test_art20_5_status_login_with_digid_below_the_minimum_is_refused_plainly(client, app, digid):
    reference = _file_with_digid(client)
    other = app.test_client()
    resp = _digid_status_login(other, "midden")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 403
    assert "niveau Midden" in html and "minstens niveau Substantieel" in html and "Er is niets bewaard" in html
    assert 'id="status-digid"' in html  # the other ways stay open, and DigiD again
    assert _session(other, "status_eid") is None
    assert other.get("/volgen/digid/verzoek").headers["Location"].endswith("/volgen")
    token = re.search(r'name="p-csrf_token" type="hidden" value="([^"]+)"|name="p-csrf_token" value="([^"]+)"',
                      other.get("/volgen").get_data(as_text=True))
    token = token.group(1) or token.group(2)
    assert other.post("/volgen/digid/verzoek", data={"csrf_token": token, "reference": reference}).status_code == 302
    assert other.get("/volgen/verzoek").status_code == 302


def test_art20_5_status_login_with_digid_does_not_tell_whether_a_bsn_filed_anything(client, app, digid):
    """The page after the DigiD login is the same for a BSN that filed a request and one
    that did not; someone else's reference and an unknown one get the same answer."""
    reference = _file_with_digid(client)
    filed, nothing = app.test_client(), app.test_client()
    _digid_status_login(filed, "substantieel")
    _digid_status_login(nothing, "hoog")
    page_filed = filed.get("/volgen/digid/verzoek")
    page_nothing = nothing.get("/volgen/digid/verzoek")
    assert page_filed.status_code == page_nothing.status_code == 200
    assert _neutral(page_filed.get_data(as_text=True)) == _neutral(page_nothing.get_data(as_text=True))
    assert reference not in page_filed.get_data(as_text=True)
    not_theirs = _choose(nothing, reference)  # a real request, filed with another BSN
    unknown = _choose(filed, UNKNOWN)
    assert not_theirs.status_code == unknown.status_code == 400
    assert _neutral(not_theirs.get_data(as_text=True), reference) == _neutral(unknown.get_data(as_text=True), UNKNOWN)
    assert "Met dit kenmerk vinden wij geen verzoek" in unknown.get_data(as_text=True)
    assert nothing.get("/volgen/verzoek").status_code == 302  # no status session


def test_art20_5_logging_out_ends_the_digid_status_login(client, app, digid):
    reference = _file_with_digid(client)
    other = app.test_client()
    _digid_status_login(other, "substantieel")
    _choose(other, reference)
    page = other.get("/volgen/verzoek").get_data(as_text=True)
    assert reference in page
    other.post("/volgen/uitloggen", data={"csrf_token": csrf(page)})
    assert other.get("/volgen/verzoek").headers["Location"].endswith("/volgen")
    with app.app_context():
        assert db.session.execute(db.select(db.func.count()).select_from(StatusSession)).scalar_one() == 0
    # Logging out before choosing a request ends the DigiD login kept for it.
    _digid_status_login(other, "substantieel")
    page = other.get("/volgen/digid/verzoek").get_data(as_text=True)
    draft_id = _session(other, "status_eid")
    other.post("/volgen/uitloggen", data={"csrf_token": csrf(page)})
    assert _session(other, "status_eid") is None
    with app.app_context():
        assert drafts.load(draft_id) == (None, {})
    assert other.get("/volgen/digid/verzoek").headers["Location"].endswith("/volgen")


def test_art20_5_the_other_person_of_a_joint_request_sees_only_their_own(client, app, digid):
    from tests.app.test_art20_5_digid import _join_with_digid, _parent_at_join_page
    from tests.app.test_joint_request import PARENT

    sub, parent = _parent_at_join_page(client, app)
    _join_with_digid(parent, "substantieel")
    data = {"bsn": "", "email": "", "method": "eid", "proof_method": "in_person", **PARENT}
    assert Filer(parent).post("/meedoen/gegevens", data, content_type="multipart/form-data").status_code == 200
    follower = app.test_client()
    _digid_status_login(follower, "substantieel")
    assert _choose(follower, sub.reference).status_code == 302
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=sub.reference)).scalar_one()
        co = next(p for p in req.parties if p.role == Party.CO_REQUESTER)
        row = db.session.execute(db.select(StatusSession).filter_by(request_id=req.id)).scalar_one()
        assert row.party_id == co.id != req.requester.id
    # The child filed without DigiD: another DigiD login does not open it as theirs.
    stranger = app.test_client()
    _digid_status_login(stranger, "hoog")
    assert _choose(stranger, sub.reference).status_code == 400


def test_art20_5_without_digid_the_status_login_is_as_before(client, app):
    assert not app.config.get("DIGID_ISSUER")
    assert "Met DigiD" not in client.get("/volgen").get_data(as_text=True)
    assert client.get("/volgen/digid").status_code == 404
    assert client.get("/volgen/digid/verzoek").status_code == 404
