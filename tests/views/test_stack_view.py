"""The price stack: a robust scale (the prices that matter framed, off-scale items drawn to
the edge with their price), tooltips on bars, linked selection with the table, the
price-setting items marked and the key outside the data."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from engine.imbalance_price import TAGGED_BY_NAMES
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.runs.run_view import load_run_view
from tests.views.screens import save_screens
from tests.views.window_driver import open_demo
from views.stack_scale import off_scale, stack_frame, weighted_quantile
from views.stack_view import StackView


def test_weighted_quantiles_follow_the_volume():
    prices = np.array([10.0, 20.0, 30.0, 9999.0])
    # 1 MWh at £9,999 against 99 MWh at £10–£30: the 95th percentile by volume is £30.
    assert weighted_quantile(prices, np.array([33.0, 33.0, 33.0, 1.0]), 0.95) == 30.0
    # By count, it would be the £9,999 offer (4 items: the top 5 % is the last one).
    assert weighted_quantile(prices, np.ones(4), 0.95) == 9999.0
    assert weighted_quantile(prices, np.array([1.0, 0.0, 0.0, 0.0]), 0.5) == 10.0


def test_a_9999_offer_and_a_99999_bid_stay_off_the_scale():
    prices = np.r_[np.arange(30.0, 70.0), 9999.0, -99999.0]
    volumes = np.r_[np.full(40, 10.0), 0.5, -2.0]
    low, high = stack_frame(prices, volumes, marks=(55.0, np.nan))
    # Zero to £69 (the bulk, and the items near it), padded by 8 % of the span.
    assert low == pytest.approx(0 - 0.08 * 69) and high == pytest.approx(69 + 0.08 * 69)
    assert off_scale(prices, low, high).tolist() == [False] * 40 + [True, True]


def test_price_setting_items_and_the_marks_are_always_framed():
    prices = np.r_[np.full(50, 40.0), 6000.0]
    volumes = np.r_[np.full(50, 100.0), 1.0]
    setting = np.r_[np.zeros(50, bool), True]  # a £6,000 VoLL reprice sets the price
    low, high = stack_frame(prices, volumes, setting, marks=(6000.0,))
    assert high > 6000 and low < 0
    low, high = stack_frame(np.array([80.0, 90.0]), np.ones(2), marks=(250.0, 20.0))
    assert low < 0 and high > 250


def test_the_frame_counts_what_it_leaves_out(qtbot):
    view = StackView()
    qtbot.addWidget(view)
    # 40 items at £30–£69, one repriced to £6,000 and one bid at £−9,999: only those two lie
    # beyond (the old 5th–95th percentile by count also cut off two ordinary items).
    prices = np.r_[np.arange(30.0, 70.0), 6000.0, -9999.0]
    beyond = view._frame(prices, [0.0, 500.0, -300.0], (55.0, np.nan))
    (x_low, x_high), (y_low, y_high) = view.plot.viewRange()
    assert beyond == 2
    assert -10 < y_low < 0 and 69 < y_high < 100
    assert x_low < -300 and x_high > 500
    view.robust.setChecked(False)  # every item to scale
    assert view._frame(prices, [0.0, 500.0], (55.0, np.nan)) == 0
    assert view.plot.viewRange()[1][0] < -9999 and view.plot.viewRange()[1][1] > 6000


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("stack") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=20, seed=2))  # period 10 holds a £9,999 offer
    with SettlementDatabase.open(path) as db:
        return path, load_run_view(db, 1)


def _stack(qtbot, run_view, period: int = 10) -> StackView:
    view = StackView()
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    view.show_run(run_view)
    view.set_period(period)
    return view


def _centre(view: StackView, item: int) -> tuple[float, float]:
    i = int(np.flatnonzero(view.bar_item == item)[0])
    return (view.bar_left[i] + view.bar_right[i]) / 2, view.bar_top[i] / 2


def test_the_9999_offer_is_drawn_to_the_edge_with_its_price(qtbot, demo):
    _, run_view = demo
    view = _stack(qtbot, run_view)
    items, stack = run_view.result.items, run_view.result.stack
    extreme = int(np.flatnonzero((items.period == 10) & (stack.stack_price >= 9999))[0])
    _, high = view.frame
    assert high < 200  # the stack is framed, not £10,000
    i = int(np.flatnonzero(view.bar_item == extreme)[0])
    assert view.bar_top[i] == high  # to the edge
    labels = [label.toPlainText() for label in view.edge_labels]
    assert labels == ["▲ £9,999.00"]
    assert "1 item off the scale: drawn to the edge" in view.title.text()
    assert "priced £9,999.00/MWh: drawn to the frame's edge" in view.describe(extreme)


def test_bars_have_tooltips_naming_the_item_and_what_each_stage_did(qtbot, demo):
    _, run_view = demo
    view = _stack(qtbot, run_view)
    items, stack = run_view.result.items, run_view.result.stack
    item = int(view.table_items[4])  # a sell item
    text = view.tooltip_at(*_centre(view, item))
    assert f"<b>{items.item_id[item]}</b>: sell rank {int(stack.sequence[item])}" in text
    assert f"acceptance {int(items.acceptance[item])}, pair {int(items.pair[item])}" in text
    assert f"accepted {items.volume[item]:,.3f} → DMAT" in text
    assert f"PAR {stack.par_adjusted_volume[item]:,.3f}" in text
    tagged = TAGGED_BY_NAMES[stack.tagged_by[item]]
    assert ("★ sets the price" if tagged == "" else f"tagged out by {tagged}") in text
    assert "<br>flags: " in text
    assert f"price {'-' if items.price[item] < 0 else ''}£{abs(items.price[item]):,.2f}/MWh" in text
    assert view.tooltip_at(0.5 * view.bar_left.min(), view.frame[1] * 0.99) == ""  # no bar
    # The mouse over the bar shows it.
    from PySide6.QtWidgets import QToolTip

    view.plot.scene().sigMouseMoved.emit(
        view.plot.vb.mapViewToScene(pg.Point(*_centre(view, item)))
    )
    assert QToolTip.isVisible() and f"<b>{items.item_id[item]}</b>" in QToolTip.text()
    QToolTip.hideText()


def test_chart_and_table_selections_follow_each_other(qtbot, demo):
    _, run_view = demo
    view = _stack(qtbot, run_view)
    item = int(view.table_items[5])
    # A click on the bar (as the scene reports it) selects the item's table row.
    x, y = _centre(view, item)

    class Click:
        def button(self):
            from PySide6.QtCore import Qt

            return Qt.MouseButton.LeftButton

        def scenePos(self):
            return view.plot.vb.mapViewToScene(pg.Point(x, y))

    view._clicked(Click())
    current = view.table.proxy.mapToSource(view.table.view.currentIndex()).row()
    assert int(view.table_items[current]) == item
    assert view.selected_item == item
    # Selecting another row outlines its bar.
    view.table.select_source_row(2)
    other = int(view.table_items[2])
    assert view.selected_item == other
    i = int(np.flatnonzero(view.bar_item == other)[0])
    assert view.selection.opts["x"][0] == pytest.approx((view.bar_left[i] + view.bar_right[i]) / 2)
    assert view.selection.opts["height"][0] == view.bar_top[i]


def test_the_price_setting_items_are_starred_and_the_key_is_outside_the_data(qtbot, demo):
    _, run_view = demo
    view = _stack(qtbot, run_view)
    stack = run_view.result.stack
    setting = stack.tagged_by[view.bar_item] == 0
    stars = [i for i in view.plot.items if isinstance(i, pg.ScatterPlotItem)]
    assert len(stars) == 1 and len(stars[0].data) == setting.sum() > 0
    assert f"{setting.sum()} setting the price (★)" in view.title.text()
    assert view.plot.legend is None  # no legend over the bars
    assert "★</span>&nbsp;price&#8209;setting&nbsp;item" in view.key.text()  # above the chart
    # The main price is labelled on the right axis, not on the chart.
    main = run_view.result.prices.main_price[9]
    assert view.plot.getAxis("right")._tickLevels[0][0][1] == f"main {main:,.2f}"
    assert not any(isinstance(i, pg.InfLineLabel) for i in view.plot.vb.allChildren())
    # The table says which items set the price.
    sets = view.table.model.columns[3]
    assert sets.title == "sets price" and list(sets.values) == list(
        stack.tagged_by[view.table_items] == 0
    )


def test_screens_of_the_price_stack(qtbot, window, demo, tmp_path):
    path, _ = demo
    open_demo(qtbot, window, path)
    window.tabs.setCurrentWidget(window.stack)
    window.period.setValue(10)
    qtbot.waitUntil(lambda: window.stack.period == 10)
    window.stack.select_item(int(window.stack.table_items[5]))
    save_screens(window, tmp_path, "price_stack_off_scale")


@pytest.fixture(scope="module")
def two_extreme_offers(tmp_path_factory):
    """The 60-unit demo of the GUI's File › New demo: period 9 holds two £9,999 offers."""
    path = tmp_path_factory.mktemp("stack-two") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=60, days=1))
    with SettlementDatabase.open(path) as db:
        return load_run_view(db, 1)


def test_off_scale_items_of_one_price_share_one_label_and_labels_never_overlap(
    qtbot, two_extreme_offers
):
    items, stack = two_extreme_offers.result.items, two_extreme_offers.result.stack
    assert ((items.period == 9) & (stack.stack_price >= 9999)).sum() == 2
    for size in ((1600, 1000), (1024, 640)):
        view = StackView()
        qtbot.addWidget(view)
        view.resize(*size)
        view.show()
        qtbot.waitExposed(view)
        view.show_run(two_extreme_offers)
        view.set_period(9)
        texts = [label.toPlainText() for label in view.edge_labels]
        assert texts.count("▲ £9,999.00 (2 items)") == 1 and "▲ £9,999.00" not in texts
        rects = [label.mapRectToScene(label.boundingRect()) for label in view.edge_labels]
        for i, a in enumerate(rects):
            assert not any(a.intersects(b) for b in rects[i + 1 :]), texts
