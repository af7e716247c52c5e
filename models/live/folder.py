"""Live messages from the folder Elexon's IRIS client writes: a folder per dataset (the
message's subject) holding one JSON file per message, named by the message's source file name
or by the dataset and the time it was saved (BOALF_240102T101500_123456.json).

A file's message id is its dataset folder and name ("BOALF/BOALF_….json"): the client never
writes two messages to one name. A file is taken once its size and modification time held for
one look (the client writes it in place: a file still being written would be cut short).
Files are taken in the order they were written. Nothing is moved or deleted: the ids already
written, or dead-lettered, are skipped, so the folder can be watched again after a restart.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from models.core.errors import WorkbenchInputError
from models.db.schema import LiveDeadLetter, LiveMessage
from models.live.handler import Message
from models.live.stream import CHECK_SECONDS, Stream


def _known_ids(stream: Stream) -> set[str]:
    with stream.db.engine.connect() as conn:
        written = conn.execute(select(LiveMessage.message_id)).scalars()
        dead = conn.execute(select(LiveDeadLetter.message_id)).scalars()
        return set(written) | {d for d in dead if d is not None}


def _files(folder: Path) -> dict[str, tuple[Path, int, int]]:
    """message id -> (path, size, modification time) of every JSON file of a dataset folder."""
    found = {}
    for path in folder.glob("*/*.json"):
        try:
            stat = path.stat()
        except OSError:
            continue  # gone meanwhile
        found[f"{path.parent.name}/{path.name}"] = (path, stat.st_size, stat.st_mtime_ns)
    return found


def watch_folder(folder: Path, stream: Stream) -> None:
    """Take the folder's message files into `stream` until it is done (stop set, or idle)."""
    if not folder.is_dir():
        raise WorkbenchInputError(f"{folder} is not a folder")
    known = _known_ids(stream)
    seen: dict[str, tuple[Path, int, int]] = {}
    while not stream.done():
        now = _files(folder)
        steady = [
            (mtime, key, path)
            for key, (path, size, mtime) in now.items()
            if key not in known and seen.get(key) == (path, size, mtime)
        ]
        for _, key, path in sorted(steady):
            if stream.stop.is_set():
                return
            try:
                body = path.read_bytes().decode("utf-8-sig", errors="replace")
            except OSError:
                continue  # removed meanwhile: nothing to take
            stream.take(Message(path.parent.name, key, body))
            known.add(key)
        seen = now
        time.sleep(CHECK_SECONDS)
