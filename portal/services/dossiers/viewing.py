"""The imported dossiers in the back office: the list (no names) with the latest import
attempts, and the read-only page of one dossier, logged as a read of the personal data
of every person of the dossier (art. 7.5)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ...infra.extensions import db
from ...models import Dossier, DossierEntry, DossierImport, DossierPerson
from ...rules.permissions import Permission
from .. import audit
from ..errors import DomainError
from .common import By, require, who


# --- reading the stored dossiers (back office) --------------------------------------------------

@dataclass
class DossierRow:
    dossier_id: str
    outcome: str
    opened_on: date
    closed_on: date | None
    persons: int
    entries: int
    imported_at: Any
    replaced_at: Any


def list_dossiers(by: By, limit: int = 200) -> tuple[list[DossierRow], list[DossierImport]]:
    """The imported dossiers (no names) and the latest import attempts."""
    require(by, Permission.DOSSIER_VIEW, object_type="dossier")
    persons = (db.select(db.func.count(DossierPerson.id)).where(DossierPerson.dossier_pk == Dossier.id)
               .correlate(Dossier).scalar_subquery())
    entries = (db.select(db.func.count(DossierEntry.id)).where(DossierEntry.dossier_pk == Dossier.id)
               .correlate(Dossier).scalar_subquery())
    rows = db.session.execute(
        db.select(Dossier.dossier_id, Dossier.outcome, Dossier.opened_on, Dossier.closed_on, persons, entries,
                  Dossier.imported_at, Dossier.replaced_at).order_by(Dossier.dossier_id).limit(limit)).all()
    imports = db.session.execute(db.select(DossierImport).order_by(DossierImport.id.desc()).limit(20)).scalars().all()
    actor, role, _ = who(by)
    audit.record("dossier.list", actor=actor, actor_role=role, object_type="dossier")
    db.session.commit()
    return [DossierRow(*r) for r in rows], imports


def get_dossier(by: By, dossier_id: str) -> Dossier:
    """One dossier with its persons and entries, for the internal read-only page. Logged
    as a read of the personal data of every person of the dossier (art. 7.5)."""
    require(by, Permission.DOSSIER_VIEW, object_type="dossier", object_id=dossier_id[:64])
    dossier = db.session.execute(db.select(Dossier).filter_by(dossier_id=dossier_id)).scalar_one_or_none()
    if dossier is None:
        raise DomainError("not_found")
    actor, role, _ = who(by)
    for person in dossier.persons:
        audit.record("dossier.view", actor=actor, actor_role=role, object_type="dossier",
                     object_id=dossier.dossier_id, subject_ref=person.person_id)
    db.session.commit()
    return dossier
