"""Staff accounts, their login and the authorisation matrix (art. 7).

One function per thing a person does; each runs in one transaction and writes its
access-log entry in that same transaction (portal/services/audit.py). Faces (the
back-office pages, `flask users ...`) call these and never change Staff rows themselves.

Passwords: argon2id (argon2-cffi's PasswordHasher, its current parameters; an older
hash is replaced at the next login). Second factor: TOTP (RFC 6238, 30-second steps,
one step either side), each time step accepted once per account; recovery codes as the
alternative, each usable once. Failed attempts (password and second factor) are
counted per account: after LOCK_AFTER the account is locked for LOCK_FIRST, twice as
long for every further failure. Unknown account, wrong password and locked account
give the same answer, after the same amount of work.

Who may do what: administrative services take `by`, the Actor doing it, and ask the
matrix (authz.require). `CLI` stands for the operator at the server's command line
(`flask users ...`): whoever can run that can change the database anyway.
"""
from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

from ..infra.extensions import db
from ..models import MatrixEntry, RecoveryCode, Staff, utcnow
from ..rules.permissions import CASE_CONTENT, NO_CASE_CONTENT_ROLES, Permission, Role, allowed
from . import audit, authz
from .authz import Actor

PASSWORD_MIN = 12
PASSWORD_MAX = 200
LOCK_AFTER = 5  # failures before the first lock
LOCK_FIRST = timedelta(minutes=15)  # doubled for every further failure
LOCK_MAX = timedelta(hours=24)
TOTP_STEP = 30  # seconds
TOTP_WINDOW = 1  # steps accepted either side of now (clock drift)
RECOVERY_CODES = 10
USERNAME_MAX = 80
NAME_MAX = 120

# The matrix cell that is never removed: without it nobody could repair the matrix.
LOCKED_GRANTS = frozenset({(Role.FUNCTIONAL_ADMIN, Permission.MATRIX_MANAGE)})

# Passwords: argon2-cffi's defaults (argon2id, RFC 9106 "low memory" profile). When the
# library's defaults move on, check_needs_rehash() says so and the login rehashes.
_passwords = PasswordHasher()
# Recovery codes are random (50 bits) and tried up to ten at a time: a lighter profile
# (OWASP's argon2id minimum) keeps that quick.
_recovery = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_dummy_hash: str | None = None

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


def _who(by: By) -> tuple[str, str]:
    if isinstance(by, Operator):
        return by.label, by.role_label
    return by.label, by.role.value


def _require(by: By, permission: Permission, **kw) -> None:
    if isinstance(by, Operator):
        return
    authz.require(by, permission, **kw)


def _get(staff_id: int) -> Staff:
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


