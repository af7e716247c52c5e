"""A loaded settlement run is immutable in the database itself (issue 21), not only in the code

Triggers refuse, on SQLite, PostgreSQL and MariaDB alike:
- changing or deleting an input row of a loaded run (run_party, run_bm_unit, metered volumes,
  ECVNs, MVRNs, BSAD, market index data, LoLP, price adjustments, parameters, ...);
- changing or deleting a BM data row (physical notifications, bid-offer data, acceptances and
  their levels) of a dataset a loaded run settles with;
- changing what a loaded run is (date, run type and number, kind, base run, dataset, periods,
  creation time), setting it back to loading, or deleting it while it is loaded.
A run is deleted as models.runs.run_store.delete_run does it: marked ``deleting`` first.

Still allowed: results (settling again replaces them), a run's name, source and notes, and the
provenance columns of run_bm_unit (register_snapshot_id, registered), which migrations such as
0007 fill in for runs loaded before them. Inserting rows is not guarded: a per-row check would
slow every bulk import (a GB-scale day is about a million rows), and the code refuses it
(RunImmutableError) before the database is reached.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 04:35:00
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

RUN_INPUTS = (
    "run_party",
    "run_bm_unit",
    "run_parameter",
    "metered_volume",
    "balancing_services_volume",
    "ecvn",
    "mvrn",
    "bsad_action",
    "market_index",
    "lolp",
    "price_adjustment",
)
BM_DATA = ("physical_notification", "bid_offer", "acceptance", "acceptance_level")
# run_bm_unit: the columns a run settles with; its provenance columns may be filled in later.
RUN_BM_UNIT_SETTLED = (
    "run_id",
    "bm_unit_id",
    "lead_party_id",
    "pc_status",
    "trading_unit",
    "tlf",
    "interconnector",
)
RUN_IDENTITY = (
    "id",
    "settlement_date",
    "run_type",
    "run_number",
    "kind",
    "base_run_id",
    "bm_dataset_id",
    "periods",
    "created_at",
)
INPUTS_MESSAGE = "a loaded settlement run is immutable: its inputs cannot change; make a scenario"
BM_MESSAGE = "the BM data of a loaded settlement run is immutable: it cannot change"
RUN_MESSAGE = "a loaded settlement run is immutable: mark it deleting to delete it"


def _loaded(key: str, row: str) -> str:
    """SQL: a loaded run owns `row`'s rows (by run id, or by the dataset it settles with)."""
    if key == "run_id":
        return (
            f"EXISTS (SELECT 1 FROM settlement_run WHERE id = {row}.run_id AND status = 'loaded')"
        )
    return (
        "EXISTS (SELECT 1 FROM settlement_run "
        f"WHERE bm_dataset_id = {row}.dataset_id AND status = 'loaded')"
    )


def _identity_changed(columns, distinct: str) -> str:
    return " OR ".join(f"NOT (OLD.{c} {distinct} NEW.{c})" for c in columns)


def _guarded() -> list[tuple[str, str, str, tuple[str, ...] | None]]:
    """(table, key column, message, columns whose change is refused; None: any column)."""
    return [
        *((t, "run_id", INPUTS_MESSAGE, RUN_BM_UNIT_SETTLED if t == "run_bm_unit" else None)
          for t in RUN_INPUTS),
        *((t, "dataset_id", BM_MESSAGE, None) for t in BM_DATA),
    ]  # fmt: skip


def upgrade() -> None:
    {"sqlite": _sqlite, "postgresql": _postgresql, "mysql": _mariadb}[_dialect()]()


def _dialect() -> str:
    name = op.get_bind().dialect.name
    if name not in ("sqlite", "postgresql", "mysql"):
        raise NotImplementedError(f"no immutability triggers for {name} databases")
    return name


