#!/usr/bin/env bash
# The production install, step by step as the README's "Production" section describes it.
#
#   deploy/install.sh [ENV_FILE]
#
# ENV_FILE (default: the current environment) holds the settings as VAR=value lines, as
# /etc/vt-portal/env does for the systemd units. The script
#   1. checks every setting production needs, in the README's order, and stops at the
#      first one that is missing or unsafe, naming it;
#   2. checks that PostgreSQL and Redis answer;
#   3. compiles the translation catalogues (only those that changed);
#   4. runs the database migrations (flask db upgrade);
#   5. installs the systemd units when INSTALL_SYSTEMD=1 (only when they differ).
# Run it again and it changes nothing: each step only acts on what is not done yet, and
# says what it did. It never starts or stops a service: see the README for the order.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

if [ "${1:-}" != "" ]; then
  [ -r "$1" ] || { echo "install: cannot read $1" >&2; exit 2; }
  # Read it as systemd's EnvironmentFile= does: KEY=value per line, # comments, the value
  # taken literally (optionally in double or single quotes), never run as shell code.
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*|';'*) continue;; esac
    key="${line%%=*}"; value="${line#*=}"
    case "$key" in *[!A-Za-z0-9_]*|'') echo "install: STOP: $1: not a KEY=value line" >&2; exit 2;; esac
    case "$value" in \"*\") value="${value:1:${#value}-2}";; \'*\') value="${value:1:${#value}-2}";; esac
    export "$key=$value"
  done < "$1"
fi
BIN="${PORTAL_BIN:-$ROOT/.venv/bin}"
export FLASK_APP="portal:create_app"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
changed=0

fail() { echo "install: STOP: $1" >&2; exit 2; }
need() { [ -n "${!1:-}" ] || fail "$1 is not set. $2"; }
did() { echo "install: $1"; changed=1; }

# --- 1. settings (README, "Settings"): the first missing or unsafe one stops ---------------------
[ "${PORTAL_ENV:-}" = "production" ] || fail "PORTAL_ENV must be 'production' (it turns on the production checks)."
need SECRET_KEY "At least 32 random characters: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
need AUDIT_HMAC_KEY "At least 32 random characters, kept outside the database (the access log's key, art. 7.5)."
need AUDIT_CHECKPOINT_KEY "At least 32 random characters, not the AUDIT_HMAC_KEY: signs the access log's checkpoints (keep it out of the database and its backups)."
need ENCRYPTION_KEYS "One or more Fernet keys, comma-separated: $BIN/python -c 'from portal.infra.crypto import generate_key; print(generate_key())'"
need DATABASE_URL "postgresql+psycopg://USER:PASSWORD@HOST/DB"
case "$DATABASE_URL" in postgresql*) ;; *) fail "DATABASE_URL must point to PostgreSQL (postgresql+psycopg://...).";; esac
need BLIND_INDEX_KEY "At least 32 random characters, its own (not one of the keys above): keys the indexes beside encrypted personal fields (keep it out of the database and its backups)."
need RATELIMIT_STORAGE_URI "redis://127.0.0.1:6379/0: with several gunicorn workers the rate limits must be shared."
case "$RATELIMIT_STORAGE_URI" in redis://*|rediss://*) ;; *) fail "RATELIMIT_STORAGE_URI must be a Redis URL: in memory every worker counts on its own.";; esac
need HUEY_REDIS_URL "redis://127.0.0.1:6379/1: the job queue the web servers and the consumer share."
case "$HUEY_REDIS_URL" in redis://*|rediss://*) ;; *) fail "HUEY_REDIS_URL must be a Redis URL.";; esac
need PUBLIC_BASE_URL "The portal's https:// address (links in e-mails)."
case "$PUBLIC_BASE_URL" in https://*) ;; *) fail "PUBLIC_BASE_URL must start with https://.";; esac
case "${BACKOFFICE_BASE_URL:-https://}" in https://*) ;; *) fail "BACKOFFICE_BASE_URL must start with https:// (or be left empty).";; esac
need PROXY_HOPS "The number of reverse proxies in front of gunicorn (1 behind one TLS proxy; 0 only without one)."
case "$PROXY_HOPS" in ''|*[!0-9]*) fail "PROXY_HOPS must be a whole number.";; esac
need MAIL_SERVER "The SMTP server for outgoing mail."
need MAIL_SENDER "The neutral sender, e.g. 'Servicepunt <noreply@example.org>'."
# config.py's own production checks (lengths, development secrets, secure cookies) and the keys.
"$BIN/python" - <<'PY' || exit 2
import sys
from portal import config
try:
    cfg = config.load()
except config.ConfigError as exc:
    sys.exit(f"install: STOP: {exc}")
from portal.infra.crypto import Vault
try:
    Vault(cfg["ENCRYPTION_KEYS"])
except ValueError as exc:
    sys.exit(f"install: STOP: ENCRYPTION_KEYS: {exc}")
PY
echo "install: settings checked"

# --- 2. PostgreSQL and Redis answer -----------------------------------------------------------------
"$BIN/python" - <<'PY' || exit 2
import os, sys
import redis
from sqlalchemy import create_engine, text
try:
    with create_engine(os.environ["DATABASE_URL"], connect_args={"connect_timeout": 5}).connect() as c:
        c.execute(text("select 1"))
except Exception as exc:
    sys.exit(f"install: STOP: DATABASE_URL: PostgreSQL does not answer ({type(exc).__name__})")
for name in ("RATELIMIT_STORAGE_URI", "HUEY_REDIS_URL"):
    try:
        redis.Redis.from_url(os.environ[name], socket_connect_timeout=5).ping()
    except Exception as exc:
        sys.exit(f"install: STOP: {name}: Redis does not answer ({type(exc).__name__})")
PY
echo "install: PostgreSQL and Redis answer"

# --- 3. translation catalogues (English silently shows Dutch without them) ---------------------------
for po in translations/*/LC_MESSAGES/messages.po; do
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
    "$BIN/pybabel" compile -i "$po" -o "$mo" >/dev/null
    did "compiled $mo"
  fi
done

# --- 4. database migrations -----------------------------------------------------------------------
before="$("$BIN/flask" db current 2>/dev/null | tail -n 1)"
"$BIN/flask" db upgrade >/dev/null 2>&1 || fail "flask db upgrade failed: run it by hand to see why."
after="$("$BIN/flask" db current 2>/dev/null | tail -n 1)"
if [ "$before" != "$after" ]; then did "database migrated to ${after%% *}"; fi

# --- 5. systemd units (INSTALL_SYSTEMD=1, as root) ------------------------------------------------
if [ "${INSTALL_SYSTEMD:-0}" = "1" ]; then
  for unit in vt-portal-web.service vt-portal-worker.service; do
    if ! cmp -s "deploy/$unit" "/etc/systemd/system/$unit"; then
      install -m 0644 "deploy/$unit" "/etc/systemd/system/$unit"
      did "installed /etc/systemd/system/$unit"
    fi
  done
  if [ "$changed" = 1 ]; then systemctl daemon-reload; fi
fi

if [ "$changed" = 0 ]; then
  echo "install: nothing to do: everything was already in place"
else
  echo "install: done. Start (or restart) the web server and the job consumer: see the README."
fi
