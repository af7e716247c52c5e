"""The dispute cases dock: each case with its raise-by date, status and scenarios."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.disputes.dispute_cases import (
    CATEGORIES,
    SCHEDULED_RUN_DAYS,
    DisputeError,
    raise_by,
    scheduled_run_date,
)
from views.column_model import Column
from views.data_table import DataTable


class DisputeCasePanel(QWidget):
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
                Column(
                    "run date",
                    [c.run_date.isoformat() if c.run_date else "" for c in self.cases],
                    tooltip="when the settlement run concerned was carried out (deadlines "
                    "count from it)",
                ),
                Column("scenarios", [", ".join(map(str, c.scenarios)) for c in self.cases]),
                Column("category", [c.category for c in self.cases]),
                Column("description", [c.description for c in self.cases]),
            ],
            widths={
                "reference": 110,
                "party": 60,
                "status": 60,
                "raise by": 85,
                "run": 40,
                "run date": 85,
            },
        )

    def selected_case(self):
        index = self.table.view.currentIndex()
        if not index.isValid():
            return self.cases[-1] if self.cases else None
        return self.cases[self.table.proxy.mapToSource(index).row()]


class NewDisputeCaseDialog(QDialog):
    """A new case on a run: its run date (when Elexon carried the run out) starts at the
    settlement calendar's day for the run type (R-DSP-RUNDATE); the raise-by date follows."""

    def __init__(
        self,
        parties: list[str],
        run_label: str,
        parent=None,
        settlement_date: date | None = None,
        run_type: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.settlement_date, self.run_type = settlement_date, run_type
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
        self.run_date = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        scheduled = (
            scheduled_run_date(settlement_date, run_type or "")
            if settlement_date is not None
            else None
        )
        if run_type == "DF" and settlement_date is not None:
            scheduled = scheduled_run_date(settlement_date, "RF")  # at least after RF
            self.run_date.setToolTip(
                "A DF run is held ad hoc: enter the date it was carried out (the date shown is "
                "the RF run's, the earliest a DF can be)."
            )
        elif run_type in SCHEDULED_RUN_DAYS:
            self.run_date.setToolTip(
                f"When the {run_type} run was carried out: the settlement calendar's day, "
                f"{SCHEDULED_RUN_DAYS[run_type]} working days after the settlement day, unless "
                "you know it differed (deadlines count from it)"
            )
        if scheduled is not None:
            self.run_date.setDate(QDate(scheduled.year, scheduled.month, scheduled.day))
        self.deadline = QLabel()
        self.category.currentIndexChanged.connect(self._update_deadline)
        self.run_date.dateChanged.connect(self._update_deadline)
        form.addRow("reference", self.reference)
        form.addRow("raising party", self.party)
        form.addRow("category", self.category)
        form.addRow("run date", self.run_date)
        form.addRow("raise by", self.deadline)
        form.addRow("description", self.description)
        self._update_deadline()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen_run_date(self) -> date:
        return self.run_date.date().toPython()

    def _update_deadline(self) -> None:
        if self.settlement_date is None:
            self.deadline.setText("")
            return
        category = self.category.currentData()
        try:
            day = raise_by(category, self.settlement_date, self.chosen_run_date(), self.run_type)
        except DisputeError as exc:
            self.deadline.setText(str(exc))
            return
        self.deadline.setText(f"{day:%a %d %b %Y}: {CATEGORIES[category][2]}")

    def values(self) -> dict:
        return {
            "reference": self.reference.text().strip(),
            "raising_party": self.party.currentText().strip(),
            "category": self.category.currentData(),
            "description": self.description.toPlainText().strip(),
            "run_date": self.chosen_run_date(),
        }
