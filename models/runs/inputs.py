"""Stored runs and case files → engine inputs, column-wise (no Python loop over rows).

Both go through the same tables (one per input table, columns as in the schema: numpy arrays,
see models.core.table; a scenario's edited pandas frames are read the same way), so a case file
and the run it was imported as settle identically. Numpy only: this is the launch path.

BM data segments that cross the settlement day's edges (BOALF records running past midnight)
are cut at the edge by linear interpolation; segments wholly outside the day are left out.
"""

from __future__ import annotations

from datetime import date

import numpy as np
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
from models.core.period_list import decode_periods
from models.core.table import (
    Table,
    codes_in,
    factorize,
    sort_rows,
    table_from_records,
    table_of,
    take,
)
from models.db.schema import SettlementRun
from models.runs.case_store import case_to_rows
from models.runs.run_frames import COLUMNS, ORDER, RUN_ROW, RunTables, read_stored_frames
from models.runs.scenarios.store import scenario_frames


def read_run_frames(
    conn: Connection, run_id: int
) -> tuple[date, tuple[int, ...] | None, RunTables]:
    """(settlement date, stored period subset, tables) of a stored run; a scenario's are its base
    run's tables with its active edits applied (pandas frames)."""
    run = conn.execute(select(*RUN_ROW).where(SettlementRun.id == run_id)).first()
    if run is None or run.kind != "scenario":
        return read_stored_frames(conn, run_id, run)  # which names a missing run
    periods = decode_periods(run.periods)
    return run.settlement_date, periods, scenario_frames(conn, run_id)


def case_frames(case: dict) -> dict[str, Table]:
    """The tables of a validated case document (FPN only among the notifications)."""
    bm_rows, run_rows = case_to_rows(case)
    rows = {**bm_rows, **run_rows}
    frames = {}
    for table, columns in COLUMNS.items():
        frame = table_from_records(rows.get(table, []), columns)
        if table == "physical_notification":
            frame = take(frame, frame["notification"] == "FPN")
        if table in ORDER:
            frame = sort_rows(frame, ORDER[table])
        frames[table] = frame
    return frames


def _table(frames: RunTables, name: str) -> Table:
    return table_of(frames[name], COLUMNS[name])


def clip_to_window(frame: Table, start: int, end: int) -> Table:
    """Cut segments to [start, end] by interpolation; drop those wholly outside."""
    t0 = np.asarray(frame["time_from"], dtype=np.int64)
    t1 = np.asarray(frame["time_to"], dtype=np.int64)
    keep = (t1 >= start) & (t0 <= end)
    frame = take(frame, keep)
    t0, t1 = t0[keep], t1[keep]
    l0 = np.asarray(frame["level_from"], dtype=float)
    l1 = np.asarray(frame["level_to"], dtype=float)
    span = np.where(t1 > t0, t1 - t0, 1)
    new_t0 = np.clip(t0, start, end)
    new_t1 = np.clip(t1, start, end)
    frame["level_from"] = l0 + (l1 - l0) * (new_t0 - t0) / span
    frame["level_to"] = l0 + (l1 - l0) * (new_t1 - t0) / span
    frame["time_from"] = new_t0
    frame["time_to"] = new_t1
    return frame


def _codes(lookup: dict, values: np.ndarray, what: str) -> np.ndarray:
    """Each value's index in `lookup`; an unknown value is an error naming it."""
    codes = codes_in(lookup, values)
    if (codes < 0).any():
        missing = values[codes < 0][0]
        raise EngineInputError(
            f"{what} {missing} is not in the run's {'parties' if 'party' in what else 'BM units'}"
        )
    return codes


def _index(values) -> dict:
    return {value: i for i, value in enumerate(values)}


def _segments(owner, frame: Table) -> Segments:
    return Segments.of(
        owner, frame["time_from"], frame["level_from"], frame["time_to"], frame["level_to"]
    )


