"""Help › Keyboard shortcuts (the window's own actions and their keys) and Help › User
guide (resources/user_guide.md)."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
)

from resources import resource_path

GUIDE = "user_guide.md"


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(what, keys) of each action that has a shortcut (all its keys, as "Ctrl+Y, Ctrl+Shift+Z"),
    once each, in menu text without its & marks, sorted by what it does."""
    rows = set()
    for action in actions:
        native = QKeySequence.SequenceFormat.NativeText
        keys = ", ".join(k.toString(native) for k in action.shortcuts())  # Redo: two of them
        if keys:
            text = action.text().replace("&&", "\x00").replace("&", "").replace("\x00", "&")
            rows.add((text, keys))
    return sorted(rows, key=lambda r: (r[0].casefold(), r[1]))


class ShortcutsDialog(QDialog):
    def __init__(self, actions: Iterable[QAction], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.rows = shortcut_rows(actions)
        self.table = QTableWidget(len(self.rows), 2)
        self.table.setHorizontalHeaderLabels(["action", "keys"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (what, keys) in enumerate(self.rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnToContents(1)
        _layout(self, self.table)
        self.resize(460, 520)


class GuideDialog(QDialog):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settlement Workbench: user guide")
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.text.setMarkdown(resource_path(GUIDE).read_text(encoding="utf-8"))
        _layout(self, self.text)
        self.resize(640, 600)


def _layout(dialog: QDialog, widget) -> None:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(widget)
    layout.addWidget(buttons)
