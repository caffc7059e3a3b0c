"""Encryption at rest with key rotation.

A thin wrapper around :class:`cryptography.fernet.MultiFernet` so that the
rest of the portal never touches key material or Fernet details directly.

* ``Vault(keys)``: the first key encrypts, every key decrypts. To rotate,
  generate a new key, put it first (``[new, old]``), re-encrypt stored tokens
  with :meth:`Vault.rotate` (or lazily on read, see
  :meth:`Vault.needs_rotation`), and drop the old key once nothing needs it.
* Errors never contain key material or plaintext: a malformed key gives a
  ``ValueError`` naming only its position in the list, a token that no key
  can open gives :class:`VaultError`.

Pure module: no Flask, no database.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["Vault", "VaultError", "generate_key"]


class VaultError(Exception):
    """A token could not be decrypted: tampered, truncated, expired, or
    encrypted under a key this vault does not hold."""


def generate_key() -> str:
    """Return a fresh Fernet key (url-safe base64, 44 ASCII characters)."""
    return Fernet.generate_key().decode("ascii")


class Vault:
    """Symmetric encryption with an ordered key list (newest first)."""

    __slots__ = ("_fernets", "_multi")

    def __init__(self, keys: Sequence[str]) -> None:
        # A single string is a Sequence too; iterating it would give
        # one-character "keys", so refuse it explicitly.
        if isinstance(keys, (str, bytes, bytearray)):
            raise ValueError("Vault expects a list of keys, not a single key string")
        keys = list(keys)
        if not keys:
            raise ValueError("Vault needs at least one encryption key")
        fernets: list[Fernet] = []
        for position, key in enumerate(keys):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError, binascii.Error):
                # "from None": the original exception chain is dropped so that
                # nothing derived from the key ends up in logs or tracebacks.
                raise ValueError(
                    f"encryption key #{position} is not a valid Fernet key "
                    "(expected 32 bytes, url-safe base64 encoded)"
                ) from None
        self._fernets: tuple[Fernet, ...] = tuple(fernets)
        self._multi = MultiFernet(fernets)

    def __repr__(self) -> str:  # never show key material
        return f"<Vault keys={len(self._fernets)}>"

    # -- bytes ---------------------------------------------------------------

    def encrypt(self, data: bytes) -> bytes:
        """Encrypt ``data`` under the first (current) key."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("Vault.encrypt expects bytes; use encrypt_text for str")
        return self._multi.encrypt(bytes(data))

    def decrypt(self, token: bytes | str, *, ttl: int | None = None) -> bytes:
        """Decrypt a token made with any of the vault's keys.

        ``ttl`` (seconds) optionally rejects tokens older than that.
        Raises :class:`VaultError` if no key can open the token.
        """
        try:
            return self._multi.decrypt(_as_token(token), ttl=ttl)
        except InvalidToken:
            raise VaultError("token could not be decrypted") from None

    def rotate(self, token: bytes | str) -> bytes:
        """Re-encrypt ``token`` under the first key.

        The original timestamp is kept (MultiFernet semantics), so ``ttl``
        checks still measure from when the data was first encrypted.
        Raises :class:`VaultError` if no key can open the token.
        """
        try:
            return self._multi.rotate(_as_token(token))
        except InvalidToken:
            raise VaultError("token could not be decrypted") from None

    def needs_rotation(self, token: bytes | str) -> bool:
        """True if ``token`` opens with an older key but not with the current one.

        Fernet tokens carry no key id, so this costs one decryption attempt
        with the current key (plus one with the full list if that fails).
        Raises :class:`VaultError` if no key can open the token at all.
        """
        raw = _as_token(token)
        try:
            self._fernets[0].decrypt(raw)
            return False
        except InvalidToken:
            pass
        self.decrypt(raw)  # raises VaultError if no key fits
        return True

    # -- text convenience ----------------------------------------------------

    def encrypt_text(self, text: str) -> bytes:
        """Encrypt a ``str`` (UTF-8)."""
        if not isinstance(text, str):
            raise TypeError("Vault.encrypt_text expects str")
        return self.encrypt(text.encode("utf-8"))

    def decrypt_text(self, token: bytes | str, *, ttl: int | None = None) -> str:
        """Decrypt a token produced by :meth:`encrypt_text`."""
        data = self.decrypt(token, ttl=ttl)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            raise VaultError("decrypted data is not valid UTF-8") from None


def _as_token(token: bytes | str) -> bytes:
    if isinstance(token, str):
        try:
            return token.encode("ascii")
        except UnicodeEncodeError:
            raise VaultError("token could not be decrypted") from None
    if isinstance(token, (bytes, bytearray, memoryview)):
        return bytes(token)
    raise TypeError("token must be bytes or str")
