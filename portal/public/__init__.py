"""The public face: information, filing a request, joining one, following one."""
from flask import Blueprint

bp = Blueprint("public", __name__)

from . import views  # noqa: E402,F401  (routes register on import)
