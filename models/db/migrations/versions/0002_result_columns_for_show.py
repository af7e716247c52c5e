"""Result columns for `show`: every field of the settlement-result/1 document is stored.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 11:03:29.347526
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bm_unit_period_result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stack_tlm", sa.Float(), nullable=True))

    # The table is rebuilt to drop a column: keep its clustered (WITHOUT ROWID) layout.
    with op.batch_alter_table(
        "stack_item_result", schema=None, table_kwargs={"sqlite_with_rowid": False}
    ) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("first_stage_flag", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("second_stage_flag", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("tagged_by", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("stack_price", sa.Float(), nullable=True))
        batch_op.drop_column("flag_stage")

    with op.batch_alter_table("system_period_result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cbm", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("losses", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("tlmo_plus", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("tlmo_minus", sa.Float(), nullable=True))
        batch_op.alter_column("csobm", existing_type=sa.FLOAT(), nullable=True)

    with op.batch_alter_table("system_price_result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("main_price", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("price_adjustment", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("metered_volumes", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("system_price_result", schema=None) as batch_op:
        batch_op.drop_column("metered_volumes")
        batch_op.drop_column("price_adjustment")
        batch_op.drop_column("main_price")

    with op.batch_alter_table("system_period_result", schema=None) as batch_op:
        batch_op.alter_column("csobm", existing_type=sa.FLOAT(), nullable=False)
        batch_op.drop_column("tlmo_minus")
        batch_op.drop_column("tlmo_plus")
        batch_op.drop_column("losses")
        batch_op.drop_column("cbm")

    with op.batch_alter_table(
        "stack_item_result", schema=None, table_kwargs={"sqlite_with_rowid": False}
    ) as batch_op:
        batch_op.add_column(sa.Column("flag_stage", sa.VARCHAR(length=16), nullable=True))
        batch_op.drop_column("stack_price")
        batch_op.drop_column("tagged_by")
        batch_op.drop_column("second_stage_flag")
        batch_op.drop_column("first_stage_flag")
        batch_op.drop_column("source")

    with op.batch_alter_table("bm_unit_period_result", schema=None) as batch_op:
        batch_op.drop_column("stack_tlm")
