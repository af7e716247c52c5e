"""A £ axis whose tick labels never overlap: as many ticks as the axis has room for, on a
1-2-5 spacing, written in £, £k or £m so that "100200" (two labels run together) cannot
happen at any width."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtGui import QFontMetrics

GAP_PIXELS = 12  # between two labels along a horizontal axis
ROW_PIXELS = 24  # between two labels along a vertical axis (one line each, with room)
UNITS = ((1e6, "m"), (1e3, "k"), (1.0, ""))


def nice_spacing(span: float, most: int) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ spacing that puts at most `most` intervals in `span`."""
    raw = span / max(most, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    for step in (1.0, 2.0, 5.0, 10.0):
        if step * power >= raw * (1 - 1e-9):
            return step * power
    return 10.0 * power


def money_ticks(values, spacing: float) -> list[str]:
    """The labels of one axis, all in one unit (the largest that still tells ticks apart)."""
    largest = max((abs(v) for v in values), default=0.0)
    divisor, unit = next(((d, u) for d, u in UNITS if largest >= d), (1.0, ""))
    decimals = max(0, -math.floor(math.log10(spacing / divisor) + 1e-9))
    texts = []
    for value in values:
        scaled = round(value / divisor, decimals)
        if scaled == 0:
            texts.append("£0")  # never "-£0", nor "£0k"
            continue
        sign = "-" if scaled < 0 else ""
        texts.append(f"{sign}£{abs(scaled):,.{decimals}f}{unit}")
    return texts


class MoneyAxis(pg.AxisItem):
    def tickSpacing(self, minVal, maxVal, size):
        span = maxVal - minVal
        if span <= 0 or size <= 0:
            return super().tickSpacing(minVal, maxVal, size)
        if self.orientation in ("bottom", "top"):
            # The widest label of the range, with its gap, fits between two ticks.
            metrics = QFontMetrics(self.style.get("tickFont") or self.font())
            widest = max(metrics.horizontalAdvance(t) for t in money_ticks([minVal, maxVal], span))
            per_label = widest + GAP_PIXELS
        else:
            per_label = ROW_PIXELS
        spacing = nice_spacing(span, max(1, int(size // per_label)))
        # The widest label at this spacing may be wider (more decimals): widen until it fits.
        while self.orientation in ("bottom", "top"):
            first = math.ceil(minVal / spacing) * spacing
            ticks = [first + i * spacing for i in range(int((maxVal - first) // spacing) + 1)]
            widest = max(metrics.horizontalAdvance(t) for t in money_ticks(ticks or [0.0], spacing))
            if spacing * size / span >= widest + GAP_PIXELS or spacing >= span:
                break
            spacing = nice_spacing(span, max(1, int(span / spacing) - 1))
        return [(spacing, 0.0)]

    def tickStrings(self, values, scale, spacing):
        return money_ticks([v * scale for v in values], spacing * scale)


def money_axis(orientation: str) -> MoneyAxis:
    axis = MoneyAxis(orientation=orientation)
    axis.enableAutoSIPrefix(False)  # the labels carry their own £k/£m
    return axis
