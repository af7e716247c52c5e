"""Help › Keyboard shortcuts lists the actions' own keys; Help › User guide shows the guide
shipped in resources/."""

from __future__ import annotations

import re

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from resources import resource_path
from views.help_dialogs import GUIDE, GuideDialog, ShortcutsDialog, shortcut_rows


def test_only_actions_with_keys_are_listed_once_without_their_marks(qtbot):
    owner = QWidget()
    qtbot.addWidget(owner)
    actions = [QAction("&Settle run", owner), QAction("Fetch", owner), QAction("S&&P", owner)]
    actions[0].setShortcut(QKeySequence("F5"))
    actions[2].setShortcut(QKeySequence("Ctrl+P"))
    again = QAction("&Settle run", owner)
    again.setShortcut(QKeySequence("F5"))
    assert shortcut_rows([*actions, again]) == [("S&P", "Ctrl+P"), ("Settle run", "F5")]
    dialog = ShortcutsDialog([*actions, again])
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(1, 0).text() == "Settle run" and dialog.table.item(1, 1).text() == "F5"


def test_the_guide_is_the_shipped_markdown_rendered(qtbot):
    dialog = GuideDialog()
    qtbot.addWidget(dialog)
    text = dialog.text.toPlainText()
    assert text.startswith("Settlement Workbench: a short guide")
    assert "**" not in text and "Price stack (Ctrl+3)" in text  # rendered, not raw markdown
    assert re.search(r"^# ", resource_path(GUIDE).read_text(encoding="utf-8"), re.M)
