"""Which runs an impact assessment settles, and the ranges it refuses."""

from __future__ import annotations

from datetime import date

import pytest

from engine.settlement_calendar import RunType
from models.core.errors import WorkbenchInputError
from models.db.database import SettlementDatabase
from models.impact.plan import impact_plan
from tests.models.impact.impact_demo import FIRST, LAST


@pytest.fixture
def conn(demo_db):
    with SettlementDatabase.open(demo_db) as db, db.engine.connect() as connection:
        yield connection


def test_every_date_of_the_range_with_its_runs_in_run_order(conn):
    tasks = impact_plan(conn, FIRST, LAST)
    assert [t.settlement_date for t in tasks] == [FIRST, date(2024, 6, 13), LAST]
    assert tasks[0].run_ids == (1, 2, 3)
    assert tasks[1].labels == ("2024-06-13 II", "2024-06-13 SF", "2024-06-13 R1")


def test_run_types_and_a_part_of_the_range(conn):
    tasks = impact_plan(conn, date(2024, 6, 13), date(2024, 6, 20), (RunType.SF, RunType.R1))
    assert [(t.settlement_date, t.labels) for t in tasks] == [
        (date(2024, 6, 13), ("2024-06-13 SF", "2024-06-13 R1")),
        (LAST, ("2024-06-14 SF", "2024-06-14 R1")),
    ]


@pytest.mark.parametrize(
    ("first", "last", "types", "message"),
    [
        (LAST, FIRST, (), "--to 2024-06-12 is before --from 2024-06-14"),
        (date(2024, 7, 1), date(2024, 7, 2), (),
         "no run from 2024-07-01 to 2024-07-02; the database has such runs from "
         "2024-06-12 to 2024-06-14"),
        (FIRST, LAST, (RunType.RF,), "no RF run from 2024-06-12 to 2024-06-14; the database "
         "has no such run"),
        (date(2000, 1, 1), date(2024, 1, 1), (), "the range is longer than 7,320 days"),
    ],
)  # fmt: skip
def test_refused_ranges_say_why_in_one_line(conn, first, last, types, message):
    with pytest.raises(WorkbenchInputError, match=message) as caught:
        impact_plan(conn, first, last, types)
    assert "\n" not in str(caught.value)
