"""The outcome of an import, in a dialog: what was written, or every rejected record."""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from models.imports.report import SHOWN_REJECTIONS, ImportReport, ImportSummary
from views.column_model import Column
from views.data_table import DataTable


class ImportReportDialog(QDialog):
    """Non-modal: the user can keep working and read the report side by side."""

    def __init__(self, outcome: ImportSummary | ImportReport, parent=None) -> None:
        super().__init__(parent)
        self.setModal(False)
        self.resize(900, 480)
        layout = QVBoxLayout(self)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-weight: bold; padding: 4px;")
        layout.addWidget(self.headline)
        self.text = outcome.text()
        if isinstance(outcome, ImportReport):
            self.setWindowTitle("Import rejected")
            count = len(outcome.rejections)
            shown = min(count, SHOWN_REJECTIONS)
            listed = (
                f"The first {shown} are listed; {count - shown:,} more are not."
                if count > shown
                else "Each is listed below."
            )
            self.headline.setText(
                f"Nothing was imported: {count:,} problem(s) found. {listed} Fix them (or leave "
                "those files out) and import again."
            )
            rejections = outcome.rejections[:SHOWN_REJECTIONS]
            self.table = DataTable("Filter rejections…")
            self.table.set_columns(
                [
                    Column("file", [r.file for r in rejections]),
                    Column("line / JSON path", [r.location for r in rejections]),
                    Column("field", [r.field for r in rejections]),
                    Column("value", [r.value for r in rejections]),
                    Column("reason", [r.reason for r in rejections]),
                ],
                widths={
                    "file": 170,
                    "line / JSON path": 120,
                    "field": 130,
                    "value": 110,
                    "reason": 520,
                },
            )
            layout.addWidget(self.table)
            if outcome.notes:
                notes = QLabel("\n".join(outcome.notes))
                notes.setWordWrap(True)
                layout.addWidget(notes)
        else:
            self.setWindowTitle("Import finished")
            written = [p for p in outcome.dates if p.run_id is not None]
            self.headline.setText(
                f"Imported {sum(outcome.records.values()):,} record(s) from "
                f"{len(outcome.files)} file(s): {len(written)} new run(s)."
            )
            body = QPlainTextEdit(self.text)
            body.setReadOnly(True)
            body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            layout.addWidget(body)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy report")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
