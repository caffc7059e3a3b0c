"""The staff face (back office). Filled by the back-office issue.

Denies by default, as SecureDrop's journalist app: every route of this blueprint is
behind one before_request check. Until staff login with a second factor exists, there
is no way in at all: every page answers 404, so no personal data can be reached.
"""
from flask import Blueprint, abort

bp = Blueprint("backoffice", __name__, template_folder="../portal/templates/backoffice")

# Endpoints that need no login (the login page itself, once it exists).
ALLOW_ANONYMOUS: frozenset[str] = frozenset()


@bp.before_request
def deny_by_default():
    abort(404)


@bp.route("/")
def index():  # pragma: no cover - unreachable until staff login exists
    abort(404)
