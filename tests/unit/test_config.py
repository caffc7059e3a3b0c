"""The app refuses to start in production with development secrets (issue: the project)."""
import pytest

from portal import config
from portal.infra.crypto import generate_key

GOOD = {
    "ENV_NAME": "production",
    "SECRET_KEY": "x" * 48,
    "AUDIT_HMAC_KEY": "y" * 48,
    "ENCRYPTION_KEYS": [generate_key()],
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://vt@db/vt",
    "SESSION_COOKIE_SECURE": True,
}


def test_production_accepts_real_secrets():
    config.check_production(dict(GOOD))


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"SECRET_KEY": config.DEV_SECRET_KEY}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ENCRYPTION_KEYS": [config.DEV_ENCRYPTION_KEY]}, "ENCRYPTION_KEYS"),
        ({"ENCRYPTION_KEYS": [generate_key(), config.DEV_ENCRYPTION_KEY]}, "ENCRYPTION_KEYS"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}, "DATABASE_URL"),
        ({"AUDIT_HMAC_KEY": config.DEV_AUDIT_HMAC_KEY}, "AUDIT_HMAC_KEY"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
    ],
)
def test_production_refuses_development_settings(change, fragment):
    with pytest.raises(config.ConfigError, match=fragment):
        config.check_production({**GOOD, **change})


def test_create_app_refuses_production_with_the_development_secret(monkeypatch):
    from portal import create_app

    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError):
        create_app()


def test_the_development_key_is_a_valid_fernet_key():
    from portal.infra.crypto import Vault

    vault = Vault([config.DEV_ENCRYPTION_KEY])
    assert vault.decrypt(vault.encrypt(b"ok")) == b"ok"
