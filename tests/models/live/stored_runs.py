"""What the live tests read back from a database: the replayed day's latest live run, its
input tables as sorted rows, and a table's row count."""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import func, select

from models.db.schema import SettlementRun
from models.live.handler import LIVE_RUN_TYPE
from models.runs.run_frames import read_stored_frames

DAY = date(2022, 1, 1)  # the settlement date of the recorded messages (recorded.py)


def latest_run(db) -> int:
    with db.engine.connect() as conn:
        return conn.execute(
            select(func.max(SettlementRun.id)).where(
                SettlementRun.settlement_date == DAY,
                SettlementRun.run_type == LIVE_RUN_TYPE.value,
            )
        ).scalar_one()


def _text(value) -> str:
    """A value as text, a flag as 0 or 1 (read from rows, SQLite gives 0/1 where a run's
    cache gives booleans: an open live run has no cache yet)."""
    if isinstance(value, bool | np.bool_):
        return str(int(value))
    return str(value)


def rows(db, run_id: int) -> dict[str, list[tuple]]:
    """Every input table of the run as sorted rows (the order rows were written in aside)."""
    with db.engine.connect() as conn:
        _, periods, tables = read_stored_frames(conn, run_id)
    out = {"periods": [periods]}
    for name, table in tables.items():
        columns = sorted(table.columns) if hasattr(table, "columns") else sorted(table)
        values = [list(map(_text, table[c])) for c in columns]
        out[name] = sorted(zip(*values, strict=True)) if values else []
    return out


def count(db, table) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table.__table__)).scalar_one()
