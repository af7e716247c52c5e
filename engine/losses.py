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
    delivering: np.ndarray  # (units, periods): the unit's Trading Unit is delivering
    losses: np.ndarray  # (periods,) L over primary units, MWh
    tlmo_plus: np.ndarray  # (periods,)
    tlmo_minus: np.ndarray  # (periods,)
    tlm: np.ndarray  # (units, periods)
    loss_check: np.ndarray  # (periods,) Σ_(primary) QM × TLM
    secondary: np.ndarray  # (units,) secondary BM unit (R-TLM-PRIMARY)
    delivered: np.ndarray  # (periods,) Σ_(delivering, primary non-IC) QM
    offtaken: np.ndarray  # (periods,) Σ_(offtaking, primary non-IC) QM (≤ 0)
    one_sided: np.ndarray  # (periods,) R-TLM-ONESIDED applies: offsets 0, no loss check


def is_secondary_bm_unit(ids: Sequence[str]) -> np.ndarray:
    """R-TLM-PRIMARY: secondary BM units by their id, `V__…` (bmUnitType V).

    The prefix matches the register's bmUnitType V on every unit of both real registers held
    (118 and 30 units); swap this function for one reading the register's type if that ever
    differs.
    """
    return np.array([str(i).startswith(SECONDARY_PREFIX) for i in ids], dtype=bool)


def trading_unit_delivering(metered: np.ndarray, trading_unit: np.ndarray) -> np.ndarray:
    """R-TLM-TU, per unit and period: Σ QM of the unit's Trading Unit > 0."""
    codes, member = np.unique(trading_unit, return_inverse=True)
    totals = np.zeros((len(codes), metered.shape[1]))
    np.add.at(totals, member, np.nan_to_num(metered))
    return (totals > 0)[member]


def indicative_tlm(units: UnitAttributes, periods: int) -> np.ndarray:
    """TLM = 1 + TLF (1 for interconnectors): the stack's TLM without metered volumes."""
    tlm = np.where(units.interconnector, 1.0, 1.0 + units.tlf)
    return np.repeat(tlm[:, None], periods, axis=1)


def r_tlm_onesided(delivered: np.ndarray, offtaken: np.ndarray) -> np.ndarray:
    """R-TLM-ONESIDED (assumed): periods with no delivering or no offtaking primary
    non-interconnector metered volume (incomplete metering)."""
    return ~(delivered > ONE_SIDED_TOLERANCE_MWH) | ~(offtaken < -ONE_SIDED_TOLERANCE_MWH)


def r_tlm_secondary_delivering(metered: np.ndarray) -> np.ndarray:
    """R-TLM-SECONDARY (assumed): a secondary unit takes TLMO+ when its own QM > 0."""
    return np.nan_to_num(metered) > 0


def transmission_losses(
    metered: np.ndarray, units: UnitAttributes, alpha: float, secondary: np.ndarray | None = None
) -> LossResult:
    """R-TLM with R-TLM-PRIMARY and R-TLM-ONESIDED; `secondary` per unit (default: none)."""
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
