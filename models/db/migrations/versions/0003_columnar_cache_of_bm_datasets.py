"""Columnar cache of BM datasets: a run loads its BM data from one row of arrays.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 11:37:02.902631
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bm_dataset_cache",
        sa.Column("dataset_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset_id"],
            ["bm_dataset.id"],
            name=op.f("fk_bm_dataset_cache_dataset_id_bm_dataset"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset_id", name=op.f("pk_bm_dataset_cache")),
    )


def downgrade() -> None:
    op.drop_table("bm_dataset_cache")
