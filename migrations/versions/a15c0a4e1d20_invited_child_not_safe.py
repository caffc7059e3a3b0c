"""the invited child can say involving the parent is not safe (art. 20.4); expired invitations noticed

Revision ID: a15c0a4e1d20
Revises: eba5eb1fc2d1
Create Date: 2026-12-03 09:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'a15c0a4e1d20'
down_revision = 'eba5eb1fc2d1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passphrase_hash', sa.String(length=200), nullable=True))
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_safe_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('expired_noticed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('expired_noticed_at')
        batch_op.drop_column('not_safe_at')
    with op.batch_alter_table('party', schema=None) as batch_op:
        batch_op.drop_column('passphrase_hash')
