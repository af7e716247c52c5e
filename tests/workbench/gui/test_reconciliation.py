"""The window's reconciliation room (workbench/gui/reconciliation.py): Run › Reconcile with
S0142… (F7) next to Settle, enabled while a run is shown; the Reconciliation tab shows the
run's reconciliation and a difference's trace opens in the inspector."""

from __future__ import annotations

import gzip

import pytest

from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from models.p114.from_settlement import ReportRun
from models.p114.writer import trailer_for
from tests.views.screens import save_screens
from tests.views.window_driver import LOAD_TIMEOUT_MS, open_demo, wait_idle


@pytest.fixture(scope="module")
def made(tmp_path_factory, settled_s0142):
    """The demo day with its S0142 imported, T_HEYM12's QME in period 1 0.2 MWh higher."""
    folder = tmp_path_factory.mktemp("reconciliation_window")
    db_path, s0142, _, _ = settled_s0142(folder, 11, "S0142.gz", ReportRun("R1"))
    lines = gzip.decompress(s0142.read_bytes()).decode().splitlines()[:-1]
    n = next(n for n, line in enumerate(lines) if line.startswith("BP7|T_HEYM12|"))
    fields = lines[n].split("|")
    fields[7] = f"{float(fields[7]) + 0.2:.3f}".rstrip("0").rstrip(".")
    lines[n] = "|".join(fields)
    planted = folder / "planted.s0142"
    planted.write_text("\n".join([*lines, trailer_for(lines)]) + "\n")
    with SettlementDatabase.open(db_path) as db:
        (part,) = import_files(db, [planted]).dates
    return db_path, part.run_id


def test_run_reconcile_shows_the_tab_and_a_difference_opens_its_trace(qtbot, window, made):
    room = window.reconciliation
    run_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Run")
    texts = [a.text() for a in run_menu.actions()]
    assert texts[texts.index("&Settle run") + 1] == "&Reconcile with S0142…"
    assert room.action.shortcut().toString() == "F7"
    assert not room.action.isEnabled()  # no run shown yet
    open_demo(qtbot, window, made[0])
    window.load_run(made[1])
    qtbot.waitUntil(lambda: window.view.run.id == made[1], timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    assert room.action.isEnabled()
    room.action.trigger()
    qtbot.waitUntil(lambda: room.view.reconciliation is not None, timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    assert window.tabs.currentWidget() is room.view
    (unexplained,) = room.view.reconciliation.differences
    assert unexplained.key == {"bm_unit_id": "T_HEYM12", "period": 1}
    room.view.difference_activated.emit(unexplained)
    assert window.inspector.trace.subject == "BM unit T_HEYM12, period 1"
    assert window.selection.bm_unit == "T_HEYM12" and window.inspector_dock.isVisible()


def test_screens(qtbot, window, made, tmp_path):
    open_demo(qtbot, window, made[0])
    window.load_run(made[1])
    qtbot.waitUntil(lambda: window.view.run.id == made[1], timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    room = window.reconciliation
    room.action.trigger()
    qtbot.waitUntil(lambda: room.view.reconciliation is not None, timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    assert len(save_screens(window, tmp_path, "reconciliation_window")) == 2
