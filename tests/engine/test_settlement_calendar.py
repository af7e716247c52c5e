"""R-CAL: settlement periods, clock-change days and run-type order."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.settlement_calendar import (
    RunType,
    local_midnight_utc,
    period_of_instant,
    period_start_utc,
    periods_in_day,
    periods_of_epoch,
    settlement_period,
    settlement_periods,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Hand-worked: GMT in winter, BST (UTC+1) in summer.
def test_ordinary_winter_day_has_48_periods_starting_at_utc_midnight():
    d = date(2022, 1, 1)
    assert periods_in_day(d) == 48
    assert period_start_utc(d, 1) == utc(2022, 1, 1, 0, 0)
    assert period_start_utc(d, 27) == utc(2022, 1, 1, 13, 0)
    assert settlement_period(d, 48).end_utc == utc(2022, 1, 2, 0, 0)


def test_ordinary_summer_day_starts_at_23_utc_the_day_before():
    d = date(2024, 6, 12)
    assert periods_in_day(d) == 48
    assert period_start_utc(d, 1) == utc(2024, 6, 11, 23, 0)
    assert period_start_utc(d, 27) == utc(2024, 6, 12, 12, 0)
    assert settlement_period(d, 27).local_label == "13:00 BST"


def test_spring_clock_change_2026_03_29_has_46_periods():
    d = date(2026, 3, 29)
    assert periods_in_day(d) == 46
    assert period_start_utc(d, 1) == utc(2026, 3, 29, 0, 0)
    # Clocks go forward at 01:00 GMT: period 3 starts at 01:00Z, which is 02:00 BST.
    assert settlement_period(d, 3).local_label == "02:00 BST"
    assert settlement_period(d, 46).end_utc == utc(2026, 3, 29, 23, 0)
    # The published DISEBSP file for this day: last startTime 22:30Z is period 46.
    assert period_of_instant(utc(2026, 3, 29, 22, 30)) == (d, 46)


def test_autumn_clock_change_2025_10_26_has_50_periods_with_the_repeated_hour_labelled():
    d = date(2025, 10, 26)
    assert periods_in_day(d) == 50
    assert period_start_utc(d, 1) == utc(2025, 10, 25, 23, 0)
    labels = [p.local_label for p in settlement_periods(d)]
    assert labels[2] == "01:00 BST"  # period 3
    assert labels[4] == "01:00 GMT"  # period 5: the repeated hour
    assert len(set(labels)) == 50
    assert settlement_period(d, 50).end_utc == utc(2025, 10, 27, 0, 0)


def test_period_of_instant_boundary_belongs_to_the_period_starting_there():
    assert period_of_instant(utc(2022, 1, 1, 0, 30)) == (date(2022, 1, 1), 2)
    assert period_of_instant(utc(2022, 1, 1, 0, 29, 59)) == (date(2022, 1, 1), 1)
    # 23:30Z on a summer day is 00:30 BST of the next settlement day: period 2.
    assert period_of_instant(utc(2024, 6, 12, 23, 30)) == (date(2024, 6, 13), 2)


def test_period_of_instant_refuses_naive_times():
    with pytest.raises(ValueError, match="no time zone"):
        period_of_instant(datetime(2022, 1, 1, 12, 0))


def test_periods_that_do_not_exist_are_refused_with_the_day_count():
    with pytest.raises(ValueError, match="periods 1 to 46"):
        period_start_utc(date(2026, 3, 29), 47)
    with pytest.raises(ValueError, match="period 0"):
        period_start_utc(date(2022, 1, 1), 0)


def test_periods_of_epoch_bins_array_instants_and_marks_outside_as_zero():
    d = date(2025, 10, 26)
    start = int(local_midnight_utc(d).timestamp())
    seconds = np.array(
        [start - 1, start, start + 1799, start + 1800, start + 50 * 1800 - 1, start + 50 * 1800]
    )
    assert periods_of_epoch(d, seconds).tolist() == [0, 1, 1, 2, 50, 0]


def test_run_types_are_ordered_ii_sf_r1_r2_r3_rf_df():
    order = [RunType.II, RunType.SF, RunType.R1, RunType.R2, RunType.R3, RunType.RF, RunType.DF]
    assert sorted(reversed(order)) == order
    assert RunType.SF < RunType.R1 < RunType.DF
    assert not RunType.RF < RunType.R3
    assert RunType.parse(" r1 ") is RunType.R1
    with pytest.raises(ValueError, match="expected one of II, SF"):
        RunType.parse("R4")


def test_each_year_has_exactly_one_46_and_one_50_period_day():
    for year in range(1996, 2041):
        counts = [periods_in_day(date(year, 1, 1) + timedelta(days=k)) for k in range(365)]
        assert counts.count(46) == 1, year
        assert counts.count(50) == 1, year


@given(st.dates(min_value=date(1996, 1, 1), max_value=date(2040, 12, 31)))
def test_periods_tile_the_local_day_exactly(d: date):
    periods = settlement_periods(d)
    next_midnight = local_midnight_utc(d + timedelta(days=1))
    assert periods[0].start_utc == local_midnight_utc(d)
    assert periods[0].start_local.hour == 0 and periods[0].start_local.minute == 0
    assert periods[-1].end_utc == next_midnight
    assert len(periods) in (46, 48, 50)
    for earlier, later in itertools.pairwise(periods):
        assert earlier.end_utc == later.start_utc
        assert later.period == earlier.period + 1
    for p in periods:
        assert p.end_utc - p.start_utc == timedelta(minutes=30)
        assert period_of_instant(p.start_utc) == (d, p.period)
        assert period_of_instant(p.end_utc - timedelta(seconds=1)) == (d, p.period)
