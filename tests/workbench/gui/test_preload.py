"""The run a launch preloads: the one shown last time from the same file, by its resolved
path, unless the settings hold something that is not a run id."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from workbench.gui.preload import last_run_key, last_shown_key, remembered_run


def test_the_key_is_the_resolved_path_of_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    expected = f"last-run/{tmp_path / 'demo.sqlite'}"
    assert last_run_key("demo.sqlite") == expected
    assert last_run_key("data/../demo.sqlite") == expected
    assert last_shown_key("period", "demo.sqlite") == f"last-period/{tmp_path / 'demo.sqlite'}"


def test_the_remembered_run_is_an_id_or_none(tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    path = str(tmp_path / "demo.sqlite")
    assert remembered_run(settings, path) is None  # never opened
    settings.setValue(last_run_key(path), 3)
    assert remembered_run(settings, path) == 3
    settings.setValue(last_run_key(path), "3")  # as an ini file gives it back
    assert remembered_run(settings, path) == 3
    settings.setValue(last_run_key(path), "three")  # edited by hand: the first run instead
    assert remembered_run(settings, path) is None
    assert remembered_run(settings, str(tmp_path / "other.sqlite")) is None
