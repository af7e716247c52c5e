"""Catching database work on the GUI thread: every connection the product's GUI code takes
from a pool on the main thread is recorded with where it was taken.

Only checkouts made from `workbench/` or `views/` code count: a test reading the database to
check what was written is not the GUI waiting on it. A checkout is where a round trip starts
(a server's network, SQLite's file lock), so one on the GUI thread can freeze the window
however fast it is on this machine."""

from __future__ import annotations

import threading
import traceback
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.pool import Pool

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_GUI = (ROOT / "workbench", ROOT / "views")


class GuiThreadCheckouts:
    """What was recorded: one entry per checkout, the product frames that asked for it."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def _checkout(self, _dbapi_connection, _record, _proxy) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        frames = [
            f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} {f.name}"
            for f in traceback.extract_stack()
            if any(Path(f.filename).is_relative_to(p) for p in PRODUCT_GUI)
        ]
        if frames:
            self.found.append(" <- ".join(reversed(frames)))

    def __bool__(self) -> bool:
        return bool(self.found)

    def report(self) -> str:
        shown = "\n  ".join(self.found[:10])
        more = f"\n  … and {len(self.found) - 10} more" if len(self.found) > 10 else ""
        return f"{len(self.found)} database checkout(s) on the GUI thread:\n  {shown}{more}"


@contextmanager
def recording_gui_thread_checkouts():
    """Record, while inside, the GUI code's connection checkouts on the main thread."""
    recorded = GuiThreadCheckouts()
    event.listen(Pool, "checkout", recorded._checkout)
    try:
        yield recorded
    finally:
        event.remove(Pool, "checkout", recorded._checkout)
