"""A stream counts what its messages came to and says when a source is done: stop set, or
`until_idle` seconds without a message."""

from __future__ import annotations

import time

from models.live.handler import DEAD, Message
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
