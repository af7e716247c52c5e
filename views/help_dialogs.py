"""Help › Keyboard shortcuts (the window's own actions and their keys), Help › User guide
(resources/user_guide.md) and the documents it names: the README beside the workbench and
the settlement rulebook (../shared/domain/SETTLEMENT_RULES.md from the repository, as the
engine's rules cite it), opened in the desktop's own viewer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
)

from resources import RESOURCES, resource_path

GUIDE = "user_guide.md"
README = RESOURCES.parent / "README.md"
RULEBOOK = RESOURCES.parent.parent / "shared" / "domain" / "SETTLEMENT_RULES.md"


def open_document(path: Path) -> str | None:
    """Open `path` in the desktop's viewer for it; None, else why not, in one line."""
    if not path.is_file():
        return f"{path.name} is not at {path.parent}."
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
        return f"No application on this desktop opens {path}."
    return None


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
    """The guide; `documents`: (button text, what it opens) for the documents it names."""

    def __init__(
        self, parent=None, documents: Iterable[tuple[str, Callable[[], None]]] = ()
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settlement Workbench: user guide")
        self.text = QTextBrowser()
        self.text.setOpenExternalLinks(True)
        self.text.setMarkdown(resource_path(GUIDE).read_text(encoding="utf-8"))
        buttons = _layout(self, self.text)
        self.document_buttons = []
        for text, opens in documents:
            button = buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
            button.clicked.connect(lambda _=False, opens=opens: opens())
            self.document_buttons.append(button)
        self.resize(640, 600)


def _layout(dialog: QDialog, widget) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(widget)
    layout.addWidget(buttons)
    return buttons
