"""The authorisation matrix (art. 7.1, 7.2, 7.3) and the back office's deny-by-default.

The table-driven test walks every back-office GET route that exists (app.url_map,
endpoints "backoffice.*") for every role, for nobody, for a login without the second
factor and for an account without a confidentiality agreement, and expects allow or
deny as the matrix says (authz.can for the permission the route declares with
`@requires`, registered in backoffice.ROUTE_PERMISSIONS). A route that declares no
permission must be listed in OPEN_TO_ALL_STAFF below with the reason.
"""
from __future__ import annotations

import re

import pytest
from flask import url_for

import backoffice
from portal.infra.extensions import db
from portal.models import AuditEvent, MatrixEntry, Request
from portal.rules.permissions import CASE_CONTENT, DEFAULT_MATRIX, NO_CASE_CONTENT_ROLES, Permission, Role
from portal.services import audit, authz
from portal.services.authz import Actor

from .conftest import log_in
from .staff_pages import give_second_factor, page_csrf

MATRIX = "/backoffice/beheer/matrix"
OVERVIEW = "/backoffice/beheer/wie-mag-wat"

# Routes without @requires: reachable by every staff member with a complete login.
OPEN_TO_ALL_STAFF = {
    "backoffice.login": "the login page itself (ALLOW_ANONYMOUS)",
    "backoffice.totp": "the second factor (ALLOW_FIRST_FACTOR)",
    "backoffice.totp_setup": "setting up the second factor (ALLOW_FIRST_FACTOR)",
    "backoffice.logout": "logging out (ALLOW_FIRST_FACTOR)",
    "backoffice.after_login": "a redirect to the first page the person may use",
    "backoffice.account": "one's own account (no case content)",
    "backoffice.password": "changing one's own password",
    "backoffice.inactive": "the art. 7.3 'not active yet' page",
    "backoffice.index": "a redirect to the queue, which requires QUEUE_VIEW itself",
}

WHO = ["anonymous", "no_second_factor", "no_confidentiality", *[r.value for r in Role]]


def _backoffice_rules(app, method="GET"):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint.startswith("backoffice.") and method in r.methods),
                  key=lambda r: r.endpoint)


# --- objects to fill path parameters with ------------------------------------------------------------

@pytest.fixture
def objects(app):
    """Real objects for ids in paths: the demo requests, and per table its first row
    that belongs to the same request where the table has a request_id."""
    from pathlib import Path

    from portal.demo import load_demo

    with app.app_context():
        load_demo(Path(app.root_path).parent / "demo" / "requests.json")
        req = db.session.execute(db.select(Request).order_by(Request.id)).scalars().first()
        found = {"reference": req.reference, "request_id": req.id}
        for table in db.metadata.sorted_tables:
            cols = table.c
            query = db.select(cols.id) if "id" in cols else None
            if query is None:
                continue
            if "request_id" in cols:
                query = query.where(cols.request_id == req.id)
            row = db.session.execute(query.order_by(cols.id).limit(1)).first()
            if row is not None:
                found[f"{table.name}_id"] = row[0]
        return found


def _fill(rule, objects, staff_id):
    values, fallback = {}, False
    for arg in rule.arguments:
        if arg == "staff_id":
            values[arg] = staff_id
        elif arg in objects:
            values[arg] = objects[arg]
        else:
            converter = rule._converters[arg]
            values[arg] = 1 if type(converter).__name__ == "IntegerConverter" else "1"
            fallback = True
    return values, fallback


# --- who is asking ------------------------------------------------------------------------------------

def _client_for(app, make_staff, who):
    client = app.test_client()
    if who == "anonymous":
        return client, None
    role = {"no_second_factor": "caseworker", "no_confidentiality": "team_leader"}.get(who, who)
    staff_id = make_staff(role, confidentiality=who != "no_confidentiality")
    give_second_factor(app, staff_id)
    log_in(client, app, staff_id, second_factor=who != "no_second_factor")
    return client, staff_id


def _expected(who, endpoint, app):
    if endpoint in backoffice.ALLOW_ANONYMOUS:
        return "open"
    if who == "anonymous":
        return "login"
    if who == "no_second_factor":
        return "first_factor_open" if endpoint in backoffice.ALLOW_FIRST_FACTOR else "totp"
    permission = backoffice.ROUTE_PERMISSIONS.get(endpoint)
    if permission is None:
        return "open"
    role = Role({"no_confidentiality": "team_leader"}.get(who, who))
    actor = Actor(0, "x", role, True, who != "no_confidentiality")
    with app.app_context():
        return "allow" if authz.can(actor, permission) else "deny"


