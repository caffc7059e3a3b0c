"""The migration that stores how far the job queue is in making a big copy
(b3e9a6d2c8f1, issue 12 speed: "in the job queue with the progress shown as for
rendering"), both ways, on SQLite and on PostgreSQL (TEST_DATABASE_URL): a copy that
exists gets 0, the column takes a percentage, the downgrade drops it and keeps the row,
and the upgrade runs again cleanly. Rows written with the foreign keys switched off, as
in test_issue12_copy_redaction_parts_migration.py."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from portal.infra.extensions import db
from tests.backoffice.migration_helpers import _app, _raw, database  # noqa: F401  (fixture)

BEFORE = "f3b8d1c6a2e7"
PROGRESS = "b3e9a6d2c8f1"


def _insert_copy() -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("INSERT INTO dossier_copy (id, request_id, link_id, dossier_hash, status, created_at, "
                          "detector_state, render_state, render_progress, version) VALUES "
                          "(1, 1, 1, 'x', 'draft', CURRENT_TIMESTAMP, 'planning', 'idle', 0, 1)"))


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("dossier_copy")}


def test_issue12_the_migration_adds_the_progress_of_making_a_copy_both_ways(database, tmp_path):
    app = _app(database, tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        _insert_copy()
        db.engine.dispose()

        upgrade(revision=PROGRESS)
        assert "plan_progress" in _columns()
        assert _raw("SELECT plan_progress FROM dossier_copy WHERE id = 1")[0] == 0
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE dossier_copy SET plan_progress = 45 WHERE id = 1"))
        assert _raw("SELECT plan_progress FROM dossier_copy WHERE id = 1")[0] == 45
        db.engine.dispose()

        downgrade(revision=BEFORE)
        assert "plan_progress" not in _columns()
        assert tuple(_raw("SELECT id, detector_state FROM dossier_copy WHERE id = 1")) == (1, "planning")
        db.engine.dispose()

        upgrade(revision=PROGRESS)
        assert "plan_progress" in _columns()
        db.session.remove()
        db.engine.dispose()
