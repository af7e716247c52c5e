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
    return np.asarray(party, dtype=np.int64) * 2 + np.asarray(consumption, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class UnitAttributes:
    """Per BM unit (aligned with BmInputs.bm_units): as settled in this run."""

    lead_party: np.ndarray  # index into parties
    consumption: np.ndarray  # P/C status: True for C
    trading_unit: np.ndarray  # integer code; units with the same code form one Trading Unit
    tlf: np.ndarray
    interconnector: np.ndarray

    @property
    def lead_account(self) -> np.ndarray:
        return account_index(self.lead_party, self.consumption)


@dataclass(frozen=True, slots=True)
class ContractVolumes:
    """ECVNs: mwh moved from one account to another in a period."""

    period: np.ndarray
    from_account: np.ndarray
    to_account: np.ndarray
    mwh: np.ndarray


@dataclass(frozen=True, slots=True)
class Reallocations:
    """MVRNs: a fixed MWh and a percentage of a unit's metered volume to an account."""

    unit: np.ndarray
    to_account: np.ndarray
    fixed_mwh: np.ndarray
    percentage: np.ndarray


@dataclass(frozen=True, slots=True)
class BsadActions:
    period: np.ndarray
    ids: tuple[str, ...]
    volume: np.ndarray
    cost: np.ndarray  # NaN: unpriced
    so_flag: np.ndarray
    stor_flag: np.ndarray


@dataclass(frozen=True, slots=True)
class SettlementInputs:
    bm: BmInputs
    units: UnitAttributes
    parties: tuple[str, ...]
    metered: np.ndarray  # (units, periods), MWh, NaN where missing
    balancing_services: np.ndarray  # (units, periods), QBS, MWh
    contracts: ContractVolumes
    reallocations: Reallocations
    bsad: BsadActions
    period_inputs: PeriodPriceInputs
    parameters: SettlementParameters
    periods: tuple[int, ...]  # the periods to settle

    @property
    def accounts(self) -> int:
        return 2 * len(self.parties)

    def account_name(self, account: int) -> str:
        return f"{self.parties[account // 2]} {'PC'[account % 2]}"
