"""The Runs panel's list after a live run opened or closed (workbench/gui/live_controller.py)
is read in a worker (issue 20): on a team server the read is a round trip the window froze
for while the listener wrote."""

from __future__ import annotations

import pytest

from tests.models.live import small_day
from tests.views.window_driver import LOAD_TIMEOUT_MS
from tests.workbench.gui.live_helpers import registered_database
from views.live_dialog import FOLDER, LiveOptions

pytestmark = pytest.mark.slow  # a window, a listener and its settles

CONTROLLER = "workbench/gui/live_controller.py"


@pytest.fixture
def window(window):
    """conftest's window, its live listener stopped before its jobs are checked."""
    yield window
    window.live.controller.stop()


def asked_by(recorded, path: str) -> list[str]:
    """The GUI-thread checkouts whose innermost GUI frame is in `path`."""
    return [entry for entry in recorded.found if entry.split(" <- ")[0].startswith(path)]


def test_a_live_run_opened_then_closed_is_listed_off_the_gui_thread(
    qtbot, window, tmp_path, gui_thread_checkouts
):
    db_path = registered_database(tmp_path / "live.sqlite")
    window.open_database(str(db_path))
    qtbot.waitUntil(
        lambda: window.db is not None and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS
    )
    inbox = tmp_path / "iris"
    (inbox / "PN").mkdir(parents=True)
    controller = window.live.controller
    listed = []
    window.runs.show_runs = lambda runs, real=window.runs.show_runs: (
        listed.append([(r.id, r.run_type) for r in runs]),
        real(runs),
    )
    # 2022-01-01 ended long before today: with the 2 h grace its live run closes at once.
    assert controller.start(LiveOptions(FOLDER, folder=str(inbox), close_after=2.0))
    (inbox / "PN" / "pn.json").write_text(small_day.messages()[0].body)
    qtbot.waitUntil(lambda: "closed, the day complete" in window.status.text(), timeout=10000)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    tree = window.runs.tree
    assert tree.topLevelItem(0).child(0).text(0) == "II"  # listed, and closed: not "II live"
    assert listed and listed[-1] == [(1, "II")]
    controller.stop()
    assert asked_by(gui_thread_checkouts, CONTROLLER) == []


def test_a_list_of_a_database_no_longer_open_is_dropped(qtbot, window, tmp_path, monkeypatch):
    import threading

    import models.runs.run_store as run_store

    db_path = registered_database(tmp_path / "live.sqlite")
    window.open_database(str(db_path))
    qtbot.waitUntil(
        lambda: window.db is not None and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS
    )
    real, release, listed = run_store.list_runs, threading.Event(), []

    def slow(*args, **kwargs):
        release.wait(LOAD_TIMEOUT_MS / 1000)
        return real(*args, **kwargs)

    monkeypatch.setattr(run_store, "list_runs", slow)
    window.runs.show_runs = listed.append
    window.live.list_runs()
    db, window.selection.database = window.db, None  # closed meanwhile (another opening)
    release.set()
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    db.close()
    assert listed == []
