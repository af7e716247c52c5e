"""What the workbench shows of one run, loaded in one go (in a worker thread).

The run's inputs are loaded and settled in memory, so every screen and every step trace can
be drawn from the same SettlementResult; the register's descriptive fields, MEL/MIL profiles,
published prices and stored results (to highlight differences) come along.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import select

from engine.settle import SettlementResult, settle_day
from models.core.errors import WorkbenchInputError
from models.core.table import Table, table_from_rows
from models.db.database import SettlementDatabase
from models.db.schema import (
    BmUnit,
    BmUnitRegisterSnapshot,
    PhysicalNotificationSegment,
    RunBmUnit,
)
from models.published.prices import PublishedPrice, read_published_prices
from models.runs.completeness import Completeness, run_completeness
from models.runs.inputs import read_run_frames, settlement_inputs_from_frames
from models.runs.run_store import RunInfo, get_run
from models.runs.run_warnings import DataWarning, read_run_warnings
from models.runs.scenarios.store import ScenarioHistory, scenario_history
from models.runs.stored_check import (
    StoredDifferences,
    StoredResults,
    compare_with_stored,
    read_stored_results,
)
from models.runs.unit_summary import UnitSummary, unit_summary


class LoadCancelled(WorkbenchInputError):
    """The user cancelled loading a run."""


@dataclass(frozen=True)
class UnitRegister:
    """What the unit table shows of each BM unit of a result, in the result's order."""

    bm_unit_id: tuple[str, ...]
    party: tuple[str, ...]  # lead party
    pc: tuple[str, ...]  # "P" production, "C" consumption
    tlf: np.ndarray  # transmission loss factor
    name: tuple[str, ...]  # register fields, "" where the register has none
    bmu_type: tuple[str, ...]
    fuel_type: tuple[str, ...]
    # R-REG-DATED: the register snapshot each unit's attributes came from (None: not from a
    # register, e.g. a case file); R-REG-UNREGISTERED: False where no snapshot listed the unit.
    register_snapshot: tuple[int | None, ...]
    registered: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.bm_unit_id)


@dataclass
class RunView:
    run: RunInfo
    result: SettlementResult
    units: UnitRegister
    limits: Table  # MEL and MIL segments: notification, bm_unit_id, time_from, level_from, …
    published_prices: dict[int, PublishedPrice]  # period → published SSP, SBP, NIV
    stored: StoredResults  # the run's stored engine results (empty if never settled)
    differences: StoredDifferences  # the engine's results against the stored ones
    scenario_frames: dict | None = None  # a scenario's inputs (pandas frames), for edits
    register_snapshots: dict[int, date] = field(default_factory=dict)  # id → effective from
    warnings: list[DataWarning] = field(default_factory=list)  # the run's data warnings
    completeness: Completeness | None = None  # which inputs are missing, and what that does
    unit_summary: UnitSummary | None = None  # what the BM units view derives, made with it
    # A scenario's revision, edits and audit trail, read with its inputs (the GUI thread
    # reads nothing: workbench.gui.scenario_controller shows them).
    scenario_history: ScenarioHistory | None = None

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
        settlement_date, stored_periods, frames = read_run_frames(conn, run_id)
        inputs = settlement_inputs_from_frames(settlement_date, frames, stored_periods)
        extras = _read_extras(conn, run)
        history = scenario_history(conn, run_id) if run.kind == "scenario" else None
    step(0.6, "settling")
    result = settle_day(inputs)
    step(0.95, "preparing views")
    with db.engine.connect() as conn:
        completeness = run_completeness(conn, run_id, result)
    # A scenario's frames are kept for its edits: the ones it was settled from, read once.
    view = _assemble(run, result, extras, completeness, frames if run.kind == "scenario" else None)
    view.scenario_history = history
    return view


def view_of_settled(db: SettlementDatabase, run_id: int, result: SettlementResult) -> RunView:
    """The view of a run just settled elsewhere (a live run, by its listener: models.live),
    from `result` rather than settling it again; what load_run_view reads beside it is read
    now."""
    with db.engine.connect() as conn:
        run = get_run(conn, run_id, light=True)
        extras = _read_extras(conn, run)
        completeness = run_completeness(conn, run_id, result)
    return _assemble(run, result, extras, completeness, None)


