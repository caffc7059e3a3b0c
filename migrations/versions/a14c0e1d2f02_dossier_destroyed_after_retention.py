"""The day a dossier was anonymised after its retention ended (art. 9.3; issue 14)

Revision ID: a14c0e1d2f02
Revises: a14c0e1d2f01
Create Date: 2026-12-03 09:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a14c0e1d2f02'
down_revision = 'a14c0e1d2f01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_destroyed_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('retention_destroyed_on')