def _acceptances_of_the_day(
    boa: Table, levels: Table, unit_index: dict
) -> tuple[Table, np.ndarray]:
    """(the acceptances with levels in the day, each level's row among them or −1).

    Acceptances wholly outside the day have no levels left: they are not this day's. A unit
    and an acceptance number make one integer key; units outside the run (an error later if
    kept) get codes of their own, so that only the same unit matches."""
    boa_units = codes_in(unit_index, boa["bm_unit_id"])
    level_units = codes_in(unit_index, levels["bm_unit_id"])
    if (boa_units < 0).any() or (level_units < 0).any():
        known = dict(unit_index)
        for unit in (*boa["bm_unit_id"][boa_units < 0], *levels["bm_unit_id"][level_units < 0]):
            known.setdefault(unit, len(known))
        boa_units = codes_in(known, boa["bm_unit_id"])
        level_units = codes_in(known, levels["bm_unit_id"])
    boa_numbers = np.asarray(boa["number"], dtype=np.int64)
    level_numbers = np.asarray(levels["number"], dtype=np.int64)
    numbers = np.concatenate([boa_numbers, level_numbers])
    low = int(numbers.min()) if len(numbers) else 0
    span = int(numbers.max()) - low + 1 if len(numbers) else 1
    boa_keys = boa_units * span + (boa_numbers - low)
    level_keys = level_units * span + (level_numbers - low)
    in_day = np.isin(boa_keys, level_keys)
    boa_keys = boa_keys[in_day]
    order = np.argsort(boa_keys, kind="stable")
    if not len(order):
        return take(boa, in_day), np.full(len(level_keys), -1, dtype=np.int64)
    found = np.searchsorted(boa_keys[order], level_keys).clip(max=len(order) - 1)
    row = np.where(boa_keys[order][found] == level_keys, order[found], -1)
    return take(boa, in_day), row


def bm_inputs_from_frames(settlement_date: date, frames: RunTables) -> BmInputs:
    start = int(local_midnight_utc(settlement_date).timestamp())
    end = start + PERIOD_SECONDS * periods_in_day(settlement_date)
    units = tuple(_table(frames, "run_bm_unit")["bm_unit_id"].tolist())
    unit_index = _index(units)
    fpn = clip_to_window(_table(frames, "physical_notification"), start, end)
    bod = _table(frames, "bid_offer")
    levels = clip_to_window(_table(frames, "acceptance_level"), start, end)
    boa = _table(frames, "acceptance")
    boa, acceptance_row = _acceptances_of_the_day(boa, levels, unit_index)
    # Rows are sorted, so each pair's band segments are together: a pair starts where
    # (unit, period, pair) changes. Compared as integers: hashing the unit ids of a GB day's
    # half a million rows took a fifth of loading a run.
    band_unit = _codes(unit_index, bod["bm_unit_id"], "BM unit")
    key = np.column_stack([band_unit, bod["period"], bod["pair"]]).astype(np.int64)
    first = np.r_[True, (key[1:] != key[:-1]).any(axis=1)] if len(key) else np.zeros(0, bool)
    pairs = take(bod, first)
    pair_row = np.cumsum(first) - 1
    return BmInputs(
        settlement_date=settlement_date,
        bm_units=units,
        fpn=_segments(_codes(unit_index, fpn["bm_unit_id"], "BM unit"), fpn),
        pairs=PairTable.of(
            band_unit[first],
            pairs["period"],
            pairs["pair"],
            pairs["offer_price"],
            pairs["bid_price"],
        ),
        bands=_segments(pair_row, bod),
        acceptances=AcceptanceTable.of(
            _codes(unit_index, boa["bm_unit_id"], "BM unit"),
            boa["number"],
            boa["acceptance_time"],
            boa["so_flag"].astype(bool),
            boa["stor_flag"].astype(bool),
            boa["rr_flag"].astype(bool),
            boa["deemed_flag"].astype(bool),
        ),
        acceptance_levels=_segments(acceptance_row, levels),
    )


