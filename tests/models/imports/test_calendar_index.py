"""Settlement date and period of instants (rulebook §2, R-CAL), as the importer looks them
up: periods start at local midnight, 30 minutes each, 46 and 50 on clock-change days."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from models.imports.calendar_index import CalendarIndex


def at(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        # Summer (BST): 2024-06-12 starts at 2024-06-11T23:00Z; 12:00Z is 13 hours later.
        ("2024-06-11T23:00:00", (date(2024, 6, 12), 1)),
        ("2024-06-12T12:00:00", (date(2024, 6, 12), 27)),
        ("2024-06-12T12:29:59", (date(2024, 6, 12), 27)),
        ("2024-06-12T12:30:00", (date(2024, 6, 12), 28)),
        ("2024-06-12T22:59:59", (date(2024, 6, 12), 48)),
        ("2024-06-12T23:00:00", (date(2024, 6, 13), 1)),
        # Winter (GMT): midnight is 00:00Z, so 12:00Z is period 25.
        ("2024-01-15T12:00:00", (date(2024, 1, 15), 25)),
        # The autumn clock change day has 50 periods: its last starts at 23:30Z.
        ("2025-10-26T23:30:00", (date(2025, 10, 26), 50)),
    ],
)
def test_the_period_of_an_instant(instant, expected):
    assert CalendarIndex().period_of(at(instant)) == expected


def test_instants_looked_up_in_any_order_keep_their_own_half_hour():
    index = CalendarIndex()
    times = (
        "2024-06-12T12:29:59",
        "2024-06-12T12:00:00",
        "2024-06-12T12:30:00",
        "2024-06-12T12:10:00",
    )
    looked_up = [index.period_of(at(t))[1] for t in times]
    assert looked_up == [27, 27, 28, 27]


def test_periods_in_a_day_and_the_start_of_a_period():
    index = CalendarIndex()
    assert [index.periods(date(2026, 3, 29)), index.periods(date(2024, 6, 12)),
            index.periods(date(2025, 10, 26))] == [46, 48, 50]  # fmt: skip
    assert index.start(date(2024, 6, 12), 1) == at("2024-06-11T23:00:00")
    assert index.start(date(2024, 6, 12), 27) == at("2024-06-12T12:00:00")
    assert index.start(date(2026, 3, 29), 46) == at("2026-03-29T22:30:00")  # BST from 01:00Z


def test_the_dates_a_segment_lies_in():
    index = CalendarIndex()
    day, next_day = date(2024, 6, 12), date(2024, 6, 13)
    assert index.dates_of_span(at("2024-06-12T12:00:00"), at("2024-06-12T12:30:00")) == [day]
    # Ending on the next day's first instant does not put it in the next day.
    assert index.dates_of_span(at("2024-06-12T22:30:00"), at("2024-06-12T23:00:00")) == [day]
    assert index.dates_of_span(at("2024-06-12T22:30:00"), at("2024-06-12T23:01:00")) == [
        day,
        next_day,
    ]
    # A zero-length segment on midnight lies in the day it starts.
    assert index.dates_of_span(at("2024-06-12T23:00:00"), at("2024-06-12T23:00:00")) == [next_day]
    # Across a whole day: every date from the first to the last.
    assert index.dates_of_span(at("2024-06-12T12:00:00"), at("2024-06-14T01:00:00")) == [
        day,
        next_day,
        date(2024, 6, 14),
    ]
