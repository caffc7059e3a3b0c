"""The letters of destruction and erasure (art. 17, 18): the part of a decision letter
besides the decision itself (``letter_part``, which portal/services/letters.py asks),
and the art. 17.3 letter that tells a person of a dossier whose report was refuted the
outcome and their right to ask for destruction (``outcome_letter``).

Imports neither decisions nor letters (letters imports this)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import force_locale

from ...infra.extensions import db
from ...models import Decision, Dossier, Request
from ...rules.eligibility import is_adult
from ...rules.permissions import Permission
from ...young import reading
from .. import audit, authz
from ..copies.common import links_of
from ..timeline import today_local
from .common import (CODES, DESTRUCTION, ERASURE, REFUTED, RIGHTS, DestructionError, applied_exceptions,
                     assessment_of, claimed, concerned_entries, execution_deadline, is_refuted, is_removed, weighed)
from .retention import retention_of


@dataclass(frozen=True)
class LetterPart:
    """What pdf/decision/_vernietiging.html and _gegevenswissing.html print besides the
    decision itself: never a text from the dossier, never another person's name."""

    right: str
    refuted: bool = False
    execute_by: date | None = None
    claimed: tuple[str, ...] = ()
    weighed: dict = field(default_factory=dict)
    exceptions: tuple[str, ...] = ()
    shared_with_others: bool = False


def letter_part(decision: Decision) -> LetterPart:
    req = db.session.get(Request, decision.request_id)
    if req is None or decision.right not in RIGHTS:
        return LetterPart(decision.right)
    a = assessment_of(req, decision.right)
    links = links_of(req)
    shared = any(e.shared_with for link in links for e in concerned_entries(link))
    if decision.right == DESTRUCTION:
        return LetterPart(DESTRUCTION, refuted=any(is_refuted(link) for link in links),
                          execute_by=execution_deadline(req).due, shared_with_others=shared)
    w = weighed(a)
    return LetterPart(ERASURE, claimed=tuple(claimed(a, req)), weighed={c: w[c] for c in CODES if c in w},
                      exceptions=tuple(applied_exceptions(a)), shared_with_others=shared)


# --- the art. 17.3 letter ---------------------------------------------------------------------------

def outcome_letter(by, dossier_id: str, person_id: str, *, language: str = "nl") -> bytes:
    """The letter that tells a person of a dossier whose report the investigation
    refuted the outcome, and that they may ask for their data to be destroyed, which
    VT must then do (art. 17.3, last sentence; art. 17.4: within three months). ``by``:
    a staff Actor (DOSSIER_VIEW) or the command line (``staff.CLI``). Logged."""
    from ...documents.pdf import render_pdf
    from ..staff.common import Operator

    if not isinstance(by, Operator):
        authz.require(by, Permission.DOSSIER_VIEW, object_type="dossier", object_id=dossier_id)
    if language not in current_app.config["LANGUAGES"]:
        raise DestructionError("language_unknown")
    dossier = db.session.execute(db.select(Dossier).filter_by(dossier_id=(dossier_id or "").strip())).scalar_one_or_none()
    if dossier is None:
        raise DestructionError("dossier_not_found")
    person = next((p for p in dossier.persons if p.person_id == (person_id or "").strip()), None)
    if person is None or is_removed(person):
        raise DestructionError("person_not_found")
    if person.role != "subject":
        raise DestructionError("not_a_subject")
    if dossier.outcome != REFUTED:
        raise DestructionError("not_refuted")
    app = current_app._get_current_object()
    # Addressed to the person by name: a young person (under 18) reads "je".
    young = person.birth_date is not None and not is_adult(person.birth_date, today_local())
    with force_locale(language), reading(young):
        html = app.jinja_env.get_template("pdf/outcome_refuted.html").render(
            lang=language, today=today_local(), dossier=dossier, person=person, retention=retention_of(dossier),
            org_name=app.config["ORGANISATION_NAME"], org_phone=app.config["ORGANISATION_PHONE"],
            portal_url=app.config["PUBLIC_BASE_URL"])
    pdf = render_pdf(html)
    label, role = (by.label, by.role_label) if isinstance(by, Operator) else (by.label, by.role.value)
    audit.record("dossier.outcome_letter", actor=label, actor_role=role, object_type="dossier",
                 object_id=dossier.dossier_id, reason=f"dossier {dossier.dossier_id} person {person.person_id}: art. 17.3 letter")
    db.session.commit()
    return pdf
