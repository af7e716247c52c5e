"""Stored runs and case files → engine inputs, column-wise (no Python loop over rows).

Both go through the same table frames (one pandas DataFrame per input table, columns as in
the schema), so a case file and the run it was imported as settle identically.

BM data segments that cross the settlement day's edges (BOALF records running past midnight)
are cut at the edge by linear interpolation; segments wholly outside the day are left out.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from engine.bm_inputs import AcceptanceTable, BmInputs, PairTable, Segments
from engine.errors import EngineInputError
from engine.imbalance_price import PeriodPriceInputs, r_prc_mip
from engine.parameters import parameters_for
from engine.settlement_calendar import PERIOD_SECONDS, local_midnight_utc, periods_in_day
from engine.settlement_inputs import (
    BsadActions,
    ContractVolumes,
    Reallocations,
    SettlementInputs,
    UnitAttributes,
)
from models.case_convert import case_to_rows
from models.dataset_cache import query_frame, read_dataset_cache, read_run_cache
from models.errors import RunNotFoundError
from models.schema import BM_DATA_TABLES, RUN_INPUT_TABLES, SettlementRun

COLUMNS = {t.name: [c.name for c in t.columns if c.name not in ("run_id", "dataset_id")]
           for t in (*RUN_INPUT_TABLES, *BM_DATA_TABLES)}  # fmt: skip
ORDER = {
    "physical_notification": ["bm_unit_id", "profile", "seq"],
    "bid_offer": ["bm_unit_id", "period", "pair", "seq"],
    "acceptance": ["bm_unit_id", "number"],
    "acceptance_level": ["bm_unit_id", "number", "seq"],
}
Frames = dict[str, pd.DataFrame]


def read_run_frames(conn: Connection, run_id: int) -> tuple[date, tuple[int, ...] | None, Frames]:
    """(settlement date, stored period subset, frames) of a stored run."""
    run = conn.execute(
        select(SettlementRun.settlement_date, SettlementRun.bm_dataset_id, SettlementRun.periods,
               SettlementRun.kind)
        .where(SettlementRun.id == run_id)
    ).first()  # fmt: skip
    if run is None:
        raise RunNotFoundError(f"run {run_id} does not exist")
    periods = tuple(int(p) for p in run.periods.split(",")) if run.periods else None
    if run.kind == "scenario":
        from models.scenarios.store import scenario_frames  # scenarios build on this module

        return run.settlement_date, periods, scenario_frames(conn, run_id)
    frames: Frames = {}
    run_cached = read_run_cache(conn, run_id)
    if run_cached is not None:
        frames.update(run_cached)
    cached = read_dataset_cache(conn, run.bm_dataset_id)
    if cached is not None:
        fpn = cached["physical_notification"]
        cached["physical_notification"] = fpn[fpn["notification"] == "FPN"].reset_index(drop=True)
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
        frames[table] = query_frame(
            conn, f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {order}"
        )
    return run.settlement_date, periods, frames


def case_frames(case: dict) -> Frames:
    """The frames of a validated case document (FPN only among the notifications)."""
    bm_rows, run_rows = case_to_rows(case)
    frames: Frames = {}
    for table, columns in COLUMNS.items():
        rows = {**bm_rows, **run_rows}.get(table, [])
        frame = pd.DataFrame(rows, columns=columns)
        if table == "physical_notification":
            frame = frame[frame["notification"] == "FPN"]
        if table in ORDER:
            frame = frame.sort_values(ORDER[table], kind="stable")
        frames[table] = frame.reset_index(drop=True)
    return frames


def clip_to_window(frame: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """Cut segments to [start, end] by interpolation; drop those wholly outside."""
    keep = (frame["time_to"] >= start) & (frame["time_from"] <= end)
    frame = frame[keep].copy()
    t0 = frame["time_from"].to_numpy(dtype=np.int64)
    t1 = frame["time_to"].to_numpy(dtype=np.int64)
    l0 = frame["level_from"].to_numpy(dtype=float)
    l1 = frame["level_to"].to_numpy(dtype=float)
    span = np.where(t1 > t0, t1 - t0, 1)
    new_t0 = np.clip(t0, start, end)
    new_t1 = np.clip(t1, start, end)
    frame["level_from"] = l0 + (l1 - l0) * (new_t0 - t0) / span
    frame["level_to"] = l0 + (l1 - l0) * (new_t1 - t0) / span
    frame["time_from"] = new_t0
    frame["time_to"] = new_t1
    return frame


def _codes(index: pd.Index, values: pd.Series, what: str) -> np.ndarray:
    codes = index.get_indexer(values)
    if (codes < 0).any():
        missing = values[codes < 0].iloc[0]
        raise EngineInputError(
            f"{what} {missing} is not in the run's {'parties' if 'party' in what else 'BM units'}"
        )
    return codes


def _segments(owner, frame: pd.DataFrame) -> Segments:
    return Segments.of(
        owner, frame["time_from"], frame["level_from"], frame["time_to"], frame["level_to"]
    )


def bm_inputs_from_frames(settlement_date: date, frames: Frames) -> BmInputs:
    start = int(local_midnight_utc(settlement_date).timestamp())
    end = start + PERIOD_SECONDS * periods_in_day(settlement_date)
    units = pd.Index(frames["run_bm_unit"]["bm_unit_id"])
    fpn = clip_to_window(frames["physical_notification"], start, end)
    bod = frames["bid_offer"]
    levels = clip_to_window(frames["acceptance_level"], start, end)
    boa = frames["acceptance"]
    # Acceptances wholly outside the day have no levels left: they are not this day's.
    boa = boa.merge(levels[["bm_unit_id", "number"]].drop_duplicates(), on=["bm_unit_id", "number"])
    # Rows are sorted, so each pair's band segments are together: a pair starts where
    # (unit, period, pair) changes. Compared as integers: hashing the unit ids of a GB day's
    # half a million rows took a fifth of loading a run.
    band_unit = _codes(units, bod["bm_unit_id"], "BM unit")
    key = np.column_stack([band_unit, bod["period"].to_numpy(), bod["pair"].to_numpy()])
    first = np.r_[True, (key[1:] != key[:-1]).any(axis=1)] if len(key) else np.zeros(0, bool)
    pairs = bod[first]
    pair_row = np.cumsum(first) - 1
    acceptance_row = pd.MultiIndex.from_frame(boa[["bm_unit_id", "number"]]).get_indexer(
        pd.MultiIndex.from_frame(levels[["bm_unit_id", "number"]])
    )
    return BmInputs(
        settlement_date=settlement_date,
        bm_units=tuple(units),
        fpn=_segments(_codes(units, fpn["bm_unit_id"], "BM unit"), fpn),
        pairs=PairTable.of(
            band_unit[first],
            pairs["period"],
            pairs["pair"],
            pairs["offer_price"],
            pairs["bid_price"],
        ),
        bands=_segments(pair_row, bod),
        acceptances=AcceptanceTable.of(
            _codes(units, boa["bm_unit_id"], "BM unit"),
            boa["number"],
            boa["acceptance_time"],
            boa["so_flag"].astype(bool),
            boa["stor_flag"].astype(bool),
            boa["rr_flag"].astype(bool),
            boa["deemed_flag"].astype(bool),
        ),
        acceptance_levels=_segments(acceptance_row, levels),
    )


def _unit_period_matrix(
    frame: pd.DataFrame, units: pd.Index, periods: int, fill: float
) -> np.ndarray:
    matrix = np.full((len(units), periods), fill)
    if len(frame):
        matrix[_codes(units, frame["bm_unit_id"], "BM unit"), frame["period"].to_numpy() - 1] = (
            frame["mwh"].to_numpy(dtype=float)
        )
    return matrix


def _per_period(frame: pd.DataFrame, column: str, periods: int, fill: float) -> np.ndarray:
    values = np.full(periods, fill)
    if len(frame):
        values[frame["period"].to_numpy() - 1] = frame[column].to_numpy(dtype=float)
    return values


def settlement_inputs_from_frames(
    settlement_date: date, frames: Frames, periods: tuple[int, ...] | None = None
) -> SettlementInputs:
    bm = bm_inputs_from_frames(settlement_date, frames)
    count = periods_in_day(settlement_date)
    units = pd.Index(bm.bm_units)
    parties = pd.Index(frames["run_party"]["party_id"])
    attributes = frames["run_bm_unit"]
    trading_codes = pd.factorize(attributes["trading_unit"])[0]
    unit_attributes = UnitAttributes(
        lead_party=_codes(parties, attributes["lead_party_id"], "lead party"),
        consumption=(attributes["pc_status"] == "C").to_numpy(),
        trading_unit=trading_codes,
        tlf=attributes["tlf"].to_numpy(dtype=float),
        interconnector=attributes["interconnector"].astype(bool).to_numpy(),
    )

    def account(party_column: pd.Series, account_column: pd.Series) -> np.ndarray:
        return _codes(parties, party_column, "party") * 2 + (account_column == "C").to_numpy()

    ecvn = frames["ecvn"]
    mvrn = frames["mvrn"]
    bsad = frames["bsad_action"]
    mid = frames["market_index"]
    mip = np.full(count, np.nan)
    for period, group in mid.groupby("period"):
        mip[int(period) - 1] = r_prc_mip(
            group["price"].to_numpy(float), group["volume"].to_numpy(float)
        )
    lolp = frames["lolp"]
    adjustment = frames["price_adjustment"]
    overrides = dict(
        zip(frames["run_parameter"]["name"], frames["run_parameter"]["value"], strict=True)
    )
    return SettlementInputs(
        bm=bm,
        units=unit_attributes,
        parties=tuple(parties),
        metered=_unit_period_matrix(frames["metered_volume"], units, count, np.nan),
        balancing_services=_unit_period_matrix(
            frames["balancing_services_volume"], units, count, 0.0
        ),
        contracts=ContractVolumes(
            ecvn["period"].to_numpy(dtype=np.int64),
            account(ecvn["from_party_id"], ecvn["from_account"]),
            account(ecvn["to_party_id"], ecvn["to_account"]),
            ecvn["mwh"].to_numpy(dtype=float),
        ),
        reallocations=Reallocations(
            _codes(units, mvrn["bm_unit_id"], "BM unit"),
            account(mvrn["to_party_id"], mvrn["to_account"]),
            mvrn["fixed_mwh"].to_numpy(dtype=float),
            mvrn["percentage"].to_numpy(dtype=float),
        ),
        bsad=BsadActions(
            bsad["period"].to_numpy(dtype=np.int64),
            tuple(bsad["id"]),
            bsad["volume"].to_numpy(dtype=float),
            pd.to_numeric(bsad["cost"], errors="coerce").to_numpy(dtype=float),
            bsad["so_flag"].astype(bool).to_numpy(),
            bsad["stor_flag"].astype(bool).to_numpy(),
        ),
        period_inputs=PeriodPriceInputs(
            mip=mip,
            lolp=_per_period(lolp, "lolp", count, 0.0),
            stor_window=_per_period(lolp, "stor_window", count, 0.0).astype(bool),
            bpa=_per_period(adjustment, "bpa", count, 0.0),
            spa=_per_period(adjustment, "spa", count, 0.0),
        ),
        parameters=parameters_for(settlement_date).with_overrides(overrides),
        periods=tuple(periods) if periods else tuple(range(1, count + 1)),
    )


def load_settlement_inputs(
    conn: Connection, run_id: int, periods: tuple[int, ...] | None = None
) -> SettlementInputs:
    settlement_date, stored, frames = read_run_frames(conn, run_id)
    return settlement_inputs_from_frames(settlement_date, frames, periods or stored)


def load_bm_inputs(conn: Connection, run_id: int) -> BmInputs:
    """The BM data a stored run settles with, as engine inputs."""
    settlement_date, _, frames = read_run_frames(conn, run_id)
    return bm_inputs_from_frames(settlement_date, frames)


def case_settlement_inputs(case: dict) -> SettlementInputs:
    settlement_date = date.fromisoformat(case["settlement_date"])
    periods = tuple(case["periods"]) if case.get("periods") else None
    return settlement_inputs_from_frames(settlement_date, case_frames(case), periods)