def _check(expected, resp, fallback) -> bool:
    location = resp.headers.get("Location", "")
    to_login = resp.status_code == 302 and "/backoffice/login" in location
    to_totp = resp.status_code == 302 and "/backoffice/totp" in location
    if expected == "login":
        return to_login
    if expected == "totp":
        return to_totp
    if expected == "deny":
        return resp.status_code == 403
    if expected == "first_factor_open":
        return resp.status_code in (200, 302) and not to_login  # set-up sends a confirmed account on to /totp
    # allow / open: a page, or a redirect to one, never the login or a denial
    if resp.status_code == 404 and fallback:
        return True  # no real object of that kind to point at
    return resp.status_code in (200, 302) and not to_login and not to_totp


@pytest.mark.parametrize("who", WHO)
def test_art7_1_every_backoffice_route_for_every_role_as_the_matrix_says(app, make_staff, objects, who):
    client, staff_id = _client_for(app, make_staff, who)
    other_staff = make_staff("caseworker")
    wrong = []
    checked = 0
    for rule in _backoffice_rules(app):
        values, fallback = _fill(rule, objects, other_staff)
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        expected = _expected(who, rule.endpoint, app)
        resp = client.get(url)
        checked += 1
        if not _check(expected, resp, fallback):
            wrong.append(f"{rule.endpoint} {url}: expected {expected}, got {resp.status_code} {resp.headers.get('Location', '')}")
        if who != "anonymous" and staff_id is not None:
            # A route may end the session (logout is POST-only; nothing else should): log in again.
            log_in(client, app, staff_id, second_factor=who != "no_second_factor")
    assert checked >= 8
    assert not wrong, "\n".join(wrong)


def test_art7_1_every_backoffice_route_states_its_permission(app):
    """Deny by default at the route too: a route either declares its permission with
    @requires or is listed in OPEN_TO_ALL_STAFF with the reason."""
    undeclared = sorted({r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("backoffice.")}
                        - set(backoffice.ROUTE_PERMISSIONS) - set(OPEN_TO_ALL_STAFF))
    assert not undeclared, f"routes without @requires: {undeclared}"


@pytest.mark.parametrize("who", ["anonymous", "no_second_factor", "no_confidentiality", *[r.value for r in Role]])
def test_art7_1_post_routes_deny_whoever_lacks_the_permission(app, make_staff, objects, who):
    """POST-only routes: the same expectation on the deny side (CSRF off for this test,
    so that the permission check is what answers). Allowed roles are not posted: that
    would act."""
    client, staff_id = _client_for(app, make_staff, who)
    other_staff = make_staff("caseworker")
    app.config["WTF_CSRF_ENABLED"] = False
    wrong = []
    try:
        for rule in _backoffice_rules(app, "POST"):
            if "GET" in rule.methods or rule.endpoint == "backoffice.logout":
                continue
            expected = _expected(who, rule.endpoint, app)
            if expected not in ("deny", "login", "totp"):
                continue
            values, fallback = _fill(rule, objects, other_staff)
            with app.test_request_context():
                url = url_for(rule.endpoint, **values)
            resp = client.post(url, data={})
            if not _check(expected, resp, fallback):
                wrong.append(f"{rule.endpoint} {url}: expected {expected}, got {resp.status_code}")
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert not wrong, "\n".join(wrong)


# --- the matrix is data, edited by the administrator -------------------------------------------------

CHECKBOX = re.compile(r'name="grant" value="([^"]+)"\s*(checked)?\s*(disabled)?\s*>')


def _matrix_page(client):
    html = client.get(MATRIX).get_data(as_text=True)
    boxes = {value: (bool(checked), bool(disabled)) for value, checked, disabled in CHECKBOX.findall(html)}
    return html, boxes


def _post_matrix(client, grants):
    token = page_csrf(client, MATRIX)
    return client.post(MATRIX, data={"csrf_token": token, "grant": sorted(grants)})


def _can(app, role, permission, confidentiality=True):
    with app.app_context():
        return authz.can(Actor(0, "x", Role(role), True, confidentiality), permission)


