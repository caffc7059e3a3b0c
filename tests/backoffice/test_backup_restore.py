"""Backup and restore (README, "Backup and restore"): `flask backup create` (pg_dump) of
a database with requests, uploads, an imported dossier with an attachment, a rendered
copy and a staff second factor; `flask backup restore` into an empty database, which
migrates and verifies the access log (art. 7.5); then every encrypted value opens with
the keys kept apart from the dump, and a new copy renders from the restored data."""
from __future__ import annotations

import os
import secrets
import shutil

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app
from tests.conftest import require_or_skip
from portal.infra.extensions import db
from portal.models import DossierLink, Staff
from portal.services import copies, destruction, keys

from . import casework_helpers as ch
from .copy_helpers import import_doc, make_copy, render_now, verified_request
from .dossier_helpers import example, with_attachment
from .test_art9_retention_expiry import _old_example


@pytest.fixture
def restore_target():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        pytest.skip("backups are of PostgreSQL: set TEST_DATABASE_URL")
    require_or_skip(bool(shutil.which("pg_dump") and shutil.which("pg_restore")),
                    "pg_dump or pg_restore is not installed")
    base = make_url(url)
    name = f"{base.database}_restore_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield base.set(database=name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_art7_5_a_backup_restores_into_an_empty_database_and_everything_opens(app, make_staff, tmp_path,
                                                                            restore_target):
    cw = make_staff("caseworker")
    with app.app_context():
        db.session.get(Staff, cw).totp_secret_enc = app.extensions["vault"].encrypt_text("JBSWY3DPEHPK3PXP")
        db.session.commit()
        db.session.remove()
    doc, files = with_attachment(example())
    dossier_id = import_doc(app, doc, files)
    old_id = import_doc(app, _old_example())  # its retention ended in 2020
    ref = verified_request(app, cw)
    copy_id = make_copy(app, cw, ref, dossier_id, "p2")
    assert render_now(app, cw, ref, copy_id).startswith(b"%PDF")

    dump = tmp_path / "portal.dump"
    result = app.test_cli_runner().invoke(args=["backup", "create", str(dump)])
    assert result.exit_code == 0, result.output
    assert dump.stat().st_size > 0 and b"JBSWY3DPEHPK3PXP" not in dump.read_bytes()  # ciphertext only
    # After the backup, a team leader anonymises the old dossier (art. 9.3): the backup still holds it.
    with app.app_context():
        destruction.destroy_expired(ch.actor(app, make_staff("team_leader")), old_id, confirmed=True)
        db.session.remove()

    # The restored database: the same schema name as the test's (its search_path), a new database.
    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    target = source.set(database=restore_target.database).render_as_string(hide_password=False)
    restored = create_app({**{k: app.config[k] for k in ("SECRET_KEY", "AUDIT_HMAC_KEY", "ENCRYPTION_KEYS",
                                                            "SERVER_NAME", "PUBLIC_BASE_URL", "MAIL_SERVER",
                                                            "MAIL_PORT")},
                           "TESTING": True, "SQLALCHEMY_DATABASE_URI": target, "RATELIMIT_ENABLED": False,
                           "HUEY_IMMEDIATE": True})
    try:
        result = restored.test_cli_runner().invoke(args=["backup", "restore", str(dump)])
        assert "access log intact" in result.output, result.output
        # Art. 9, 17, 18: the restore names what came back, and does not end as if all were well.
        assert result.exit_code != 0 and f"anonymise of dossier {old_id}" in result.output
        assert "Carry each out again before opening the portal" in result.output
        again = restored.test_cli_runner().invoke(args=["backup", "restore", str(dump)])
        assert again.exit_code != 0 and "not empty" in again.output  # never over live data
        with restored.app_context():
            vault = restored.extensions["vault"]
            opened = set()
            for model, attr in keys.ENCRYPTED:
                column = getattr(model, attr)
                for (blob,) in db.session.execute(db.select(column).where(column.is_not(None))):
                    vault.decrypt(blob)  # raises if it does not open
                    opened.add(model.__name__)
            db.session.remove()
        assert {"DossierAttachment", "Copy", "Staff"} <= opened
        with restored.app_context():
            link = db.session.execute(db.select(DossierLink)).scalar_one()
            new_copy = copies.create_copy(ch.actor(restored, cw), ref, link.id).id
            db.session.remove()
        text_ = ch.pdf_text(render_now(restored, cw, ref, new_copy))
        assert "Gesprek met vader" in " ".join(text_.split())
    finally:
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_backup_taken_while_requests_come_in_restores_to_a_consistent_state(app, tmp_path, restore_target):
    """Requests are filed (each in its own transaction) while pg_dump runs: every request
    in the restored database is whole (its rights and its requester with it), none is
    half there."""
    import threading

    from portal.models import Party, Request, RequestedRight

    from .queue_helpers import file

    stop = threading.Event()
    filed: list[str] = []

    def keep_filing():
        while not stop.is_set() and len(filed) < 40:
            filed.append(file(app))

    worker = threading.Thread(target=keep_filing)
    worker.start()
    try:
        while len(filed) < 3:  # requests are coming in
            stop.wait(0.05)
        dump = tmp_path / "busy.dump"
        result = app.test_cli_runner().invoke(args=["backup", "create", str(dump)])
        assert result.exit_code == 0, result.output
    finally:
        stop.set()
        worker.join()

    source = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    target = source.set(database=restore_target.database).render_as_string(hide_password=False)
    restored = create_app({**{k: app.config[k] for k in ("SECRET_KEY", "AUDIT_HMAC_KEY", "ENCRYPTION_KEYS",
                                                            "SERVER_NAME")},
                           "TESTING": True, "SQLALCHEMY_DATABASE_URI": target, "RATELIMIT_ENABLED": False,
                           "HUEY_IMMEDIATE": True})
    try:
        result = restored.test_cli_runner().invoke(args=["backup", "restore", str(dump)])
        assert result.exit_code == 0 and "access log intact" in result.output, result.output
        with restored.app_context():
            refs = set(db.session.execute(db.select(Request.reference)).scalars())
            assert refs and refs <= set(filed)
            for req in db.session.execute(db.select(Request)).scalars():
                rights = db.session.execute(db.select(RequestedRight).filter_by(request_id=req.id)).scalars().all()
                parties = db.session.execute(db.select(Party).filter_by(request_id=req.id)).scalars().all()
                assert rights and parties, f"{req.reference} restored without its rights or requester"
            db.session.remove()
    finally:
        with restored.app_context():
            db.session.remove()
            db.engine.dispose()
