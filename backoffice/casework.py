"""Back-office routes: casework (to be filled)."""
from . import bp  # noqa: F401
