"""A live run's stored results are settled on its last data before it closes (issue 23), by
the clock in the stream or by hand: a reader of the closed, immutable run finds the results
its inputs settle to, never those of an earlier settle (or none)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

import models.live.stream as stream_module
from engine.settle import settle_day
from models.core.errors import RunImmutableError
from models.live.handler import handle
from models.live.live_run import close_day
from models.live.stream import Stream
from models.runs.inputs import load_settlement_inputs
from models.runs.scenarios.store import create_scenario
from models.runs.stored_check import compare_with_stored, read_stored_results
from tests.models.live import small_day
from tests.models.live.stored_runs import DAY, latest_run


def stored_against_inputs(db, run_id: int):
    """The run's stored results against what its inputs settle to now, and its status."""
    with db.engine.connect() as conn:
        result = settle_day(load_settlement_inputs(conn, run_id))
        differences = compare_with_stored(result, read_stored_results(conn, run_id))
        status = conn.exec_driver_sql(
            f"SELECT status FROM settlement_run WHERE id = {run_id}"
        ).scalar()
    return differences, status


def agrees(differences) -> bool:
    return differences.settled and not (
        differences.periods_differing.any()
        or differences.units_differing.any()
        or differences.parties_differing.any()
    )


def test_a_day_closed_by_the_clock_is_settled_on_its_last_message(registered_db, monkeypatch):
    # Settles spaced far apart: after the first message's, every later one waits, so the day's
    # last messages are still unsettled when the clock closes it.
    monkeypatch.setattr(stream_module, "SETTLE_SPACING", 1e9)
    messages = small_day.messages()
    now = [datetime(2022, 1, 2, 1, 59)]  # 2022-01-01 ended 1 h 59 min ago: open
    told, closed = [], []
    stream = Stream(
        registered_db,
        close_after=timedelta(hours=2),
        clock=lambda: now[0],
        on_settled=lambda day, changed: told.append(day),
        on_close=closed.append,
    )
    stream.take(messages[0])
    stream.take(messages[0])  # a settle ran, with its cost measured: the spacing holds now
    for message in messages[1:-1]:
        stream.take(message)
    run_id = latest_run(registered_db)
    assert stream.settles == 1 and stream._pending == {run_id}  # waiting for the spacing
    now[0] = datetime(2022, 1, 2, 2, 0)  # complete: the last message closes the day
    stream.take(messages[-1])
    assert closed == [[run_id]]
    differences, status = stored_against_inputs(registered_db, run_id)
    assert status == "loaded" and agrees(differences), differences.summary()
    day = told[-1]  # the listener was told the final settle, as a closed (settled) day
    assert day.run_id == run_id and day.periods[17].ssp == pytest.approx(small_day.P17_SSP)
    assert day.periods[17].published_ssp == small_day.PUBLISHED_P17
    assert day.periods[18].niv == pytest.approx(small_day.P18_NIV)
    assert stream._pending == set()  # nothing left to settle on a closed run
    settles = stream.settles
    stream.stop.set()
    assert stream.done() and stream.settles == settles


def test_a_day_closed_by_hand_is_settled_on_its_data(registered_db):
    # Written without a listener's settles (as a `listen` stopped before its next settle).
    for message in small_day.messages():
        handle(registered_db, message)
    run_id = latest_run(registered_db)
    before, _ = stored_against_inputs(registered_db, run_id)
    assert not before.settled  # never settled: nothing stored
    with (  # open: no scenario on it (its data change)
        registered_db.engine.begin() as conn,
        pytest.raises(RunImmutableError, match=r"still loading \(a live run"),
    ):
        create_scenario(conn, run_id, "what if", author="analyst")
    with registered_db.engine.begin() as conn:
        assert close_day(conn, DAY) == run_id
        assert create_scenario(conn, run_id, "what if", author="analyst") > run_id
    differences, status = stored_against_inputs(registered_db, run_id)
    assert status == "loaded" and agrees(differences), differences.summary()
    p17 = list(differences.periods).index(17)
    assert differences.period_stored[p17, 0] == pytest.approx(small_day.P17_SSP)
