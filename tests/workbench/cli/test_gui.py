"""`settlement-workbench gui [PATH]`, a bare PATH, or nothing (workbench/cli/gui.py): each opens
the desktop workbench, on the path made absolute."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from workbench.cli.main import main


@pytest.fixture
def opened(monkeypatch, tmp_path):
    """What the window would have been opened with (nothing is shown)."""
    calls: dict = {}
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr("workbench.gui.preload.default_settings", lambda: settings)
    monkeypatch.setattr("workbench.gui.preload.start", lambda path: f"preload of {path}")
    monkeypatch.setattr(
        "workbench.gui.app.run_gui", lambda path, **kw: calls.update(path=path, **kw) or 0
    )
    return calls


@pytest.mark.parametrize(
    "argv", [["gui", "runs.sqlite"], ["runs.sqlite"]], ids=["gui PATH", "PATH"]
)
def test_a_database_path_opens_the_window_on_it(opened, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 0
    path = str(tmp_path / "runs.sqlite")
    assert opened == {
        "path": path, "smoke_test": False, "preload": f"preload of {path}", "note": None
    }  # fmt: skip


@pytest.mark.parametrize("command", [["gui"], []], ids=["gui PATH", "PATH"])
def test_the_smoke_test_option_reaches_the_window(opened, tmp_path, command):
    # `settlement-workbench PATH --smoke-test` ignored the option before.
    assert main([*command, str(tmp_path / "a.sqlite"), "--smoke-test"]) == 0
    assert opened["smoke_test"] is True


def test_no_command_and_no_database_opened_before_opens_an_empty_window(opened):
    assert main([]) == 0
    assert opened == {"path": None, "smoke_test": False, "preload": None, "note": None}
