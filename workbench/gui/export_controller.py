"""File › Export to Excel and the evidence packs: the run shown, the comparison on show (only
while it holds), a scenario against its base, a dispute case, the table in focus. Workbooks
are written in a worker."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from models.core.errors import WorkbenchInputError
from models.disputes.comparison_key import comparison_key
from views.selection import Selection
from workbench.gui.feedback import Feedback
from workbench.gui.jobs import JobRunner

XLSX_FILTER = "Excel workbooks (*.xlsx)"


class ExportController(QObject):
    """`selected_case()`: the dispute case chosen in its dock (or None); `current_table()`:
    the table in focus (or None); `verify_comparison()`: why the comparison on show no
    longer holds, asking the database (None while it holds)."""

    def __init__(
        self,
        selection: Selection,
        jobs: JobRunner,
        feedback: Feedback,
        selected_case: Callable[[], object],
        current_table: Callable[[], object],
        verify_comparison: Callable[[], str | None],
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.selection, self.jobs, self.feedback = selection, jobs, feedback
        self.selected_case, self.current_table = selected_case, current_table
        self.verify_comparison = verify_comparison
        self.dialog_parent = parent

    def _save_path(self, suggestion: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            self.dialog_parent, "Export to Excel", suggestion, XLSX_FILTER
        )
        return path or None

    def export(self, build, path: str | None) -> None:
        """Write `build(db, path)` in a worker; its path in the status bar when written."""
        if path is None:
            return
        db = self.selection.database

        def work(progress, cancelled):
            progress(0.2, f"writing {Path(path).name}")
            return build(db, path)

        self.jobs.start(
            "export",
            work,
            lambda p: self.feedback.status(f"Wrote {p}"),
            self.feedback.job_failed,
            self.feedback.job_cancelled,
        )

    def export_scenario_pack(self, path: str | None = None) -> None:
        view = self.selection.run
        if view is None or view.run.kind != "scenario":
            return
        from models.exports.packs import write_comparison_pack

        base, scenario = view.run.base_run_id, view.run.id
        path = path or self._save_path(f"evidence-run{base}-scenario{scenario}.xlsx")
        self.export(lambda db, p: write_comparison_pack(db, base, scenario, p), path)

    def export_case_pack(self, path: str | None = None) -> None:
        case = self.selected_case()
        if case is None:
            self.feedback.status("No dispute case to export.")
            return
        from models.exports.packs import write_case_pack

        path = path or self._save_path(f"evidence-{case.reference}.xlsx")
        self.export(lambda db, p: write_case_pack(db, case.id, p), path)

    def export_run(self, path: str | None = None) -> None:
        if self.selection.run is None:
            return
        from models.exports.packs import write_run_workbook

        run = self.selection.run.run.id
        path = path or self._save_path(f"run-{run}.xlsx")
        self.export(lambda db, p: write_run_workbook(db, run, p), path)

    def export_comparison(self, path: str | None = None) -> None:
        """The pack of the comparison on show (a scenario and its base, or any two runs)."""
        if self.selection.comparison is None:
            self.feedback.status("Compare two runs first (F6, or Compare with another run).")
            return
        reason = self.verify_comparison()
        if reason is not None:
            self.feedback.status(
                f"Not exported: the comparison on show is out of date ({reason}); "
                "Settle and compare (F6) first."
            )
            return
        from models.exports.packs import write_comparison_pack

        shown = self.selection.comparison.key
        first, second = shown.first_run, shown.second_run
        path = path or self._save_path(f"comparison-run{first}-run{second}.xlsx")

        def build(db, p):
            # The pack is computed again from the database: it must be what the view shows.
            with db.engine.connect() as conn:
                now = comparison_key(conn, db.location, first, second)
            if now != shown:
                raise WorkbenchInputError(
                    "the comparison on show is out of date (the scenario changed since): "
                    "Settle and compare (F6) first; nothing was written"
                )
            return write_comparison_pack(db, first, second, p)

        self.export(build, path)

    def export_table(self, path: str | None = None) -> None:
        table = self.current_table()
        if table is None:
            self.feedback.status("Click in a table first.")
            return
        path = path or self._save_path("table.xlsx")
        write = table.export_writer()  # the rows as shown now; written in the worker

        def build(_db, p):
            write(p)
            return p

        self.export(build, path)
