"""The error log: where each platform keeps it, appended to, started afresh beyond 1 MB.
(That it never follows a symbolic link is checked in cli/test_common.py.)"""

from __future__ import annotations

import sys
from pathlib import Path

from workbench import error_log
from workbench.error_log import log_folder, log_path, write_error_log


def test_each_platform_keeps_the_log_in_its_place(tmp_path, monkeypatch):
    monkeypatch.setattr(Path, "home", lambda: tmp_path / "home")
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert log_folder() == tmp_path / "local" / "settlement-workbench" / "Logs"
    monkeypatch.delenv("LOCALAPPDATA")
    assert log_folder() == tmp_path / "home" / "AppData" / "Local" / "settlement-workbench" / "Logs"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert log_folder() == tmp_path / "home" / "Library" / "Logs" / "settlement-workbench"
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert log_path() == tmp_path / "state" / "settlement-workbench" / "error.log"
    # A relative XDG_STATE_HOME is invalid by the XDG specification: the default is used.
    monkeypatch.setenv("XDG_STATE_HOME", "state")
    assert log_folder() == tmp_path / "home" / ".local" / "state" / "settlement-workbench"


def test_errors_are_appended_and_a_log_beyond_its_limit_starts_afresh(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(error_log, "MAX_LOG_BYTES", 10)
    path = write_error_log("first\n")
    assert path == tmp_path / "state" / "settlement-workbench" / "error.log"
    write_error_log("second\n")  # 6 bytes there: not beyond 10
    assert path.read_text() == "first\nsecond\n"
    write_error_log("third £\n")  # 13 bytes there: beyond 10, so only the newest is kept
    assert path.read_text(encoding="utf-8") == "third £\n"


def test_a_log_that_cannot_be_written_is_none(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "file"))
    assert write_error_log("details") is None
