"""The BM units view follows the live day in place (issue 23): with the live run loaded, each
settle's view reaches it without a load job or a table reset; the unit on show, the table's
sort and scroll and the charts' zoom stay; the unit's charts are redrawn when its own data
arrived, and only then. Real recorded messages (2022-01-01's PN, BOD and BOALF) through the
IRIS client's folder."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from models.live.handler import Message
from tests.models.live.recorded import DAY_FILES, messages_of, recorded
from tests.views.screens import save_screens
from tests.views.window_driver import open_database
from tests.workbench.gui.live_helpers import Paints, registered_database
from views.live_dialog import FOLDER, LiveOptions

UNIT = "T_FARR-1"  # accepted in the second and third thousand of the day's BOALF records
QUIET = "T_MOWEO-2"  # accepted in the fourth only


@pytest.fixture
def db_path(tmp_path):
    return registered_database(tmp_path / "live.sqlite")


def test_the_bm_units_view_follows_the_live_run_in_place(qtbot, window, db_path, tmp_path):
    inbox = tmp_path / "iris"
    inbox.mkdir()
    assert open_database(qtbot, window, db_path)
    controller = window.live.controller
    assert controller.start(LiveOptions(FOLDER, folder=str(inbox), close_after=None))
    pn, bod = (messages_of(recorded(n), per_message=100_000)[0] for n in DAY_FILES[:2])
    boalf = messages_of(recorded(DAY_FILES[2]), per_message=1000)
    assert len(boalf) == 4

    def deliver(message) -> float:
        folder = inbox / message.dataset
        folder.mkdir(exist_ok=True)
        began = time.perf_counter()
        (folder / f"{message.message_id.replace('#', '_')}.json").write_text(message.body)
        return began

    try:
        for message in (pn, bod, boalf[0]):
            began = deliver(message)
            qtbot.waitUntil(lambda b=began: (controller.settled_at or 0) > b, timeout=10000)
        run_id = controller.day.run_id
        window.load_run(run_id)  # the live run from the Runs panel: one load, as any run's
        qtbot.waitUntil(lambda: window.view is not None and not window.jobs.busy(), timeout=30000)
        assert controller.following and controller.bridge.wanted_view == run_id
        # Shown as open: in the Runs panel, and the Scenario panel offers no scenario on it.
        assert window.runs.tree.topLevelItem(0).child(0).text(0) == "II live"
        panel = window.disputes.panel
        assert "is a live run" in panel.title.text() and not panel.new_button.isEnabled()
        window.tabs.setCurrentWidget(window.explorer)
        explorer = window.explorer
        qtbot.waitUntil(lambda: explorer.view is window.view)
        assert explorer.select_unit(UNIT)
        assert "no acceptances" in explorer.title.text()
        # The user's table: sorted by BM unit, descending, scrolled away from the selection.
        table = explorer.units.view
        table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        scroll = table.verticalScrollBar()
        scroll.setValue(scroll.maximum() // 2)
        qtbot.wait(50)
        scrolled = scroll.value()
        assert scrolled > 0
        # The user's zoom: three hours of the day, a value range of their own.
        start = explorer.view.result.inputs.bm.day_start
        explorer.level_plot.setXRange(start + 8 * 3600, start + 11 * 3600, padding=0)
        explorer.level_plot.setYRange(-20.0, 80.0, padding=0)
        zoom = explorer.level_plot.viewRange()
        draws, resets, loads = [], [], []
        original_draw = explorer._draw
        explorer._draw = lambda *a, **k: (draws.append(k), original_draw(*a, **k))[1]
        explorer.units.model.modelReset.connect(lambda: resets.append(1))
        window.jobs.started.connect(loads.append)
        paints = Paints(explorer.charts.viewport())

        began = deliver(boalf[1])  # the unit's first acceptances
        qtbot.waitUntil(lambda: (controller.viewed_at or 0) > began, timeout=10000)
        shown = controller.viewed_at
        qtbot.waitUntil(lambda: any(t > shown for t in paints.times), timeout=5000)
        latency = next(t for t in paints.times if t > shown) - began
        view = window.view
        assert view.result is controller.day.result and explorer.view is view
        assert view.run.id == run_id and view.units.bm_unit_id.count(UNIT) == 1
        u = view.units.bm_unit_id.index(UNIT)
        assert explorer.unit == u
        current = explorer.units.proxy.mapToSource(table.currentIndex()).row()
        assert view.units.bm_unit_id[current] == UNIT  # the selection kept
        assert scroll.value() == scrolled and explorer.units.proxy.sort_column == 0
        assert resets == [] and loads == []  # in place: no model reset, no load job
        assert draws == [{"keep_zoom": True}]
        np.testing.assert_allclose(explorer.level_plot.viewRange(), zoom)  # the zoom kept
        assert "acceptances: " in explorer.title.text()
        pairs, volumes = view.result.inputs.bm.pairs, view.result.bm.volumes
        mine = pairs.unit == u
        qao = np.bincount(pairs.period[mine] - 1, volumes.qao_nj[mine], minlength=48)
        qab = np.bincount(pairs.period[mine] - 1, volumes.qab_nj[mine], minlength=48)
        assert np.abs(qao).sum() + np.abs(qab).sum() > 0
        periods = np.asarray(view.result.inputs.periods) - 1
        np.testing.assert_allclose(explorer.offer_curve.yData, qao[periods])
        np.testing.assert_allclose(explorer.bid_curve.yData, qab[periods])
        accepted = explorer.units.model.columns[-1]
        assert accepted.title == "accepted MWh" and accepted.values[u] > 0

        began = deliver(boalf[3])  # other units' acceptances only
        qtbot.waitUntil(lambda: (controller.viewed_at or 0) > began, timeout=10000)
        assert window.view.result is controller.day.result
        assert len(draws) == 1  # the unit's data did not change: its charts stay as drawn
        accepted = explorer.units.model.columns[-1]
        assert accepted.values[window.view.units.bm_unit_id.index(QUIET)] > 0  # the table did
        assert resets == [] and scroll.value() == scrolled
        save_screens(window, tmp_path, "live_bm_units")
        print(f"BM units view: message file written → charts repainted {latency * 1000:.0f} ms")
    finally:
        controller.stop()


def test_units_arriving_later_join_the_table_and_the_unit_on_show_stays(
    qtbot, window, db_path, tmp_path
):
    inbox = tmp_path / "iris"
    inbox.mkdir()
    assert open_database(qtbot, window, db_path)
    controller = window.live.controller
    assert controller.start(LiveOptions(FOLDER, folder=str(inbox), close_after=None))
    document = json.loads(recorded(DAY_FILES[0]).read_text())
    records = document["data"] if isinstance(document, dict) else document
    # The day's PN in two messages: the T_ units' first (as if the others published later).
    first = [r for r in records if r["bmUnit"].startswith("T_")]
    later = [r for r in records if not r["bmUnit"].startswith("T_")]
    messages = [
        Message("PN", "pn-t", json.dumps(first)),
        Message("PN", "pn-rest", json.dumps(later)),
    ]

    def deliver(message) -> float:
        folder = inbox / message.dataset
        folder.mkdir(exist_ok=True)
        began = time.perf_counter()
        (folder / f"{message.message_id}.json").write_text(message.body)
        return began

    try:
        began = deliver(messages[0])
        qtbot.waitUntil(lambda: (controller.settled_at or 0) > began, timeout=10000)
        window.load_run(controller.day.run_id)
        qtbot.waitUntil(lambda: window.view is not None and not window.jobs.busy(), timeout=30000)
        window.tabs.setCurrentWidget(window.explorer)
        explorer = window.explorer
        qtbot.waitUntil(lambda: explorer.view is window.view)
        before = len(explorer.view.units)
        assert explorer.select_unit(UNIT)
        began = deliver(messages[1])
        qtbot.waitUntil(lambda: (controller.viewed_at or 0) > began, timeout=10000)
        view = window.view
        assert explorer.view is view and len(view.units) > before
        assert explorer.units.model.rowCount() == len(view.units)
        assert view.units.bm_unit_id[explorer.unit] == UNIT  # the same unit, at its new row
        current = explorer.units.proxy.mapToSource(explorer.units.view.currentIndex()).row()
        assert view.units.bm_unit_id[current] == UNIT
        assert UNIT in explorer.title.text()
    finally:
        controller.stop()
