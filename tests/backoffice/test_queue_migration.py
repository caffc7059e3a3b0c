"""The back-office migration fills Request.earliest_due_on (denormalised for the queue)
for requests filed before it. The statement is hand-written in the migration: when the
migration is regenerated with `flask db migrate`, copy it back in (see the comment
"HAND-WRITTEN" in migrations/versions/*_back_office_*.py); this test fails until then."""
from __future__ import annotations

from datetime import date

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from portal import create_app
from portal.infra.extensions import db

INITIAL = "2ae3136a2e52"


def test_migration_fills_earliest_due_for_existing_requests(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    # A second app binds the shared extensions again (Flask-Limiter takes RATELIMIT_ENABLED
    # from the last app it was given): the same settings as the test app, so nothing leaks.
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "portal.test",
                      "RATELIMIT_ENABLED": False, "MAIL_ENABLED": False,
                      "AUDIT_CHECKPOINT_PATH": str(tmp_path / "checkpoints.log")})
    with app.app_context():
        upgrade(revision=INITIAL)
        db.session.remove()
        db.engine.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO request (id, reference, created_at, received_on, clock_started_on, clock_rule, language, status,"
            " for_whom, joint, art20_4_review) VALUES (1, 'VT-AAAA-BBBB-CCCC', '2026-01-05 10:00:00', '2026-01-05',"
            " '2026-01-05', 'x', 'nl', 'received', 'self', 0, 0)"))
        conn.execute(text("INSERT INTO requested_right (request_id, \"right\", details_json, due_on) VALUES"
                          " (1, 'inzage', '{}', '2026-02-05'), (1, 'correctie', '{}', '2026-02-02')"))
    engine.dispose()
    with app.app_context():
        upgrade()
        due = db.session.execute(text("SELECT earliest_due_on FROM request WHERE id = 1")).scalar_one()
        db.session.remove()
        db.engine.dispose()
    assert str(due) == str(date(2026, 2, 2))
