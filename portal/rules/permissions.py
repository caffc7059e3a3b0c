"""The authorisation matrix (art. 7.1, 7.2): which role may do what.

These are the defaults. The matrix itself is data (table `matrix_entry`), editable by
the functional administrator, and every service asks it (portal/services/authz.py).
Anything not granted is denied. An account whose confidentiality agreement is not
recorded may do nothing at all (art. 7.3).
"""
from __future__ import annotations

import enum


class Role(str, enum.Enum):
    CASEWORKER = "caseworker"  # medewerker
    TEAM_LEADER = "team_leader"  # teamleider: signs refusals and restrictions (art. 20.4)
    PRIVACY_OFFICER = "privacy_officer"  # reads the access log and reports, no case content
    FUNCTIONAL_ADMIN = "functional_admin"  # accounts and the matrix, no case content


class Permission(str, enum.Enum):
    QUEUE_VIEW = "queue.view"
    REQUEST_VIEW = "request.view"
    REQUEST_ASSIGN = "request.assign"
    REQUEST_MESSAGE = "request.message"
    IDENTITY_CHECK = "identity.check"  # open ID copies and proofs, record the check (art. 20.5)
    CAPACITY_JUDGE = "capacity.judge"  # art. 20.2
    DECISION_PROPOSE = "decision.propose"
    DECISION_SIGN = "decision.sign"  # art. 14.2, 20.4: team leader only
    EXTENSION_PROPOSE = "extension.propose"  # AVG 12(3)
    LETTER_VIEW = "letter.view"
    DOSSIER_IMPORT = "dossier.import"
    DOSSIER_VIEW = "dossier.view"
    # Link a request to a dossier person, prepare, redact, render, review and release a
    # copy (art. 13, 14). Withholding is signed with DECISION_SIGN (art. 14.2, 20.4).
    COPY_PREPARE = "copy.prepare"
    AUDIT_VIEW = "audit.view"
    AUDIT_EXPORT = "audit.export"
    REPORTS_VIEW = "reports.view"
    STAFF_MANAGE = "staff.manage"
    MATRIX_MANAGE = "matrix.manage"


P = Permission

_CASEWORK = frozenset({
    P.QUEUE_VIEW, P.REQUEST_VIEW, P.REQUEST_ASSIGN, P.REQUEST_MESSAGE, P.IDENTITY_CHECK,
    P.DECISION_PROPOSE, P.EXTENSION_PROPOSE, P.LETTER_VIEW, P.DOSSIER_VIEW, P.COPY_PREPARE,
})

DEFAULT_MATRIX: dict[Role, frozenset[Permission]] = {
    Role.CASEWORKER: _CASEWORK,
    Role.TEAM_LEADER: _CASEWORK | {P.DECISION_SIGN, P.CAPACITY_JUDGE, P.DOSSIER_IMPORT, P.REPORTS_VIEW},
    Role.PRIVACY_OFFICER: frozenset({P.AUDIT_VIEW, P.AUDIT_EXPORT, P.REPORTS_VIEW}),
    Role.FUNCTIONAL_ADMIN: frozenset({P.STAFF_MANAGE, P.MATRIX_MANAGE}),
}

# Permissions that touch case content: never for the privacy officer or administrator,
# whatever the matrix says (they may read the log and manage accounts, not dossiers).
CASE_CONTENT = frozenset({
    P.REQUEST_VIEW, P.REQUEST_MESSAGE, P.IDENTITY_CHECK, P.CAPACITY_JUDGE, P.DECISION_PROPOSE,
    P.DECISION_SIGN, P.EXTENSION_PROPOSE, P.LETTER_VIEW, P.DOSSIER_IMPORT, P.DOSSIER_VIEW, P.QUEUE_VIEW,
    P.REQUEST_ASSIGN, P.COPY_PREPARE,
})
NO_CASE_CONTENT_ROLES = frozenset({Role.PRIVACY_OFFICER, Role.FUNCTIONAL_ADMIN})


def allowed(role: Role, permission: Permission, matrix: dict[Role, frozenset[Permission]] | None = None,
            *, confidentiality_recorded: bool = True, second_factor: bool = True) -> bool:
    """May this role do this (art. 7.1)? Deny unless granted; nothing at all before the
    confidentiality agreement is recorded (art. 7.3) or without a second factor; case
    content never for the privacy officer or the functional administrator."""
    if not confidentiality_recorded or not second_factor:
        return False
    role = Role(role)
    permission = Permission(permission)
    if role in NO_CASE_CONTENT_ROLES and permission in CASE_CONTENT:
        return False
    grants = (matrix if matrix is not None else DEFAULT_MATRIX).get(role, frozenset())
    return permission in grants
