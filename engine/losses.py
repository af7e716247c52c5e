"""Transmission losses (rule R-TLM: confirmed structure, assumed offsets; rulebook v2 §7).

A Trading Unit is delivering in period j when its BM units' metered volumes sum to more than
zero, else offtaking (R-TLM-TU). Interconnector BM units have TLM = 1. For the others
TLM_ij = 1 + TLF_ij + TLMO±_j, with, over primary BM units only (R-TLM-PRIMARY),
  L = Σ_(primary non-IC) QM_ij × (1 + TLF_ij) + Σ_(primary IC) QM_ij,
  TLMO+ = −α × L / Σ_(delivering, primary non-IC) QM_ij,
  TLMO− = −(1 − α) × L / Σ_(offtaking, primary non-IC) QM_ij,
so that Σ_(primary) QM_ij × TLM_ij = 0.

- R-TLM-PRIMARY (confirmed): secondary BM units (type V, the Virtual Lead Parties' `V__`
  units) are left out of L and out of both sums. Their own TLM (R-TLM-SECONDARY, assumed) uses
  the same formula, its sign chosen by their own metered volume (> 0: TLMO+).
- R-TLM-ONESIDED (assumed): a period with no delivering or no offtaking primary
  non-interconnector metered volume has incomplete metering; then TLMO+ = TLMO− = 0
  (TLM = 1 + TLF) and the loss check does not apply to it.

Without metered volumes the stack uses TLM = 1 + TLF (the indicative convention) and the
offsets are not available.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.settlement_inputs import UnitAttributes

SECONDARY_PREFIX = "V__"
# A side whose Σ QM is within this of 0 MWh has no metered volume (R-TLM-ONESIDED).
ONE_SIDED_TOLERANCE_MWH = 1e-6


@dataclass(frozen=True, slots=True)
class LossResult:
    """Transmission losses and loss multipliers of every unit and period (R-TLM).

    Attributes
    ----------
    delivering : numpy.ndarray of bool, shape (units, periods)
        The unit's Trading Unit is delivering (R-TLM-TU); for a secondary unit, its own
        QM > 0 (R-TLM-SECONDARY).
    losses : numpy.ndarray of float, shape (periods,)
        L over primary units, MWh (> 0 when the system loses energy).
    tlmo_plus : numpy.ndarray of float, shape (periods,)
        TLMO+_j = −α × L / Σ_(delivering) QM, dimensionless (≤ 0 when L > 0); 0 in a
        one-sided period.
    tlmo_minus : numpy.ndarray of float, shape (periods,)
        TLMO−_j = −(1 − α) × L / Σ_(offtaking) QM, dimensionless (≥ 0 when L > 0); 0 in a
        one-sided period.
    tlm : numpy.ndarray of float, shape (units, periods)
        TLM_ij = 1 + TLF_i + TLMO±_j, dimensionless; 1 for interconnectors.
    loss_check : numpy.ndarray of float, shape (periods,)
        Σ_(primary) QM × TLM, MWh: 0 to 1e-6 in a two-sided period.
    secondary : numpy.ndarray of bool, shape (units,)
        Secondary BM unit (R-TLM-PRIMARY).
    delivered : numpy.ndarray of float, shape (periods,)
        Σ_(delivering, primary non-IC) QM, MWh, normally > 0.
    offtaken : numpy.ndarray of float, shape (periods,)
        Σ_(offtaking, primary non-IC) QM, MWh, ≤ 0.
    one_sided : numpy.ndarray of bool, shape (periods,)
        R-TLM-ONESIDED applies: offsets 0, no loss check.
    """

    delivering: np.ndarray
    losses: np.ndarray
    tlmo_plus: np.ndarray
    tlmo_minus: np.ndarray
    tlm: np.ndarray
    loss_check: np.ndarray
    secondary: np.ndarray
    delivered: np.ndarray
    offtaken: np.ndarray
    one_sided: np.ndarray


def is_secondary_bm_unit(ids: Sequence[str]) -> np.ndarray:
    """Which BM units are secondary, by their id `V__…` (bmUnitType V; R-TLM-PRIMARY).

    The prefix matches the register's bmUnitType V on every unit of both real registers held
    (118 and 30 units); swap this function for one reading the register's type if that ever
    differs.

    Parameters
    ----------
    ids : sequence of str
        Elexon BM unit ids.

    Returns
    -------
    numpy.ndarray of bool, shape (units,)
        True for a secondary BM unit.
    """
    return np.array([str(i).startswith(SECONDARY_PREFIX) for i in ids], dtype=bool)


def trading_unit_delivering(metered: np.ndarray, trading_unit: np.ndarray) -> np.ndarray:
    """Whether each unit's Trading Unit is delivering: Σ QM of its units > 0 (R-TLM-TU).

    Parameters
    ----------
    metered : numpy.ndarray of float, shape (units, periods)
        QM_ij, MWh, export positive; NaN counts as 0.
    trading_unit : numpy.ndarray of int, shape (units,)
        Trading Unit code of each unit.

    Returns
    -------
    numpy.ndarray of bool, shape (units, periods)
        True where the unit's Trading Unit is delivering, False where offtaking (Σ QM ≤ 0).
    """
    codes, member = np.unique(trading_unit, return_inverse=True)
    totals = np.zeros((len(codes), metered.shape[1]))
    np.add.at(totals, member, np.nan_to_num(metered))
    return (totals > 0)[member]


def indicative_tlm(units: UnitAttributes, periods: int) -> np.ndarray:
    """TLM = 1 + TLF (1 for interconnectors): the stack's TLM without metered volumes.

    Parameters
    ----------
    units : UnitAttributes
        TLF and interconnector flag per unit.
    periods : int
        Number of periods of the day.

    Returns
    -------
    numpy.ndarray of float, shape (units, periods)
        Indicative TLM, dimensionless, the same in every period.

    Notes
    -----
    The offsets TLMO± need metered volumes; without them they are left out (the indicative
    convention), and settle reports TLM itself as not available.
    """
    tlm = np.where(units.interconnector, 1.0, 1.0 + units.tlf)
    return np.repeat(tlm[:, None], periods, axis=1)


def r_tlm_onesided(delivered: np.ndarray, offtaken: np.ndarray) -> np.ndarray:
    """Periods with no delivering or no offtaking primary non-IC metered volume (R-TLM-ONESIDED).

    Parameters
    ----------
    delivered : numpy.ndarray of float, shape (periods,)
        Σ_(delivering, primary non-IC) QM, MWh.
    offtaken : numpy.ndarray of float, shape (periods,)
        Σ_(offtaking, primary non-IC) QM, MWh, ≤ 0.

    Returns
    -------
    numpy.ndarray of bool, shape (periods,)
        True where a side is within 1e-6 MWh of 0 (incomplete metering).

    Notes
    -----
    Assumed (rulebook v2 §7): GB always has both sides, so a one-sided period is partial
    data; its offsets are 0 and the R-TLM check does not apply.
    """
    return ~(delivered > ONE_SIDED_TOLERANCE_MWH) | ~(offtaken < -ONE_SIDED_TOLERANCE_MWH)


def r_tlm_secondary_delivering(metered: np.ndarray) -> np.ndarray:
    """Whether a secondary unit takes TLMO+: its own QM > 0 (R-TLM-SECONDARY, assumed).

    Parameters
    ----------
    metered : numpy.ndarray of float, shape (units, periods)
        QM_ij, MWh, export positive; NaN counts as 0.

    Returns
    -------
    numpy.ndarray of bool, shape (units, periods)
        True where QM > 0 (TLMO+), False otherwise (TLMO−).
    """
    return np.nan_to_num(metered) > 0


def transmission_losses(
    metered: np.ndarray, units: UnitAttributes, alpha: float, secondary: np.ndarray | None = None
) -> LossResult:
    """TLMO± and TLM of every unit and period (R-TLM, R-TLM-PRIMARY, R-TLM-ONESIDED).

    Parameters
    ----------
    metered : numpy.ndarray of float, shape (units, periods)
        QM_ij, MWh, export positive; NaN counts as 0.
    units : UnitAttributes
        TLF, interconnector flag and Trading Unit per unit.
    alpha : float
        α, the share of losses on delivering Trading Units (0.45).
    secondary : numpy.ndarray of bool, shape (units,), optional
        Secondary BM units, left out of L and of both sums; default none.

    Returns
    -------
    LossResult
        L (MWh), TLMO± and TLM (dimensionless), the loss check (MWh) and the one-sided
        periods.

    Notes
    -----
    R-TLM is confirmed in structure, assumed in its offsets; R-TLM-ONESIDED and
    R-TLM-SECONDARY are assumed.
    """
    qm = np.nan_to_num(metered)
    if secondary is None:
        secondary = np.zeros(qm.shape[0], dtype=bool)
    primary = ~secondary[:, None]
    delivering = trading_unit_delivering(np.where(primary, qm, 0.0), units.trading_unit)
    delivering = np.where(primary, delivering, r_tlm_secondary_delivering(qm))
    ic = units.interconnector[:, None]
    tlf = units.tlf[:, None]
    losses = np.where(primary, np.where(ic, qm, qm * (1.0 + tlf)), 0.0).sum(axis=0)
    counted = primary & ~ic
    delivered = np.where(delivering & counted, qm, 0.0).sum(axis=0)
    offtaken = np.where(~delivering & counted, qm, 0.0).sum(axis=0)
    one_sided = r_tlm_onesided(delivered, offtaken)
    with np.errstate(divide="ignore", invalid="ignore"):
        plus = np.where(one_sided, 0.0, -alpha * losses / np.where(one_sided, 1.0, delivered))
        minus = np.where(
            one_sided, 0.0, -(1.0 - alpha) * losses / np.where(one_sided, 1.0, offtaken)
        )
    tlm = np.where(ic, 1.0, 1.0 + tlf + np.where(delivering, plus, minus))
    loss_check = np.where(primary, qm * tlm, 0.0).sum(axis=0)
    return LossResult(
        delivering=delivering,
        losses=losses,
        tlmo_plus=plus,
        tlmo_minus=minus,
        tlm=tlm,
        loss_check=loss_check,
        secondary=secondary.copy(),
        delivered=delivered,
        offtaken=offtaken,
        one_sided=one_sided,
    )