def _normalise_code(code: str) -> str:
    return "".join((code or "").split()).lower()


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def _verify(hasher: PasswordHasher, stored: str, given: str) -> bool:
    try:
        return hasher.verify(stored, given)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _dummy_verify(password: str) -> None:
    """Spend the same time as a real check, so an unknown or locked account cannot be
    told apart from a wrong password by the clock."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _passwords.hash(secrets.token_urlsafe(16))
    _verify(_passwords, _dummy_hash, password or "")


def _vault():
    return current_app.extensions["vault"]


def totp_secret(staff: Staff) -> str | None:
    if staff.totp_secret_enc is None:
        return None
    return _vault().decrypt_text(staff.totp_secret_enc)


def provisioning_uri(staff: Staff, secret: str) -> str:
    issuer = f"{current_app.config['ORGANISATION_NAME']} backoffice"
    return pyotp.TOTP(secret, interval=TOTP_STEP).provisioning_uri(name=staff.username, issuer_name=issuer)


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


# --- throttling ----------------------------------------------------------------------------

def _locked(staff: Staff, now: datetime) -> bool:
    return staff.locked_until is not None and staff.locked_until > now


def lock_duration(failures: int) -> timedelta | None:
    """After LOCK_AFTER failures: LOCK_FIRST, doubled for each further failure."""
    if failures < LOCK_AFTER:
        return None
    extra = min(failures - LOCK_AFTER, 20)
    return min(LOCK_FIRST * (2 ** extra), LOCK_MAX)


def _count_failure(staff_id: int, now: datetime) -> None:
    """One more failed attempt; lock when there are enough (atomic increment)."""
    db.session.execute(
        db.update(Staff).where(Staff.id == staff_id).values(failed_logins=Staff.failed_logins + 1)
    )
    failures = db.session.execute(db.select(Staff.failed_logins).where(Staff.id == staff_id)).scalar_one()
    duration = lock_duration(failures)
    if duration is not None:
        db.session.execute(db.update(Staff).where(Staff.id == staff_id).values(locked_until=now + duration))


def _bump_epoch(staff_id: int) -> None:
    """Every session of this account ends (backoffice.StaffUser carries the epoch)."""
    db.session.execute(
        db.update(Staff).where(Staff.id == staff_id).values(session_epoch=Staff.session_epoch + 1)
    )


def _self(staff: Staff) -> tuple[str, str]:
    return f"staff:{staff.id}", staff.role


# --- login ---------------------------------------------------------------------------------

def authenticate(username: str, password: str) -> Staff:
    """The first factor. Returns the account, or raises LoginFailed (one answer for an
    unknown, inactive or locked account and a wrong password)."""
    password = password or ""
    staff = by_username(username) if username else None
    now = utcnow()
    if staff is None or not staff.active:
        _dummy_verify(password)
        audit.record("staff.login", actor="anonymous", actor_role="none", object_type="staff", outcome="failed")
        db.session.commit()
        raise LoginFailed()
    if _locked(staff, now):
        _dummy_verify(password)
        actor, role = _self(staff)
        audit.record("staff.login", actor=actor, actor_role=role, object_type="staff", object_id=staff.id,
                     outcome="locked")
        db.session.commit()
        raise LoginFailed()
    if not _verify(_passwords, staff.password_hash, password):
        _count_failure(staff.id, now)
        actor, role = _self(staff)
        audit.record("staff.login", actor=actor, actor_role=role, object_type="staff", object_id=staff.id,
                     outcome="failed")
        db.session.commit()
        raise LoginFailed()
    if _passwords.check_needs_rehash(staff.password_hash):
        staff.password_hash = _passwords.hash(password)
    # The failure count is reset only when the second factor succeeds too: knowing the
    # password must not buy an unlimited number of code guesses.
    actor, role = _self(staff)
    audit.record("staff.login", actor=actor, actor_role=role, object_type="staff", object_id=staff.id,
                 outcome="password_ok")
    db.session.commit()
    return staff


def _second_factor_ok(staff_id: int, method: str) -> None:
    db.session.execute(
        db.update(Staff).where(Staff.id == staff_id).values(failed_logins=0, locked_until=None)
    )
    staff = db.session.get(Staff, staff_id)
    db.session.refresh(staff)
    actor, role = _self(staff)
    audit.record("staff.second_factor", actor=actor, actor_role=role, object_type="staff", object_id=staff_id,
                 reason=method, outcome="ok")
    db.session.commit()


def _second_factor_failed(staff_id: int, method: str, outcome: str = "failed", *, count: bool = True) -> None:
    db.session.rollback()
    staff = _get(staff_id)
    if count:
        _count_failure(staff_id, utcnow())
    actor, role = _self(staff)
    audit.record("staff.second_factor", actor=actor, actor_role=role, object_type="staff", object_id=staff_id,
                 reason=method, outcome=outcome)
    db.session.commit()
    raise SecondFactorFailed()


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The TOTP time step (now, or one either side) whose code this is, or None."""
    code = _normalise_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_STEP)
    current = int((time.time() if now is None else now) // TOTP_STEP)
    found = None
    for step in range(current - TOTP_WINDOW, current + TOTP_WINDOW + 1):
        if hmac.compare_digest(totp.at(step * TOTP_STEP), code):
            found = step  # the latest matching step wins
    return found


def _consume_step(staff_id: int, step: int) -> bool:
    """Accept this time step once: one atomic UPDATE, so two parallel logins with the
    same code give one success (the second finds last_totp_step already there)."""
    result = db.session.execute(
        db.text(
            "UPDATE staff SET last_totp_step = :step "
            "WHERE id = :id AND (last_totp_step IS NULL OR last_totp_step < :step)"
        ),
        {"step": step, "id": staff_id},
    )
    return result.rowcount == 1


def verify_totp(staff_id: int, code: str) -> None:
    """The second factor by TOTP; raises SecondFactorFailed (wrong, reused, locked)."""
    staff = _get(staff_id)
    if not staff.active or staff.totp_confirmed_at is None:
        _second_factor_failed(staff_id, "totp", count=False)
    if _locked(staff, utcnow()):
        _second_factor_failed(staff_id, "totp", "locked", count=False)
    step = matching_step(totp_secret(staff), code)
    db.session.rollback()  # nothing read above may hold the transaction open
    if step is None:
        _second_factor_failed(staff_id, "totp")
    # The UPDATE comes first in the transaction (before the access-log entry, which
    # serialises writers), so parallel logins meet on the staff row only.
    if not _consume_step(staff_id, step):
        _second_factor_failed(staff_id, "totp", "reused")
    _second_factor_ok(staff_id, "totp")


def verify_recovery_code(staff_id: int, code: str) -> None:
    """The second factor by a recovery code; each code works once."""
    staff = _get(staff_id)
    if not staff.active or staff.totp_confirmed_at is None:
        _second_factor_failed(staff_id, "recovery_code", count=False)
    if _locked(staff, utcnow()):
        _second_factor_failed(staff_id, "recovery_code", "locked", count=False)
    given = _normalise_code(code)
    unused = db.session.execute(
        db.select(RecoveryCode.id, RecoveryCode.code_hash).where(
            RecoveryCode.staff_id == staff_id, RecoveryCode.used_at.is_(None))
    ).all()
    db.session.rollback()
    match = next((rid for rid, h in unused if given and _verify(_recovery, h, given)), None)
    if match is None:
        _second_factor_failed(staff_id, "recovery_code")
    used = db.session.execute(
        db.update(RecoveryCode).where(RecoveryCode.id == match, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:
        _second_factor_failed(staff_id, "recovery_code", "reused")
    _second_factor_ok(staff_id, "recovery_code")


def recovery_codes_left(staff_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count(RecoveryCode.id)).where(
            RecoveryCode.staff_id == staff_id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def begin_totp_setup(staff_id: int) -> str:
    """The secret to show on the set-up page: made (and stored encrypted) on the first
    visit, the same one on a reload until it is confirmed."""
    staff = _get(staff_id)
    if staff.totp_confirmed_at is not None:
        raise SecondFactorFailed("already_set_up")
    secret = totp_secret(staff)
    if secret:
        db.session.rollback()
        return secret
    secret = pyotp.random_base32()
    staff.totp_secret_enc = _vault().encrypt_text(secret)
    staff.last_totp_step = None
    actor, role = _self(staff)
    audit.record("staff.totp_setup_started", actor=actor, actor_role=role, object_type="staff", object_id=staff.id)
    db.session.commit()
    return secret


def confirm_totp_setup(staff_id: int, code: str) -> list[str]:
    """Confirm the new second factor with a code; returns the recovery codes (shown
    once, stored only as hashes)."""
    staff = _get(staff_id)
    if staff.totp_confirmed_at is not None or staff.totp_secret_enc is None:
        _second_factor_failed(staff_id, "totp_setup", count=False)
    if _locked(staff, utcnow()):
        _second_factor_failed(staff_id, "totp_setup", "locked", count=False)
    step = matching_step(totp_secret(staff), code)
    codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
    hashes = [_recovery.hash(c) for c in codes]  # before the transaction: hashing is slow
    db.session.rollback()
    if step is None:
        _second_factor_failed(staff_id, "totp_setup")
    if not _consume_step(staff_id, step):
        _second_factor_failed(staff_id, "totp_setup", "reused")
    done = db.session.execute(
        db.update(Staff).where(Staff.id == staff_id, Staff.totp_confirmed_at.is_(None))
        .values(totp_confirmed_at=utcnow(), failed_logins=0, locked_until=None)
    )
    if done.rowcount != 1:
        _second_factor_failed(staff_id, "totp_setup", "reused", count=False)
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.staff_id == staff_id))
    db.session.add_all(RecoveryCode(staff_id=staff_id, code_hash=h) for h in hashes)
    staff = db.session.get(Staff, staff_id)
    actor, role = _self(staff)
    audit.record("staff.totp_confirmed", actor=actor, actor_role=role, object_type="staff", object_id=staff_id)
    db.session.commit()
    return codes


def logout(staff_id: int) -> None:
    """Log out: every session of the account ends, not only this one."""
    _bump_epoch(staff_id)
    staff = _get(staff_id)
    actor, role = _self(staff)
    audit.record("staff.logout", actor=actor, actor_role=role, object_type="staff", object_id=staff_id)
    db.session.commit()


def change_password(staff_id: int, current: str, new: str, repeat: str) -> Staff:
    """The account holder changes their password; every other session ends (the
    caller logs this session in again under the new epoch)."""
    staff = _get(staff_id)
    if not _verify(_passwords, staff.password_hash, current or ""):
        _count_failure(staff_id, utcnow())
        actor, role = _self(staff)
        audit.record("staff.password_change", actor=actor, actor_role=role, object_type="staff",
                     object_id=staff_id, outcome="failed")
        db.session.commit()
        raise PasswordRejected("wrong_current")
    problem = password_problem(staff.username, new or "", repeat or "")
    if problem is None and current == new:
        problem = "same_as_before"
    if problem:
        db.session.rollback()
        raise PasswordRejected(problem)
    new_hash = _passwords.hash(new)
    _bump_epoch(staff_id)
    db.session.execute(
        db.update(Staff).where(Staff.id == staff_id).values(
            password_hash=new_hash, password_changed_at=utcnow(), password_must_change=False)
    )
    staff = db.session.get(Staff, staff_id)
    db.session.refresh(staff)
    actor, role = _self(staff)
    audit.record("staff.password_change", actor=actor, actor_role=role, object_type="staff", object_id=staff_id)
    db.session.commit()
    return staff


# --- administration (Permission.STAFF_MANAGE) ------------------------------------------------

def list_staff(by: By) -> list[Staff]:
    _require(by, Permission.STAFF_MANAGE)
    return list(db.session.execute(db.select(Staff).order_by(Staff.active.desc(), Staff.username)).scalars())


def get_staff(by: By, staff_id: int) -> Staff:
    _require(by, Permission.STAFF_MANAGE, object_type="staff", object_id=staff_id)
    return _get(staff_id)


def names(ids) -> dict[int, str]:
    """username per staff id (for "recorded by" columns)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(db.select(Staff.id, Staff.username).where(Staff.id.in_(ids))).all())


def create_staff(by: By, username: str, display_name: str, role: str, *, password: str | None = None) -> tuple[Staff, str | None]:
    """A new account. Without `password` a one-time password is made and returned
    (the holder must replace it at the first login)."""
    _require(by, Permission.STAFF_MANAGE)
    username = normalise_username(username)
    display_name = (display_name or "").strip()
    if not username or len(username) > USERNAME_MAX or not all(c.isalnum() or c in "._-" for c in username):
        raise AccountError("username_invalid")
    if not display_name or len(display_name) > NAME_MAX:
        raise AccountError("name_invalid")
    try:
        role = Role(role).value
    except ValueError:
        raise AccountError("unknown_role") from None
    if by_username(username) is not None:
        raise AccountError("username_taken")
    one_time = None
    if password is None:
        one_time = password = new_password()
    else:
        problem = password_problem(username, password)
        if problem:
            raise PasswordRejected(problem)
    staff = Staff(username=username, display_name=display_name, role=role,
                  password_hash=_passwords.hash(password), password_must_change=one_time is not None)
    db.session.add(staff)
    try:
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise AccountError("username_taken") from None
    actor, actor_role = _who(by)
    audit.record("staff.create", actor=actor, actor_role=actor_role, object_type="staff", object_id=staff.id,
                 reason=f"role={role}")
    db.session.commit()
    return staff, one_time


def reset_password(by: By, staff_id: int) -> str:
    """A new one-time password (shown once); every session of the account ends, and the
    lock (if any) is lifted."""
    _require(by, Permission.STAFF_MANAGE, object_type="staff", object_id=staff_id)
    _get(staff_id)
    password = new_password()
    new_hash = _passwords.hash(password)
    _bump_epoch(staff_id)
    db.session.execute(db.update(Staff).where(Staff.id == staff_id).values(
        password_hash=new_hash, password_changed_at=utcnow(), password_must_change=True,
        failed_logins=0, locked_until=None))
    actor, role = _who(by)
    audit.record("staff.password_reset", actor=actor, actor_role=role, object_type="staff", object_id=staff_id)
    db.session.commit()
    return password


def reset_second_factor(by: By, staff_id: int) -> None:
    """Clear the TOTP secret, the last used step and the recovery codes; every session
    of the account ends and the next login sets up a new second factor."""
    _require(by, Permission.STAFF_MANAGE, object_type="staff", object_id=staff_id)
    _get(staff_id)
    _bump_epoch(staff_id)
    db.session.execute(db.update(Staff).where(Staff.id == staff_id).values(
        totp_secret_enc=None, totp_confirmed_at=None, last_totp_step=None))
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.staff_id == staff_id))
    actor, role = _who(by)
    audit.record("staff.second_factor_reset", actor=actor, actor_role=role, object_type="staff", object_id=staff_id)
    db.session.commit()


def set_active(by: By, staff_id: int, active: bool) -> None:
    """(De)activate an account; deactivating ends every session of it."""
    _require(by, Permission.STAFF_MANAGE, object_type="staff", object_id=staff_id)
    staff = _get(staff_id)
    if not isinstance(by, Operator) and by.staff_id == staff_id and not active:
        raise AccountError("own_account")
    if staff.active == active:
        db.session.rollback()
        return
    if not active:
        _bump_epoch(staff_id)
    db.session.execute(db.update(Staff).where(Staff.id == staff_id).values(active=active))
    actor, role = _who(by)
    audit.record("staff.activate" if active else "staff.deactivate", actor=actor, actor_role=role,
                 object_type="staff", object_id=staff_id)
    db.session.commit()


def record_confidentiality(by: By, staff_id: int, *, recorded_by: int | None = None) -> Staff:
    """Art. 7.3: the confidentiality agreement is recorded, by whom and when. Until
    then the account may do nothing. From the admin page `recorded_by` is the actor;
    from the CLI it is the administrator named with --by, whose role must be allowed
    to manage staff."""
    _require(by, Permission.STAFF_MANAGE, object_type="staff", object_id=staff_id)
    if isinstance(by, Operator):
        if recorded_by is None:
            raise AccountError("not_allowed")
        recorder = _get(recorded_by)
        if not recorder.active or not allowed(Role(recorder.role), Permission.STAFF_MANAGE, authz.matrix()):
            raise AccountError("not_allowed")
    else:
        recorded_by = by.staff_id
    staff = _get(staff_id)
    if staff.confidentiality_recorded_at is not None:
        db.session.rollback()
        raise AccountError("already_recorded")
    staff.confidentiality_recorded_at = utcnow()
    staff.confidentiality_recorded_by = recorded_by
    actor, role = _who(by)
    audit.record("staff.confidentiality_recorded", actor=actor, actor_role=role, object_type="staff",
                 object_id=staff_id, reason=f"recorded_by=staff:{recorded_by}")
    db.session.commit()
    return staff


# --- the authorisation matrix (art. 7.1, 7.2) ---------------------------------------------------

def grantable(role: Role, permission: Permission) -> bool:
    """May this cell be ticked at all? Case content never for the privacy officer or
    the functional administrator (rules.permissions.allowed enforces it too)."""
    return not (role in NO_CASE_CONTENT_ROLES and permission in CASE_CONTENT)


def locked_cell(role: Role, permission: Permission) -> bool:
    return (role, permission) in LOCKED_GRANTS


def read_matrix(by: By) -> dict[Role, frozenset[Permission]]:
    _require(by, Permission.MATRIX_MANAGE)
    return authz.matrix()


def save_matrix(by: By, grants: dict[Role, set[Permission]]) -> int:
    """Store the matrix as data (MatrixEntry rows), one access-log entry per changed
    cell; returns the number of changes. Cells that cannot be granted are ignored;
    the administrator keeps MATRIX_MANAGE."""
    _require(by, Permission.MATRIX_MANAGE)
    wanted = {(Role(r), Permission(p)) for r, ps in grants.items() for p in ps if grantable(Role(r), Permission(p))}
    wanted |= LOCKED_GRANTS
    current = {(r, p) for r, ps in authz.matrix().items() for p in ps}
    stored = {(Role(r), Permission(p)) for r, p in db.session.execute(
        db.select(MatrixEntry.role, MatrixEntry.permission)).all()
        if r in Role._value2member_map_ and p in Permission._value2member_map_}
    actor, actor_role = _who(by)
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


def overview(by: By) -> list[Holder]:
    """Who may do what (art. 7.2): every active account with the permissions it has now
    (none before its confidentiality agreement is recorded, art. 7.3). For those who
    read reports (privacy officer, team leader) and for whoever manages the matrix."""
    if isinstance(by, Operator) or not authz.can(by, Permission.MATRIX_MANAGE):
        _require(by, Permission.REPORTS_VIEW)
    grid = authz.matrix()
    out = []
    for s in db.session.execute(db.select(Staff).where(Staff.active.is_(True)).order_by(Staff.role, Staff.username)).scalars():
        recorded = s.confidentiality_recorded_at is not None
        perms = tuple(p for p in Permission if allowed(Role(s.role), p, grid, confidentiality_recorded=recorded))
        out.append(Holder(s.id, s.username, s.display_name, Role(s.role), recorded, s.totp_confirmed_at is not None, perms))
    return out


# --- demo accounts (development only) ------------------------------------------------------

DEMO_PASSWORD_SUFFIX = "-demo-wachtwoord"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    password: str
    totp_secret: str


def create_demo_accounts() -> list[DemoAccount]:
    """One confirmed account per role with a known password and TOTP secret, the
    confidentiality agreement recorded. Refuses outside development. Idempotent:
    existing demo accounts are returned as they are."""
    if current_app.config["ENV_NAME"] != "development":
        raise AccountError("not_allowed")
    accounts = []
    admin_id = None
    for role in (Role.FUNCTIONAL_ADMIN, Role.CASEWORKER, Role.TEAM_LEADER, Role.PRIVACY_OFFICER):
        username = f"demo-{role.value.replace('_', '-')}"
        password = username + DEMO_PASSWORD_SUFFIX
        staff = by_username(username)
        if staff is None:
            # A fixed, public secret per account: demo database only.
            secret = _demo_secret(username)
            staff = Staff(username=username, display_name=f"Demo {role.value.replace('_', ' ')}", role=role.value,
                          password_hash=_passwords.hash(password), totp_secret_enc=_vault().encrypt_text(secret),
                          totp_confirmed_at=utcnow(), confidentiality_recorded_at=utcnow())
            db.session.add(staff)
            db.session.flush()
            staff.confidentiality_recorded_by = admin_id or staff.id
            audit.record("staff.create", actor="cli", actor_role="operator", object_type="staff",
                         object_id=staff.id, reason=f"role={role.value} demo")
        if role is Role.FUNCTIONAL_ADMIN:
            admin_id = staff.id
        accounts.append(DemoAccount(username, role, password, totp_secret(staff)))
    db.session.commit()
    return accounts


def _demo_secret(username: str) -> str:
    import base64
    import hashlib

    return base64.b32encode(hashlib.sha256(f"vt-demo:{username}".encode()).digest()[:20]).decode()
