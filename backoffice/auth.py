"""Staff login: password, then the second factor (to be filled by the back-office work)."""
from flask import abort

from . import bp


@bp.route("/login", methods=["GET", "POST"])
def login():
    abort(404)


@bp.route("/totp", methods=["GET", "POST"])
def totp():
    abort(404)


@bp.route("/totp/instellen", methods=["GET", "POST"])
def totp_setup():
    abort(404)


@bp.route("/uitloggen", methods=["POST"])
def logout():
    abort(404)
