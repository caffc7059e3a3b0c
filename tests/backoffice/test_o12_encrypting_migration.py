"""The migration that encrypts personal fields at rest (c3e8f1a7b902, issue 13, threat model
O12), both ways, on SQLite and on PostgreSQL (TEST_DATABASE_URL): rows filed before it are
plain text; after the upgrade every one of them is a Fernet token in the database, reads
back as it was through the models, and is found by its blind index; a row the vault had
already encrypted, or a column already added (a run stopped half-way), is left as it is. The downgrade gives the plain
text back (on PostgreSQL the birth dates are dates again)."""
from __future__ import annotations

from datetime import date

from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.infra.encrypted import bsn_index, is_token, person_name_birth_index, subject_index
from portal.infra.extensions import db
from portal.models import DossierEntry, DossierPerson, Message, Party, Request, RequestedRight

from tests.backoffice.migration_helpers import _app, _raw, database  # noqa: F401  (fixture)

BEFORE = "b7d1e0c4f2a9"  # the revision before the encrypting one
ENCRYPTING = "c3e8f1a7b902"
NOTE = "Papa mag dit niet zien."
ENTRY = "Moeder vertelt dat de buurman Wolters haar heeft bedreigd."




def _insert_plain_rows(half_done_surname: str) -> None:
    run = lambda sql, **kw: db.session.execute(text(sql), kw)  # noqa: E731
    run("INSERT INTO request (id, reference, created_at, received_on, clock_started_on, clock_rule, language, status,"
        " for_whom, joint, art20_4_review, art20_4_note) VALUES (1, 'VT-AAAA-BBBB-CCCC', '2026-01-05 10:00:00',"
        " '2026-01-05', '2026-01-05', 'x', 'nl', 'received', 'self', :t, :t, :note)", t=True, note=NOTE)
    run("INSERT INTO requested_right (request_id, \"right\", details_json, due_on) VALUES"
        " (1, 'correctie', :details, '2026-02-02')", details='{"what_is_wrong": "Het adres klopt niet."}')
    for pid, surname in ((1, "Hoogeveen"), (2, half_done_surname)):
        run("INSERT INTO party (id, request_id, role, is_subject, given_names, surname, birth_date, bsn, email, phone,"
            " street, house_number, postcode, city, email_ok, phone_ok, voicemail_ok, post_ok) VALUES (:id, 1,"
            " :role, :subj, 'Fenna Marit', :surname, '2012-03-04', '123456782', 'fenna@example.org', '+31612345678',"
            " 'Dorpsstraat', '7', '1234 AB', 'Urk', :t, :t, :f, :f)",
            id=pid, role="requester" if pid == 1 else "subject", subj=pid == 2, surname=surname, t=True, f=False)
    run("INSERT INTO message (request_id, at, direction, body, author, asks_for_document) VALUES"
        " (1, '2026-01-06 09:00:00', 'from_requester', 'Ik woon sinds kort in Urk.', 'requester', :f)", f=False)
    run("INSERT INTO dossier (id, dossier_id, opened_on, outcome, content_hash, export_as_of, imported_at) VALUES"
        " (1, 'VT-2025-000001', '2025-01-01', 'open', :h, '2025-01-01', '2025-01-02 10:00:00')", h="0" * 64)
    run("INSERT INTO dossier_person (id, dossier_pk, person_id, position, role, given_names, family_name, birth_date,"
        " bsn, protected_address, addresses_json, phones_json, emails_json) VALUES (1, 1, 'p1', 0, 'subject',"
        " 'Fenna Marit', 'Hoogeveen', '2012-03-04', '123456782', :f, :addr, '[\"0612345678\"]', '[]')",
        f=False, addr='[{"street": "Dorpsstraat", "number": "7", "postcode": "1234 AB", "city": "Urk"}]')
    run("INSERT INTO dossier_entry (id, dossier_pk, entry_id, position, date, kind, title, nature, text,"
        " shared_with_json) VALUES (1, 1, 'e1', 0, '2025-01-01', 'report', 'Melding', 'fact', :t, '[]')", t=ENTRY)
    db.session.commit()


