"""Helpers for the queue, request-page, deadline, extension and digest tests: file a
request through the public service (portal.services.requests.submit_request), look at
what was stored, and log in staff. No assertions about the app here."""
from __future__ import annotations

import copy
import re
import secrets
from datetime import date, timedelta

from portal.infra.extensions import db
from portal.models import AuditEvent, Party, Request, Staff, utcnow
from portal.services import requests as svc
from portal.services.authz import Actor

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

# The child is always 8 this year (never a fixed year that ages out of "under 12").
CHILD_BIRTH_DATE = date(date.today().year - 8, 6, 2).isoformat()
CHILD_BIRTH_DATE_NL = date.fromisoformat(CHILD_BIRTH_DATE).strftime("%d-%m-%Y")

SELF = {
    "for_whom": "self",
    "requester": {"given_names": "Sanne", "surname": "de Vries", "birth_date": "1985-03-14", "bsn": None},
    "rights": ["inzage"],
    "details": {},
    "identity": {"method": "in_person"},
    "contact": {"email_ok": "no", "phone_ok": False, "voicemail_ok": False, "post_ok": False},
}

FOR_CHILD = {
    "for_whom": "child_under_12",
    "rep_kind": "ouder_met_gezag",
    "subject": {"given_names": "Noor", "surname": "Jansen", "birth_date": CHILD_BIRTH_DATE},
    "requester": {"given_names": "Pieter", "surname": "Jansen", "birth_date": "1982-11-20", "bsn": None},
    "rights": ["correctie"],
    "details": {"correctie": {"what_is_wrong": "De school klopt niet.", "should_say": "Een andere school."}},
    "identity": {"method": "in_person"},
    "proof": {"method": "in_person"},
    "contact": {"email_ok": "no", "phone_ok": True, "phone": "+31612345678", "phone_times": "ochtend",
                "voicemail_ok": False, "post_ok": False},
}


def answers(base: dict = SELF, **changes) -> dict:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key].update(value)
        else:
            out[key] = value
    return out


def file(app, base: dict = SELF, *, received: date | None = None, lang: str = "nl", email: str | None = None,
         confirm: bool = True, **changes) -> str:
    """File a request through the public service; returns its reference. Without an
    e-mail address it goes straight to the queue (status received); with one it is
    confirmed (unless confirm=False), as the requester would by clicking the link."""
    a = answers(base, **changes)
    if email:
        a["contact"] = {**a["contact"], "email_ok": "yes", "email": email}
    with app.app_context():
        result = svc.submit_request(a, None, lang=lang, starter_session=secrets.token_urlsafe(8), today=received)
        if email and confirm:
            svc.confirm_email(result.confirm_token)
        db.session.remove()
    return result.reference


def get_request(app, reference: str) -> Request:
    """A detached copy of the stored request with its parties, rights and events loaded."""
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        for rel in (req.parties, req.rights, req.events, req.messages):
            list(rel)
        db.session.expunge_all()
        db.session.remove()
        return req


def update(app, reference: str, **values) -> None:
    with app.app_context():
        db.session.execute(db.update(Request).where(Request.reference == reference).values(**values))
        db.session.commit()
        db.session.remove()


def add_party(app, reference: str, **fields) -> int:
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        party = Party(request_id=req.id, **fields)
        db.session.add(party)
        db.session.commit()
        pid = party.id
        db.session.remove()
        return pid


def actor(app, staff_id: int) -> Actor:
    with app.app_context():
        a = Actor.of(db.session.get(Staff, staff_id), second_factor=True)
        db.session.remove()
        return a


def set_staff(app, staff_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(db.update(Staff).where(Staff.id == staff_id).values(**values))
        db.session.commit()
        db.session.remove()


def audit_entries(app, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        q = db.select(AuditEvent).order_by(AuditEvent.id)
        if action:
            q = q.where(AuditEvent.action == action)
        rows = db.session.execute(q).scalars().all()
        db.session.expunge_all()
        db.session.remove()
        return rows


def csrf(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def post(client, page_url: str, action_url: str, data: dict):
    """GET the page for its CSRF token, then POST the form."""
    html = client.get(page_url).get_data(as_text=True)
    return client.post(action_url, data={"csrf_token": csrf(html), **data})


def days_ago(app, n: int) -> date:
    with app.app_context():
        return svc.today_local() - timedelta(days=n)


def now():
    return utcnow()
