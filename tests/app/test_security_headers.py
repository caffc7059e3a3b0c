"""Browser-side protections on the public face (threat model T3, T4, T6): headers on every
page (CSP without inline script, no framing, no caching, no sniffing), CSRF on every
form, a session cookie scripts cannot read, and a back office that is not there."""
from __future__ import annotations

import re

import pytest

from portal.models import Draft, Request, UsedToken

from .filing import Filer, Filing
from .support import any_csrf, count, dbs, draft_state, path_of, request_by_ref

PUBLIC_PAGES = ["/", "/uw-rechten", "/klachten", "/veilig-internetten", "/verzoek", "/volgen", "/meedoen",
                "/bestaat-niet", "/verzoek/niet-mogelijk/subject_not_adult", "/bevestigen/abc", "/volgen/link/abc",
                "/meedoen/link/abc"]


def csp(resp) -> dict[str, list[str]]:
    out = {}
    for part in resp.headers["Content-Security-Policy"].split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def assert_safe_headers(resp):
    policy = csp(resp)
    script = policy.get("script-src", policy.get("default-src"))
    assert script is not None
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "*" not in script
    assert "'unsafe-inline'" not in policy.get("default-src", [])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    # Nothing leaks to other sites (same-origin keeps CSRF's HTTPS referrer check working).
    assert resp.headers["Referrer-Policy"] in ("no-referrer", "same-origin")


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_t6_every_public_page_is_sent_with_csp_no_framing_no_caching_and_nosniff(client, path):
    resp = client.get(path)
    assert resp.status_code in (200, 404)
    assert_safe_headers(resp)
    html = resp.get_data(as_text=True)
    # What the CSP would block must not be there in the first place.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"


def test_t6_pages_along_the_whole_filing_and_following_carry_the_headers(client, app, mailbox):
    filer = Filer(client)
    filer.start()
    for page in ("voor-wie", "over-u", "rechten", "identiteit", "contact"):
        assert_safe_headers(client.get(f"/verzoek/{page}"))
    filer.fill(Filing())
    assert_safe_headers(client.get("/verzoek/controleren"))
    resp = filer.post("/verzoek/controleren", {"truthful": "y"})
    assert resp.status_code == 200
    assert_safe_headers(resp)  # the confirmation page shows the reference
    link = path_of(mailbox.link(mailbox.wait_for(1)[0]))
    assert_safe_headers(client.get(link))
    assert_safe_headers(filer.post(link, {}))
    # Error pages too.
    assert_safe_headers(client.post("/verzoek", data={}))  # CSRF refused
    assert_safe_headers(client.get("/backoffice/"))


def test_t6_static_files_keep_nosniff(client):
    resp = client.get("/static/css/portal.css")
    assert resp.status_code == 200
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


# --- CSRF ------------------------------------------------------------------------------------------

def test_t6_starting_a_request_without_a_csrf_token_is_refused_and_stores_nothing(client, app):
    resp = client.post("/verzoek", data={})
    assert resp.status_code == 400
    assert "De pagina is verlopen" in resp.get_data(as_text=True)
    assert count(app, Draft) == 0
    with client.session_transaction() as sess:
        assert "draft" not in sess


def test_t6_a_question_page_without_a_csrf_token_is_refused_and_the_draft_is_unchanged(client, app):
    Filer(client).start()
    before = draft_state(app, client)
    resp = client.post("/verzoek/voor-wie", data={"for_whom": "self"})
    assert resp.status_code == 400
    assert draft_state(app, client) == before
    resp = client.post("/verzoek/voor-wie", data={"for_whom": "self", "csrf_token": "forged"})
    assert resp.status_code == 400
    assert draft_state(app, client) == before


def test_t6_sending_a_request_without_a_csrf_token_is_refused_and_stores_nothing(client, app):
    Filer(client).fill(Filing())
    before = draft_state(app, client)
    resp = client.post("/verzoek/controleren", data={"truthful": "y"})
    assert resp.status_code == 400
    assert count(app, Request) == 0
    assert draft_state(app, client) == before


