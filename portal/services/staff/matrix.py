"""The authorisation matrix (art. 7.1), kept as data by whoever holds MATRIX_MANAGE, and
the overview of who may do what (art. 7.2)."""
from __future__ import annotations

from dataclasses import dataclass

from ...infra.extensions import db
from ...models import DeputyGrant, MatrixEntry, Staff, utcnow
from ...rules.permissions import CASE_CONTENT, NO_CASE_CONTENT_ROLES, Permission, Role, allowed
from .. import audit, authz
from .common import By, Operator, StaffError, require, who


# The matrix cell that is never removed: without it nobody could repair the matrix.
LOCKED_GRANTS = frozenset({(Role.FUNCTIONAL_ADMIN, Permission.MATRIX_MANAGE)})


# --- the authorisation matrix (art. 7.1, 7.2) ---------------------------------------------------

def grantable(role: Role, permission: Permission) -> bool:
    """May this cell be ticked at all? Case content never for the privacy officer or
    the functional administrator (rules.permissions.allowed enforces it too)."""
    return not (role in NO_CASE_CONTENT_ROLES and permission in CASE_CONTENT)


def locked_cell(role: Role, permission: Permission) -> bool:
    return (role, permission) in LOCKED_GRANTS


def read_matrix(by: By) -> dict[Role, frozenset[Permission]]:
    require(by, Permission.MATRIX_MANAGE)
    return authz.matrix()


def save_matrix(by: By, grants: dict[Role, set[Permission]]) -> int:
    """Store the matrix as data (MatrixEntry rows), one access-log entry per changed
    cell; returns the number of changes. Cells that cannot be granted are ignored;
    the administrator keeps MATRIX_MANAGE."""
    require(by, Permission.MATRIX_MANAGE)
    wanted = {(Role(r), Permission(p)) for r, ps in grants.items() for p in ps if grantable(Role(r), Permission(p))}
    wanted |= LOCKED_GRANTS
    current = {(r, p) for r, ps in authz.matrix().items() for p in ps}
    stored = {(Role(r), Permission(p)) for r, p in db.session.execute(
        db.select(MatrixEntry.role, MatrixEntry.permission)).all()
        if r in Role._value2member_map_ and p in Permission._value2member_map_}
    actor, actor_role = who(by)
    changed_by = None if isinstance(by, Operator) else by.staff_id
    now = utcnow()
    # Until the first save the matrix is the defaults and the table is empty: from now
    # on the table holds every granted cell.
    if not stored and current:
        db.session.add_all(MatrixEntry(role=r.value, permission=p.value, changed_by=changed_by, changed_at=now)
                           for r, p in sorted(current & wanted))
    else:
        for r, p in sorted((current & wanted) - stored):
            db.session.add(MatrixEntry(role=r.value, permission=p.value, changed_by=changed_by, changed_at=now))
    changes = 0
    for r, p in sorted(wanted - current):
        db.session.add(MatrixEntry(role=r.value, permission=p.value, changed_by=changed_by, changed_at=now))
        audit.record("matrix.grant", actor=actor, actor_role=actor_role, object_type="matrix",
                     object_id=f"{r.value}:{p.value}")
        changes += 1
    for r, p in sorted(current - wanted):
        db.session.execute(db.delete(MatrixEntry).where(MatrixEntry.role == r.value, MatrixEntry.permission == p.value))
        audit.record("matrix.revoke", actor=actor, actor_role=actor_role, object_type="matrix",
                     object_id=f"{r.value}:{p.value}")
        changes += 1
    db.session.commit()
    return changes


@dataclass(frozen=True)
class Holder:
    """One line of the overview (art. 7.2): an active account and what it may do."""

    staff_id: int
    username: str
    display_name: str
    role: Role
    confidentiality_recorded: bool
    second_factor_set_up: bool
    permissions: tuple[Permission, ...]
    deputy: "Deputy | None" = None  # named deputy team leader (issue 10)


def overview(by: By) -> list[Holder]:
    """Who may do what (art. 7.2): every active account with the permissions it has now
    (none before its confidentiality agreement is recorded, art. 7.3). For those who
    read reports (privacy officer, team leader) and for whoever manages the matrix."""
    if isinstance(by, Operator) or not authz.can(by, Permission.MATRIX_MANAGE):
        require(by, Permission.REPORTS_VIEW)
    grid = authz.matrix()
    named = {d.staff_id: d for d in _deputies()}
    out = []
    for s in db.session.execute(db.select(Staff).where(Staff.active.is_(True)).order_by(Staff.role, Staff.username)).scalars():
        recorded = s.confidentiality_recorded_at is not None
        deputy = named.get(s.id) if Role(s.role) not in NO_CASE_CONTENT_ROLES else None
        perms = tuple(p for p in Permission if allowed(Role(s.role), p, grid, confidentiality_recorded=recorded)
                      or (p is Permission.DECISION_SIGN and deputy is not None and recorded))
        out.append(Holder(s.id, s.username, s.display_name, Role(s.role), recorded, s.totp_confirmed_at is not None, perms,
                          deputy))
    return out


# --- deputy team leaders (issue 10) ---------------------------------------------------------------

@dataclass(frozen=True)
class Deputy:
    grant_id: int
    staff_id: int
    display_name: str
    granted_at: object
    granted_by_name: str | None


def _deputies() -> list[Deputy]:
    names = dict(db.session.execute(db.select(Staff.id, Staff.display_name)).all())
    rows = db.session.execute(db.select(DeputyGrant).where(DeputyGrant.revoked_at.is_(None))
                              .order_by(DeputyGrant.granted_at)).scalars()
    return [Deputy(g.id, g.staff_id, names.get(g.staff_id, ""), g.granted_at, names.get(g.granted_by)) for g in rows]


def deputies(by: By) -> list[Deputy]:
    require(by, Permission.MATRIX_MANAGE)
    return _deputies()


def grant_deputy(by: By, staff_id: int) -> DeputyGrant:
    """Name an active caseworker as a deputy team leader: they may sign (DECISION_SIGN),
    four eyes as for every team leader. Recorded with the date and who named them."""
    require(by, Permission.MATRIX_MANAGE)
    staff = db.session.get(Staff, staff_id)
    if staff is None or not staff.active or Role(staff.role) is not Role.CASEWORKER:
        raise StaffError("deputy_not_a_caseworker")
    if authz.is_deputy(staff_id):
        raise StaffError("deputy_already")
    actor, actor_role = who(by)
    row = DeputyGrant(staff_id=staff_id, granted_by=None if isinstance(by, Operator) else by.staff_id,
                      granted_at=utcnow())
    db.session.add(row)
    db.session.flush()
    audit.record("deputy.grant", actor=actor, actor_role=actor_role, object_type="staff", object_id=staff_id,
                 reason=f"deputy team leader, grant {row.id}")
    db.session.commit()
    return row


def revoke_deputy(by: By, grant_id: int) -> None:
    require(by, Permission.MATRIX_MANAGE)
    row = db.session.get(DeputyGrant, grant_id)
    if row is None or row.revoked_at is not None:
        raise StaffError("deputy_not_found")
    actor, actor_role = who(by)
    row.revoked_at, row.revoked_by = utcnow(), (None if isinstance(by, Operator) else by.staff_id)
    audit.record("deputy.revoke", actor=actor, actor_role=actor_role, object_type="staff", object_id=row.staff_id,
                 reason=f"deputy team leader, grant {row.id}")
    db.session.commit()
