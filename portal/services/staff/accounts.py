"""Accounts as the functional administrator (Permission.STAFF_MANAGE) or the operator at
the command line keeps them: the list, a new account with a one-time password, a reset
of the password or the second factor, (de)activation, and recording the confidentiality
agreement (art. 7.3), and the work e-mail address the daily digest goes to."""
from __future__ import annotations

from ...infra.extensions import db
from ...models import RecoveryCode, Staff, utcnow
from ...rules.permissions import Permission, Role, allowed
from ...validation import normalise_email
from .. import audit, authz
from .common import (AccountError, By, Operator, PasswordRejected, bump_epoch, by_username, load_account,
                     new_password, normalise_username, password_hasher, password_problem, require, who)

USERNAME_MAX = 80
NAME_MAX = 120
EMAIL_MAX = 254


# --- administration (Permission.STAFF_MANAGE) ------------------------------------------------

def list_staff(by: By) -> list[Staff]:
    require(by, Permission.STAFF_MANAGE)
    return list(db.session.execute(db.select(Staff).order_by(Staff.active.desc(), Staff.username)).scalars())


def get_staff(by: By, staff_id: int) -> Staff:
    require(by, Permission.STAFF_MANAGE, object_type="staff", object_id=staff_id)
    return load_account(staff_id)


def names(ids) -> dict[int, str]:
    """username per staff id (for "recorded by" columns)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(db.select(Staff.id, Staff.username).where(Staff.id.in_(ids))).all())


def checked_email(address: str | None) -> str | None:
    """A staff member's work address, normalised; None for an empty one. An address
    that is not one raises ``AccountError("email_invalid")``."""
    address = (address or "").strip()
    if not address:
        return None
    try:
        address = normalise_email(address)
    except ValueError:
        raise AccountError("email_invalid") from None
    if len(address) > EMAIL_MAX:
        raise AccountError("email_invalid")
    return address


def set_email(by: By, staff_id: int, address: str | None) -> Staff:
    """Set (or, empty, clear) the work e-mail address the daily digest goes to. The log
    says that it changed, not the address."""
    require(by, Permission.STAFF_MANAGE, object_type="staff", object_id=staff_id)
    staff = load_account(staff_id)
    address = checked_email(address)
    if staff.email == address:
        db.session.rollback()
        return staff
    staff.email = address
    actor, role = who(by)
    audit.record("staff.email_set" if address else "staff.email_cleared", actor=actor, actor_role=role,
                 object_type="staff", object_id=staff_id)
    db.session.commit()
    return staff


def without_email(by: By) -> list[Staff]:
    """Active accounts without an e-mail address: the daily digest cannot reach them."""
    require(by, Permission.STAFF_MANAGE)
    return list(db.session.execute(db.select(Staff).where(Staff.active.is_(True), Staff.email.is_(None))
                                   .order_by(Staff.username)).scalars())


def create_staff(by: By, username: str, display_name: str, role: str, *, password: str | None = None,
                 email: str | None = None) -> tuple[Staff, str | None]:
    """A new account. Without `password` a one-time password is made and returned
    (the holder must replace it at the first login)."""
    require(by, Permission.STAFF_MANAGE)
    email = checked_email(email)
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
    staff = Staff(username=username, display_name=display_name, role=role, email=email,
                  password_hash=password_hasher.hash(password), password_must_change=one_time is not None)
    db.session.add(staff)
    try:
        db.session.flush()
    except Exception:
        db.session.rollback()
        raise AccountError("username_taken") from None
    actor, actor_role = who(by)
    audit.record("staff.create", actor=actor, actor_role=actor_role, object_type="staff", object_id=staff.id,
                 reason=f"role={role}")
    db.session.commit()
    return staff, one_time


def reset_password(by: By, staff_id: int) -> str:
    """A new one-time password (shown once); every session of the account ends, and the
    lock (if any) is lifted."""
    require(by, Permission.STAFF_MANAGE, object_type="staff", object_id=staff_id)
    load_account(staff_id)
    password = new_password()
    new_hash = password_hasher.hash(password)
    bump_epoch(staff_id)
    db.session.execute(db.update(Staff).where(Staff.id == staff_id).values(
        password_hash=new_hash, password_changed_at=utcnow(), password_must_change=True,
        failed_logins=0, locked_until=None))
    actor, role = who(by)
    audit.record("staff.password_reset", actor=actor, actor_role=role, object_type="staff", object_id=staff_id)
    db.session.commit()
    return password


def reset_second_factor(by: By, staff_id: int) -> None:
    """Clear the TOTP secret, the last used step and the recovery codes; every session
    of the account ends and the next login sets up a new second factor."""
    require(by, Permission.STAFF_MANAGE, object_type="staff", object_id=staff_id)
    load_account(staff_id)
    bump_epoch(staff_id)
    db.session.execute(db.update(Staff).where(Staff.id == staff_id).values(
        totp_secret_enc=None, totp_confirmed_at=None, last_totp_step=None))
    db.session.execute(db.delete(RecoveryCode).where(RecoveryCode.staff_id == staff_id))
    actor, role = who(by)
    audit.record("staff.second_factor_reset", actor=actor, actor_role=role, object_type="staff", object_id=staff_id)
    db.session.commit()


def set_active(by: By, staff_id: int, active: bool) -> None:
    """(De)activate an account; deactivating ends every session of it."""
    require(by, Permission.STAFF_MANAGE, object_type="staff", object_id=staff_id)
    staff = load_account(staff_id)
    if not isinstance(by, Operator) and by.staff_id == staff_id and not active:
        raise AccountError("own_account")
    if staff.active == active:
        db.session.rollback()
        return
    if not active:
        bump_epoch(staff_id)
    db.session.execute(db.update(Staff).where(Staff.id == staff_id).values(active=active))
    actor, role = who(by)
    audit.record("staff.activate" if active else "staff.deactivate", actor=actor, actor_role=role,
                 object_type="staff", object_id=staff_id)
    db.session.commit()


def record_confidentiality(by: By, staff_id: int, *, recorded_by: int | None = None) -> Staff:
    """Art. 7.3: the confidentiality agreement is recorded, by whom and when. Until
    then the account may do nothing. From the admin page `recorded_by` is the actor;
    from the CLI it is the administrator named with --by, whose role must be allowed
    to manage staff."""
    require(by, Permission.STAFF_MANAGE, object_type="staff", object_id=staff_id)
    if isinstance(by, Operator):
        if recorded_by is None:
            raise AccountError("not_allowed")
        recorder = load_account(recorded_by)
        if not recorder.active or not allowed(Role(recorder.role), Permission.STAFF_MANAGE, authz.matrix()):
            raise AccountError("not_allowed")
    else:
        recorded_by = by.staff_id
    staff = load_account(staff_id)
    if staff.confidentiality_recorded_at is not None:
        db.session.rollback()
        raise AccountError("already_recorded")
    staff.confidentiality_recorded_at = utcnow()
    staff.confidentiality_recorded_by = recorded_by
    actor, role = who(by)
    audit.record("staff.confidentiality_recorded", actor=actor, actor_role=role, object_type="staff",
                 object_id=staff_id, reason=f"recorded_by=staff:{recorded_by}")
    db.session.commit()
    return staff
