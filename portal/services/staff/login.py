"""The account holder's own side (art. 7): logging in with a password and a second factor
(TOTP or a recovery code), throttled per account; setting up the second factor;
changing the password; logging out."""
from __future__ import annotations

import hmac
import secrets
import time
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

from ...infra.extensions import db
from ...models import RecoveryCode, Staff, utcnow
from .. import audit
from .common import (LoginFailed, PasswordRejected, SecondFactorFailed, bump_epoch, by_username, load_account,
                     new_recovery_code, password_hasher, password_problem, totp_secret, vault)

LOCK_AFTER = 5  # failures before the first lock
LOCK_FIRST = timedelta(minutes=15)  # doubled for every further failure
LOCK_MAX = timedelta(hours=24)
TOTP_STEP = 30  # seconds
TOTP_WINDOW = 1  # steps accepted either side of now (clock drift)
RECOVERY_CODES = 10

# Recovery codes are random (50 bits) and tried up to ten at a time: a lighter profile
# (OWASP's argon2id minimum) keeps that quick.
_recovery = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
_dummy_hash: str | None = None


def _normalise_code(code: str) -> str:
    return "".join((code or "").split()).lower()


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
        _dummy_hash = password_hasher.hash(secrets.token_urlsafe(16))
    _verify(password_hasher, _dummy_hash, password or "")


def provisioning_uri(staff: Staff, secret: str) -> str:
    issuer = f"{current_app.config['ORGANISATION_NAME']} backoffice"
    return pyotp.TOTP(secret, interval=TOTP_STEP).provisioning_uri(name=staff.username, issuer_name=issuer)


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
    if not _verify(password_hasher, staff.password_hash, password):
        _count_failure(staff.id, now)
        actor, role = _self(staff)
        audit.record("staff.login", actor=actor, actor_role=role, object_type="staff", object_id=staff.id,
                     outcome="failed")
        db.session.commit()
        raise LoginFailed()
    if password_hasher.check_needs_rehash(staff.password_hash):
        staff.password_hash = password_hasher.hash(password)
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
    staff = load_account(staff_id)
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
    staff = load_account(staff_id)
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
    staff = load_account(staff_id)
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
    staff = load_account(staff_id)
    if staff.totp_confirmed_at is not None:
        raise SecondFactorFailed("already_set_up")
    secret = totp_secret(staff)
    if secret:
        db.session.rollback()
        return secret
    secret = pyotp.random_base32()
    staff.totp_secret_enc = vault().encrypt_text(secret)
    staff.last_totp_step = None
    actor, role = _self(staff)
    audit.record("staff.totp_setup_started", actor=actor, actor_role=role, object_type="staff", object_id=staff.id)
    db.session.commit()
    return secret


def confirm_totp_setup(staff_id: int, code: str) -> list[str]:
    """Confirm the new second factor with a code; returns the recovery codes (shown
    once, stored only as hashes)."""
    staff = load_account(staff_id)
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
    bump_epoch(staff_id)
    staff = load_account(staff_id)
    actor, role = _self(staff)
    audit.record("staff.logout", actor=actor, actor_role=role, object_type="staff", object_id=staff_id)
    db.session.commit()


def change_password(staff_id: int, current: str, new: str, repeat: str) -> Staff:
    """The account holder changes their password; every other session ends (the
    caller logs this session in again under the new epoch)."""
    staff = load_account(staff_id)
    if not _verify(password_hasher, staff.password_hash, current or ""):
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
    new_hash = password_hasher.hash(new)
    bump_epoch(staff_id)
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
