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


def read_out(crosshair, x: float, y: float | None = None) -> str:
    """The hover read-out with the pointer at (x, y) of the crosshair's chart ("" if none)."""
    from PySide6.QtCore import QPointF

    vb = crosshair.plot.vb
    (_, _), (bottom, top) = vb.viewRange()
    where = vb.mapViewToScene(QPointF(x, (bottom + top) / 2 if y is None else y))
    crosshair.move_to(where)
    return crosshair.label.textItem.toPlainText() if crosshair.label.isVisible() else ""


def test_every_chart_reads_out_what_is_under_the_pointer(view, tmp_path):
    histogram, party, series = view.crosshairs
    # SF price Δ +5, 0, −10 (one n/a): 41 bins of 20/41 £/MWh from −10, −10 in the first.
    assert read_out(histogram, -9.8) == "price Δ -10.00 to -9.51 £/MWh\n1 period(s)"
    assert read_out(histogram, 0.0) == "price Δ -0.24 to +0.24 £/MWh\n1 period(s)"
    assert read_out(histogram, 20.0) == ""  # beyond the last bin
    # Bars across: the row under the pointer, P1 on top (−£40 − £10, all of it CAEI's).
    assert read_out(party, -20.0, 0.1) == (
        "P1\nnet Δ £-50.00 (£0.00 → £-50.00)\nCBM Δ £+0.00, CND Δ £+0.00\n"
        "CAEI Δ £+50.00, RCRC Δ £+0.00"
    )
    assert party.line.angle == 0 and party.line.value() == pytest.approx(0.1)
    assert read_out(party, 10.0, -1.2).startswith("P2\nnet Δ £+40.00 (£0.00 → £40.00)")
    assert read_out(party, 10.0, -2.0) == ""  # P3 did not move: no bar, no read-out
    # The time series: position 2 is the first period of 2024-06-13 (a BST day).
    assert read_out(series, 2.2) == (
        "2024-06-13 period 1 (00:00 BST)\nprice Δ -10.00 £/MWh\nbase £50.00/MWh, variant £40.00/MWh"
    )
    assert read_out(series, 3.0) == (
        "2024-06-13 period 2 (00:30 BST)\nprice Δ n/a (a price unavailable)\n"
        "base £60.00/MWh, variant n/a"
    )
    for path in save_screens(view, tmp_path, "impact_view_hover"):
        assert path.exists()
    # Another run type: nothing of the SF runs is read out on the II run's charts.
    view.run_type.setCurrentText("II")
    assert not any(c.label.isVisible() for c in view.crosshairs)
    assert read_out(series, 3.0) == ""  # the II run has two periods
    assert read_out(party, 0.0, 0.0) == ""  # no party moved
    assert read_out(histogram, 0.0) == "price Δ -0.50 to +0.50 £/MWh\n2 period(s)"


def test_a_click_on_the_time_series_selects_its_period(view, qtbot):
    from PySide6.QtCore import QPointF

    class Click:
        def __init__(self, x: float) -> None:
            vb = view.series.vb
            (_, _), (bottom, top) = vb.viewRange()
            self.position = vb.mapViewToScene(QPointF(x, (bottom + top) / 2))

        def scenePos(self):
            return self.position

    with qtbot.waitSignal(view.period_clicked) as clicked:
        view._clicked(Click(1.9))
    assert clicked.args == [D2, 1]
    assert view.selected_mark.isVisible() and view.selected_mark.value() == 2
    with qtbot.assertNotEmitted(view.period_clicked):
        view._clicked(Click(7.0))  # beyond the last period
        hist_vb = view.histogram.vb
        view._clicked(type("C", (), {"scenePos": lambda s: hist_vb.sceneBoundingRect().center()})())
    view.run_type.setCurrentText("II")
    assert not view.selected_mark.isVisible()


def test_the_parties_table_ends_with_their_totals(view):
    """Pinned under the Parties table: the sums of the SF runs' party charges, which are the
    summary's "Totals Δ" (CAEI +£10.00: P1 +£50, P2 −£40, P3 −£0.001)."""
    totals = view.party_totals
    texts = [totals.model.index(0, c).data() for c in range(totals.model.columnCount())]
    assert texts == ["Total (3)", "-10.00", "0.00", "0.00", "10.00", "0.00", "0.00", "-10.00"]
    section = view.document["run_types"]["SF"]["totals"]
    for charge, title in (("net", "net"), ("caei", "CAEI")):
        assert totals.totals[f"{title} Δ £"] == pytest.approx(section[charge]["delta"])
    view.run_type.setCurrentText("II")
    assert totals.totals["net Δ £"] == 0.0
