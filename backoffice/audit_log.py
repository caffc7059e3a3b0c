"""Back-office routes: audit_log (to be filled)."""
from . import bp  # noqa: F401
