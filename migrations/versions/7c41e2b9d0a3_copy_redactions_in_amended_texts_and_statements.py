"""a copy's redactions in an amended text (art. 15) and an own statement (art. 16) are stored (issue 12, item 0)

copy_redaction.field may also be ``amended`` (the new text of an improved entry, the one
correction ``amendment_id``, entry_amendment) or ``statement`` (the person's own
statement ``statement_id``, own_statement; then ``entry_pk`` is empty). Before, these
redactions were made each time the copy was shown or printed and could not be confirmed
or lifted. A check (``ck_copy_redaction_part``) keeps each row pointing at exactly one
text. Existing copies get their rows when they are next opened on the workbench or
rendered (``copies.texts.remake``), from the same rules.

The downgrade deletes the rows of these two kinds (the older code makes them again on
the fly) and restores the old columns and checks.

Revision ID: 7c41e2b9d0a3
Revises: d5a2c9e4b716
Create Date: 2026-12-03 15:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '7c41e2b9d0a3'
down_revision = 'd5a2c9e4b716'
branch_labels = None
depends_on = None

PART_CHECK = ("(field = 'statement' AND statement_id IS NOT NULL AND entry_pk IS NULL AND amendment_id IS NULL)"
              " OR (field = 'amended' AND amendment_id IS NOT NULL AND entry_pk IS NOT NULL AND statement_id IS NULL)"
              " OR (field IN ('text','title') AND entry_pk IS NOT NULL AND amendment_id IS NULL"
              " AND statement_id IS NULL)")


def upgrade():
    with op.batch_alter_table("copy_redaction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("amendment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("statement_id", sa.Integer(), nullable=True))
        batch_op.alter_column("entry_pk", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(batch_op.f("fk_copy_redaction_amendment_id_entry_amendment"), "entry_amendment",
                                    ["amendment_id"], ["id"], ondelete="CASCADE")
        batch_op.create_foreign_key(batch_op.f("fk_copy_redaction_statement_id_own_statement"), "own_statement",
                                    ["statement_id"], ["id"], ondelete="CASCADE")
        batch_op.create_index(batch_op.f("ix_copy_redaction_amendment_id"), ["amendment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_copy_redaction_statement_id"), ["statement_id"], unique=False)
        batch_op.drop_constraint(batch_op.f("ck_copy_redaction_field"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_copy_redaction_field"),
                                         "field in ('text','title','amended','statement')")
        batch_op.create_check_constraint(batch_op.f("ck_copy_redaction_part"), PART_CHECK)


def downgrade():
    op.execute("DELETE FROM copy_redaction WHERE field IN ('amended', 'statement')")
    with op.batch_alter_table("copy_redaction", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_copy_redaction_part"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_copy_redaction_field"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_copy_redaction_field"), "field in ('text','title')")
        batch_op.drop_index(batch_op.f("ix_copy_redaction_statement_id"))
        batch_op.drop_index(batch_op.f("ix_copy_redaction_amendment_id"))
        batch_op.drop_constraint(batch_op.f("fk_copy_redaction_statement_id_own_statement"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_copy_redaction_amendment_id_entry_amendment"), type_="foreignkey")
        batch_op.alter_column("entry_pk", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("statement_id")
        batch_op.drop_column("amendment_id")
