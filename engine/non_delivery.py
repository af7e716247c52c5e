"""Expected volume and non-delivery (rules R-ND, R-ND-ORDER, R-ND-CHARGE: assumed).

R-ND: QME_ij = Period FPN_ij + Σ_n (QAO_nij + QAB_nij); QII_ij = QM_ij − QME_ij (charged at
the information imbalance price, 0). With the shortfall s = QME − QM:
QNDO = min(max(s, 0), Σ_n QAO_nij) and QNDB = max(min(s, 0), Σ_n QAB_nij).
R-ND-ORDER (assumed): QNDO is allocated to accepted offers from the highest offer price down,
QNDB to accepted bids from the lowest bid price up.
R-ND-CHARGE (assumed formula; v2 confirmed only that both offer and bid non-delivery are
charged, per offer and bid, RQNDO_uij of T4.8.6): CND_ij = Σ_u QNDO_u × max(PO_u − SBP_j, 0)
+ Σ_u |QNDB_u| × max(SSP_j − PB_u, 0) ≥ 0, paid by the party.
Known gap (rulebook §15): since 2023-02-23 (P376) a baselined unit's QME uses its baseline,
not its FPN; the engine uses Period FPN for every unit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class NonDelivery:
    """Expected volume and non-delivery of every unit and period (R-ND, R-ND-ORDER, R-ND-CHARGE).

    Per (unit, period) quantities are NaN where the unit's metered volume is NaN (not loaded),
    except QME, which needs no metered volume.

    Attributes
    ----------
    qme : numpy.ndarray of float, shape (units, periods)
        QME_ij = Period FPN_ij + Σ_n (QAO_nij + QAB_nij), MWh, export positive.
    qii : numpy.ndarray of float, shape (units, periods)
        QII_ij = QM_ij − QME_ij, MWh (charged at the information imbalance price, 0).
    qndo : numpy.ndarray of float, shape (units, periods)
        QNDO_ij = min(max(QME − QM, 0), Σ_n QAO_nij), MWh, ≥ 0.
    qndb : numpy.ndarray of float, shape (units, periods)
        QNDB_ij = max(min(QME − QM, 0), Σ_n QAB_nij), MWh, ≤ 0.
    cnd : numpy.ndarray of float, shape (units, periods)
        CND_ij, £, ≥ 0, positive = paid by the party; NaN where metered volume is missing,
        or where some volume is non-delivered and the period has no price.
    qndo_pair : numpy.ndarray of float, shape (pair rows,)
        Non-delivered offer volume allocated to each pair row, MWh, ≥ 0 (R-ND-ORDER).
    qndb_pair : numpy.ndarray of float, shape (pair rows,)
        Non-delivered bid volume allocated to each pair row, MWh, ≤ 0 (R-ND-ORDER).
    """

    qme: np.ndarray
    qii: np.ndarray
    qndo: np.ndarray
    qndb: np.ndarray
    cnd: np.ndarray
    qndo_pair: np.ndarray
    qndb_pair: np.ndarray


def _allocate(amount_per_cell, cell, volume, priority) -> np.ndarray:
    """Fill each cell's amount into its rows in priority order (highest priority first),
    up to each row's volume; all values ≥ 0."""
    filled = np.zeros(len(volume))
    # Only rows with accepted volume can take any: a few thousand of a GB day's ~500,000
    # pair rows, so sorting them alone is most of the saving of this stage.
    rows = np.flatnonzero(volume > 0)
    if len(rows) == 0:
        return filled
    order = rows[np.lexsort((-priority[rows], cell[rows]))]
    ordered_cell = cell[order]
    ordered_volume = volume[order]
    running = np.cumsum(ordered_volume)
    start_of_cell = np.searchsorted(ordered_cell, ordered_cell)  # first row of each cell
    before = running - ordered_volume - (running[start_of_cell] - ordered_volume[start_of_cell])
    filled[order] = np.clip(amount_per_cell[ordered_cell] - before, 0.0, ordered_volume)
    return filled


def non_delivery(
    period_fpn: np.ndarray,
    metered: np.ndarray,
    pair_unit: np.ndarray,
    pair_period: np.ndarray,
    offer_price: np.ndarray,
    bid_price: np.ndarray,
    qao_nj: np.ndarray,
    qab_nj: np.ndarray,
    system_price: np.ndarray,
) -> NonDelivery:
    """QME, QII, non-delivered volumes, their allocation to pairs and CND (R-ND, assumed).

    Parameters
    ----------
    period_fpn : numpy.ndarray of float, shape (units, periods)
        Period FPN, MWh, export positive.
    metered : numpy.ndarray of float, shape (units, periods)
        QM_ij, MWh, export positive; NaN where not loaded.
    pair_unit : numpy.ndarray of int, shape (pair rows,)
        BM unit index of each pair row.
    pair_period : numpy.ndarray of int, shape (pair rows,)
        Settlement period j (1-based) of each pair row.
    offer_price : numpy.ndarray of float, shape (pair rows,)
        PO_n, £/MWh.
    bid_price : numpy.ndarray of float, shape (pair rows,)
        PB_n, £/MWh.
    qao_nj : numpy.ndarray of float, shape (pair rows,)
        QAO_nij, MWh, ≥ 0.
    qab_nj : numpy.ndarray of float, shape (pair rows,)
        QAB_nij, MWh, ≤ 0.
    system_price : numpy.ndarray of float, shape (periods,)
        SBP_j = SSP_j, £/MWh; NaN where the price is unavailable.

    Returns
    -------
    NonDelivery
        MWh per (unit, period) and per pair row; CND in £, positive = paid by the party.

    Notes
    -----
    R-ND and R-ND-ORDER are assumed; R-ND-CHARGE is assumed as a formula (v2 confirmed only
    that offer and bid non-delivery are both charged, per offer and bid). Known gap (rulebook
    §15, GAP-P376-BASELINING): QME uses Period FPN for every unit, also for baselined units.
    """
    units, periods = period_fpn.shape
    cell = pair_unit * periods + (pair_period - 1)
    qao = np.bincount(cell, weights=qao_nj, minlength=units * periods).reshape(units, periods)
    qab = np.bincount(cell, weights=qab_nj, minlength=units * periods).reshape(units, periods)
    qme = period_fpn + qao + qab
    qii = metered - qme
    shortfall = qme - metered
    qndo = np.minimum(np.maximum(shortfall, 0.0), qao)
    qndb = np.maximum(np.minimum(shortfall, 0.0), qab)
    qndo_pair = _allocate(np.nan_to_num(qndo).ravel(), cell, qao_nj, offer_price)
    qndb_pair = -_allocate(np.nan_to_num(-qndb).ravel(), cell, -qab_nj, -bid_price)
    price = system_price[pair_period - 1]
    # A pair with nothing non-delivered is charged 0 whatever the price; one with some
    # non-delivered volume in a period without a price has no charge (NaN, reported as not
    # available), never 0.
    offer_charge = np.where(qndo_pair != 0, qndo_pair * np.maximum(offer_price - price, 0.0), 0.0)
    bid_charge = np.where(
        qndb_pair != 0, np.abs(qndb_pair) * np.maximum(price - bid_price, 0.0), 0.0
    )
    charge = offer_charge + bid_charge
    cnd = np.bincount(cell, weights=charge, minlength=units * periods)
    cnd = cnd.reshape(units, periods)
    cnd = np.where(np.isnan(metered), np.nan, cnd)
    return NonDelivery(qme, qii, qndo, qndb, cnd, qndo_pair, qndb_pair)
