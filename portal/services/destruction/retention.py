"""The retention of a dossier (art. 9): the years from rules/retention.py with the
dossier's household and the team leaders' extensions, and a team leader extending it
(art. 9.2, ``extend_retention``)."""
from __future__ import annotations

from datetime import date

from ...infra.extensions import db
from ...models import Dossier, DossierLink, Request, RetentionExtension, utcnow
from ...rules import grounds as G
from ...rules import retention as RT
from ...rules.permissions import Permission
from .. import audit, authz, timeline
from ..authz import Actor
from ..timeline import today_local
from .common import REASONS_MAX, YEARS_AHEAD_MAX, DestructionError, check_open, is_removed, load


def household(dossier: Dossier) -> list[RT.HouseholdMember]:
    """The household members the dossier names (role subject; ``household_member`` not
    false). Persons taken out by a destruction carry no birth date and are left out."""
    return [RT.HouseholdMember(p.person_id, p.birth_date) for p in dossier.persons
            if p.role == "subject" and p.household_member is not False and not is_removed(p)]


def retention_extensions(dossier: Dossier) -> list[RetentionExtension]:
    return list(db.session.execute(db.select(RetentionExtension).filter_by(dossier_pk=dossier.id)
                                   .order_by(RetentionExtension.decided_at, RetentionExtension.id)).scalars())


def retention_of(dossier: Dossier) -> RT.Retention:
    exts = [RT.TeamLeaderExtension(e.until_year, e.reasons, e.decided_at.date() if e.decided_at else None, e.id)
            for e in retention_extensions(dossier)]
    return RT.retention(dossier.closed_on, household(dossier), exts)


def _link(req: Request, link_id: int) -> DossierLink:
    link = db.session.get(DossierLink, link_id)
    if link is None or link.request_id != req.id:
        raise DestructionError("link_not_found")
    return link


def extend_retention(actor: Actor, reference: str, link_id: int, until_year: int | None, reasons: str | None,
                     *, today: date | None = None) -> RetentionExtension:
    """Art. 9.2: a team leader extends the retention of the linked dossier, with written
    reasons (recorded with the dossier; on the request's timeline, not shown to the
    requester)."""
    authz.require(actor, Permission.DECISION_SIGN, object_type="request", subject_ref=reference)
    req = load(reference)
    check_open(req)
    link = _link(req, link_id)
    text = (reasons or "").strip()
    if len(text) < G.MIN_REASONS:
        raise DestructionError("reasons_required")
    if len(text) > REASONS_MAX:
        raise DestructionError("reasons_too_long")
    current = retention_of(link.dossier)
    if not current.running:
        raise DestructionError("dossier_not_closed")
    today = today or today_local()
    if until_year is None or until_year <= current.until_year or until_year > today.year + YEARS_AHEAD_MAX:
        raise DestructionError("year_not_later")
    ext = RetentionExtension(dossier_pk=link.dossier_pk, until_year=until_year, reasons=text,
                             decided_by=actor.staff_id, decided_at=utcnow())
    db.session.add(ext)
    db.session.flush()
    timeline.event(req, "retention_extended", actor.label, public=False)
    audit.record("retention.extend", actor=actor.label, actor_role=actor.role.value, object_type="dossier",
                 object_id=link.dossier.dossier_id, subject_ref=req.reference,
                 reason=f"dossier {link.dossier.dossier_id}: until {until_year} (extension {ext.id})")
    db.session.commit()
    return ext
