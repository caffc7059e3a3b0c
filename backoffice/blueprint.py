"""The back office's blueprint and its gate, which every route module imports.

Denies by default, as SecureDrop's journalist app: one before_request check sends
anyone without a complete login (password AND second factor) to the login page,
except for the explicit allow-lists below. Permissions come from the authorisation
matrix and are checked again in every service (portal/services/authz.py).

The route modules (auth, queue, casework, ...) import `bp` and `requires` from here;
backoffice/__init__.py imports the route modules, so that their routes register.
"""
from __future__ import annotations

import functools
import time

from flask import Blueprint, g, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from portal.infra.extensions import db, login_manager
from portal.models import Staff
from portal.rules.permissions import Permission
from portal.services.authz import Actor, NotAllowed, require

bp = Blueprint("backoffice", __name__)

IDLE_SECONDS = 15 * 60  # an idle session ends after 15 minutes
ABSOLUTE_SECONDS = 12 * 3600  # every session ends after 12 hours

# Reachable without any login.
ALLOW_ANONYMOUS = frozenset({"backoffice.login"})
# Reachable after the password but before the second factor.
ALLOW_FIRST_FACTOR = frozenset({"backoffice.totp", "backoffice.totp_setup", "backoffice.logout"})


class StaffUser:
    """What Flask-Login holds: the account and the epoch it logged in under. When the
    account's session_epoch moves on (logout, password change, second-factor reset),
    the id no longer loads and every session of that account ends."""

    is_active = True
    is_anonymous = False
    is_authenticated = True

    def __init__(self, staff: Staff):
        self.staff = staff

    def get_id(self) -> str:
        return f"{self.staff.id}:{self.staff.session_epoch}"


@login_manager.user_loader
def _load(user_id: str):
    try:
        staff_id, epoch = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    staff = db.session.get(Staff, staff_id)
    if staff is None or not staff.active or staff.session_epoch != epoch:
        return None
    return StaffUser(staff)


def end_session() -> None:
    logout_user()
    for key in ("bo_2fa", "bo_login_at", "bo_seen"):
        session.pop(key, None)


@bp.before_request
def deny_by_default():
    g.actor = None
    endpoint = request.endpoint or ""
    if endpoint in ALLOW_ANONYMOUS:
        return None
    if not current_user.is_authenticated or not isinstance(current_user, StaffUser):
        end_session()
        return redirect(url_for("backoffice.login"))
    now = time.time()
    login_at, seen = session.get("bo_login_at", 0), session.get("bo_seen", 0)
    if now - seen > IDLE_SECONDS or now - login_at > ABSOLUTE_SECONDS:
        end_session()
        return redirect(url_for("backoffice.login", expired=1))
    session["bo_seen"] = now
    staff = current_user.staff
    if not session.get("bo_2fa"):
        if endpoint in ALLOW_FIRST_FACTOR:
            return None
        return redirect(url_for("backoffice.totp_setup" if staff.totp_confirmed_at is None else "backoffice.totp"))
    g.actor = Actor.of(staff, second_factor=True)
    return None


# endpoint -> the permission it needs; read by the table-driven matrix test.
ROUTE_PERMISSIONS: dict[str, Permission] = {}


def requires(permission: Permission):
    """Mark a view as needing `permission` (checked before the view runs, and again
    by the service it calls)."""

    def wrap(view):
        endpoint = f"{bp.name}.{view.__name__}"
        ROUTE_PERMISSIONS[endpoint] = permission

        @functools.wraps(view)
        def checked(*args, **kwargs):
            require(g.actor, permission)
            return view(*args, **kwargs)

        return checked

    return wrap


@bp.errorhandler(NotAllowed)
def _not_allowed(exc: NotAllowed):
    return render_template("backoffice/forbidden.html", permission=exc.permission.value), 403


@bp.app_context_processor
def _inject_actor():
    return {"actor": getattr(g, "actor", None)}
