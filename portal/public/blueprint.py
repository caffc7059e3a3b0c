"""The public face's blueprint, which the view modules import (portal/public/views.py);
portal/public/__init__.py imports the views, so that their routes register."""
from flask import Blueprint

bp = Blueprint("public", __name__)
