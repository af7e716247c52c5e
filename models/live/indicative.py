"""The indicative prices of a live run: its day settled as its data arrives (issue 23).

A live run holds the BM data Elexon pushes (PN, BOD, BOALF, DISBSAD, MID, …) long before any
metered volume exists. Settling it (engine.settle.settle_day, as `settlement-workbench settle`
does) computes what needs no metering: volumes, CBM, the stack and the imbalance price, with
TLM = 1 + TLF in the stack; the metered quantities are NaN (not available). The results are
stored as the run's engine results (models.runs.results_store: the published prices, origin
``published``, are never touched) in one transaction, so a view or `show` reads them as it
reads any run's. Their price is *indicative*: computed while the day is open and without
metered volumes; Elexon's published prices (DISEBSP), when their message arrives, sit beside
it (`IndicativePeriod.published_*`).

Only the day of the message is settled, the whole day at once (an acceptance's levels reach
into several periods): a day costs some 0.1-0.2 s against a message's few milliseconds, so the
listener's stream (models.live.stream) spaces the settles by their own cost rather than
settling after every message.

A period with data but no acceptance has NIV_j = 0 and takes MIP_j (R-PRC-NIV, R-PRC-MIP); with
no market index data yet it has no price, and `why` says so. A period holding no input at all
has nothing to price and is not reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
from sqlalchemy import Connection, select

from engine.imbalance_price import PRICE_UNAVAILABLE
from engine.period_data import held_in, nothing_to_price, period_inputs_present
from engine.settle import SettlementResult, acceptances_in_periods, settle_day
from engine.settlement_calendar import settlement_periods
from models.db.database import SettlementDatabase
from models.published.prices import read_published_prices
from models.runs.inputs import load_settlement_inputs
from models.runs.results_store import write_results
from models.runs.run_store import RUN

NO_ACCEPTANCE_RULES = "R-PRC-NIV, R-PRC-MIP"  # NIV = 0 → price = MIP_j


@dataclass(frozen=True)
class IndicativePeriod:
    """One period's indicative price as the engine computed it from the live run's data, and
    Elexon's published figures for it once they arrived (None before)."""

    period: int
    ssp: float | None  # £/MWh; None: no price (see why)
    sbp: float | None
    niv: float  # MWh, > 0: the system is short
    price_source: str  # stack, replacement, mip or unavailable
    acceptances: int  # acceptances whose levels reach into the period
    indicative: bool  # computed while the day is open or without metered volumes
    published_ssp: float | None = None
    published_sbp: float | None = None
    published_niv: float | None = None

    @property
    def why(self) -> str:
        """What set the price, by rule id; or why there is none."""
        if self.price_source == PRICE_UNAVAILABLE:
            return "no price: MIP_j is needed and no market index data (MID) arrived (R-PRC-MIP)"
        if self.price_source == "mip":
            reason = "no acceptance, NIV 0" if self.acceptances == 0 else "nothing left after PAR"
            return f"MIP ({reason}: {NO_ACCEPTANCE_RULES})"
        if self.price_source == "replacement":
            return "stack, flagged items at the replacement price (R-PRC-REPL)"
        return "stack (R-PRC-MAIN)"

    def key(self) -> tuple:
        """What a change of is worth telling (the price, NIV, acceptances, published)."""
        return (
            _rounded(self.ssp),
            _rounded(self.niv, 3),
            self.acceptances,
            self.price_source,
            _rounded(self.published_ssp),
        )


@dataclass(frozen=True)
class IndicativeDay:
    """A live run settled: its date, run id and the periods holding some input."""

    run_id: int
    settlement_date: date
    periods: dict[int, IndicativePeriod]
    result: SettlementResult
    published: dict = field(default_factory=dict)  # period -> PublishedPrice

    def open_period(self, now: datetime) -> int | None:
        """The period to mark as open: the one in progress at `now` (naive UTC) when the day
        is under way, else the last period holding data (a day replayed after it ended)."""
        for period in settlement_periods(self.settlement_date):
            start, end = period.start_utc.replace(tzinfo=None), period.end_utc.replace(tzinfo=None)
            if start <= now < end:
                return period.period
        return max(self.periods) if self.periods else None


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)


def _number(value) -> float | None:
    return None if value is None or math.isnan(float(value)) else float(value)


def settle_live_run(db: SettlementDatabase, run_id: int) -> IndicativeDay:
    """Settle the run's day and store its results, in one transaction; its periods that hold
    some input, with their indicative price and the published one where it arrived."""
    with db.engine.begin() as conn:
        return settle_in(conn, run_id)


def settle_in(conn: Connection, run_id: int) -> IndicativeDay:
    """settle_live_run in the caller's transaction (closing a live run settles it in its own:
    models.live.live_run.close_live_run)."""
    inputs = load_settlement_inputs(conn, run_id)
    result = settle_day(inputs)
    write_results(conn, run_id, result)
    is_open, settlement_date = _run_state(conn, run_id)
    published = read_published_prices(conn, run_id)
    periods = _periods(result, published, is_open)
    return IndicativeDay(run_id, settlement_date, periods, result, published)


def _run_state(conn: Connection, run_id: int) -> tuple[bool, date]:
    row = conn.execute(select(RUN.c.status, RUN.c.settlement_date).where(RUN.c.id == run_id)).one()
    return row.status == "loading", row.settlement_date


def _periods(
    result: SettlementResult, published: dict, is_open: bool
) -> dict[int, IndicativePeriod]:
    bm = result.inputs.bm
    present = period_inputs_present(result.inputs, result.items)
    prices = result.prices
    out = {}
    for j in result.settled_periods:
        if nothing_to_price(held_in(present, j)):
            continue
        index = j - 1
        mask = np.zeros(bm.periods, dtype=bool)
        mask[index] = True
        found = published.get(j)
        out[j] = IndicativePeriod(
            period=j,
            ssp=_number(prices.ssp[index]),
            sbp=_number(prices.sbp[index]),
            niv=float(prices.niv[index]) if not math.isnan(prices.niv[index]) else 0.0,
            price_source=str(prices.price_source[index] or PRICE_UNAVAILABLE),
            acceptances=int(acceptances_in_periods(bm, mask).sum()),
            indicative=is_open or not bool(result.metered_available[index]),
            published_ssp=None if found is None else _number(found.ssp),
            published_sbp=None if found is None else _number(found.sbp),
            published_niv=None if found is None else _number(found.niv),
        )
    return out


def period_line(day: date, period: IndicativePeriod) -> str:
    """One line telling a period's indicative price, e.g. `2022-01-01 P17 indicative SSP
    £61.20/MWh NIV +120.5 MWh (3 acceptances; stack (R-PRC-MAIN))`."""
    label = "indicative" if period.indicative else "settled"
    price = "no price" if period.ssp is None else f"SSP £{period.ssp:,.2f}/MWh"
    plural = "" if period.acceptances == 1 else "s"
    line = (
        f"{day.isoformat()} P{period.period:02d} {label} {price} NIV {period.niv:+,.1f} MWh "
        f"({period.acceptances} acceptance{plural}; {period.why})"
    )
    if period.published_ssp is not None:
        line += f"; published SSP £{period.published_ssp:,.2f}/MWh"
    return line
