"""Key rotation for encryption at rest: re-encrypt under the newest key.

Every column the vault encrypts is in the registry (:func:`registry`): the encrypted
files listed in ``ENCRYPTED`` (a test checks that no binary column of the models is
missing from it; before issue 14 only documents and drafts were re-encrypted), and every
personal field of an encrypted type (``portal/infra/encrypted.py``, issue 13), found in
the models' metadata so that a new one cannot be forgotten. A test fills every table
through the portal and fails when a column holds a token the registry does not know.

Rotation is resumable: each batch is committed, and a token already under the first key
is left alone, so a run stopped half-way (kill -9) leaves every value in the old or the
new form and a second run finishes the work. ``check_all`` opens every value and names
the ones that do not open, by table and id, without stopping at them."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import Column, LargeBinary, Table, Text, type_coerce

from ..infra.crypto import VaultError
from ..infra.encrypted import ENCRYPTED_TYPES, bsn_index, is_token, person_name_birth_index, subject_index
from ..infra.extensions import db
from ..models import (Copy, CopyAttachment, Document, DossierAttachment, DossierPerson, Draft, DraftUpload, IdentityCheck, Letter,
                      OwnStatement, Party, Staff)

#: (model, attribute) of every encrypted file or secret (LargeBinary).
ENCRYPTED = (
    (Document, "ciphertext"),
    (DraftUpload, "ciphertext"),
    (Draft, "ciphertext"),
    (Letter, "ciphertext"),
    (DossierAttachment, "ciphertext"),
    (Copy, "pdf_ciphertext"),
    (CopyAttachment, "redacted_ciphertext"),
    (CopyAttachment, "ocr_ciphertext"),  # the OCR text layer of the redacted pages (issue 12)
    (OwnStatement, "pdf_ciphertext"),
    (Staff, "totp_secret_enc"),
    (IdentityCheck, "eid_bsn_ciphertext"),  # the BSN from DigiD (issue 11)
    (IdentityCheck, "eid_legal_bsn_ciphertext"),
)


def registry() -> list[tuple[Table, Column]]:
    """Every encrypted column: the files of ``ENCRYPTED`` and every column of an
    encrypted type (EncryptedText, EncryptedDate) in the models."""
    out = [(model.__table__, getattr(model, attr).property.columns[0]) for model, attr in ENCRYPTED]
    out += [(table, column) for table in db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, ENCRYPTED_TYPES)]
    return out


def registry_names() -> set[tuple[str, str]]:
    return {(table.name, column.name) for table, column in registry()}


@dataclass(frozen=True)
class Unreadable:
    """A stored value that does not open: where it is, never what it holds."""

    table: str
    row_id: object
    column: str
    problem: str  # "does not decrypt" | "not encrypted"

    def __str__(self) -> str:
        return f"{self.table} id {self.row_id}: {self.column} {self.problem}"


def _raw(column: Column):
    """The stored form of ``column`` (the token itself, not the decrypted value)."""
    return type_coerce(column, LargeBinary if isinstance(column.type, LargeBinary) else Text)


def _batches(table: Table, column: Column, batch: int):
    last_id = None
    while True:
        q = db.select(table.c.id, _raw(column)).where(column.is_not(None)).order_by(table.c.id).limit(batch)
        if last_id is not None:
            q = q.where(table.c.id > last_id)
        rows = db.session.execute(q).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1][0]


def rotate_all(batch: int = 100) -> tuple[int, list[Unreadable]]:
    """Re-encrypt every encrypted value under ENCRYPTION_KEYS[0], in batches, each
    committed; values already under it are left as they are (a re-run finishes an
    interrupted one). Run after putting a new key first on every web server and the job
    consumer and restarting them; then the old key can be removed (README, "Rotating
    keys"). Returns how many values were re-encrypted and the ones no key opens."""
    vault = current_app.extensions["vault"]
    count, failed = 0, []
    for table, column in registry():
        binary = isinstance(column.type, LargeBinary)
        for rows in _batches(table, column, batch):
            for row_id, token in rows:
                if not is_token(token):
                    continue  # plain (not yet migrated): --check names it
                try:
                    if not vault.needs_rotation(token):
                        continue
                    new = vault.rotate(token)
                except VaultError:
                    failed.append(Unreadable(table.name, row_id, column.name, "does not decrypt"))
                    continue
                db.session.execute(db.update(table).where(table.c.id == row_id).values(
                    {column.name: type_coerce(new if binary else new.decode("ascii"), column.type if binary else Text)}))
                count += 1
            db.session.commit()
    return count, failed


def check_all(batch: int = 500) -> tuple[int, list[Unreadable]]:
    """Open every encrypted value with the current keys. Returns how many opened and
    every one that did not (or is still plain text in an encrypted column)."""
    vault = current_app.extensions["vault"]
    opened, problems = 0, []
    for table, column in registry():
        for rows in _batches(table, column, batch):
            for row_id, token in rows:
                if not is_token(token):
                    problems.append(Unreadable(table.name, row_id, column.name, "not encrypted"))
                    continue
                try:
                    vault.decrypt(token)
                    opened += 1
                except VaultError:
                    problems.append(Unreadable(table.name, row_id, column.name, "does not decrypt"))
        db.session.rollback()
    return opened, problems


def _eid_bsn(check: IdentityCheck) -> str | None:
    if check.eid_bsn_ciphertext is None:
        return None
    return current_app.extensions["vault"].decrypt(check.eid_bsn_ciphertext).decode()


def reindex_all(batch: int = 200) -> int:
    """Recompute every keyed blind index with the current BLIND_INDEX_KEY (after the key
    changed): Party.match_index, DossierPerson.name_birth_index and bsn_index, and
    IdentityCheck.eid_bsn_index (the BSN from DigiD, decrypted to compute it)."""
    key = current_app.config["BLIND_INDEX_KEY"]
    count = 0
    for model, compute in (
        (Party, lambda p: {"match_index": subject_index(key, p.given_names, p.surname, p.birth_date)}),
        (DossierPerson, lambda p: {"name_birth_index": person_name_birth_index(key, p.family_name, p.birth_date),
                                   "bsn_index": bsn_index(key, p.bsn)}),
        (IdentityCheck, lambda c: {"eid_bsn_index": bsn_index(key, _eid_bsn(c))}),
    ):
        last_id = 0
        while True:
            rows = db.session.execute(db.select(model).where(model.id > last_id).order_by(model.id)
                                      .limit(batch)).scalars().all()
            if not rows:
                break
            for row in rows:
                db.session.execute(db.update(model).where(model.id == row.id).values(compute(row))
                                   .execution_options(synchronize_session=False))
                count += 1
            last_id = rows[-1].id
            db.session.commit()
    return count
