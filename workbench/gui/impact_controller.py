"""Tools › Modification impact…: the dialog's choices (views.impact_dialog) become a job
(workbench/gui/jobs.py: progress with days done, rate and ETA, retries and failures; cancel)
that re-settles the range of the open database with the rulebook's rules and the variant, in
this process, a process pool or on Dask, as `settlement-workbench impact` does; the report
shows in the Impact tab (views.impact_view), made on first use, and Export to Excel… writes
its workbook (models.exports.impact_xlsx) in a job too.

`ImpactRoom` is what the main window makes (one line): the menu entry, the tab and the
controller, given the window's selection, jobs and feedback.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from engine.settlement_calendar import RunType
from models.core.errors import WorkbenchInputError
from views.impact_dialog import ImpactDialog, ImpactOptions
from views.impact_view import ImpactView
from views.selection import Selection
from workbench.gui.actions import make_action
from workbench.gui.feedback import Feedback
from workbench.gui.jobs import Cancelled, JobRunner

JOB = "impact"
DATES = "impact dates"  # the open database's last day of runs, for the dialog's default
MENU = "&Tools"
TAB = "Impact"
XLSX_FILTER = "Excel workbooks (*.xlsx)"


def database_url(db) -> str:
    """What a task opens: the SQLite file's path, or the server URL with its password (the
    workers need it; it is never shown: messages use db.location)."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        return url.database
    return url.render_as_string(hide_password=False)


def _executor(options: ImpactOptions):
    from models.impact.cluster import existing_scheduler, local_cluster
    from models.impact.execute import PoolExecutor, SerialExecutor

    if options.where == "workers":
        return local_cluster(options.workers)
    if options.where == "scheduler":
        return existing_scheduler(options.scheduler)
    if options.where == "processes":
        return PoolExecutor(options.workers)
    return nullcontext(SerialExecutor())


def impact_work(db, options: ImpactOptions):
    """The job's work: (progress, cancelled) -> (ImpactReport, where it ran, seconds)."""

    def work(progress, cancelled):
        from engine.variants import variant_from_settings, variant_named
        from models.impact.execute import ImpactCancelled, progress_text, run_days
        from models.impact.plan import impact_plan
        from models.impact.report import impact_report

        problem = options.problem()
        if problem is not None:
            raise WorkbenchInputError(problem)
        variant = (
            variant_named(options.variant)
            if options.variant
            else variant_from_settings(options.settings)
        )
        run_types = tuple(RunType(t) for t in options.run_types)
        with db.engine.connect() as conn:
            tasks = impact_plan(conn, options.first, options.last, run_types)
        began = time.perf_counter()
        progress(0.0, f"starting: {len(tasks)} day(s)")

        def report_progress(p) -> None:
            seconds = time.perf_counter() - began
            text = progress_text(p.done, p.total, seconds, p.failed, p.retried)
            progress(p.done / max(p.total, 1), text)

        try:
            with _executor(options) as executor:
                if cancelled():
                    raise Cancelled
                done = run_days(executor, database_url(db), tasks, variant,
                                progress=report_progress, cancelled=cancelled)  # fmt: skip
                where = executor.name
        except ImpactCancelled:
            raise Cancelled from None
        report = impact_report(variant, options.first, options.last, done.impacts,
                               done.failures, retries=done.retries)  # fmt: skip
        return report, where, time.perf_counter() - began

    return work


def last_date(db) -> date | None:
    """The last settlement date of `db`'s settlement runs (a worker's read), or None."""
    from models.runs.run_store import list_runs

    with db.engine.connect() as conn:
        days = [r.settlement_date for r in list_runs(conn, light=True) if r.kind == "run"]
    return max(days) if days else None


