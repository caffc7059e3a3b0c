"""status sessions kept on the server (issue 13)

Revision ID: e735d2170a19
Revises: a14c0e1d2f02
Create Date: 2026-12-03 09:35:03.689175

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e735d2170a19'
down_revision = 'a14c0e1d2f02'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('status_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['party.id'], name=op.f('fk_status_session_party_id_party'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_status_session_request_id_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_status_session_token_hash'))
    )
    with op.batch_alter_table('status_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_session_last_seen_at'), ['last_seen_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_status_session_request_id'), ['request_id'], unique=False)



def downgrade():
    with op.batch_alter_table('status_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_session_request_id'))
        batch_op.drop_index(batch_op.f('ix_status_session_last_seen_at'))

    op.drop_table('status_session')
