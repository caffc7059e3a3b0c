"""an identity check by eID (DigiD through a broker, issue 11): level, broker, encrypted BSN (and the BSN acted for, DigiD Machtigen)

Revision ID: b7d1e0c4f2a9
Revises: c3d7e9f1a2b4
Create Date: 2026-12-03 12:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d1e0c4f2a9'
down_revision = 'c3d7e9f1a2b4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('identity_check', schema=None) as batch_op:
        batch_op.add_column(sa.Column('loa', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('broker', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('eid_bsn_ciphertext', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('eid_legal_bsn_ciphertext', sa.LargeBinary(), nullable=True))
        batch_op.alter_column('name_matches', existing_type=sa.Boolean(), nullable=True)
        batch_op.alter_column('birth_date_matches', existing_type=sa.Boolean(), nullable=True)


def downgrade():
    # A check by eID has no name or birth-date comparison; as the old schema needs one,
    # such rows say "does not match" after a downgrade (they are verified by level).
    op.execute("UPDATE identity_check SET name_matches = false WHERE name_matches IS NULL")
    op.execute("UPDATE identity_check SET birth_date_matches = false WHERE birth_date_matches IS NULL")
    with op.batch_alter_table('identity_check', schema=None) as batch_op:
        batch_op.alter_column('birth_date_matches', existing_type=sa.Boolean(), nullable=False)
        batch_op.alter_column('name_matches', existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_column('eid_legal_bsn_ciphertext')
        batch_op.drop_column('eid_bsn_ciphertext')
        batch_op.drop_column('broker')
        batch_op.drop_column('loa')
