"""Stored runs → engine inputs, column-wise (no Python loop over rows).

BM data segments that cross the settlement day's edges (BOALF records running past midnight)
are cut at the edge by linear interpolation; segments wholly outside the day are left out, so
the engine sees exactly the day it settles.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from engine.bm_inputs import AcceptanceTable, BmInputs, PairTable, Segments
from engine.settlement_calendar import PERIOD_SECONDS, local_midnight_utc, periods_in_day
from models.errors import RunNotFoundError
from models.schema import (
    Acceptance,
    AcceptanceSegment,
    BidOfferSegment,
    PhysicalNotificationSegment,
    RunBmUnit,
    SettlementRun,
)


def _frame(conn: Connection, query) -> pd.DataFrame:
    """Rows as plain tuples from the DB-API cursor: building Row objects costs seconds here."""
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(str(compiled))
        columns = [d[0] for d in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=columns)
    finally:
        cursor.close()


def clip_to_window(frame: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """Cut segments to [start, end] by interpolation; drop those wholly outside."""
    keep = (frame["time_to"] >= start) & (frame["time_from"] <= end)
    frame = frame[keep].copy()
    t0 = frame["time_from"].to_numpy()
    t1 = frame["time_to"].to_numpy()
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


def load_bm_inputs(conn: Connection, run_id: int) -> BmInputs:
    """The BM data a stored run settles with, as engine inputs."""
    run = conn.execute(
        select(SettlementRun.settlement_date, SettlementRun.bm_dataset_id).where(
            SettlementRun.id == run_id
        )
    ).first()
    if run is None:
        raise RunNotFoundError(f"run {run_id} does not exist")
    settlement_date: date = run.settlement_date
    dataset = run.bm_dataset_id
    start = int(local_midnight_utc(settlement_date).timestamp())
    end = start + PERIOD_SECONDS * periods_in_day(settlement_date)

    pn = PhysicalNotificationSegment
    fpn = _frame(
        conn,
        select(pn.bm_unit_id, pn.time_from, pn.level_from, pn.time_to, pn.level_to)
        .where(pn.dataset_id == dataset, pn.notification == "FPN")
        .order_by(pn.bm_unit_id, pn.profile, pn.seq),
    )
    bo = BidOfferSegment
    bod = _frame(
        conn,
        select(
            bo.bm_unit_id,
            bo.period,
            bo.pair,
            bo.time_from,
            bo.level_from,
            bo.time_to,
            bo.level_to,
            bo.offer_price,
            bo.bid_price,
        )
        .where(bo.dataset_id == dataset)
        .order_by(bo.bm_unit_id, bo.period, bo.pair, bo.seq),
    )
    boa = _frame(
        conn,
        select(
            Acceptance.bm_unit_id,
            Acceptance.number,
            Acceptance.acceptance_time,
            Acceptance.so_flag,
            Acceptance.stor_flag,
            Acceptance.rr_flag,
            Acceptance.deemed_flag,
        )
        .where(Acceptance.dataset_id == dataset)
        .order_by(Acceptance.bm_unit_id, Acceptance.number),
    )
    al = AcceptanceSegment
    levels = _frame(
        conn,
        select(al.bm_unit_id, al.number, al.time_from, al.level_from, al.time_to, al.level_to)
        .where(al.dataset_id == dataset)
        .order_by(al.bm_unit_id, al.number, al.seq),
    )
    registered = conn.execute(
        select(RunBmUnit.bm_unit_id).where(RunBmUnit.run_id == run_id)
    ).scalars()
    units = sorted(
        set(registered) | set(fpn["bm_unit_id"]) | set(bod["bm_unit_id"]) | set(boa["bm_unit_id"])
    )
    unit_index = pd.Index(units)

    fpn = clip_to_window(fpn, start, end)
    levels = clip_to_window(levels, start, end)
    # Acceptances wholly outside the day have no levels left: they are not this day's.
    boa = boa.merge(levels[["bm_unit_id", "number"]].drop_duplicates(), on=["bm_unit_id", "number"])

    pair_keys = bod[["bm_unit_id", "period", "pair"]]
    first = ~pair_keys.duplicated()
    pairs = bod[first]
    pair_row = first.cumsum().to_numpy() - 1  # rows are sorted, so each pair's rows are together
    acceptance_row = pd.MultiIndex.from_frame(boa[["bm_unit_id", "number"]]).get_indexer(
        pd.MultiIndex.from_frame(levels[["bm_unit_id", "number"]])
    )
    return BmInputs(
        settlement_date=settlement_date,
        bm_units=tuple(units),
        fpn=Segments.of(
            unit_index.get_indexer(fpn["bm_unit_id"]),
            fpn["time_from"],
            fpn["level_from"],
            fpn["time_to"],
            fpn["level_to"],
        ),
        pairs=PairTable.of(
            unit_index.get_indexer(pairs["bm_unit_id"]),
            pairs["period"],
            pairs["pair"],
            pairs["offer_price"],
            pairs["bid_price"],
        ),
        bands=Segments.of(
            pair_row, bod["time_from"], bod["level_from"], bod["time_to"], bod["level_to"]
        ),
        acceptances=AcceptanceTable.of(
            unit_index.get_indexer(boa["bm_unit_id"]),
            boa["number"],
            boa["acceptance_time"],
            boa["so_flag"],
            boa["stor_flag"],
            boa["rr_flag"],
            boa["deemed_flag"],
        ),
        acceptance_levels=Segments.of(
            acceptance_row,
            levels["time_from"],
            levels["level_from"],
            levels["time_to"],
            levels["level_to"],
        ),
    )
