"""Profiles at spot times (rulebook §4: R-PROF-FPN, R-PROF-BOA, R-PROF-CARRY, RR left out),
on the worked example of §12 and by hand.

Worked example, minutes after 12:00Z (period 27 starts at minute 780 of 2024-06-12): FPN flat
100 MW; acceptance 1 100 MW at 0 → 170 at 7, held to 30; acceptance 2 170 at 20 → 120 at 25,
held to 30.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.piecewise import evaluate
from engine.profiles import (
    FROM_FPN,
    acceptance_spans,
    acceptance_spots,
    fpn_index,
    period_of_minute,
)
from tests.engine.builders import acceptance, at, inputs, pts, worked_example_inputs

MINUTE_0 = 780  # 12:00Z: minutes after the start of the settlement day (23:00Z the day before)


def spots_of(bm):
    return acceptance_spots(bm, acceptance_spans(bm), fpn_index(bm))


def at_minute(spots, number_row: int, minute: int) -> int:
    rows = np.flatnonzero((spots.acceptance == number_row) & (spots.minute == MINUTE_0 + minute))
    assert len(rows) == 1
    return int(rows[0])


def test_each_minute_of_the_day_belongs_to_its_period_and_the_end_minute_to_the_last():
    table = period_of_minute(2)
    assert len(table) == 61  # minutes 0..60 of a two-period day
    assert table[[0, 29, 30, 59, 60]].tolist() == [0, 0, 1, 1, 1]


def test_spans_run_from_the_first_to_the_last_point_of_each_acceptance():
    bm = worked_example_inputs()
    spans = acceptance_spans(bm)
    assert spans.first.tolist() == [at(0), at(20)]
    assert spans.last.tolist() == [at(30), at(30)]
    assert spans.duration_minutes.tolist() == [30.0, 10.0]


def test_the_fpn_index_reads_the_fpn_of_each_unit():
    bm = worked_example_inputs()
    values, covered = evaluate(fpn_index(bm), np.array([1, 0]), np.array([at(10), at(10)]))
    assert values.tolist() == [100.0, 0.0]  # T_GEN-1 notified 100 MW; the supplier nothing
    assert covered.tolist() == [True, False]


def test_worked_example_spots_carry_the_level_each_acceptance_replaces():
    spots = spots_of(worked_example_inputs())
    # Only inside each acceptance's own span: 31 whole minutes of k1, 11 of k2 (20..30).
    assert len(spots) == 31 + 11
    assert np.bincount(spots.acceptance).tolist() == [31, 11]
    # Minute 3: k1 ramps 100 + 70 × 3/7 = 130 MW and replaces the FPN (qA_0 = FPN = 100).
    row = at_minute(spots, 0, 3)
    assert spots.level[row] == pytest.approx(130.0)
    assert spots.previous_level[row] == 100.0 and spots.previous_source[row] == FROM_FPN
    assert spots.fpn[row] == 100.0 and spots.time[row] == at(3)
    # Minute 22: k2 ramps 170 − 50 × 2/5 = 150 MW and replaces k1's 170 MW.
    row = at_minute(spots, 1, 22)
    assert spots.level[row] == pytest.approx(150.0)
    assert spots.previous_level[row] == 170.0 and spots.previous_source[row] == 0
    # k1's own rows never see k2, which comes later: k1 at minute 22 still replaces the FPN.
    row = at_minute(spots, 0, 22)
    assert spots.level[row] == 170.0 and spots.previous_source[row] == FROM_FPN
    assert set(spots.unit) == {1}


def test_rr_flagged_acceptances_have_no_spots():
    spots = spots_of(worked_example_inputs(rr_on_second=True))
    assert len(spots) == 31 and set(spots.acceptance) == {0}


def test_a_unit_without_fpn_is_deemed_at_zero():
    # Unit A notified nothing; acceptance 1 holds 10 MW over minutes 0..5: each spot replaces
    # an FPN of 0 MW (R-PROF-FPN).
    bm = inputs(["A"], {}, [], [acceptance("A", 1, pts((0, 10.0), (5, 10.0)))])
    spots = spots_of(bm)
    assert spots.minute.tolist() == [MINUTE_0 + m for m in range(6)]
    assert spots.fpn.tolist() == [0.0] * 6 and spots.previous_level.tolist() == [0.0] * 6
    assert spots.level.tolist() == [10.0] * 6


def test_only_the_units_asked_for_are_expanded():
    both = inputs(
        ["A", "B"],
        {"A": pts((0, 50.0), (30, 50.0)), "B": pts((0, 20.0), (30, 20.0))},
        [],
        [
            acceptance("A", 1, pts((0, 60.0), (2, 60.0))),
            acceptance("B", 2, pts((0, 30.0), (1, 30.0))),
        ],
    )
    spots = acceptance_spots(both, acceptance_spans(both), fpn_index(both), units=np.array([1]))
    assert spots.unit.tolist() == [1, 1]  # B's two spot times, minutes 0 and 1
    assert spots.fpn.tolist() == [20.0, 20.0] and spots.level.tolist() == [30.0, 30.0]
