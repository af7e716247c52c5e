"""Dated BM unit register snapshots, run warnings, rulebook v2 result columns

R-REG-DATED: each register import becomes a snapshot with an effective-from date; the
database's existing register (one undated register) becomes its first snapshot, effective
from the earliest settlement date the database holds (so every existing run keeps settling
with the attributes it was loaded with), or today when it holds no run. Runs say which
snapshot each unit came from and whether it was registered (R-REG-UNREGISTERED); warnings
of an import are kept with its run. Results gain R-ACC-RCRC-NODENOM's unallocated residual
and a check status ("not applicable", R-TLM-ONESIDED).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 23:20:00
"""

from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

KEEP = {"table_kwargs": {"sqlite_with_rowid": False}}
REGISTER_COLUMNS = (
    "national_grid_id",
    "name",
    "bmu_type",
    "fuel_type",
    "lead_party_id",
    "pc_status",
    "trading_unit",
    "tlf",
    "gsp_group",
    "interconnector",
    "interconnector_id",
    "generation_capacity",
    "demand_capacity",
)


def upgrade() -> None:
    op.create_table(
        "bm_unit_register_snapshot",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bm_unit_register_snapshot")),
    )
    op.create_index(
        op.f("ix_bm_unit_register_snapshot_effective_from"),
        "bm_unit_register_snapshot",
        ["effective_from"],
        unique=False,
    )
    op.create_table(
        "bm_unit_register_entry",
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("bm_unit_id", sa.String(length=32), nullable=False),
        sa.Column("national_grid_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("bmu_type", sa.String(length=2), nullable=True),
        sa.Column("fuel_type", sa.String(length=16), nullable=True),
        sa.Column("lead_party_id", sa.String(length=32), nullable=True),
        sa.Column("pc_status", sa.String(length=1), nullable=True),
        sa.Column("trading_unit", sa.String(length=64), nullable=True),
        sa.Column("tlf", sa.Float(), nullable=True),
        sa.Column("gsp_group", sa.String(length=4), nullable=True),
        sa.Column("interconnector", sa.Boolean(), nullable=False),
        sa.Column("interconnector_id", sa.String(length=32), nullable=True),
        sa.Column("generation_capacity", sa.Float(), nullable=True),
        sa.Column("demand_capacity", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["bm_unit_register_snapshot.id"],
            name=op.f("fk_bm_unit_register_entry_snapshot_id_bm_unit_register_snapshot"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "snapshot_id", "bm_unit_id", name=op.f("pk_bm_unit_register_entry")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        op.f("ix_bm_unit_register_entry_national_grid_id"),
        "bm_unit_register_entry",
        ["national_grid_id"],
        unique=False,
    )
    op.create_table(
        "run_warning",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("file", sa.String(length=500), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["settlement_run.id"],
            name=op.f("fk_run_warning_run_id_settlement_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name=op.f("pk_run_warning")),
    )
    with op.batch_alter_table("run_bm_unit", schema=None, **KEEP) as batch_op:
        batch_op.add_column(sa.Column("register_snapshot_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("registered", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    with op.batch_alter_table("system_period_result", schema=None, **KEEP) as batch_op:
        batch_op.add_column(sa.Column("unallocated_residual", sa.Float(), nullable=True))
    with op.batch_alter_table("check_result", schema=None, **KEEP) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=True))
    _register_becomes_first_snapshot()


def _register_becomes_first_snapshot() -> None:
    conn = op.get_bind()
    units = conn.execute(sa.text("SELECT id, " + ", ".join(REGISTER_COLUMNS) + " FROM bm_unit"))
    rows = [dict(r._mapping) for r in units]
    if not rows:
        return
    earliest = conn.execute(sa.text("SELECT min(settlement_date) FROM settlement_run")).scalar()
    if isinstance(earliest, str):
        earliest = date.fromisoformat(earliest[:10])
    effective = earliest or datetime.now(UTC).date()
    snapshot = sa.table(
        "bm_unit_register_snapshot",
        sa.column("id", sa.Integer),
        sa.column("effective_from", sa.Date),
        sa.column("source", sa.String),
        sa.column("imported_at", sa.DateTime),
        sa.column("units", sa.Integer),
    )
    conn.execute(
        snapshot.insert().values(
            id=1,
            effective_from=effective,
            source="the database's register before dated snapshots (migration 0007)",
            imported_at=datetime.now(UTC).replace(tzinfo=None),
            units=len(rows),
        )
    )
    if conn.dialect.name == "postgresql":  # an explicit id leaves the serial's sequence behind
        conn.execute(
            sa.text("SELECT setval(pg_get_serial_sequence('bm_unit_register_snapshot', 'id'), 1)")
        )
    entry = sa.table(
        "bm_unit_register_entry",
        sa.column("snapshot_id", sa.Integer),
        sa.column("bm_unit_id", sa.String),
        *(sa.column(c) for c in REGISTER_COLUMNS),
    )
    conn.execute(
        entry.insert(),
        [{"snapshot_id": 1, "bm_unit_id": r.pop("id"), **r} for r in rows],
    )
    conn.execute(sa.text("UPDATE run_bm_unit SET register_snapshot_id = 1"))


def downgrade() -> None:
    with op.batch_alter_table("check_result", schema=None, **KEEP) as batch_op:
        batch_op.drop_column("status")
    with op.batch_alter_table("system_period_result", schema=None, **KEEP) as batch_op:
        batch_op.drop_column("unallocated_residual")
    with op.batch_alter_table("run_bm_unit", schema=None, **KEEP) as batch_op:
        batch_op.drop_column("registered")
        batch_op.drop_column("register_snapshot_id")
    op.drop_table("run_warning")
    op.drop_index(op.f("ix_bm_unit_register_entry_national_grid_id"), "bm_unit_register_entry")
    op.drop_table("bm_unit_register_entry")
    op.drop_index(op.f("ix_bm_unit_register_snapshot_effective_from"), "bm_unit_register_snapshot")
    op.drop_table("bm_unit_register_snapshot")
