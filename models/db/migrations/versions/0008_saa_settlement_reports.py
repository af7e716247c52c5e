"""The SAA's own figures from an imported S0142 (issue 18), kept apart from the engine's

An S0142 becomes a run: its inputs go to the ordinary input tables, and the SAA's figures to
these tables, so that a reconciliation sets the engine's settlement of the run against them:
`saa_report` (file, AAA header, SRH run numbers, record count and checksum),
`saa_system_period` (SPI/SSD), `saa_party_period` (PPC), `saa_account_period` (APD),
`saa_bm_unit_period` (BP7), `saa_pair_period` (BO4); `metered_volume_estimate` lists the
metered volumes a C0421 flags as estimates. New tables only: no existing row changes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 00:15:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = (
    "saa_report",
    "saa_system_period",
    "saa_party_period",
    "saa_account_period",
    "saa_bm_unit_period",
    "saa_pair_period",
    "metered_volume_estimate",
)


def upgrade() -> None:
    op.create_table(
        "saa_report",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("flow", sa.String(length=5), nullable=False),
        sa.Column("version", sa.String(length=3), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=True),
        sa.Column("from_participant", sa.String(length=8), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=True),
        sa.Column("test_flag", sa.String(length=4), nullable=False),
        sa.Column("run_type", sa.String(length=2), nullable=False),
        sa.Column("saa_run_number", sa.Integer(), nullable=True),
        sa.Column("saa_cdca_run_number", sa.Integer(), nullable=True),
        sa.Column("svaa_cdca_run_number", sa.Integer(), nullable=True),
        sa.Column("svaa_ssr_run_number", sa.Integer(), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("checksum", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_saa_report_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_saa_report")),
    )
    op.create_table(
        "saa_system_period",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("ssp", sa.Float(), nullable=True),
        sa.Column("sbp", sa.Float(), nullable=True),
        sa.Column("niv", sa.Float(), nullable=True),
        sa.Column("csobm", sa.Float(), nullable=True),
        sa.Column("total_cbm", sa.Float(), nullable=True),
        sa.Column("total_caei", sa.Float(), nullable=True),
        sa.Column("total_cnd", sa.Float(), nullable=True),
        sa.Column("total_qaei", sa.Float(), nullable=True),
        sa.Column("rcrc_denominator", sa.Float(), nullable=True),
        sa.Column("total_residual_cashflow", sa.Float(), nullable=True),
        sa.Column("total_accepted_bid_volume", sa.Float(), nullable=True),
        sa.Column("total_accepted_offer_volume", sa.Float(), nullable=True),
        sa.Column("tpabsv", sa.Float(), nullable=True),
        sa.Column("spa", sa.Float(), nullable=True),
        sa.Column("bpa", sa.Float(), nullable=True),
        sa.Column("lolp", sa.Float(), nullable=True),
        sa.Column("replacement_price", sa.Float(), nullable=True),
        sa.Column("bssc_costs", sa.Float(), nullable=True),
        sa.Column("total_information_imbalance", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_saa_system_period_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "period", name=op.f("pk_saa_system_period")),
    )
    op.create_table(
        "saa_party_period",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("bssc_cost", sa.Float(), nullable=True),
        sa.Column("cbm", sa.Float(), nullable=True),
        sa.Column("caei", sa.Float(), nullable=True),
        sa.Column("information_imbalance", sa.Float(), nullable=True),
        sa.Column("cnd", sa.Float(), nullable=True),
        sa.Column("rcrc", sa.Float(), nullable=True),
        sa.Column("rr_cashflow", sa.Float(), nullable=True),
        sa.Column("vlp_compensation", sa.Float(), nullable=True),
        sa.Column("supplier_compensation", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_saa_party_period_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "party_id", "period", name=op.f("pk_saa_party_period")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "saa_account_period",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(length=32), nullable=False),
        sa.Column("account", sa.String(length=1), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("caei", sa.Float(), nullable=True),
        sa.Column("rcrc", sa.Float(), nullable=True),
        sa.Column("qabc", sa.Float(), nullable=True),
        sa.Column("qabs", sa.Float(), nullable=True),
        sa.Column("qaei", sa.Float(), nullable=True),
        sa.Column("qce", sa.Float(), nullable=True),
        sa.Column("rcrp", sa.Float(), nullable=True),
        sa.Column("bssc_cost", sa.Float(), nullable=True),
        sa.Column("information_imbalance", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_saa_account_period_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "party_id", "account", "period", name=op.f("pk_saa_account_period")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "saa_bm_unit_period",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("bm_unit_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("party_id", sa.String(length=32), nullable=False),
        sa.Column("cnd", sa.Float(), nullable=True),
        sa.Column("period_fpn", sa.Float(), nullable=True),
        sa.Column("qbs", sa.Float(), nullable=True),
        sa.Column("qii", sa.Float(), nullable=True),
        sa.Column("qme", sa.Float(), nullable=True),
        sa.Column("qm", sa.Float(), nullable=True),
        sa.Column("qndb", sa.Float(), nullable=True),
        sa.Column("qndo", sa.Float(), nullable=True),
        sa.Column("tlf", sa.Float(), nullable=True),
        sa.Column("tlm", sa.Float(), nullable=True),
        sa.Column("trading_unit", sa.String(length=64), nullable=True),
        sa.Column("trading_unit_volume", sa.Float(), nullable=True),
        sa.Column("absvd", sa.Float(), nullable=True),
        sa.Column("settlement_expected_volume", sa.Float(), nullable=True),
        sa.Column("supplier_compensation_cashflow", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_saa_bm_unit_period_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "bm_unit_id", "period", name=op.f("pk_saa_bm_unit_period")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "saa_pair_period",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("bm_unit_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("pair", sa.Integer(), nullable=False),
        sa.Column("qab", sa.Float(), nullable=True),
        sa.Column("qao", sa.Float(), nullable=True),
        sa.Column("cb", sa.Float(), nullable=True),
        sa.Column("co", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_saa_pair_period_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "bm_unit_id", "period", "pair", name=op.f("pk_saa_pair_period")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "metered_volume_estimate",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("bm_unit_id", sa.String(length=32), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_metered_volume_estimate_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "run_id", "bm_unit_id", "period", name=op.f("pk_metered_volume_estimate")
        ),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for name in reversed(TABLES):
        op.drop_table(name)
