"""Live messages from the folder layout of Elexon's IRIS client (a folder per dataset, a file
per message): a replayed day is the run its files import to; watching again writes nothing; a
poison file is dead-lettered once and the files after it are taken."""

from __future__ import annotations

import shutil
import threading
import time

import pytest

from models.core.errors import WorkbenchInputError
from models.db.database import SettlementDatabase
from models.db.schema import LiveDeadLetter, LiveMessage
from models.imports.loader import import_files
from models.live.folder import watch_folder
from models.live.handler import DEAD, LIVE_RUN_TYPE, WRITTEN
from models.live.stream import Stream
from tests.models.live.recorded import DAY_FILES, messages_of, recorded
from tests.models.live.stored_runs import count, latest_run, rows


def write_as_iris_client(folder, message, stamp: str) -> None:
    """As the client saves a message without a source file name: DATASET/DATASET_<time>.json."""
    (folder / message.dataset).mkdir(exist_ok=True)
    (folder / message.dataset / f"{message.dataset}_{stamp}.json").write_text(message.body)


def test_a_replayed_folder_is_the_run_its_files_import_to(
    registered_db, registered_db_file, tmp_path
):
    inbox = tmp_path / "iris"
    inbox.mkdir()
    files = [recorded(n) for n in DAY_FILES[::2]]  # PN and BOALF
    messages = [m for f in files for m in messages_of(f, per_message=2000)]
    assert len(messages) == 5 + 2
    for n, message in enumerate(messages[:4]):
        write_as_iris_client(inbox, message, f"220101T000000_{n:06d}")
    (inbox / "BOALF").mkdir()
    (inbox / "BOALF" / "BOALF_poison.json").write_text('[{"dataset": "BOALF"')
    stream = Stream(registered_db)
    watcher = threading.Thread(target=watch_folder, args=(inbox, stream))
    watcher.start()
    try:
        deadline = time.monotonic() + 60
        while sum(stream.counts.values()) < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        for n, message in enumerate(messages[4:], start=4):  # arriving while watched
            write_as_iris_client(inbox, message, f"220101T000000_{n:06d}")
        while sum(stream.counts.values()) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stream.stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive()
    assert stream.counts == {WRITTEN: 7, DEAD: 1}
    path = tmp_path / "imported.sqlite"
    shutil.copy(registered_db_file, path)
    with SettlementDatabase.open(path) as imported:
        import_files(imported, files, run_type=LIVE_RUN_TYPE)
        assert rows(registered_db, latest_run(registered_db)) == rows(
            imported, latest_run(imported)
        )
    again = Stream(registered_db, until_idle=1.0)
    watch_folder(inbox, again)
    assert sum(again.counts.values()) == 0
    assert (count(registered_db, LiveMessage), count(registered_db, LiveDeadLetter)) == (7, 1)


def test_a_missing_folder_is_one_line(registered_db, tmp_path):
    with pytest.raises(WorkbenchInputError, match="is not a folder"):
        watch_folder(tmp_path / "nowhere", Stream(registered_db))
