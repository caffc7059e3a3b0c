#!/usr/bin/env bash
# CI (.ci/run): the production install from nothing on the PostgreSQL and Redis on
# loopback, in a database of its own, as the README describes it: deploy/install.sh
# twice (the second run must change nothing), then gunicorn and the job consumer, then
# deploy/smoke.py (ready, a request filed, a job run). Everything it started is stopped,
# and its database dropped, however it ends.
#   INSTALL_DB (vt_install_ci), INSTALL_REDIS (redis://127.0.0.1:6379/15), INSTALL_PORT (8765)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
DB="${INSTALL_DB:-vt_install_ci}"
REDIS="${INSTALL_REDIS:-redis://127.0.0.1:6379/15}"
PORT="${INSTALL_PORT:-8765}"
SMTP_PORT=$((PORT + 1))
WORK="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" || true
  rm -rf "$WORK"
}
trap cleanup EXIT

dropdb -h 127.0.0.1 -U postgres --if-exists "$DB"
createdb -h 127.0.0.1 -U postgres "$DB"
.venv/bin/python - "$REDIS" <<'PY'
import sys, redis
redis.Redis.from_url(sys.argv[1]).flushdb()  # the CI's own Redis database
PY

gen() { .venv/bin/python -c "$1"; }
cat > "$WORK/env" <<ENV
# Made for CI only; a real one lives in /etc/vt-portal/env, readable by root and the service user.
PORTAL_ENV=production
SECRET_KEY=$(gen 'import secrets; print(secrets.token_urlsafe(48))')
AUDIT_HMAC_KEY=$(gen 'import secrets; print(secrets.token_urlsafe(48))')
AUDIT_CHECKPOINT_KEY=$(gen 'import secrets; print(secrets.token_urlsafe(48))')
ENCRYPTION_KEYS=$(gen 'from portal.infra.crypto import generate_key; print(generate_key())')
BLIND_INDEX_KEY=$(gen 'import secrets; print(secrets.token_urlsafe(48))')
DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/$DB
RATELIMIT_STORAGE_URI=$REDIS
HUEY_REDIS_URL=$REDIS
PUBLIC_BASE_URL=https://portal.example
PROXY_HOPS=1
MAIL_SERVER=127.0.0.1
MAIL_PORT=$SMTP_PORT
MAIL_SENDER="Servicepunt <noreply@example.org>"
ENV

echo "=== install: the first setting missing stops it, naming the variable ==="
if out="$(env -i PATH="$PATH" PORTAL_ENV=production deploy/install.sh 2>&1)"; then
  echo "install ran without settings" >&2; exit 1
fi
echo "$out" | grep -q "SECRET_KEY" || { echo "install did not name SECRET_KEY: $out" >&2; exit 1; }

echo "=== install: first run ==="
env -i PATH="$PATH" HOME="$HOME" deploy/install.sh "$WORK/env"
echo "=== install: second run changes nothing ==="
second="$(env -i PATH="$PATH" HOME="$HOME" deploy/install.sh "$WORK/env")"
echo "$second"
echo "$second" | grep -q "nothing to do" || { echo "the second run changed something" >&2; exit 1; }

echo "=== start: mail catcher, gunicorn (4 workers), the job consumer ==="
set -a; while IFS= read -r line; do case "$line" in ''|'#'*) continue;; esac; export "${line%%=*}=$(printf '%s' "${line#*=}" | sed 's/^"\(.*\)"$/\1/')"; done < "$WORK/env"; set +a
export PYTHONPATH="$ROOT"
.venv/bin/python -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Sink & pids+=($!)
.venv/bin/gunicorn --workers 4 --bind "127.0.0.1:$PORT" 'portal.wsgi:app' 2>"$WORK/web.log" & pids+=($!)
.venv/bin/huey_consumer portal.worker.huey --workers 1 >"$WORK/worker.log" 2>&1 & pids+=($!)

echo "=== smoke: ready, a request filed, a job run ==="
if ! PORTAL_URL="http://127.0.0.1:$PORT" .venv/bin/python deploy/smoke.py; then
  echo "--- web log"; tail -n 40 "$WORK/web.log"; echo "--- worker log"; tail -n 40 "$WORK/worker.log"; exit 1
fi
echo "=== the install works ==="
