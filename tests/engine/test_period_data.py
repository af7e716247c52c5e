"""Which periods hold any settlement input (engine.period_data): segment overlap by hand and
against a brute-force overlap (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.bm_inputs import Segments
from engine.period_data import INPUT_NAMES, period_inputs_present, segment_periods
from engine.settle import settle_day
from models.runs.inputs import case_settlement_inputs
from tests.engine.case_builder import case, flat, unit

HALF_HOUR = 1800


def periods_of(*segments: tuple[int, int], periods: int = 4) -> list[int]:
    """Periods (1-based) touched by segments [t0, t1] of a day starting at 0."""
    t0 = [s[0] for s in segments]
    t1 = [s[1] for s in segments]
    owner = list(range(len(segments)))
    mask = segment_periods(Segments.of(owner, t0, [0.0] * len(t0), t1, [0.0] * len(t1)), 0, periods)
    return [int(k) + 1 for k in np.flatnonzero(mask)]


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        ([(0, 1800)], [1]),  # ends exactly at period 2's start: not in period 2
        ([(1800, 1800)], [2]),  # a point segment at a period's start: that period
        ([(1799, 1801)], [1, 2]),
        ([(600, 5400)], [1, 2, 3]),
        ([(-100, 0)], []),  # before the day
        ([(-100, 10)], [1]),
        ([(7200, 9000)], []),  # after the day's 4 periods
        ([(7000, 9000)], [4]),
        ([(0, 600), (5400, 5500)], [1, 4]),
        ([], []),
    ],
)
def test_segment_periods_by_hand(segments, expected):
    assert periods_of(*segments) == expected


@given(
    st.lists(st.tuples(st.integers(-4000, 11000), st.integers(0, 4000)), min_size=0, max_size=12),
    st.integers(1, 6),
)
def test_segment_periods_is_the_overlap_of_each_segment_with_each_period(raw, periods):
    segments = [(t0, t0 + length) for t0, length in raw]
    expected = [
        j
        for j in range(1, periods + 1)
        if any(
            (t0 < j * HALF_HOUR and t1 > (j - 1) * HALF_HOUR)
            or (t0 == t1 and (j - 1) * HALF_HOUR <= t0 < j * HALF_HOUR)
            for t0, t1 in segments
        )
    ]
    assert periods_of(*segments, periods=periods) == expected


def test_each_input_is_named_and_a_level_of_zero_is_data():
    # An FPN of 0 MW in period 27 is an FPN; the market index of the case builder covers
    # periods 20–34 (volume 100), so those periods hold market index data and no others.
    document = case(
        parties=[{"id": "GEN"}],
        bm_units=[unit("T_G-1", "GEN")],
        fpn=[flat("T_G-1", 0)],
    )
    inputs = case_settlement_inputs(document)
    present = period_inputs_present(inputs, settle_day(inputs).items)
    assert tuple(present) == INPUT_NAMES
    assert list(np.flatnonzero(present["FPN"]) + 1) == [27]
    assert list(np.flatnonzero(present["market index data"]) + 1) == list(range(20, 35))
    for name in INPUT_NAMES:
        if name not in ("FPN", "market index data"):
            assert not present[name].any(), name
