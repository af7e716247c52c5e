"""Open a database and load its first run while the window is still being built.

Launching the workbench on a database spends about a second importing Qt and pyqtgraph and
building the window, and about as long opening the database, loading the run's inputs and
settling them. Neither needs the other, so they overlap: the run loads in this thread from the
first moment (SQLite and numpy do much of their work outside the GIL), and the window adopts
it as its first background job. Only the standard library is imported here at module level.
"""

from __future__ import annotations

import gc
import threading
from pathlib import Path


def default_settings():
    """The user's workbench settings (QSettings; the window's unless a test gives its own)."""
    from PySide6.QtCore import QSettings

    return QSettings("Settlement Workbench", "Settlement Workbench")


def start(path: str, settings=None) -> Preload:
    """Start opening `path` and loading the run it showed last time."""
    return Preload(path, remembered_run(settings or default_settings(), path))


def last_shown_key(what: str, path: str) -> str:
    """The settings key of the run, unit or period last shown from a database file."""
    return f"last-{what}/{Path(path).resolve()}"


def last_run_key(path: str) -> str:
    return last_shown_key("run", path)


def remembered_run(settings, path: str) -> int | None:
    value = settings.value(last_run_key(path), None)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None  # a hand-edited settings file: fall back to the first run


def choose_run(run_ids: list[int], remembered: int | None) -> int | None:
    """The run to show on opening: the one shown last time if it still exists, else the
    first listed (the newest date)."""
    if remembered is not None and remembered in run_ids:
        return remembered
    return run_ids[0] if run_ids else None


def open_listing(target: str):
    """Open the database at `target` (a file or a server URL; an older schema is migrated)
    and list its runs: (database, runs). Off the GUI thread: the launch's preload and the
    window's openings (workbench.gui.server_open) run it in a thread of their own."""
    from models.db.database import SettlementDatabase
    from models.runs.run_store import list_runs

    db = SettlementDatabase.open(target)
    try:
        with db.engine.connect() as conn:
            return db, list_runs(conn, light=True)
    except BaseException:
        db.close()
        raise


class Preload:
    """A database opened, and its first run loaded, in a thread of its own."""

    def __init__(self, path: str, remembered: int | None) -> None:
        self.path = path
        self.remembered = remembered
        self.db = None
        self.runs: list = []
        self.run_id: int | None = None
        self.view = None
        self._open_error: BaseException | None = None
        self._load_error: BaseException | None = None
        self._opened = threading.Event()
        self._cancel = threading.Event()
        # Not a daemon: the load ends (or notices a cancel) before the process exits.
        self._thread = threading.Thread(target=self._work, name="preload")
        self._thread.start()

    def _work(self) -> None:
        # No garbage collection while this thread allocates: a collection here could free Qt
        # objects the GUI thread is building, off their thread (that hung the tests once, in
        # a job's thread). The GUI thread collects again when its first job starts.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._open_and_load()
        finally:
            if collecting:
                gc.enable()

    def _open_and_load(self) -> None:
        try:
            self.db, self.runs = open_listing(self.path)
            self.run_id = choose_run([r.id for r in self.runs], self.remembered)
        except BaseException as exc:  # raised again on the GUI thread, by opened()
            self._open_error = exc
            return
        finally:
            self._opened.set()
        if self.run_id is None:
            return
        try:
            from models.runs.run_view import load_run_view

            self.view = load_run_view(self.db, self.run_id, cancelled=self._cancel.is_set)
        except BaseException as exc:  # raised again in the job that adopts this load
            self._load_error = exc

    def opened(self):
        """(database, runs) once opened (a few milliseconds after the imports); raises what
        opening raised, such as a DatabaseOpenError naming the file."""
        self._opened.wait()
        if self._open_error is not None:
            raise self._open_error
        return self.db, self.runs

    def work(self, progress, cancelled):
        """A background job's work (see workbench.gui.jobs): wait for the load and return it."""
        progress(0.1, "loading and settling the run")
        while self._thread.is_alive():
            if cancelled():
                self._cancel.set()
            self._thread.join(0.05)
        if self._load_error is not None:
            raise self._load_error
        return self.view

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, seconds: float | None = None) -> None:
        self._thread.join(seconds)
