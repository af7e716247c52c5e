"""A live message through the import framework: the live run of a replayed day equals
importing its files; a redelivery writes nothing twice; a malformed message is dead-lettered
and the next one is written."""

from __future__ import annotations

import json

from sqlalchemy import select

from models.db.schema import LiveDeadLetter, LiveMessage, SettlementRun
from models.imports.loader import import_files
from models.live.handler import (
    DEAD,
    LIVE_RUN_TYPE,
    REPEATED,
    SKIPPED,
    WRITTEN,
    Message,
    handle,
)
from models.runs.results_store import settle_run, stored_document
from tests.models.live.recorded import DAY_FILES, messages_of, recorded
from tests.models.live.stored_runs import count, latest_run, rows


def settled(db) -> dict:
    """The settlement-result/1 document of the date's latest live run, settled."""
    run_id = latest_run(db)
    settle_run(db, run_id)
    with db.engine.connect() as conn:
        document = stored_document(conn, run_id)
    assert len(document["periods"]) == 48
    assert sum(len(p["stack"]) for p in document["periods"]) > 1000  # not an empty day
    return document


def test_a_replayed_day_is_the_run_its_files_import_to(registered_db, registered_db_file, tmp_path):
    import shutil

    from models.db.database import SettlementDatabase

    files = [recorded(n) for n in DAY_FILES]
    messages = [m for f in files for m in messages_of(f, per_message=4000)]
    assert len(messages) == 3 + 4 + 1  # PN 9,027, BOD 14,964, BOALF 3,720 records
    outcomes = [handle(registered_db, m) for m in messages]
    assert [o.status for o in outcomes] == [WRITTEN] * len(messages)
    assert all(len(o.run_ids) == 1 for o in outcomes)  # each brought new records
    live = rows(registered_db, latest_run(registered_db))

    path = tmp_path / "imported.sqlite"
    shutil.copy(registered_db_file, path)
    with SettlementDatabase.open(path) as imported:
        import_files(imported, files, run_type=LIVE_RUN_TYPE)
        assert rows(imported, latest_run(imported)) == live
        assert settled(imported) == settled(registered_db)
    assert sum(len(v) for k, v in live.items() if k != "periods") > 27_000
    assert count(registered_db, LiveMessage) == len(messages)


def test_a_redelivered_message_writes_nothing_twice(registered_db):
    (first, second) = messages_of(recorded(DAY_FILES[2]), per_message=2000)
    assert handle(registered_db, first).status == WRITTEN
    runs = count(registered_db, SettlementRun)
    assert handle(registered_db, first).status == REPEATED
    assert count(registered_db, SettlementRun) == runs
    assert handle(registered_db, second).status == WRITTEN
    assert count(registered_db, LiveMessage) == 2


def test_a_malformed_message_is_dead_lettered_and_the_stream_goes_on(registered_db):
    (first, second) = messages_of(recorded(DAY_FILES[2]), per_message=2000)
    record = json.loads(first.body)[0]
    poison = [
        Message("BOALF", "poison-1", '[{"dataset": "BOALF", "levelFrom": '),  # cut short
        Message("BOALF", "poison-2", json.dumps([record | {"settlementPeriodFrom": 99}])),
        Message("BOALF", "", first.body),
        Message("PN", "poison-4", second.body),  # BOALF records under another subject
    ]
    assert handle(registered_db, first).status == WRITTEN
    outcomes = [handle(registered_db, m) for m in poison]
    assert [o.status for o in outcomes] == [DEAD] * 4
    assert "not valid JSON" in outcomes[0].reason
    assert "has no id" in outcomes[2].reason
    assert outcomes[3].reason == "the subject says PN but the records are BOALF"
    assert handle(registered_db, second).status == WRITTEN
    with registered_db.engine.connect() as conn:
        letters = conn.execute(
            select(LiveDeadLetter.message_id, LiveDeadLetter.body).order_by(LiveDeadLetter.id)
        ).all()
    assert [(m, b) for m, b in letters] == [(m.message_id or None, m.body) for m in poison]
    assert count(registered_db, LiveMessage) == 2


def test_a_dataset_the_workbench_does_not_import_is_skipped_unwritten(registered_db):
    fuel = Message("FUELINST", "fuel-1", '[{"dataset": "FUELINST", "generation": 1}]')
    outcome = handle(registered_db, fuel)
    assert (outcome.status, outcome.reason) == (
        SKIPPED,
        "FUELINST is not a dataset the workbench imports",
    )
    assert count(registered_db, LiveMessage) == count(registered_db, LiveDeadLetter) == 0