class ImpactController(QObject):
    """`show_view()` brings the Impact tab to the front (making it on first use) and returns
    the view."""

    def __init__(
        self,
        selection: Selection,
        jobs: JobRunner,
        feedback: Feedback,
        show_view: Callable[[], ImpactView],
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.selection, self.jobs, self.feedback = selection, jobs, feedback
        self.show_view = show_view
        self.dialog_parent = parent
        self.options: ImpactOptions | None = None  # the last assessed, the dialog's next start
        self.report = None
        self.dialog: ImpactDialog | None = None

    def default_options(self, last: date | None = None) -> ImpactOptions:
        """The last choices; else the week ending `last` (the open database's last day of
        runs), or yesterday."""
        if self.options is not None:
            return self.options
        last = last or date.today() - timedelta(days=1)
        return ImpactOptions(first=last - timedelta(days=6), last=last)

    def choose(self) -> None:
        """Tools › Modification impact…: the dialog, then the job. Its first opening needs
        the database's last day of runs: read in a quiet worker, the dialog opens when it
        comes (if the same database is still open)."""
        db = self.selection.database
        if db is None:
            self.feedback.status("Open a settlement database first (Ctrl+O).")
            return
        if self.options is not None:
            self._open_dialog(self.options)
            return

        self.jobs.start(
            DATES,
            lambda progress, cancelled: last_date(db),
            lambda last: self._open_dialog(self.default_options(last)),
            self.feedback.job_failed,
            quiet=True,
            still=lambda: self.selection.database is db,
        )

    def _open_dialog(self, options: ImpactOptions) -> None:
        dialog = ImpactDialog(options, self.dialog_parent)
        dialog.accepted.connect(lambda: self.assess(dialog.options()))
        self.dialog = dialog
        dialog.open()

    def assess(self, options: ImpactOptions):
        """Assess `options` on the open database in a job (returns the job)."""
        db = self.selection.database
        if db is None:
            self.feedback.status("Open a settlement database first (Ctrl+O).")
            return None
        self.options = options
        view = self.show_view()
        view.title.setText(f"Assessing {options.command_line()} …")
        return self.jobs.start(JOB, impact_work(db, options), self._assessed,
                               self._failed, self._cancelled)  # fmt: skip

    def _assessed(self, outcome) -> None:
        report, where, seconds = outcome
        self.report = report
        view = self.show_view()
        view.show_report(report, where, seconds)
        failed = f"; {len(report.failures)} date(s) FAILED" if report.failures else ""
        retried = f"; {len(report.retries)} attempt(s) retried" if report.retries else ""
        self.feedback.status(
            f"Impact of {report.variant.name}: {report.days} day(s), {len(report.impacts)} "
            f"run(s) in {seconds:.1f} s on {where}{retried}{failed}"
        )

    def _failed(self, message: str, details: str) -> None:
        self.show_view().title.setText(f"The impact assessment failed: {message}")
        self.feedback.job_failed(message, details)

    def _cancelled(self) -> None:
        self.show_view().title.setText("Impact assessment cancelled: nothing is shown.")
        self.feedback.job_cancelled()

    def select_period(self, day, period: int) -> None:
        """A click on the time series: the period selected, as a click on any chart does, when
        the run shown is of that date (the views follow the period of the run shown); else the
        status bar says how to follow it."""
        shown = self.selection.run
        inputs = None if shown is None else shown.result.inputs
        if inputs is not None and inputs.bm.settlement_date == day and period in inputs.periods:
            self.selection.period = period
            self.feedback.status(f"Period {period} of {day.isoformat()} selected.")
            return
        where = "no run is shown" if shown is None else f"the run shown is {shown.label}"
        self.feedback.status(
            f"Period {period} of {day.isoformat()}: {where}; load a run of {day.isoformat()} "
            "(the Runs panel) to follow it in the other views."
        )

    def export(self, path: str | None = None) -> None:
        """The report on show as an Excel workbook, written in a job."""
        report = self.report
        if report is None:
            self.feedback.status("Assess an impact first (Tools › Modification impact…).")
            return
        if path is None:
            suggestion = f"impact-{report.variant.name}-{report.date_from}-{report.date_to}.xlsx"
            path, _ = QFileDialog.getSaveFileName(
                self.dialog_parent, "Export the impact to Excel", suggestion, XLSX_FILTER
            )
            if not path:
                return

        def work(progress, cancelled):
            from models.exports.impact_xlsx import write_impact_workbook

            progress(0.2, f"writing {Path(path).name}")
            return write_impact_workbook(report, path)

        self.jobs.start("export", work, lambda p: self.feedback.status(f"Wrote {p}"),
                        self.feedback.job_failed, self.feedback.job_cancelled)  # fmt: skip


class ImpactRoom:
    """Made by the main window once its menus, tabs, selection, jobs and feedback exist: adds
    Tools › Modification impact… (a Tools menu before Help when there is none) and the Impact
    tab when first needed."""

    def __init__(self, window) -> None:
        self.window = window
        self.view: ImpactView | None = None
        self.controller = ImpactController(
            window.selection, window.jobs, window.feedback, self.show_view, parent=window
        )
        self.action = make_action(
            window,
            "&Modification impact…",
            self.controller.choose,
            tip="Re-settle a date range of the open database under a rule variant (PAR, DMAT, "
            "a replaced rule…) and show the price, NIV and £ deltas; on Dask or a process pool",
        )
        self._menu().addAction(self.action)
        window.selection.events.database.connect(lambda db: self.action.setEnabled(db is not None))
        self.action.setEnabled(window.selection.database is not None)

    def _menu(self):
        bar = self.window.menuBar()
        for action in bar.actions():
            if action.text() == MENU and action.menu() is not None:
                return action.menu()
        help_entry = next((a for a in bar.actions() if a.text() == "&Help"), None)
        menu = bar.addMenu(MENU)
        if help_entry is not None:  # Tools before Help, as on every desktop
            bar.insertMenu(help_entry, menu)
        return menu

    def show_view(self) -> ImpactView:
        tabs = self.window.tabs
        if self.view is None:
            self.view = ImpactView()
            self.view.export_requested.connect(lambda: self.controller.export())
            self.view.period_clicked.connect(self.controller.select_period)
            tabs.addTab(self.view, TAB)
        tabs.setCurrentWidget(self.view)
        return self.view
