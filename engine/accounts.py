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
    """Credited energy of every account and period, and its RCRC weights (R-ACC-QCE).

    NaN in periods without metered volumes.

    Attributes
    ----------
    qce : numpy.ndarray of float, shape (accounts, periods)
        QCE_aj, MWh, export positive.
    rcrc_basis : numpy.ndarray of float, shape (accounts, periods)
        CE_a, MWh: credited energy signed +1 in a delivering and −1 in an offtaking Trading
        Unit, interconnectors left out (R-ACC-RCRC).
    unit_share : numpy.ndarray of float, shape (MVRNs, periods)
        QCE_iaj moved by each MVRN to its account, MWh, export positive.
    lead_share : numpy.ndarray of float, shape (units, periods)
        What the lead account keeps: QM_ij × TLM_ij − Σ moved, MWh.
    """

    qce: np.ndarray
    rcrc_basis: np.ndarray
    unit_share: np.ndarray
    lead_share: np.ndarray


def credited_energy(
    metered: np.ndarray,
    tlm: np.ndarray,
    units: UnitAttributes,
    reallocations: Reallocations,
    delivering: np.ndarray,
    accounts: int,
) -> CreditedEnergy:
    """QCE of every account from QM × TLM and the MVRNs, with the RCRC weights (R-ACC-QCE).

    Parameters
    ----------
    metered : numpy.ndarray of float, shape (units, periods)
        QM_ij, MWh, export positive; NaN in periods without metered volumes.
    tlm : numpy.ndarray of float, shape (units, periods)
        TLM_ij, dimensionless; NaN where not available.
    units : UnitAttributes
        Lead account, interconnector flag per unit.
    reallocations : Reallocations
        MVRNs.
    delivering : numpy.ndarray of bool, shape (units, periods)
        The unit's Trading Unit is delivering (LossResult.delivering): the sign of its CE.
    accounts : int
        Number of energy accounts (two per party).

    Returns
    -------
    CreditedEnergy
        MWh per account and per unit, export positive.

    Notes
    -----
    R-ACC-QCE is assumed. A secondary unit's CE is signed by its own QM
    (R-TLM-SECONDARY), as LossResult.delivering gives it. Known gap (rulebook §15,
    GAP-VLP-VIRTUAL-ACCOUNTS): secondary units are credited to their lead party's account.
    """
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
    """Contract volume QABC_a of every account and period: Σ sold − Σ bought (R-ACC-QABC).

    Parameters
    ----------
    contracts : ContractVolumes
        ECVNs (from = seller, to = buyer).
    accounts : int
        Number of energy accounts.
    periods : int
        Number of periods of the day.

    Returns
    -------
    numpy.ndarray of float, shape (accounts, periods)
        QABC_aj, MWh: positive for a net seller.

    Notes
    -----
    The meaning is confirmed, the sign assumed (rulebook §9).
    """
    cell_from = contracts.from_account * periods + (contracts.period - 1)
    cell_to = contracts.to_account * periods + (contracts.period - 1)
    size = accounts * periods
    sold = np.bincount(cell_from, weights=contracts.mwh, minlength=size)
    bought = np.bincount(cell_to, weights=contracts.mwh, minlength=size)
    return (sold - bought).reshape(accounts, periods)


def balancing_services_volume(
    accepted: np.ndarray, qbs: np.ndarray, tlm: np.ndarray, units: UnitAttributes, accounts: int
) -> np.ndarray:
    """Balancing services volume QABS_a of every account and period (R-ACC-QABS, assumed).

    QABS_a = −Σ_(i led via a) TLM_ij × (Σ_n (QAO_nij + QAB_nij) + QBS_ij).

    Parameters
    ----------
    accepted : numpy.ndarray of float, shape (units, periods)
        Σ_n (QAO_nij + QAB_nij), MWh: net accepted volume, offers positive.
    qbs : numpy.ndarray of float, shape (units, periods)
        QBS_ij, non-BM balancing services volume (ABSVD), MWh.
    tlm : numpy.ndarray of float, shape (units, periods)
        TLM_ij, dimensionless.
    units : UnitAttributes
        Lead account per unit.
    accounts : int
        Number of energy accounts.

    Returns
    -------
    numpy.ndarray of float, shape (accounts, periods)
        QABS_aj, MWh: negative for an account whose units delivered accepted offers, so that
        balancing energy is not also paid as imbalance.
    """
    qabs = np.zeros((accounts, accepted.shape[1]))
    np.add.at(qabs, units.lead_account, -tlm * (accepted + qbs))
    return qabs


# Below this |Σ_b CE_b| (MWh) the RCRC has no denominator (R-ACC-RCRC-NODENOM).
RCRC_DENOMINATOR_TOLERANCE_MWH = 1e-6


