"""Dispute deadlines in England and Wales working days, and the case record."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.disputes.dispute_cases import (
    DisputeError,
    add_scenario,
    add_working_days,
    create_dispute_case,
    get_dispute_case,
    is_working_day,
    list_dispute_cases,
    raise_by,
    run_date_for,
    scheduled_run_date,
    set_status,
)
from models.runs.case_store import import_case
from models.runs.scenarios.store import create_scenario
from tests.paths import CASES


def test_bank_holidays_of_england_and_wales_are_not_working_days():
    assert not is_working_day(date(2024, 12, 25)) and not is_working_day(date(2024, 12, 26))
    assert not is_working_day(date(2024, 3, 29))  # Good Friday
    assert not is_working_day(date(2024, 4, 1))  # Easter Monday (not a holiday in Scotland)
    assert not is_working_day(date(2024, 8, 26))  # summer bank holiday, England and Wales
    assert is_working_day(date(2024, 8, 5))  # Scotland's summer holiday: a working day here
    assert not is_working_day(date(2024, 6, 15))  # a Saturday


def test_working_days_skip_weekends_and_holidays():
    # Fri 20 Dec 2024 + 5: Mon 23, Tue 24, (25, 26 holidays) Fri 27, Mon 30, Tue 31.
    assert add_working_days(date(2024, 12, 20), 5) == date(2024, 12, 31)
    assert add_working_days(date(2024, 6, 12), 0) == date(2024, 6, 12)


def test_deadlines_of_each_category():
    # Thu 28 Mar 2024 + 3 working days: Good Friday and Easter Monday are skipped.
    assert raise_by("profile", date(2024, 3, 28), None) == date(2024, 4, 4)
    assert raise_by("market_domain", date(2024, 3, 28), None) == date(2024, 4, 3)
    # A run on Thu 4 Jul 2024 + 20 working days (no holiday in July).
    assert raise_by("general", date(2024, 6, 12), date(2024, 7, 4)) == date(2024, 8, 1)
    # + 70 working days after RF on 1 Aug 2024: the 26 Aug bank holiday falls inside.
    assert raise_by("sva", date(2023, 6, 12), date(2024, 8, 1)) == date(2024, 11, 8)
    with pytest.raises(DisputeError, match="run date"):
        raise_by("general", date(2024, 6, 12), None)
    with pytest.raises(DisputeError, match="unknown category"):
        raise_by("late", date(2024, 6, 12), None)


def test_a_case_holds_its_run_scenarios_and_status(tmp_path):
    with SettlementDatabase.create(tmp_path / "c.sqlite") as db:
        import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            scenario = create_scenario(conn, 1, "fix", author="t")
            case_id = create_dispute_case(
                conn,
                reference="TD-7",
                raising_party="GEN",
                run_id=1,
                periods=[27],
                run_date=date(2024, 7, 4),
            )
            add_scenario(conn, case_id, scenario)
            set_status(conn, case_id, "raised")
            with pytest.raises(DisputeError, match="already exists"):
                create_dispute_case(conn, reference="TD-7", raising_party="GEN", run_id=1)
            with pytest.raises(DisputeError, match="is not a scenario"):
                add_scenario(conn, case_id, 1)
            # Added twice (two quick clicks): said in the case's terms, not as the unique key's
            # "(sqlite3.IntegrityError) UNIQUE constraint failed: dispute_case_scenario…".
            with pytest.raises(DisputeError) as twice:
                add_scenario(conn, case_id, scenario)
            assert str(twice.value) == f"scenario {scenario} is already in case TD-7"
        with db.engine.connect() as conn:
            case = get_dispute_case(conn, "TD-7")
            assert case == get_dispute_case(conn, case_id)
            assert (case.scenarios, case.status, case.periods) == ((scenario,), "raised", (27,))
            assert case.deadline == date(2024, 8, 1)
            assert case.as_json()["raise_by"] == "2024-08-01"
            assert [c.reference for c in list_dispute_cases(conn)] == ["TD-7"]


def test_a_run_is_dated_by_the_settlement_calendar_not_by_its_loading():
    # Wed 12 Jun 2024: SF 16 working days on (13, 14, 17-21, 24-28, 1-4 Jul) is Thu 4 Jul.
    assert scheduled_run_date(date(2024, 6, 12), "SF") == date(2024, 7, 4)
    assert scheduled_run_date(date(2024, 6, 12), "II") == date(2024, 6, 19)  # 13,14,17,18,19
    # Thu 28 Mar 2024, II: Good Friday and Easter Monday skipped: 2, 3, 4, 5, 8 Apr.
    assert scheduled_run_date(date(2024, 3, 28), "II") == date(2024, 4, 8)
    assert scheduled_run_date(date(2024, 6, 12), "DF") is None
    assert run_date_for(date(2024, 6, 12), "DF", date(2026, 1, 5)) == date(2026, 1, 5)
    with pytest.raises(DisputeError, match="DF run is held ad hoc"):
        run_date_for(date(2024, 6, 12), "DF")
    # An SVA dispute counts 70 working days from the RF run, whatever the run concerned.
    rf = scheduled_run_date(date(2024, 6, 12), "RF")
    assert rf == add_working_days(date(2024, 6, 12), 292)
    assert raise_by("sva", date(2024, 6, 12), date(2024, 7, 4), "SF") == add_working_days(rf, 70)
    assert raise_by("sva", date(2024, 6, 12), date(2025, 8, 1), "RF") == add_working_days(
        date(2025, 8, 1), 70
    )


def test_a_case_without_a_run_date_counts_from_the_scheduled_run(tmp_path):
    """Not from when the database was loaded (2026 here): the SF run of 12 Jun 2024 ran on
    4 Jul 2024, and 20 working days later is Thu 1 Aug 2024."""
    with SettlementDatabase.create(tmp_path / "c.sqlite") as db:
        import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            case_id = create_dispute_case(conn, reference="TD-8", raising_party="GEN", run_id=1)
        with db.engine.connect() as conn:
            case = get_dispute_case(conn, case_id)
    assert case.created_at.date() > date(2025, 1, 1)  # run and case made long after the run date
    assert (case.run_type, case.run_date, case.deadline) == (
        "SF",
        date(2024, 7, 4),
        date(2024, 8, 1),
    )
    assert case.as_json()["run_type"] == "SF"


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)))
def test_scheduled_runs_fall_on_working_days_in_run_order(day):
    dates = [scheduled_run_date(day, t) for t in ("II", "SF", "R1", "R2", "R3", "RF")]
    assert all(is_working_day(d) for d in dates)
    assert day < dates[0] and all(a < b for a, b in pairwise(dates))
