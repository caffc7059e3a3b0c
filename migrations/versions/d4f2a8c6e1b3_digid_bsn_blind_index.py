"""the BSN from DigiD gets a keyed blind index (issue 11, item 3)

identity_check.eid_bsn_index: bsn_index (portal/infra/encrypted.py, the same purpose as
dossier_person.bsn_index) of the BSN a DigiD login gave, so the status page finds a
person's requests by it and the caseworker sees a dossier person with that BSN when
linking. Existing eID checks are indexed from their encrypted BSN with the vault
(ENCRYPTION_KEYS) and BLIND_INDEX_KEY of the app that migrates; a token no key opens
stays without an index (`flask rotate-keys --check` names it).

Revision ID: d4f2a8c6e1b3
Revises: c3e8f1a7b902
Create Date: 2026-12-03 13:40:00

"""
import sqlalchemy as sa
from alembic import op
from flask import current_app

from portal.infra.crypto import VaultError
from portal.infra.encrypted import bsn_index

revision = 'd4f2a8c6e1b3'
down_revision = 'c3e8f1a7b902'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade():
    with op.batch_alter_table("identity_check", schema=None) as batch_op:
        batch_op.add_column(sa.Column("eid_bsn_index", sa.String(length=64), nullable=True))
    op.create_index("ix_identity_check_eid_bsn_index", "identity_check", ["eid_bsn_index"], unique=False)
    conn = op.get_bind()
    vault = current_app.extensions["vault"]
    key = current_app.config["BLIND_INDEX_KEY"]
    last_id = 0
    while True:
        rows = conn.execute(sa.text("SELECT id, eid_bsn_ciphertext FROM identity_check "
                                    "WHERE id > :last AND eid_bsn_ciphertext IS NOT NULL ORDER BY id LIMIT :n"),
                            {"last": last_id, "n": BATCH}).mappings().all()
        if not rows:
            return
        for row in rows:
            try:
                bsn = vault.decrypt(bytes(row["eid_bsn_ciphertext"])).decode()
            except VaultError:
                continue
            conn.execute(sa.text("UPDATE identity_check SET eid_bsn_index = :ix WHERE id = :id"),
                         {"ix": bsn_index(key, bsn), "id": row["id"]})
        last_id = rows[-1]["id"]


def downgrade():
    op.drop_index("ix_identity_check_eid_bsn_index", table_name="identity_check")
    with op.batch_alter_table("identity_check", schema=None) as batch_op:
        batch_op.drop_column("eid_bsn_index")
