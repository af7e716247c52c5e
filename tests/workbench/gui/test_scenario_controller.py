"""Scenario edits without a window: the controller has each change written in a worker
(queued, in order), moves the selection's scenario revision once written and asks for a
reload; a refused edit is one message and changes nothing; nothing is read or written on the
GUI thread."""

from __future__ import annotations

import pytest

from models.runs.run_view import load_run_view
from models.runs.scenarios import store
from views.scenario_panel import ScenarioPanel
from views.selection import ScenarioShown
from workbench.gui.jobs import JobRunner
from workbench.gui.scenario_controller import ScenarioController


@pytest.fixture
def controller(qtbot, selection, told):
    reloads, listed, chosen = [], [], []
    panel = ScenarioPanel()
    qtbot.addWidget(panel)
    jobs = JobRunner()
    c = ScenarioController(
        selection,
        jobs,
        told.feedback(),
        panel,
        reload=reloads.append,
        refresh_runs=listed.append,
        choose_unit=lambda: chosen.append(True),
    )
    c.reloads, c.listed, c.chosen = reloads, listed, chosen
    yield c
    jobs.wait_all()
    qtbot.waitUntil(lambda: not jobs.busy())


def written(qtbot, controller) -> None:
    """Wait until every queued change has been written and its outcome taken in."""
    qtbot.waitUntil(lambda: not controller.jobs.busy() and not controller.saving(2))


def show(selection, run_id: int) -> None:
    selection.run = load_run_view(selection.database, run_id)


def created(qtbot, controller, selection, name: str = "s") -> None:
    controller.create_scenario(name)
    written(qtbot, controller)
    show(selection, 2)


def test_a_new_scenario_is_listed_and_loaded(qtbot, controller, selection, gui_thread_checkouts):
    assert controller.create_scenario("acceptance 2 disputed") is None  # written in a worker
    assert controller.listed == [] and controller.reloads == []
    written(qtbot, controller)
    assert controller.listed == [2] and controller.reloads == [2]
    show(selection, 2)
    assert selection.scenario == ScenarioShown(2, 1)  # its 'create' audit entry
    assert controller.panel.new_button.isEnabled() is False
    assert controller.panel.compare_button.isEnabled()
    assert not gui_thread_checkouts, gui_thread_checkouts.report()


def test_an_edit_moves_the_scenario_revision_before_the_reload(
    qtbot, controller, selection, gui_thread_checkouts
):
    created(qtbot, controller, selection)
    seen = []
    selection.events.scenario.connect(seen.append)
    controller.reloads.clear()
    controller.edit("remove_acceptance", {"bm_unit": "T_GEN-1", "number": 2}, None, "why")
    assert seen == [] and controller.saving()  # being written
    written(qtbot, controller)
    # Audit entries: create (1), apply (2); then undo (3) and redo (4).
    assert seen == [ScenarioShown(2, 2)] and controller.reloads == [2]
    stack = controller.stacks[2]
    assert stack.count() == 1 and controller.undo_group.canUndo()
    stack.undo()
    # The stack moved at once: the revision shown is unknown until the undo is written.
    assert seen[-1] == ScenarioShown(2, None) and not controller.undo_group.canRedo()
    written(qtbot, controller)
    stack.redo()
    written(qtbot, controller)
    assert seen == [
        ScenarioShown(2, 2),
        ScenarioShown(2, None),
        ScenarioShown(2, 3),
        ScenarioShown(2, None),
        ScenarioShown(2, 4),
    ]
    assert controller.reloads == [2, 2, 2]
    with selection.database.engine.connect() as conn:
        records = store.overrides(conn, 2, active_only=False)
        actions = [a.action for a in store.audit_trail(conn, 2)]
    assert [(r.seq, r.active) for r in records] == [(1, True)]
    assert actions == ["create", "apply", "undo", "redo"]
    assert not gui_thread_checkouts, gui_thread_checkouts.report()


def test_an_edit_made_while_another_is_written_expects_the_revision_that_one_leaves(
    qtbot, controller, selection, told, gui_thread_checkouts
):
    created(qtbot, controller, selection)
    controller.reloads.clear()
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.01}, "first")
    assert controller.saving()
    # Undo and redo wait while it is written: the stack has no command for it yet.
    assert not controller.undo_group.canUndo() and controller.undo_group.activeStack() is None
    assert not controller.panel.saving.isHidden() and not controller.panel.history.isEnabled()
    controller.edit("mip", {"period": 27}, {"price": 90.0}, "second, made at once")
    controller.edit("tlf", {"bm_unit": "T_NOPE-1"}, {"tlf": 0.1}, "a typo, refused")
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.02}, "third")
    written(qtbot, controller)
    # Only the typo refused, never our own first edit taken for someone else's change.
    assert [title for title, _ in told.errors] == ["The edit was not made"]
    assert selection.scenario == ScenarioShown(2, 4)
    assert controller.reloads == [2]  # once, after the last of them
    assert controller.stacks[2].count() == 3 and controller.undo_group.canUndo()
    assert controller.panel.saving.isHidden() and controller.panel.history.isEnabled()
    with selection.database.engine.connect() as conn:
        assert [r.reason for r in store.overrides(conn, 2)] == [
            "first",
            "second, made at once",
            "third",
        ]
    assert not gui_thread_checkouts, gui_thread_checkouts.report()


