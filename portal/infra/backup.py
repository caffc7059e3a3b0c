"""Backups of the database with PostgreSQL's own tools (README, "Backup and restore").

``dump`` runs ``pg_dump --format=custom``: one consistent snapshot (a single
repeatable-read transaction), so requests that come in while it runs are either wholly
in it or not at all. ``restore`` runs ``pg_restore`` into an EMPTY database only: a
restore never mixes with, or overwrites, live data. The dump holds only ciphertext for
files and texts at rest; the keys (ENCRYPTION_KEYS, AUDIT_HMAC_KEY) are kept apart
from it and are needed to use it."""
from __future__ import annotations

import subprocess
from urllib.parse import unquote

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    pass


def _libpq(url: str) -> tuple[str, str | None]:
    """(a libpq connection string, the schema from ``options=-csearch_path=...``)."""
    u = make_url(url)
    if not u.drivername.startswith("postgresql"):
        raise BackupError("backups are made of PostgreSQL databases (DATABASE_URL)")
    query = dict(u.query)
    schema = None
    options = query.pop("options", None)
    if options:
        opt = unquote(options if isinstance(options, str) else options[0])
        if opt.startswith("-csearch_path="):
            schema = opt.split("=", 1)[1]
    dsn = u.set(drivername="postgresql", query=query).render_as_string(hide_password=False)
    return dsn, schema


def dump(url: str, path: str) -> None:
    dsn, schema = _libpq(url)
    args = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", path]
    if schema:
        args += ["--schema", schema]
    run = subprocess.run(args + [dsn], capture_output=True, text=True)
    if run.returncode != 0:
        raise BackupError(f"pg_dump failed: {run.stderr.strip()[:300]}")


def restore(url: str, path: str) -> None:
    """Into an empty database (or empty schema) only."""
    engine = create_engine(url)
    try:
        _dsn, schema = _libpq(url)
        names = inspect(engine).get_table_names(schema=schema)
    finally:
        engine.dispose()
    if names:
        raise BackupError("the target database is not empty: restore into a new, empty database")
    dsn, _schema = _libpq(url)
    run = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--dbname", dsn, path],
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise BackupError(f"pg_restore failed: {run.stderr.strip()[:300]}")


__all__ = ["BackupError", "dump", "restore"]
