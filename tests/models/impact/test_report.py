"""The impact report by hand: two runs of one run type, two periods, two parties."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from engine.variants import VARIANTS
from models.impact.day import RunImpact
from models.impact.report import (
    DayFailure,
    DayRetry,
    delta_histogram,
    distribution,
    impact_report,
    price_deltas,
)

D1, D2 = date(2024, 6, 12), date(2024, 6, 13)


def impact(day, run_type, price_base, price_variant, charges_base, charges_variant, setters=None):
    setter_base = np.array(["stack A #1 pair 1", "mip"])
    return RunImpact(
        run_id=1,
        label=f"{day.isoformat()} {run_type}",
        run_type=run_type,
        settlement_date=day,
        periods=np.array([1, 2]),
        price_base=np.array(price_base, dtype=float),
        price_variant=np.array(price_variant, dtype=float),
        niv_base=np.array([10.0, -5.0]),
        niv_variant=np.array([10.0, -4.0]),
        setter_base=setter_base,
        setter_variant=setter_base if setters is None else np.array(setters),
        parties=("P1", "P2"),
        charges_base=np.array(charges_base, dtype=float),
        charges_variant=np.array(charges_variant, dtype=float),
    )


def test_distribution_of_deltas_by_hand():
    summary = distribution(np.array([0.0, 1.0, -3.0, 2.0, np.nan]))
    assert summary["count"] == 4 and summary["unavailable"] == 1 and summary["changed"] == 3
    assert summary["mean"] == 0.0 and summary["mean_abs"] == 1.5
    assert (summary["min"], summary["p50"], summary["max"]) == (-3.0, 0.5, 2.0)
    assert summary["p25"] == pytest.approx(-0.75)  # linear: between −3 and 0 at 3/4
    assert distribution(np.array([np.nan])) == {"count": 0, "unavailable": 1, "changed": 0}


def test_report_per_run_type_worst_periods_parties_and_totals():
    zero = [[0] * 5, [0] * 5]
    runs = [
        # Day 2 first: the report orders by date whatever order the days came in.
        impact(D2, "SF", [50, 60], [40, 60], zero, [[0, 0, 30, 0, -30], [0, 0, -10, 0, 10]],
               setters=["stack B #2 pair 1", "mip"]),
        impact(D1, "SF", [50, np.nan], [55, np.nan], [[100, 0, 20, 5, 85], [0] * 5],
               [[100, 0, 25, 5, 80], [0] * 5]),
        impact(D1, "II", [50, 60], [50, 60], zero, zero),
    ]  # fmt: skip
    failure = DayFailure(date(2024, 6, 14), 2, "OSError: disk")
    document = impact_report(VARIANTS["par-50"], D1, date(2024, 6, 14), runs, [failure]).as_json()
    assert document["format"] == "impact-report/1" and document["variant"]["name"] == "par-50"
    assert (document["days"], document["runs"]) == (2, 3)
    assert document["failures"] == [
        {"settlement_date": "2024-06-14", "attempts": 2, "error": "OSError: disk"}
    ]
    assert list(document["run_types"]) == ["II", "SF"]
    sf = document["run_types"]["SF"]
    # Price deltas of SF: day 1: +5, NaN; day 2: −10, 0.
    assert sf["price_delta"]["count"] == 3 and sf["price_delta"]["unavailable"] == 1
    assert sf["price_delta"]["changed"] == 2 and sf["price_delta"]["min"] == -10.0
    assert sf["niv_delta"]["changed"] == 2  # period 2 of both runs: −5 → −4
    assert [(w["settlement_date"], w["period"], w["price_delta"]) for w in sf["worst_periods"]] \
        == [("2024-06-13", 1, -10.0), ("2024-06-12", 1, 5.0)]  # fmt: skip
    assert sf["price_setter_changed"]["count"] == 1
    assert sf["price_setter_changed"]["periods"][0]["setter_variant"] == "stack B #2 pair 1"
    p1, p2 = sf["parties"]  # largest |Δ net| first: P1 −5 − 30 = −35, P2 +10
    assert (p1["party"], p1["net_delta"], p1["caei_delta"]) == ("P1", -35.0, 35.0)
    assert (p2["party"], p2["net_delta"], p2["caei_base"]) == ("P2", 10.0, 0.0)
    assert sf["totals"]["caei"] == {"base": 20.0, "variant": 45.0, "delta": 25.0}
    assert sf["totals"]["cbm"]["delta"] == 0.0
    ii = document["run_types"]["II"]
    assert ii["price_delta"]["changed"] == 0 and ii["worst_periods"] == []


def test_histogram_bins_are_symmetric_about_zero_by_hand():
    centres, counts = delta_histogram(np.array([-2.0, 0.0, 0.0, 1.0, np.nan]), bins=5)
    # ±2 in 5 bins of 0.8: centres −1.6, −0.8, 0, 0.8, 1.6; 1.0 falls in (0.4, 1.2].
    assert centres == pytest.approx([-1.6, -0.8, 0.0, 0.8, 1.6])
    assert counts.tolist() == [1, 0, 2, 1, 0]
    centres, counts = delta_histogram(np.zeros(4))
    assert centres.tolist() == [0.0] and counts.tolist() == [4]  # no change: one bin


def test_retries_are_listed_in_the_report_and_runs_by_run_type():
    zero = [[0] * 5, [0] * 5]
    runs = [impact(D2, "SF", [50, 60], [40, 60], zero, zero),
            impact(D1, "II", [50, 60], [50, 60], zero, zero)]  # fmt: skip
    report = impact_report(VARIANTS["par-50"], D1, D2, runs, [],
                           retries=[DayRetry(D2, 1, "KilledWorker: died")])  # fmt: skip
    assert report.as_json()["retried"] == [
        {"settlement_date": "2024-06-13", "attempt": 1, "error": "KilledWorker: died"}
    ]
    assert report.run_types() == ["II", "SF"]
    assert [r.label for r in report.runs_of("SF")] == ["2024-06-13 SF"]
    assert price_deltas(report.runs_of("SF")).tolist() == [-10.0, 0.0]
    assert price_deltas([]).size == 0
