"""Letters to the requester: a PDF per signed decision (and per extension), in the
request's language, encrypted at rest, released on the status page.

A decision letter holds the decision, the written reasons, the grounds with their
articles (portal/rules/grounds.py) and the complaint route of art. 21. It names no
member of staff (the team leader signs by function) and no third party; its PDF title
is a neutral word. The sha256 of the PDF is stored with it and checked when it is read.

Rendering: portal/documents/pdf.py (WeasyPrint, nothing fetched from outside portal/static).
Templates: portal/templates/pdf/. They are rendered with the Jinja environment
directly (not flask.render_template), so a letter can be made outside a web request
too (a job, the CLI) and no context processor can add anything to it. A letter says
"je" when its readers are young (notices.readers_are_young, portal/young.py), "u" else.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import force_locale

from ..infra.crypto import VaultError
from ..infra.extensions import db
from ..models import Decision, Extension, Letter, Request, utcnow
from ..documents.pdf import render_pdf
from ..rules.grounds import Ground, Outcome
from ..rules.permissions import Permission
from ..rules.rights import ARTICLES, Right
from ..young import reading
from . import audit, left_out, notices
from .references import by_reference
from .timeline import today_local
from .authz import Actor, require

DECISION = "decision"
EXTENSION = "extension"


class LetterNotFound(Exception):
    """No such letter for this request (or not released): the same answer either way."""


def _article_number(right: str) -> str:
    return ARTICLES[Right(right)].removeprefix("art. ")


def _render(template: str, req: Request, **context) -> bytes:
    app = current_app._get_current_object()

    # "Je" or "u" from who the letter is addressed to, not from who signs or previews it.
    with force_locale(req.language), reading(notices.readers_are_young(req)):
        html = app.jinja_env.get_template(template).render(
            req=req, lang=req.language, today=today_local(), org_name=app.config["ORGANISATION_NAME"],
            org_phone=app.config["ORGANISATION_PHONE"], **context)
    return render_pdf(html)


def _right_part(dec: Decision):
    """What a letter prints for its right (pdf/decision/_<right>.html), or None: the
    items of a correction and an own statement (art. 15, 16), what happens after a
    destruction or erasure (art. 17, 18)."""
    if dec.right in ("correctie", "eigen_verklaring"):
        from .rectification.letter import letter_part
    elif dec.right in ("vernietiging", "gegevenswissing"):
        from .destruction.letter import letter_part
    else:
        return None
    return letter_part(dec)


def render_decision_letter(req: Request, dec: Decision, *, replaced: Decision | None = None) -> bytes:
    """The PDF of a decision letter (not stored)."""
    grounds = [Ground(g) for g in dec.grounds]
    return _render("pdf/decision_letter.html", req, decision=dec, outcome=Outcome(dec.outcome),
                   grounds=grounds, article_number=_article_number(dec.right), replaced=replaced,
                   right_part=_right_part(dec))


def _store(req: Request, pdf: bytes, *, kind: str, decision: Decision | None = None,
           extension: Extension | None = None, release: bool = True) -> Letter:
    now = utcnow()
    letter = Letter(request_id=req.id, decision_id=decision.id if decision else None,
                    extension_id=extension.id if extension else None, kind=kind, language=req.language,
                    created_at=now, released_at=now if release else None,
                    sha256=hashlib.sha256(pdf).hexdigest(),
                    ciphertext=current_app.extensions["vault"].encrypt(pdf))
    db.session.add(letter)
    db.session.flush()
    return letter


def issue_decision_letter(req: Request, dec: Decision, *, replaced: Decision | None, actor: Actor) -> Letter:
    """Make, encrypt, store and release the letter for a decision being signed. Runs in
    the signing transaction (portal/services/decisions.sign); the caller commits."""
    letter = _store(req, render_decision_letter(req, dec, replaced=replaced), kind=DECISION, decision=dec)
    audit.record("letter.issue", actor=actor.label, actor_role=actor.role.value, object_type="letter",
                 object_id=letter.id, subject_ref=req.reference, reason=f"request {req.reference}")
    return letter


def keep_extension_letter(req: Request, extension: Extension, *, actor: Actor | None = None) -> Letter:
    """The letter for an extension of the answer period (AVG 12(3)), kept and released
    with it. For portal/services/casefile.extend, inside its transaction."""
    pdf = _render("pdf/extension_letter.html", req, extension=extension)
    letter = _store(req, pdf, kind=EXTENSION, extension=extension)
    audit.record("letter.issue", actor=actor.label if actor else "system",
                 actor_role=actor.role.value if actor else "system", object_type="letter",
                 object_id=letter.id, subject_ref=req.reference, reason=f"request {req.reference}")
    return letter


# --- reading letters back -------------------------------------------------------------------

@dataclass(frozen=True)
class LetterListing:
    id: int
    kind: str
    right: str | None
    released_at: datetime


@dataclass(frozen=True)
class LetterFile:
    data: bytes
    filename: str


def released_letters(req: Request) -> list[LetterListing]:
    """The letters the requester can download from the status page, oldest first."""
    rows = db.session.execute(
        db.select(Letter.id, Letter.kind, Letter.released_at, Decision.right, Extension.right)
        .outerjoin(Decision, Decision.id == Letter.decision_id)
        .outerjoin(Extension, Extension.id == Letter.extension_id)
        .where(Letter.request_id == req.id, Letter.released_at.is_not(None))
        .order_by(Letter.released_at, Letter.id)
    ).all()
    return [LetterListing(id=i, kind=kind, right=d_right or e_right, released_at=released)
            for i, kind, released, d_right, e_right in rows]


def letters_of(req: Request) -> list[Letter]:
    return list(db.session.execute(db.select(Letter).filter_by(request_id=req.id).order_by(Letter.id)).scalars())


def _plaintext(letter: Letter) -> bytes:
    try:
        data = current_app.extensions["vault"].decrypt(letter.ciphertext)
    except VaultError:
        raise LetterNotFound() from None
    if not hmac.compare_digest(hashlib.sha256(data).hexdigest(), letter.sha256):
        raise LetterNotFound()
    return data


def _filename(req: Request, letter: Letter) -> str:
    word = {("nl", DECISION): "besluit", ("en", DECISION): "decision",
            ("nl", EXTENSION): "verlenging", ("en", EXTENSION): "extension"}.get((letter.language, letter.kind), "brief")
    return f"{word}-{req.reference}-{letter.id}.pdf"


def download_for_requester(reference: str, party_id: int, letter_id: int) -> LetterFile:
    """A released letter of the request whose status page this browser may see (the
    caller checked the login). Another request's letter is not found. Logged."""

    req = by_reference(reference)
    if req is None:
        raise LetterNotFound()
    party = next((p for p in req.parties if p.id == party_id), None)
    letter = db.session.execute(
        db.select(Letter).where(Letter.id == letter_id, Letter.request_id == req.id, Letter.released_at.is_not(None))
    ).scalar_one_or_none()
    if party is None or letter is None or left_out.since(req, party.id) is not None:
        # Art. 20.4: a parent the invited child kept out gets no letter about the child.
        raise LetterNotFound()
    data = _plaintext(letter)
    audit.record("letter.download", actor=party.role, actor_role="public", object_type="letter", object_id=letter.id,
                 subject_ref=req.reference, reason="status page")
    db.session.commit()
    return LetterFile(data, _filename(req, letter))


