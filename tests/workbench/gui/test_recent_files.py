"""Recent databases are remembered by absolute path (a server URL without its password, issue
21), and a start with no path reopens the last one (issue 20, item 8)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from tests.paths import CASES
from tests.views.window_driver import LOAD_TIMEOUT_MS
from workbench.cli import gui as cli
from workbench.gui import recent_files


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def worked_db(tmp_path):
    path = tmp_path / "data" / "worked.sqlite"
    path.parent.mkdir()
    with SettlementDatabase.create(path) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    return path


def test_paths_are_remembered_absolute_newest_first(settings, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert recent_files.remember(settings, "a.sqlite") == [str(tmp_path / "a.sqlite")]
    recent_files.remember(settings, "sub/../b.sqlite")
    assert recent_files.recent(settings) == [str(tmp_path / "b.sqlite"), str(tmp_path / "a.sqlite")]
    recent_files.remember(settings, str(tmp_path / "a.sqlite"))  # again: first, not twice
    assert recent_files.recent(settings) == [str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")]
    url = "postgresql://user@host/settlement"
    assert recent_files.remember(settings, url)[0] == url  # a URL has no folder
    for i in range(12):
        recent_files.remember(settings, f"f{i}.sqlite")
    assert len(recent_files.recent(settings)) == recent_files.MAX_RECENT


def test_a_server_url_is_remembered_without_its_password(settings):
    url = "postgresql+psycopg://analyst:s%40cret-21@127.0.0.1:5432/settlement?sslmode=require"
    public = "postgresql+psycopg://analyst@127.0.0.1:5432/settlement?sslmode=require"
    assert recent_files.without_password(url) == public
    assert recent_files.remember(settings, url) == [public]
    assert recent_files.remember(settings, public) == [public]  # the same database, once
    settings.sync()
    stored = Path(settings.fileName()).read_bytes()
    assert b"s%40cret-21" not in stored and b"s@cret-21" not in stored
    # A URL that does not parse loses what may be its password all the same.
    assert (
        recent_files.without_password("postgresql://a:pw@h:port/db") == "postgresql://a@h:port/db"
    )
    assert recent_files.without_password("/data/demo.sqlite") == "/data/demo.sqlite"
    assert recent_files.is_server_url(public) and recent_files.is_server_url(
        "mysql+pymysql://a@h/d"
    )
    assert not recent_files.is_server_url("sqlite:////data/demo.sqlite")
    assert not recent_files.is_server_url("/data/demo.sqlite")
    assert not recent_files.is_server_url("postgresql://a@h:port/db")  # opening says why


def test_the_last_database_if_it_still_exists(settings, tmp_path):
    assert recent_files.last_database(settings) == (None, None)  # nothing opened before
    there = tmp_path / "there.sqlite"
    there.write_bytes(b"")
    recent_files.remember(settings, str(there))
    assert recent_files.last_database(settings) == (str(there), None)
    there.unlink()
    path, message = recent_files.last_database(settings)
    assert path is None
    assert message == (
        f"The last database, {there}, no longer exists: open one (Ctrl+O) or create a demo "
        "(Ctrl+N)."
    )
    settings.setValue("recent", ["old-relative.sqlite"])  # an older version's entry
    assert recent_files.last_database(settings)[0] is None
    assert "without its folder" in recent_files.last_database(settings)[1]


def test_a_relative_path_opens_from_any_folder_afterwards(
    qtbot,
    window,
    worked_db,
    tmp_path,
    monkeypatch,
):
    monkeypatch.chdir(worked_db.parent)
    assert window.open_database("worked.sqlite")
    qtbot.waitUntil(
        lambda: window.view is not None and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS
    )
    assert recent_files.recent(window.settings) == [str(worked_db)]
    assert window.db.location == str(worked_db)
    monkeypatch.chdir(tmp_path)  # elsewhere: the recent entry still opens
    window.recent_menu.actions()[0].trigger()
    qtbot.waitUntil(
        lambda: window.view is not None and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS
    )
    assert window.db.location == str(worked_db) and "Cannot open" not in window.status.text()


def test_starting_without_a_path_reopens_the_last_database(settings, worked_db, monkeypatch):
    calls = {}
    monkeypatch.setattr("workbench.gui.preload.default_settings", lambda: settings)
    monkeypatch.setattr("workbench.gui.preload.start", lambda path: f"preload of {path}")
    monkeypatch.setattr(
        "workbench.gui.app.run_gui", lambda path, **kw: calls.update(path=path, **kw) or 0
    )
    recent_files.remember(settings, str(worked_db))
    assert cli._cmd_gui(argparse.Namespace(path=None, smoke_test=False)) == 0
    assert calls == {
        "path": str(worked_db),
        "smoke_test": False,
        "preload": f"preload of {worked_db}",
        "note": None,
    }
    os.remove(worked_db)
    cli._cmd_gui(argparse.Namespace(path=None, smoke_test=False))
    assert calls["path"] is None and calls["preload"] is None
    assert calls["note"].startswith(f"The last database, {worked_db}, no longer exists")


def test_a_relative_path_on_the_command_line_is_made_absolute(worked_db, monkeypatch):
    calls = {}
    monkeypatch.setattr("workbench.gui.preload.start", lambda path: path)
    monkeypatch.setattr(
        "workbench.gui.app.run_gui", lambda path, **kw: calls.update(path=path) or 0
    )
    monkeypatch.chdir(worked_db.parent)
    cli._cmd_gui(argparse.Namespace(path="worked.sqlite", smoke_test=False))
    assert calls["path"] == str(worked_db)


def test_the_window_says_why_the_last_database_did_not_open(qtbot, settings):
    from workbench.gui.app import open_main_window

    win = open_main_window(None, settings, note="The last database, /x.sqlite, no longer exists")
    qtbot.addWidget(win)
    assert win.status.text() == "The last database, /x.sqlite, no longer exists"
    assert win.db is None
