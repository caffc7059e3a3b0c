"""What correction (art. 15) and own statement (art. 16) share: the error, the constants,
loading the request and its correction items and statements, the access-log entry, the
decisions on the right, the entries of the subject's own part of the linked dossier(s)
(art. 13) that can be corrected or answered, and the unreleased copies that must be
rendered again after a change.

This module never imports the decisions service: the letter's part (letter.py) reads it,
and the decisions service makes the letter."""
from __future__ import annotations

from dataclasses import dataclass

from ...infra.extensions import db
from ...models import Copy, CorrectionItem, Decision, DossierEntry, DossierLink, OwnStatement, Request
from ...rules.rights import Right
from ...rules.selection import entries_for_copy
from .. import audit, casework
from ..authz import Actor
from ..copies.common import entry_value, links_of, person_value, requester_is_subject
from ..copies.texts import remake
from ..errors import DomainError, load_request

RECTIFICATION = Right.RECTIFICATION.value  # "correctie"
OWN_STATEMENT = Right.OWN_STATEMENT.value  # "eigen_verklaring"

IMPROVE, DELETE, SHIELD, REFUSE = (CorrectionItem.IMPROVE, CorrectionItem.DELETE, CorrectionItem.SHIELD,
                                   CorrectionItem.REFUSE)
OUTCOMES = (IMPROVE, DELETE, SHIELD, REFUSE)
CHANGES = (IMPROVE, DELETE, SHIELD)
OPEN, PROPOSED, DECIDED, EXECUTED = "open", "proposed", "decided", "executed"

WISH_MAX = 5000  # as the public form (portal/public/forms.py TEXT_MAX)
NEW_TEXT_MAX = 20000
STATEMENT_MAX = 20000  # as the public form (TEXT_MAX * 4)
REASONS_MAX = 10000
ITEMS_MAX = 50


class RectificationError(DomainError):
    """A stable code the face turns into a sentence (backoffice/rights.py)."""


# --- small helpers --------------------------------------------------------------------------

def load(reference: str) -> Request:
    return load_request(reference, RectificationError)


def require_asked(req: Request, right: str) -> None:
    if not any(r.right == right for r in req.rights):
        raise RectificationError("right_not_asked")


def require_verified(req: Request) -> None:
    """Art. 20.5: no dossier data (and no link) before everyone taking part is verified."""
    if not casework.identity_verified(req):
        raise RectificationError("identity_not_verified")


def log_access(actor: Actor, action: str, req: Request, *, object_type: str = "request", object_id=None,
               reason: str | None = None, outcome: str = "ok") -> None:
    audit.record(action, actor=actor.label, actor_role=actor.role.value, object_type=object_type,
                 object_id=object_id if object_id is not None else req.id, subject_ref=req.reference,
                 reason=(reason or f"request {req.reference}")[:200], outcome=outcome)


def clean_text(value: str | None, limit: int, too_long: str) -> str | None:
    """Trimmed text or None; line breaks kept (plain text, escaped wherever shown)."""
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise RectificationError(too_long)
    return text or None


def decisions_of(req: Request, right: str) -> list[Decision]:
    return list(db.session.execute(
        db.select(Decision).filter_by(request_id=req.id, right=right).order_by(Decision.id)).scalars())


def standing_decision(req: Request, right: str) -> Decision | None:
    return next((d for d in decisions_of(req, right) if d.state == Decision.SIGNED), None)


def open_decision(req: Request, right: str) -> Decision | None:
    return next((d for d in decisions_of(req, right) if d.state in (Decision.PROPOSED, Decision.SENT_BACK)), None)


# --- the subject's part of the linked dossier(s) (art. 13) ----------------------------------

@dataclass(frozen=True)
class Eligible:
    link: DossierLink
    entry: DossierEntry


def eligible_entries(req: Request) -> list[Eligible]:
    """The entries of every linked dossier that are the subject's own part (art. 13, the
    same selection as their copy): only these can be corrected or answered."""
    out: list[Eligible] = []
    for link in links_of(req):
        dossier = link.dossier
        persons = [person_value(p) for p in dossier.persons]
        by_id = {e.entry_id: e for e in dossier.entries}
        chosen = entries_for_copy([entry_value(e) for e in dossier.entries], subject_id=link.person.person_id,
                                  requester_is_subject=requester_is_subject(req), persons=persons,
                                  requester_id=link.requester_person.person_id if link.requester_person else None,
                                  joint=req.joint)
        out += [Eligible(link, by_id[v.id]) for v in chosen]
    return out


def eligible_by_pk(req: Request) -> dict[int, Eligible]:
    return {e.entry.id: e for e in eligible_entries(req)}


def copies_to_redo(dossier_pks: set[int], *, person_pk: int | None = None,
                   drop_entries: set[int] = frozenset(), drop_attachments_of: set[int] = frozenset()) -> list[int]:
    """Unreleased copies of these dossiers (of one person, for a statement) hold an older
    state of the dossier: back to draft, a new version to render and check. A deleted
    entry leaves them; a shielded entry's attachments leave them; the redactions of an
    improved entry's new text and of an own statement are made again (``copies.texts``,
    issue 12), the detector to run over them after the commit
    (``signals.copy_texts_changed``, sent by the caller). Returns the copies' ids."""
    q = db.select(Copy).join(DossierLink, DossierLink.id == Copy.link_id).where(
        DossierLink.dossier_pk.in_(sorted(dossier_pks)), Copy.status.in_((Copy.DRAFT, Copy.REVIEWED, Copy.SIGNED)))
    if person_pk is not None:
        q = q.where(DossierLink.person_pk == person_pk)
    out = []
    for copy in db.session.execute(q).scalars():
        for ce in [ce for ce in copy.entries if ce.entry_pk in drop_entries]:
            copy.entries.remove(ce)
        for r in [r for r in copy.redactions if r.entry_pk in drop_entries]:
            copy.redactions.remove(r)
        for a in [a for a in copy.attachments if a.attachment.entry_pk in (drop_entries | drop_attachments_of)]:
            copy.attachments.remove(a)
        db.session.flush()  # the correction or statement that landed: visible to ``remake``
        remake(copy)
        copy.detector_state = "pending"
        copy.version += 1
        copy.status = Copy.DRAFT
        copy.reviewed_by = copy.reviewed_at = copy.signed_by = copy.signed_at = None
        out.append(copy.id)
    return out


# --- the request's correction items (art. 15) and own statements (art. 16) -----------------------

def items_of(req: Request) -> list[CorrectionItem]:
    return list(db.session.execute(db.select(CorrectionItem).filter_by(request_id=req.id)
                                   .order_by(CorrectionItem.position, CorrectionItem.id)).scalars())


def statements_for_request(req: Request) -> list[OwnStatement]:
    return list(db.session.execute(db.select(OwnStatement).filter_by(request_id=req.id)
                                   .order_by(OwnStatement.id)).scalars())
