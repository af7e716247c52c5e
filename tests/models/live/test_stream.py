"""A stream counts what its messages came to and says when a source is done: stop set, or
`until_idle` seconds without a message."""

from __future__ import annotations

import time

from models.live.handler import DEAD, WRITTEN, Message
from models.live.stream import Stream


def test_done_on_stop_or_when_idle_long_enough(registered_db):
    waiting = Stream(registered_db)
    assert not waiting.done()
    waiting.stop.set()
    assert waiting.done()
    idle = Stream(registered_db, until_idle=0.3)
    idle.last_message = time.monotonic() - 0.2
    assert not idle.done()
    idle.last_message = time.monotonic() - 0.31
    assert idle.done()


def test_a_message_taken_is_counted_told_and_restarts_the_idle_clock(registered_db):
    told = []
    stream = Stream(registered_db, until_idle=60, on_outcome=lambda m, o: told.append(o.status))
    stream.last_message = time.monotonic() - 59.9
    stream.take(Message("BOALF", "m", "not json"))
    assert stream.counts == {DEAD: 1}
    assert told == [DEAD]
    assert time.monotonic() - stream.last_message < 1


def test_a_day_complete_by_the_clock_is_closed_after_the_message_and_told(registered_db):
    from datetime import datetime, timedelta

    from tests.models.live.recorded import DAY_FILES, messages_of, recorded
    from tests.models.live.stored_runs import latest_run

    first, second = messages_of(recorded(DAY_FILES[2]), per_message=2000)
    closed = []
    now = [datetime(2022, 1, 2, 1, 59)]  # 2022-01-01 ended 1 h 59 min ago
    stream = Stream(
        registered_db,
        close_after=timedelta(hours=2),
        clock=lambda: now[0],
        on_close=closed.append,
    )
    stream.take(first)
    assert closed == []
    now[0] = datetime(2022, 1, 2, 2, 0)
    stream.take(second)
    assert closed == [[latest_run(registered_db)]]
    assert stream.close_complete_days() == []  # nothing open any more
    late = stream.take(Message("BOALF", "late repeat", first.body))  # nothing new: no new run
    assert (late.status, late.run_ids, len(closed)) == (WRITTEN, (), 1)
    never = Stream(registered_db, clock=lambda: datetime(2030, 1, 1))
    third = messages_of(recorded("insights_json/BOALF_2022-01-02.json"), per_message=50)[0]
    assert len(never.take(third).run_ids) == 1
    assert never.close_complete_days() == []  # close_after None: closed by hand only