def _unit_period_matrix(frame: Table, units: dict, periods: int, fill: float) -> np.ndarray:
    matrix = np.full((len(units), periods), fill)
    if len(frame["period"]):
        rows = _codes(units, frame["bm_unit_id"], "BM unit")
        matrix[rows, np.asarray(frame["period"], dtype=np.int64) - 1] = _floats(frame["mwh"])
    return matrix


def _per_period(frame: Table, column: str, periods: int, fill: float) -> np.ndarray:
    values = np.full(periods, fill)
    if len(frame["period"]):
        values[np.asarray(frame["period"], dtype=np.int64) - 1] = _floats(frame[column])
    return values


def _floats(values: np.ndarray) -> np.ndarray:
    """Numbers as float64, NULL (None) as NaN."""
    if values.dtype.kind in "biuf":
        return values.astype(float)
    return np.array([np.nan if v is None else float(v) for v in values.tolist()], dtype=float)


def settlement_inputs_from_frames(
    settlement_date: date, frames: RunTables, periods: tuple[int, ...] | None = None
) -> SettlementInputs:
    bm = bm_inputs_from_frames(settlement_date, frames)
    count = periods_in_day(settlement_date)
    units = _index(bm.bm_units)
    party_ids = tuple(_table(frames, "run_party")["party_id"].tolist())
    parties = _index(party_ids)
    attributes = _table(frames, "run_bm_unit")
    unit_attributes = UnitAttributes(
        lead_party=_codes(parties, attributes["lead_party_id"], "lead party"),
        consumption=attributes["pc_status"] == "C",
        trading_unit=factorize(attributes["trading_unit"])[0],
        tlf=_floats(attributes["tlf"]),
        interconnector=attributes["interconnector"].astype(bool),
    )

    def account(party_column: np.ndarray, account_column: np.ndarray) -> np.ndarray:
        return _codes(parties, party_column, "party") * 2 + (account_column == "C")

    ecvn = _table(frames, "ecvn")
    mvrn = _table(frames, "mvrn")
    bsad = _table(frames, "bsad_action")
    mid = _table(frames, "market_index")
    mip = np.full(count, np.nan)
    mid_period = _floats(mid["period"])
    for period in np.unique(mid_period[~np.isnan(mid_period)]):
        rows = mid_period == period
        mip[int(period) - 1] = r_prc_mip(_floats(mid["price"][rows]), _floats(mid["volume"][rows]))
    lolp = _table(frames, "lolp")
    adjustment = _table(frames, "price_adjustment")
    parameter = _table(frames, "run_parameter")
    overrides = dict(zip(parameter["name"].tolist(), parameter["value"].tolist(), strict=True))
    return SettlementInputs(
        bm=bm,
        units=unit_attributes,
        parties=party_ids,
        metered=_unit_period_matrix(_table(frames, "metered_volume"), units, count, np.nan),
        balancing_services=_unit_period_matrix(
            _table(frames, "balancing_services_volume"), units, count, 0.0
        ),
        contracts=ContractVolumes(
            np.asarray(ecvn["period"], dtype=np.int64),
            account(ecvn["from_party_id"], ecvn["from_account"]),
            account(ecvn["to_party_id"], ecvn["to_account"]),
            _floats(ecvn["mwh"]),
        ),
        reallocations=Reallocations(
            _codes(units, mvrn["bm_unit_id"], "BM unit"),
            account(mvrn["to_party_id"], mvrn["to_account"]),
            _floats(mvrn["fixed_mwh"]),
            _floats(mvrn["percentage"]),
        ),
        bsad=BsadActions(
            np.asarray(bsad["period"], dtype=np.int64),
            tuple(bsad["id"].tolist()),
            _floats(bsad["volume"]),
            _floats(bsad["cost"]),
            bsad["so_flag"].astype(bool),
            bsad["stor_flag"].astype(bool),
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
