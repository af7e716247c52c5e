"""The outcome of an import, in a dialog: errors (nothing was written) apart from warnings
(written, and listed with the run), counts per file, and which runs were written or which
existing run received the published figures (attached).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
)

from models.imports.report import SHOWN_REJECTIONS, DatePart, ImportReport, ImportSummary
from views.column_model import Column
from views.data_table import DataTable
from views.warnings_table import counts_per_file, rejections_table, warnings_table

NOTHING_NEW = "nothing new, every record is already in the database (no run written)"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def what_was_written(part: DatePart) -> str:
    if part.run_id is None:
        return "nothing new (already imported)"
    if part.attached:
        return "published figures attached to this existing run"
    if part.base_run_id:
        return f"new run, carrying forward run {part.base_run_id}"
    return "new run"


def run_to_show(summary: ImportSummary) -> int | None:
    """The run to open after an import: the first written or given published figures."""
    return next((p.run_id for p in summary.dates if p.run_id is not None), None)


def outcome_status(outcome: ImportSummary | ImportReport, strict: bool = False) -> str:
    """One status-bar line."""
    warnings = len(outcome.warnings)
    if isinstance(outcome, ImportReport):
        errors = len(outcome.rejections)
        why = [_plural(errors, "error")] if errors else []
        if warnings and (strict or not errors):
            why.append(_plural(warnings, "warning") + " (strict)")
        return f"Import rejected: {', '.join(why) or 'refused'}; nothing was written."
    new = sum(1 for p in outcome.dates if p.run_id is not None and not p.attached)
    attached = sum(1 for p in outcome.dates if p.run_id is not None and p.attached)
    if not new and not attached:
        text = f"Read {sum(outcome.records.values()):,} record(s){_collapsed(outcome)}; "
        text += NOTHING_NEW
        if warnings:
            text += f"; {_plural(warnings, 'warning')} (see the report)"
        return text + "."
    text = f"Imported {sum(outcome.records.values()):,} record(s){_collapsed(outcome)}; "
    text += _plural(new, "new run")
    if attached:
        text += f", published figures attached to {_plural(attached, 'existing run')}"
    if warnings:
        text += f"; {_plural(warnings, 'warning')} (see the report and the run)"
    return text + "."


def _collapsed(summary) -> str:
    """', M exact duplicate(s) collapsed' when records repeated (a file given twice)."""
    if not summary.duplicates:
        return ""
    return f", {summary.duplicates:,} exact duplicate(s) collapsed"


def _file_names(paths: list[str]) -> list[str]:
    """As the importer names files in its report: the name, or the path where names repeat."""
    names = [Path(p).name for p in paths]
    return names if len(set(names)) == len(names) else list(paths)


class ImportReportDialog(QDialog):
    """Non-modal: the user can keep working and read the report side by side."""

    def __init__(
        self, outcome: ImportSummary | ImportReport, parent=None, strict: bool = False
    ) -> None:
        super().__init__(parent)
        self.setModal(False)
        self.resize(980, 540)
        self.text = outcome.text()
        self.tabs = QTabWidget()
        self.errors: DataTable | None = None
        self.runs: DataTable | None = None
        warnings = list(outcome.warnings)
        rejected = isinstance(outcome, ImportReport)
        errors = outcome.rejections if rejected else []
        if rejected:
            self.setWindowTitle("Import rejected")
            self.errors = rejections_table(errors[:SHOWN_REJECTIONS])
            shown = min(len(errors), SHOWN_REJECTIONS)
            listed = f" (the first {shown} listed)" if len(errors) > shown else ""
            self.tabs.addTab(self.errors, f"Errors ({len(errors):,}){listed}")
            self.tabs.setTabToolTip(0, "Refused records: because of them nothing was written")
        self.warnings = warnings_table(warnings)
        self.warnings_tab = self.tabs.addTab(self.warnings, f"Warnings ({len(warnings):,})")
        self.tabs.setTabToolTip(
            self.warnings_tab,
            "Refused under strict: nothing was written"
            if rejected
            else "Written as they are, with what was assumed; listed with the run too",
        )
        if not rejected:
            self.setWindowTitle("Import finished")
            self.runs = self._runs_table(outcome)
            self.runs_tab = self.tabs.insertTab(0, self.runs, f"Runs ({len(outcome.dates)})")
            self.tabs.setTabToolTip(self.runs_tab, "What was written for each settlement date")
        files = list(outcome.files) if not rejected else []
        self.files = self._files_table(files, errors, warnings)
        self.tabs.addTab(self.files, "Per file")
        body = QPlainTextEdit(self.text)
        body.setReadOnly(True)
        body.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.tabs.addTab(body, "Report text")
        self.headline = QLabel(self._headline(outcome, errors, warnings, strict))
        self.headline.setWordWrap(True)
        self.headline.setStyleSheet("font-weight: bold; padding: 4px;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.tabs, 1)
        notes = outcome.notes
        if notes:
            shown_notes = QLabel("\n".join(f"Note: {n}" for n in notes[:5]))
            shown_notes.setWordWrap(True)
            layout.addWidget(shown_notes)
        # The first thing to read: errors, else warnings, else the runs written.
        self.tabs.setCurrentWidget(
            self.errors if errors else self.warnings if warnings else self.runs or self.warnings
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy report")
        copy.setToolTip("The whole report as text; Ctrl+C in a table copies its selected rows")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.text))
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)

    @staticmethod
    def _headline(outcome, errors, warnings, strict: bool) -> str:
        if isinstance(outcome, ImportReport):
            if errors:
                also = f", and {_plural(len(warnings), 'warning')}" if warnings else ""
                return (
                    f"Nothing was written: {_plural(len(errors), 'error')} found{also}. Fix "
                    "them (or leave those files out) and import again."
                )
            return (
                f"Nothing was written: a strict import refuses any warning "
                f"({_plural(len(warnings), 'warning')} found). Import without strict to write "
                "the data with them listed, or correct the data."
                if strict or warnings
                else "Nothing was written."
            )
        new = [p for p in outcome.dates if p.run_id is not None and not p.attached]
        attached = [p for p in outcome.dates if p.run_id is not None and p.attached]
        if not new and not attached:  # every record already there: nothing was written
            return (
                f"Read {sum(outcome.records.values()):,} record(s){_collapsed(outcome)} from "
                f"{_plural(len(outcome.files), 'file')}: {NOTHING_NEW}."
            )
        parts = [_plural(len(new), "new run")] if new or not attached else []
        if attached:
            labels = ", ".join(f"{p.run_label} (run {p.run_id})" for p in attached[:3])
            more = f" and {len(attached) - 3} more" if len(attached) > 3 else ""
            parts.append(f"published figures attached to {labels}{more}")
        text = (
            f"Imported {sum(outcome.records.values()):,} record(s){_collapsed(outcome)} from "
            f"{_plural(len(outcome.files), 'file')}: {'; '.join(parts)}."
        )
        if warnings:
            text += (
                f" {_plural(len(warnings), 'warning')}: written as assumed below, and listed "
                "with the run."
            )
        else:
            text += " No warnings."
        return text

    @staticmethod
    def _runs_table(summary: ImportSummary) -> DataTable:
        parts = summary.dates
        table = DataTable("Filter runs…")
        table.set_columns(
            [
                Column("settlement date", [p.settlement_date for p in parts]),
                Column("run", [p.run_label if p.run_id is not None else "" for p in parts]),
                Column(
                    "run id",
                    [p.run_id for p in parts],
                    "int",
                    "the run's id in the database",
                ),
                Column(
                    "rows",
                    [sum(p.records.values()) for p in parts],
                    "int",
                    "rows written, over every table",
                ),
                Column("written", [what_was_written(p) for p in parts]),
            ],
            widths={"settlement date": 120, "run": 120, "run id": 70, "rows": 90},
        )
        return table

    @staticmethod
    def _files_table(files: list[str], errors, warnings) -> DataTable:
        counts = {name: (0, 0) for name in _file_names(files)}
        counts.update({f: (e, w) for f, e, w in counts_per_file(errors, warnings)})
        names = sorted(counts)
        table = DataTable("Filter files…")
        table.set_columns(
            [
                Column("file", names),
                Column("errors", [counts[n][0] for n in names], "int", "refused records"),
                Column("warnings", [counts[n][1] for n in names], "int", "written, as assumed"),
            ],
            widths={"file": 420, "errors": 80, "warnings": 80},
        )
        return table
