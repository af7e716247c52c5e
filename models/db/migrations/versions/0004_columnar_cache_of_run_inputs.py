"""Columnar cache of run inputs, written when a run is finished loading.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 11:50:47.335941
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_input_cache",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_run_input_cache_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_input_cache")),
    )


def downgrade() -> None:
    op.drop_table("run_input_cache")
