"""Rotating the encryption key (README, "Rotating keys"): `flask rotate-keys` re-encrypts
every encrypted value under the new first key, so the old key can then be removed."""
from __future__ import annotations

from flask import session
from sqlalchemy import LargeBinary, String, Text, type_coerce

from portal.infra.crypto import Vault, generate_key
from portal.infra.encrypted import ENCRYPTED_TYPES, UNREADABLE, bsn_index, is_token, subject_index
from portal.infra.extensions import db
from portal.models import DossierAttachment, DossierEntry, DossierPerson, Party, Request, RequestedRight, Staff
from portal.services import keys

from .at_rest_helpers import NOTE, SURNAME, file_and_import
from .copy_helpers import import_doc
from .dossier_helpers import PDF, example, with_attachment


def test_every_encrypted_column_is_rotated():
    encrypted = {(t.name, c.name) for t in db.metadata.sorted_tables for c in t.columns
                 if isinstance(c.type, LargeBinary)}
    listed = {(m.__table__.name, getattr(m, a).property.columns[0].name) for m, a in keys.ENCRYPTED}
    assert encrypted == listed


def test_after_rotate_keys_the_old_key_can_be_removed(app, make_staff):
    doc, files = with_attachment(example())
    import_doc(app, doc, files)
    staff_id = make_staff("caseworker")
    old_vault = app.extensions["vault"]
    with app.app_context():
        db.session.get(Staff, staff_id).totp_secret_enc = old_vault.encrypt_text("JBSWY3DPEHPK3PXP")
        db.session.commit()
        db.session.remove()
    new = generate_key()
    old_keys = list(app.config["ENCRYPTION_KEYS"])
    try:
        app.extensions["vault"] = Vault([new, *old_keys])  # the new key first, the old one still there
        result = app.test_cli_runner().invoke(args=["rotate-keys"])
        assert result.exit_code == 0 and "re-encrypted" in result.output
        app.extensions["vault"] = only_new = Vault([new])  # the old key removed
        with app.app_context():
            att = db.session.execute(db.select(DossierAttachment)).scalar_one()
            assert only_new.decrypt(att.ciphertext) == PDF
            assert only_new.decrypt(db.session.get(Staff, staff_id).totp_secret_enc) == b"JBSWY3DPEHPK3PXP"
            db.session.remove()
    finally:
        app.extensions["vault"] = old_vault


# --- personal fields encrypted at rest (issue 13, threat model O12) ------------------------------

def _stored_tokens(app) -> set[tuple[str, str]]:
    """(table, column) of every column that holds a Fernet token, read raw from the database."""
    found = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                raw = type_coerce(column, LargeBinary if isinstance(column.type, LargeBinary) else Text)
                if not isinstance(column.type, (LargeBinary, Text, String, *ENCRYPTED_TYPES)):
                    continue
                values = db.session.execute(db.select(raw).where(column.is_not(None))).scalars()
                if any(is_token(v) for v in values):
                    found.add((table.name, column.name))
        db.session.remove()
    return found


def test_o12_every_column_that_holds_ciphertext_is_known_to_rotation(app, make_staff):
    """Fill the tables through the portal (a request with personal data, a dossier with an
    attachment, a second factor) and read every column raw: a column that holds a token
    the registry does not list would keep its old key after `flask rotate-keys`."""
    file_and_import(app)
    doc, files = with_attachment(example())
    doc["dossier_id"] = "VT-2025-000999"
    import_doc(app, doc, files)
    staff_id = make_staff("caseworker")
    with app.app_context():
        db.session.get(Staff, staff_id).totp_secret_enc = app.extensions["vault"].encrypt_text("JBSWY3DPEHPK3PXP")
        db.session.commit()
        known = keys.registry_names()
        db.session.remove()
    stored = _stored_tokens(app)
    assert {("party", "surname"), ("party", "birth_date"), ("request", "art20_4_note"), ("dossier_person", "bsn"),
            ("dossier_entry", "text"), ("requested_right", "details_json"), ("dossier_attachment", "ciphertext"),
            ("staff", "totp_secret_enc")} <= stored
    assert stored - known == set(), f"ciphertext that flask rotate-keys does not know: {sorted(stored - known)}"


def test_o12_rotate_drop_the_old_key_and_every_field_still_opens(app):
    reference, born = file_and_import(app)
    old_vault = app.extensions["vault"]
    new = generate_key()
    try:
        app.extensions["vault"] = Vault([new, *app.config["ENCRYPTION_KEYS"]])
        runner = app.test_cli_runner()
        first = runner.invoke(args=["rotate-keys"])
        assert first.exit_code == 0, first.output
        # Resumable: a second run finds nothing left under the old key.
        assert "re-encrypted 0 items" in runner.invoke(args=["rotate-keys"]).output
        app.extensions["vault"] = Vault([new])  # the old key removed
        check = runner.invoke(args=["rotate-keys", "--check"])
        assert check.exit_code == 0 and "every encrypted value opens" in check.output, check.output
        with app.app_context():
            req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
            assert (req.requester.surname, req.requester.birth_date, req.art20_4_note) == (SURNAME, born, NOTE)
            p1 = db.session.execute(db.select(DossierPerson).filter_by(person_id="p1")).scalar_one()
            assert (p1.family_name, p1.bsn) == ("de Vries", "111222333")
            db.session.remove()
    finally:
        app.extensions["vault"] = old_vault


