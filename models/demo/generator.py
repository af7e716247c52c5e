"""Write a deterministic demo settlement database: `settlement-workbench demo`.

For each settlement date: runs II, SF and R1 sharing one day's BM data (FPN, bid-offer data,
acceptances), contract notifications, BSAD, market index data and LoLP, with metered volumes
revised from run to run. The same seed always gives the same inputs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import Connection

from engine.settlement_calendar import RunType
from models.core.atomic_write import partial_path, publish, remove_quietly
from models.core.errors import DatabaseOpenError
from models.db.bulk import bulk_insert
from models.db.database import ELEXON_ATTRIBUTION, SettlementDatabase
from models.db.schema import RUN_INPUT_TABLES, BmUnit, EnergyAccount, MeteredVolume, Party
from models.demo.market import DemoDay, demand_shape, generate_day, metered_volumes
from models.demo.units import DemoUnit, choose_units
from models.register.snapshots import REGISTER_COLUMNS, insert_snapshot
from models.runs.run_store import (
    copy_inputs,
    create_bm_dataset,
    create_run,
    finish_loading,
    write_inputs,
)

DEFAULT_DATE = date(2024, 6, 12)
DEMO_RUNS = (RunType.II, RunType.SF, RunType.R1)
# Share of units whose metered volume is revised at each run after II.
REVISION_SHARE = {RunType.SF: 0.3, RunType.R1: 0.1}
ProgressCallback = Callable[[float, str], None]


class Cancelled(Exception):
    """The caller asked the generator to stop; the database was not written."""


@dataclass(frozen=True, slots=True)
class DemoSpec:
    bmus: int = 60
    start_date: date = DEFAULT_DATE
    days: int = 1
    seed: int = 1


@dataclass(frozen=True, slots=True)
class DemoSummary:
    spec: DemoSpec
    location: str
    parties: int
    bm_units: int
    runs: int
    rows_per_run: dict[str, int]
    seconds: float
    size_bytes: int | None


def _day_rng(seed: int, day_index: int) -> np.random.Generator:
    return np.random.default_rng([seed, day_index])


def _party_rows(units: list[DemoUnit]) -> list[dict]:
    names: dict[str, str] = {}
    for unit in units:
        names.setdefault(unit.register.lead_party_id, unit.register.lead_party_name)
    return [{"id": k, "name": names[k]} for k in sorted(names)]


def _reference_rows(units: list[DemoUnit]) -> dict[str, list[dict]]:
    parties = _party_rows(units)
    return {
        "party": parties,
        "energy_account": [{"party_id": p["id"], "account": a} for p in parties for a in "PC"],
        "bm_unit": [
            {
                "id": u.id,
                "national_grid_id": u.register.national_grid_id or None,
                "name": u.register.name,
                "bmu_type": u.register.bmu_type or None,
                "fuel_type": u.register.fuel_type or u.kind.upper(),
                "lead_party_id": u.register.lead_party_id,
                "pc_status": u.register.pc_status,
                "trading_unit": u.trading_unit,
                "tlf": u.register.tlf,
                "gsp_group": u.register.gsp_group or None,
                "interconnector": u.kind == "interconnector",
                "interconnector_id": u.register.interconnector_id or None,
                "generation_capacity": u.capacity if u.register.pc_status == "P" else 0.0,
                "demand_capacity": -u.capacity if u.register.pc_status == "C" else 0.0,
            }
            for u in units
        ],
    }


def _fpn_rows(day: DemoDay) -> list[dict]:
    times = day.start + 1800 * np.arange(day.periods + 1)
    rows = []
    for u, unit in enumerate(day.units):
        levels = day.fpn[u].tolist()
        rows += [
            {
                "notification": "FPN",
                "bm_unit_id": unit.id,
                "profile": 0,
                "seq": j,
                "time_from": int(times[j]),
                "level_from": levels[j],
                "time_to": int(times[j + 1]),
                "level_to": levels[j + 1],
            }
            for j in range(day.periods)
        ]
    return rows


def _mel_rows(day: DemoDay) -> list[dict]:
    """Maximum export limit: the unit's capacity (or 0 for pure demand) all day."""
    rows = []
    for unit in day.units:
        if unit.kind == "supplier":
            continue
        level = (
            unit.capacity
            if unit.register.pc_status == "P"
            or unit.kind
            in (
                "battery",
                "pumped_storage",
            )
            else 0.0
        )
        rows.append(
            {
                "notification": "MEL",
                "bm_unit_id": unit.id,
                "profile": 0,
                "seq": 0,
                "time_from": day.start,
                "level_from": level,
                "time_to": day.start + 1800 * day.periods,
                "level_to": level,
            }
        )
    return rows


