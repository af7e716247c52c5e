"""File › Import data files… (Ctrl+I, or data files dropped on the window): the import's
questions (views.import_options: run type, one settlement date, a register's effective-from,
strict), then a job (workbench/gui/jobs.py: progress, cancel with Esc) that imports the files
in one transaction (models.imports.loader: all or nothing; cancelled or refused, nothing is
written) and lists the database's runs after it; the report dialog (views.import_report)
ends it, and the first run written (or given published figures) is loaded.

Nothing of it runs on the GUI thread but the dialogs: with no database open, the new one is
created in a job too; the runs the questions mention are those the Runs panel shows until the
chosen date's own are read (a quiet job, `date_runs_work`) for the run prices attach to.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, QTimer
from PySide6.QtWidgets import QFileDialog

from views.import_options import ImportOptions, ImportOptionsDialog
from views.import_report import ImportReportDialog
from views.run_browser import RunBrowser
from views.selection import Selection
from workbench.gui.feedback import Feedback
from workbench.gui.jobs import Job, JobRunner, Work

JOB = "import"
RUNS_JOB = "import-date-runs"  # the runs of the date the questions are about
DATABASE_FILTER = "Settlement databases (*.sqlite *.db);;All files (*)"
DATA_FILTER = "Elexon data files (*.json *.csv *.gz *.txt);;All files (*)"


def import_work(db, paths: list[str], options: ImportOptions) -> Work:
    """The job's work: (progress, cancelled) -> the ImportSummary, or the ImportReport of a
    refused import; cancelled, models.imports.loader.ImportCancelled (nothing written)."""

    def work(progress, cancelled):
        from engine.settlement_calendar import RunType
        from models.imports import loader
        from models.imports.report import ImportRejected

        try:
            return loader.import_files(
                db,
                paths,
                run_type=RunType(options.run_type),
                only_date=options.settlement_date,
                effective_from=options.effective_from,
                strict=options.strict,
                attach_to=options.attach_to,
                progress=progress,
                cancelled=cancelled,
            )
        except ImportRejected as exc:
            return exc.report

    return work


def listing_runs(db, work: Work) -> Work:
    """`work` (an import's or a fetch's), then the database's runs when it wrote: the job
    returns (outcome, runs or None), so the Runs panel is refilled without a query on the
    GUI thread."""

    def listed(progress, cancelled):
        from models.imports.report import ImportSummary
        from models.runs.run_store import list_runs

        outcome = work(progress, cancelled)
        if not isinstance(outcome, ImportSummary):
            return outcome, None
        with db.engine.connect() as conn:
            return outcome, list_runs(conn, light=True)

    return listed


def date_runs_work(db, day) -> Work:
    """The runs of settlement date `day` (light: no counts of bid-offer records), for the
    import's run picker."""

    def work(progress, cancelled):
        from models.runs.run_store import list_runs

        with db.engine.connect() as conn:
            return list_runs(conn, day, light=True)

    return work


def create_work(path: str) -> Work:
    """A new, empty settlement database at `path` (its schema: 0.15-0.3 s), in a job."""

    def work(progress, cancelled):
        from models.db.database import SettlementDatabase

        progress(0.0, "creating the database")
        SettlementDatabase.create(path).close()
        return path

    return work


