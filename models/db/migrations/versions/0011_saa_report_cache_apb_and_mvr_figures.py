"""The SAA's figures as one columnar cache per run, and S0142's APB and MVR figures (issue 18)

`saa_report_cache` holds a run's SAA figures (the saa_*_period tables, APB, MVR) as column
arrays in one blob, written in the import's transaction, so that a reconciliation reads one
row instead of some 450,000 at GB scale; each S0142 run imported before this revision gets its
cache made from its rows here (models.db.saa_cache.build_missing_saa_caches). `saa_account_bm_unit_period` (APB: each BM
unit's credited energy to a party's account, with its fixed and percentage metered volume
reallocation) and `saa_bm_unit_mvr` (MVR: a BM unit's credited energy to each party's account)
store what the S0142 reader read and nothing kept. New tables only: no existing row changes;
an S0142 imported before this revision has no APB or MVR rows (import it again for them).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:21:50.397208
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _run_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["run_id"],
        ["settlement_run.id"],
        name=op.f(f"fk_{table}_run_id_settlement_run"),
        ondelete="CASCADE",
    )


def _reallocation_columns() -> list[sa.Column]:
    return [
        sa.Column("qce", sa.Float(), nullable=True),
        sa.Column("fixed_reallocation", sa.Float(), nullable=True),
        sa.Column("percentage_reallocation", sa.Float(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "saa_account_bm_unit_period",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=1), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("bm_unit_id", sa.String(length=32), nullable=False),
        *_reallocation_columns(),
        _run_fk("saa_account_bm_unit_period"),
        sa.PrimaryKeyConstraint(
            "run_id",
            "party_id",
            "account",
            "period",
            "bm_unit_id",
            name=op.f("pk_saa_account_bm_unit_period"),
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "saa_bm_unit_mvr",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("bm_unit_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=1), nullable=False),
        *_reallocation_columns(),
        _run_fk("saa_bm_unit_mvr"),
        sa.PrimaryKeyConstraint(
            "run_id", "bm_unit_id", "period", "party_id", "account", name=op.f("pk_saa_bm_unit_mvr")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "saa_report_cache",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        _run_fk("saa_report_cache"),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_saa_report_cache")),
    )
    from models.db.saa_cache import build_missing_saa_caches

    build_missing_saa_caches(op.get_bind())


def downgrade() -> None:
    op.drop_table("saa_report_cache")
    op.drop_table("saa_bm_unit_mvr")
    op.drop_table("saa_account_bm_unit_period")
