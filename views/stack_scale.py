"""A robust price scale for the stack chart (no Qt): the prices that matter, framed.

One £9,999 offer or £-99,999 bid would set the axis to ±10,000 and flatten the stack into a
line. The frame spans the bulk of the stack by volume (the 5th to 95th volume-weighted
percentile of item prices), the prices of the items that set the price, the main and
replacement prices and zero; it then takes in any item that lies close to it (within half
its span), so that only items far out are left beyond, drawn at the edge with their price.
"""

from __future__ import annotations

import numpy as np

BULK = (0.05, 0.95)  # volume-weighted quantiles framed
NEAR = 0.5  # items within this share of the span beyond the frame are taken in
PADDING = 0.08


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The value below which a share `q` of the total weight lies (inclusive, step
    interpolation: the quantile is always one of the values)."""
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    cumulative = np.cumsum(weights)
    total = cumulative[-1]
    if total <= 0:
        return float(np.quantile(values, q, method="inverted_cdf"))
    return float(values[min(np.searchsorted(cumulative, q * total), len(values) - 1)])


def stack_frame(
    price: np.ndarray,
    volume: np.ndarray,
    setting: np.ndarray | None = None,
    marks=(),
) -> tuple[float, float]:
    """The (low, high) price range to show, padded. `price`, `volume`: one per item;
    `setting`: a mask of the items that set the price; `marks`: prices always in view
    (main, replacement; NaN ignored)."""
    price = np.asarray(price, dtype=float)
    weight = np.abs(np.nan_to_num(np.asarray(volume, dtype=float)))
    finite = np.isfinite(price)
    anchors = [0.0, *(float(m) for m in marks if np.isfinite(m))]
    if setting is not None:
        anchors += [float(p) for p in price[np.asarray(setting, dtype=bool) & finite]]
    low, high = min(anchors), max(anchors)
    if finite.any():
        p, w = price[finite], weight[finite]
        low = min(low, weighted_quantile(p, w, BULK[0]))
        high = max(high, weighted_quantile(p, w, BULK[1]))
        span = (high - low) or max(1.0, abs(high))
        near = p[(p >= low - NEAR * span) & (p <= high + NEAR * span)]
        low, high = min(low, near.min()), max(high, near.max())
    span = (high - low) or 1.0
    return low - PADDING * span, high + PADDING * span


def off_scale(price: np.ndarray, low: float, high: float) -> np.ndarray:
    """A mask of the items priced beyond the frame."""
    price = np.asarray(price, dtype=float)
    return np.isfinite(price) & ((price < low) | (price > high))
