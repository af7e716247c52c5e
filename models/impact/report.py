"""The impact report: the days' RunImpacts aggregated per run type (a run type's runs are one
settlement of each day, so its £ totals count each day once): price and NIV delta
distributions, the worst periods, £ per party and charge, totals, and the periods whose price
setter changed. Deltas are variant − base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from engine.settlement_calendar import RunType
from engine.variants import Variant
from models.impact.day import CHARGES, RunImpact

FORMAT = "impact-report/1"
# A delta smaller than this is rounding, not a change (£/MWh, MWh).
CHANGED = 1e-9
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True, slots=True)
class DayFailure:
    """A date that failed every attempt: reported, never dropped.

    Attributes
    ----------
    settlement_date : date
    attempts : int
        How many times it was tried.
    error : str
        The last attempt's error, one line.
    """

    settlement_date: date
    attempts: int
    error: str

    def as_json(self) -> dict:
        return {
            "settlement_date": self.settlement_date.isoformat(),
            "attempts": self.attempts,
            "error": self.error,
        }


@dataclass(frozen=True, slots=True)
class DayRetry:
    """An attempt at a date that failed and was tried again (the date may still have
    succeeded: the report says so, so that a flaky worker or database is seen).

    Attributes
    ----------
    settlement_date : date
    attempt : int
        Which attempt failed, 1 for the first.
    error : str
        Its error, one line.
    """

    settlement_date: date
    attempt: int
    error: str

    def as_json(self) -> dict:
        return {
            "settlement_date": self.settlement_date.isoformat(),
            "attempt": self.attempt,
            "error": self.error,
        }


def distribution(deltas: np.ndarray) -> dict:
    """Count, changes, mean, mean |Δ|, min, 5/25/50/75/95 % quantiles and max of the finite
    deltas; `unavailable` counts the NaN ones (a price unavailable in either settlement)."""
    finite = deltas[np.isfinite(deltas)]
    summary = {
        "count": int(finite.size),
        "unavailable": int(deltas.size - finite.size),
        "changed": int(np.count_nonzero(np.abs(finite) > CHANGED)),
    }
    if finite.size == 0:
        return summary
    values = np.quantile(finite, QUANTILES)
    return summary | {
        "mean": float(finite.mean()),
        "mean_abs": float(np.abs(finite).mean()),
        "min": float(finite.min()),
        **{f"p{round(q * 100)}": float(v) for q, v in zip(QUANTILES, values, strict=True)},
        "max": float(finite.max()),
    }


def _worst_periods(impacts: list[RunImpact], count: int) -> list[dict]:
    rows = []
    for run in impacts:
        delta = run.price_variant - run.price_base
        for i in np.flatnonzero(np.abs(np.nan_to_num(delta)) > CHANGED):
            rows.append((abs(float(delta[i])), run, int(i)))
    # Largest |Δ| first; ties by date, then period: the same order on every executor.
    rows.sort(key=lambda r: (-r[0], r[1].settlement_date, int(r[1].periods[r[2]])))
    return [
        {
            "settlement_date": run.settlement_date.isoformat(),
            "run": run.label,
            "period": int(run.periods[i]),
            "price_base": float(run.price_base[i]),
            "price_variant": float(run.price_variant[i]),
            "price_delta": float(run.price_variant[i] - run.price_base[i]),
            "niv_base": float(run.niv_base[i]),
            "niv_variant": float(run.niv_variant[i]),
            "setter_base": str(run.setter_base[i]),
            "setter_variant": str(run.setter_variant[i]),
        }
        for _, run, i in rows[:count]
    ]


def _parties(impacts: list[RunImpact]) -> tuple[list[dict], dict]:
    base: dict[str, np.ndarray] = {}
    varied: dict[str, np.ndarray] = {}
    for run in impacts:
        for p, party in enumerate(run.parties):
            base[party] = base.get(party, 0.0) + run.charges_base[p]
            varied[party] = varied.get(party, 0.0) + run.charges_variant[p]
    rows = [
        {
            "party": party,
            **{f"{c}_base": float(base[party][i]) for i, c in enumerate(CHARGES)},
            **{f"{c}_variant": float(varied[party][i]) for i, c in enumerate(CHARGES)},
            **{
                f"{c}_delta": float(varied[party][i] - base[party][i])
                for i, c in enumerate(CHARGES)
            },
        }
        for party in base
    ]
    rows.sort(key=lambda r: (-abs(r["net_delta"]), r["party"]))
    totals = {
        c: {
            "base": float(sum(r[f"{c}_base"] for r in rows)),
            "variant": float(sum(r[f"{c}_variant"] for r in rows)),
            "delta": float(sum(r[f"{c}_delta"] for r in rows)),
        }
        for c in CHARGES
    }
    return rows, totals


def _run_type_section(impacts: list[RunImpact], worst: int) -> dict:
    price = np.concatenate([r.price_variant - r.price_base for r in impacts])
    niv = np.concatenate([r.niv_variant - r.niv_base for r in impacts])
    changed = [
        {
            "settlement_date": r.settlement_date.isoformat(),
            "run": r.label,
            "period": int(r.periods[i]),
            "setter_base": str(r.setter_base[i]),
            "setter_variant": str(r.setter_variant[i]),
        }
        for r in impacts
        for i in np.flatnonzero(r.setter_changed)
    ]
    parties, totals = _parties(impacts)
    return {
        "runs": len(impacts),
        "periods": int(price.size),
        "price_delta": distribution(price),
        "niv_delta": distribution(niv),
        "worst_periods": _worst_periods(impacts, worst),
        "price_setter_changed": {"count": len(changed), "periods": changed},
        "parties": parties,
        "totals": totals,
    }


@dataclass(frozen=True, slots=True)
class ImpactReport:
    """What a variant changed over a date range.

    Attributes
    ----------
    variant : Variant
    date_from, date_to : date
    days : int
        Dates settled (both ways).
    impacts : tuple of RunImpact
        Every run settled, by date then run type.
    failures : tuple of DayFailure
        Dates that failed every attempt.
    worst : int
        How many worst periods each run type lists.
    retries : tuple of DayRetry
        Failed attempts that were tried again.
    """

    variant: Variant
    date_from: date
    date_to: date
    days: int
    impacts: tuple[RunImpact, ...]
    failures: tuple[DayFailure, ...]
    worst: int = 10
    retries: tuple[DayRetry, ...] = ()

    def run_types(self) -> list[str]:
        """The run types settled, in run type order (II first)."""
        return sorted({r.run_type for r in self.impacts}, key=lambda t: RunType(t).rank)

    def runs_of(self, run_type: str) -> list[RunImpact]:
        """The runs of one run type, by date."""
        return [r for r in self.impacts if r.run_type == run_type]

    def as_json(self) -> dict:
        """The report as the ``impact-report/1`` JSON document (plain values, no NaN).

        Returns
        -------
        dict
        """
        by_type: dict[str, list[RunImpact]] = {}
        for run in self.impacts:
            by_type.setdefault(run.run_type, []).append(run)
        return {
            "format": FORMAT,
            "variant": self.variant.as_json(),
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "days": self.days,
            "runs": len(self.impacts),
            "failures": [f.as_json() for f in self.failures],
            "retried": [r.as_json() for r in self.retries],
            "run_types": {
                t: _run_type_section(by_type[t], self.worst)
                for t in sorted(by_type, key=lambda t: RunType(t).rank)
            },
        }


def impact_report(
    variant: Variant,
    date_from: date,
    date_to: date,
    impacts: list[RunImpact],
    failures: list[DayFailure],
    worst: int = 10,
    retries: list[DayRetry] = (),
) -> ImpactReport:
    """Aggregate the days' impacts, in date and run type order whatever order they came in.

    Parameters
    ----------
    variant : Variant
    date_from, date_to : date
        The range asked for.
    impacts : list of RunImpact
        Every run settled.
    failures : list of DayFailure
        Every date that failed.
    worst : int, default 10
        Worst periods listed per run type.
    retries : list of DayRetry, default ()
        Failed attempts that were tried again.

    Returns
    -------
    ImpactReport
    """
    ordered = sorted(impacts, key=lambda r: (r.settlement_date, RunType(r.run_type).rank))
    days = len({r.settlement_date for r in ordered})
    return ImpactReport(
        variant,
        date_from,
        date_to,
        days,
        tuple(ordered),
        tuple(sorted(failures, key=lambda f: f.settlement_date)),
        worst,
        tuple(sorted(retries, key=lambda r: (r.settlement_date, r.attempt))),
    )


def price_deltas(runs: list[RunImpact]) -> np.ndarray:
    """Variant − base price of every settled period of `runs`, in their order, £/MWh."""
    if not runs:
        return np.zeros(0)
    return np.concatenate([r.price_variant - r.price_base for r in runs])


def delta_histogram(deltas: np.ndarray, bins: int = 41) -> tuple[np.ndarray, np.ndarray]:
    """Counts of the finite deltas in `bins` equal bins spanning them symmetrically about 0
    (so that the zero bin, "no change", sits in the middle); all zero: one bin around 0.

    Parameters
    ----------
    deltas : numpy.ndarray of float
    bins : int, default 41
        Odd, so that one bin is centred on 0.

    Returns
    -------
    centres, counts : numpy.ndarray
        Bin centres and how many deltas fall in each.
    """
    finite = deltas[np.isfinite(deltas)]
    span = float(np.abs(finite).max()) if finite.size else 0.0
    if span <= CHANGED:
        return np.zeros(1), np.array([finite.size])
    edges = np.linspace(-span, span, bins + 1)
    counts, _ = np.histogram(finite, edges)
    return (edges[:-1] + edges[1:]) / 2, counts
