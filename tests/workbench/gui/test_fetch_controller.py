"""File › Fetch from Elexon…'s pure parts: the limit on the days fetched at once, and the one
report made of each date's import."""

from __future__ import annotations

from collections import Counter
from datetime import date

from models.imports.report import ImportSummary
from workbench.gui.fetch_controller import MAX_DAYS, merged_summary, too_many_days

A = "register: 2 BM units without a lead party"
B = "BOALF: 3 acceptances outside the settlement day skipped"


def test_at_most_62_days_are_fetched_at_a_time():
    assert MAX_DAYS == 62
    assert too_many_days(date(2024, 1, 1), date(2024, 1, 1)) is None  # one day
    assert too_many_days(date(2024, 1, 1), date(2024, 3, 2)) is None  # 31 + 29 + 2 = 62 days
    assert too_many_days(date(2024, 1, 1), date(2024, 3, 3)) == (
        "63 days: fetch at most 62 at a time"
    )


def test_the_imports_of_several_dates_make_one_summary():
    first = ImportSummary(
        files=["BOALF_2024-06-12.json"],
        records=Counter({"BOALF": 40, "FPN": 10}),
        duplicates=5,
        dates=["2024-06-12 run 1"],
        register_units=3,
        notes=[A],
        snapshots=["register 1"],
    )
    second = ImportSummary(
        files=["BOALF_2024-06-13.json", "FPN_2024-06-13.json"],
        records=Counter({"BOALF": 2}),
        duplicates=2,
        dates=["2024-06-13 run 2"],
        register_units=4,
        notes=[A, B],
    )
    merged = merged_summary([first, second])
    assert merged.files == ["BOALF_2024-06-12.json", "BOALF_2024-06-13.json", "FPN_2024-06-13.json"]
    assert merged.records == Counter({"BOALF": 42, "FPN": 10})
    # Exact duplicates collapsed on each date add up (the report's "duplicate(s) collapsed").
    assert merged.duplicates == 7
    assert merged.dates == ["2024-06-12 run 1", "2024-06-13 run 2"]
    assert merged.register_units == 7
    # A note said by two dates is listed once, in the order first said.
    assert merged.notes == [
        A,
        B,
    ]
    assert merged.snapshots == ["register 1"]
    assert first.records == Counter({"BOALF": 40, "FPN": 10})  # the dates' own summaries kept
