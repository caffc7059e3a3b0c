"""personal fields encrypted at rest, keyed blind indexes beside them (issue 13, threat model O12)

Widens every personal field to text (PostgreSQL; SQLite keeps its declared types, which
it does not enforce), adds the blind index columns, and encrypts the existing rows in
batches with the vault (ENCRYPTION_KEYS) and BLIND_INDEX_KEY of the app that migrates.
A value that is already a Fernet token is left as it is, so a run stopped half-way is
finished by running it again; on PostgreSQL the whole migration is one transaction
anyway. The downgrade decrypts every value back to plain text and drops the indexes.

Revision ID: c3e8f1a7b902
Revises: b7d1e0c4f2a9
Create Date: 2026-12-03 12:40:00

"""
from datetime import date

import sqlalchemy as sa
from alembic import op
from flask import current_app

from portal.infra.crypto import VaultError
from portal.infra.encrypted import bsn_index, is_token, person_name_birth_index, subject_index

revision = 'c3e8f1a7b902'
down_revision = 'b7d1e0c4f2a9'
branch_labels = None
depends_on = None

BATCH = 500

#: table -> {column: the type before this migration}
FIELDS = {
    "party": {"given_names": sa.String(120), "surname": sa.String(120), "birth_date": sa.Date(),
              "bsn": sa.String(9), "email": sa.String(254), "phone": sa.String(32), "phone_times": sa.String(200),
              "street": sa.String(120), "house_number": sa.String(20), "postcode": sa.String(7),
              "city": sa.String(80)},
    "request": {"art20_4_note": sa.Text()},
    "message": {"body": sa.Text()},
    "requested_right": {"details_json": sa.Text()},
    "correction_item": {"says_now": sa.Text(), "should_say": sa.Text(), "why": sa.Text(), "new_text": sa.Text()},
    "entry_amendment": {"new_text": sa.Text()},
    "own_statement": {"text": sa.Text()},
    "dossier_person": {"given_names": sa.String(200), "family_name": sa.String(200), "birth_date": sa.Date(),
                       "bsn": sa.String(9), "addresses_json": sa.Text(), "phones_json": sa.Text(),
                       "emails_json": sa.Text()},
    "dossier_entry": {"title": sa.String(300), "text": sa.Text()},
}

INDEXES = {
    "party": ("match_index",),
    "dossier_person": ("name_birth_index", "bsn_index"),
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _as_date(value):
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _indexes(table: str, plain: dict) -> dict:
    key = current_app.config["BLIND_INDEX_KEY"]
    if table == "party":
        return {"match_index": subject_index(key, plain["given_names"], plain["surname"],
                                             _as_date(plain["birth_date"]))}
    if table == "dossier_person":
        born = _as_date(plain["birth_date"])
        return {"name_birth_index": person_name_birth_index(key, plain["family_name"], born),
                "bsn_index": bsn_index(key, plain["bsn"])}
    return {}


def _rewrite(table: str, convert) -> None:
    """Walk ``table`` in batches of BATCH rows by id; ``convert(column, value)`` gives the
    new stored value. Blind indexes are recomputed from the plain values on the way up."""
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
            values, plain = {}, {}
            for column in columns:
                value = row[column]
                if value is not None and not isinstance(value, str):
                    value = value.isoformat()  # a date column read before the type changed
                try:
                    plain[column] = vault.decrypt_text(value) if value is not None and is_token(value) else value
                except VaultError:  # a token no key opens: left as it is, `flask rotate-keys --check` names it
                    if convert is _decrypt:
                        raise
                    plain[column] = None
                new = convert(column, value, plain[column])
                if new != row[column]:
                    values[column] = new
            if convert is _encrypt:
                values.update(_indexes(table, plain))
            if values:
                assignments = ", ".join(f'"{c}" = :{c}' for c in values)
                conn.execute(sa.text(f'UPDATE "{table}" SET {assignments} WHERE id = :id'), {**values, "id": row["id"]})
        last_id = rows[-1]["id"]


def _encrypt(column, stored, plain):
    if stored is None or is_token(stored) or plain is None:
        return stored
    return current_app.extensions["vault"].encrypt_text(plain).decode("ascii")


def _decrypt(column, stored, plain):
    return plain


def upgrade():
    # Each step checks what is already there: where DDL is not transactional (SQLite), a
    # run stopped half-way is finished by running it again.
    inspector = sa.inspect(op.get_bind())
    if "ix_party_birth_date" in {ix["name"] for ix in inspector.get_indexes("party")}:
        op.drop_index("ix_party_birth_date", table_name="party")
    if _postgres():
        for table, columns in FIELDS.items():
            for column, old in columns.items():
                if not isinstance(old, sa.Text):
                    op.alter_column(table, column, type_=sa.Text(), existing_type=old,
                                    postgresql_using=f'"{column}"::text')
    for table, names in INDEXES.items():
        present = {c["name"] for c in inspector.get_columns(table)}
        indexed = {ix["name"] for ix in inspector.get_indexes(table)}
        missing = [name for name in names if name not in present]
        if missing:
            with op.batch_alter_table(table, schema=None) as batch_op:
                for name in missing:
                    batch_op.add_column(sa.Column(name, sa.String(length=64), nullable=True))
        for name in names:
            if f"ix_{table}_{name}" not in indexed:
                op.create_index(f"ix_{table}_{name}", table, [name], unique=False)
    for table in FIELDS:
        _rewrite(table, _encrypt)


def downgrade():
    for table in FIELDS:
        _rewrite(table, _decrypt)
    for table, names in INDEXES.items():
        for name in names:
            op.drop_index(f"ix_{table}_{name}", table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in names:
                batch_op.drop_column(name)
    if _postgres():
        for table, columns in FIELDS.items():
            for column, old in columns.items():
                if not isinstance(old, sa.Text):
                    using = f'"{column}"::date' if isinstance(old, sa.Date) else f'"{column}"::varchar'
                    op.alter_column(table, column, type_=old, existing_type=sa.Text(), postgresql_using=using)
    op.create_index("ix_party_birth_date", "party", ["birth_date"], unique=False)
