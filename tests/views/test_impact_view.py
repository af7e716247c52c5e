"""The Impact view (views/impact_view.py) given a report made by hand: two SF runs and an II
run of two periods, three parties, a retried and a failed date: the verdict, the histogram,
the party bars, the time series and the tables; screenshots at both sizes."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyqtgraph as pg
import pytest

from engine.variants import VARIANTS
from models.impact.day import RunImpact
from models.impact.report import DayFailure, DayRetry, impact_report
from tests.views.screens import save_screens
from views.impact_view import ImpactView

D1, D2, D3 = date(2024, 6, 12), date(2024, 6, 13), date(2024, 6, 14)


def run(day, run_type, price_variant, net_variant):
    charges = np.zeros((3, 5))
    charges[:, 4] = net_variant
    charges[:, 2] = -np.array(net_variant, dtype=float)  # the moves are CAEI's
    return RunImpact(
        run_id=1, label=f"{day.isoformat()} {run_type}", run_type=run_type, settlement_date=day,
        periods=np.array([1, 2]), price_base=np.array([50.0, 60.0]),
        price_variant=np.array(price_variant, dtype=float), niv_base=np.array([10.0, -5.0]),
        niv_variant=np.array([10.0, -5.0]), setter_base=np.array(["stack A #1 pair 1", "mip"]),
        setter_variant=np.array(["stack B #1 pair 1" if price_variant[0] != 50 else
                                 "stack A #1 pair 1", "mip"]),
        parties=("P1", "P2", "P3"), charges_base=np.zeros((3, 5)), charges_variant=charges,
    )  # fmt: skip


@pytest.fixture
def view(qtbot):
    widget = ImpactView()
    qtbot.addWidget(widget)
    widget.resize(1600, 1000)
    widget.show()
    runs = [run(D1, "II", [50, 60], [0, 0, 0]), run(D1, "SF", [55, 60], [-40, 25, 0]),
            run(D2, "SF", [40, np.nan], [-10, 15, 0.001])]  # fmt: skip
    report = impact_report(VARIANTS["par-50"], D1, D3, runs, [DayFailure(D3, 2, "OSError: disk")],
                           retries=[DayRetry(D3, 1, "OSError: disk")])  # fmt: skip
    widget.show_report(report, "1 process", 1.5)
    return widget


def bars(plot) -> pg.BarGraphItem:
    (item,) = [i for i in plot.items if isinstance(i, pg.BarGraphItem)]
    return item


def test_the_sf_runs_show_first_with_their_verdict(view):
    assert view.title.text() == (
        "par-50: 2 day(s), 3 run(s) from 2024-06-12 to 2024-06-14; 1 process, 1.5 s"
    )
    assert [view.run_type.itemText(i) for i in range(2)] == ["II", "SF"]
    assert view.run_type.currentText() == "SF"
    text = view.summary.text()
    assert text.startswith("SF: 2 run(s), 4 periods. Price Δ in 2 of 3 periods")
    assert "min -10.00, max +5.00 £/MWh" in text and "price setter changed in 2." in text
    assert (
        "Totals Δ: CBM £+0.00, CND £+0.00, CAEI £+10.00, RCRC £+0.00 (the rulebook's signs: "
        "CBM and RCRC paid to the parties, CND and CAEI paid by them)." in text
    )
    assert "1 date(s) FAILED every attempt (not in these figures); 1 attempt(s) retried" in text


def test_histogram_party_bars_and_time_series(view):
    heights = bars(view.histogram).opts["height"]
    assert sum(heights) == 3 and heights[0] == 1  # +5, −10, 0: −10 in the first bin
    party = bars(view.party_plot)
    # Largest |net Δ| on top: P1 −50, P2 +40; P3's £0.001 is not a move.
    assert list(party.opts["width"]) == [-50.0, 40.0]
    (ticks,) = view.party_plot.getAxis("left")._tickLevels
    assert [name for _, name in ticks] == ["P1", "P2"]
    (line,) = view.series.listDataItems()
    x, y = line.getOriginalDataset()
    assert list(x) == [0, 1, 2, 3] and np.array_equal(y, [5.0, 0.0, -10.0, np.nan], equal_nan=True)
    assert view.date_axis.starts == {0: "2024-06-12", 2: "2024-06-13"}


def test_tables_and_another_run_type(view):
    assert view.worst.model.rowCount() == 2 and view.parties.model.rowCount() == 3
    assert view.setters.model.rowCount() == 2
    assert view.failures.model.rowCount() == 2
    assert view.tables.tabText(3) == "Failures and retries (2)"
    assert view.failures.model.raw(1, 2) == "FAILED every attempt"
    view.run_type.setCurrentText("II")
    assert view.summary.text().startswith("II: 1 run(s), 2 periods. Price Δ in 0 of 2 periods")
    assert view.worst.model.rowCount() == 0
    assert view.party_plot.getAxis("bottom").labelText.startswith("net Δ £ (no party moved)")


def test_screens(view, tmp_path):
    for path in save_screens(view, tmp_path, "impact_view"):
        assert path.exists()
