"""Dated settlement parameters (rule R-PAR).

Every parameter is looked up by settlement date from a dated table; a case may override any of
them. Pricing before the single imbalance price (2015-11-05, P305) is out of scope for v1 and is
refused with a clear message.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

RULE_ID = "R-PAR"
SINGLE_PRICE_FROM = date(2015, 11, 5)


@dataclass(frozen=True, slots=True)
class DatedValue:
    effective_from: date
    value: float
    status: str  # "confirmed" or "assumed"


# Each table is ordered by effective date; the last entry not after the settlement date applies.
_TABLES: dict[str, tuple[DatedValue, ...]] = {
    "par": (
        # Elexon: "50 MWh from winter 2015/16, then 1 MWh from winter 2018/19" (v2: confirmed).
        DatedValue(date(2015, 11, 5), 50.0, "confirmed"),
        DatedValue(date(2018, 11, 1), 1.0, "confirmed"),
    ),
    "rpar": (
        DatedValue(date(2015, 11, 5), 1.0, "assumed"),
        DatedValue(date(2018, 11, 1), 1.0, "assumed"),
    ),
    "dmat": (
        DatedValue(date(2015, 11, 5), 1.0, "confirmed"),
        DatedValue(date(2019, 4, 1), 0.1, "confirmed"),
    ),
    "cadl_minutes": (
        DatedValue(date(2015, 11, 5), 15.0, "confirmed"),
        DatedValue(date(2019, 4, 1), 10.0, "confirmed"),
    ),
    "voll": (
        # Before 2018-11-01 VoLL was not in the price; the rulebook gives no earlier value.
        DatedValue(date(2015, 11, 5), 3000.0, "assumed"),
        DatedValue(date(2018, 11, 1), 6000.0, "confirmed"),
    ),
    "alpha": (DatedValue(date(2015, 11, 5), 0.45, "confirmed"),),
    "information_imbalance_price": (DatedValue(date(2015, 11, 5), 0.0, "confirmed"),),
    "materiality_threshold": (DatedValue(date(2015, 11, 5), 3000.0, "confirmed"),),
}


@dataclass(frozen=True, slots=True)
class SettlementParameters:
    """The parameter values in force for one settlement date (after any case overrides).

    par: price average reference volume PAR (MWh); rpar: replacement price reference volume
    RPAR (MWh); dmat: de minimis acceptance threshold DMAT (MWh); cadl_minutes: continuous
    acceptance duration limit CADL; voll: value of lost load VoLL (£/MWh); alpha: share α of
    losses on delivering units; information_imbalance_price (£/MWh); materiality_threshold (£).
    """

    par: float
    rpar: float
    dmat: float
    cadl_minutes: float
    voll: float
    alpha: float
    information_imbalance_price: float
    materiality_threshold: float

    def with_overrides(self, overrides: dict[str, float]) -> SettlementParameters:
        unknown = set(overrides) - set(PARAMETER_NAMES)
        if unknown:
            raise KeyError(
                f"unknown parameter(s) {', '.join(sorted(unknown))}; "
                f"expected one of {', '.join(PARAMETER_NAMES)}"
            )
        return replace(self, **{k: float(v) for k, v in overrides.items()})


PARAMETER_NAMES: tuple[str, ...] = tuple(f.name for f in fields(SettlementParameters))


class DateOutOfScopeError(ValueError):
    """The settlement date is before single imbalance pricing, which v1 does not settle."""


def _value_on(name: str, settlement_date: date) -> DatedValue:
    applicable = [v for v in _TABLES[name] if v.effective_from <= settlement_date]
    return applicable[-1]


def parameters_for(settlement_date: date) -> SettlementParameters:
    """The dated defaults in force on `settlement_date` (R-PAR)."""
    if settlement_date < SINGLE_PRICE_FROM:
        raise DateOutOfScopeError(
            f"settlement date {settlement_date.isoformat()} is before single imbalance pricing "
            f"({SINGLE_PRICE_FROM.isoformat()}, P305); dual-price settlement is not supported"
        )
    return SettlementParameters(**{n: _value_on(n, settlement_date).value for n in PARAMETER_NAMES})


def parameter_status(name: str, settlement_date: date) -> str:
    """'confirmed' or 'assumed' for the value of `name` in force on `settlement_date`."""
    return _value_on(name, settlement_date).status