def _ecvn_rows(day: DemoDay, rng: np.random.Generator) -> list[dict]:
    """Contract notifications roughly balancing each party's expected position.

    Each period, parties expecting to produce sell from their P account and parties expecting
    to consume buy into their C account, matched in id order (north-west corner), so there are
    at most sellers + buyers − 1 notifications a period.
    """
    parties = sorted({u.register.lead_party_id for u in day.units})
    index = {p: k for k, p in enumerate(parties)}
    owner = np.array([index[u.register.lead_party_id] for u in day.units])
    position = np.zeros((len(parties), day.periods))
    np.add.at(position, owner, day.fpn_volume)
    position *= rng.uniform(0.96, 1.04, position.shape)  # contracts are only roughly balanced
    rows = []
    for j in range(day.periods):
        sellers = [(parties[k], v) for k, v in enumerate(position[:, j]) if v > 0.0005]
        buyers = [(parties[k], -v) for k, v in enumerate(position[:, j]) if v < -0.0005]
        traded = min(sum(v for _, v in sellers), sum(v for _, v in buyers))
        if traded <= 0:
            continue
        s_scale = traded / sum(v for _, v in sellers)
        b_scale = traded / sum(v for _, v in buyers)
        sellers = [[p, v * s_scale] for p, v in sellers]
        buyers = [[p, v * b_scale] for p, v in buyers]
        a = b = 0
        while a < len(sellers) and b < len(buyers):
            volume = min(sellers[a][1], buyers[b][1])
            if round(volume, 3) > 0:
                rows.append(
                    {
                        "seq": 0,
                        "period": j + 1,
                        "from_party_id": sellers[a][0],
                        "from_account": "P",
                        "to_party_id": buyers[b][0],
                        "to_account": "C",
                        "mwh": round(volume, 3),
                    }
                )
            sellers[a][1] -= volume
            buyers[b][1] -= volume
            if sellers[a][1] <= 1e-9:
                a += 1
            if buyers[b][1] <= 1e-9:
                b += 1
    for seq, row in enumerate(rows):
        row["seq"] = seq
    return rows


def _mvrn_rows(day: DemoDay, rng: np.random.Generator) -> list[dict]:
    """About 3 % of producing units (at least one) reallocate metered volume to another party."""
    parties = sorted({u.register.lead_party_id for u in day.units})
    candidates = [
        u for u in day.units if u.register.pc_status == "P" and u.kind != "interconnector"
    ]
    if len(parties) < 2 or not candidates:
        return []
    count = max(1, round(0.03 * len(candidates)))
    picks = sorted(rng.choice(len(candidates), size=min(count, len(candidates)), replace=False))
    rows = []
    for seq, index in enumerate(picks):
        unit = candidates[int(index)]
        others = [p for p in parties if p != unit.register.lead_party_id]
        fixed = float(round(rng.uniform(0, 5), 3)) if rng.random() < 0.3 else 0.0
        rows.append(
            {
                "seq": seq,
                "bm_unit_id": unit.id,
                "to_party_id": others[int(rng.integers(len(others)))],
                "to_account": "P",
                "fixed_mwh": fixed,
                "percentage": float(round(rng.uniform(5, 50), 1)),
            }
        )
    return rows


