"""Helpers for the identity-check, art. 20.4, decision and letter tests: file requests
(with uploads) through the public service, act as staff through the services, read
PDFs back. No assertions about the app here beyond what a helper needs."""
from __future__ import annotations

import copy
import io
import secrets

from PIL import Image

from portal.infra.extensions import db
from portal.models import AuditEvent, Document, Request, Staff
from portal.services import casework, drafts
from portal.services import requests as svc
from portal.services.authz import Actor
from portal.documents.uploads import inspect_upload
from tests.app.support import open_status_session

from .queue_helpers import FOR_CHILD as QUEUE_FOR_CHILD
from .queue_helpers import SELF as QUEUE_SELF
from .queue_helpers import answers, csrf

# The same made-up people as the queue tests, but with uploaded ID copies and proofs.
SELF = answers(QUEUE_SELF, identity={"method": "upload"})
FOR_CHILD = answers(QUEUE_FOR_CHILD, rights=["inzage"], details={}, identity={"method": "upload"},
                    proof={"method": "upload"},
                    contact={"email_ok": "no", "phone_ok": False, "voicemail_ok": False, "post_ok": False})


def jpeg(colour=(200, 180, 160)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(buf, "JPEG")
    return buf.getvalue()


def pdf_file() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def file(app, base: dict = SELF, *, lang: str = "nl", id_copy: bytes | None = None, proof_copy: bytes | None = None,
         email: str | None = None, **changes) -> str:
    """File a request through the public service, with the uploads the answers ask for
    (an ID copy when identity is "upload", a proof when proof is "upload")."""
    a = copy.deepcopy(base)
    for key, value in changes.items():
        a[key] = value
    if email:
        a["contact"] = {**a["contact"], "email_ok": "yes", "email": email}
    with app.app_context():
        draft_id = drafts.save(None, a)
        if a["identity"]["method"] == "upload":
            draft_id = drafts.save_with_upload(draft_id, a, "identity", inspect_upload(id_copy or jpeg()))
        if (a.get("proof") or {}).get("method") == "upload":
            draft_id = drafts.save_with_upload(draft_id, a, "representation", inspect_upload(proof_copy or pdf_file()))
        result = svc.submit_request(a, draft_id, lang=lang, starter_session=secrets.token_urlsafe(8))
        if email:
            svc.confirm_email(result.confirm_token)
        db.session.remove()
    return result.reference


def actor(app, staff_id: int) -> Actor:
    with app.app_context():
        staff = db.session.get(Staff, staff_id)
        out = Actor.of(staff, second_factor=True)
        db.session.remove()
        return out


def request_of(reference: str) -> Request:
    """Inside an app context: the stored request."""
    return db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()


def verify_everyone(app, reference: str, who: Actor) -> None:
    """Record a verified identity (and representation where needed) check for everyone
    taking part, as a caseworker would after looking at the documents."""
    with app.app_context():
        req = request_of(reference)
        todo = [(p.id, casework.needs_representation(p), bool(p.identity_method == "upload")) for p in casework.taking_part(req)]
        db.session.remove()
    for party_id, rep, uploaded in todo:
        with app.app_context():
            casework.record_check(who, reference, party_id, kind="identity", method="id_copy" if uploaded else "in_person",
                                  document_kind="paspoort", name_matches=True, birth_date_matches=True, result="verified")
            if rep:
                with_copy = db.session.execute(
                    db.select(Document.id).filter_by(party_id=party_id, kind="representation")).first() is not None
                casework.record_check(who, reference, party_id, kind="representation",
                                      method="id_copy" if with_copy else "in_person",
                                      document_kind="uittreksel_gezagsregister", name_matches=True,
                                      birth_date_matches=True, result="verified")
            db.session.remove()


def audit_actions(app, reference: str) -> list[tuple[str, str, str | None, str]]:
    """(action, object_type, object_id, reason) of the access-log entries for a request."""
    with app.app_context():
        rows = db.session.execute(
            db.select(AuditEvent.action, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.reason)
            .where(AuditEvent.subject_ref == reference).order_by(AuditEvent.id)).all()
        db.session.remove()
        return [tuple(r) for r in rows]


def csrf_of(client, path: str) -> str:
    return csrf(client.get(path).get_data(as_text=True))


def post_form(client, page: str, action: str, data: dict, **kw):
    """POST a form on `page` (takes its CSRF token from there, as the browser would)."""
    token = csrf_of(client, page)
    return client.post(action, data={"csrf_token": token, "next": page, **data}, **kw)


def status_login(client, reference: str, party_id: int) -> None:
    """A status-page login in the test client (as the passphrase login makes one)."""
    open_status_session(client, reference, party_id)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def pdf_metadata(data: bytes) -> dict:
    from pypdf import PdfReader

    meta = PdfReader(io.BytesIO(data)).metadata or {}
    return {k: str(v) for k, v in meta.items()}
