"""Art. 7.5: the privacy officer searches the access log and exports it; reading the
log is itself logged; nobody else may."""
import csv
import io

from portal.infra.extensions import db
from portal.models import AuditEvent
from portal.services import audit


def _seed(app):
    with app.app_context():
        audit.record("request.view", actor="staff:7", actor_role="caseworker", object_type="request", object_id=1,
                     subject_ref="VT-AAAA-BBBB-CCCC", reason="request page")
        audit.record("request.view", actor="staff:8", actor_role="caseworker", object_type="request", object_id=2,
                     subject_ref="VT-DDDD-EEEE-FFFF", reason="=HYPERLINK(\"x\")")
        db.session.commit()


def test_art7_5_privacy_officer_searches_by_request_and_the_search_is_logged(app, logged_in):
    _seed(app)
    client = logged_in("privacy_officer")
    resp = client.get("/backoffice/toegangslog?subject_ref=vt-aaaa-bbbb-cccc")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "VT-AAAA-BBBB-CCCC" in html and "VT-DDDD-EEEE-FFFF" not in html
    with app.app_context():
        last = db.session.execute(db.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).scalar_one()
        assert last.action == "audit.search" and last.actor == f"staff:{client.staff_id}"
        assert last.subject_ref == "VT-AAAA-BBBB-CCCC"


def test_art7_5_search_by_staff_member_and_date(app, logged_in):
    _seed(app)
    client = logged_in("privacy_officer")
    html = client.get("/backoffice/toegangslog?actor=staff:8").get_data(as_text=True)
    assert "VT-DDDD-EEEE-FFFF" in html and "VT-AAAA-BBBB-CCCC" not in html
    html = client.get("/backoffice/toegangslog?date_from=2000-01-01&date_to=2000-01-02").get_data(as_text=True)
    assert "VT-AAAA-BBBB-CCCC" not in html and "VT-DDDD-EEEE-FFFF" not in html


def test_art7_5_bad_filter_values_get_a_clear_error(app, logged_in):
    client = logged_in("privacy_officer")
    resp = client.get("/backoffice/toegangslog?date_from=gisteren")
    assert resp.status_code == 400 and 'id="error-summary"' in resp.get_data(as_text=True)
    resp = client.get("/backoffice/toegangslog?date_from=2026-02-01&date_to=2026-01-01")
    assert resp.status_code == 400 and "De einddatum ligt voor de begindatum." in resp.get_data(as_text=True)
    assert client.get("/backoffice/toegangslog?page=0").status_code == 400


def test_art7_5_csv_export_is_complete_safe_against_formulas_and_logged(app, logged_in):
    _seed(app)
    client = logged_in("privacy_officer")
    resp = client.get("/backoffice/toegangslog.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    refs = {r["subject_ref"] for r in rows}
    assert {"VT-AAAA-BBBB-CCCC", "VT-DDDD-EEEE-FFFF"} <= refs
    formula = next(r for r in rows if r["subject_ref"] == "VT-DDDD-EEEE-FFFF")
    assert formula["reason"].startswith("'=")
    with app.app_context():
        assert db.session.execute(db.select(AuditEvent).filter_by(action="audit.export")).scalars().first() is not None
        ok, _ = audit.verify_chain()
        assert ok


def test_art7_1_caseworker_and_team_leader_may_not_read_the_log(app, logged_in):
    for role in ("caseworker", "team_leader", "functional_admin"):
        client = logged_in(role)
        assert client.get("/backoffice/toegangslog").status_code == 403
        assert client.get("/backoffice/toegangslog.csv").status_code == 403
    with app.app_context():
        denied = db.session.execute(db.select(AuditEvent).filter_by(action="denied:audit.view")).scalars().all()
        assert len(denied) == 3
