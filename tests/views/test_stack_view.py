"""The price stack chart frames the prices that matter, and says what it leaves out."""

from __future__ import annotations

import numpy as np

from views.stack_view import StackView


def test_a_few_extreme_prices_do_not_flatten_the_stack(qtbot):
    view = StackView()
    qtbot.addWidget(view)
    # 40 items at £30–£69, one repriced to £6,000 and one bid at £−9,999.
    prices = np.r_[np.arange(30.0, 70.0), 6000.0, -9999.0]
    beyond = view._frame(prices, [0.0, 500.0, -300.0], (55.0, np.nan))
    (x_low, x_high), (y_low, y_high) = view.plot.viewRange()
    # The range runs from zero (below the 5th percentile) to the 95th percentile (£67.95):
    # beyond it, the £−9,999 bid, and £6,000 with the two dearest ordinary items.
    assert beyond == 4
    assert -10 < y_low < 0 and 70 < y_high < 200  # zero and the items, not £6,000
    assert x_low < -300 and x_high > 500


def test_the_main_price_and_zero_are_always_in_view(qtbot):
    view = StackView()
    qtbot.addWidget(view)
    assert view._frame(np.array([80.0, 90.0]), [0.0, 10.0], (250.0, 20.0)) == 0
    _, (y_low, y_high) = view.plot.viewRange()
    assert y_low < 0 and y_high > 250
