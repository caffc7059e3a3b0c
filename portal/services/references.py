"""A request's reference (VT-XXXX-XXXX-XXXX): making one, reading one typed by a person,
and finding the request it names. A leaf of the service layer."""
from __future__ import annotations

import secrets

from ..infra.extensions import db
from ..models import Request

REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U: easy to read aloud


def new_reference() -> str:
    """VT-XXXX-XXXX-XXXX: 12 random characters (59 bits), not a database id, not counted."""
    chars = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(12))
    return f"VT-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def normalise_reference(text: str) -> str:
    compact = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if compact.startswith("VT"):
        compact = compact[2:]
    compact = compact.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(compact) != 12:
        return ""
    return f"VT-{compact[:4]}-{compact[4:8]}-{compact[8:]}"


def by_reference(reference: str) -> Request | None:
    """The request a typed reference names, or None (also for text that is no reference)."""
    ref = normalise_reference(reference)
    if not ref:
        return None
    return db.session.execute(db.select(Request).filter_by(reference=ref)).scalar_one_or_none()
