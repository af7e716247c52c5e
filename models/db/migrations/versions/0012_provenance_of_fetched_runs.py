"""Provenance of fetched runs (issue 19): the Insights responses each run's records came from

`fetched_response` lists, per run, every response of `settlement-workbench fetch` its records
were built from: the dataset, the settlement date and periods it covers (the fetch asks for
disjoint chunks, so a stored record's dataset, date and period name its response), where its
records lie in the staged file, the body's sha256 in the raw-response cache, its URL,
parameters and time fetched. New table only: runs imported before it have no rows (they were
not fetched, or their provenance is in the cache's manifest their source names).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 10:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fetched_response",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("dataset", sa.String(length=16), nullable=False),
        sa.Column("settlement_date", sa.Date(), nullable=True),
        sa.Column("period_from", sa.Integer(), nullable=True),
        sa.Column("period_to", sa.Integer(), nullable=True),
        sa.Column("first_record", sa.Integer(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("carried_from_run_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["carried_from_run_id"],
            ["settlement_run.id"],
            name=op.f("fk_fetched_response_carried_from_run_id_settlement_run"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_fetched_response_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "number", name=op.f("pk_fetched_response")),
    )
    op.create_index(
        op.f("ix_fetched_response_sha256"), "fetched_response", ["sha256"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_fetched_response_sha256"), table_name="fetched_response")
    op.drop_table("fetched_response")