def test_a_refused_edit_is_one_message_and_changes_nothing(qtbot, controller, selection, told):
    created(qtbot, controller, selection)
    reloads = len(controller.reloads)
    controller.edit("tlf", {"bm_unit": "T_NOPE-1"}, {"tlf": 0.1}, "typo")
    written(qtbot, controller)
    ((title, message),) = told.errors
    assert title == "The edit was not made" and "T_NOPE-1 is not in the run" in message
    assert len(controller.reloads) == reloads and controller.stacks[2].count() == 0
    assert selection.scenario == ScenarioShown(2, 1)


def test_a_settlement_run_is_never_edited_and_a_unit_is_asked_for(controller, selection, told):
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.1}, "run 1 is no scenario")
    assert not controller.jobs.busy()  # nothing queued
    with selection.database.engine.connect() as conn:
        assert store.overrides(conn, 1, active_only=False) == []  # run 1: nothing recorded
    assert controller.reloads == [] and selection.scenario is None
    controller.edit_tlf()  # no BM unit chosen: the BM units view is asked to choose one
    assert controller.chosen == [True]
    assert told.status == ["Choose a BM unit in the BM units view first."]


def test_an_edit_on_a_scenario_someone_else_changed_is_refused_and_read_again(
    controller, selection, told, qtbot
):
    created(qtbot, controller, selection)
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.01}, "mine")
    written(qtbot, controller)
    assert selection.scenario == ScenarioShown(2, 2)
    with selection.database.engine.begin() as conn:  # another analyst, on their own workbench
        store.edit(conn, 2, "mip", {"period": 27}, {"price": 90.0}, author="bob")
    old_stack = controller.stacks[2]
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.02}, "mine again")
    written(qtbot, controller)
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
    written(qtbot, controller)
    assert len(told.errors) == 1 and selection.scenario == ScenarioShown(2, 4)


def test_a_conflict_stops_the_changes_queued_after_it(controller, selection, told, qtbot):
    created(qtbot, controller, selection)
    with selection.database.engine.begin() as conn:  # bob, since we read it at version 1
        store.edit(conn, 2, "mip", {"period": 27}, {"price": 90.0}, author="bob")
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.01}, "refused: bob was first")
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.02}, "made on the refused one")
    written(qtbot, controller)
    # One message; the second edit never sent (it would have been written over bob's change
    # on a state we never saw, or refused a second time).
    assert [title for title, _ in told.errors] == ["Someone else changed the scenario"]
    assert "1 later change(s) of scenario 2 were not sent" in told.status[-1]
    with selection.database.engine.connect() as conn:
        assert [r.author for r in store.overrides(conn, 2)] == ["bob"]
    assert controller.reloads[-1] == 2 and 2 not in controller.stacks
    assert selection.scenario == ScenarioShown(2, 1)  # never "any revision" meanwhile


def test_an_undo_someone_else_beat_leaves_a_known_revision_and_is_read_again(
    controller, selection, told, qtbot
):
    created(qtbot, controller, selection)
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.01}, "mine")
    written(qtbot, controller)
    with selection.database.engine.begin() as conn:
        store.edit(conn, 2, "mip", {"period": 27}, {"price": 90.0}, author="bob")
    controller.stacks[2].undo()
    assert selection.scenario == ScenarioShown(2, None)
    written(qtbot, controller)
    ((title, _),) = told.errors
    assert title == "Someone else changed the scenario"
    assert selection.scenario == ScenarioShown(2, 2) and 2 not in controller.stacks
    with selection.database.engine.connect() as conn:
        assert [(r.author, r.active) for r in store.overrides(conn, 2)] == [
            (controller.author, True),
            ("bob", True),
        ]


def test_a_change_refused_after_another_database_opened_is_still_said(
    controller, selection, told, qtbot, tmp_path
):
    """The edit was queued, then another database opened before its outcome came: a
    conflict (and the change queued after it, never sent) is told, naming the database the
    change was made on; nothing of it touches the scenario shown now."""
    from models.db.database import SettlementDatabase

    created(qtbot, controller, selection)
    before = selection.database
    with before.engine.begin() as conn:  # bob, since we read it at version 1
        store.edit(conn, 2, "mip", {"period": 27}, {"price": 90.0}, author="bob")
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.01}, "refused: bob was first")
    controller.edit("tlf", {"bm_unit": "T_GEN-1"}, {"tlf": 0.02}, "made on the refused one")
    other = SettlementDatabase.create(tmp_path / "other.sqlite")
    try:
        selection.run = None
        selection.database = other  # opened before either outcome reached the GUI thread
        controller.reloads.clear()
        qtbot.waitUntil(lambda: not controller.jobs.busy())
        ((title, message),) = told.errors
        assert title == "Someone else changed the scenario"
        assert message.startswith(f"{before.location}: scenario 2 ")
        assert told.status[-1] == (
            f"1 later change(s) of scenario 2 in {before.location} were not sent."
        )
        assert controller.reloads == [] and selection.scenario is None
    finally:
        other.close()


def _alive(stack) -> bool:
    from shiboken6 import isValid

    return isValid(stack)
