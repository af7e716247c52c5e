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
from models.schema import BmUnit, PartyResult, PhysicalNotificationSegment


class LoadCancelled(WorkbenchInputError):
    """The user cancelled loading a run."""


@dataclass
class RunView:
    run: RunInfo
    result: SettlementResult
    units: pd.DataFrame  # per BM unit of the result, in its order: name, party, type, fuel, tlf
    limits: pd.DataFrame  # MEL and MIL segments: notification, bm_unit_id, time_from, level_from, …
    published_prices: dict[int, PublishedPrice]  # period → published SSP, SBP, NIV
    stored_net: dict[str, float]  # party → net £ of the stored engine results (if settled)

    @property
    def label(self) -> str:
        return self.run.label

    def net_differs(self) -> np.ndarray:
        """Per party: the net differs from the stored results by more than half a penny."""
        net = self.result.parties.net
        stored = np.array([self.stored_net.get(p, np.nan) for p in self.result.inputs.parties])
        return ~np.isnan(stored) & ~(np.abs(net - stored) <= 0.005)


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
        register = pd.DataFrame(
            conn.execute(
                select(BmUnit.id, BmUnit.name, BmUnit.bmu_type, BmUnit.fuel_type).where(
                    BmUnit.id.in_(inputs.bm.bm_units)
                )
            ).all(),
            columns=["bm_unit_id", "name", "bmu_type", "fuel_type"],
            dtype=object,  # also when a run has no BM units (published prices only)
        )
        pn = PhysicalNotificationSegment
        limits = pd.DataFrame(
            conn.execute(
                select(
                    pn.notification,
                    pn.bm_unit_id,
                    pn.time_from,
                    pn.level_from,
                    pn.time_to,
                    pn.level_to,
                ).where(pn.dataset_id == run.bm_dataset_id, pn.notification.in_(["MEL", "MIL"]))
            ).all(),
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
        stored = dict(
            conn.execute(
                select(PartyResult.party_id, PartyResult.net).where(PartyResult.run_id == run_id)
            ).all()
        )
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
    return RunView(
        run, result, units, limits, published, {k: v for k, v in stored.items() if v is not None}
    )
