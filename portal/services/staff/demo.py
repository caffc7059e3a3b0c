"""Demo accounts, in development only: one confirmed account per role with a known
password and TOTP secret (`flask users demo`)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ...infra.extensions import db
from ...models import Staff, utcnow
from ...rules.permissions import Role
from .. import audit
from .common import AccountError, by_username, password_hasher, totp_secret, vault


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
                          password_hash=password_hasher.hash(password), totp_secret_enc=vault().encrypt_text(secret),
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
