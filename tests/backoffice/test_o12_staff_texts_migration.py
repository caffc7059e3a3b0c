"""The migration that encrypts the staff-typed texts and the remaining free-text personal
fields at rest (d5a2c9e4b716, issue 13, threat model O12), both ways, on SQLite and on
PostgreSQL (TEST_DATABASE_URL): reasons, notes and comments filed before it, a dossier
entry's author and recipients, a notification recipient, the person of substantial
interest (art. 17.4), an informant's organisation and a registration instruction's
payload and who confirmed it are plain text; after the
upgrade every one is a Fernet token in the database and reads back as it was through the
models; a value already encrypted (a run stopped half-way) is left as it is. The
downgrade gives the plain text back (on PostgreSQL the widened columns are varchar again)."""
from __future__ import annotations


from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portal.infra.encrypted import is_token
from portal.infra.extensions import db
from portal.models import (Decision, DossierEntry, DossierPerson, IdentityCheck, NotificationTask,
                           RegistrationInstruction, RetentionExtension, RightAssessment)

from tests.backoffice.migration_helpers import _app, _raw, database  # noqa: F401  (fixture)

BEFORE = "d4f2a8c6e1b3"  # the revision before this one
ENCRYPTING = "d5a2c9e4b716"
ID_NOTE = "Paspoort getoond door moeder, zij woont sinds maart bij haar zus in Emmen."
REASONS = "Vader is veroordeeld voor mishandeling van Fenna; inzage zou haar in gevaar brengen."
COMMENT = "Graag de naam van de buurvrouw Wolters nog weglakken."
AUTHOR = "J. de Boer (jeugdarts)"
SHARED = '[{"recipient": "Huisarts dr. Kaya, Urk", "date": "2025-02-01", "basis": "toestemming"}]'
INTEREST = "Oma Hendrika Zwart"
ORGANISATION = "Lyceum De Horst, Eindhoven"
PAYLOAD = '{"entries": [{"entry_id": "e1", "new_text": "Fenna woont bij haar oma in Urk."}]}'




def _insert_plain_rows(half_done_comment: str) -> None:
    run = lambda sql, **kw: db.session.execute(text(sql), kw)  # noqa: E731
    t, f = True, False
    run("INSERT INTO request (id, reference, created_at, received_on, clock_started_on, clock_rule, language, status,"
        " for_whom, joint, art20_4_review) VALUES (1, 'VT-AAAA-BBBB-CCCC', '2026-01-05 10:00:00',"
        " '2026-01-05', '2026-01-05', 'x', 'nl', 'received', 'self', :t, :f)", t=t, f=f)
    run("INSERT INTO party (id, request_id, role, is_subject, email_ok, phone_ok, voicemail_ok, post_ok)"
        " VALUES (1, 1, 'requester', :t, :t, :t, :f, :f)", t=t, f=f)
    run("INSERT INTO identity_check (request_id, party_id, kind, method, document_kind, result, notes, checked_at)"
        " VALUES (1, 1, 'identity', 'in_person', 'passport', 'verified', :n, '2026-01-06 09:00:00')", n=ID_NOTE)
    run("INSERT INTO decision (id, request_id, \"right\", outcome, grounds_json, reasons, state, proposed_at,"
        " review_comment) VALUES (1, 1, 'inzage', 'refuse', '[]', :r, 'sent_back', '2026-01-07 09:00:00', :c)",
        r=REASONS, c=COMMENT)
    run("INSERT INTO decision (id, request_id, \"right\", outcome, grounds_json, reasons, state, proposed_at,"
        " review_comment) VALUES (2, 1, 'afschrift', 'refuse', '[]', :r, 'sent_back', '2026-01-07 09:00:00', :c)",
        r=REASONS, c=half_done_comment)
    run("INSERT INTO dossier (id, dossier_id, opened_on, outcome, content_hash, export_as_of, imported_at) VALUES"
        " (1, 'VT-2025-000001', '2025-01-01', 'open', :h, '2025-01-01', '2025-01-02 10:00:00')", h="0" * 64)
    run("INSERT INTO dossier_person (id, dossier_pk, person_id, position, role, relation, given_names, family_name,"
        " organisation, protected_address, addresses_json, phones_json, emails_json) VALUES (1, 1, 'p1', 0,"
        " 'informant', 'mentor', 'x', 'y', :o, :f, '[]', '[]', '[]')", o=ORGANISATION, f=f)
    run("INSERT INTO dossier_entry (id, dossier_pk, entry_id, position, date, kind, title, author, nature, text,"
        " shared_with_json) VALUES (1, 1, 'e1', 0, '2025-01-01', 'report', 'Melding', :a, 'fact', 'x', :s)",
        a=AUTHOR, s=SHARED)
    run("INSERT INTO retention_extension (dossier_pk, until_year, reasons, decided_at) VALUES"
        " (1, 2040, :r, '2026-01-08 09:00:00')", r=REASONS)
    run("INSERT INTO registration_instruction (id, request_id, dossier_ref, kind, payload_json, created_at,"
        " confirmed_on, confirmed_name) VALUES (1, 1, 'VT-2025-000001', 'rectify', :p, '2026-01-09 09:00:00',"
        " '2026-01-12', 'Anneke Brouwer')", p=PAYLOAD)
    run("INSERT INTO notification_task (request_id, instruction_id, entry_ref, recipient, shared_on, basis, note)"
        " VALUES (1, 1, 'e1', 'Huisarts dr. Kaya, Urk', '2025-02-01', 'toestemming', :n)", n=COMMENT)
    run("INSERT INTO right_assessment (request_id, \"right\", claimed_json, weighed_json, exceptions_json,"
        " interest_person, interest_reasons, updated_at, check_state, check_comment) VALUES (1, 'vernietiging', '[]',"
        " :w, '{}', :i, :r, '2026-01-10 09:00:00', 'sent_back', :c)",
        w='{"a": {"finding": "met", "note": "Fenna is nu 17 en woont bij oma."}}', i=INTEREST, r=REASONS, c=COMMENT)
    db.session.commit()


