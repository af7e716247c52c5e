"""Scenarios in the workbench: edit with undo and redo, settle and compare, cases, Excel."""

from __future__ import annotations

import sqlite3

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QTimer

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from models.runs.scenarios import store
from tests.paths import CASES
from tests.views.window_driver import LOAD_TIMEOUT_MS, open_demo, screenshot


@pytest.fixture
def worked_db(tmp_path):
    path = tmp_path / "worked.sqlite"
    with SettlementDatabase.create(path) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    return path


def settle_down(qtbot, win) -> None:
    qtbot.waitUntil(lambda: win.view is not None and not win.jobs.busy(), timeout=LOAD_TIMEOUT_MS)


def overrides(win, scenario):
    with win.db.engine.connect() as conn:
        return [(r.seq, r.active) for r in store.overrides(conn, scenario, active_only=False)]


def test_scenario_edits_undo_redo_compare_and_export(qtbot, window, worked_db, tmp_path):
    assert window.open_database(str(worked_db))
    settle_down(qtbot, window)
    disputes = window.disputes
    scenarios = disputes.scenarios
    assert not disputes.metered_action.isEnabled()  # a settlement run is never edited
    scenarios.create_scenario("acceptance 2 disputed")
    settle_down(qtbot, window)
    scenario = window.view.run.id
    assert window.view.run.kind == "scenario" and disputes.metered_action.isEnabled()

    scenarios.edit(
        "remove_acceptance",
        {"bm_unit": "T_GEN-1", "number": 2},
        None,
        "acceptance 2 was never instructed",
    )
    settle_down(qtbot, window)
    stack = scenarios.stacks[scenario]
    assert stack.count() == 1 and overrides(window, scenario) == [(1, True)]
    assert window.view.result.bm.cashflows.cbm.sum() == pytest.approx(2633.333333, abs=1e-5)

    stack.undo()  # Ctrl+Z
    settle_down(qtbot, window)
    assert overrides(window, scenario) == [(1, False)]
    assert window.view.result.bm.cashflows.cbm.sum() == pytest.approx(2171.833333, abs=1e-5)
    stack.redo()  # Ctrl+Shift+Z
    settle_down(qtbot, window)
    assert overrides(window, scenario) == [(1, True)]

    disputes.comparisons.settle_and_compare()
    view = disputes.comparison
    qtbot.waitUntil(lambda: view.comparison is not None, timeout=LOAD_TIMEOUT_MS)
    settle_down(qtbot, window)
    parties = view.comparison.parties.set_index("party")["net_delta"]
    assert parties["GEN"] == pytest.approx(152.62, abs=0.005)
    assert parties["SUP"] == pytest.approx(308.88, abs=0.005)
    assert "not material" in view.title.text()
    screenshot(window, tmp_path, "comparison")
    compared = tmp_path / "comparison.xlsx"
    disputes.exports.export_comparison(str(compared))
    qtbot.waitUntil(lambda: compared.exists() and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert load_workbook(compared)["Summary"]["B2"].value.startswith("Comparison of run 1")

    disputes.cases.create_dispute_case(
        1, reference="TD-1", raising_party="GEN", category="general", description="acceptance 2"
    )
    settle_down(qtbot, window)
    assert [c.scenarios for c in disputes.case_panel.cases] == [(scenario,)]
    assert disputes.cases_dock.isVisible()  # a new case shows in its dock
    pack = tmp_path / "pack.xlsx"
    disputes.exports.export_case_pack(str(pack))
    qtbot.waitUntil(lambda: pack.exists() and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert load_workbook(pack)["Summary"]["B2"].value.startswith("Dispute TD-1")
    screenshot(window, tmp_path, "scenario_panel")

    with window.db.engine.connect() as conn:
        actions = [a.action for a in store.audit_trail(conn, scenario)]
    assert actions == ["create", "apply", "undo", "redo", "settle"]


def test_an_edit_that_does_not_fit_is_refused_with_a_message(qtbot, window, worked_db):
    assert window.open_database(str(worked_db))
    settle_down(qtbot, window)
    scenarios = window.disputes.scenarios
    scenarios.create_scenario("bad edit")
    settle_down(qtbot, window)
    scenario = window.view.run.id
    scenarios.edit("tlf", {"bm_unit": "T_NOPE-1"}, {"tlf": 0.1}, "typo")
    settle_down(qtbot, window)
    assert "T_NOPE-1 is not in the run" in window.status.text()
    assert scenarios.stacks[scenario].count() == 0
    assert overrides(window, scenario) == []


def audit_actions(panel) -> list[str]:
    (column,) = [c for c in panel.audit.model.columns if c.title == "action"]
    return list(column.values)


def edit_metered_in_a_new_scenario(
    qtbot, window, demo_path, name, before=lambda: None
) -> tuple[str, int, float]:
    """The demo open, a scenario made and shown, its first unit's metered volume changed by
    12.5 MWh through the edit dialog (Ctrl+M), the write queued: (unit, period, old MWh).
    `before()`: called just before the edit."""
    open_demo(qtbot, window, demo_path)
    disputes = window.disputes
    scenarios = disputes.scenarios
    scenarios.create_scenario(name)  # (the module's demo database: one name each)
    settle_down(qtbot, window)
    assert window.view.run.kind == "scenario" and window.view.run.name == name
    assert audit_actions(disputes.panel) == ["create"]
    window.ensure_shown(window.explorer)  # as the edit asks (it chooses a unit)
    unit = window.view.units.bm_unit_id[0]
    window.selection.bm_unit = unit
    inputs, period = window.view.result.inputs, window.selection.period
    metered = float(inputs.metered[inputs.bm.unit_index(unit), period - 1])

    def answer() -> None:
        dialog = scenarios.last_dialog
        dialog.number.setValue(metered + 12.5)
        dialog.reason.setText("meter reading corrected by the MOA")
        dialog.accept()

    before()
    QTimer.singleShot(0, answer)
    disputes.metered_action.trigger()  # Ctrl+M: the edit dialog, then the write queued
    return unit, period, metered


def test_scenario_work_reads_and_writes_nothing_on_the_gui_thread(
    qtbot, window, demo_path, gui_thread_checkouts
):
    """Create, edit (through the edit dialog), undo, redo, the audit trail, settle and
    compare: every read and write of the scenario in a worker (issue 20)."""
    disputes = window.disputes
    scenarios, panel = disputes.scenarios, disputes.panel
    unit, period, metered = edit_metered_in_a_new_scenario(
        qtbot, window, demo_path, "metered volume disputed"
    )
    settle_down(qtbot, window)
    scenario = window.view.run.id
    assert scenarios.stacks[scenario].count() == 1
    assert audit_actions(panel) == ["create", "apply"]
    inputs = window.view.result.inputs
    assert inputs.metered[inputs.bm.unit_index(unit), period - 1] == pytest.approx(metered + 12.5)

    scenarios.undo_group.undo()  # Ctrl+Z
    settle_down(qtbot, window)
    assert overrides(window, scenario) == [(1, False)]
    scenarios.undo_group.redo()  # Ctrl+Shift+Z
    settle_down(qtbot, window)
    assert overrides(window, scenario) == [(1, True)]
    assert audit_actions(panel) == ["create", "apply", "undo", "redo"]

    disputes.comparisons.settle_and_compare()  # its settle is audited, read again
    qtbot.waitUntil(lambda: disputes.comparison.comparison is not None, timeout=LOAD_TIMEOUT_MS)
    settle_down(qtbot, window)
    qtbot.waitUntil(lambda: audit_actions(panel)[-1:] == ["settle"], timeout=LOAD_TIMEOUT_MS)
    # None at all: the window's and the comparison's parts of it are in workers too.
    assert not gui_thread_checkouts, gui_thread_checkouts.report()


def test_while_an_edit_is_written_the_dock_says_so_and_undo_waits(
    qtbot, window, demo_path, tmp_path
):
    """A slow write (another program holds the database's write lock, as a busy server
    would be slow to answer): the window goes on, the dock says it is saving, and undo and
    redo wait for it."""
    disputes = window.disputes
    scenarios, panel, dock = disputes.scenarios, disputes.panel, disputes.scenario_dock
    blocker = sqlite3.connect(demo_path, isolation_level=None)
    try:
        edit_metered_in_a_new_scenario(
            qtbot, window, demo_path, "saving shown", lambda: blocker.execute("BEGIN IMMEDIATE")
        )
        for width, height in ((1600, 1000), (1024, 640)):
            window.resize(width, height)
            qtbot.wait(100)  # the event loop turns: the write is held, not the window
            assert dock.grab().save(str(tmp_path / f"dock_saving_{width}.png"))
        assert scenarios.saving() and not panel.saving.isHidden()
        # The write is never cancelled: no Cancel is offered for it (Esc would not stop it).
        assert window.status.text().startswith("Working…")
        assert window.cancel_button.isHidden() and not window.progress.isHidden()
        assert not panel.history.isEnabled() and not scenarios.undo_group.canUndo()
        scenarios.undo_group.undo()  # Ctrl+Z: nothing to undo until the edit is written
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    settle_down(qtbot, window)
    assert panel.saving.isHidden() and panel.history.isEnabled()
    assert overrides(window, window.view.run.id) == [(1, True)]
    assert scenarios.undo_group.undoText().startswith("Metered volume: bm_unit ")
    for width, height in ((1600, 1000), (1024, 640)):
        window.resize(width, height)
        qtbot.wait(50)
        screenshot(window, tmp_path, f"scenario_edited_{width}")


def test_closing_the_window_just_after_an_edit_writes_it_and_starts_nothing_after(
    qtbot, window, demo_path
):
    """Ctrl+Q at once after an edit. Tried under a real X server, it aborted the process
    4 times in 4 ("QThread: Destroyed while thread '' is still running"): the write's result,
    arriving after the close, started the reload, whose thread the window's deletion then
    destroyed running. The edit is written at closing, and nothing starts after it."""
    scenarios = window.disputes.scenarios
    edit_metered_in_a_new_scenario(qtbot, window, demo_path, "closed at once")
    qtbot.waitUntil(scenarios.saving, timeout=LOAD_TIMEOUT_MS)  # the edit queued, not written
    scenario = window.view.run.id
    window.close()
    started_after, launch = [], window.jobs._launch

    def recorded(name, *args, **kwargs):
        started_after.append(name)
        return launch(name, *args, **kwargs)

    window.jobs._launch = recorded
    qtbot.wait(300)  # the event loop turns: the write's result is delivered
    assert started_after == [] and not window.jobs.busy(), "a job started after closing"
    with SettlementDatabase.open(demo_path) as db, db.engine.connect() as conn:
        written = store.overrides(conn, scenario, active_only=False)
    assert [(r.seq, r.active) for r in written] == [(1, True)]


def test_undo_and_redo_pressed_while_an_edit_is_written_are_held_and_done_in_order(
    qtbot, window, demo_path
):
    """Ctrl+Z, Ctrl+Shift+Z, Ctrl+Z pressed at once after an edit, while the database is
    slow to write it. Tried under a real X server, the keys did nothing, without a word: the
    undo stack waits for the edit's command. They are held and done in the order pressed."""
    disputes = window.disputes
    scenarios = disputes.scenarios
    blocker = sqlite3.connect(demo_path, isolation_level=None)
    try:
        edit_metered_in_a_new_scenario(
            qtbot, window, demo_path, "keys held", lambda: blocker.execute("BEGIN IMMEDIATE")
        )
        qtbot.waitUntil(scenarios.saving, timeout=LOAD_TIMEOUT_MS)
        assert scenarios.undo_action.isEnabled() and scenarios.redo_action.isEnabled()
        for action in (scenarios.undo_action, scenarios.redo_action, scenarios.undo_action):
            action.trigger()
        assert window.status.text() == (
            "Undo held (3 in all): done once the change being saved is written."
        )
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    settle_down(qtbot, window)
    scenario = window.view.run.id
    assert overrides(window, scenario) == [(1, False)]  # applied, undone, redone, undone
    assert audit_actions(disputes.panel) == ["create", "apply", "undo", "redo", "undo"]
    assert not scenarios.saving() and scenarios.redo_action.isEnabled()
    assert scenarios.redo_action.text().startswith("&Redo Metered volume: bm_unit ")


def test_cancel_is_offered_for_a_run_load_and_gone_when_it_ends(qtbot, window, demo_path):
    open_demo(qtbot, window, demo_path)
    window.load_run(window.view.run.id)  # a load: Esc (Cancel) stops it
    assert not window.cancel_button.isHidden()
    settle_down(qtbot, window)
    assert window.cancel_button.isHidden()
