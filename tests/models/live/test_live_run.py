"""A date's live run: open (status loading) while messages append to it, on SQLite, PostgreSQL
and MariaDB; closed by hand or when its day is complete, after which it is immutable in the
database itself (migration 0009's triggers) and the date's next message opens the next II run,
carrying it forward."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from models.core.errors import RunNotFoundError
from models.db.schema import SettlementRun
from models.live.handler import WRITTEN, Message, handle
from models.live.live_run import (
    close_complete_days,
    close_day,
    complete,
    day_end,
    live_run,
    open_days,
)
from tests.models.db.backends import BACKENDS, created
from tests.models.live.recorded import DAY_FILES, recorded
from tests.models.live.stored_runs import DAY, rows

HOUR = timedelta(hours=1)


def boalf_records() -> list[dict]:
    document = json.loads(recorded(DAY_FILES[2]).read_text())
    return document["data"] if isinstance(document, dict) else document


def acceptances(start: int, stop: int) -> Message:
    """Records start..stop-1 of the recorded BOALF file (levels of acceptances) as one message."""
    records = boalf_records()[start:stop]
    return Message("BOALF", f"BOALF#{start}-{stop}", json.dumps(records))


def numbers(stop: int) -> int:
    """The acceptances of the first `stop` BOALF records (one record per level)."""
    return len({(r["bmUnit"], r["acceptanceNumber"]) for r in boalf_records()[:stop]})


def run_of(db, run_id: int):
    with db.engine.connect() as conn:
        return conn.execute(
            select(SettlementRun.status, SettlementRun.run_number).where(SettlementRun.id == run_id)
        ).one()


def test_a_day_ends_with_its_last_period_by_the_clock_of_its_date():
    assert day_end(date(2022, 1, 1)) == datetime(2022, 1, 2, 0, 0)  # GMT, 48 periods
    assert day_end(date(2022, 6, 1)) == datetime(2022, 6, 1, 23, 0)  # BST: 23:00 UTC
    assert day_end(date(2022, 3, 27)) == datetime(2022, 3, 27, 23, 0)  # 46 periods from 00:00
    assert day_end(date(2022, 10, 30)) == datetime(2022, 10, 31, 0, 0)  # 50 from 23:00 UTC
    end = datetime(2022, 1, 2)
    assert not complete(DAY, end + 2 * HOUR - timedelta(seconds=1), 2 * HOUR)
    assert complete(DAY, end + 2 * HOUR, 2 * HOUR)
    assert complete(DAY, end, timedelta(0))


@pytest.fixture(params=BACKENDS)
def any_db(request, database_target):
    db = created(database_target(request.param, "live"), request.param)
    yield db
    db.close()


def test_appends_while_open_then_immutable_once_closed_on_every_backend(any_db):
    first, second = acceptances(0, 30), acceptances(30, 60)
    assert handle(any_db, first).status == WRITTEN
    run_id = handle(any_db, second).run_ids[0]
    assert handle(any_db, first).run_ids == ()  # repeated: nothing written
    assert tuple(run_of(any_db, run_id)) == ("loading", 1)
    with any_db.engine.connect() as conn:
        assert live_run(conn, DAY) == run_id
        assert open_days(conn) == [(DAY, run_id)]
    open_rows = rows(any_db, run_id)
    assert len(open_rows["acceptance"]) == numbers(60) > 20
    with any_db.engine.begin() as conn:  # open: the run's rows may still change (and back)
        conn.execute(text("UPDATE acceptance SET so_flag = NOT so_flag"))
        conn.execute(text("UPDATE acceptance SET so_flag = NOT so_flag"))
        assert close_day(conn, DAY) == run_id
    assert tuple(run_of(any_db, run_id)) == ("loaded", 1)
    assert rows(any_db, run_id) == open_rows  # the caches written on closing read the same
    for sql in (
        "UPDATE acceptance SET so_flag = NOT so_flag",
        "DELETE FROM acceptance_level",
        f"UPDATE settlement_run SET status = 'loading' WHERE id = {run_id}",
        f"DELETE FROM run_bm_unit WHERE run_id = {run_id}",
    ):
        with pytest.raises(DBAPIError, match="immutable"), any_db.engine.begin() as conn:
            conn.execute(text(sql))
    with any_db.engine.connect() as conn, pytest.raises(RunNotFoundError, match="no open live"):
        close_day(conn, DAY)
    # The day's next message: the next II run, carrying the closed one forward.
    later = handle(any_db, acceptances(60, 70)).run_ids[0]
    assert later != run_id and tuple(run_of(any_db, later)) == ("loading", 2)
    carried = rows(any_db, later)
    assert len(carried["acceptance"]) == numbers(70) > numbers(60)
    assert set(open_rows["acceptance"]) < set(carried["acceptance"])
    assert rows(any_db, run_id) == open_rows


def test_the_days_complete_by_the_clock_are_closed_and_the_others_stay_open(registered_db):
    handle(registered_db, acceptances(0, 10))
    other = json.loads(recorded("insights_json/BOALF_2022-01-02.json").read_text())
    records = other["data"] if isinstance(other, dict) else other
    handle(registered_db, Message("BOALF", "next-day", json.dumps(records[:10])))
    with registered_db.engine.begin() as conn:
        (first, day_one), (second, day_two) = open_days(conn)
        assert (first, second) == (DAY, date(2022, 1, 2))
        now = datetime(2022, 1, 2, 2, 0)  # 2 h after 2022-01-01 ended
        assert close_complete_days(conn, now - timedelta(seconds=1), 2 * HOUR) == []
        assert close_complete_days(conn, now, 2 * HOUR) == [day_one]
        assert open_days(conn) == [(date(2022, 1, 2), day_two)]
    assert run_of(registered_db, day_one).status == "loaded"
    assert run_of(registered_db, day_two).status == "loading"
