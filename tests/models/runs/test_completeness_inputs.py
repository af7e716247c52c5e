"""Units with data per settlement period (models.runs.completeness_inputs.units_per_period)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from models.runs.completeness_inputs import units_per_period

P = 1800
START = 1_000_000_000 - 1_000_000_000 % P  # a period boundary


def test_hand_checked_segments():
    # A: 00:10-00:40 (periods 1, 2); A again 01:00-01:30 (3); B: 00:00-00:30 exactly (1 only);
    # C: a point at 00:45 (2); D: wholly before the day; E: from the day's last minute on.
    units = np.array(["A", "A", "B", "C", "D", "E"], dtype=object)
    t0 = START + np.array([600, 3600, 0, 2700, -7200, 4 * P - 60])
    t1 = START + np.array([2400, 5400, 1800, 2700, -3600, 4 * P + 9000])
    counts, having = units_per_period(units, t0, t1, START, 4)
    assert counts.tolist() == [2, 2, 1, 1]  # A B | A C | A | E
    assert having == {"A", "B", "C", "E"}


def test_no_segments():
    counts, having = units_per_period(np.array([]), np.array([]), np.array([]), START, 48)
    assert counts.tolist() == [0] * 48 and having == set()


segment = st.tuples(
    st.integers(0, 3),
    st.integers(-2 * P, 6 * P),
    st.integers(0, 3 * P),
)


@given(st.lists(segment, max_size=30), st.integers(1, 5))
@settings(max_examples=200, deadline=None)
def test_matches_the_overlap_rule_period_by_period(segments, periods):
    units = np.array([f"U{u}" for u, _, _ in segments], dtype=object)
    t0 = np.array([START + a for _, a, _ in segments], dtype=np.int64)
    t1 = t0 + np.array([d for _, _, d in segments], dtype=np.int64)
    counts, having = units_per_period(units, t0, t1, START, periods)
    expected = []
    for k in range(periods):
        lo, hi = START + k * P, START + (k + 1) * P
        expected.append(
            len({u for u, a, b in zip(units, t0, t1, strict=True) if a < hi and b > lo})
        )
    assert counts.tolist() == expected
    end = START + periods * P
    assert having == {u for u, a, b in zip(units, t0, t1, strict=True) if a < end and b > START}