def test_art7_1_the_matrix_page_shows_the_defaults(app, logged_in):
    admin = logged_in("functional_admin")
    _html, boxes = _matrix_page(admin)
    assert len(boxes) == len(Role) * len(Permission)
    for role in Role:
        for perm in Permission:
            checked, disabled = boxes[f"{role.value}:{perm.value}"]
            assert checked == (perm in DEFAULT_MATRIX[role] and not (role in NO_CASE_CONTENT_ROLES and perm in CASE_CONTENT))
            if role in NO_CASE_CONTENT_ROLES and perm in CASE_CONTENT:
                assert disabled, (role, perm)


def test_art7_1_editing_the_matrix_changes_what_a_role_may_do(app, logged_in):
    admin = logged_in("functional_admin")
    assert _can(app, "caseworker", Permission.QUEUE_VIEW)
    current = {f"{r.value}:{p.value}" for r, ps in DEFAULT_MATRIX.items() for p in ps}
    resp = _post_matrix(admin, current - {"caseworker:queue.view"})
    assert resp.status_code == 302
    assert not _can(app, "caseworker", Permission.QUEUE_VIEW)
    assert _can(app, "team_leader", Permission.QUEUE_VIEW)
    with app.app_context():
        rows = db.session.execute(db.select(MatrixEntry.role, MatrixEntry.permission)).all()
        assert ("caseworker", "queue.view") not in rows and ("team_leader", "queue.view") in rows
        events = db.session.execute(db.select(AuditEvent).where(AuditEvent.object_type == "matrix")).scalars().all()
        assert [(e.action, e.object_id, e.actor) for e in events] == [
            ("matrix.revoke", "caseworker:queue.view", f"staff:{admin.staff_id}")]
    # What the caseworker meets: the queue is closed now.
    worker = logged_in("caseworker")
    if "backoffice.queue" in app.view_functions:
        with app.test_request_context():
            assert worker.get(url_for("backoffice.queue")).status_code == 403
    _html, boxes = _matrix_page(admin)
    assert boxes["caseworker:queue.view"] == (False, False)

    # And back, plus a new grant: one entry per change.
    resp = _post_matrix(admin, current | {"functional_admin:reports.view"})
    assert _can(app, "caseworker", Permission.QUEUE_VIEW) and _can(app, "functional_admin", Permission.REPORTS_VIEW)
    with app.app_context():
        actions = db.session.execute(db.select(AuditEvent.action, AuditEvent.object_id)
                                     .where(AuditEvent.object_type == "matrix").order_by(AuditEvent.id)).all()
        assert actions[1:] == [("matrix.grant", "caseworker:queue.view"), ("matrix.grant", "functional_admin:reports.view")]
        assert audit.verify_chain() == (True, None)
    # Saving without a change changes nothing.
    _post_matrix(admin, current | {"functional_admin:reports.view"})
    with app.app_context():
        assert db.session.execute(db.select(db.func.count(AuditEvent.id)).where(AuditEvent.object_type == "matrix")).scalar_one() == 3


def test_art7_1_case_content_can_never_be_granted_to_the_privacy_officer_or_the_administrator(app, logged_in):
    admin = logged_in("functional_admin")
    current = {f"{r.value}:{p.value}" for r, ps in DEFAULT_MATRIX.items() for p in ps}
    forged = current | {"privacy_officer:request.view", "functional_admin:dossier.view", "privacy_officer:queue.view"}
    _post_matrix(admin, forged)
    for role, perm in (("privacy_officer", Permission.REQUEST_VIEW), ("functional_admin", Permission.DOSSIER_VIEW),
                       ("privacy_officer", Permission.QUEUE_VIEW)):
        assert not _can(app, role, perm)
    with app.app_context():
        rows = set(db.session.execute(db.select(MatrixEntry.role, MatrixEntry.permission)).all())
    assert ("privacy_officer", "request.view") not in rows and ("functional_admin", "dossier.view") not in rows
    # Even a row put straight into the table grants nothing (rules.allowed).
    with app.app_context():
        db.session.add(MatrixEntry(role="privacy_officer", permission="dossier.view"))
        db.session.commit()
    assert not _can(app, "privacy_officer", Permission.DOSSIER_VIEW)


