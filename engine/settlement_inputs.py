"""Everything the engine needs to settle one settlement date, as column arrays.

Energy accounts are numbered party × 2 + (0 for Production, 1 for Consumption). Metered
volumes are (units, periods) with NaN where none was loaded: a period with no metered volume
at all is settled without the metered-volume dependent quantities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.bm_inputs import BmInputs
from engine.imbalance_price import PeriodPriceInputs
from engine.parameters import SettlementParameters

PRODUCTION, CONSUMPTION = 0, 1


def account_index(party: np.ndarray, consumption: np.ndarray) -> np.ndarray:
    """Energy account number a = party × 2 + (0 Production, 1 Consumption) (R-ACC).

    Parameters
    ----------
    party : numpy.ndarray of int, shape (n,)
        Index into SettlementInputs.parties.
    consumption : numpy.ndarray of bool, shape (n,)
        True for the Consumption account, False for Production.

    Returns
    -------
    numpy.ndarray of int64, shape (n,)
        Account numbers.
    """
    return np.asarray(party, dtype=np.int64) * 2 + np.asarray(consumption, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class UnitAttributes:
    """Register attributes of each BM unit as settled in this run (R-REG, R-TLM, R-ACC).

    Every array has shape (units,), aligned with BmInputs.bm_units.

    Attributes
    ----------
    lead_party : numpy.ndarray of int
        Index into SettlementInputs.parties.
    consumption : numpy.ndarray of bool
        Production/consumption status: True for C (R-ACC credited energy).
    trading_unit : numpy.ndarray of int
        Integer code; units with the same code form one Trading Unit (R-TLM-TU).
    tlf : numpy.ndarray of float
        Transmission loss factor TLF_i, dimensionless (ignored for interconnectors).
    interconnector : numpy.ndarray of bool
        Interconnector (`I_`) BM unit: TLM = 1, left out of the RCRC weights.
    """

    lead_party: np.ndarray
    consumption: np.ndarray
    trading_unit: np.ndarray
    tlf: np.ndarray
    interconnector: np.ndarray

    @property
    def lead_account(self) -> np.ndarray:
        """(units,) energy account of the lead party chosen by the unit's P/C status."""
        return account_index(self.lead_party, self.consumption)


@dataclass(frozen=True, slots=True)
class ContractVolumes:
    """Energy contract volumes (ECVNs): MWh sold by one account to another in a period.

    Every array has shape (ECVNs,).

    Attributes
    ----------
    period : numpy.ndarray of int
        Settlement period j, 1-based.
    from_account : numpy.ndarray of int
        Seller's energy account (account_index).
    to_account : numpy.ndarray of int
        Buyer's energy account.
    mwh : numpy.ndarray of float
        Contract volume, MWh, ≥ 0 normally; QABC_a = Σ sold − Σ bought (R-ACC-QABC).
    """

    period: np.ndarray
    from_account: np.ndarray
    to_account: np.ndarray
    mwh: np.ndarray


@dataclass(frozen=True, slots=True)
class Reallocations:
    """Metered volume reallocations (MVRNs): a fixed MWh and a percentage to an account.

    Every array has shape (MVRNs,). R-ACC-QCE (assumed): QCE_iaj = (FMVR_ia + PMVR_ia / 100
    × (QM_ij − Σ_b FMVR_ib)) × TLM_ij.

    Attributes
    ----------
    unit : numpy.ndarray of int
        BM unit index whose metered volume is reallocated.
    to_account : numpy.ndarray of int
        Subsidiary energy account receiving it.
    fixed_mwh : numpy.ndarray of float
        FMVR_ia, MWh per period, export positive.
    percentage : numpy.ndarray of float
        PMVR_ia, percent (0–100) of the remainder QM_ij − Σ_b FMVR_ib.
    """

    unit: np.ndarray
    to_account: np.ndarray
    fixed_mwh: np.ndarray
    percentage: np.ndarray


@dataclass(frozen=True, slots=True)
class BsadActions:
    """Balancing services adjustment actions (DISBSAD) of the day: stack items (R-PRC).

    Every array has shape (actions,).

    Attributes
    ----------
    period : numpy.ndarray of int
        Settlement period j, 1-based.
    ids : tuple of str
        DISBSAD id of each action.
    volume : numpy.ndarray of float
        MWh; > 0 a buy item (energy bought by the system operator), < 0 a sell item.
    cost : numpy.ndarray of float
        £, as DISBSAD gives it; price = cost / volume (£/MWh); NaN: unpriced.
    so_flag : numpy.ndarray of bool
        System-operator flag (first-stage flagged, R-PRC-FLAG).
    stor_flag : numpy.ndarray of bool
        STOR flag (R-PRC-STOR).
    """

    period: np.ndarray
    ids: tuple[str, ...]
    volume: np.ndarray
    cost: np.ndarray
    so_flag: np.ndarray
    stor_flag: np.ndarray


@dataclass(frozen=True, slots=True)
class SettlementInputs:
    """Everything settle_day needs for one settlement date.

    Attributes
    ----------
    bm : BmInputs
        FPN, bid-offer data and acceptances of the day.
    units : UnitAttributes
        Register attributes per BM unit, aligned with bm.bm_units.
    parties : tuple of str
        Party ids; party p has energy accounts 2p (Production) and 2p + 1 (Consumption).
    metered : numpy.ndarray of float, shape (units, periods)
        QM_ij, MWh, export positive; NaN where missing.
    balancing_services : numpy.ndarray of float, shape (units, periods)
        QBS_ij, the non-BM balancing services volume (ABSVD), MWh, usually 0 (R-ACC-QABS).
    contracts : ContractVolumes
        ECVNs.
    reallocations : Reallocations
        MVRNs.
    bsad : BsadActions
        DISBSAD actions.
    period_inputs : PeriodPriceInputs
        MIP, LoLP, STOR windows, BPA and SPA per period.
    parameters : SettlementParameters
        Parameters in force on the date (R-PAR), after any case overrides.
    periods : tuple of int
        The periods to settle, 1-based.
    """

    bm: BmInputs
    units: UnitAttributes
    parties: tuple[str, ...]
    metered: np.ndarray
    balancing_services: np.ndarray
    contracts: ContractVolumes
    reallocations: Reallocations
    bsad: BsadActions
    period_inputs: PeriodPriceInputs
    parameters: SettlementParameters
    periods: tuple[int, ...]

    @property
    def accounts(self) -> int:
        """Number of energy accounts: two per party."""
        return 2 * len(self.parties)

    def account_name(self, account: int) -> str:
        """The account's name as the workbench shows it, e.g. ``GEN P``.

        Parameters
        ----------
        account : int
            Energy account number (account_index).

        Returns
        -------
        str
            Party id, a space, then P (Production) or C (Consumption).
        """
        return f"{self.parties[account // 2]} {'PC'[account % 2]}"
