"""Which compared cells a known gap of the day changes (rulebook §15, engine/known_gaps.py).

A reconciliation difference in such a cell is explained by the gap (the SAA models what the
engine leaves out there), so it is listed as "known gap GAP-…" and not counted as an
unexplained difference. The cells follow the step traces (engine/settlement_trace.py), so
the inspector names the same gap on the same number:

- GAP-P376-BASELINING: QME, QII, QNDO, QNDB and CND of a BM unit that may be baselined
  (gap_ids_for_unit), so its lead party's CND and the system's total CND, every period.
- GAP-P415-VIRTUAL-TRADING and GAP-VLP-VIRTUAL-ACCOUNTS: QCE, QAEI, CAEI, RCRP and RCRC of an
  account leading secondary (both) or supplier 2__ units (P415 only; compensation_gap_ids),
  so its party's CAEI and RCRC, every period.
- GAP-NETSO-ENERGY-ACCOUNTS: the NETSO's imbalance comes from its BSAD actions, so only in a
  period with a BSAD action: TRC and every account's and party's RCRC.
- GAP-RR-CASHFLOWS: a BM unit in a period its RR-flagged acceptances reach (left out of its
  bid-offer volumes, R-PROF-RR): its pairs' QAB, QAO, CB, CO, its QME, QII, QNDO, QNDB, CND,
  its lead party's CBM and CND, its lead account's QABS, QAEI, CAEI and RCRC, and the
  period's system totals of accepted volumes, CBM, CND, CAEI and QAEI.

Cells a gap does not reach stay unexplained: a gap never hides a difference elsewhere.
"""

from __future__ import annotations

import numpy as np

from engine.known_gaps import (
    KNOWN_GAPS,
    NETSO_ENERGY_ACCOUNTS,
    P376_BASELINING,
    P415_VIRTUAL_TRADING,
    RR_CASHFLOWS,
    VLP_VIRTUAL_ACCOUNTS,
    is_supplier_id,
    may_be_baselined,
)
from engine.settle import SettlementResult, acceptances_in_periods

UNIT_ND = ("qme", "qii", "qndo", "qndb", "cnd")
ACCOUNT_COMPENSATED = ("qce", "qaei", "caei", "rcrp", "rcrc")
RR_SYSTEM = (
    "total_accepted_bid_volume",
    "total_accepted_offer_volume",
    "total_cbm",
    "total_cnd",
    "total_caei",
    "total_qaei",
)

GapCells = dict[tuple[str, str], list[tuple[str, np.ndarray]]]


def gap_cells(result: SettlementResult) -> GapCells:
    """(level, field) → [(gap id, mask of the level's engine cells)] for the day's gaps.

    Masks have the shape of the engine arrays models/reconcile/s0142.py compares: party
    (parties, periods), account (2 × parties, periods), bm_unit (units, periods), pair
    (pair rows,), system (periods,).
    """
    uses = {u.id for u in result.known_gaps}
    inputs = result.inputs
    names = [str(u) for u in inputs.bm.bm_units]
    n_p, n_u, n_j = len(inputs.parties), len(names), len(inputs.periods)
    lead_party = np.asarray(inputs.units.lead_party, dtype=np.int64)
    lead_account = np.asarray(inputs.units.lead_account, dtype=np.int64)
    led = lead_party >= 0  # an unregistered unit has no lead party
    out: GapCells = {}

    def add(level: str, fields, gap: str, mask: np.ndarray) -> None:
        if mask.any():
            for name in fields:
                out.setdefault((level, name), []).append((gap, mask))

    def parties_of(unit_rows: np.ndarray) -> np.ndarray:  # (units, periods) → (parties, periods)
        mask = np.zeros((n_p, n_j), dtype=bool)
        rows, cols = np.nonzero(unit_rows & led[:, None])
        mask[lead_party[rows], cols] = True
        return mask

    def accounts_of(unit_rows: np.ndarray) -> np.ndarray:
        mask = np.zeros((2 * n_p, n_j), dtype=bool)
        rows, cols = np.nonzero(unit_rows & led[:, None])
        mask[lead_account[rows], cols] = True
        return mask

    if P376_BASELINING in uses:
        baselined = np.array([may_be_baselined(u) for u in names], dtype=bool)
        units = np.repeat(baselined[:, None], n_j, axis=1)
        add("bm_unit", UNIT_ND, P376_BASELINING, units)
        add("party", ("cnd",), P376_BASELINING, parties_of(units))
        add("system", ("total_cnd",), P376_BASELINING, np.full(n_j, units.any()))

    secondary = np.asarray(result.losses.secondary, dtype=bool)
    supplier = np.array([is_supplier_id(u) for u in names], dtype=bool)
    compensated = ((P415_VIRTUAL_TRADING, secondary | supplier), (VLP_VIRTUAL_ACCOUNTS, secondary))
    for gap, leads in compensated:
        if gap in uses:
            accounts = accounts_of(np.repeat(leads[:, None], n_j, axis=1))
            add("account", ACCOUNT_COMPENSATED, gap, accounts)
            add("party", ("caei", "rcrc"), gap, accounts.reshape(n_p, 2, n_j).any(axis=1))

    if NETSO_ENERGY_ACCOUNTS in uses:
        periods = np.isin(np.asarray(inputs.periods), np.asarray(inputs.bsad.period))
        add("account", ("rcrc",), NETSO_ENERGY_ACCOUNTS, np.tile(periods, (2 * n_p, 1)))
        add("party", ("rcrc",), NETSO_ENERGY_ACCOUNTS, np.tile(periods, (n_p, 1)))
        add("system", ("total_residual_cashflow",), NETSO_ENERGY_ACCOUNTS, periods)

    if RR_CASHFLOWS in uses:
        units = _rr_unit_periods(result, n_u, n_j)
        pairs = inputs.bm.pairs
        j = np.searchsorted(np.asarray(inputs.periods), pairs.period)
        in_day = j < n_j
        pair_mask = np.zeros(len(pairs.period), dtype=bool)
        pair_mask[in_day] = units[pairs.unit[in_day], j[in_day]]
        add("pair", ("qab", "qao", "cb", "co"), RR_CASHFLOWS, pair_mask)
        add("bm_unit", UNIT_ND, RR_CASHFLOWS, units)
        add("party", ("cbm", "cnd"), RR_CASHFLOWS, parties_of(units))
        add("account", ("qabs", "qaei", "caei", "rcrc"), RR_CASHFLOWS, accounts_of(units))
        add("system", RR_SYSTEM, RR_CASHFLOWS, units.any(axis=0))
    order = list(KNOWN_GAPS)  # a cell's gaps named in rulebook order, as the day lists them
    return {cell: sorted(found, key=lambda g: order.index(g[0])) for cell, found in out.items()}


def _rr_unit_periods(result: SettlementResult, n_u: int, n_j: int) -> np.ndarray:
    """(units, periods): True where a unit's RR-flagged acceptance reaches the period."""
    bm = result.inputs.bm
    flagged = np.flatnonzero(bm.acceptances.rr_flag)
    mask = np.zeros((n_u, n_j), dtype=bool)
    day_periods = np.asarray(result.inputs.periods)
    for j, period in enumerate(day_periods):
        wanted = np.zeros(bm.periods, dtype=bool)
        wanted[period - 1] = True
        reaches = acceptances_in_periods(bm, wanted)[flagged]
        mask[bm.acceptances.unit[flagged[reaches]], j] = True
    return mask
