"""Transmission losses (rule R-TLM: confirmed structure, assumed offsets).

A Trading Unit is delivering in period j when its BM units' metered volumes sum to more than
zero, else offtaking. Interconnector BM units have TLM = 1. For the others
TLM_ij = 1 + TLF_ij + TLMO±_j, with
  L = Σ_(non-IC) QM_ij × (1 + TLF_ij) + Σ_IC QM_ij,
  TLMO+ = −α × L / Σ_(delivering, non-IC) QM_ij,
  TLMO− = −(1 − α) × L / Σ_(offtaking, non-IC) QM_ij,
so that Σ_i QM_ij × TLM_ij = 0. Without metered volumes the stack uses TLM = 1 + TLF (the
indicative convention) and the offsets are not available.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.settlement_inputs import UnitAttributes


@dataclass(frozen=True, slots=True)
class LossResult:
    delivering: np.ndarray  # (units, periods): the unit's Trading Unit is delivering
    losses: np.ndarray  # (periods,) L, MWh
    tlmo_plus: np.ndarray  # (periods,)
    tlmo_minus: np.ndarray  # (periods,)
    tlm: np.ndarray  # (units, periods)
    loss_check: np.ndarray  # (periods,) Σ QM × TLM


def trading_unit_delivering(metered: np.ndarray, trading_unit: np.ndarray) -> np.ndarray:
    """Per unit and period: Σ QM of the unit's Trading Unit > 0."""
    codes, member = np.unique(trading_unit, return_inverse=True)
    totals = np.zeros((len(codes), metered.shape[1]))
    np.add.at(totals, member, np.nan_to_num(metered))
    return (totals > 0)[member]


def indicative_tlm(units: UnitAttributes, periods: int) -> np.ndarray:
    """TLM = 1 + TLF (1 for interconnectors): the stack's TLM without metered volumes."""
    tlm = np.where(units.interconnector, 1.0, 1.0 + units.tlf)
    return np.repeat(tlm[:, None], periods, axis=1)


def transmission_losses(metered: np.ndarray, units: UnitAttributes, alpha: float) -> LossResult:
    qm = np.nan_to_num(metered)
    delivering = trading_unit_delivering(metered, units.trading_unit)
    ic = units.interconnector[:, None]
    tlf = units.tlf[:, None]
    losses = np.where(ic, qm, qm * (1.0 + tlf)).sum(axis=0)
    delivered = np.where(delivering & ~ic, qm, 0.0).sum(axis=0)
    offtaken = np.where(~delivering & ~ic, qm, 0.0).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plus = np.where(delivered != 0, -alpha * losses / delivered, 0.0)
        minus = np.where(offtaken != 0, -(1.0 - alpha) * losses / offtaken, 0.0)
    tlm = np.where(ic, 1.0, 1.0 + tlf + np.where(delivering, plus, minus))
    return LossResult(delivering, losses, plus, minus, tlm, (qm * tlm).sum(axis=0))
