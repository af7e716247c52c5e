"""Database failures and notices in the window (issue 16): a database locked by another
program, a read-only file, a crash's hot journal rolled back on opening, each told in one
line naming the file, never SQL, values or a traceback."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys

import pytest

from models.db import database
from models.db.database import SettlementDatabase
from tests.views.window_driver import answer, drop, open_database, wait_idle
from workbench.gui.app import install_error_hook

PRICES_MID = {
    "data": [
        {
            "dataset": "MID",
            "settlementDate": "2026-03-29",
            "settlementPeriod": 1,
            "dataProvider": "APXMIDP",
            "price": 70.0,
            "volume": 500.0,
        }
    ]
}


def _mid_file(tmp_path):
    import json

    path = tmp_path / "MID.json"
    path.write_text(json.dumps(PRICES_MID))
    return path


def _assert_one_clear_line(message: str, details: str, path) -> None:
    assert str(path) in message
    assert "\n" not in message
    for leaked in ("SQL", "INSERT", "SELECT", "Traceback", "sqlite3.", "[parameters"):
        assert leaked not in message
    assert details == ""


@pytest.fixture
def quick_busy_timeout(monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_SECONDS", 0.2)


def _job_failure(window) -> tuple[str, str]:
    """The failed job's (message, details), as its error box shows them."""
    box = window._last_error
    assert box.windowTitle() == "The job failed"
    box.close()
    return box.text(), box.detailedText()


def test_an_import_into_a_locked_database_fails_in_one_line(
    qtbot,
    window,
    tmp_path,
    quick_busy_timeout,
):
    path = tmp_path / "db.sqlite"
    SettlementDatabase.create(path).close()
    assert open_database(qtbot, window, path)
    other = sqlite3.connect(path)  # another import holding the write lock (reads go on)
    other.execute("BEGIN IMMEDIATE")
    try:
        drop(window, [_mid_file(tmp_path)])
        answer(window)
        wait_idle(qtbot, window)
    finally:
        other.rollback()
        other.close()
    message, details = _job_failure(window)
    _assert_one_clear_line(message, details, path)
    assert "in use by another program" in message


def test_opening_a_database_locked_exclusively_is_one_line(
    qtbot,
    window,
    tmp_path,
    quick_busy_timeout,
):
    path = tmp_path / "db.sqlite"
    SettlementDatabase.create(path).close()
    other = sqlite3.connect(path)
    other.execute("BEGIN EXCLUSIVE")
    try:
        assert not open_database(qtbot, window, path)
    finally:
        other.rollback()
        other.close()
    box = window._last_error
    assert box.windowTitle() == "Cannot open the database"
    _assert_one_clear_line(box.text(), box.detailedText(), path)
    box.close()


def _read_only(path, on: bool) -> None:
    """Make `path` read-only; for root (who writes through permissions) immutable instead."""
    if os.geteuid() != 0:
        path.chmod(stat.S_IRUSR | stat.S_IRGRP if on else stat.S_IRUSR | stat.S_IWUSR)
    elif subprocess.run(["chattr", "+i" if on else "-i", str(path)]).returncode != 0:
        pytest.skip("running as root without chattr: no file is read-only to root")


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_an_import_into_a_read_only_file_fails_in_one_line(qtbot, window, tmp_path):
    path = tmp_path / "db.sqlite"
    SettlementDatabase.create(path).close()
    before = path.read_bytes()
    _read_only(path, True)
    try:
        assert open_database(qtbot, window, path)
        drop(window, [_mid_file(tmp_path)])
        answer(window)
        wait_idle(qtbot, window)
    finally:
        _read_only(path, False)
    message, details = _job_failure(window)
    _assert_one_clear_line(message, details, path)
    assert "read-only" in message or "read only" in message
    assert path.read_bytes() == before


def test_a_database_failure_outside_a_job_is_one_line_not_a_traceback(
    qtbot,
    window,
    tmp_path,
    quick_busy_timeout,
):
    """A dialog's or panel's own database write (not a job) reaches the error hook."""
    path = tmp_path / "db.sqlite"
    SettlementDatabase.create(path).close()
    assert open_database(qtbot, window, path)
    saved = sys.excepthook
    install_error_hook(lambda: window)
    other = sqlite3.connect(path)
    other.execute("BEGIN EXCLUSIVE")
    try:
        try:
            with window.db.engine.begin() as conn:
                conn.exec_driver_sql("CREATE TABLE t (x)")
        except Exception as exc:  # as Qt hands an exception in a slot to the hook
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        other.rollback()
        other.close()
        sys.excepthook = saved
    box = window._last_error
    assert box.windowTitle() == "Database problem"
    _assert_one_clear_line(box.text(), box.detailedText(), path)
    box.close()


def test_a_rolled_back_crash_is_told_on_opening(qtbot, window, tmp_path):
    path = tmp_path / "db.sqlite"
    SettlementDatabase.create(path).close()
    window.db = None
    # A hot journal as a crash in the middle of a commit leaves it (rollback journal mode).
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA cache_size=1")
    conn.execute("BEGIN")
    conn.execute("CREATE TABLE filler (x)")
    conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 2000)
    journal = path.with_name(path.name + "-journal")
    assert journal.exists()
    saved = journal.read_bytes()
    conn.rollback()
    conn.close()
    journal.write_bytes(saved)  # as if the process had died before the rollback
    assert open_database(qtbot, window, path)
    box = window._last_error
    assert box.windowTitle() == "The database was recovered"
    assert str(path) in box.text() and "rolled back" in box.text()
    assert "rolled back" in window.status.text()
    box.close()
