"""a team leader checks an executed destruction or erasure (issue 10, art. 17.4, 18): four eyes

Revision ID: c3d7e9f1a2b4
Revises: a15c0a4e1d20
Create Date: 2026-12-03 12:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c3d7e9f1a2b4'
down_revision = 'a15c0a4e1d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('right_assessment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_state', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('checked_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('checked_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('check_comment', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_right_assessment_checked_by_staff', 'staff', ['checked_by'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('right_assessment', schema=None) as batch_op:
        batch_op.drop_constraint('fk_right_assessment_checked_by_staff', type_='foreignkey')
        batch_op.drop_column('check_comment')
        batch_op.drop_column('checked_at')
        batch_op.drop_column('checked_by')
        batch_op.drop_column('check_state')