RAW = ("SELECT notes FROM identity_check", "SELECT reasons, review_comment FROM decision WHERE id = 1",
       "SELECT author, shared_with_json FROM dossier_entry", "SELECT reasons FROM retention_extension",
       "SELECT payload_json, confirmed_name FROM registration_instruction",
       "SELECT relation, organisation FROM dossier_person", "SELECT recipient, basis, note FROM notification_task",
       "SELECT weighed_json, exceptions_json, interest_person, interest_reasons, check_comment FROM right_assessment")


def test_o12_the_migration_encrypts_staff_texts_and_the_downgrade_gives_them_back(database, tmp_path):
    app = _app(database, tmp_path)
    with app.app_context():
        upgrade(revision=BEFORE)
        half_done = current_app.extensions["vault"].encrypt_text(COMMENT).decode("ascii")
        _insert_plain_rows(half_done)
        db.session.remove()
        upgrade(revision=ENCRYPTING)
        db.session.remove()

        for sql in RAW:  # in the database: tokens only
            assert all(is_token(v) for v in _raw(sql)), sql
        assert _raw("SELECT review_comment FROM decision WHERE id = 2")[0] == half_done  # left as it was

        # Through the models: as it was.
        assert db.session.execute(db.select(IdentityCheck)).scalar_one().notes == ID_NOTE
        first = db.session.get(Decision, 1)
        assert (first.reasons, first.review_comment) == (REASONS, COMMENT)
        assert db.session.get(Decision, 2).review_comment == COMMENT
        entry = db.session.get(DossierEntry, 1)
        assert entry.author == AUTHOR and entry.shared_with[0]["recipient"] == "Huisarts dr. Kaya, Urk"
        assert db.session.execute(db.select(RetentionExtension)).scalar_one().reasons == REASONS
        instruction = db.session.get(RegistrationInstruction, 1)
        assert instruction.payload["entries"][0]["entry_id"] == "e1" and instruction.confirmed_name == "Anneke Brouwer"
        person = db.session.get(DossierPerson, 1)
        assert (person.relation, person.organisation) == ("mentor", ORGANISATION)
        task = db.session.execute(db.select(NotificationTask)).scalar_one()
        assert (task.recipient, task.basis, task.note) == ("Huisarts dr. Kaya, Urk", "toestemming", COMMENT)
        assessment = db.session.execute(db.select(RightAssessment)).scalar_one()
        assert (assessment.interest_person, assessment.interest_reasons, assessment.check_comment) == (
            INTEREST, REASONS, COMMENT)
        assert "oma" in assessment.weighed_json and assessment.exceptions_json == "{}"
        db.session.remove()
        db.engine.dispose()

        downgrade(revision=BEFORE)
        assert _raw("SELECT notes FROM identity_check")[0] == ID_NOTE
        assert _raw("SELECT reasons, review_comment FROM decision WHERE id = 1") == (REASONS, COMMENT)
        assert _raw("SELECT review_comment FROM decision WHERE id = 2")[0] == COMMENT
        assert _raw("SELECT author, shared_with_json FROM dossier_entry") == (AUTHOR, SHARED)
        assert _raw("SELECT payload_json, confirmed_name FROM registration_instruction") == (PAYLOAD, "Anneke Brouwer")
        assert _raw("SELECT relation, organisation FROM dossier_person") == ("mentor", ORGANISATION)
        assert _raw("SELECT recipient, basis, note FROM notification_task") == (
            "Huisarts dr. Kaya, Urk", "toestemming", COMMENT)
        assert _raw("SELECT interest_person, check_comment FROM right_assessment") == (INTEREST, COMMENT)
        if db.engine.dialect.name == "postgresql":
            kinds = dict(db.session.execute(text(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema()"
                " AND table_name = 'notification_task' AND column_name IN ('recipient', 'note')")).all())
            db.session.remove()
            assert kinds == {"recipient": "character varying", "note": "character varying"}
        # And up again: encrypted once more (the migration runs again cleanly).
        db.session.remove()
        upgrade()
        assert db.session.get(Decision, 1).reasons == REASONS
        assert is_token(_raw("SELECT reasons FROM decision WHERE id = 1")[0])
        db.session.remove()
        db.engine.dispose()
