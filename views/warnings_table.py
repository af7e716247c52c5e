"""Data warnings and import errors as tables, and the status-bar link to a run's warnings.

A warning (written, listed with its run: R-REG-ID, R-REG-UNREGISTERED, R-REG-DATED, …) is
not an error (refused: nothing written); both name the file, the line or JSON path, the
field and value, and what was assumed or why it was refused.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QLabel, QPlainTextEdit

from models.imports.report import Rejection
from models.runs.run_warnings import DataWarning
from views.column_model import Column
from views.data_table import DataTable

WHERE = "line / JSON path"
WIDTHS = {"file": 200, WHERE: 110, "field": 130, "value": 130, "rule": 150}


def warning_columns(warnings: Sequence[DataWarning]) -> list[Column]:
    return [
        Column("file", [w.file for w in warnings]),
        Column(WHERE, [w.location for w in warnings]),
        Column("field", [w.field for w in warnings]),
        Column("value", [w.value for w in warnings]),
        Column("rule", [w.rule for w in warnings], tooltip="the rulebook rule that allows it"),
        Column(
            "assumed",
            [w.reason for w in warnings],
            tooltip="what was found and what was assumed; the data was written",
        ),
    ]


def rejection_columns(rejections: Sequence[Rejection]) -> list[Column]:
    return [
        Column("file", [r.file for r in rejections]),
        Column(WHERE, [r.location for r in rejections]),
        Column("field", [r.field for r in rejections]),
        Column("value", [r.value for r in rejections]),
        Column("reason", [r.reason for r in rejections], tooltip="why it was refused"),
    ]


class WarningsTable(DataTable):
    """A sortable, filterable, copyable (Ctrl+C) table of warnings; the selected one in full
    below it (reasons are longer than a column)."""

    value_activated = Signal(str)  # a double-clicked warning's value (a BM unit id, often)

    def __init__(self, placeholder: str = "Filter warnings…", parent=None) -> None:
        super().__init__(placeholder, parent)
        self.warnings: list[DataWarning] = []
        self.view.doubleClicked.connect(self._activated)
        # Three lines at most, scrolling beyond: a narrow window keeps its table.
        self.detail = QPlainTextEdit(readOnly=True)
        self.detail.setFrameShape(QFrame.Shape.NoFrame)
        self.detail.setFixedHeight(self.detail.fontMetrics().lineSpacing() * 3 + 10)
        self.detail.setToolTip("The selected warning in full")
        self.layout().addWidget(self.detail)
        self.row_selected.connect(self._describe)

    def show_warnings(self, warnings: Sequence[DataWarning]) -> None:
        self.warnings = list(warnings)
        self.set_columns(warning_columns(self.warnings), widths=WIDTHS)
        self.detail.setPlainText("")
        if self.warnings:
            self.select_source_row(0)  # the first one in full, at once

    def _activated(self, index) -> None:
        row = self.proxy.mapToSource(index).row()
        if 0 <= row < len(self.warnings):
            # Values are shown as read, strings quoted: 'T_NEW-1'.
            self.value_activated.emit(self.warnings[row].value.strip("'\""))

    def _describe(self, row: int) -> None:
        if 0 <= row < len(self.warnings):
            self.detail.setPlainText(str(self.warnings[row]))


def warnings_table(warnings: Sequence[DataWarning], placeholder: str = "Filter warnings…"):
    table = WarningsTable(placeholder)
    table.show_warnings(warnings)
    return table


def rejections_table(rejections: Sequence[Rejection]) -> DataTable:
    table = DataTable("Filter errors…")
    table.set_columns(rejection_columns(rejections), widths=WIDTHS)
    return table


def counts_per_file(
    errors: Sequence[Rejection], warnings: Sequence[DataWarning]
) -> list[tuple[str, int, int]]:
    """(file, errors, warnings) for every file that has either, by file name."""
    error_count = Counter(r.file for r in errors)
    warning_count = Counter(w.file for w in warnings)
    files = sorted(set(error_count) | set(warning_count))
    return [(f, error_count[f], warning_count[f]) for f in files]


class WarningsLink(QLabel):
    """'⚠ 13 data warnings' in the status bar while the run shown has any; a click opens them."""

    activated = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setToolTip("Quirks of the data this run was imported from, imported anyway")
        self.linkActivated.connect(lambda _link: self.activated.emit())
        self.hide()

    def show_count(self, count: int) -> None:
        self.setText(f'<a href="warnings">⚠ {count:,} data warning{"s" if count != 1 else ""}</a>')
        self.setVisible(count > 0)