def _sqlite() -> None:
    for table, key, message, columns in _guarded():
        of = f" OF {', '.join(columns)}" if columns else ""
        for event, rows in ((f"UPDATE{of}", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            when = " OR ".join(_loaded(key, r) for r in rows)
            op.execute(
                f"CREATE TRIGGER immutable_{table}_{event.split()[0].lower()} "
                f"BEFORE {event} ON {table} WHEN {when} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
    identity = ", ".join(RUN_IDENTITY)
    op.execute(
        f"CREATE TRIGGER immutable_settlement_run_update BEFORE UPDATE OF {identity}, status "
        "ON settlement_run WHEN OLD.status = 'loaded' AND ("
        f"{_identity_changed(RUN_IDENTITY, 'IS')} OR NEW.status = 'loading') "
        f"BEGIN SELECT RAISE(ABORT, '{RUN_MESSAGE}'); END"
    )
    op.execute(
        "CREATE TRIGGER immutable_settlement_run_delete BEFORE DELETE ON settlement_run "
        f"WHEN OLD.status = 'loaded' BEGIN SELECT RAISE(ABORT, '{RUN_MESSAGE}'); END"
    )


def _postgresql() -> None:
    # NEW is NULL in a DELETE trigger: the two events are told apart before it is read.
    for table, key, message, columns in _guarded():
        function = f"immutable_{table}"
        changed = f"({_identity_changed(columns, 'IS NOT DISTINCT FROM')})" if columns else "TRUE"
        op.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' THEN IF {_loaded(key, 'OLD')} THEN "
            f"RAISE EXCEPTION '{message}'; END IF; RETURN OLD; END IF; "
            f"IF ({_loaded(key, 'OLD')} OR {_loaded(key, 'NEW')}) AND {changed} THEN "
            f"RAISE EXCEPTION '{message}'; END IF; RETURN NEW; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {function} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
    changed = _identity_changed(RUN_IDENTITY, "IS NOT DISTINCT FROM")
    op.execute(
        "CREATE FUNCTION immutable_settlement_run() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF OLD.status <> 'loaded' THEN "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END IF; "
        f"IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{RUN_MESSAGE}'; END IF; "
        f"IF {changed} OR NEW.status = 'loading' THEN RAISE EXCEPTION '{RUN_MESSAGE}'; END IF; "
        "RETURN NEW; END $$"
    )
    op.execute(
        "CREATE TRIGGER immutable_settlement_run BEFORE UPDATE OR DELETE ON settlement_run "
        "FOR EACH ROW EXECUTE FUNCTION immutable_settlement_run()"
    )


def _mariadb() -> None:
    # MariaDB's foreign-key cascades fire no triggers: deleting a run (marked deleting) or a
    # dataset takes its rows with it unchecked, as it should.
    for table, key, message, columns in _guarded():
        changed = f"({_identity_changed(columns, '<=>')})" if columns else "TRUE"
        for event in ("UPDATE", "DELETE"):
            refused = (
                f"{_loaded(key, 'OLD')} AND {changed} OR {_loaded(key, 'NEW')} AND {changed}"
                if event == "UPDATE"
                else _loaded(key, "OLD")
            )
            op.execute(
                f"CREATE TRIGGER immutable_{table}_{event.lower()} BEFORE {event} ON {table} "
                f"FOR EACH ROW BEGIN IF {refused} THEN "
                f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{message}'; END IF; END"
            )
    for event in ("UPDATE", "DELETE"):
        refused = (
            f"OLD.status = 'loaded' AND ({_identity_changed(RUN_IDENTITY, '<=>')} "
            "OR NEW.status = 'loading')"
            if event == "UPDATE"
            else "OLD.status = 'loaded'"
        )
        op.execute(
            f"CREATE TRIGGER immutable_settlement_run_{event.lower()} BEFORE {event} "
            f"ON settlement_run FOR EACH ROW BEGIN IF {refused} THEN "
            f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{RUN_MESSAGE}'; END IF; END"
        )


def downgrade() -> None:
    tables = [t for t, *_ in _guarded()]
    if _dialect() == "postgresql":
        for table in (*tables, "settlement_run"):
            op.execute(f"DROP TRIGGER immutable_{table} ON {table}")
            op.execute(f"DROP FUNCTION immutable_{table}()")
        return
    for table in (*tables, "settlement_run"):
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER immutable_{table}_{event}")