def _period_rows(day: DemoDay, rng: np.random.Generator) -> dict[str, list[dict]]:
    hours = day.local_hours[:-1]
    demand = demand_shape(hours)
    mip = 55.0 + 70.0 * (demand - 0.55) + rng.normal(0, 4, day.periods)
    stor_window = ((hours >= 7) & (hours < 13.5)) | ((hours >= 16) & (hours < 21))
    parties = sorted({u.register.lead_party_id for u in day.units})
    market_index, lolp, adjustment, bsad = [], [], [], []
    services = ("Energy", "System", "Non-BM STOR")
    for j in range(day.periods):
        period = j + 1
        price = round(float(mip[j]), 2)
        market_index.append(
            {
                "period": period,
                "provider": "APXMIDP",
                "price": price,
                "volume": float(round(rng.uniform(300, 3000), 1)),
            }
        )
        market_index.append({"period": period, "provider": "N2EXMIDP", "price": 0.0, "volume": 0.0})
        margin = 9000.0 - 5000.0 * (demand[j] - 0.55) / 0.45 + rng.normal(0, 300)
        probability = float(min(1.0, 10 ** (-margin / 1500.0)))
        lolp.append(
            {
                "period": period,
                "lolp": round(probability, 8),
                "stor_window": bool(stor_window[j]),
                "derated_margin": round(float(margin), 1),
            }
        )
        adjustment.append({"period": period, "bpa": 0.0, "spa": 0.0})
        for n in range(int(rng.poisson(1.2))):
            buy = rng.random() < 0.55
            volume = float(round(rng.uniform(5, 150) * (1 if buy else -1), 3))
            action_price = price + (rng.uniform(5, 60) if buy else -rng.uniform(5, 40))
            service = services[int(rng.integers(len(services)))]
            priced = rng.random() >= 0.05
            bsad.append(
                {
                    "period": period,
                    "id": f"D{day.settlement_date:%Y%m%d}-{period:02d}-{n + 1}",
                    "volume": volume,
                    "cost": float(round(volume * action_price, 2)) if priced else None,
                    "so_flag": bool(rng.random() < 0.5),
                    "stor_flag": service == "Non-BM STOR",
                    "party_id": parties[int(rng.integers(len(parties)))],
                    "asset_id": None,
                    "service": service,
                }
            )
    return {
        "market_index": market_index,
        "lolp": lolp,
        "price_adjustment": adjustment,
        "bsad_action": bsad,
    }


def _balancing_services_rows(day: DemoDay, rng: np.random.Generator) -> list[dict]:
    """Non-BM balancing services volumes (ABSVD) on a few consuming units at the peak."""
    rows = []
    peak = np.flatnonzero((day.local_hours[:-1] >= 17) & (day.local_hours[:-1] < 19)) + 1
    for unit in day.units:
        if unit.kind in ("supplier", "vlp") and rng.random() < 0.05:
            rows += [
                {
                    "bm_unit_id": unit.id,
                    "period": int(j),
                    "mwh": float(round(rng.uniform(0.5, 5), 3)),
                }
                for j in peak
            ]
    return rows


def _metered_rows(day: DemoDay, qm: np.ndarray) -> list[dict]:
    values = qm.tolist()
    return [
        {"bm_unit_id": unit.id, "period": j + 1, "mwh": values[u][j]}
        for u, unit in enumerate(day.units)
        for j in range(day.periods)
    ]


def _run_rows(
    day: DemoDay, units: list[DemoUnit], rng: np.random.Generator, snapshot_id: int | None
) -> dict:
    parties = _party_rows(units)
    return {
        "run_party": [{"party_id": p["id"], "name": p["name"]} for p in parties],
        "run_bm_unit": [
            {
                "bm_unit_id": u.id,
                "lead_party_id": u.register.lead_party_id,
                "pc_status": u.register.pc_status,
                "trading_unit": u.trading_unit,
                "tlf": u.register.tlf,
                "interconnector": u.kind == "interconnector",
                "register_snapshot_id": snapshot_id,
                "registered": True,
            }
            for u in units
        ],
        "ecvn": _ecvn_rows(day, rng),
        "mvrn": _mvrn_rows(day, rng),
        "balancing_services_volume": _balancing_services_rows(day, rng),
        **_period_rows(day, rng),
    }


def _bm_rows(day: DemoDay) -> dict[str, list[dict]]:
    return {
        "physical_notification": _fpn_rows(day) + _mel_rows(day),
        "bid_offer": day.bid_offer,
        "acceptance": day.acceptances,
        "acceptance_level": day.acceptance_levels,
    }


SHARED_RUN_TABLES = tuple(t for t in RUN_INPUT_TABLES if t is not MeteredVolume.__table__)


