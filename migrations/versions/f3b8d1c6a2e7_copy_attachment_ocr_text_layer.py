"""a redacted attachment keeps its OCR text layer (issue 12, item 4)

The invisible text layer made by OCR of a redacted attachment's pixels (tesseract's
text-only PDF, one page per page) is made once, when the caseworker redacts the
attachment, and kept encrypted beside the redacted pages, so that rendering the copy
only places it. Nullable: attachments redacted before this get their layer when the
copy is rendered.

Revision ID: f3b8d1c6a2e7
Revises: 7c41e2b9d0a3
Create Date: 2026-12-03 15:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'f3b8d1c6a2e7'
down_revision = '7c41e2b9d0a3'
branch_labels = None
depends_on = None


UNKNOWN = '[{"origin": "unknown"}]'


def upgrade():
    with op.batch_alter_table("copy_attachment") as batch:
        batch.add_column(sa.Column("ocr_ciphertext", sa.LargeBinary(), nullable=True))
    op.execute(sa.text("UPDATE copy_attachment SET boxes_json = :unknown WHERE state = 'redacted' AND boxes_json = '[]'")
               .bindparams(unknown=UNKNOWN))


def downgrade():
    op.execute(sa.text("UPDATE copy_attachment SET boxes_json = '[]' WHERE boxes_json = :unknown")
               .bindparams(unknown=UNKNOWN))
    with op.batch_alter_table("copy_attachment") as batch:
        batch.drop_column("ocr_ciphertext")
