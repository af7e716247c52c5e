"""The £ axis of the comparison charts: labels in £, £k, £m that never run together."""

from __future__ import annotations

import math

import pytest
from PySide6.QtGui import QFontMetrics

from views.money_axis import GAP_PIXELS, money_axis, money_ticks, nice_spacing


def test_labels_carry_their_unit_and_never_a_negative_zero():
    assert money_ticks([-200.0, -100.0, 0.0, 100.0, 200.0], 100.0) == [
        "-£200",
        "-£100",
        "£0",
        "£100",
        "£200",
    ]
    assert money_ticks([0.0, 5_000.0, 10_000.0], 5_000.0) == ["£0", "£5k", "£10k"]
    assert money_ticks([0.0, 500_000.0, 1_000_000.0, 1_500_000.0], 500_000.0) == [
        "£0",
        "£0.5m",
        "£1.0m",
        "£1.5m",
    ]
    assert money_ticks([-1e-12, 0.2, 0.4], 0.2) == ["£0", "£0.2", "£0.4"]


def test_the_spacing_is_one_two_or_five_and_fits_the_count():
    assert nice_spacing(400.0, 4) == 100.0
    assert nice_spacing(400.0, 3) == 200.0
    assert nice_spacing(400.0, 1) == 500.0
    assert nice_spacing(0.9, 10) == 0.1


@pytest.mark.parametrize("pixels", [120, 200, 371, 600, 1000])
@pytest.mark.parametrize("low, high", [(-210.0, 200.0), (0.0, 1_234_567.0), (-3.2, 0.4)])
def test_bottom_labels_never_overlap_at_any_width(qtbot, pixels, low, high):
    axis = money_axis("bottom")
    ((spacing, offset),) = axis.tickSpacing(low, high, pixels)
    first = math.ceil((low - offset) / spacing) * spacing + offset
    ticks = [first + i * spacing for i in range(int((high - first) // spacing) + 1)]
    texts = axis.tickStrings(ticks, 1.0, spacing)
    metrics = QFontMetrics(axis.style.get("tickFont") or axis.font())
    widest = max(metrics.horizontalAdvance(t) for t in texts)
    assert spacing * pixels / (high - low) >= widest + GAP_PIXELS, texts
    assert len(set(texts)) == len(texts)  # ticks told apart
