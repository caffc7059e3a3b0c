"""All configuration in one place, read from the environment.

Defaults are safe for `make run` (SQLite in instance/, a development secret, mail to a
local catcher). In production (`PORTAL_ENV=production`) the app refuses to start with a
development secret or development encryption key.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

# Development-only values. They are public (they are in this file), so production
# refuses to start while any of them is in use.
DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"
DEV_AUDIT_HMAC_KEY = "dev-only-audit-key-never-use-in-production"
DEV_AUDIT_CHECKPOINT_KEY = "dev-only-checkpoint-key-never-use-in-production"
DEV_BLIND_INDEX_KEY = "dev-only-blind-index-key-never-use-in-production"
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHkta2V5LW5ldmVyLWluLXByb2R1Y3Rpb24="  # 32 bytes, base64


class ConfigError(RuntimeError):
    """The configuration is not safe to run with."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number") from exc


def load(overrides: dict | None = None) -> dict:
    """Build the configuration dictionary from the environment plus overrides (tests)."""
    env = os.environ
    production = env.get("PORTAL_ENV", "development") == "production"
    cfg: dict = {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": env.get("SECRET_KEY", DEV_SECRET_KEY),
        # The access log's HMAC key: kept outside the database (art. 7.5).
        "AUDIT_HMAC_KEY": env.get("AUDIT_HMAC_KEY", DEV_AUDIT_HMAC_KEY),
        # Signed checkpoints of the access log's end (portal/infra/checkpoints.py): their
        # own key, and an append-only file out of reach of whoever holds the database.
        "AUDIT_CHECKPOINT_KEY": env.get("AUDIT_CHECKPOINT_KEY", DEV_AUDIT_CHECKPOINT_KEY),
        "AUDIT_CHECKPOINT_PATH": env.get("AUDIT_CHECKPOINT_PATH", str(INSTANCE / "audit-checkpoints.log")),
        "AUDIT_CHECKPOINT_EVERY": _int("AUDIT_CHECKPOINT_EVERY", 100),
        # Comma-separated Fernet keys; the first encrypts, all decrypt (rotation).
        "ENCRYPTION_KEYS": [k.strip() for k in env.get("ENCRYPTION_KEYS", DEV_ENCRYPTION_KEY).split(",") if k.strip()],
        # The keyed blind indexes beside encrypted personal fields (portal/infra/encrypted.py):
        # HMAC-SHA256 with this key, its own, never one of the ENCRYPTION_KEYS.
        "BLIND_INDEX_KEY": env.get("BLIND_INDEX_KEY", DEV_BLIND_INDEX_KEY),
        "SQLALCHEMY_DATABASE_URI": env.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'portal.sqlite3'}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Uploads: PDF, JPEG, PNG; the body limit is checked from Content-Length before
        # the body is read (Flask's MAX_CONTENT_LENGTH), the file limit while reading.
        "UPLOAD_MAX_BYTES": _int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        "UPLOAD_MAX_PIXELS": _int("UPLOAD_MAX_PIXELS", 40_000_000),
        # Languages: Dutch is the source language, English is complete.
        "LANGUAGES": ("nl", "en"),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "TIMEZONE": "Europe/Amsterdam",
        # Sessions and cookies.
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=_int("SESSION_MINUTES", 30)),
        # The status page's server-side session (portal/services/status_sessions.py).
        "STATUS_SESSION_MAX_MINUTES": _int("STATUS_SESSION_MAX_MINUTES", 120),
        "STATUS_SESSION_IDLE_MINUTES": _int("STATUS_SESSION_IDLE_MINUTES", 30),
        "WTF_CSRF_TIME_LIMIT": 3600,
        "WTF_CSRF_SSL_STRICT": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Number of reverse proxies in front of the app (0: none).
        "PROXY_HOPS": _int("PROXY_HOPS", 0),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # Where staff reach the back office (links in the daily digest); empty: PUBLIC_BASE_URL.
        "BACKOFFICE_BASE_URL": env.get("BACKOFFICE_BASE_URL", ""),
        # Rate limits (Flask-Limiter): memory by default (one process: `make run`);
        # production refuses memory:// (each worker would count on its own) and needs Redis.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        "RATELIMIT_ENABLED": _bool(env.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_SUBMIT": env.get("RATELIMIT_SUBMIT", "10 per hour"),
        # Status logins and links, and token endpoints: per address and reference
        # together, per reference from any address, and a ceiling per address
        # (portal/public/limits.py): one guesser does not lock out a shared address.
        "RATELIMIT_STATUS": env.get("RATELIMIT_STATUS", "20 per hour"),
        "RATELIMIT_TOKEN": env.get("RATELIMIT_TOKEN", "30 per hour"),
        "RATELIMIT_PER_REFERENCE": env.get("RATELIMIT_PER_REFERENCE", "40 per hour"),
        "RATELIMIT_PER_ADDRESS": env.get("RATELIMIT_PER_ADDRESS", "300 per hour"),
        # Back-office password logins per IP address (per account: see backoffice/auth.py).
        "RATELIMIT_STAFF_LOGIN": env.get("RATELIMIT_STAFF_LOGIN", "30 per hour"),
        # E-mail: neutral sender and subject, never personal data.
        "MAIL_SERVER": env.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": _int("MAIL_PORT", 8025),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), False),
        "MAIL_USERNAME": env.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD"),
        "MAIL_SENDER": env.get("MAIL_SENDER", "Servicepunt <noreply@example.org>"),
        "MAIL_SUBJECT": env.get("MAIL_SUBJECT", "Bericht van het servicepunt"),
        "MAIL_SUBJECT_EN": env.get("MAIL_SUBJECT_EN", "Message from the service desk"),
        "MAIL_ENABLED": _bool(env.get("MAIL_ENABLED"), True),
        # Tokens (itsdangerous; one salt per purpose).
        "EMAIL_CONFIRM_MAX_AGE": _int("EMAIL_CONFIRM_MAX_AGE", 3 * 24 * 3600),
        "STATUS_LINK_MAX_AGE": _int("STATUS_LINK_MAX_AGE", 30 * 60),
        "INVITATION_MAX_AGE": _int("INVITATION_MAX_AGE", 14 * 24 * 3600),
        # Purges.
        "UNCONFIRMED_PURGE_DAYS": _int("UNCONFIRMED_PURGE_DAYS", 7),
        "DRAFT_PURGE_HOURS": _int("DRAFT_PURGE_HOURS", 24),
        # The reading of art. 20 for children of 12 to 16 ("together" or "each_alone").
        "JOINT_RULE": env.get("JOINT_RULE", "together"),
        # Representatives accepted for adults (art. 20.3 names the bewindvoerder).
        "ADULT_REPRESENTATIVE_KINDS": tuple(
            k.strip() for k in env.get("ADULT_REPRESENTATIVE_KINDS", "curator,mentor,bewindvoerder").split(",") if k.strip()
        ),
        # Quick exit goes to a neutral site.
        "QUICK_EXIT_URL": env.get("QUICK_EXIT_URL", "https://www.weeronline.nl/"),
        "ORGANISATION_NAME": env.get("ORGANISATION_NAME", "Veilig Thuis"),
        "ORGANISATION_PHONE": env.get("ORGANISATION_PHONE", "0800-2000"),
        # Background jobs (Huey): SQLite file by default, Redis when configured.
        "HUEY_REDIS_URL": env.get("HUEY_REDIS_URL"),
        "HUEY_SQLITE_PATH": env.get("HUEY_SQLITE_PATH", str(INSTANCE / "jobs.sqlite3")),
        "HUEY_IMMEDIATE": _bool(env.get("HUEY_IMMEDIATE"), False),
        # A copy of a dossier with more entries than this is made by the job queue, so
        # that making it never holds a web request long (issue 12; about 2.5 s per
        # 1,000 entries on 2 cores).
        "COPY_PLAN_INLINE_MAX": int(env.get("COPY_PLAN_INLINE_MAX", "200")),
        # The deduce detector in the copy's free-text pass (pip install -e '.[detect]'):
        # only where the background worker has the memory for it (about 1.1 GB).
        "DETECTOR_DEDUCE": _bool(env.get("DETECTOR_DEDUCE"), False),
        # DigiD through an OpenID Connect broker (portal/services/eid.py, issue 11).
        # Without DIGID_ISSUER the portal offers only the ID copy and the visit.
        "DIGID_ISSUER": env.get("DIGID_ISSUER", "").strip().rstrip("/"),
        "DIGID_CLIENT_ID": env.get("DIGID_CLIENT_ID", ""),
        "DIGID_CLIENT_SECRET": env.get("DIGID_CLIENT_SECRET", ""),
        "DIGID_SCOPES": env.get("DIGID_SCOPES", "openid bsn"),
        "DIGID_BSN_CLAIM": env.get("DIGID_BSN_CLAIM", "bsn"),
        "DIGID_LOA_CLAIM": env.get("DIGID_LOA_CLAIM", "acr"),
        # DigiD Machtigen: who acts and for whom. The acting subject's BSN is the person's
        # own; the legal subject's is kept with the check, never taken as art. 20.3 proof.
        "DIGID_ACTING_SUBJECT_CLAIM": env.get("DIGID_ACTING_SUBJECT_CLAIM", "urn:nl-eid-gdi:1.0:ActingSubjectID"),
        "DIGID_LEGAL_SUBJECT_CLAIM": env.get("DIGID_LEGAL_SUBJECT_CLAIM", "urn:nl-eid-gdi:1.0:LegalSubjectID"),
        # acr=level pairs, comma-separated; empty: the SAML classes of DigiD (rules/eid.py).
        "DIGID_LOA_MAP": env.get("DIGID_LOA_MAP", ""),
        "DIGID_MIN_LOA": env.get("DIGID_MIN_LOA", "substantieel").strip().lower(),
        "DIGID_TIMEOUT_SECONDS": _int("DIGID_TIMEOUT_SECONDS", 10),
        "DIGID_CACHE_SECONDS": _int("DIGID_CACHE_SECONDS", 3600),
    }
    if overrides:
        cfg.update(overrides)
    cfg["MAX_CONTENT_LENGTH"] = cfg["UPLOAD_MAX_BYTES"] + 256 * 1024
    if str(cfg["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite"):
        # Concurrent writers (two logins, the job worker) wait for the lock instead of
        # failing at once with "database is locked".
        options = dict(cfg["SQLALCHEMY_ENGINE_OPTIONS"])
        options["connect_args"] = {"timeout": 30, **options.get("connect_args", {})}
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if cfg.get("DIGID_ISSUER"):
        check_digid(cfg)
    if cfg["ENV_NAME"] == "production":
        check_production(cfg)
    return cfg


def check_digid(cfg: dict) -> None:
    """A DigiD setting that cannot work stops the start, not a person halfway (issue 11)."""
    from .rules.eid import LEVELS, parse_loa_map

    if cfg.get("DIGID_MIN_LOA") not in LEVELS:
        raise ConfigError(f"DIGID_MIN_LOA must be one of {', '.join(LEVELS)}")
    try:
        parse_loa_map(cfg.get("DIGID_LOA_MAP"))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    if not cfg.get("DIGID_CLIENT_ID"):
        raise ConfigError("DIGID_ISSUER is set: DIGID_CLIENT_ID is needed too")


def check_production(cfg: dict) -> None:
    """Refuse to run production with development secrets or an unsafe setup."""
    if cfg["SECRET_KEY"] == DEV_SECRET_KEY or len(cfg["SECRET_KEY"]) < 32:
        raise ConfigError("SECRET_KEY is the development secret or shorter than 32 characters")
    if cfg["AUDIT_HMAC_KEY"] == DEV_AUDIT_HMAC_KEY or len(cfg["AUDIT_HMAC_KEY"]) < 32:
        raise ConfigError("AUDIT_HMAC_KEY is the development key or shorter than 32 characters")
    checkpoint_key = cfg.get("AUDIT_CHECKPOINT_KEY") or ""
    if checkpoint_key == DEV_AUDIT_CHECKPOINT_KEY or len(checkpoint_key) < 32:
        raise ConfigError("AUDIT_CHECKPOINT_KEY is the development key or shorter than 32 characters")
    if checkpoint_key == cfg["AUDIT_HMAC_KEY"]:
        raise ConfigError("AUDIT_CHECKPOINT_KEY must differ from AUDIT_HMAC_KEY")
    if DEV_ENCRYPTION_KEY in cfg["ENCRYPTION_KEYS"]:
        raise ConfigError("ENCRYPTION_KEYS contains the development key")
    blind_key = cfg.get("BLIND_INDEX_KEY") or ""
    if blind_key == DEV_BLIND_INDEX_KEY or len(blind_key) < 32:
        raise ConfigError("BLIND_INDEX_KEY is not set, is the development key or is shorter than 32 characters "
                          "(it keys the indexes beside encrypted personal fields)")
    if blind_key in (cfg["AUDIT_HMAC_KEY"], checkpoint_key, cfg["SECRET_KEY"]):
        raise ConfigError("BLIND_INDEX_KEY must differ from SECRET_KEY, AUDIT_HMAC_KEY and AUDIT_CHECKPOINT_KEY")
    if cfg["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raise ConfigError("DATABASE_URL must point to PostgreSQL in production")
    if not cfg["SESSION_COOKIE_SECURE"]:
        raise ConfigError("SESSION_COOKIE_SECURE must be on in production")
    if str(cfg.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        raise ConfigError("RATELIMIT_STORAGE_URI must point to Redis in production (redis://host:6379/0): "
                          "with memory:// every worker counts on its own and the limits multiply")
    if not str(cfg.get("PUBLIC_BASE_URL") or "").startswith("https://"):
        raise ConfigError("PUBLIC_BASE_URL must start with https:// in production: it is the address in every e-mail link")
    if cfg.get("DIGID_ISSUER"):
        if not cfg["DIGID_ISSUER"].startswith("https://"):
            raise ConfigError("DIGID_ISSUER must start with https:// in production")
        if not cfg.get("DIGID_CLIENT_ID") or not cfg.get("DIGID_CLIENT_SECRET"):
            raise ConfigError("DIGID_ISSUER is set: DIGID_CLIENT_ID and DIGID_CLIENT_SECRET are needed too")
        if cfg.get("DIGID_MIN_LOA") not in ("substantieel", "hoog"):
            raise ConfigError("DIGID_MIN_LOA must be substantieel or hoog in production (special categories of data)")