@dataclass(frozen=True, slots=True)
class Imbalance:
    """Energy imbalance and residual cashflow reallocation (R-ACC-QAEI, R-ACC-RCRC).

    NaN in periods without metered volumes; CAEI, TRC and RCRC also where the price is
    unavailable.

    Attributes
    ----------
    qaei : numpy.ndarray of float, shape (accounts, periods)
        QAEI_aj = QCE + QABS − QABC, MWh: > 0 long (spilled to the system), < 0 short.
    caei : numpy.ndarray of float, shape (accounts, periods)
        CAEI_aj = −QAEI_aj × SSP_j, £, positive = paid by the party.
    trc : numpy.ndarray of float, shape (periods,)
        TRC_j = Σ_a CAEI_aj, £.
    rcrp : numpy.ndarray of float, shape (accounts, periods)
        RCRP_aj = CE_a / Σ_b CE_b, dimensionless; Σ_a = 1, or 0 everywhere without a
        denominator (R-ACC-RCRC-NODENOM).
    rcrc : numpy.ndarray of float, shape (accounts, periods)
        RCRC_aj = RCRP_aj × TRC_j, £, positive = paid to the party.
    rcrc_denominator : numpy.ndarray of float, shape (periods,)
        Σ_b CE_b, MWh.
    unallocated_residual : numpy.ndarray of float, shape (periods,)
        £: the TRC no account could take (R-ACC-RCRC-NODENOM), else 0.
    """

    qaei: np.ndarray
    caei: np.ndarray
    trc: np.ndarray
    rcrp: np.ndarray
    rcrc: np.ndarray
    rcrc_denominator: np.ndarray
    unallocated_residual: np.ndarray


def energy_imbalance(
    qce: np.ndarray, qabs: np.ndarray, qabc: np.ndarray, system_price: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Energy imbalance volume and charge of every account and period (R-ACC-QAEI).

    QAEI_a = QCE_a + QABS_a − QABC_a; CAEI_a = −QAEI_a × SSP_j (SSP = SBP, so one price
    either way).

    Parameters
    ----------
    qce : numpy.ndarray of float, shape (accounts, periods)
        QCE_aj, MWh.
    qabs : numpy.ndarray of float, shape (accounts, periods)
        QABS_aj, MWh.
    qabc : numpy.ndarray of float, shape (accounts, periods)
        QABC_aj, MWh, positive for a net seller.
    system_price : numpy.ndarray of float, shape (periods,)
        SSP_j = SBP_j, £/MWh; NaN where unavailable.

    Returns
    -------
    qaei : numpy.ndarray of float, shape (accounts, periods)
        MWh, > 0 long, < 0 short.
    caei : numpy.ndarray of float, shape (accounts, periods)
        £, positive = paid by the party (a short account pays at a positive price).
    """
    qaei = qce + qabs - qabc
    return qaei, -qaei * system_price[None, :]


def r_acc_rcrc_nodenom(denominator: np.ndarray) -> np.ndarray:
    """Periods whose RCRC has no denominator: |Σ_b CE_b| < 1e-6 MWh (R-ACC-RCRC-NODENOM).

    Parameters
    ----------
    denominator : numpy.ndarray of float, shape (periods,)
        Σ_b CE_b, MWh.

    Returns
    -------
    numpy.ndarray of bool, shape (periods,)
        True where no account takes a share and TRC stays unallocated; also True where
        the denominator is NaN (no metered volumes).

    Notes
    -----
    Assumed (rulebook v2 §9).
    """
    return ~(np.abs(denominator) >= RCRC_DENOMINATOR_TOLERANCE_MWH)


def residual_cashflow(caei: np.ndarray, rcrc_basis: np.ndarray) -> tuple[np.ndarray, ...]:
    """TRC and its reallocation to the accounts (R-ACC-RCRC, R-ACC-RCRC-NODENOM).

    RCRP_a = CE_a / Σ_b CE_b, RCRC_a = RCRP_a × TRC_j; where the denominator is missing
    (R-ACC-RCRC-NODENOM) RCRP = 0 and the unallocated residual is TRC_j.

    Parameters
    ----------
    caei : numpy.ndarray of float, shape (accounts, periods)
        CAEI_aj, £, positive = paid by the party.
    rcrc_basis : numpy.ndarray of float, shape (accounts, periods)
        CE_a, MWh, signed by Trading Unit status (CreditedEnergy.rcrc_basis).

    Returns
    -------
    trc : numpy.ndarray of float, shape (periods,)
        TRC_j = Σ_a CAEI_aj, £.
    rcrp : numpy.ndarray of float, shape (accounts, periods)
        RCRP_aj, dimensionless.
    rcrc : numpy.ndarray of float, shape (accounts, periods)
        RCRC_aj, £, positive = paid to the party.
    denominator : numpy.ndarray of float, shape (periods,)
        Σ_b CE_b, MWh.
    unallocated : numpy.ndarray of float, shape (periods,)
        TRC_j where there is no denominator, else 0, £; NaN without metered volumes.
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
    """Energy imbalance, TRC and RCRC of every account and period (R-ACC-QAEI, R-ACC-RCRC).

    Parameters
    ----------
    qce : numpy.ndarray of float, shape (accounts, periods)
        QCE_aj, MWh.
    qabs : numpy.ndarray of float, shape (accounts, periods)
        QABS_aj, MWh.
    qabc : numpy.ndarray of float, shape (accounts, periods)
        QABC_aj, MWh, positive for a net seller.
    system_price : numpy.ndarray of float, shape (periods,)
        SSP_j = SBP_j, £/MWh; NaN where unavailable.
    rcrc_basis : numpy.ndarray of float, shape (accounts, periods)
        CE_a, MWh.

    Returns
    -------
    Imbalance
        QAEI (MWh), CAEI (£, paid by), TRC, RCRP and RCRC (£, paid to).
    """
    qaei, caei = energy_imbalance(qce, qabs, qabc, system_price)
    trc, rcrp, rcrc, denominator, unallocated = residual_cashflow(caei, rcrc_basis)
    return Imbalance(qaei, caei, trc, rcrp, rcrc, denominator, unallocated)
