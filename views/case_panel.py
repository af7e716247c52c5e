"""The dispute cases dock: each case with its raise-by date, status and scenarios."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.disputes import CATEGORIES
from views.column_model import Column
from views.data_table import DataTable


class CasePanel(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.cases = []
        self.table = DataTable("Filter cases…")
        self.new_button = QPushButton("New case…")
        self.add_button = QPushButton("Add this scenario")
        self.export_button = QPushButton("Evidence pack…")
        buttons = QHBoxLayout()
        for button in (self.new_button, self.add_button, self.export_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table)

    def show_cases(self, cases) -> None:
        self.cases = list(cases)
        self.table.set_columns(
            [
                Column("reference", [c.reference for c in self.cases]),
                Column("party", [c.raising_party for c in self.cases]),
                Column("status", [c.status for c in self.cases]),
                Column("raise by", [c.deadline.isoformat() for c in self.cases]),
                Column("run", [str(c.run_id) for c in self.cases]),
                Column("scenarios", [", ".join(map(str, c.scenarios)) for c in self.cases]),
                Column("category", [c.category for c in self.cases]),
                Column("description", [c.description for c in self.cases]),
            ],
            widths={"reference": 110, "party": 60, "status": 60, "raise by": 85, "run": 40},
        )

    def selected_case(self):
        index = self.table.view.currentIndex()
        if not index.isValid():
            return self.cases[-1] if self.cases else None
        return self.cases[self.table.proxy.mapToSource(index).row()]


class NewCaseDialog(QDialog):
    def __init__(self, parties: list[str], run_label: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"New dispute case on {run_label}")
        form = QFormLayout(self)
        self.reference = QLineEdit(placeholderText="e.g. TD-2024-001")
        self.party = QComboBox()
        self.party.setEditable(True)
        self.party.addItems(parties)
        self.category = QComboBox()
        for key, (_, _, rule) in CATEGORIES.items():
            self.category.addItem(f"{key}: {rule}", key)
        self.description = QPlainTextEdit()
        self.description.setMaximumHeight(80)
        form.addRow("reference", self.reference)
        form.addRow("raising party", self.party)
        form.addRow("category", self.category)
        form.addRow("description", self.description)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict:
        return {
            "reference": self.reference.text().strip(),
            "raising_party": self.party.currentText().strip(),
            "category": self.category.currentData(),
            "description": self.description.toPlainText().strip(),
        }