def _register_snapshot(conn: Connection, units: list[DemoUnit], effective_from: date) -> int:
    """R-REG-DATED: the demo's register is one snapshot, in force from its first date."""
    entries = {
        row["id"]: {c: row[c] for c in REGISTER_COLUMNS}
        for row in _reference_rows(units)["bm_unit"]
    }
    return insert_snapshot(conn, effective_from, "demo generator", entries)


def write_demo_day(
    conn: Connection,
    day: DemoDay,
    units: list[DemoUnit],
    rng: np.random.Generator,
    snapshot_id: int | None = None,
) -> dict[str, int]:
    """Runs II, SF and R1 of one day, sharing one BM dataset; only metering differs. Units
    come from register snapshot `snapshot_id` (None: from no register)."""
    bm_rows = _bm_rows(day)
    dataset_id = create_bm_dataset(conn, day.settlement_date, bm_rows, source="demo generator")
    rows = _run_rows(day, units, rng, snapshot_id)
    first = None
    qm = None
    written = {name: len(table_rows) for name, table_rows in bm_rows.items()}
    for run_type in DEMO_RUNS:
        run_id = create_run(
            conn,
            day.settlement_date,
            run_type,
            bm_dataset_id=dataset_id,
            source="demo generator",
        )
        qm = metered_volumes(day, rng, REVISION_SHARE.get(run_type, 1.0), qm)
        if first is None:
            written.update(write_inputs(conn, run_id, rows))
            first = run_id
        else:
            copy_inputs(conn, first, run_id, SHARED_RUN_TABLES)
        written.update(write_inputs(conn, run_id, {"metered_volume": _metered_rows(day, qm)}))
        finish_loading(conn, run_id)
    return written


def generate_demo(
    target: str | Path,
    spec: DemoSpec = DemoSpec(),
    *,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> DemoSummary:
    """Create the demo database at `target` (path or URL) in one transaction."""
    began = time.perf_counter()
    report = progress or (lambda fraction, message: None)
    report(0.0, "choosing BM units")
    units = choose_units(spec.bmus, np.random.default_rng([spec.seed, 0xB11]))
    # A file is built under a temporary name and renamed onto `target` only when complete:
    # --force never loses the old demo to a failed or cancelled generation.
    is_file = "://" not in str(target)
    if is_file and Path(target).exists() and not overwrite:
        raise DatabaseOpenError(
            f"{target} already exists; choose another name or allow overwriting"
        )
    building = partial_path(Path(target)) if is_file else target
    db = SettlementDatabase.create(building)
    try:
        written: dict[str, int] = {}
        with db.engine.begin() as conn:
            for table_name, table_rows in _reference_rows(units).items():
                table = {
                    "party": Party.__table__,
                    "energy_account": EnergyAccount.__table__,
                    "bm_unit": BmUnit.__table__,
                }[table_name]
                bulk_insert(conn, table, table_rows)
            snapshot_id = _register_snapshot(conn, units, spec.start_date)
            for k in range(spec.days):
                if cancelled is not None and cancelled():
                    raise Cancelled("demo generation cancelled")
                settlement_date = spec.start_date + timedelta(days=k)
                report(k / spec.days, f"generating {settlement_date.isoformat()}")
                rng = _day_rng(spec.seed, k)
                day = generate_day(settlement_date, units, rng)
                written = write_demo_day(conn, day, units, rng, snapshot_id)
        db.set_meta("attribution", ELEXON_ATTRIBUTION)
        db.set_meta(
            "demo",
            f"seed={spec.seed} bmus={spec.bmus} start={spec.start_date} days={spec.days}",
        )
    except BaseException:
        db.close()
        if is_file:
            remove_quietly(Path(building))
        raise
    db.close()
    if is_file:
        try:
            publish(Path(building), Path(target), overwrite=overwrite)
        except BaseException:
            remove_quietly(Path(building))
            raise
    report(1.0, "done")
    size = Path(target).stat().st_size if "://" not in str(target) else None
    return DemoSummary(
        spec=spec,
        location=str(target),
        parties=len(_party_rows(units)),
        bm_units=len(units),
        runs=spec.days * len(DEMO_RUNS),
        rows_per_run=written,
        seconds=time.perf_counter() - began,
        size_bytes=size,
    )