def test_o12_check_names_a_value_that_does_not_open_by_table_and_id_and_the_portal_reads_on(app):
    reference, _born = file_and_import(app)
    foreign = Vault([generate_key()]).encrypt_text("Iemand Anders").decode("ascii")
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        party_id = req.requester.id
        db.session.execute(db.update(Party).where(Party.id == party_id)
                           .values(surname=type_coerce(foreign, Text)))
        db.session.commit()
        db.session.remove()
    check = app.test_cli_runner().invoke(args=["rotate-keys", "--check"])
    assert check.exit_code != 0
    assert f"party id {party_id}: surname does not decrypt" in check.output
    assert "Iemand" not in check.output
    # Rotation goes on past it and names it too; the portal reads the row without crashing.
    rotate = app.test_cli_runner().invoke(args=["rotate-keys"])
    assert rotate.exit_code != 0 and f"party id {party_id}: surname does not decrypt" in rotate.output
    with app.app_context():
        assert db.session.get(Party, party_id).surname == UNREADABLE == "[onleesbaar]"
        db.session.remove()
    with app.test_request_context("/"):  # shown to an English reader in English
        session["lang"] = "en"
        assert db.session.get(Party, party_id).surname == "[unreadable]"
        db.session.remove()


def test_o12_an_encrypted_json_field_no_key_opens_reads_as_empty_not_as_an_error(app):
    """A dossier entry's recipients (AVG 19) and a right's details are JSON, encrypted: one
    that does not open reads as no recipients / no details, the rest of the row as it was."""
    reference, _born = file_and_import(app)
    foreign = type_coerce(Vault([generate_key()]).encrypt_text('[{"recipient": "x"}]').decode("ascii"), Text)
    with app.app_context():
        req = db.session.execute(db.select(Request).filter_by(reference=reference)).scalar_one()
        right_id = req.rights[0].id
        db.session.execute(db.update(DossierEntry).where(DossierEntry.entry_id == "e4").values(shared_with_json=foreign))
        db.session.execute(db.update(RequestedRight).where(RequestedRight.id == right_id).values(details_json=foreign))
        db.session.commit()
        db.session.remove()
    with app.app_context():
        e4 = db.session.execute(db.select(DossierEntry).filter_by(entry_id="e4")).scalar_one()
        assert e4.shared_with_json == "[onleesbaar]" and e4.shared_with == []
        assert "kneuzingen" in e4.text
        assert db.session.get(RequestedRight, right_id).details == {}
        db.session.remove()


def test_o12_a_new_blind_index_key_and_reindex_find_the_same_people(app):
    """BLIND_INDEX_KEY changed (README, "Rotating keys"): `flask rotate-keys --reindex`
    recomputes every blind index, after which people are found by the new key."""
    file_and_import(app)
    old_key = app.config["BLIND_INDEX_KEY"]
    new_key = "n" * 48
    find = lambda key: db.session.execute(db.select(DossierPerson.person_id).where(  # noqa: E731
        DossierPerson.bsn_index == bsn_index(key, "111222333"))).scalars().all()
    try:
        app.config["BLIND_INDEX_KEY"] = new_key
        with app.app_context():
            assert find(new_key) == []  # the old indexes say nothing under the new key
            db.session.remove()
        result = app.test_cli_runner().invoke(args=["rotate-keys", "--reindex"])
        assert result.exit_code == 0 and "recomputed the blind indexes" in result.output
        with app.app_context():
            assert find(new_key) == ["p1"] and find(old_key) == []
            requester = db.session.execute(db.select(Party).where(Party.match_index.is_not(None))).scalars().first()
            assert requester.match_index == subject_index(new_key, requester.given_names, requester.surname,
                                                          requester.birth_date)
            db.session.remove()
    finally:
        app.config["BLIND_INDEX_KEY"] = old_key


def test_o12_reindex_recomputes_the_blind_index_of_the_bsn_from_digid(app):
    """Issue 11: IdentityCheck.eid_bsn_index (the BSN from DigiD, encrypted beside it) is
    among the indexes `flask rotate-keys --reindex` recomputes."""
    from portal.models import IdentityCheck
    from portal.services import eid

    file_and_import(app)
    with app.app_context():
        req = db.session.execute(db.select(Request)).scalars().first()
        eid.record_check(req, req.requester, {"bsn": "999993653", "level": "substantieel",
                                              "broker": "https://broker.test", "at": "2026-12-03T10:00:00+00:00"})
        db.session.commit()
        db.session.remove()
    old_key, new_key = app.config["BLIND_INDEX_KEY"], "m" * 48
    try:
        app.config["BLIND_INDEX_KEY"] = new_key
        result = app.test_cli_runner().invoke(args=["rotate-keys", "--reindex"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            stored = db.session.execute(db.select(IdentityCheck.eid_bsn_index).where(
                IdentityCheck.method == "eid")).scalar_one()
            assert stored == bsn_index(new_key, "999993653") != bsn_index(old_key, "999993653")
            db.session.remove()
    finally:
        app.config["BLIND_INDEX_KEY"] = old_key
