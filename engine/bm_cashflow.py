"""BM Unit cashflows (rule R-CBM).

CO_nij = QAO_nij × PO_n, CB_nij = QAB_nij × PB_n, CBM_ij = Σ_n (CO_nij + CB_nij), no loss
multiplier; the per-acceptance split C_knij = QAO_knij × PO_n + QAB_knij × PB_n sums to the same.
CBM > 0 is paid to the party. The Total System BM Cashflow of period j is Σ_i CBM_ij.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.accepted_volumes import AcceptedVolumes
from engine.bm_inputs import BmInputs


@dataclass(frozen=True, slots=True)
class BmCashflows:
    co_nj: np.ndarray  # per pair row, £
    cb_nj: np.ndarray  # per pair row, £
    cashflow_knj: np.ndarray  # per accepted-volume row, £
    cbm: np.ndarray  # (units, periods), £
    total_system_bm_cashflow: np.ndarray  # (periods,), £


def bm_cashflows(inputs: BmInputs, volumes: AcceptedVolumes) -> BmCashflows:
    pairs = inputs.pairs
    co = volumes.qao_nj * pairs.offer_price
    cb = volumes.qab_nj * pairs.bid_price
    per_acceptance = (
        volumes.qao * pairs.offer_price[volumes.pair_row]
        + volumes.qab * pairs.bid_price[volumes.pair_row]
    )
    periods = inputs.periods
    cell = pairs.unit * periods + (pairs.period - 1)
    cbm = np.bincount(cell, weights=co + cb, minlength=len(inputs.bm_units) * periods)
    cbm = cbm.reshape(len(inputs.bm_units), periods)
    return BmCashflows(co, cb, per_acceptance, cbm, cbm.sum(axis=0))
