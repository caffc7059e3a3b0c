"""staff-typed texts and the remaining free-text personal fields encrypted at rest (issue 13, O12)

The second step after c3e8f1a7b902: the reasons, notes and comments caseworkers and team
leaders type (identity checks, capacity judgments, parent-involvement, decisions and their
review, extensions, withheld entries, redactions, attachments, copy deliveries, correction
items, the erasure weighing, the execution check, retention extensions), a dossier entry's
author and to whom it was shared, a dossier person's relation and organisation (an
informant's school or practice), the registration instructions' payload and who carried
them out, the AVG 19 notification recipients, and the person of substantial interest
(art. 17.4). None of
them is filtered or sorted on in SQL, so none needs a blind index.

Widens the String columns to text (PostgreSQL; SQLite does not enforce its declared
types) and encrypts the existing rows in batches with the vault (ENCRYPTION_KEYS) of the
app that migrates. A value that is already a Fernet token is left as it is, so a run
stopped half-way is finished by running it again; on PostgreSQL the whole migration is
one transaction anyway. The downgrade decrypts every value back to plain text.

Revision ID: d5a2c9e4b716
Revises: d4f2a8c6e1b3
Create Date: 2026-12-03 13:35:00

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from portal.infra.crypto import VaultError
from portal.infra.encrypted import is_token

revision = 'd5a2c9e4b716'
down_revision = 'd4f2a8c6e1b3'
branch_labels = None
depends_on = None

BATCH = 500

#: table -> {column: the type before this migration}
FIELDS = {
    "identity_check": {"notes": sa.Text()},
    "capacity_judgment": {"reasons": sa.Text()},
    "parent_involvement_decision": {"reasons": sa.Text()},
    "decision": {"reasons": sa.Text(), "review_comment": sa.Text()},
    "extension": {"reasons": sa.Text()},
    "dossier_person": {"relation": sa.String(100), "organisation": sa.String(200)},
    "dossier_entry": {"author": sa.String(200), "shared_with_json": sa.Text()},
    "copy_entry": {"withheld_reasons": sa.Text()},
    "copy_redaction": {"reason": sa.Text()},
    "copy_attachment": {"reasons": sa.Text()},
    "copy_delivery": {"note": sa.String(500)},
    "correction_item": {"reasons": sa.Text()},
    "registration_instruction": {"payload_json": sa.Text(), "confirmed_name": sa.String(120)},
    "notification_task": {"recipient": sa.String(200), "basis": sa.String(200), "note": sa.String(500)},
    "right_assessment": {"weighed_json": sa.Text(), "exceptions_json": sa.Text(), "interest_person": sa.String(200),
                         "interest_reasons": sa.Text(), "check_comment": sa.Text()},
    "retention_extension": {"reasons": sa.Text()},
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _rewrite(table: str, encrypt: bool) -> None:
    """Walk ``table`` in batches of BATCH rows by id: encrypt every plain value (up), or
    decrypt every token (down)."""
    conn = op.get_bind()
    vault = current_app.extensions["vault"]
    columns = list(FIELDS[table])
    select_cols = ", ".join(f'"{c}"' for c in columns)
    last_id = 0
    while True:
        rows = conn.execute(sa.text(f'SELECT id, {select_cols} FROM "{table}" WHERE id > :last ORDER BY id LIMIT :n'),
                            {"last": last_id, "n": BATCH}).mappings().all()
        if not rows:
            return
        for row in rows:
            values = {}
            for column in columns:
                stored = row[column]
                if stored is None:
                    continue
                if encrypt and not is_token(stored):
                    values[column] = vault.encrypt_text(stored).decode("ascii")
                elif not encrypt and is_token(stored):
                    try:
                        values[column] = vault.decrypt_text(stored)
                    except VaultError as exc:  # would leave a token in a plain column: stop, roll back
                        raise VaultError(f"{table}.{column} id {row['id']}: no key opens it") from exc
            if values:
                assignments = ", ".join(f'"{c}" = :{c}' for c in values)
                conn.execute(sa.text(f'UPDATE "{table}" SET {assignments} WHERE id = :id'), {**values, "id": row["id"]})
        last_id = rows[-1]["id"]


def upgrade():
    if _postgres():
        for table, columns in FIELDS.items():
            for column, old in columns.items():
                if not isinstance(old, sa.Text):
                    op.alter_column(table, column, type_=sa.Text(), existing_type=old,
                                    postgresql_using=f'"{column}"::text')
    for table in FIELDS:
        _rewrite(table, encrypt=True)


def downgrade():
    for table in FIELDS:
        _rewrite(table, encrypt=False)
    if _postgres():
        for table, columns in FIELDS.items():
            for column, old in columns.items():
                if not isinstance(old, sa.Text):
                    op.alter_column(table, column, type_=old, existing_type=sa.Text(),
                                    postgresql_using=f'"{column}"::varchar')
