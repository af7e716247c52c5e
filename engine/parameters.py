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
    """One entry of a dated parameter table (R-PAR).

    Attributes
    ----------
    effective_from : date
        First settlement date the value applies to.
    value : float
        The parameter's value, in its unit (see SettlementParameters).
    status : str
        ``confirmed`` or ``assumed`` (rulebook §3).
    """

    effective_from: date
    value: float
    status: str


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
    """The parameter values in force for one settlement date, after any case overrides (R-PAR).

    Attributes
    ----------
    par : float
        Price average reference volume PAR, MWh (R-PRC-PAR).
    rpar : float
        Replacement price reference volume RPAR, MWh (R-PRC-REPL; assumed value).
    dmat : float
        De minimis acceptance threshold DMAT, MWh (R-PRC-DMAT).
    cadl_minutes : float
        Continuous acceptance duration limit CADL, minutes (R-VOL-CADL).
    voll : float
        Value of lost load VoLL, £/MWh (R-PRC-STOR); before 2018-11-01 an assumed value.
    alpha : float
        Share α of the losses on delivering Trading Units, dimensionless (R-TLM).
    information_imbalance_price : float
        £/MWh; 0 always (R-ND).
    materiality_threshold : float
        Dispute materiality threshold, £ (rulebook §11).
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
        """The same parameters with some values replaced (a case's overrides).

        Parameters
        ----------
        overrides : dict of str to float
            New values by PARAMETER_NAMES name, in the parameter's unit.

        Returns
        -------
        SettlementParameters
            A copy with the overridden values.

        Raises
        ------
        KeyError
            When a name is not a parameter.
        """
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


def _refuse_before_single_price(settlement_date: date) -> None:
    if settlement_date < SINGLE_PRICE_FROM:
        raise DateOutOfScopeError(
            f"settlement date {settlement_date.isoformat()} is before single imbalance pricing "
            f"({SINGLE_PRICE_FROM.isoformat()}, P305); dual-price settlement is not supported"
        )


def _value_on(name: str, settlement_date: date) -> DatedValue:
    # Every table starts on SINGLE_PRICE_FROM, so an earlier date has no entry at all.
    _refuse_before_single_price(settlement_date)
    applicable = [v for v in _TABLES[name] if v.effective_from <= settlement_date]
    return applicable[-1]


def parameters_for(settlement_date: date) -> SettlementParameters:
    """The dated defaults in force on a settlement date (R-PAR).

    Parameters
    ----------
    settlement_date : date
        The settlement day.

    Returns
    -------
    SettlementParameters
        The last value of each table effective on or before the date.

    Raises
    ------
    DateOutOfScopeError
        Before 2015-11-05 (dual pricing, P305: not settled; rulebook §15).
    """
    _refuse_before_single_price(settlement_date)
    return SettlementParameters(**{n: _value_on(n, settlement_date).value for n in PARAMETER_NAMES})


def parameter_status(name: str, settlement_date: date) -> str:
    """Whether the value of a parameter in force on a date is confirmed or assumed (R-PAR).

    Parameters
    ----------
    name : str
        One of PARAMETER_NAMES.
    settlement_date : date
        The settlement day, on or after 2015-11-05.

    Returns
    -------
    str
        ``confirmed`` or ``assumed``.

    Raises
    ------
    DateOutOfScopeError
        Before 2015-11-05, as parameters_for.
    """
    return _value_on(name, settlement_date).status
