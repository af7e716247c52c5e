"""The impact workbook (models/exports/impact_xlsx.py) of a report made by hand: two SF runs of
two periods and two parties, one retried date and one failed date; its cells read back, its
charts read from the package's chart parts (openpyxl does not load charts)."""

from __future__ import annotations

import re
import zipfile
from datetime import date

import numpy as np
import pytest
from openpyxl import load_workbook

from engine.variants import VARIANTS
from models.core.errors import WorkbenchInputError
from models.exports.impact_xlsx import write_impact_workbook
from models.impact.day import RunImpact
from models.impact.report import DayFailure, DayRetry, impact_report

D1, D2, D3 = date(2024, 6, 12), date(2024, 6, 13), date(2024, 6, 14)


def run(day, price_base, price_variant, charges_variant, setter_variant):
    return RunImpact(
        run_id=1,
        label=f"{day.isoformat()} SF",
        run_type="SF",
        settlement_date=day,
        periods=np.array([1, 2]),
        price_base=np.array(price_base, dtype=float),
        price_variant=np.array(price_variant, dtype=float),
        niv_base=np.array([10.0, -5.0]),
        niv_variant=np.array([10.0, -4.0]),
        setter_base=np.array(["stack A #1 pair 1", "mip"]),
        setter_variant=np.array(setter_variant),
        parties=("P1", "P2"),
        charges_base=np.zeros((2, 5)),
        charges_variant=np.array(charges_variant, dtype=float),
    )


@pytest.fixture
def report():
    runs = [
        run(D1, [50, np.nan], [55, np.nan], [[0, 0, 5, 0, -5], [0] * 5],
            ["stack A #1 pair 1", "mip"]),
        run(D2, [50, 60], [40, 60], [[0, 0, 30, 0, -30], [0, 0, -10, 0, 10]],
            ["stack B #2 pair 1", "mip"]),
    ]  # fmt: skip
    return impact_report(
        VARIANTS["par-50"], D1, D3, runs, [DayFailure(D3, 2, "OSError: disk")],
        retries=[DayRetry(D2, 1, "KilledWorker: died"), DayRetry(D3, 1, "OSError: disk")],
    )  # fmt: skip


def rows(sheet, first=2):
    return [list(r) for r in sheet.iter_rows(min_row=first, values_only=True)]


def test_the_sheets_hold_the_report(tmp_path, report):
    path = write_impact_workbook(report, tmp_path / "impact.xlsx", where="1 process")
    book = load_workbook(path)
    assert book.sheetnames == [
        "Summary", "Run types", "Periods", "Worst periods", "Parties", "Totals",
        "Price setter changed", "Failures", "Charts SF",
    ]  # fmt: skip
    summary = dict(rows(book["Summary"]))
    assert summary["Modification impact"].startswith("par-50: ")
    assert summary["Rules changed"] == "R-PRC-PAR"
    assert (summary["Days settled"], summary["Runs settled"], summary["Days failed"]) == (2, 2, 1)
    assert summary["Attempts retried"] == 2 and summary["Settled on"] == "1 process"
    assert summary["FAILED"] == "2024-06-14 after 2 attempt(s): OSError: disk"
    assert "Elexon" in summary["Attribution"]
    # Periods: Δ = variant − base; an unavailable price is an empty cell, never 'nan'.
    periods = rows(book["Periods"])
    assert [(r[2], r[3], r[4], r[7], r[10], r[13]) for r in periods] == [
        ("2024-06-12 SF", 1, "2024-06-12 P01", 5, 0, False),
        ("2024-06-12 SF", 2, "2024-06-12 P02", None, 1, False),
        ("2024-06-13 SF", 1, "2024-06-13 P01", -10, 0, True),
        ("2024-06-13 SF", 2, "2024-06-13 P02", 0, 1, False),
    ]
    assert periods[0][5] == 50 and periods[0][6] == 55 and periods[1][5] is None
    (sf,) = rows(book["Run types"])
    header = [c.value for c in book["Run types"][1]]
    values = dict(zip(header, sf, strict=True))
    assert (values["run type"], values["runs"], values["periods"]) == ("SF", 2, 4)
    assert values["price Δ changed"] == 2 and values["price Δ unavailable"] == 1
    assert values["price Δ min"] == -10 and values["price Δ max"] == 5
    assert values["price Δ median"] == 0 and values["NIV Δ changed"] == 2
    assert values["price setter changed"] == 1 and values["CAEI Δ £"] == 25
    worst = rows(book["Worst periods"])
    assert [(r[2], r[3], r[6]) for r in worst] == [
        ("2024-06-13 SF", 1, -10),
        ("2024-06-12 SF", 1, 5),
    ]
    parties = rows(book["Parties"])  # largest |net Δ| first: P1 −35, P2 +10
    assert [(r[1], r[2], r[5]) for r in parties] == [("P1", -35, 35), ("P2", 10, -10)]
    totals = {r[1]: r[2:] for r in rows(book["Totals"])}
    assert totals["CAEI"] == [0, 25, 25] and totals["net"] == [0, -25, -25]
    (setter,) = rows(book["Price setter changed"])
    assert setter[2:] == ["2024-06-13 SF", 1, "stack A #1 pair 1", "stack B #2 pair 1"]
    failures = rows(book["Failures"], first=3)
    assert [(r[0].date(), r[1], r[2]) for r in failures] == [
        (D2, 1, "retried"), (D3, 1, "retried"), (D3, 2, "failed every attempt")
    ]  # fmt: skip


def test_the_plots_are_native_charts_over_the_cells(tmp_path, report):
    path = write_impact_workbook(report, tmp_path / "impact.xlsx")
    with zipfile.ZipFile(path) as package:
        charts = [package.read(n).decode() for n in sorted(package.namelist())
                  if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]  # fmt: skip
    histogram, bars, series = charts
    assert '<barDir val="col"/>' in histogram and "distribution of price Δ" in histogram
    assert '<barDir val="bar"/>' in bars and "net Δ £ per party" in bars
    assert "<lineChart>" in series and "price Δ £/MWh by settlement period" in series
    # The series is the Periods sheet's price Δ column of the SF rows, by date and period.
    assert "<val><numRef><f>'Periods'!$H$2:$H$5</f>" in series
    assert "<cat><strRef><f>'Periods'!$E$2:$E$5</f>" in series  # "2024-06-12 P01"…
    assert "<val><numRef><f>'Charts SF'!$E$3:$E$4</f>" in bars  # net Δ of P1 and P2
    assert "<cat><strRef><f>'Charts SF'!$D$3:$D$4</f>" in bars
    assert "<val><numRef><f>'Charts SF'!$B$3:$B$43</f>" in histogram  # 41 bins
    bins = rows(load_workbook(path)["Charts SF"], first=3)
    counts = [r[1] for r in bins if r[1] is not None]
    # Three finite deltas (+5, −10, 0) in 41 bins over ±10: −10 first, 0 in the middle.
    assert len(counts) == 41 and sum(counts) == 3
    assert counts[0] == 1 and counts[20] == 1 and counts[30] == 1
    assert bins[0][0] == pytest.approx(-10 + 10 / 41)


def test_a_folder_that_is_not_there_is_one_line_and_nothing_written(tmp_path, report):
    with pytest.raises(WorkbenchInputError, match=r"is not a folder; cannot write impact\.xlsx"):
        write_impact_workbook(report, tmp_path / "missing" / "impact.xlsx")
    assert not (tmp_path / "missing").exists()
