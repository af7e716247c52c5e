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
    """BM Unit cashflows of a settlement day (R-CBM); every £ figure positive = paid to the party.

    Attributes
    ----------
    co_nj : numpy.ndarray of float, shape (pair rows,)
        CO_nij = QAO_nij × PO_n, £, per row of the inputs' pair table; ≥ 0 when PO_n ≥ 0.
    cb_nj : numpy.ndarray of float, shape (pair rows,)
        CB_nij = QAB_nij × PB_n, £, per pair row; QAB ≤ 0, so a positive bid price gives a
        negative cashflow (the party pays for the energy it did not produce).
    cashflow_knj : numpy.ndarray of float, shape (accepted-volume rows,)
        C_knij = QAO_knij × PO_n + QAB_knij × PB_n, £, aligned with the rows of
        AcceptedVolumes (one acceptance × pair × period); sums to CBM over a unit's rows.
    cbm : numpy.ndarray of float, shape (units, periods)
        CBM_ij = Σ_n (CO_nij + CB_nij), £, positive = paid to the party.
    total_system_bm_cashflow : numpy.ndarray of float, shape (periods,)
        Σ_i CBM_ij, £.
    """

    co_nj: np.ndarray
    cb_nj: np.ndarray
    cashflow_knj: np.ndarray
    cbm: np.ndarray
    total_system_bm_cashflow: np.ndarray


def bm_cashflows(inputs: BmInputs, volumes: AcceptedVolumes) -> BmCashflows:
    """BM Unit cashflows CO, CB, C_knij and CBM of every unit and period (R-CBM, assumed).

    Parameters
    ----------
    inputs : BmInputs
        The day's BM data; its pair table gives PO_n and PB_n (£/MWh) of each pair row.
    volumes : AcceptedVolumes
        Accepted volumes (MWh; offers ≥ 0, bids ≤ 0) per acceptance × pair row and per pair
        row, from engine.accepted_volumes.

    Returns
    -------
    BmCashflows
        £ per pair row, per accepted-volume row and per (unit, period); positive = paid to
        the party.

    Notes
    -----
    R-CBM is assumed (rulebook §6): no loss multiplier is applied to CBM.
    """
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
