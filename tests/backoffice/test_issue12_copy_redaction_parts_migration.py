"""The migration that stores a copy's redactions in an amended text (art. 15) and an own
statement (art. 16) (7c41e2b9d0a3, issue 12 item 0), both ways, on SQLite and on
PostgreSQL (TEST_DATABASE_URL): a redaction of a dossier text made before it is kept as
it is; afterwards a row points at exactly one text (the check ``ck_copy_redaction_part``
refuses a statement's redaction with an entry, an amended text's without its correction);
the downgrade deletes the rows of the two new kinds, restores the old columns and
checks, and the upgrade runs again cleanly.

The rows are written with the foreign keys switched off (no request, dossier or copy
needed to test the columns and checks): SQLite does not enforce them by default, and on
PostgreSQL the session runs as a replica, which skips the foreign-key triggers but not
the checks."""
from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from portal.infra.extensions import db
from tests.backoffice.migration_helpers import _app, _raw, database  # noqa: F401  (fixture)

BEFORE = "d5a2c9e4b716"
PARTS = "7c41e2b9d0a3"
COLUMNS = "id, copy_id, entry_pk, field, start, \"end\", ground, origin, kind, state"


def _insert(values: str, columns: str = COLUMNS) -> None:
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"INSERT INTO copy_redaction ({columns}) VALUES ({values})"))


def _columns() -> dict:
    return {c["name"]: c for c in inspect(db.engine).get_columns("copy_redaction")}


def test_issue12_item0_the_migration_stores_redactions_of_amended_texts_and_statements_both_ways(database, tmp_path):
    app = _app(database, tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        _insert("1, 1, 1, 'text', 0, 5, 'third_party_privacy', 'known', 'name', 'lifted'")
        with pytest.raises(IntegrityError):  # before: only a title or a text
            _insert("2, 1, 1, 'amended', 0, 5, 'third_party_privacy', 'known', 'name', 'applied'")
        db.engine.dispose()

        upgrade(revision=PARTS)
        cols = _columns()
        assert {"amendment_id", "statement_id"} <= set(cols) and cols["entry_pk"]["nullable"]
        assert tuple(_raw("SELECT field, state, entry_pk FROM copy_redaction WHERE id = 1")) == ("text", "lifted", 1)
        more = COLUMNS + ", amendment_id, statement_id"
        _insert("2, 1, 1, 'amended', 0, 5, 'third_party_privacy', 'known', 'name', 'applied', 7, NULL", more)
        _insert("3, 1, NULL, 'statement', 0, 5, 'reporter_protection', 'known', 'name', 'applied', NULL, 4", more)
        for bad in ("4, 1, 1, 'statement', 0, 5, 'reporter_protection', 'known', 'name', 'applied', NULL, 4",
                    "4, 1, 1, 'amended', 0, 5, 'third_party_privacy', 'known', 'name', 'applied', NULL, NULL",
                    "4, 1, NULL, 'text', 0, 5, 'third_party_privacy', 'known', 'name', 'applied', NULL, NULL",
                    "4, 1, 1, 'text', 0, 5, 'third_party_privacy', 'known', 'name', 'applied', 7, NULL"):
            with pytest.raises(IntegrityError):
                _insert(bad, more)
        db.engine.dispose()

        downgrade(revision=BEFORE)
        cols = _columns()
        assert "amendment_id" not in cols and "statement_id" not in cols and not cols["entry_pk"]["nullable"]
        assert _raw("SELECT count(*) FROM copy_redaction")[0] == 1
        assert tuple(_raw("SELECT field, state FROM copy_redaction WHERE id = 1")) == ("text", "lifted")
        db.engine.dispose()

        upgrade(revision=PARTS)
        assert {"amendment_id", "statement_id"} <= set(_columns())
        db.session.remove()
        db.engine.dispose()