def open_for_staff(actor: Actor, reference: str, letter_id: int) -> LetterFile:
    """A stored letter of this request, for staff (Permission.LETTER_VIEW). Logged."""
    require(actor, Permission.LETTER_VIEW, object_type="letter", object_id=letter_id, subject_ref=reference)
    req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one_or_none()
    letter = None
    if req is not None:
        letter = db.session.execute(
            db.select(Letter).where(Letter.id == letter_id, Letter.request_id == req.id)).scalar_one_or_none()
    if letter is None:
        raise LetterNotFound()
    data = _plaintext(letter)
    audit.record("letter.view", actor=actor.label, actor_role=actor.role.value, object_type="letter",
                 object_id=letter.id, subject_ref=req.reference, reason=f"request {req.reference}")
    db.session.commit()
    return LetterFile(data, _filename(req, letter))


def preview_decision_letter(actor: Actor, reference: str, decision_id: int) -> LetterFile:
    """What the letter of a decision would look like, before it is signed (not stored)."""
    require(actor, Permission.LETTER_VIEW, object_type="decision", object_id=decision_id, subject_ref=reference)
    req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one_or_none()
    dec = None
    if req is not None:
        dec = db.session.execute(
            db.select(Decision).where(Decision.id == decision_id, Decision.request_id == req.id)).scalar_one_or_none()
    if dec is None:
        raise LetterNotFound()
    replaced = db.session.get(Decision, dec.replaces_id) if dec.replaces_id else None
    pdf = render_decision_letter(req, dec, replaced=replaced)
    audit.record("letter.preview", actor=actor.label, actor_role=actor.role.value, object_type="decision",
                 object_id=dec.id, subject_ref=req.reference, reason=f"request {req.reference}")
    db.session.commit()
    return LetterFile(pdf, f"preview-{req.reference}-{dec.id}.pdf")
