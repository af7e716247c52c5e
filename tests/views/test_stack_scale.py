"""The stack chart's price scale, by hand: volume-weighted quantiles, a frame that takes in
the bulk, the price-setting items, the marked prices and zero, and items far out left beyond.

The frame is padded by 8 % of its span on each side."""

from __future__ import annotations

import numpy as np
import pytest

from views.stack_scale import off_scale, stack_frame, weighted_quantile


def test_a_weighted_quantile_is_always_one_of_the_values():
    values = np.array([30.0, 10.0, 20.0])  # unsorted: sorted 10 (weight 1), 20 (8), 30 (1)
    weights = np.array([1.0, 1.0, 8.0])
    # Cumulative weight 1, 9, 10: 5 % of 10 is 0.5 → 10; half is 5 → 20; 95 % is 9.5 → 30.
    assert [weighted_quantile(values, weights, q) for q in (0.05, 0.5, 0.95)] == [10, 20, 30]


def test_without_any_weight_the_quantile_is_the_plain_one():
    values = np.array([10.0, 20.0, 30.0, 40.0])
    assert weighted_quantile(values, np.zeros(4), 0.5) == 20.0


def test_one_absurd_offer_with_little_volume_is_left_beyond_the_frame():
    # Bulk 5 %–95 % by volume: £40 to £60, with zero: 0..60, span 60; £9,999 is far beyond
    # 60 + ½ × 60, so it stays out. Padded: −4.8 .. 64.8.
    price = np.array([40.0, 50.0, 60.0, 9999.0])
    volume = np.array([10.0, 10.0, -10.0, 0.1])  # sell volumes count by their size
    low, high = stack_frame(price, volume)
    assert (low, high) == pytest.approx((-4.8, 64.8))
    assert off_scale(price, low, high).tolist() == [False, False, False, True]


def test_an_item_near_the_frame_is_taken_in():
    # £85 lies within half the span (60 + 30 = 90) of the bulk: the frame runs 0..85, padded
    # by 6.8: −6.8 .. 91.8.
    low, high = stack_frame(np.array([40.0, 50.0, 60.0, 85.0]), np.array([10, 10, 10, 0.1]))
    assert (low, high) == pytest.approx((-6.8, 91.8))


def test_marked_prices_and_price_setting_items_are_always_in_view():
    price = np.array([40.0, 50.0, 60.0, 9999.0])
    volume = np.array([10.0, 10.0, 10.0, 0.1])
    # A main price of £100 (a NaN replacement price is ignored): 0..100, padded by 8.
    assert stack_frame(price, volume, marks=(100.0, np.nan)) == pytest.approx((-8.0, 108.0))
    # The £9,999 item set the price: 0..9999 in view.
    setting = np.array([False, False, False, True])
    assert stack_frame(price, volume, setting) == pytest.approx((-799.92, 10798.92))


def test_negative_bids_frame_below_zero():
    # Bids at −£30 and −£10 with zero: −30..0, padded by 2.4.
    assert stack_frame(np.array([-30.0, -10.0]), np.array([-5.0, -5.0])) == pytest.approx(
        (-32.4, 2.4)
    )


def test_no_priced_item_frames_zero_and_unpriced_items_are_never_off_scale():
    low, high = stack_frame(np.array([np.nan]), np.array([1.0]))
    assert (low, high) == pytest.approx((-0.08, 0.08))
    assert off_scale(np.array([np.nan, 5.0]), low, high).tolist() == [False, True]
