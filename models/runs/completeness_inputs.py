"""What a stored run holds, per settlement period, of each input a full settlement needs.

Read straight from the run's tables with a few grouped queries (no row-by-row Python), so
that it costs little next to loading the run: BM data (FPN, MEL, MIL spans per unit),
metered volumes, BSAD actions, market index data, LoLP/DRM, published prices, and the BM
units of the run against the BM unit register in force on the date (R-REG-DATED).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import Connection, func, select

from engine.imbalance_price import r_prc_mip
from engine.settle import SettlementResult
from engine.settlement_calendar import PERIOD_SECONDS, local_midnight_utc, periods_in_day
from models.db.schema import (
    BmUnit,
    BmUnitRegisterEntry,
    BsadAction,
    LossOfLoadProbability,
    MarketIndexData,
    MeteredVolume,
    PhysicalNotificationSegment,
    RunBmUnit,
    SystemPriceResult,
)
from models.register.snapshots import RegisterSnapshot, in_force, list_snapshots


@dataclass(frozen=True)
class RegisterInForce:
    """The register a run's units were taken from (R-REG-DATED), as far as completeness needs
    it: the snapshot(s) its run_bm_unit rows name; where they name none (a case file, a run
    from before dated registers), the snapshot in force on the date."""

    snapshot_id: int | None  # None: no register at all (the database holds no snapshot)
    effective_from: date | None
    source: str
    earliest_used: bool  # no snapshot was in force on the date: the earliest one was used
    # unit id → fuel type ("" where the register gives none); without a register, the run's
    # registered units (a case file's), from the unit index
    fuel_type: dict[str, str]
    others: tuple[int, ...] = ()  # further snapshots the run's units were taken from
    trading_units: bool = True  # False: the register gives no Trading Units (R-TLM)

    @property
    def description(self) -> str:
        if self.snapshot_id is None:
            return "no register (the database holds no snapshot): the run's registered units only"
        text = f"snapshot {self.snapshot_id}, effective from {self.effective_from}"
        if self.source:
            text += f" ({self.source})"
        if self.others:
            text += "; some units from snapshot(s) " + ", ".join(map(str, self.others))
        if self.earliest_used:
            text += "; no snapshot was in force on the date, the earliest is used"
        return text


@dataclass(frozen=True)
class StoredInputs:
    """Per period (index period − 1) how much of each input the run holds."""

    periods: int  # periods of the settlement day
    units: tuple[str, ...]  # the run's BM units
    registered: np.ndarray  # (units,) bool: run_bm_unit.registered
    fpn_units: np.ndarray  # (periods,) units with an FPN in the period
    fpn_any: frozenset[str]  # units with an FPN in some period of the day
    mel_mil_units: np.ndarray  # (periods,) units with MEL or MIL data in the period
    metered_units: np.ndarray  # (periods,) units with a metered volume
    bsad_actions: np.ndarray  # (periods,)
    mip: np.ndarray  # (periods,) R-PRC-MIP of the stored market index data, NaN: none
    mid_records: np.ndarray  # (periods,) market index data records stored for the period
    lolp: np.ndarray  # (periods,) bool: a LoLP/DRM record
    published: np.ndarray  # (periods,) bool: a published SSP/SBP/NIV


def register_in_force(conn: Connection, day: date, run_id: int | None = None) -> RegisterInForce:
    """R-REG-DATED: the snapshot(s) run `run_id`'s units were taken from
    (run_bm_unit.register_snapshot_id), so that the report describes the register the run
    used, not the one in force today; where the run names none (or no run is given), the
    snapshot in force on `day`; with no snapshot at all, no register."""
    snapshots = list_snapshots(conn)
    used: list[RegisterSnapshot] = []
    if run_id is not None:
        unit = RunBmUnit.__table__
        ids = set(
            conn.execute(
                select(unit.c.register_snapshot_id)
                .where(unit.c.run_id == run_id, unit.c.register_snapshot_id.is_not(None))
                .distinct()
            ).scalars()
        )
        used = [s for s in snapshots if s.id in ids]
    if used:
        snapshot, others = used[-1], tuple(s.id for s in used[:-1])
        earliest = snapshot.effective_from > day
    else:
        (snapshot, earliest), others = in_force(snapshots, day), ()
    if snapshot is None:
        return RegisterInForce(None, None, "", False, _registered_run_units(conn, run_id))
    entry = BmUnitRegisterEntry.__table__
    ids = [snapshot.id, *others]
    fuel = conn.execute(  # two columns, not register_entries' every one (GB: 15 ms, not 100)
        select(entry.c.bm_unit_id, entry.c.fuel_type).where(entry.c.snapshot_id.in_(ids))
    ).all()
    trading = conn.execute(
        select(entry.c.bm_unit_id)
        .where(entry.c.snapshot_id.in_(ids), entry.c.trading_unit.is_not(None))
        .limit(1)
    ).first()
    return RegisterInForce(
        snapshot.id,
        snapshot.effective_from,
        snapshot.source or "",
        earliest,
        {u: f or "" for u, f in fuel},
        others,
        trading is not None,
    )


def _registered_run_units(conn: Connection, run_id: int | None) -> dict[str, str]:
    """Without any register: the run's registered units (those no import marked
    unregistered, such as a case file's) with their fuel type from the unit index; the index
    also holds unregistered units, so it is no register."""
    if run_id is None:
        return {}
    unit, index = RunBmUnit.__table__, BmUnit.__table__
    rows = conn.execute(
        select(unit.c.bm_unit_id, index.c.fuel_type)
        .join(index, index.c.id == unit.c.bm_unit_id, isouter=True)
        .where(unit.c.run_id == run_id, unit.c.registered.is_(True))
    ).all()
    return {u: f or "" for u, f in rows}


def units_per_period(
    units: np.ndarray, time_from: np.ndarray, time_to: np.ndarray, start: int, periods: int
) -> tuple[np.ndarray, set]:
    """(per period, how many distinct units have a segment (or profile span) overlapping it;
    the units that do in some period): [t0, t1] overlaps period k when t0 < its end and
    t1 > its start. A difference array per unit and period: a GB day's segments in one pass."""
    if not len(units):
        return np.zeros(periods, dtype=np.int64), set()
    codes, unit = np.unique(np.asarray(units), return_inverse=True)
    t0 = np.asarray(time_from, dtype=np.int64) - start
    t1 = np.asarray(time_to, dtype=np.int64) - start
    first = np.clip(t0 // PERIOD_SECONDS, 0, periods)
    end = np.clip(-(-t1 // PERIOD_SECONDS), 0, periods)  # ceil: one past the last period
    keep = end > first
    steps = np.zeros((len(codes), periods + 1), dtype=np.int64)
    np.add.at(steps, (unit[keep], first[keep]), 1)
    np.add.at(steps, (unit[keep], end[keep]), -1)
    covered = np.cumsum(steps, axis=1)[:, :periods] > 0
    return covered.sum(axis=0), set(codes[covered.any(axis=1)].tolist())


def _per_period_counts(rows, periods: int) -> np.ndarray:
    counts = np.zeros(periods, dtype=np.int64)
    for period, count in rows:
        if 1 <= period <= periods:
            counts[period - 1] = count
    return counts


def read_stored_inputs(
    conn: Connection,
    day: date,
    input_run_id: int,
    dataset_id: int,
    result: SettlementResult | None = None,
) -> StoredInputs:
    """The inputs run `input_run_id` (a scenario's base run) and its BM dataset hold; FPN,
    metered volumes, BSAD and MIP from `result` when given (as settled: a scenario's edits
    count, and a GB-scale day's FPN and metered volumes are not read twice)."""
    periods = periods_in_day(day)
    start = int(local_midnight_utc(day).timestamp())
    unit = RunBmUnit.__table__
    unit_rows = conn.execute(
        select(unit.c.bm_unit_id, unit.c.registered)
        .where(unit.c.run_id == input_run_id)
        .order_by(unit.c.bm_unit_id)
    ).all()
    # Each profile is continuous (PhysicalNotificationSegment): its span is what it covers.
    pn = PhysicalNotificationSegment.__table__
    notifications = ("MEL", "MIL") if result is not None else ("FPN", "MEL", "MIL")
    spans = conn.execute(
        select(pn.c.notification, pn.c.bm_unit_id, func.min(pn.c.time_from), func.max(pn.c.time_to))
        .where(pn.c.dataset_id == dataset_id, pn.c.notification.in_(notifications))
        .group_by(pn.c.notification, pn.c.bm_unit_id, pn.c.profile)
    ).all()

    def covered(kinds: tuple[str, ...]) -> tuple[np.ndarray, set]:
        rows = [r for r in spans if r[0] in kinds]  # a unit with MEL and MIL counts once
        return units_per_period(
            np.array([r[1] for r in rows], dtype=object),
            np.array([r[2] for r in rows], dtype=np.int64),
            np.array([r[3] for r in rows], dtype=np.int64),
            start,
            periods,
        )

    def counts(table, *where) -> np.ndarray:
        rows = conn.execute(
            select(table.c.period, func.count())
            .where(table.c.run_id == input_run_id, *where)
            .group_by(table.c.period)
        ).all()
        return _per_period_counts(rows, periods)

    if result is not None:
        inputs = result.inputs
        fpn = inputs.bm.fpn  # as settled: cut to the day, not read again
        fpn_units, owners = units_per_period(fpn.owner, fpn.time_from, fpn.time_to, start, periods)
        fpn_any = frozenset(inputs.bm.bm_units[u] for u in owners)
        metered = np.isfinite(inputs.metered).sum(axis=0)
        bsad = np.bincount(inputs.bsad.period, minlength=periods + 1)[1 : periods + 1]
        mip = np.asarray(inputs.period_inputs.mip, dtype=float)
    else:
        fpn_units, having = covered(("FPN",))
        fpn_any = frozenset(having)
        metered = counts(MeteredVolume.__table__)
        bsad = counts(BsadAction.__table__)
        mip = _stored_mip(conn, input_run_id, periods)
    prices = SystemPriceResult.__table__
    return StoredInputs(
        periods=periods,
        units=tuple(r.bm_unit_id for r in unit_rows),
        registered=np.array([bool(r.registered) for r in unit_rows], dtype=bool),
        fpn_units=fpn_units,
        fpn_any=fpn_any,
        mel_mil_units=covered(("MEL", "MIL"))[0],
        metered_units=metered,
        bsad_actions=bsad,
        mip=mip,
        mid_records=counts(MarketIndexData.__table__),
        lolp=counts(LossOfLoadProbability.__table__) > 0,
        published=counts(prices, prices.c.origin == "published") > 0,
    )


def _stored_mip(conn: Connection, run_id: int, periods: int) -> np.ndarray:
    """R-PRC-MIP per period of the run's market index data, NaN where there is none."""
    mid = MarketIndexData.__table__
    mip = np.full(periods, np.nan)
    by_period: dict[int, list[tuple[float, float]]] = {}
    for period, price, volume in conn.execute(
        select(mid.c.period, mid.c.price, mid.c.volume).where(mid.c.run_id == run_id)
    ).all():
        by_period.setdefault(period, []).append((price, volume))
    for period, rows in by_period.items():
        if 1 <= period <= periods:
            values, volumes = np.array(rows, dtype=float).T
            mip[period - 1] = r_prc_mip(values, volumes)
    return mip


def fuel_type_counts(units, fuel_type: dict[str, str]) -> dict[str, int]:
    """Units per fuel type, most first ("unknown" where the register gives none)."""
    counted = Counter(fuel_type.get(u) or "unknown" for u in units)
    return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))