def test_o12_the_migration_encrypts_plain_rows_and_the_downgrade_gives_them_back(database, tmp_path):
    app = _app(database, tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        vault = current_app.extensions["vault"]
        half_done = vault.encrypt_text("Zwart").decode("ascii")  # encrypted by a run stopped half-way
        _insert_plain_rows(half_done)
        # A run stopped half-way where DDL is not transactional: one index column already added.
        db.session.execute(text("ALTER TABLE party ADD COLUMN match_index VARCHAR(64)"))
        db.session.commit()
        db.session.remove()
        upgrade(revision=ENCRYPTING)
        db.session.remove()

        # In the database: tokens only.
        raw = _raw("SELECT given_names, surname, birth_date, bsn, email, phone, street, city FROM party WHERE id = 1")
        assert all(is_token(v) for v in raw), raw
        assert _raw("SELECT surname FROM party WHERE id = 2")[0] == half_done  # left as it was
        for sql in ("SELECT art20_4_note FROM request", "SELECT details_json FROM requested_right",
                    "SELECT body FROM message", "SELECT text, title FROM dossier_entry",
                    "SELECT given_names, family_name, birth_date, bsn, addresses_json, phones_json FROM dossier_person"):
            assert all(is_token(v) for v in _raw(sql)), sql

        # Through the models: as it was, and found by the blind indexes.
        key = current_app.config["BLIND_INDEX_KEY"]
        requester = db.session.get(Party, 1)
        assert (requester.given_names, requester.surname, requester.birth_date, requester.bsn, requester.email,
                requester.city) == ("Fenna Marit", "Hoogeveen", date(2012, 3, 4), "123456782", "fenna@example.org",
                                    "Urk")
        assert db.session.get(Party, 2).surname == "Zwart"
        assert db.session.get(Party, 2).match_index == subject_index(key, "Fenna", "Zwart", date(2012, 3, 4))
        assert db.session.get(Request, 1).art20_4_note == NOTE
        assert db.session.execute(db.select(RequestedRight)).scalar_one().details["what_is_wrong"] == "Het adres klopt niet."
        assert db.session.execute(db.select(Message)).scalar_one().body == "Ik woon sinds kort in Urk."
        assert db.session.get(DossierEntry, 1).text == ENTRY
        person = db.session.execute(db.select(DossierPerson).where(
            DossierPerson.name_birth_index == person_name_birth_index(key, " hoogeveen ", date(2012, 3, 4)))).scalar_one()
        assert person.addresses[0]["city"] == "Urk"
        assert db.session.execute(db.select(DossierPerson.id).where(
            DossierPerson.bsn_index == bsn_index(key, "123456782"))).scalar_one() == person.id
        db.session.remove()
        db.engine.dispose()

        downgrade(revision=BEFORE)
        assert _raw("SELECT given_names, surname, bsn, email, city FROM party WHERE id = 1") == (
            "Fenna Marit", "Hoogeveen", "123456782", "fenna@example.org", "Urk")
        assert _raw("SELECT surname FROM party WHERE id = 2")[0] == "Zwart"
        assert str(_raw("SELECT birth_date FROM party WHERE id = 1")[0]) == "2012-03-04"
        assert _raw("SELECT art20_4_note FROM request")[0] == NOTE
        assert _raw("SELECT text FROM dossier_entry")[0] == ENTRY
        assert _raw("SELECT family_name, bsn FROM dossier_person") == ("Hoogeveen", "123456782")
        if db.engine.dialect.name == "postgresql":
            assert _raw("SELECT birth_date FROM dossier_person")[0] == date(2012, 3, 4)  # a date again
        # And up again: the same rows, encrypted once more (the migration runs again cleanly).
        db.session.remove()
        upgrade()
        assert db.session.get(Party, 1).surname == "Hoogeveen" and is_token(_raw("SELECT surname FROM party WHERE id = 1")[0])
        db.session.remove()
        db.engine.dispose()
