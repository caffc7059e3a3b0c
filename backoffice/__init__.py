"""The staff face (back office): thin views over portal's services.

The blueprint, the deny-by-default gate and `requires` live in backoffice/blueprint.py;
what several pages share (form errors, files sent with no-store, the casework error
words) in backoffice/pages.py. This package imports the route modules, so that their
routes register on the blueprint, and hands the blueprint to the app (portal/__init__.py).
"""
from __future__ import annotations

from .blueprint import (
    ABSOLUTE_SECONDS,
    ALLOW_ANONYMOUS,
    ALLOW_FIRST_FACTOR,
    IDLE_SECONDS,
    ROUTE_PERMISSIONS,
    StaffUser,
    bp,
    end_session,
    requires,
)
from . import auth, queue, casework, audit_log, admin, dossiers, copies, reports, rights, rights_destruction, retention, inbox  # noqa: F401  (routes register on import)

__all__ = ["ABSOLUTE_SECONDS", "ALLOW_ANONYMOUS", "ALLOW_FIRST_FACTOR", "IDLE_SECONDS", "ROUTE_PERMISSIONS",
           "StaffUser", "bp", "end_session", "requires"]
