"""What the workbench shows of one run, loaded in one go (in a worker thread).

The run's inputs are loaded and settled in memory, so every screen and every step trace can
be drawn from the same SettlementResult; the register's descriptive fields, MEL/MIL profiles,
published prices and stored results (to highlight differences) come along.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import select

from engine.settle import SettlementResult, settle_day
from models.database import SettlementDatabase
from models.engine_inputs import load_settlement_inputs
from models.errors import WorkbenchInputError
from models.published import PublishedPrice, read_published_prices
from models.run_store import RunInfo, get_run
from models.schema import BmUnit, PhysicalNotificationSegment
from models.stored_check import (
    StoredDifferences,
    StoredResults,
    compare_with_stored,
    read_stored_results,
)


class LoadCancelled(WorkbenchInputError):
    """The user cancelled loading a run."""


@dataclass
class RunView:
    run: RunInfo
    result: SettlementResult
    units: pd.DataFrame  # per BM unit of the result, in its order: name, party, type, fuel, tlf
    limits: pd.DataFrame  # MEL and MIL segments: notification, bm_unit_id, time_from, level_from, …
    published_prices: dict[int, PublishedPrice]  # period → published SSP, SBP, NIV
    stored: StoredResults  # the run's stored engine results (empty if never settled)
    differences: StoredDifferences  # the engine's results against the stored ones
    scenario_frames: dict[str, pd.DataFrame] | None = None  # a scenario's inputs, for edits

    @property
    def label(self) -> str:
        return self.run.label


def load_run_view(
    db: SettlementDatabase,
    run_id: int,
    progress: Callable[[float, str], None] = lambda f, m: None,
    cancelled: Callable[[], bool] = lambda: False,
) -> RunView:
    def step(fraction: float, message: str) -> None:
        if cancelled():
            raise LoadCancelled("loading the run was cancelled")
        progress(fraction, message)

    step(0.0, "reading the run")
    with db.engine.connect() as conn:
        run = get_run(conn, run_id, light=True)
        step(0.1, "loading inputs")
        inputs = load_settlement_inputs(conn, run_id)
        register = _frame(
            conn.execute(
                select(BmUnit.id, BmUnit.name, BmUnit.bmu_type, BmUnit.fuel_type).where(
                    BmUnit.id.in_(inputs.bm.bm_units)
                )
            ),
            columns=["bm_unit_id", "name", "bmu_type", "fuel_type"],
            dtype=object,  # also when a run has no BM units (published prices only)
        )
        pn = PhysicalNotificationSegment
        limits = _frame(
            conn.execute(
                select(
                    pn.notification,
                    pn.bm_unit_id,
                    pn.time_from,
                    pn.level_from,
                    pn.time_to,
                    pn.level_to,
                ).where(pn.dataset_id == run.bm_dataset_id, pn.notification.in_(["MEL", "MIL"]))
            ),
            columns=[
                "notification",
                "bm_unit_id",
                "time_from",
                "level_from",
                "time_to",
                "level_to",
            ],
        )
        published = read_published_prices(conn, run_id)
        stored = read_stored_results(conn, run_id)
    step(0.6, "settling")
    result = settle_day(inputs)
    step(0.95, "preparing views")
    parties = np.asarray(inputs.parties, dtype=object)
    units = pd.DataFrame(
        {
            "bm_unit_id": pd.Series(list(inputs.bm.bm_units), dtype=object),
            "party": parties[inputs.units.lead_party],
            "pc": np.where(inputs.units.consumption, "C", "P"),
            "tlf": inputs.units.tlf,
        }
    ).merge(register, on="bm_unit_id", how="left")
    differences = compare_with_stored(result, stored)
    frames = None
    if run.kind == "scenario":
        # Imported here: opening a plain run needs none of the scenario (and case-file) code.
        from models.scenarios.store import scenario_frames

        with db.engine.connect() as conn:
            frames = scenario_frames(conn, run_id)
    return RunView(run, result, units, limits, published, stored, differences, frames)


def _frame(rows, columns: list[str], dtype=None) -> pd.DataFrame:
    """A frame of query rows, made plain tuples first: pandas asks each SQLAlchemy Row for
    namedtuple fields, which Row answers through a failed lookup (90 ms for a GB day)."""
    return pd.DataFrame([tuple(row) for row in rows], columns=columns, dtype=dtype)