@dataclass(frozen=True)
class _Extras:
    """What a view shows beside the settled result, read from the database."""

    register: dict[str, tuple[str, str, str]]
    limits: Table
    published: dict[int, PublishedPrice]
    stored: StoredResults
    origin: dict[str, tuple[int | None, bool]]
    snapshots: dict[int, date]
    warnings: list[DataWarning]


def _read_extras(conn, run: RunInfo) -> _Extras:
    # The whole register (a few thousand rows), not WHERE id IN (every unit of the run): for
    # a GB day that list took 15 ms (45 ms the first time), the whole register 6 ms.
    register = {
        unit: (name or "", bmu_type or "", fuel_type or "")
        for unit, name, bmu_type, fuel_type in conn.execute(
            select(BmUnit.id, BmUnit.name, BmUnit.bmu_type, BmUnit.fuel_type)
        ).all()
    }
    pn = PhysicalNotificationSegment
    columns = ("notification", "bm_unit_id", "time_from", "level_from", "time_to", "level_to")
    limits = table_from_rows(
        conn.execute(
            select(*(getattr(pn, c) for c in columns)).where(
                pn.dataset_id == run.bm_dataset_id, pn.notification.in_(["MEL", "MIL"])
            )
        ).all(),
        columns,
    )
    # A scenario settles its base run's units and carries its base run's data warnings.
    own = run.base_run_id if run.kind == "scenario" and run.base_run_id else run.id
    snapshots = dict(
        conn.execute(select(BmUnitRegisterSnapshot.id, BmUnitRegisterSnapshot.effective_from)).all()
    )
    return _Extras(
        register,
        limits,
        read_published_prices(conn, run.id),
        read_stored_results(conn, run.id),
        _register_origin(conn, own),
        snapshots,
        read_run_warnings(conn, own),
    )


def _assemble(
    run: RunInfo,
    result: SettlementResult,
    extras: _Extras,
    completeness: Completeness,
    scenario_frames: dict | None,
) -> RunView:
    inputs = result.inputs
    parties = np.asarray(inputs.parties, dtype=object)
    unregistered = ("", "", "")
    described = [extras.register.get(u, unregistered) for u in inputs.bm.bm_units]
    origin = extras.origin
    units = UnitRegister(
        bm_unit_id=tuple(inputs.bm.bm_units),
        party=tuple(parties[inputs.units.lead_party].tolist()),
        pc=tuple(np.where(inputs.units.consumption, "C", "P").tolist()),
        tlf=np.asarray(inputs.units.tlf, dtype=float),
        name=tuple(d[0] for d in described),
        bmu_type=tuple(d[1] for d in described),
        fuel_type=tuple(d[2] for d in described),
        register_snapshot=tuple(origin.get(u, (None, True))[0] for u in inputs.bm.bm_units),
        registered=np.array([origin.get(u, (None, True))[1] for u in inputs.bm.bm_units], bool),
    )
    view = RunView(
        run,
        result,
        units,
        extras.limits,
        extras.published,
        extras.stored,
        compare_with_stored(result, extras.stored),
        scenario_frames,
        register_snapshots=extras.snapshots,
        warnings=extras.warnings,
        completeness=completeness,
    )
    view.unit_summary = unit_summary(view)  # here, in the worker, not at the view's first showing
    return view


def _register_origin(conn, run_id: int) -> dict[str, tuple[int | None, bool]]:
    """Per BM unit of a run: (register snapshot id, registered), from run_bm_unit itself: a
    run-input cache written before these columns existed (schema 0007) holds them as NULL."""
    rows = conn.execute(
        select(RunBmUnit.bm_unit_id, RunBmUnit.register_snapshot_id, RunBmUnit.registered).where(
            RunBmUnit.run_id == run_id
        )
    ).all()
    return {unit: (snapshot, bool(registered)) for unit, snapshot, registered in rows}
