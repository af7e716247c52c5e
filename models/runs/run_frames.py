"""The input tables a stored run holds, read column-wise from its caches or its rows.

One table per input table of the schema (numpy columns, see models.core.table). A scenario holds
no inputs of its own: models.runs.inputs.read_run_frames applies its edits to its base run's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import Connection, select

from models.core.errors import RunNotFoundError
from models.core.period_list import decode_periods
from models.core.table import Table, take
from models.db.dataset_cache import query_table, read_dataset_cache, read_run_cache
from models.db.schema import BM_DATA_TABLES, RUN_INPUT_TABLES, SettlementRun

COLUMNS = {t.name: [c.name for c in t.columns if c.name not in ("run_id", "dataset_id")]
           for t in (*RUN_INPUT_TABLES, *BM_DATA_TABLES)}  # fmt: skip
ORDER = {
    "physical_notification": ["bm_unit_id", "profile", "seq"],
    "bid_offer": ["bm_unit_id", "period", "pair", "seq"],
    "acceptance": ["bm_unit_id", "number"],
    "acceptance_level": ["bm_unit_id", "number", "seq"],
}
# A run's input tables by name: each a Table, or a pandas DataFrame with the same columns (a
# scenario's EditableTables). Functions named *_frames return these.
RunTables = Mapping[str, object]


RUN_ROW = (
    SettlementRun.settlement_date,
    SettlementRun.bm_dataset_id,
    SettlementRun.periods,
    SettlementRun.kind,
)


def read_stored_frames(
    conn: Connection, run_id: int, run=None
) -> tuple[date, tuple[int, ...] | None, dict[str, Table]]:
    """(settlement date, stored period subset, tables) of a run that holds its own inputs
    (any kind but a scenario, whose inputs are its base run's with its edits applied).
    `run`: the run's RUN_ROW columns where the caller has read them already (one query
    fewer on the launch path)."""
    if run is None:
        run = conn.execute(select(*RUN_ROW).where(SettlementRun.id == run_id)).first()
    if run is None:
        raise RunNotFoundError(f"run {run_id} does not exist")
    periods = decode_periods(run.periods)
    if run.kind == "scenario":
        raise RunNotFoundError(f"run {run_id} is a scenario: read it with models.runs.inputs")
    frames: dict[str, Table] = {}
    run_cached = read_run_cache(conn, run_id)
    if run_cached is not None:
        frames.update(run_cached)
    cached = read_dataset_cache(conn, run.bm_dataset_id)
    if cached is not None:
        fpn = cached["physical_notification"]
        cached["physical_notification"] = take(fpn, fpn["notification"] == "FPN")
        frames.update(cached)
    for table, key, value in (
        *((t.name, "run_id", run_id) for t in RUN_INPUT_TABLES if run_cached is None),
        *((t.name, "dataset_id", run.bm_dataset_id) for t in BM_DATA_TABLES if cached is None),
    ):
        columns = ", ".join(COLUMNS[table])
        order = ", ".join(ORDER.get(table, COLUMNS[table][:1]))
        where = f"{key} = {int(value)}"
        if table == "physical_notification":
            where += " AND notification = 'FPN'"
        frames[table] = query_table(
            conn, f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {order}"
        )
    return run.settlement_date, periods, frames
