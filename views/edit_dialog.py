"""A small dialog for one scenario edit: the new value and why (for the audit trail)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
)


class EditDialog(QDialog):
    """Asks for a number (or one choice from a list) and a reason; OK needs a reason."""

    def __init__(
        self,
        title: str,
        what: str,
        *,
        value: float | None = None,
        decimals: int = 3,
        choices: list[str] | None = None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QFormLayout(self)
        layout.addRow(QLabel(what))
        self.number: QDoubleSpinBox | None = None
        self.choice: QComboBox | None = None
        if choices is not None:
            self.choice = QComboBox()
            self.choice.addItems(choices)
            layout.addRow("which", self.choice)
        else:
            self.number = QDoubleSpinBox(decimals=decimals, minimum=-1e9, maximum=1e9)
            self.number.setValue(value or 0.0)
            self.number.selectAll()
            layout.addRow("new value", self.number)
        self.reason = QLineEdit(placeholderText="why: kept in the audit trail")
        layout.addRow("reason", self.reason)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addRow(self.buttons)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
        self.reason.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))

    @property
    def value(self):
        return self.choice.currentText() if self.choice is not None else self.number.value()
