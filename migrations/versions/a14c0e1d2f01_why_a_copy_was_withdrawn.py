"""Why a copy was withdrawn: replaced by a newer draft, or its data destroyed or erased
(issue 14: the copy page and the requester's status page say why)

Revision ID: a14c0e1d2f01
Revises: bc122b4bc943
Create Date: 2026-12-03 09:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a14c0e1d2f01'
down_revision = 'bc122b4bc943'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dossier_copy', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_reason', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('dossier_copy', schema=None) as batch_op:
        batch_op.drop_column('withdrawn_reason')
