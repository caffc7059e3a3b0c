"""The migration that gives the BSN from DigiD its keyed blind index (d4f2a8c6e1b3, issue
11), both ways, on SQLite and on PostgreSQL (TEST_DATABASE_URL): an identity check by
eID recorded before it gets the index of its encrypted BSN, the same value as a dossier
person's bsn_index for that BSN; a check without a BSN gets none; the downgrade drops
the column and the upgrade runs again cleanly."""
from __future__ import annotations

from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from portal.infra.encrypted import bsn_index
from portal.infra.extensions import db
from tests.backoffice.migration_helpers import _app, _raw, database  # noqa: F401  (fixture)

BEFORE = "c3e8f1a7b902"
INDEXING = "d4f2a8c6e1b3"


def test_art20_5_the_migration_indexes_the_digid_bsn_of_earlier_checks_and_the_downgrade_drops_it(database, tmp_path):
    app = _app(database, tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        vault = current_app.extensions["vault"]
        run = lambda sql, **kw: db.session.execute(text(sql), kw)  # noqa: E731
        run("INSERT INTO request (id, reference, created_at, received_on, clock_started_on, clock_rule, language,"
            " status, for_whom, joint, art20_4_review) VALUES (1, 'VT-AAAA-BBBB-CCCC', '2026-01-05 10:00:00',"
            " '2026-01-05', '2026-01-05', 'x', 'nl', 'received', 'self', :f, :f)", f=False)
        run("INSERT INTO party (id, request_id, role, is_subject, given_names, surname, email_ok, phone_ok,"
            " voicemail_ok, post_ok) VALUES (1, 1, 'requester', :t, 'Sanne', 'de Vries', :t, :f, :f, :f)",
            t=True, f=False)
        for cid, bsn in ((1, b"999993653"), (2, None)):
            run("INSERT INTO identity_check (id, request_id, party_id, kind, method, document_kind, result,"
                " checked_at, loa, broker, eid_bsn_ciphertext) VALUES (:id, 1, 1, 'identity', :m, :d, 'verified',"
                " '2026-01-05 10:00:00', :loa, :broker, :c)", id=cid, m="eid" if bsn else "in_person",
                d="digid" if bsn else "passport", loa="substantieel" if bsn else None,
                broker="https://broker.test" if bsn else None, c=vault.encrypt(bsn) if bsn else None)
        db.session.commit()
        db.session.remove()

        upgrade(revision=INDEXING)
        key = current_app.config["BLIND_INDEX_KEY"]
        assert _raw("SELECT eid_bsn_index FROM identity_check WHERE id = 1")[0] == bsn_index(key, "999993653")
        assert _raw("SELECT eid_bsn_index FROM identity_check WHERE id = 2")[0] is None
        db.engine.dispose()

        downgrade(revision=BEFORE)
        assert "eid_bsn_index" not in {c["name"] for c in inspect(db.engine).get_columns("identity_check")}
        db.engine.dispose()
        upgrade(revision=INDEXING)
        assert _raw("SELECT eid_bsn_index FROM identity_check WHERE id = 1")[0] == bsn_index(key, "999993653")
        db.session.remove()
        db.engine.dispose()
