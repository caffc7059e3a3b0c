"""The migration that lets a redacted attachment keep its OCR text layer (f3b8d1c6a2e7,
issue 12 item 4), both ways, on SQLite and on PostgreSQL (TEST_DATABASE_URL): the column
is added (empty: older attachments get their layer when the copy is rendered), the
downgrade drops it and the upgrade runs again cleanly."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal.infra.extensions import db
from tests.backoffice.migration_helpers import _app, database  # noqa: F401  (fixture)

BEFORE = "7c41e2b9d0a3"
ADDING = "f3b8d1c6a2e7"


def _columns() -> set[str]:
    names = {c["name"] for c in inspect(db.engine).get_columns("copy_attachment")}
    db.engine.dispose()
    return names


def test_issue12_4_the_ocr_layer_column_comes_and_goes(database, tmp_path):
    app = _app(database, tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        assert "ocr_ciphertext" not in _columns()
        upgrade(revision=ADDING)
        assert "ocr_ciphertext" in _columns()
        downgrade(revision=BEFORE)
        assert "ocr_ciphertext" not in _columns()
        upgrade(revision=ADDING)
        assert "ocr_ciphertext" in _columns()
        db.session.remove()
        db.engine.dispose()
