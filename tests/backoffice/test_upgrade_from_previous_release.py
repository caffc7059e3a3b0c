"""Upgrading (README, "Upgrading"): a database made by the previous release's
migrations, with data in it, is upgraded by `flask db upgrade` (as deploy/install.sh runs
it) and the new code works on it: nothing is lost, the new columns are empty, the
dossier page and the team leader's retention list work, the access log verifies.

The previous release's head is PREVIOUS; its rows are written with the tables' own
columns (SQLAlchemy Core, only the columns that release had), so the test does not
depend on the new models. On PostgreSQL when TEST_DATABASE_URL is set (a schema of its
own), else SQLite."""
from __future__ import annotations

import os
import secrets
from datetime import date, datetime

from flask_migrate import upgrade
from sqlalchemy import Date, MetaData, Table, Text, create_engine, inspect, text, type_coerce

from portal import create_app
from portal.infra.encrypted import EncryptedDate, EncryptedText, is_token
from portal.infra.extensions import db
from portal.models import Copy, Dossier, DossierEntry, DossierLink, DossierPerson, Request, Staff

PREVIOUS = "bc122b4bc943"  # the head of the release before issue 14


def _database(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'previous.sqlite3'}", lambda: None
    schema = f"upgrade_{secrets.token_hex(6)}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", drop


def _then_table(model):
    """The model's table with only the columns that release had (those in the database
    now), with their defaults: a column added later (e.g. dossier_copy.plan_progress,
    which has a Python-side default) is left out of the INSERT."""
    there = {c["name"] for c in inspect(db.engine).get_columns(model.__tablename__)}
    return Table(model.__tablename__, MetaData(), *(c._copy() for c in model.__table__.c if c.name in there))


def _as_stored_then(model, name, value):
    """The previous release stored personal fields plain (a date as a date): the encrypting
    migration (issue 13) has them to do."""
    column = model.__table__.c[name]
    if isinstance(column.type, EncryptedDate):
        return type_coerce(value, Date())
    if isinstance(column.type, EncryptedText):
        return type_coerce(value, Text())
    return value


def test_an_upgrade_from_the_previous_release_keeps_the_data_and_works(tmp_path):
    url, drop = _database(tmp_path)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": "portal.test",
                      "RATELIMIT_ENABLED": False, "MAIL_ENABLED": False, "HUEY_IMMEDIATE": True,
                      "AUDIT_CHECKPOINT_PATH": str(tmp_path / "checkpoints.log")})
    try:
        with app.app_context():
            upgrade(revision=PREVIOUS)
            ins = lambda model, **values: db.session.execute(  # noqa: E731
                _then_table(model).insert().values(
                    **{k: _as_stored_then(model, k, v) for k, v in values.items()}))
            ins(Staff, id=1, username="tl", display_name="Teamleider", role="team_leader", password_hash="x",
                email=None, confidentiality_recorded_at=datetime(2026, 1, 1))
            ins(Request, id=1, reference="VT-AAAA-BBBB-CCCC", received_on=date(2026, 1, 5),
                clock_started_on=date(2026, 1, 5), clock_rule="x", status="in_progress", for_whom="self")
            ins(Dossier, id=1, dossier_id="VT-2005-000001", region="Zuidoost-Brabant", opened_on=date(2005, 1, 3),
                closed_on=date(2005, 6, 1), outcome="confirmed", content_hash="0" * 64,
                export_as_of=date(2005, 6, 1))
            ins(DossierPerson, id=1, dossier_pk=1, person_id="p1", position=0, role="subject", household_member=True,
                given_names="Mark", family_name="Jansen", birth_date=date(1980, 1, 1))
            ins(DossierEntry, id=1, dossier_pk=1, entry_id="e1", position=0, date=date(2005, 2, 1),
                kind="conversation", nature="fact", text="Mark Jansen belde.")
            ins(DossierLink, id=1, request_id=1, dossier_pk=1, person_pk=1)
            ins(Copy, id=1, request_id=1, link_id=1, dossier_hash="0" * 64, status="withdrawn")
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

        with app.app_context():
            upgrade()  # what deploy/install.sh runs
            copy = db.session.get(Copy, 1)
            dossier = db.session.get(Dossier, 1)
            assert copy.status == "withdrawn" and copy.withdrawn_reason is None  # older rows: no reason recorded
            assert dossier.retention_destroyed_on is None and dossier.entries[0].text == "Mark Jansen belde."
            # The plain personal fields of then are encrypted now, and read as they were.
            assert is_token(db.session.execute(text("SELECT family_name FROM dossier_person")).scalar_one())
            assert db.session.get(DossierPerson, 1).birth_date == date(1980, 1, 1)
            assert db.session.get(Staff, 1).email is None
            db.session.remove()

        from tests.backoffice.conftest import log_in

        client = app.test_client()
        log_in(client, app, 1)
        page = client.get("/backoffice/dossiers/VT-2005-000001").get_data(as_text=True)
        assert "31 december 2020" in page  # closed in 2005: kept through 2020 (art. 9.1)
        overview = client.get("/backoffice/dossiers/bewaartermijn-voorbij").get_data(as_text=True)
        assert 'id="verlopen-VT-2005-000001"' in overview
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["audit", "verify"])
            db.session.remove()
            db.engine.dispose()
        assert result.exit_code == 0 and "access log intact" in result.output
    finally:
        drop()
