"""E-mailed links (DOMAIN.md "Identity and representation": the requester must be who
they say; threat model: single use, expiring, unforgeable): the confirmation link works
once, only by pressing the button (mail scanners open links), not when expired, not when
tampered with, not for another purpose."""
from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from portal.models import Request, UsedToken
from portal.services import tokens

from .filing import Filer, Filing
from .support import count, dbs, path_of, request_by_ref


@pytest.fixture
def filed(client, app, mailbox):
    sub = Filer(client).fill(Filing()).submit()
    [msg] = mailbox.wait_for(1)
    return sub, path_of(mailbox.link(msg))


def status_of(app, reference):
    with dbs(app) as s:
        req = request_by_ref(s, reference)
        return req.status, req.requester.email_confirmed_at


def test_avg12_opening_the_confirmation_link_does_not_confirm_only_the_button_does(filed, client, app):
    sub, link = filed
    other = app.test_client()  # e.g. a mail scanner
    for _ in range(3):
        resp = other.get(link)
        assert resp.status_code == 200
        assert "Klik op de knop om uw e-mailadres te bevestigen" in resp.get_data(as_text=True)
    assert status_of(app, sub.reference) == ("awaiting_email", None)
    assert count(app, UsedToken) == 0
    resp = Filer(other).post(link, {})
    assert resp.status_code == 200 and "Uw e-mailadres is bevestigd" in resp.get_data(as_text=True)
    status, confirmed = status_of(app, sub.reference)
    assert status == "received" and confirmed is not None


def test_avg12_a_confirmation_link_works_once(filed, client, app):
    sub, link = filed
    assert Filer(client).post(link, {}).status_code == 200
    with dbs(app) as s:
        events_after_first = len(request_by_ref(s, sub.reference).events)
    resp = Filer(app.test_client()).post(link, {})
    assert resp.status_code == 400
    assert "De link is al gebruikt." in resp.get_data(as_text=True)
    with dbs(app) as s:
        req = request_by_ref(s, sub.reference)
        assert req.status == "received" and len(req.events) == events_after_first
    assert count(app, UsedToken) == 1


def test_avg12_an_expired_confirmation_link_is_refused(filed, client, app, monkeypatch):
    sub, link = filed
    monkeypatch.setitem(app.config, "EMAIL_CONFIRM_MAX_AGE", -1)
    resp = Filer(client).post(link, {})
    assert resp.status_code == 400
    assert "De link is verlopen." in resp.get_data(as_text=True)
    assert status_of(app, sub.reference) == ("awaiting_email", None)
    assert count(app, UsedToken) == 0


def test_avg12_a_confirmation_link_made_long_ago_is_refused(client, app, mailbox, monkeypatch):
    """The same with a token signed in the past, under the real maximum age."""
    sub = Filer(client).fill(Filing()).submit()
    mailbox.wait_for(1)
    old = int(time.time()) - app.config["EMAIL_CONFIRM_MAX_AGE"] - 60
    with monkeypatch.context() as m, app.app_context():
        m.setattr(TimestampSigner, "get_timestamp", lambda self: old)
        token = tokens.make("email-confirm", {"r": sub.reference})
    resp = Filer(client).post(f"/bevestigen/{token}", {})
    assert resp.status_code == 400
    assert "De link is verlopen." in resp.get_data(as_text=True)
    assert status_of(app, sub.reference) == ("awaiting_email", None)


def test_avg12_a_tampered_confirmation_link_is_refused(filed, client, app):
    sub, link = filed
    token = link.rsplit("/", 1)[1]
    # itsdangerous: [.]payload.timestamp.signature (a leading dot marks compression).
    payload, stamp, signature = token.rsplit(".", 2)
    rest = f"{stamp}.{signature}"
    forged_payload = URLSafeTimedSerializer("not-the-secret", salt=tokens.SALTS["email-confirm"]).dumps(
        {"r": sub.reference, "j": "forged"})
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature changed
                payload[:-1] + ("x" if payload[-1] != "x" else "y") + "." + rest,  # payload changed
                forged_payload,  # signed with another key
                "x" * 1001):  # absurdly long
        resp = Filer(app.test_client()).post(f"/bevestigen/{bad}", {})
        assert resp.status_code == 400, bad
        assert "De link is niet compleet of niet geldig." in resp.get_data(as_text=True)
    assert status_of(app, sub.reference) == ("awaiting_email", None)
    assert count(app, UsedToken) == 0
    # The real link still works afterwards.
    assert Filer(client).post(link, {}).status_code == 200


def test_avg12_a_link_made_for_another_purpose_does_not_confirm(filed, client, app):
    sub, _link = filed
    with app.app_context():
        status_token = tokens.make("status-link", {"r": sub.reference, "p": 1})
    resp = Filer(client).post(f"/bevestigen/{status_token}", {})
    assert resp.status_code == 400
    assert status_of(app, sub.reference) == ("awaiting_email", None)
    assert count(app, Request, status="received") == 0