def test_art7_1_the_administrator_keeps_the_right_to_repair_the_matrix(app, logged_in):
    admin = logged_in("functional_admin")
    _post_matrix(admin, set())  # everything off
    assert _can(app, "functional_admin", Permission.MATRIX_MANAGE)
    assert not _can(app, "caseworker", Permission.QUEUE_VIEW)  # not the defaults again
    assert admin.get(MATRIX).status_code == 200


def test_art7_1_only_matrix_managers_open_the_matrix(app, logged_in):
    for role in ("caseworker", "team_leader", "privacy_officer"):
        assert logged_in(role).get(MATRIX).status_code == 403, role


def test_art7_1_the_matrix_post_is_checked_by_the_service_too(app, logged_in, make_staff):
    """A caseworker who is given MATRIX_MANAGE via the matrix... cannot be: the service
    asks the matrix, and the form is refused before it."""
    from portal.services import staff as staff_svc
    from portal.services.authz import NotAllowed

    staff_id = make_staff("caseworker")
    with app.app_context():
        from portal.models import Staff

        actor = Actor.of(db.session.get(Staff, staff_id), second_factor=True)
        with pytest.raises(NotAllowed):
            staff_svc.save_matrix(actor, {Role.CASEWORKER: {Permission.MATRIX_MANAGE}})
        assert db.session.execute(db.select(MatrixEntry)).first() is None


# --- the overview: who may do what (art. 7.2) ----------------------------------------------------------

def test_art7_2_the_overview_lists_every_active_account_and_what_it_may_do(app, logged_in, make_staff):
    reader = logged_in("privacy_officer", username="fg")
    make_staff("caseworker", username="mw-actief")
    make_staff("caseworker", username="mw-nieuw", confidentiality=False)
    gone = make_staff("caseworker", username="mw-weg")
    with app.app_context():
        from portal.models import Staff

        db.session.get(Staff, gone).active = False
        db.session.commit()
    html = reader.get(OVERVIEW).get_data(as_text=True)

    def row(username):
        m = re.search(rf'<tr id="holder-{re.escape(username)}">(.*?)</tr>', html, re.S)
        return m.group(1) if m else None

    assert set(re.findall(r'data-permission="([^"]+)"', row("mw-actief"))) == {p.value for p in DEFAULT_MATRIX[Role.CASEWORKER]}
    assert set(re.findall(r'data-permission="([^"]+)"', row("fg"))) == {p.value for p in DEFAULT_MATRIX[Role.PRIVACY_OFFICER]}
    assert "nog niet vastgelegd" in row("mw-nieuw") and "data-permission" not in row("mw-nieuw")
    assert row("mw-weg") is None
    # The administrator sees the same list on the matrix page.
    admin_html = logged_in("functional_admin").get(MATRIX).get_data(as_text=True)
    assert 'id="holder-mw-actief"' in admin_html and 'id="holder-mw-weg"' not in admin_html


def test_art7_2_the_overview_follows_the_matrix(app, logged_in, make_staff):
    admin = logged_in("functional_admin")
    make_staff("caseworker", username="mw-1")
    current = {f"{r.value}:{p.value}" for r, ps in DEFAULT_MATRIX.items() for p in ps}
    _post_matrix(admin, current - {"caseworker:letter.view"})
    html = logged_in("team_leader").get(OVERVIEW).get_data(as_text=True)
    row = re.search(r'<tr id="holder-mw-1">(.*?)</tr>', html, re.S).group(1)
    assert "letter.view" not in row and "queue.view" in row


# --- the menu --------------------------------------------------------------------------------------------

def test_art7_1_the_menu_shows_only_what_the_person_may_use(app, logged_in):
    def menu(client):
        html = client.get("/backoffice/account").get_data(as_text=True)
        nav = re.search(r'<nav class="bo-nav".*?</nav>', html, re.S)
        return set(re.findall(r'href="([^"]+)"', nav.group(0))) if nav else set()

    admin = menu(logged_in("functional_admin"))
    assert "/backoffice/beheer/accounts" in admin and MATRIX in admin
    worker = menu(logged_in("caseworker"))
    assert "/backoffice/beheer/accounts" not in worker and MATRIX not in worker and OVERVIEW not in worker
    assert "/backoffice/account" in worker
    if "backoffice.queue" in app.view_functions:
        assert "/backoffice/werkvoorraad" in worker and "/backoffice/werkvoorraad" not in admin
    assert OVERVIEW in menu(logged_in("privacy_officer"))
