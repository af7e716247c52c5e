"""Energy accounts, imbalance and residual cashflow (rule R-ACC).

- Credited energy (assumed): QM_ij × TLM_ij goes to the lead party's account chosen by the
  unit's P/C status, except what MVRNs move: QCE_iaj = (FMVR_ia + PMVR_ia / 100 ×
  (QM_ij − Σ_b FMVR_ib)) × TLM_ij to each subsidiary account; the lead keeps the rest.
- Contract volume (assumed sign): QABC_a = Σ sold − Σ bought over the account's ECVNs.
- Balancing services volume (assumed): QABS_a = −Σ_(i led via a) TLM_ij × (Σ_n (QAO_nij +
  QAB_nij) + QBS_ij).
- Imbalance (confirmed): QAEI_a = QCE_a + QABS_a − QABC_a; CAEI_a = −QAEI_a × SSP_j
  (positive: paid by the party; SSP = SBP).
- RCRC (confirmed structure and weighting, v2): TRC_j = Σ_a CAEI_a; RCRP_a = CE_a / Σ_b CE_b
  where CE_a sums the account's credited energy signed +1 for delivering and −1 for
  offtaking Trading Units, interconnectors left out (so negative credited energy in a
  delivering Trading Unit reduces the account's share); RCRC_a = RCRP_a × TRC_j (paid to the
  party).
- R-ACC-RCRC-NODENOM (assumed, v2): if |Σ_b CE_b| < 1e-6 MWh no account gets RCRC (RCRP = 0)
  and TRC_j is the period's unallocated residual.
- System operator: CSOBM_j = Σ_i CBM_ij − Σ_i CND_ij (paid by the system operator).
- Cash balance (to £0.01): Σ CAEI + CSOBM + Σ CND = Σ CBM + Σ RCRC + unallocated residual.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.settlement_inputs import ContractVolumes, Reallocations, UnitAttributes


@dataclass(frozen=True, slots=True)
class CreditedEnergy:
    qce: np.ndarray  # (accounts, periods)
    rcrc_basis: np.ndarray  # (accounts, periods): CE_a, signed by Trading Unit status
    unit_share: np.ndarray  # (mvrn rows, periods): QCE_iaj moved by each MVRN
    lead_share: np.ndarray  # (units, periods): what the lead account keeps


def credited_energy(
    metered: np.ndarray,
    tlm: np.ndarray,
    units: UnitAttributes,
    reallocations: Reallocations,
    delivering: np.ndarray,
    accounts: int,
) -> CreditedEnergy:
    unit_count, periods = metered.shape
    qm_tlm = metered * tlm
    fixed_total = np.bincount(
        reallocations.unit, weights=reallocations.fixed_mwh, minlength=unit_count
    )
    r = reallocations
    moved = (
        r.fixed_mwh[:, None]
        + r.percentage[:, None] / 100.0 * (metered[r.unit] - fixed_total[r.unit][:, None])
    ) * tlm[r.unit]
    moved_total = np.zeros((unit_count, periods))
    np.add.at(moved_total, r.unit, moved)
    lead_share = qm_tlm - moved_total

    qce = np.zeros((accounts, periods))
    np.add.at(qce, units.lead_account, lead_share)
    np.add.at(qce, r.to_account, moved)

    sign = np.where(delivering, 1.0, -1.0)
    counted = ~units.interconnector
    basis = np.zeros((accounts, periods))
    np.add.at(basis, units.lead_account[counted], (sign * lead_share)[counted])
    mvrn_counted = counted[r.unit]
    np.add.at(basis, r.to_account[mvrn_counted], (sign[r.unit] * moved)[mvrn_counted])
    return CreditedEnergy(qce, basis, moved, lead_share)


def contract_volume(contracts: ContractVolumes, accounts: int, periods: int) -> np.ndarray:
    """QABC_a per period: Σ sold − Σ bought."""
    cell_from = contracts.from_account * periods + (contracts.period - 1)
    cell_to = contracts.to_account * periods + (contracts.period - 1)
    size = accounts * periods
    sold = np.bincount(cell_from, weights=contracts.mwh, minlength=size)
    bought = np.bincount(cell_to, weights=contracts.mwh, minlength=size)
    return (sold - bought).reshape(accounts, periods)


def balancing_services_volume(
    accepted: np.ndarray, qbs: np.ndarray, tlm: np.ndarray, units: UnitAttributes, accounts: int
) -> np.ndarray:
    """QABS_a per period from each unit's accepted volume Σ_n (QAO + QAB) and QBS."""
    qabs = np.zeros((accounts, accepted.shape[1]))
    np.add.at(qabs, units.lead_account, -tlm * (accepted + qbs))
    return qabs


# Below this |Σ_b CE_b| (MWh) the RCRC has no denominator (R-ACC-RCRC-NODENOM).
RCRC_DENOMINATOR_TOLERANCE_MWH = 1e-6


@dataclass(frozen=True, slots=True)
class Imbalance:
    qaei: np.ndarray  # (accounts, periods)
    caei: np.ndarray
    trc: np.ndarray  # (periods,)
    rcrp: np.ndarray  # (accounts, periods)
    rcrc: np.ndarray
    rcrc_denominator: np.ndarray  # (periods,) Σ_b CE_b
    unallocated_residual: np.ndarray  # (periods,) TRC no account could take (else 0)


def energy_imbalance(
    qce: np.ndarray, qabs: np.ndarray, qabc: np.ndarray, system_price: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """QAEI_a and CAEI_a = −QAEI_a × SSP_j (SSP = SBP, so one price either way)."""
    qaei = qce + qabs - qabc
    return qaei, -qaei * system_price[None, :]


def r_acc_rcrc_nodenom(denominator: np.ndarray) -> np.ndarray:
    """R-ACC-RCRC-NODENOM (assumed): periods whose RCRC denominator |Σ_b CE_b| is below
    1e-6 MWh, where no account takes a share and TRC stays unallocated."""
    return ~(np.abs(denominator) >= RCRC_DENOMINATOR_TOLERANCE_MWH)


def residual_cashflow(caei: np.ndarray, rcrc_basis: np.ndarray) -> tuple[np.ndarray, ...]:
    """(TRC_j, RCRP_a, RCRC_a, Σ_b CE_b, unallocated residual_j).

    R-ACC-RCRC: RCRP_a = CE_a / Σ_b CE_b, RCRC_a = RCRP_a × TRC_j; where the denominator is
    missing (R-ACC-RCRC-NODENOM) RCRP = 0 and the unallocated residual is TRC_j.
    """
    trc = caei.sum(axis=0)
    denominator = rcrc_basis.sum(axis=0)
    none = r_acc_rcrc_nodenom(denominator)
    safe = np.where(none, 1.0, denominator)
    rcrp = np.where(none[None, :], 0.0, rcrc_basis / safe[None, :])
    # NaN (no metered volumes) stays NaN; a missing denominator leaves all of TRC over.
    unallocated = np.where(np.isnan(denominator), np.nan, np.where(none, trc, 0.0))
    rcrp = np.where(np.isnan(denominator)[None, :], np.nan, rcrp)
    return trc, rcrp, rcrp * trc[None, :], denominator, unallocated


def imbalance(qce, qabs, qabc, system_price, rcrc_basis) -> Imbalance:
    qaei, caei = energy_imbalance(qce, qabs, qabc, system_price)
    trc, rcrp, rcrc, denominator, unallocated = residual_cashflow(caei, rcrc_basis)
    return Imbalance(qaei, caei, trc, rcrp, rcrc, denominator, unallocated)
