"""The queue (to be filled by the back-office work)."""
from flask import abort

from . import bp


@bp.route("/")
def index():
    abort(404)