class ImportController(QObject):
    """Given the selection (its database is imported into), the job runner, a Feedback, the
    settings (the last choices), the Runs panel, and the window's `open_database(path) ->
    bool` and `load_run(run_id)`; the dialogs' parent is `parent`. `opening`, the window's
    workbench.gui.server_open.DatabaseOpening, holds an import back while a database opens."""

    def __init__(
        self,
        selection: Selection,
        jobs: JobRunner,
        feedback: Feedback,
        settings: QSettings,
        runs: RunBrowser,
        open_database: Callable[[str], bool],
        load_run: Callable[[int], None],
        parent=None,
        opening=None,
    ) -> None:
        super().__init__(parent)
        self.opening = opening
        self.selection, self.jobs, self.feedback = selection, jobs, feedback
        self.settings, self.runs = settings, runs
        self.open_database, self.load_run = open_database, load_run
        self.dialog_parent = parent
        self.options_dialog: ImportOptionsDialog | None = None  # the questions, last asked
        self.report_dialog: ImportReportDialog | None = None  # the last import's report
        self.strict = False  # the choice the report on its way was imported with

    def choose(self) -> None:
        """File › Import data files…: the files, the questions, then the job."""
        paths, _ = QFileDialog.getOpenFileNames(
            self.dialog_parent, "Import Elexon data files", "", DATA_FILTER
        )
        if paths:
            self.import_files(paths)

    def import_files(
        self, paths: list[str], database: str | None = None, options: ImportOptions | None = None
    ) -> Job | None:
        """Import into the open database (or a new one at `database`, asked for if none)
        with `options`, asked for first when not given (window-modal, no nested event loop).
        Returns the job started, if one was."""
        if options is None:
            self.ask(paths, database)
            return None
        from views.import_options import save_import_options

        save_import_options(self.settings, options)
        if self.selection.database is not None:
            return self.start(paths, options)
        if database is None:
            database, _ = QFileDialog.getSaveFileName(
                self.dialog_parent,
                "New database for the imported data",
                "imported.sqlite",
                DATABASE_FILTER,
            )
        if not database:
            return None

        def created(path: str) -> None:
            if self.open_database(path):
                self.start(paths, options)

        def failed(message: str, details: str) -> None:
            self.feedback.error("Cannot create the database", message, details)

        return self.jobs.start(JOB, create_work(database), created, failed, self._cancelled)

    def ask(self, paths: list[str], database: str | None = None) -> ImportOptionsDialog:
        """The import's questions, starting from the last choices."""
        from views.import_options import load_import_options

        shown = self.selection.run
        day = shown.run.settlement_date if shown is not None else None
        lists_runs = self.selection.database is not None
        dialog = ImportOptionsDialog(
            paths,
            load_import_options(self.settings),
            self.runs.shown,
            day,
            self.dialog_parent,
            lists_runs=lists_runs,
        )
        dialog.accepted.connect(lambda: self.import_files(paths, database, dialog.options()))
        dialog.runs_wanted.connect(lambda wanted: self.list_date_runs(dialog, wanted))
        self.options_dialog = dialog
        dialog.ask_for_runs()
        dialog.open()
        return dialog

    def list_date_runs(self, dialog: ImportOptionsDialog, day) -> Job | None:
        """The runs of `day` for the dialog's run picker, read in a quiet job (a newer date's
        replaces it); a failure is said in the status line, the default choice stays."""
        db = self.selection.database
        if db is None:
            return None

        def failed(message: str, details: str) -> None:
            self.feedback.status(f"Cannot list the runs of {day.isoformat()}: {message}")

        return self.jobs.start(
            RUNS_JOB,
            date_runs_work(db, day),
            lambda runs: dialog.show_date_runs(day, runs),
            failed,
            quiet=True,
        )

    def start(self, paths: list[str], options: ImportOptions) -> Job | None:
        """The import of `paths` into the open database, in a job. One asked for while a
        database opens (the new one the import asked for, created and now opening) starts once
        that database is shown, into it, and not at all if it is refused: never into the
        database before. A run chosen to attach prices to (`attach_to`) is a run of the
        database whose runs the questions listed: into another, the import is refused."""
        if self.opening is not None and self.opening.under_way is not None:
            listed = self.selection.database  # the database the questions' runs were of
            self.opening.after_open(lambda: self._resume(paths, options, listed))
            return None
        db = self.selection.database
        if db is None:
            self.feedback.status("Open a settlement database first (Ctrl+O).")
            return None
        self.strict = options.strict
        work = listing_runs(db, import_work(db, list(paths), options))
        return self.jobs.start(JOB, work, self.finished, self.feedback.job_failed, self._cancelled)

    def _resume(self, paths: list[str], options: ImportOptions, listed) -> Job | None:
        """The import held back while a database opened, now that it is shown."""
        db = self.selection.database
        if options.attach_to is not None and listed is not None and db is not listed:
            # The same id names another run (or none) here: never attach prices to it.
            self.feedback.error(
                "Not imported",
                f"run {options.attach_to} to attach prices to was chosen among the runs of "
                f"{listed.location}, and {db.location if db else 'no database'} is open now: "
                "import again and choose among its runs",
            )
            return None
        return self.start(paths, options)

    def finished(self, outcome, strict: bool | None = None) -> None:
        """The job's (outcome, runs): the report dialog, the status line, the Runs panel
        refilled and the run written loaded. A fetch's job ends here too."""
        from models.imports.report import ImportSummary
        from views.import_report import outcome_status, run_to_show

        outcome, runs = outcome
        strict = self.strict if strict is None else strict
        self.report_dialog = ImportReportDialog(outcome, self.dialog_parent, strict=strict)
        self.report_dialog.show()
        self.feedback.status(outcome_status(outcome, strict))
        if not isinstance(outcome, ImportSummary) or runs is None:
            return
        self.runs.show_runs(runs)
        shown = run_to_show(outcome)
        if shown is not None:
            self.runs.select_run(shown)
            # Loaded from the next turn of the event loop, once the report is shown: a load
            # started now runs its Python beside the report's first paint, whose calls into
            # Python then wait for the GIL (the GUI thread held 60 ms, not 45, here).
            QTimer.singleShot(0, self, lambda: self.load_run(shown))

    def _cancelled(self) -> None:
        self.feedback.status("Import cancelled: nothing was written.")
