"""The app refuses to start in production with development secrets (issue: the project)."""
import pytest

from portal import config
from portal.infra.crypto import generate_key

GOOD = {
    "ENV_NAME": "production",
    "SECRET_KEY": "x" * 48,
    "AUDIT_HMAC_KEY": "y" * 48,
    "AUDIT_CHECKPOINT_KEY": "z" * 48,
    "ENCRYPTION_KEYS": [generate_key()],
    "BLIND_INDEX_KEY": "b" * 48,
    "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://vt@db/vt",
    "SESSION_COOKIE_SECURE": True,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "PUBLIC_BASE_URL": "https://portaal.example.org",
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
        ({"AUDIT_CHECKPOINT_KEY": config.DEV_AUDIT_CHECKPOINT_KEY}, "AUDIT_CHECKPOINT_KEY"),
        ({"AUDIT_CHECKPOINT_KEY": "y" * 48}, "AUDIT_CHECKPOINT_KEY must differ"),
        ({"BLIND_INDEX_KEY": config.DEV_BLIND_INDEX_KEY}, "BLIND_INDEX_KEY"),
        ({"BLIND_INDEX_KEY": "short"}, "BLIND_INDEX_KEY"),
        ({"BLIND_INDEX_KEY": ""}, "BLIND_INDEX_KEY is not set"),
        ({"BLIND_INDEX_KEY": "y" * 48}, "BLIND_INDEX_KEY must differ"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"RATELIMIT_STORAGE_URI": None}, "RATELIMIT_STORAGE_URI"),
        ({"PUBLIC_BASE_URL": "http://portaal.example.org"}, "PUBLIC_BASE_URL"),
        ({"PUBLIC_BASE_URL": ""}, "PUBLIC_BASE_URL"),
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


def _production_env(monkeypatch, **extra):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 48)
    monkeypatch.setenv("AUDIT_HMAC_KEY", "a" * 48)
    monkeypatch.setenv("AUDIT_CHECKPOINT_KEY", "c" * 48)
    monkeypatch.setenv("ENCRYPTION_KEYS", generate_key())
    monkeypatch.setenv("BLIND_INDEX_KEY", "i" * 48)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://vt@db/vt")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://portaal.example.org")
    for name, value in extra.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def test_t7_production_refuses_to_start_without_shared_rate_limit_storage(monkeypatch):
    """Unset means memory://: each gunicorn worker would count on its own (issue 13)."""
    _production_env(monkeypatch, RATELIMIT_STORAGE_URI=None)
    with pytest.raises(config.ConfigError, match="RATELIMIT_STORAGE_URI must point to Redis"):
        config.load()
    _production_env(monkeypatch, RATELIMIT_STORAGE_URI="memory://")
    with pytest.raises(config.ConfigError, match="RATELIMIT_STORAGE_URI"):
        config.load()


def test_production_refuses_a_plain_http_public_address(monkeypatch):
    _production_env(monkeypatch, PUBLIC_BASE_URL="http://portaal.example.org")
    with pytest.raises(config.ConfigError, match="PUBLIC_BASE_URL must start with https://"):
        config.load()
    _production_env(monkeypatch)
    assert config.load()["PUBLIC_BASE_URL"] == "https://portaal.example.org"


def test_o12_production_refuses_to_start_without_the_blind_index_key(monkeypatch):
    """The keyed blind indexes beside encrypted personal fields need their own key (issue 13):
    unset, production stops with a message naming the variable, never a stack trace of a query."""
    _production_env(monkeypatch, BLIND_INDEX_KEY=None)
    with pytest.raises(config.ConfigError, match="BLIND_INDEX_KEY"):
        config.load()
    _production_env(monkeypatch)
    assert config.load()["BLIND_INDEX_KEY"] == "i" * 48