def test_t6_a_csrf_token_from_another_browser_is_refused(client, app):
    Filer(client).fill(Filing())
    other = app.test_client()
    token = any_csrf(other.get("/verzoek").get_data(as_text=True))
    resp = client.post("/verzoek/controleren", data={"truthful": "y", "csrf_token": token})
    assert resp.status_code == 400
    assert count(app, Request) == 0


def test_t6_confirming_an_email_address_without_a_csrf_token_is_refused(client, app, mailbox):
    sub = Filer(client).fill(Filing()).submit()
    link = path_of(mailbox.link(mailbox.wait_for(1)[0]))
    resp = client.post(link, data={})
    assert resp.status_code == 400
    with dbs(app) as s:
        assert request_by_ref(s, sub.reference).status == "awaiting_email"
    assert count(app, UsedToken) == 0


@pytest.mark.parametrize("path,data", [
    ("/volgen/wachtzin", {"p-reference": "VT-AAAA-BBBB-CCCC", "p-passphrase": "een twee drie"}),
    ("/volgen/link", {"l-reference": "VT-AAAA-BBBB-CCCC"}),
    ("/meedoen", {"reference": "VT-AAAA-BBBB-CCCC", "code": "AAAA-BBBB-CCCC"}),
    ("/volgen/uitloggen", {}),
])
def test_t6_follow_and_join_forms_without_a_csrf_token_are_refused(client, path, data):
    assert client.post(path, data=data).status_code == 400


# --- the session cookie ---------------------------------------------------------------------------

def test_t3_the_session_cookie_is_httponly_and_samesite_and_holds_no_answers(client, app):
    resp = Filer(client).start()
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith(app.config["SESSION_COOKIE_NAME"] + "="))
    attrs = [a.strip().lower() for a in cookie.split(";")]
    assert "httponly" in attrs
    assert "samesite=lax" in attrs or "samesite=strict" in attrs
    assert "path=/" in attrs
    # The answers live in the encrypted draft, not in the cookie.
    filer = Filer(client).fill(Filing())
    value = client.get_cookie(app.config["SESSION_COOKIE_NAME"], domain="portal.test").value
    with app.app_context():
        data = app.session_interface.get_signing_serializer(app).loads(value)
    assert set(data) <= {"sid", "draft", "csrf_token", "lang", "_flashes"}
    for answer in ("Sanne", "de Vries", "1985", "sanne@example.org"):
        assert answer not in str(data)


# --- the back office ---------------------------------------------------------------------------------

BACKOFFICE_LOGIN = "/backoffice/login"


@pytest.mark.parametrize("path", ["/backoffice/", "/backoffice", "/backoffice/verzoeken",
                                  "/backoffice/totp", "/backoffice/static/x.js"])
def test_t4_backoffice_every_route_404_without_login(client, path):
    """Deny by default: without a staff login no back-office address serves anything.
    It answers 404, or sends the browser to the staff login (which, until staff login
    is built, itself answers 404)."""
    resp = client.get(path)
    assert resp.status_code in (302, 308, 404), resp.status_code
    if resp.status_code != 404:
        assert resp.headers["Location"].split("?")[0].endswith((BACKOFFICE_LOGIN, "/backoffice/"))
    final = client.get(path, follow_redirects=True)
    assert final.request.path in (path, BACKOFFICE_LOGIN, "/backoffice/")
    if final.request.path != BACKOFFICE_LOGIN:
        assert final.status_code == 404
        assert "Deze pagina bestaat niet" in final.get_data(as_text=True)
    assert_safe_headers(final)


def test_t4_backoffice_refuses_a_post_without_login(client, app):
    resp = client.post("/backoffice/", data={"user": "x", "password": "y"})
    assert resp.status_code in (302, 400, 404, 405)
    if resp.status_code == 302:
        assert resp.headers["Location"].split("?")[0].endswith(BACKOFFICE_LOGIN)
