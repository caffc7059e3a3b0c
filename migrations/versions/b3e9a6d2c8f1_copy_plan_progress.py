"""how far the job queue is in making a big copy (issue 12, speed: progress shown as for rendering)

dossier_copy.plan_progress: 0-100 while the copy of a big dossier is being made by the
job queue (``detector_state`` ``planning``, ``copies.fill_copy``); the workbench shows it
in a <progress> with a percentage, as it shows ``render_progress`` for the PDF. Rows that
exist get 0 (a copy that is ready does not show it). The downgrade drops the column.

Revision ID: b3e9a6d2c8f1
Revises: f3b8d1c6a2e7
Create Date: 2026-12-03 16:35:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b3e9a6d2c8f1'
down_revision = 'f3b8d1c6a2e7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("dossier_copy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_progress", sa.Integer(), nullable=False, server_default="0"))


def downgrade():
    with op.batch_alter_table("dossier_copy", schema=None) as batch_op:
        batch_op.drop_column("plan_progress")
