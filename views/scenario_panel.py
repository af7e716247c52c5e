"""The scenario dock: the run's scenario state, its edit history (undo/redo), its audit trail."""

from __future__ import annotations

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from views.column_model import Column
from views.data_table import DataTable


class ScenarioPanel(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = QLabel("No run loaded.")
        self.title.setWordWrap(True)
        self.new_button = QPushButton("New scenario…")
        self.compare_button = QPushButton("Settle && compare")
        self.export_button = QPushButton("Evidence pack…")
        # Two rows of buttons: in one, the dock could not be narrower than 370 px, which left
        # the charts a third of a 1024 px window.
        buttons = QGridLayout()
        buttons.addWidget(self.new_button, 0, 0)
        buttons.addWidget(self.compare_button, 0, 1)
        buttons.addWidget(self.export_button, 1, 0)
        # While a change is being written (in a worker: on a team server a round trip),
        # the history cannot be clicked: it would undo or redo past a change not yet saved.
        self.saving = QLabel("<i>Saving the change…</i>")
        self.saving.hide()
        self.history = QUndoView()
        self.history.setEmptyLabel("<base run>")
        self.audit = DataTable("Filter the audit trail…")
        tabs = QTabWidget()
        tabs.addTab(self.history, "Edits (undo/redo)")
        tabs.addTab(self.audit, "Audit trail")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.saving)
        layout.addLayout(buttons)
        layout.addWidget(tabs)
        self.show_state(None, None)

    def show_state(
        self, label: str | None, stack: QUndoStack | None, base: str = "", live: bool = False
    ) -> None:
        """`live`: the run is a live run still open (its data still arriving)."""
        scenario = stack is not None
        if label is None:
            self.title.setText("No run loaded.")
        elif live:
            self.title.setText(
                f"<b>{label}</b> is a live run: its data arrive until the day is complete. "
                "A scenario can be made of it once it is closed."
            )
        elif scenario:
            self.title.setText(
                f"<b>{label}</b><br>Scenario on {base}. Edit from the BM units "
                "view or the Scenario menu; every edit asks why."
            )
        else:
            self.title.setText(
                f"<b>{label}</b> is a settlement run: it never changes. Create "
                "a scenario to try a corrected input."
            )
        if self.history.stack() is not stack:
            # Setting the stack again re-selects its current command, which QUndoView turns
            # into an undo or redo: only ever set a different one.
            self.history.setStack(stack)
        self.new_button.setEnabled(label is not None and not scenario and not live)
        self.compare_button.setEnabled(scenario)
        self.export_button.setEnabled(scenario)

    def show_saving(self, saving: bool) -> None:
        """A change of the scenario shown is being written: say so; its history waits."""
        self.saving.setVisible(saving)
        self.history.setEnabled(not saving)

    def show_audit(self, records) -> None:
        self.audit.set_columns(
            [
                Column("when (UTC)", [f"{r.at:%Y-%m-%d %H:%M:%S}" for r in records]),
                Column("who", [r.author for r in records]),
                Column("action", [r.action for r in records]),
                Column("what", [r.what for r in records]),
                Column("old", [r.old_value or "" for r in records]),
                Column("new", [r.new_value or "" for r in records]),
                Column("why", [r.reason for r in records]),
                # Who wrote it beyond the name given (issue 21): '' before schema 0013.
                Column("OS user", [r.os_user for r in records]),
                Column("database user", [r.db_user for r in records]),
            ],
            widths={"when (UTC)": 130, "who": 70, "action": 60, "what": 220},
        )
