"""Who may do what in the back office (art. 7). Every back-office service calls
`require(actor, permission)` before it reads or changes anything; the face checks
too, but the service is the one that counts. Denials are written to the access log.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..infra.extensions import db
from ..models import DeputyGrant, MatrixEntry, Staff
from ..rules.permissions import DEFAULT_MATRIX, NO_CASE_CONTENT_ROLES, Permission, Role, allowed
from . import audit


class NotAllowed(Exception):
    def __init__(self, permission: Permission):
        super().__init__(f"not allowed: {Permission(permission).value}")
        self.permission = Permission(permission)


@dataclass(frozen=True)
class Actor:
    """A logged-in staff member as the services see them: no session, no request."""

    staff_id: int
    username: str
    role: Role
    second_factor: bool
    confidentiality_recorded: bool

    @property
    def label(self) -> str:
        return f"staff:{self.staff_id}"

    @classmethod
    def of(cls, staff: Staff, *, second_factor: bool) -> "Actor":
        return cls(staff.id, staff.username, Role(staff.role), second_factor, staff.confidentiality_recorded_at is not None)


def matrix() -> dict[Role, frozenset[Permission]]:
    """The matrix as stored; the defaults until the administrator has saved one."""
    rows = db.session.execute(db.select(MatrixEntry.role, MatrixEntry.permission)).all()
    if not rows:
        return DEFAULT_MATRIX
    out: dict[Role, set[Permission]] = {r: set() for r in Role}
    for role, permission in rows:
        try:
            out[Role(role)].add(Permission(permission))
        except ValueError:
            continue  # a permission that no longer exists grants nothing
    return {r: frozenset(p) for r, p in out.items()}


def is_deputy(staff_id: int | None) -> bool:
    """Named deputy team leader (issue 10): an active DeputyGrant."""
    if staff_id is None:
        return False
    return db.session.execute(db.select(DeputyGrant.id).where(
        DeputyGrant.staff_id == staff_id, DeputyGrant.revoked_at.is_(None)).limit(1)).first() is not None


def can(actor: Actor | None, permission: Permission) -> bool:
    if actor is None:
        return False
    if allowed(actor.role, permission, matrix(), confidentiality_recorded=actor.confidentiality_recorded,
               second_factor=actor.second_factor):
        return True
    # A deputy team leader signs too: only a role that handles cases (never the privacy
    # officer or the functional administrator), with the same conditions (art. 7.3).
    return (Permission(permission) is Permission.DECISION_SIGN and actor.role not in NO_CASE_CONTENT_ROLES
            and actor.confidentiality_recorded and actor.second_factor and is_deputy(actor.staff_id))


def require(actor: Actor | None, permission: Permission, *, object_type: str | None = None,
            object_id: str | int | None = None, subject_ref: str | None = None) -> None:
    """Raise NotAllowed (and log the denial) unless the matrix grants it."""
    if can(actor, permission):
        return
    audit.record(f"denied:{Permission(permission).value}", actor=actor.label if actor else "anonymous",
                 actor_role=actor.role.value if actor else "none", object_type=object_type, object_id=object_id,
                 subject_ref=subject_ref, outcome="denied")
    db.session.commit()
    raise NotAllowed(permission)
