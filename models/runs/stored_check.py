"""The engine's results of a run against the results stored with it: what differs, and where.

A run's stored engine results were written when it was last settled (perhaps by an earlier
version of the engine, or with other assumed rules). Re-settling it in the workbench must give
the same numbers; where it does not, the analyst needs to see which parties, charges, periods
and BM units moved. Compared: per party CBM, CND, CAEI, RCRC and net; per period SSP, SBP and
NIV; per BM unit its CBM and CND over the stored periods. Tolerances are half the last digit
shown: half a penny, half a penny per MWh, half a kWh.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, func, select

from engine.settle import SettlementResult
from models.db.schema import BmUnitPeriodResult, PartyResult, SystemPriceResult

MONEY_TOLERANCE = 0.005  # £
PRICE_TOLERANCE = 0.005  # £/MWh
VOLUME_TOLERANCE = 0.0005  # MWh
PARTY_CHARGES = ("cbm", "cnd", "caei", "rcrc", "net")
PERIOD_VALUES = ("ssp", "sbp", "niv")


@dataclass(frozen=True)
class StoredResults:
    """The stored engine results of a run that the workbench compares (all NaN-filled floats)."""

    parties: dict[str, tuple[float, ...]]  # party → CBM, CND, CAEI, RCRC, net
    periods: dict[int, tuple[float, float, float]]  # period → SSP, SBP, NIV
    units: dict[str, tuple[float, float]]  # BM unit → Σ CBM, Σ CND over the stored periods

    @property
    def settled(self) -> bool:
        return bool(self.periods)


@dataclass(frozen=True)
class StoredDifferences:
    """Engine against stored, in the result's order of parties, settled periods and units.

    Each array holds the stored values (NaN where nothing was stored) and a boolean mask of
    the values that differ. Values that were not stored never count as differing.
    """

    settled: bool
    party_engine: np.ndarray  # (parties, 5): CBM, CND, CAEI, RCRC, net
    party_stored: np.ndarray  # (parties, 5)
    party_differs: np.ndarray  # (parties, 5) bool
    periods: np.ndarray  # the settled periods compared
    period_engine: np.ndarray  # (periods, 3): SSP, SBP, NIV
    period_stored: np.ndarray  # (periods, 3)
    period_differs: np.ndarray  # (periods, 3) bool
    unit_engine: np.ndarray  # (units, 2): Σ CBM, Σ CND over the stored periods
    unit_stored: np.ndarray  # (units, 2)
    unit_differs: np.ndarray  # (units, 2) bool

    @property
    def parties_differing(self) -> np.ndarray:
        return self.party_differs.any(axis=1)

    @property
    def periods_differing(self) -> np.ndarray:
        return self.period_differs.any(axis=1)

    @property
    def units_differing(self) -> np.ndarray:
        return self.unit_differs.any(axis=1)

    def summary(self) -> str:
        """One line for the status bar: nothing stored, all agree, or what differs."""
        if not self.settled:
            return "no stored results to check against (settle to store them)"
        counts = [
            (int(self.parties_differing.sum()), "party", "parties"),
            (int(self.periods_differing.sum()), "period", "periods"),
            (int(self.units_differing.sum()), "BM unit", "BM units"),
        ]
        moved = [f"{n:,} {one if n == 1 else many}" for n, one, many in counts if n]
        if not moved:
            return "engine agrees with the stored results"
        return "engine differs from the stored results: " + ", ".join(moved) + " (highlighted)"


def read_stored_results(conn: Connection, run_id: int) -> StoredResults:
    party = PartyResult
    parties = {
        row[0]: tuple(_float(v) for v in row[1:])
        for row in conn.execute(
            select(party.party_id, party.cbm, party.cnd, party.caei, party.rcrc, party.net).where(
                party.run_id == run_id
            )
        )
    }
    price = SystemPriceResult
    periods = {
        row[0]: (_float(row[1]), _float(row[2]), _float(row[3]))
        for row in conn.execute(
            select(price.period, price.ssp, price.sbp, price.niv).where(
                price.run_id == run_id, price.origin == "engine"
            )
        )
    }
    unit = BmUnitPeriodResult
    # The primary key starts (run_id, bm_unit_id): a range scan already in unit order.
    units = {
        row[0]: (_float(row[1]), _float(row[2]))
        for row in conn.execute(
            select(unit.bm_unit_id, func.sum(unit.cbm), func.sum(unit.cnd))
            .where(unit.run_id == run_id)
            .group_by(unit.bm_unit_id)
        )
    }
    return StoredResults(parties, periods, units)


def compare_with_stored(result: SettlementResult, stored: StoredResults) -> StoredDifferences:
    inputs = result.inputs
    totals = result.parties
    party_engine = np.column_stack([getattr(totals, c) for c in PARTY_CHARGES])
    party_stored = np.array(
        [stored.parties.get(p, (np.nan,) * 5) for p in inputs.parties], dtype=float
    ).reshape(len(inputs.parties), 5)
    periods = np.asarray(inputs.periods, dtype=int)
    k = periods - 1
    prices = result.prices
    period_engine = np.column_stack([prices.ssp[k], prices.sbp[k], prices.niv[k]])
    period_stored = np.array(
        [stored.periods.get(int(p), (np.nan,) * 3) for p in periods], dtype=float
    ).reshape(len(periods), 3)
    # Units: the engine's totals over the periods that were stored, so a run stored for some
    # periods only is compared like with like.
    settled = set(periods.tolist())
    stored_k = np.array([p - 1 for p in stored.periods if p in settled], dtype=int)
    unit_engine = np.column_stack(
        [
            _sql_sum(result.bm.cashflows.cbm[:, stored_k]),
            _sql_sum(result.non_delivery.cnd[:, stored_k]),
        ]
    )
    unit_stored = np.array(
        [stored.units.get(u, (np.nan, np.nan)) for u in inputs.bm.bm_units], dtype=float
    ).reshape(len(inputs.bm.bm_units), 2)
    price_tolerance = np.array([PRICE_TOLERANCE, PRICE_TOLERANCE, VOLUME_TOLERANCE])
    return StoredDifferences(
        settled=stored.settled,
        party_engine=party_engine,
        party_stored=party_stored,
        party_differs=_differs(party_engine, party_stored, MONEY_TOLERANCE),
        periods=periods,
        period_engine=period_engine,
        period_stored=period_stored,
        period_differs=_differs(period_engine, period_stored, price_tolerance),
        unit_engine=unit_engine,
        unit_stored=unit_stored,
        unit_differs=_differs(unit_engine, unit_stored, MONEY_TOLERANCE),
    )


def _differs(engine: np.ndarray, stored: np.ndarray, tolerance) -> np.ndarray:
    """Stored and differing by more than the tolerance; an engine NaN against a stored
    number (or the reverse, where something was stored) differs too."""
    both_nan = np.isnan(engine) & np.isnan(stored)
    close = np.abs(engine - stored) <= tolerance
    # A row with nothing stored at all (a party or unit new to this run) is not compared.
    row_stored = ~np.isnan(stored).all(axis=1, keepdims=True)
    return row_stored & ~both_nan & ~close


def _sql_sum(values: np.ndarray) -> np.ndarray:
    """Row sums as SQL's SUM makes them: NaN (NULL) skipped, NaN when every value is NaN."""
    return np.where(np.isnan(values).all(axis=1), np.nan, np.nansum(values, axis=1))


def _float(value) -> float:
    return np.nan if value is None else float(value)
