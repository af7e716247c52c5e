"""Piecewise-linear profiles (R-PROF-FPN, R-PROF-BOA): interpolation, lookup at many (owner,
time) points at once, a vertical step taking the later level, and exact integrals per period.

Times are seconds after an origin of 0; levels MW. Hand computations in the tests."""

from __future__ import annotations

import numpy as np
import pytest

from engine.bm_inputs import Segments
from engine.piecewise import SegmentIndex, evaluate, integrate_by_period, interpolate

# Owner 0 ramps 10 → 40 MW over the first 600 s, then steps up to 70 MW and holds it to 1200 s;
# owner 1 holds 5 MW over 0..1200 s; owner 2 has no segment at all.
PROFILES = Segments.of(
    owner=[0, 0, 1],
    time_from=[0, 600, 0],
    level_from=[10.0, 70.0, 5.0],
    time_to=[600, 1200, 1200],
    level_to=[40.0, 70.0, 5.0],
)


def test_interpolate_is_linear_between_the_ends_and_the_later_level_on_a_vertical_segment():
    got = interpolate(np.array([0, 15, 30]), np.array([0] * 3), np.array([30] * 3),
                      np.array([0.0] * 3), np.array([60.0] * 3))  # fmt: skip
    assert got.tolist() == [0.0, 30.0, 60.0]
    # A zero-length segment (a step at t = 10) is its later level, never a division by zero.
    assert interpolate(np.array([10]), np.array([10]), np.array([10]), np.array([5.0]),
                       np.array([9.0])).tolist() == [9.0]  # fmt: skip


@pytest.mark.parametrize("buckets", [0, 1], ids=["searched", "from-buckets"])
def test_values_at_many_owner_times_and_zero_where_nothing_covers(buckets):
    index = SegmentIndex.build(PROFILES, origin=0, owners=3, buckets=buckets)
    owner = np.array([0, 0, 0, 0, 1, 2, 0])
    time = np.array([0, 300, 600, 900, 600, 0, 1500])
    bucket = np.zeros(len(time), dtype=np.int64) if buckets else None
    values, covered = evaluate(index, owner, time, bucket)
    # 300 s: 10 + 30 × 300/600 = 25 MW. 600 s: the step; the later segment's 70 MW counts.
    assert values.tolist() == [10.0, 25.0, 70.0, 70.0, 5.0, 0.0, 0.0]
    # Owner 2 has no profile; 1500 s is after owner 0's last segment.
    assert covered.tolist() == [True, True, True, True, True, False, False]


def test_no_segments_at_all_is_zero_everywhere():
    index = SegmentIndex.build(Segments.empty(), origin=0, owners=2)
    values, covered = evaluate(index, np.array([0, 1]), np.array([0, 100]))
    assert values.tolist() == [0.0, 0.0] and not covered.any()


def test_integral_per_period_is_exact_for_a_ramp_across_a_period_boundary():
    # Owner 0: 0 → 120 MW over two 30-minute periods. Period 1 averages 30 MW for ½ h = 15 MWh,
    # period 2 averages 90 MW: 45 MWh (together 120 / 2 MW × 1 h = 60 MWh).
    # Owner 1: 100 MW from minute 15 to 30 of period 1 only: 100 × ¼ h = 25 MWh.
    segments = Segments.of(
        owner=[0, 1], time_from=[0, 900], level_from=[0.0, 100.0],
        time_to=[3600, 1800], level_to=[120.0, 100.0],
    )  # fmt: skip
    got = integrate_by_period(segments, owners=3, day_start=0, periods=2)
    assert got.shape == (3, 2)
    assert got[0] == pytest.approx([15.0, 45.0])
    assert got[1] == pytest.approx([25.0, 0.0])
    assert got[2].tolist() == [0.0, 0.0]  # an owner without segments


def test_integral_of_a_step_counts_each_side_of_it_in_its_own_period():
    # PROFILES, periods of 600 s: owner 0 averages 25 MW over the first (25 × 600 / 3600 MWh)
    # and holds 70 MW over the second; owner 1 holds 5 MW over both.
    got = integrate_by_period(PROFILES, owners=3, day_start=0, periods=2, period_seconds=600)
    assert got[0] == pytest.approx([25 * 600 / 3600, 70 * 600 / 3600])
    assert got[1] == pytest.approx([5 * 600 / 3600, 5 * 600 / 3600])


def test_no_segments_integrate_to_zero_of_the_right_shape():
    assert integrate_by_period(Segments.empty(), owners=2, day_start=0, periods=3).tolist() == [
        [0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0],
    ]
