"""What the staff services share: the password rules, the errors, who is acting (an
account or the operator at the command line), finding an account, the password hasher,
the generated passwords and recovery codes, the stored TOTP secret, and ending every
session of an account."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from flask import current_app

from ...infra.extensions import db
from ...models import Staff
from ...rules.permissions import Permission
from .. import authz
from ..authz import Actor

PASSWORD_MIN = 12
PASSWORD_MAX = 200

# Passwords: argon2-cffi's defaults (argon2id, RFC 9106 "low memory" profile). When the
# library's defaults move on, check_needs_rehash() says so and the login rehashes.
password_hasher = PasswordHasher()

_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read out and type


# --- errors ----------------------------------------------------------------------------

class StaffError(Exception):
    """A domain error with a code the face turns into a sentence."""

    code = "error"

    def __init__(self, code: str | None = None):
        super().__init__(code or self.code)
        if code:
            self.code = code


class LoginFailed(StaffError):
    """Unknown account, wrong password, locked or inactive: deliberately one answer."""

    code = "login_failed"


class SecondFactorFailed(StaffError):
    """Wrong, reused or expired code, or the account is locked."""

    code = "second_factor_failed"


class PasswordRejected(StaffError):
    """codes: wrong_current, too_short, too_long, equals_username, mismatch, same_as_before"""


class AccountError(StaffError):
    """codes: username_taken, username_invalid, unknown_account, unknown_role, not_allowed,
    already_recorded, own_account"""


# --- who is acting ---------------------------------------------------------------------

@dataclass(frozen=True)
class Operator:
    """The person at the server's command line (`flask users ...`)."""

    label: str = "cli"
    role_label: str = "operator"


CLI = Operator()
By = Actor | Operator


def who(by: By) -> tuple[str, str]:
    if isinstance(by, Operator):
        return by.label, by.role_label
    return by.label, by.role.value


def require(by: By, permission: Permission, **kw) -> None:
    if isinstance(by, Operator):
        return
    authz.require(by, permission, **kw)


def load_account(staff_id: int) -> Staff:
    staff = db.session.get(Staff, staff_id)
    if staff is None:
        raise AccountError("unknown_account")
    return staff


def by_username(username: str) -> Staff | None:
    return db.session.execute(
        db.select(Staff).where(Staff.username == normalise_username(username))
    ).scalar_one_or_none()


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


# --- secrets -----------------------------------------------------------------------------

def new_password() -> str:
    """A one-time password: 4 groups of 5 characters from 31 (about 99 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(4))


def new_recovery_code() -> str:
    """A recovery code: 2 groups of 5 characters from 31 (about 50 bits)."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(2))


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


def vault():
    return current_app.extensions["vault"]


def totp_secret(staff: Staff) -> str | None:
    if staff.totp_secret_enc is None:
        return None
    return vault().decrypt_text(staff.totp_secret_enc)


def password_problem(username: str, new: str, repeat: str | None = None) -> str | None:
    """Why this new password is not accepted (a PasswordRejected code), or None."""
    if repeat is not None and new != repeat:
        return "mismatch"
    if len(new) < PASSWORD_MIN:
        return "too_short"
    if len(new) > PASSWORD_MAX:
        return "too_long"
    if new.strip().lower() == normalise_username(username):
        return "equals_username"
    return None


# --- sessions ----------------------------------------------------------------------------

def bump_epoch(staff_id: int) -> None:
    """Every session of this account ends (backoffice.StaffUser carries the epoch)."""
    db.session.execute(
        db.update(Staff).where(Staff.id == staff_id).values(session_epoch=Staff.session_epoch + 1)
    )
