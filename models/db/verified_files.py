"""Database files found sound by ``PRAGMA quick_check``, remembered so that opening an
unchanged file again does not scan it again (a 30-day database is 4 GB: seconds per scan).

A file is known by its resolved path, size, modification time and inode: any write changes
one of them, and the next opening checks it again. The memory lasts the process; with
`STORE` set (the application sets it to a file in the user's private state folder) it lasts
between runs too.
"""

from __future__ import annotations

import json
from pathlib import Path

STORE: Path | None = None
MAX_ENTRIES = 64
_MEMORY: set[tuple] = set()


def file_key(path: Path) -> tuple:
    """What identifies the file's present content: resolved path, size, mtime, inode."""
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _stored() -> dict[str, list]:
    if STORE is None:
        return {}
    try:
        data = json.loads(STORE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # missing or unreadable: every file is checked again, nothing is lost
    return data if isinstance(data, dict) else {}


def is_verified(key: tuple) -> bool:
    if key in _MEMORY:
        return True
    if _stored().get(key[0]) == list(key[1:]):
        _MEMORY.add(key)
        return True
    return False


def mark_verified(key: tuple) -> None:
    """Remember `key`, taken before the check (a write during the check changes the key)."""
    _MEMORY.add(key)
    if STORE is None:
        return
    from models.core.atomic_write import write_text_atomic

    entries = _stored()
    entries.pop(key[0], None)
    entries[key[0]] = list(key[1:])  # newest last; the oldest are forgotten first
    kept = dict(list(entries.items())[-MAX_ENTRIES:])
    try:
        STORE.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_text_atomic(STORE, json.dumps(kept, indent=0))
    except OSError:
        pass  # remembering is an optimisation: the file is checked again next time
