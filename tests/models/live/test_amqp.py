"""Live messages from a real AMQP 1.0 broker (RabbitMQ, tests/live_broker.py): a replayed day
is the run its files import to; a poison message is dead-lettered and the stream goes on; a
broker restart mid-stream loses and duplicates nothing; stop ends the listener cleanly."""

from __future__ import annotations

import shutil
import threading
import time

from models.db.database import SettlementDatabase
from models.db.schema import LiveDeadLetter, LiveMessage
from models.imports.loader import import_files
from models.live.amqp import listen_amqp, message_of, queue_address
from models.live.handler import DEAD, LIVE_RUN_TYPE, WRITTEN, Message
from models.live.stream import Stream
from tests.models.live.publisher import publish
from tests.models.live.recorded import DAY_FILES, messages_of, recorded
from tests.models.live.stored_runs import count, latest_run, rows


def imported_rows(registered_db_file, tmp_path, files):
    path = tmp_path / "imported.sqlite"
    shutil.copy(registered_db_file, path)
    with SettlementDatabase.open(path) as imported:
        import_files(imported, files, run_type=LIVE_RUN_TYPE)
        return rows(imported, latest_run(imported))


def test_queue_addresses_and_bytes_bodies():
    assert queue_address("iris.x") == "/queue/iris.x"
    assert queue_address("/amq/queue/x") == "/amq/queue/x"

    class Received:
        subject, id, body = "BOALF", 7, memoryview(b'[{"a": "\xc2\xa3"}]')

    assert message_of(Received) == Message("BOALF", "7", '[{"a": "£"}]')


def test_a_replayed_day_through_the_broker_is_its_import_and_a_poison_is_dead_lettered(
    live_broker, registered_db, registered_db_file, tmp_path
):
    files = [recorded(n) for n in DAY_FILES]
    day = [m for f in files for m in messages_of(f, per_message=4000)]
    poison = Message("BOALF", "poison", '{"data": [{"dataset": "BOALF", "levelFrom": "x"}')
    stream_of = [*day[:3], poison, *day[3:]]
    assert publish(live_broker.url, "replay", stream_of, as_bytes=True) == 9
    stream = Stream(registered_db, until_idle=3.0)
    started = time.monotonic()
    listen_amqp(live_broker.url, "replay", stream)
    assert time.monotonic() - started < 120
    assert stream.counts == {WRITTEN: 8, DEAD: 1}
    assert count(registered_db, LiveMessage) == 8
    assert count(registered_db, LiveDeadLetter) == 1
    assert rows(registered_db, latest_run(registered_db)) == imported_rows(
        registered_db_file, tmp_path, files
    )


def test_a_broker_restart_mid_stream_loses_and_duplicates_nothing(
    live_broker, registered_db, registered_db_file, tmp_path
):
    files = [recorded(DAY_FILES[2])]  # BOALF: 3,720 acceptances, 300 a message
    messages = messages_of(files[0], per_message=300)
    assert len(messages) == 13
    stream = Stream(registered_db)
    listener = threading.Thread(target=listen_amqp, args=(live_broker.url, "restart", stream))
    listener.start()
    try:
        publish(live_broker.url, "restart", messages[:6])
        deadline = time.monotonic() + 60
        while sum(stream.counts.values()) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        live_broker.restart()  # some messages written, some still queued
        publish(live_broker.url, "restart", messages[6:])
        deadline = time.monotonic() + 120
        while count(registered_db, LiveMessage) < 13 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stream.stop.set()
        listener.join(timeout=30)
    assert not listener.is_alive()  # stopped cleanly
    assert count(registered_db, LiveMessage) == 13
    assert stream.counts[WRITTEN] == 13
    assert count(registered_db, LiveDeadLetter) == 0
    assert rows(registered_db, latest_run(registered_db)) == imported_rows(
        registered_db_file, tmp_path, files
    )
