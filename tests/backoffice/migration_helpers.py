"""What the migration tests share: a database of their own on SQLite and, when
TEST_DATABASE_URL is set, a fresh PostgreSQL schema; an app on it; one raw row."""
from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import create_engine, text

from portal import create_app
from portal.infra.extensions import db


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL half runs on PostgreSQL only")
    schema = f"mig_{secrets.token_hex(6)}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _app(url, tmp_path):
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "portal.test",
                       "RATELIMIT_ENABLED": False, "MAIL_ENABLED": False,
                       "AUDIT_CHECKPOINT_PATH": str(tmp_path / "checkpoints.log")})


def _raw(sql: str):
    """One row as stored; the transaction ends at once (a migration waits for no lock of ours)."""
    row = db.session.execute(text(sql)).one()
    db.session.remove()
    return row
