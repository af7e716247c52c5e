"""Scenarios, their audit trail and dispute cases

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 13:06:09.460852
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispute_case",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("raising_party", sa.String(length=32), nullable=False),
        sa.Column("settlement_dates", sa.String(length=400), nullable=False),
        sa.Column("periods", sa.String(length=400), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("run_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "category IN ('general', 'sva', 'profile', 'market_domain')",
            name=op.f("ck_dispute_case_known_category"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'raised', 'upheld', 'rejected', 'withdrawn', 'closed')",
            name=op.f("ck_dispute_case_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["settlement_run.id"], name=op.f("fk_dispute_case_run_id_settlement_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_case")),
        sa.UniqueConstraint("reference", name=op.f("uq_dispute_case_reference")),
    )
    op.create_table(
        "scenario_audit",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("override_seq", sa.Integer(), nullable=True),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_scenario_audit_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name=op.f("pk_scenario_audit")),
    )
    op.create_table(
        "scenario_override",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_scenario_override_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name=op.f("pk_scenario_override")),
    )
    op.create_table(
        "dispute_case_scenario",
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dispute_case.id"],
            name=op.f("fk_dispute_case_scenario_case_id_dispute_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_dispute_case_scenario_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", "run_id", name=op.f("pk_dispute_case_scenario")),
    )


def downgrade() -> None:
    op.drop_table("dispute_case_scenario")
    op.drop_table("scenario_override")
    op.drop_table("scenario_audit")
    op.drop_table("dispute_case")
