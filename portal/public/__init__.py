"""The public face: information, filing a request, joining one, following one.

The blueprint lives in portal/public/blueprint.py; this package imports the views, so
that their routes register on it, and hands it to the app (portal/__init__.py).
"""
from .blueprint import bp
from . import views  # noqa: F401  (routes register on import)

__all__ = ["bp"]
