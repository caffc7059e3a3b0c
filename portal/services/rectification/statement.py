"""Own statement (art. 16): the statement the request asks for (text and PDF), adding it
to the dossier person of the linked request with an instruction "add_statement",
proposing the grant a team leader signs, and opening its PDF (logged)."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app

from ...infra.crypto import VaultError
from ...infra.extensions import db
from ...models import Decision, Document, OwnStatement, Request
from ...rules import grounds as G
from ...rules.permissions import Permission
from .. import authz, decisions, instructions, signals, timeline
from ..authz import Actor
from ..copies.common import links_of
from ..timeline import today_local
from .common import (OWN_STATEMENT, STATEMENT_MAX, RectificationError, clean_text, copies_to_redo, decisions_of,
                     eligible_by_pk, load, log_access, require_asked, require_verified, statements_for_request)
from .guards import require_working


def requested_statement(req: Request) -> str:
    right = next((r for r in req.rights if r.right == OWN_STATEMENT), None)
    return str(((right.details if right else {}) or {}).get("statement") or "").strip()


def request_statement_document(req: Request) -> Document | None:
    return db.session.execute(db.select(Document).filter_by(request_id=req.id, kind=Document.STATEMENT)
                              .order_by(Document.id.desc())).scalars().first()


def _decrypt_checked(ciphertext: bytes, sha256: str) -> bytes:
    try:
        data = current_app.extensions["vault"].decrypt(ciphertext)
    except VaultError:
        raise RectificationError("pdf_unreadable") from None
    if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), sha256 or ""):
        raise RectificationError("pdf_unreadable")
    return data


def add_statement(actor: Actor, reference: str, *, link_id: int, text: str | None, entry_pks: Sequence[int],
                  upload: bytes | None = None, use_request_pdf: bool = False) -> OwnStatement:
    """Add the person's own statement to the dossier person of the linked request (art.
    16): the text as they wrote it, optionally a PDF (a new upload, checked and cleaned
    by portal/documents/uploads.py, or the one sent with the request), linked to the entries it
    responds to; an instruction "add_statement" for the registration system. One
    transaction: on any error nothing is stored."""
    from ...documents.uploads import UploadRejected, inspect_upload

    authz.require(actor, Permission.DECISION_PROPOSE, object_type="request", subject_ref=reference)
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="request", subject_ref=reference)
    req = load(reference)
    require_asked(req, OWN_STATEMENT)
    require_working(req)
    require_verified(req)
    for d in decisions_of(req, OWN_STATEMENT):
        if d.state == Decision.SIGNED and d.outcome == G.Outcome.REFUSE.value:
            raise RectificationError("statement_refused")
    if statements_for_request(req):
        raise RectificationError("statement_exists")
    link = next((ln for ln in links_of(req) if ln.id == link_id), None)
    if link is None:
        raise RectificationError("not_linked")
    body = clean_text(text, STATEMENT_MAX, "statement_too_long") or ""
    eligible = {pk: e for pk, e in eligible_by_pk(req).items() if e.link.id == link.id}
    wanted = list(dict.fromkeys(int(p) for p in entry_pks))
    if not wanted:
        raise RectificationError("entries_required")
    if any(p not in eligible for p in wanted):
        raise RectificationError("entry_not_eligible")
    pdf = None
    if upload is not None:
        try:
            clean = inspect_upload(upload, max_bytes=current_app.config["UPLOAD_MAX_BYTES"],
                                   max_pixels=current_app.config["UPLOAD_MAX_PIXELS"])
        except UploadRejected as exc:
            raise RectificationError(f"upload_{exc.code}") from None
        if clean.content_type != "application/pdf":
            raise RectificationError("upload_not_pdf")
        pdf = clean.content
    elif use_request_pdf:
        doc = request_statement_document(req)
        if doc is None:
            raise RectificationError("no_request_pdf")
        pdf = _decrypt_checked(doc.ciphertext, doc.sha256)
    if not body and pdf is None:
        raise RectificationError("statement_required")
    st = OwnStatement(request_id=req.id, dossier_pk=link.dossier_pk, person_pk=link.person_pk, text=body,
                      added_by=actor.staff_id)
    if pdf is not None:
        st.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        st.pdf_ciphertext = current_app.extensions["vault"].encrypt(pdf)
    st.responds_to = [eligible[p].entry for p in wanted]
    db.session.add(st)
    db.session.flush()
    payload = {
        "request": req.reference,
        "statement_id": st.id,
        "person_id": link.person.person_id,
        "added_on": today_local().isoformat(),
        "responds_to": [eligible[p].entry.entry_id for p in wanted],
        "text": body,
        "pdf": {"media_type": "application/pdf", "sha256": st.pdf_sha256} if pdf is not None else None,
    }
    ins = instructions.create(actor, req, link.dossier.dossier_id, "add_statement", payload)
    redo = copies_to_redo({link.dossier_pk}, person_pk=link.person_pk)
    timeline.event(req, "own_statement_added", actor.label, public=False)
    log_access(actor, "statement.add", req, object_type="own_statement", object_id=st.id,
               reason=f"dossier {link.dossier.dossier_id} person {link.person.person_id}: instruction {ins.id}, "
                      f"{len(redo)} copy(ies) to render again")
    db.session.commit()
    for copy_id in redo:
        signals.copy_texts_changed.send(copy_id)
    return st


def propose_statement_decision(actor: Actor, reference: str) -> Decision:
    """Propose granting the own statement once it is added: a team leader signs it and
    the letter confirms it to the requester."""
    authz.require(actor, Permission.DECISION_PROPOSE, object_type="request", subject_ref=reference)
    req = load(reference)
    require_asked(req, OWN_STATEMENT)
    if not statements_for_request(req):
        raise RectificationError("no_statement")
    sent_back = next((d for d in decisions_of(req, OWN_STATEMENT) if d.state == Decision.SENT_BACK), None)
    try:
        if sent_back is not None:
            return decisions.revise(actor, reference, sent_back.id, G.Outcome.GRANT.value, [], None)
        return decisions.propose(actor, reference, OWN_STATEMENT, G.Outcome.GRANT.value, [], None)
    except decisions.DecisionError as exc:
        db.session.rollback()
        raise RectificationError(exc.code) from None


@dataclass(frozen=True)
class PdfFile:
    data: bytes
    filename: str


def open_statement_pdf(actor: Actor, reference: str, statement_id: int) -> PdfFile:
    """The PDF of an added statement (for staff, and to hand to the registration
    system). Logged."""
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="own_statement", object_id=statement_id,
                  subject_ref=reference)
    req = load(reference)
    st = db.session.get(OwnStatement, statement_id)
    if st is None or st.request_id != req.id or st.pdf_ciphertext is None:
        raise RectificationError("statement_not_found")
    data = _decrypt_checked(st.pdf_ciphertext, st.pdf_sha256)
    log_access(actor, "statement.pdf.view", req, object_type="own_statement", object_id=st.id)
    db.session.commit()
    return PdfFile(data, f"eigen-verklaring-{req.reference}-{st.id}.pdf")


def open_request_statement_pdf(actor: Actor, reference: str) -> PdfFile:
    """The PDF the requester sent with the request (before it is added). Logged."""
    authz.require(actor, Permission.DOSSIER_VIEW, object_type="request", subject_ref=reference)
    req = load(reference)
    require_asked(req, OWN_STATEMENT)
    doc = request_statement_document(req)
    if doc is None:
        raise RectificationError("no_request_pdf")
    data = _decrypt_checked(doc.ciphertext, doc.sha256)
    log_access(actor, "document.view", req, object_type="document", object_id=doc.id, reason="own statement (art. 16)")
    db.session.commit()
    return PdfFile(data, f"verklaring-{req.reference}.pdf")
