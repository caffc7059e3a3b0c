"""Encryption at rest (portal.infra.crypto): round trips, key rotation, failures."""

from __future__ import annotations

import base64

import pytest
from cryptography.fernet import Fernet

from portal.infra.crypto import Vault, VaultError, generate_key

SECRET = "Adres opvang: Kerkstraat 12, 1234 AB Utrecht"


def test_generate_key_returns_a_usable_fernet_key_string():
    key = generate_key()
    assert isinstance(key, str)
    assert len(base64.urlsafe_b64decode(key)) == 32
    Fernet(key)  # does not raise
    assert generate_key() != key


def test_encrypt_decrypt_round_trip_bytes():
    vault = Vault([generate_key()])
    data = b"\x00\x01 binary \xff" * 100
    assert vault.decrypt(vault.encrypt(data)) == data


def test_encrypt_decrypt_round_trip_text_utf8():
    vault = Vault([generate_key()])
    text = SECRET + " \u2014 cr\u00e8che \U0001f3e0"
    token = vault.encrypt_text(text)
    assert isinstance(token, bytes)
    assert vault.decrypt_text(token) == text


def test_ciphertext_does_not_contain_plaintext():
    vault = Vault([generate_key()])
    token = vault.encrypt_text(SECRET)
    for needle in (b"Kerkstraat", b"Utrecht", b"1234 AB"):
        assert needle not in token
        assert needle not in base64.urlsafe_b64decode(token)


def test_same_plaintext_encrypts_to_different_tokens():
    vault = Vault([generate_key()])
    assert vault.encrypt(b"x") != vault.encrypt(b"x")


def test_encrypt_refuses_str_so_text_goes_through_encrypt_text():
    vault = Vault([generate_key()])
    with pytest.raises(TypeError):
        vault.encrypt(SECRET)  # type: ignore[arg-type]


def test_rotation_old_token_readable_with_new_and_old_keys_then_with_new_only():
    old, new = generate_key(), generate_key()
    token = Vault([old]).encrypt_text(SECRET)

    both = Vault([new, old])
    assert both.decrypt_text(token) == SECRET
    assert both.needs_rotation(token) is True

    rotated = both.rotate(token)
    assert rotated != token
    assert both.needs_rotation(rotated) is False

    new_only = Vault([new])
    assert new_only.decrypt_text(rotated) == SECRET
    with pytest.raises(VaultError):
        new_only.decrypt(token)  # the un-rotated token needs the old key


def test_first_key_encrypts_so_new_tokens_do_not_need_the_old_key():
    old, new = generate_key(), generate_key()
    token = Vault([new, old]).encrypt(b"data")
    assert Vault([new]).decrypt(token) == b"data"
    with pytest.raises(VaultError):
        Vault([old]).decrypt(token)


def test_needs_rotation_raises_for_a_token_no_key_can_open():
    with pytest.raises(VaultError):
        Vault([generate_key()]).needs_rotation(Vault([generate_key()]).encrypt(b"x"))


def test_rotate_raises_vault_error_for_foreign_token():
    with pytest.raises(VaultError):
        Vault([generate_key()]).rotate(Vault([generate_key()]).encrypt(b"x"))


@pytest.mark.parametrize(
    "bad_token",
    [b"", b"not a token", "niet-een-token", "t\u00f6ken", b"gAAAAA" + b"A" * 100],
)
def test_decrypt_bad_token_raises_vault_error(bad_token):
    with pytest.raises(VaultError):
        Vault([generate_key()]).decrypt(bad_token)


def test_decrypt_tampered_token_raises_vault_error():
    vault = Vault([generate_key()])
    raw = bytearray(base64.urlsafe_b64decode(vault.encrypt(b"payload")))
    raw[-40] ^= 0x01  # flip one ciphertext bit
    with pytest.raises(VaultError):
        vault.decrypt(base64.urlsafe_b64encode(bytes(raw)))


def test_decrypt_text_of_non_utf8_payload_raises_vault_error():
    vault = Vault([generate_key()])
    with pytest.raises(VaultError):
        vault.decrypt_text(vault.encrypt(b"\xff\xfe\xfd"))


def test_empty_key_list_raises_value_error():
    with pytest.raises(ValueError, match="at least one"):
        Vault([])


def test_single_key_string_instead_of_list_raises_value_error():
    with pytest.raises(ValueError):
        Vault(generate_key())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "bad_key",
    ["", "too-short-secret-key", "A" * 43 + "!", base64.urlsafe_b64encode(b"k" * 16).decode()],
)
def test_malformed_key_raises_value_error_without_echoing_the_key(bad_key):
    with pytest.raises(ValueError) as excinfo:
        Vault([generate_key(), bad_key])
    message = str(excinfo.value)
    assert "#1" in message
    if bad_key:
        assert bad_key not in message
    assert excinfo.value.__cause__ is None
    assert excinfo.value.__suppress_context__ is True


def test_repr_does_not_reveal_keys():
    key = generate_key()
    assert key not in repr(Vault([key]))
