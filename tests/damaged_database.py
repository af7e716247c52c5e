"""A settlement database with a wrecked page, as a disk fault leaves one."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from models.db.database import SettlementDatabase


def make_damaged_database(path: Path) -> None:
    """A new database at `path` whose workbench_meta leaf page has its cell pointers
    wrecked: SQLite's first read of it, or quick_check, finds it damaged."""
    SettlementDatabase.create(path).close()
    conn = sqlite3.connect(path)
    root, page_size = conn.execute(
        "SELECT rootpage, (SELECT page_size FROM pragma_page_size()) FROM sqlite_master "
        "WHERE name = 'workbench_meta'"
    ).fetchone()
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size + 8)
        handle.write(b"\xff" * 8)
