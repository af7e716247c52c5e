"""Shared fixtures of the view tests: a main window, offscreen, and a demo database to open."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from models.demo.generator import DemoSpec, generate_demo
from tests.views.window_driver import LOAD_TIMEOUT_MS
from workbench.gui.main_window import MainWindow


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    """A 30-unit demo database (seed 5), made once per test module."""
    path = tmp_path_factory.mktemp("gui") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=30, seed=5))
    return path


@pytest.fixture
def window(qtbot, tmp_path):
    """The main window, shown at 1500×900 with its settings in tmp_path; a test that leaves a
    background job running fails."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1500, 900)
    win.show()
    yield win
    win.jobs.cancel()
    win.jobs.wait_all()
    qtbot.waitUntil(lambda: not win.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert not win.jobs.busy(), "a test left a background job running"
