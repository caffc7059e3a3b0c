"""The dossier pages of the back office: the upload page (Permission.DOSSIER_IMPORT), the
list and the internal read-only dossier page (Permission.DOSSIER_VIEW), plain text
escaped, every read logged with the persons concerned."""
from __future__ import annotations

import io
import json
import re

from portal.infra.extensions import db
from portal.models import AuditEvent, Dossier
from portal.services import dossiers as svc

from .dossier_helpers import audit_rows, example, imports, make_zip, snapshot, with_attachment
from .staff_pages import page_csrf

IMPORT = "/backoffice/dossiers/importeren"
PAGE = "/backoffice/dossiers/VT-2025-000417"


def upload(client, data: bytes, name: str = "export.zip"):
    token = page_csrf(client, IMPORT)
    return client.post(IMPORT, data={"csrf_token": token, "export": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_team_leader_imports_a_zip_on_the_upload_page(app, logged_in):
    leader = logged_in("team_leader")
    doc, files = with_attachment(example())
    resp = upload(leader, make_zip(doc, files))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(PAGE)
    html = leader.get(PAGE).get_data(as_text=True)
    assert "Dossier VT-2025-000417 is ingelezen." in html
    assert "attachments/verslag-huisarts.pdf (application/pdf" in html
    assert imports(app) == [("imported", "VT-2025-000417", None)]
    with app.app_context():
        assert db.session.execute(db.select(AuditEvent.actor).where(AuditEvent.action == "dossier.import")
                                  ).scalar_one() == f"staff:{leader.staff_id}"
    # The same export again: reported as a no-op.
    resp = upload(leader, make_zip(doc, files))
    assert "er is niets veranderd" in leader.get(resp.headers["Location"]).get_data(as_text=True)
    assert [o for o, _, _ in imports(app)] == ["imported", "unchanged"]


def test_upload_refusal_names_the_field_and_the_reason_and_stores_nothing(app, logged_in):
    leader = logged_in("team_leader")
    doc = example()
    doc["entries"][3]["concerns"][0] = "p42"
    resp = upload(leader, make_zip(doc))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "De export is geweigerd: er is niets opgeslagen" in html
    assert "<code>entries[3].concerns[0]</code>: Noemt een persoon die niet in dit dossier staat (“p42”)." in html
    assert snapshot(app)["dossier"] == []


def test_upload_of_a_zip_with_path_traversal_is_refused(app, logged_in):
    leader = logged_in("team_leader")
    resp = upload(leader, make_zip(example(), extra=[("../../etc/passwd", b"x")]))
    assert resp.status_code == 422
    assert "<code>../../etc/passwd</code>: Onveilige bestandsnaam" in resp.get_data(as_text=True)
    assert snapshot(app)["dossier"] == []


def test_upload_without_a_file_asks_for_one(app, logged_in):
    leader = logged_in("team_leader")
    token = page_csrf(leader, IMPORT)
    resp = leader.post(IMPORT, data={"csrf_token": token})
    assert resp.status_code == 422 and "Kies een .zip-bestand." in resp.get_data(as_text=True)


def test_only_who_may_import_reaches_the_upload_page(app, logged_in):
    assert logged_in("caseworker").get(IMPORT).status_code == 403
    assert logged_in("privacy_officer").get(IMPORT).status_code == 403
    assert logged_in("team_leader").get(IMPORT).status_code == 200


def _import_example(app, doc=None):
    """Import an export without attachments straight through the service (as the CLI does)."""
    with app.app_context():
        svc.import_export(svc.CLI, svc.Export(json.dumps(doc or example(), ensure_ascii=False).encode(), {}, "folder"))
        db.session.remove()


def test_dossier_text_is_escaped(app, logged_in):
    doc = example()
    doc["entries"][2]["text"] = 'Vader zei: <script>alert("x")</script> en <img src=x onerror=alert(1)> & <b>vet</b>\nregel twee'
    doc["entries"][2]["title"] = "<i>Gesprek</i>"
    doc["persons"][4]["given_names"] = "<svg onload=alert(2)>"
    _import_example(app, doc)
    with app.app_context():  # stored as it is: plain text, not cleaned, not interpreted
        text = db.session.execute(db.select(Dossier)).scalar_one().entries[2].text
        assert text.startswith('Vader zei: <script>alert("x")</script>')
    html = logged_in("caseworker").get(PAGE).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;vet&lt;/b&gt;<br>regel twee" in html
    assert "&lt;i&gt;Gesprek&lt;/i&gt;" in html and "&lt;svg onload=alert(2)&gt;" in html
    for raw in ("<script>alert", "<img src=x", "<b>vet", "<i>Gesprek", "<svg"):
        assert raw not in html


def test_dossier_page_lists_persons_and_entries_and_is_marked_internal(app, logged_in):
    _import_example(app)
    html = logged_in("caseworker").get(PAGE).get_data(as_text=True)
    assert "Intern — nooit zo aan een verzoeker tonen." in html
    p1 = re.search(r'<tr id="person-p1">(.*?)</tr>', html, re.S).group(1)
    assert 'data-role="subject"' in p1 and 'data-protected="1"' in p1
    p5 = re.search(r'<tr id="person-p5">(.*?)</tr>', html, re.S).group(1)
    assert "Melder" in p5 and "data-protected" not in p5
    e1 = re.search(r'<section class="bo-entry" id="entry-e1".*?</section>', html, re.S).group(0)
    assert 'data-nature="fact"' in e1 and 'data-source="p5"' in e1 and 'data-concerns="p2 p3"' in e1
    assert "Melding" in e1 and "Melder (p5)" in e1
    e2 = re.search(r'<section class="bo-entry" id="entry-e2".*?</section>', html, re.S).group(0)
    assert "Veilig Thuis zelf" in e2 and 'data-nature="opinion"' in e2
    assert html.count('class="bo-entry"') == 6


def test_dossier_page_read_is_logged_with_the_persons_concerned(app, logged_in):
    _import_example(app)
    worker = logged_in("caseworker")
    assert worker.get(PAGE).status_code == 200
    views = [e for e in audit_rows(app) if e.action == "dossier.view"]
    assert sorted(e.subject_ref for e in views) == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert {(e.actor, e.object_type, e.object_id) for e in views} == {(f"staff:{worker.staff_id}", "dossier", "VT-2025-000417")}


def test_dossier_pages_only_for_who_may_view_dossiers(app, logged_in):
    _import_example(app)
    for role in ("privacy_officer", "functional_admin"):
        client = logged_in(role)
        assert client.get(PAGE).status_code == 403, role
        assert client.get("/backoffice/dossiers").status_code == 403, role
    assert not [e for e in audit_rows(app) if e.action == "dossier.view"]
    assert logged_in("caseworker").get("/backoffice/dossiers/VT-0000-UNKNOWN").status_code == 404


def test_dossier_list_shows_dossiers_and_import_attempts_without_names(app, logged_in):
    _import_example(app)
    html = logged_in("team_leader").get("/backoffice/dossiers").get_data(as_text=True)
    assert 'href="/backoffice/dossiers/VT-2025-000417"' in html and "Ingelezen" in html
    assert "Jansen" not in html and "Bosman" not in html


def test_upload_limit_of_its_own_for_a_complete_login_only(app, logged_in):
    """A dossier export may be larger than a request upload (DOSSIER_UPLOAD_MAX_BYTES);
    the larger body is allowed only after a complete login."""
    import os as _os

    data_bytes = b"%PDF-" + _os.urandom(120 * 1024)  # does not compress
    doc, files = with_attachment(example(), data=data_bytes)
    body = make_zip(doc, files)
    old = app.config["MAX_CONTENT_LENGTH"]
    app.config.update(MAX_CONTENT_LENGTH=64 * 1024, DOSSIER_UPLOAD_MAX_BYTES=1024 * 1024)
    try:
        leader = logged_in("team_leader")
        assert upload(leader, body).status_code == 302
        anonymous = app.test_client()
        resp = anonymous.post(IMPORT, data={"export": (io.BytesIO(body), "x.zip")}, content_type="multipart/form-data")
        assert resp.status_code == 413
    finally:
        app.config["MAX_CONTENT_LENGTH"] = old
        del app.config["DOSSIER_UPLOAD_MAX_BYTES"]
    assert [o for o, _, _ in imports(app)] == ["imported"]
