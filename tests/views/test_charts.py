"""Charts behave alike (issue 20, item 6): a hover read-out on the day overview and the unit
charts, a click on any of them selects the period, no read-out of one unit left on the next,
keys clear of the data, band edges, MEL and MIL told apart and MEL/MIL keyed only when
present."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF

from tests.views.screens import save_screens
from tests.views.window_driver import open_demo


class Click:
    def __init__(self, position: QPointF) -> None:
        self.position = position

    def scenePos(self) -> QPointF:  # pyqtgraph's MouseClickEvent
        return self.position


def scene_point(plot, x: float, y: float | None = None) -> QPointF:
    (_, _), (bottom, top) = plot.vb.viewRange()
    return plot.vb.mapViewToScene(QPointF(x, (bottom + top) / 2 if y is None else y))


def period_x(view, period: int) -> float:
    return view.result.inputs.bm.day_start + 1800 * (period - 1) + 900  # mid-period


def test_day_overview_hover_and_click_on_either_chart(qtbot, window, demo_path, tmp_path):
    open_demo(qtbot, window, demo_path)
    qtbot.wait(100)  # painted once: the NIV chart's auto-range is set while painting
    overview = window.overview
    price, niv = overview.crosshairs
    assert not price.label.isVisible() and not niv.label.isVisible()
    price.move_to(scene_point(overview.price_plot, 27))
    ssp = window.view.result.prices.ssp[26]
    assert price.label.isVisible() and not niv.label.isVisible()
    text = price.label.textItem.toPlainText()
    assert text.startswith("period 27 (13:00 BST)") and f"SSP = SBP £{ssp:,.2f}/MWh" in text
    niv.move_to(scene_point(overview.niv_plot, 10))
    price.move_to(scene_point(overview.niv_plot, 10))  # the pointer left the price chart
    assert niv.label.isVisible() and not price.label.isVisible()
    assert niv.label.textItem.toPlainText().startswith("period 10 (04:30 BST)")
    save_screens(window, tmp_path, "day_overview_hover")
    with qtbot.waitSignal(overview.period_clicked) as clicked:
        overview._clicked(Click(scene_point(overview.niv_plot, 12)))
    assert clicked.args == [12]
    assert window.period.value() == 12


def test_unit_charts_click_hover_keys_and_pens(qtbot, window, demo_path, tmp_path):
    open_demo(qtbot, window, demo_path)
    window.tabs.setCurrentWidget(window.explorer)
    explorer = window.explorer
    view = window.view
    limits = np.asarray(view.limits["bm_unit_id"], dtype=str)
    kinds = dict(zip(limits, np.asarray(view.limits["notification"], dtype=str), strict=True))
    with_mel = next(u for u in view.units.bm_unit_id if kinds.get(u) == "MEL")
    without = next(u for u in view.units.bm_unit_id if u not in kinds)

    # A click on the MW chart selects its period, as one on the volume chart does.
    assert explorer.select_unit(with_mel)
    for plot, period in ((explorer.level_plot, 31), (explorer.volume_plot, 8)):
        with qtbot.waitSignal(explorer.period_selected) as selected:
            explorer._clicked(Click(scene_point(plot, period_x(view, period))))
        assert selected.args == [period]
    assert window.period.value() == 8

    # Hover: the read-out of this unit; another unit: nothing left of it.
    explorer.crosshair.move_to(scene_point(explorer.level_plot, period_x(view, 20)))
    assert explorer.crosshair.label.isVisible()
    assert "(period 20)" in explorer.crosshair.label.textItem.toPlainText()
    below = scene_point(explorer.volume_plot, period_x(view, 20))
    for crosshair in (explorer.crosshair, explorer.volume_crosshair):  # both hear the mouse
        crosshair.move_to(below)
    assert explorer.volume_crosshair.label.textItem.toPlainText().startswith("period 20 (")
    assert not explorer.crosshair.label.isVisible()  # one read-out at a time
    save_screens(window, tmp_path, "bm_units_hover")
    assert explorer.select_unit(without)
    assert (
        not explorer.crosshair.label.isVisible() and not explorer.volume_crosshair.label.isVisible()
    )
    assert explorer.crosshair.label.textItem.toPlainText() == ""

    # Keys in the title rows, not legends on the data; MEL only for a unit that has one.
    assert not explorer.level_plot.legend.items and not explorer.volume_plot.legend.items
    assert "MEL" not in explorer.level_key and "MIL" not in explorer.level_key
    assert explorer.select_unit(with_mel)
    assert "MEL" in explorer.level_key and "MIL" not in explorer.level_key
    assert "MEL" in explorer.level_plot.titleLabel.text
    save_screens(window, tmp_path, "bm_units_keys")

    # Band edges, MEL and MIL: three different pens (colour and dash pattern).
    def look(curve):
        pen = curve.opts["pen"]
        return (pen.color().name(), pen.style(), tuple(pen.dashPattern()))

    looks = {look(explorer.band_curve), *(look(c) for c in explorer.limit_curves.values())}
    assert len(looks) == 3


def test_an_empty_period_axis_is_not_scaled(qtbot):
    # pyqtgraph labels a sub-1 range "(x0.001)" (an empty chart); periods are never scaled.
    from views.charts import PeriodAxis

    plot = pg.PlotWidget(axisItems={"bottom": PeriodAxis(orientation="bottom")})
    qtbot.addWidget(plot)
    plot.setLabel("bottom", "settlement period")
    plot.show()
    plot.setXRange(0, 0.5, padding=0)  # a range under 1 is where pyqtgraph scales
    label = plot.getPlotItem().getAxis("bottom").labelString()
    assert "settlement period" in label and "x0.001" not in label


def test_a_click_on_the_impact_time_series_selects_the_period(qtbot, window, demo_path):
    """As a click on the day overview: the period selected, the toolbar and views follow,
    when the run shown is of that date; another date's period is said, not selected."""
    from datetime import timedelta

    from engine.variants import VARIANTS
    from models.impact.day import RunImpact
    from models.impact.report import impact_report

    open_demo(qtbot, window, demo_path)
    day = window.view.result.inputs.bm.settlement_date
    later = day + timedelta(days=1)

    def run(settlement_date) -> RunImpact:
        periods = np.arange(1, 49)
        prices = np.full(48, 50.0)
        return RunImpact(
            run_id=1, label="run", run_type="SF", settlement_date=settlement_date,
            periods=periods, price_base=prices, price_variant=prices + 1.0, niv_base=prices,
            niv_variant=prices, setter_base=np.array(["mip"] * 48),
            setter_variant=np.array(["mip"] * 48), parties=("P1",),
            charges_base=np.zeros((1, 5)), charges_variant=np.zeros((1, 5)),
        )  # fmt: skip

    report = impact_report(VARIANTS["par-50"], day, later, [run(day), run(later)], [])
    view = window.impact.show_view()
    view.show_report(report)
    qtbot.wait(50)
    window.selection.period = 3
    with qtbot.waitSignal(view.period_clicked) as clicked:
        view._clicked(Click(scene_point(view.series, 40.2)))  # position 40: period 41 of day
    assert clicked.args == [day, 41]
    assert window.selection.period == 41 and window.period.value() == 41
    view._clicked(Click(scene_point(view.series, 48 + 9)))  # period 10 of the next date
    assert window.selection.period == 41
    assert f"Period 10 of {later.isoformat()}: the run shown is " in window.status.text()
    assert f"load a run of {later.isoformat()}" in window.status.text()
