"""Scenario edits without a window: the controller writes, moves the selection's scenario
revision at once and asks for a reload; a refused edit is one message and changes nothing."""

from __future__ import annotations

import pytest

from models.runs.run_view import load_run_view
from models.runs.scenarios import store
from views.scenario_panel import ScenarioPanel
from views.selection import ScenarioShown
from workbench.gui.scenario_controller import ScenarioController


@pytest.fixture
def controller(qtbot, selection, told):
    reloads, listed, chosen = [], [], []
    panel = ScenarioPanel()
    qtbot.addWidget(panel)
    c = ScenarioController(
        selection,
        told.feedback(),
        panel,
        reload=reloads.append,
        refresh_runs=listed.append,
        choose_unit=lambda: chosen.append(True),
    )
    c.reloads, c.listed, c.chosen = reloads, listed, chosen
    return c


def show(selection, run_id: int) -> None:
    selection.run = load_run_view(selection.database, run_id)


def test_a_new_scenario_is_listed_and_loaded(controller, selection):
    scenario = controller.create_scenario("acceptance 2 disputed")
    assert scenario == 2
    assert controller.listed == [2] and controller.reloads == [2]
    show(selection, 2)
    assert selection.scenario == ScenarioShown(2, 1)  # its 'create' audit entry
    assert controller.panel.new_button.isEnabled() is False
    assert controller.panel.compare_button.isEnabled()


def test_an_edit_moves_the_scenario_revision_before_the_reload(controller, selection):
    controller.create_scenario("s")
    show(selection, 2)
    seen = []
    selection.events.scenario.connect(seen.append)
    controller.edit("remove_acceptance", {"bm_unit": "T_GEN-1", "number": 2}, None, "why")
    # Audit entries: create (1), apply (2); then undo (3) and redo (4).
    assert seen == [ScenarioShown(2, 2)] and controller.reloads[-1] == 2
    stack = controller.stacks[2]
    assert stack.count() == 1
    stack.undo()
    stack.redo()
    assert seen == [ScenarioShown(2, 2), ScenarioShown(2, 3), ScenarioShown(2, 4)]
    with selection.database.engine.connect() as conn:
        records = store.overrides(conn, 2, active_only=False)
        actions = [a.action for a in store.audit_trail(conn, 2)]
    assert [(r.seq, r.active) for r in records] == [(1, True)]
    assert actions == ["create", "apply", "undo", "redo"]


def test_a_refused_edit_is_one_message_and_changes_nothing(controller, selection, told):
    controller.create_scenario("s")
    show(selection, 2)
    reloads = len(controller.reloads)
    controller.edit("tlf", {"bm_unit": "T_NOPE-1"}, {"tlf": 0.1}, "typo")
    ((title, message),) = told.errors
    assert title == "The edit was not made" and "T_NOPE-1 is not in the run" in message
    assert len(controller.reloads) == reloads and controller.stacks[2].count() == 0
    assert selection.scenario == ScenarioShown(2, 1)


def test_a_settlement_run_is_never_edited_and_a_unit_is_asked_for(controller, selection, told):
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.1}, "run 1 is no scenario")
    with selection.database.engine.connect() as conn:
        assert store.overrides(conn, 1, active_only=False) == []  # run 1: nothing recorded
    assert controller.reloads == [] and selection.scenario is None
    controller.edit_tlf()  # no BM unit chosen: the BM units view is asked to choose one
    assert controller.chosen == [True]
    assert told.status == ["Choose a BM unit in the BM units view first."]


def test_an_edit_on_a_scenario_someone_else_changed_is_refused_and_read_again(
    controller, selection, told, qtbot
):
    controller.create_scenario("s")
    show(selection, 2)
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.01}, "mine")
    assert selection.scenario == ScenarioShown(2, 2)
    with selection.database.engine.begin() as conn:  # another analyst, on their own workbench
        store.edit(conn, 2, "mip", {"period": 27}, {"price": 90.0}, author="bob")
    old_stack = controller.stacks[2]
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.02}, "mine again")
    ((title, message),) = told.errors
    assert title == "Someone else changed the scenario"
    assert "read it at version 2; it is at version 3 (entry 3, apply: " in message
    assert "by bob" in message and "Nothing was saved" in message
    with selection.database.engine.connect() as conn:
        assert [r.author for r in store.overrides(conn, 2)] == [controller.author, "bob"]
    assert controller.reloads[-1] == 2 and 2 not in controller.stacks  # read again
    qtbot.waitUntil(lambda: not _alive(old_stack))
    show(selection, 2)  # the reload: the views and the undo stack as the database has them
    assert selection.scenario == ScenarioShown(2, 3)
    assert controller.stacks[2].count() == 2
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.02}, "on what I see now")
    assert len(told.errors) == 1 and selection.scenario == ScenarioShown(2, 4)


def _alive(stack) -> bool:
    from shiboken6 import isValid

    return isValid(stack)
