"""Step 4, the PDF: asked from the job queue (never rendered in a web worker), rendered
with progress, read back and searched by the final gate (threat model T9); and the
CLI's draft through the same plan, document and renderer."""
from __future__ import annotations

import logging

import hashlib
from collections.abc import Callable
from flask import current_app
from ...infra.extensions import db
from ...models import Copy, CopyRedaction, Dossier, Request, utcnow
from ...rules import redaction as R
from .. import audit
from ..authz import Actor
from .. import signals
from ..timeline import today_local
from .common import CopyError, SENSITIVE_LIFT_GROUNDS, editable, is_stale, log_access, person_value, readers_of
from .planning import plan
from .document import copy_model, document_from_plan
from .workbench import texts_up_to_date

log = logging.getLogger(__name__)


# --- 4. rendering ----------------------------------------------------------------------------

def request_render(actor: Actor, reference: str, copy_id: int) -> Copy:
    """Ask the job queue for the PDF of the copy as it is now (a draft: "CONCEPT")."""
    req, copy = editable(actor, reference, copy_id)
    if is_stale(copy):
        raise CopyError("copy_stale")  # redaction offsets belong to the older text
    if copy.render_state in ("queued", "rendering"):
        raise CopyError("already_rendering")
    if texts_up_to_date(copy):  # a copy made before those redactions were stored: the detector first
        db.session.commit()
        signals.copy_texts_changed.send(copy.id)
        copy = db.session.get(Copy, copy_id)
    copy.render_state, copy.render_progress, copy.render_error = "queued", 0, None
    log_access(actor, "copy.render", req, copy)
    db.session.commit()
    signals.copy_render_wanted.send(copy.id, version=copy.version)
    return copy


def render(copy: Copy, *, progress: Callable[[int], None] | None = None) -> bytes:
    """The PDF of a stored copy: the document with its redacted attachments on pages of
    their own (footer, page numbers, an OCR text layer of the redacted pixels, tagged;
    portal/documents/attachment_pages.py). Only the attachments the document includes:
    none of an entry that is withheld, shielded or deleted."""
    from ...documents.copy_pdf import render_copy_pdf

    progress = progress or (lambda pct: None)
    progress(10)
    model = copy_model(copy, draft=copy.status != Copy.RELEASED)
    progress(30)
    vault = current_app.extensions["vault"]
    if any(a.redacted_ciphertext is None for a in model.attachments):
        raise CopyError("attachment_missing")
    parts = [vault.decrypt(a.redacted_ciphertext) for a in model.attachments]
    # The OCR text layers kept when the attachments were redacted (None: made now).
    layers = [vault.decrypt(a.ocr_ciphertext) if a.ocr_ciphertext else None for a in model.attachments]
    pdf = render_copy_pdf(model.document, attachments=parts, text_layers=layers)
    progress(95)
    return pdf


def run_render(copy_id: int, version: int) -> None:
    """Background job: render the copy as it is at ``version`` and keep it encrypted."""
    copy = db.session.get(Copy, copy_id)
    if copy is None:
        return
    if copy.version != version:
        copy.render_state = "idle"  # changed since: a new render will be asked
        db.session.commit()
        return
    copy.render_state, copy.render_progress = "rendering", 5
    db.session.commit()

    def progress(pct: int) -> None:
        db.session.execute(db.update(Copy).where(Copy.id == copy_id).values(render_progress=pct))
        db.session.commit()

    try:
        pdf = render(copy, progress=progress)
    except Exception:  # noqa: BLE001 - recorded for the caseworker, logged without content
        db.session.rollback()
        log.exception("rendering copy %s failed", copy_id)
        db.session.execute(db.update(Copy).where(Copy.id == copy_id).values(render_state="failed",
                                                                           render_error="render_failed"))
        db.session.commit()
        return
    pages, text = pdf_text(pdf)
    copy = db.session.get(Copy, copy_id)
    hits = final_gate(copy, text)
    if hits and copy.status == Copy.RELEASED:
        # The final file would show the reporter or a protected address: it is not kept
        # and cannot be downloaded; the caseworker sees why.
        log.error("final gate stopped the released copy %s: %d hit(s)", copy_id, len(hits))
        copy.render_state, copy.render_error, copy.render_progress = "failed", f"final_gate:{len(hits)}", 0
        db.session.commit()
        return
    copy.pdf_ciphertext = current_app.extensions["vault"].encrypt(pdf)
    copy.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    copy.pdf_pages = pages
    copy.rendered_version, copy.rendered_at = version, utcnow()
    copy.render_error = f"final_gate:{len(hits)}" if hits else None
    copy.render_state, copy.render_progress = "done", 100
    db.session.commit()


def pdf_text(pdf: bytes) -> tuple[int, str]:
    """(pages, text) of a rendered copy, read back with pdfium (as a reader would)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        texts = []
        for i in range(len(doc)):
            page = doc[i]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return len(doc), "\n".join(texts)
    finally:
        doc.close()


def final_gate(copy: Copy, text: str) -> list[R.Span]:
    """The last wall (docs/threat-model.md, T9): the rendered file's own text searched
    for every identifier of the reporter and for protected whereabouts that the copy's
    reader may not see. A hit stops the review and the release, unless a team leader
    signs a lift of exactly such a redaction (then the hit is what they signed)."""
    if any(r.state == CopyRedaction.LIFTED and r.ground in SENSITIVE_LIFT_GROUNDS for r in copy.redactions):
        return []
    req = db.session.get(Request, copy.request_id)
    persons = [person_value(p) for p in copy.link.dossier.persons]
    spans = R.find_known_identifiers(text, persons, copy_for=copy.link.person.person_id,
                                     readers=readers_of(req, copy.link))
    return [s for s in spans if s.ground in (R.REPORTER_PROTECTION, R.SAFETY)]


# --- the CLI's draft: same plan, same document, same renderer ------------------------------------

def draft_pdf(dossier_id: str, person_id: str, *, language: str = "nl") -> bytes:
    """The automatically redacted draft for one subject of an imported dossier (``flask
    afschrift draft``): the plan of ``create_copy`` with the detector, the document and
    the renderer of the back office. Attachments are not in it (unreviewed: withheld)."""
    from ...documents.copy_pdf import render_copy_pdf

    dossier = db.session.execute(db.select(Dossier).filter_by(dossier_id=dossier_id)).scalar_one_or_none()
    if dossier is None:
        raise CopyError("dossier_not_found")
    person = next((p for p in dossier.persons if p.person_id == person_id), None)
    if person is None:
        raise CopyError("person_not_found")
    if person.role != "subject":
        raise CopyError("not_a_subject")
    planned = plan(dossier, person, requester_is_subject=True)
    today = today_local()
    doc = document_from_plan(planned, language=language, reference=dossier.dossier_id,
                             recipient_name=f"{person.given_names} {person.family_name}",
                             subject_name=f"{person.given_names} {person.family_name}", on_behalf=False,
                             received_on=today, made_on=today, draft=True)
    audit.record("copy.draft.cli", actor="cli", actor_role="operator", object_type="dossier", object_id=dossier.id,
                 reason=f"dossier {dossier.dossier_id} person {person.person_id}")
    db.session.commit()
    return render_copy_pdf(doc)
