"""Personal fields encrypted at rest, and keyed blind indexes to find rows by them
(issue 13, threat model O12).

* :class:`EncryptedText` and :class:`EncryptedDate` are SQLAlchemy column types: the
  model reads and writes ``str`` and ``date`` as before, the database holds a Fernet
  token (the vault of :mod:`portal.infra.crypto`, ``ENCRYPTION_KEYS``). Every column of
  these types is found by :func:`encrypted_columns`, which ``flask rotate-keys`` walks,
  so a new encrypted column cannot be left out of a rotation.
* A value that no key opens does not crash a page: it reads as :data:`UNREADABLE` in
  the reader's language ("[onleesbaar]", "[unreadable]"; a date as ``None``) and a
  warning without content is logged; ``flask rotate-keys --check`` names the table and id.
* A value that is not a Fernet token is legacy plain text (a row the encrypting
  migration has not reached yet): it is read as it is.
* :func:`blind_index` is an HMAC-SHA256 with its own key (``BLIND_INDEX_KEY``) over a
  normalised value, stored beside the ciphertext where the code must find a row by a
  value (a second request for the same subject, a dossier person by family name and
  birth date, or by BSN). Without the key the index says nothing; with it, only
  equality.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import unicodedata
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from .crypto import VaultError

log = logging.getLogger(__name__)

#: Every Fernet token starts with these characters (version byte 0x80 and the high,
#: still zero, bytes of the timestamp): how a migration tells a done row from a plain one.
TOKEN_PREFIX = "gAAAAA"

#: What an encrypted text that no key opens reads as (shown on pages where the value
#: would be): translated when it is read, in the language of the request reading it.
UNREADABLE = _l("[onleesbaar]")


def is_token(value) -> bool:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value[:6]) == TOKEN_PREFIX.encode()
    return isinstance(value, str) and value.startswith(TOKEN_PREFIX)


def _vault():
    return current_app.extensions["vault"]


class EncryptedText(TypeDecorator):
    """A text column whose values are encrypted with the vault (a Fernet token as text)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError("EncryptedText expects str")
        return _vault().encrypt_text(value).decode("ascii")

    def process_result_value(self, value, dialect):
        if value is None or not is_token(value):
            return value
        try:
            return _vault().decrypt_text(value)
        except VaultError:
            log.warning("an encrypted value could not be decrypted (run flask rotate-keys --check)")
            return str(UNREADABLE)

    def process_literal_param(self, value, dialect):  # never write plaintext into SQL text
        raise NotImplementedError("encrypted values are bound, never rendered as literals")


class EncryptedDate(TypeDecorator):
    """A date column stored as the encrypted ISO string ("2012-03-04")."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, date):
            raise TypeError("EncryptedDate expects a date")
        return _vault().encrypt_text(value.isoformat()).decode("ascii")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, date):
            return value
        try:
            text = _vault().decrypt_text(value) if is_token(value) else str(value)
            return date.fromisoformat(text[:10])
        except (VaultError, ValueError):
            log.warning("an encrypted date could not be decrypted (run flask rotate-keys --check)")
            return None

    def process_literal_param(self, value, dialect):
        raise NotImplementedError("encrypted values are bound, never rendered as literals")


ENCRYPTED_TYPES = (EncryptedText, EncryptedDate)


def encrypted_columns(metadata) -> list[tuple[str, str]]:
    """(table, column) of every column of an encrypted type in ``metadata``: the
    registry ``flask rotate-keys`` walks (with the encrypted files, portal/services/keys.py)."""
    return [(t.name, c.name) for t in metadata.sorted_tables for c in t.columns
            if isinstance(c.type, ENCRYPTED_TYPES)]


# --- blind indexes --------------------------------------------------------------------------

def normalise(text: str | None) -> str:
    """Casefolded, accents dropped, whitespace collapsed: " Ä.  de Vries" -> "a. de vries"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(kept.casefold().split())


def fold(text: str | None) -> str:
    """Casefold, drop accents, keep letters and digits: "Ä. de Vries-" -> "adevries"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum() and not unicodedata.combining(ch))


def compute_blind_index(key: str, purpose: str, *parts: str) -> str | None:
    """HMAC-SHA256 (hex) of ``purpose`` and the already-normalised ``parts``; None when a
    part is empty (nothing to find it by). The purpose keeps indexes of different
    fields apart: equal BSNs give equal values, a BSN and a name never do."""
    if not parts or any(not p for p in parts):
        return None
    message = "\x1f".join((purpose, *parts)).encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def blind_index(purpose: str, *parts: str) -> str | None:
    """:func:`compute_blind_index` with the app's BLIND_INDEX_KEY."""
    return compute_blind_index(current_app.config["BLIND_INDEX_KEY"], purpose, *parts)


# The indexes the portal keeps; the same functions serve the models (on every write),
# the services (to look a row up) and the encrypting migration.

def subject_index(key: str, given_names: str | None, surname: str | None, born: date | None) -> str | None:
    """Party.match_index: first given name, surname (folded, as portal/services/duplicates.py
    compares them) and birth date: "a second request for the same subject"."""
    first = (given_names or "").split()
    return compute_blind_index(key, "party.subject", fold(first[0] if first else ""), fold(surname),
                               born.isoformat() if born else "")


def person_name_birth_index(key: str, family_name: str | None, born: date | None) -> str | None:
    """DossierPerson.name_birth_index: family name (normalised) and birth date."""
    return compute_blind_index(key, "dossier_person.name_birth", normalise(family_name),
                               born.isoformat() if born else "")


def bsn_index(key: str, bsn: str | None) -> str | None:
    """DossierPerson.bsn_index: the nine digits."""
    digits = "".join(ch for ch in (bsn or "") if ch.isdigit())
    return compute_blind_index(key, "bsn", digits.zfill(9) if digits else "")
