"""DigiD through an OpenID Connect broker (issue 11): the pure part.

The levels of assurance of DigiD in order, the mapping from the `acr` values a broker
sends (by default the SAML authentication context classes DigiD uses), whether a level
reaches the minimum for the identity check of art. 20.5, and the BSN: the 11-test and
the masked form that is all a page ever shows.
"""
from __future__ import annotations

from stdnum.nl import bsn as _bsn

LEVELS = ("basis", "midden", "substantieel", "hoog")

_AC = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
DEFAULT_LOA_MAP = {
    f"{_AC}PasswordProtectedTransport": "basis",
    f"{_AC}MobileTwoFactorContract": "midden",
    f"{_AC}Smartcard": "substantieel",
    f"{_AC}SmartcardPKI": "hoog",
}


def parse_loa_map(text: str | None) -> dict[str, str]:
    """`acr=level,acr=level` (DIGID_LOA_MAP); empty: the default SAML classes. The short
    class names (`Smartcard`) stand for the full urn as well."""
    if not text or not text.strip():
        return dict(DEFAULT_LOA_MAP)
    out: dict[str, str] = {}
    for item in text.split(","):
        if not item.strip():
            continue
        acr, sep, level = item.rpartition("=")
        acr, level = acr.strip(), level.strip().lower()
        if not sep or not acr or level not in LEVELS:
            raise ValueError(f"DIGID_LOA_MAP: '{item.strip()}' is not acr=level with a level of {', '.join(LEVELS)}")
        out[acr] = level
        if ":" not in acr:
            out[_AC + acr] = level
    return out


def level_of(acr: str | None, loa_map: dict[str, str]) -> str | None:
    """The DigiD level for an `acr` value; None for a value the map does not know
    (never guessed upwards)."""
    if not acr:
        return None
    return loa_map.get(acr) or loa_map.get(_AC + acr)


def reaches(level: str | None, minimum: str) -> bool:
    return level in LEVELS and LEVELS.index(level) >= LEVELS.index(minimum)


def bsn_valid(value: str | None) -> bool:
    """Nine digits that pass the 11-test."""
    return bool(value) and str(value).isdigit() and len(str(value)) == 9 and _bsn.is_valid(str(value))


def mask_bsn(value: str | None) -> str:
    """All but the last 3 digits hidden: `******653`."""
    if not value:
        return ""
    return "*" * (len(value) - 3) + value[-3:]
