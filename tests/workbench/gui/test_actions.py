"""make_action: a menu action's text, shortcut, status tip and slot in one call."""

from __future__ import annotations

from PySide6.QtCore import QObject

from workbench.gui.actions import make_action


def test_an_action_has_its_text_shortcut_and_tip_and_triggers_its_slot(qtbot):
    parent = QObject()
    calls = []
    action = make_action(parent, "&Settle run", lambda: calls.append("settle"), "F5",
                         "Settle the run shown")  # fmt: skip
    assert action.parent() is parent
    assert action.text() == "&Settle run"
    assert action.shortcut().toString() == "F5"
    assert action.statusTip() == "Settle the run shown"
    action.trigger()
    action.trigger()
    assert calls == ["settle", "settle"]


def test_without_a_shortcut_or_tip_the_tip_is_the_text(qtbot):
    parent = QObject()  # kept: the action is deleted with its parent
    action = make_action(parent, "&Open…", lambda: None)
    assert action.shortcut().isEmpty()
    assert action.statusTip() == "&Open…"
