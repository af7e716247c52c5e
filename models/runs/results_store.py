"""Settlement results in the database: settle a stored run, store and read its results.

`settle_run` loads a run's inputs, settles them and replaces the run's engine results in one
transaction: a failure leaves the previous results as they were; a deadlock with another
analyst's settle makes it again (models.db.races). Published prices (origin
``published``) are never touched. Every column of `result_frames` is stored, among them
`system_period_result.unallocated_residual` and `check_result.status` (rulebook v2).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select

from engine.settle import SettlementResult, settle_day
from models.casefiles.results_json import (
    ListTable,
    document_from_frames,
    known_gaps_from_frames,
    result_frames,
)
from models.core.errors import RunNotFoundError
from models.db.bulk import bulk_insert_columns
from models.db.database import SettlementDatabase
from models.db.races import deadlocked, made_again, without_gap_locks
from models.db.schema import RUN_RESULT_TABLES, Acceptance, SettlementRun
from models.published.prices import price_comparison, read_published_prices
from models.runs.inputs import load_settlement_inputs

RESULT_TABLES = {t.name: t for t in RUN_RESULT_TABLES}
ENGINE_ONLY = ("system_price_result", "stack_item_result")  # tables that also hold published rows


def clear_results(conn: Connection, run_id: int) -> None:
    for table in RUN_RESULT_TABLES:
        query = table.delete().where(table.c.run_id == run_id)
        if table.name in ENGINE_ONLY:
            query = query.where(table.c.origin == "engine")
        conn.execute(query)


def write_results(conn: Connection, run_id: int, result: SettlementResult) -> dict[str, int]:
    clear_results(conn, run_id)
    return {
        name: bulk_insert_columns(conn, RESULT_TABLES[name], columns, {"run_id": run_id})
        for name, columns in result_frames(result).items()
    }


def settle_run(
    db: SettlementDatabase, run_id: int, periods: tuple[int, ...] | None = None
) -> SettlementResult:
    """Settle a stored run and store its results, all in one transaction, which locks no gap of
    a key range on MariaDB (two runs settled at once deadlocked there) and is made again should
    the server pick it as a deadlock's victim all the same (models.db.races)."""

    def settle(_attempt: int) -> SettlementResult:
        with without_gap_locks(db.engine) as conn:
            result = settle_day(load_settlement_inputs(conn, run_id, periods))
            write_results(conn, run_id, result)
        return result

    return made_again(settle, deadlocked)


def read_result_frames(conn: Connection, run_id: int) -> dict[str, ListTable]:
    frames: dict[str, ListTable] = {}
    for name, table in RESULT_TABLES.items():
        columns = [c for c in table.columns if c.name != "run_id"]
        # In key order on every backend: PostgreSQL returns a table's rows as they were written.
        query = (
            select(*columns).where(table.c.run_id == run_id).order_by(*table.primary_key.columns)
        )
        if name in ENGINE_ONLY:
            query = query.where(table.c.origin == "engine")
        rows = conn.execute(query).all()
        frames[name] = {c.name: [row[i] for row in rows] for i, c in enumerate(columns)}
    return frames


def stored_document(conn: Connection, run_id: int) -> dict:
    """The settlement-result/1 document of a run's stored engine results."""
    settlement_date: date | None = conn.execute(
        select(SettlementRun.settlement_date).where(SettlementRun.id == run_id)
    ).scalar()
    if settlement_date is None:
        raise RunNotFoundError(f"run {run_id} does not exist")
    frames = read_result_frames(conn, run_id)
    if not frames["system_price_result"]["period"]:
        raise RunNotFoundError(
            f"run {run_id} ({settlement_date}) has no stored results; settle it first"
        )
    rr_flagged = conn.execute(
        select(func.count())
        .select_from(Acceptance.__table__)
        .join(SettlementRun.__table__, SettlementRun.bm_dataset_id == Acceptance.dataset_id)
        .where(SettlementRun.id == run_id, Acceptance.rr_flag.is_(True))
    ).scalar_one()
    gaps = known_gaps_from_frames(settlement_date, frames, int(rr_flagged))
    document = document_from_frames(settlement_date, frames, gaps)
    published = read_published_prices(conn, run_id)
    if published:
        prices = frames["system_price_result"]
        nan = float("nan")
        document["published_comparison"] = price_comparison(
            published,
            prices["period"],
            [nan if v is None else v for v in prices["ssp"]],
            [nan if v is None else v for v in prices["sbp"]],
            [nan if v is None else v for v in prices["niv"]],
        )
    return document
