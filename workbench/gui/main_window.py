"""The main window: run browser and inspector docks around the day overview, BM unit
explorer and price stack; menus, shortcuts, background jobs, recent files and settings."""

from __future__ import annotations

import gc
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QToolBar,
)

from models.db.database import SettlementDatabase
from models.runs.check_outcomes import check_counts
from models.runs.run_store import list_runs
from models.runs.run_view import RunView, load_run_view
from views.chart_room import ChartRoom
from views.day_overview import DayOverview
from views.help_dialogs import README, RULEBOOK, GuideDialog, ShortcutsDialog, open_document
from views.inspector import Inspector
from views.run_browser import RUN_ROLE, RunBrowser
from views.selection import Selection
from views.stack_view import StackView
from views.unit_explorer import UnitExplorer
from views.warnings_table import WarningsLink
from workbench import version
from workbench.gui import recent_files
from workbench.gui.actions import make_action
from workbench.gui.disputes import Disputes
from workbench.gui.feedback import Feedback
from workbench.gui.import_controller import ImportController
from workbench.gui.jobs import JobRunner
from workbench.gui.preload import (
    Preload,
    choose_run,
    default_settings,
    last_shown_key,
    remembered_run,
)
from workbench.gui.run_views import RunViews

DATABASE_FILTER = "Settlement databases (*.sqlite *.db);;All files (*)"
SQLITE_HEADER = b"SQLite format 3\x00"
NARROW_WINDOW = 1280  # px: below it the central views are given three fifths
JOB_MESSAGES = {
    "open": "Opening…",
    "load": "Loading…",
    "demo": "Creating the demo database…",
    "import": "Importing…",
    "fetch": "Fetching from Elexon…",
    "compare": "Settling and comparing…",
    "export": "Writing the workbook…",
}


class MainWindow(QMainWindow):
    run_shown = Signal(int)  # a loaded run (its id) now shows in every view
    database_shown = Signal(str)  # an opened database (its location) is now the open one

    def __init__(self, settings: QSettings | None = None) -> None:
        super().__init__()
        self.settings = settings or default_settings()
        # What is on show (database, run, period, BM unit, comparison): views and controllers
        # listen to it; the period box below is one view of its period.
        self.selection = Selection(period=1)
        self.jobs = JobRunner(self)
        self.setWindowTitle("Settlement Workbench")
        self.setAcceptDrops(True)
        self.resize(1400, 860)

        self.overview = DayOverview()
        self.explorer = UnitExplorer()
        self.stack = StackView()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.overview, "Day overview")
        self.tabs.addTab(self.explorer, "BM units")
        self.tabs.addTab(self.stack, "Price stack")
        self.setCentralWidget(self.tabs)

        self.runs = RunBrowser()
        self.inspector = Inspector()
        self.runs_dock = self._dock("Runs", self.runs, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock(
            "Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea
        )

        self.period = QSpinBox(minimum=1, maximum=50, prefix="period ")
        self.period.setToolTip("Settlement period (Alt+Left / Alt+Right)")
        self.status = QLabel("Open a settlement database (Ctrl+O) or create a demo (Ctrl+N).")
        self.progress = QProgressBar(maximumWidth=220, textVisible=True)
        self.progress.hide()
        self._last_error: QMessageBox | None = None  # the last error box shown
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.statusBar().addWidget(self.status, 1)
        self.warnings_link = WarningsLink()
        self.statusBar().addPermanentWidget(self.warnings_link)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.feedback = Feedback(status=self.status.setText, error=self.show_error)
        from workbench.gui.server_open import DatabaseOpening

        # Opens files and server URLs in a job (File › Open…, recent files, drops, launch).
        self.database_opening = DatabaseOpening(
            self.jobs, self, self._show_database, self.show_error, self.status.setText
        )
        self.imports = ImportController(  # File › Import data files…, dropped data files
            self.selection, self.jobs, self.feedback, self.settings, self.runs,
            self.open_database, self.load_run, parent=self, opening=self.database_opening,
        )  # fmt: skip
        self._build_actions()
        self.disputes = Disputes(self)
        from workbench.gui.reconciliation import Reconciliation

        self.reconciliation = Reconciliation(self)  # its tab and Run › Reconcile with S0142…
        from workbench.gui.impact_controller import ImpactRoom

        self.impact = ImpactRoom(self)  # Tools › Modification impact… and its tab
        from workbench.gui.live_controller import LiveRoom

        self.live = LiveRoom(self)  # File › Go live…, the status light, the live overview
        self._build_view_keys()
        self._connect()
        self.resizeDocks(
            [self.runs_dock, self.inspector_dock], [230, 430], Qt.Orientation.Horizontal
        )
        self._restore()
        # What exists now (the libraries, 160,000 objects, and this window) lives as long as
        # the window: out of the collector's full sweeps, each of which held the GUI thread
        # 0.3-0.5 s (every job starts with one, workbench.gui.jobs). Back in at closing.
        gc.freeze()

    @property
    def db(self) -> SettlementDatabase | None:
        """The open database (the selection's)."""
        return self.selection.database

    @db.setter
    def db(self, db: SettlementDatabase | None) -> None:
        self.selection.database = db

    @property
    def view(self) -> RunView | None:
        """The loaded run every view shows (the selection's)."""
        return self.selection.run

    @view.setter
    def view(self, view: RunView | None) -> None:
        self.selection.run = view

    # -- construction ---------------------------------------------------------------------

    def _dock(self, title: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock-{title}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _action(self, text: str, slot, shortcut=None, tip: str = ""):
        return make_action(self, text, slot, shortcut, tip)

    def _build_actions(self) -> None:
        self.open_action = self._action(
            "&Open database…", self.choose_database, QKeySequence.StandardKey.Open
        )
        self.demo_action = self._action(
            "&New demo database…", self.create_demo, QKeySequence.StandardKey.New
        )
        self.import_action = self._action(
            "&Import data files…",
            self.imports.choose,
            "Ctrl+I",
            "Import Elexon data (Insights JSON/CSV, legacy BMRS CSV, registers, prices)",
        )
        self.fetch_action = self._action(
            "&Fetch from Elexon…",
            self.choose_fetch,
            tip="Fetch settlement dates from the Elexon Insights API (cached) and import them",
        )
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.settle_action = self._action(
            "&Settle run", self.settle, "F5", "Settle the run and store its results"
        )
        self.cancel_action = self._action(
            "&Cancel job", lambda: self.jobs.cancel(announced_only=True), "Esc"
        )
        self.next_period = self._action("Next period", lambda: self.period.stepUp(), "Alt+Right")
        self.previous_period = self._action(
            "Previous period", lambda: self.period.stepDown(), "Alt+Left"
        )
        self.file_menu = file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.open_action)
        file_menu.addAction(self.demo_action)
        file_menu.addAction(self.import_action)
        file_menu.addAction(self.fetch_action)
        self.recent_menu = file_menu.addMenu("Open &recent")
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        run_menu = self.menuBar().addMenu("&Run")
        run_menu.addAction(self.settle_action)
        run_menu.addAction(self.cancel_action)
        run_menu.addSeparator()
        run_menu.addAction(self.previous_period)
        run_menu.addAction(self.next_period)
        # The views' entries (Ctrl+1…) go above the separator once every tab's room is made.
        self.view_menu = view_menu = self.menuBar().addMenu("&View")
        self.views_end = view_menu.addSeparator()
        view_menu.addAction(self.runs_dock.toggleViewAction())
        view_menu.addAction(self.inspector_dock.toggleViewAction())
        self.help_menu = help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("&User guide", self.show_guide, "F1"))
        help_menu.addAction(self._action("&Keyboard shortcuts", self.show_shortcuts))
        help_menu.addAction(
            self._action("&README", self.open_readme, tip="The README: install, command line")
        )
        help_menu.addAction(
            self._action(
                "Settlement &rulebook",
                self.open_rulebook,
                tip="SETTLEMENT_RULES.md: every rule (R-…) the Inspector's traces name",
            )
        )
        help_menu.addSeparator()
        help_menu.addAction(self._action("&About", self.about))
        self.toolbar = toolbar = QToolBar("Main", objectName="toolbar-main")
        toolbar.addAction(self.open_action)
        toolbar.addAction(self.import_action)
        toolbar.addAction(self.settle_action)
        toolbar.addSeparator()
        toolbar.addWidget(self.period)
        self.addToolBar(toolbar)
        self._fill_recent()

    def _build_view_keys(self) -> None:
        """View › each tab (Ctrl+1…, the Impact tab made when first asked for), each dock, the
        focus mode; Ctrl+F to the view's filter box. Made once every room has its tab."""
        views = [
            (self.overview, "Day overview"),
            (self.explorer, "BM units"),
            (self.stack, "Price stack"),
            (self.disputes.comparison, "Comparison"),
            (self.reconciliation.view, "Reconciliation"),
        ]
        entries = [(n, lambda _=False, v=v: self.tabs.setCurrentWidget(v)) for v, n in views]
        entries.append(("Impact", lambda _=False: self.impact.show_view()))
        for i, (name, show) in enumerate(entries):
            self.view_menu.insertAction(self.views_end, self._action(name, show, f"Ctrl+{i + 1}"))
        self.find_action = self._action(
            "&Filter the view's table",
            self.find_in_view,
            QKeySequence.StandardKey.Find,
            "The filter box of the table shown (the one last used, else the view's first)",
        )
        self.view_menu.insertAction(self.views_end, self.find_action)
        for dock, key in (
            (self.runs_dock, "Ctrl+Shift+R"),
            (self.disputes.scenario_dock, "Ctrl+Shift+S"),
            (self.inspector_dock, "Ctrl+Shift+I"),
            (self.disputes.cases_dock, "Ctrl+Shift+D"),
        ):
            dock.toggleViewAction().setShortcut(QKeySequence(key))
        self.focus_action = self._action(
            "F&ocus on the view",
            self.set_focus_mode,
            "F11",
            "The view shown has the window: the panels and the toolbar hidden until pressed again",
        )
        self.focus_action.setCheckable(True)
        self._focus_state = None  # the window's docks and toolbar as they were before focus
        self.view_menu.addSeparator()
        self.view_menu.addAction(self.focus_action)
        self.chart_rooms = [
            ChartRoom(self.overview.charts, [self.overview.price_plot, self.overview.niv_plot])
        ]  # the BM units view's once its charts are made (_keep_chart_room)

    def set_focus_mode(self, on: bool) -> None:
        """View › Focus on the view (F11): every dock and the toolbar hidden, the view shown
        given the window; off again, the docks and toolbar exactly as they were."""
        if on == (self._focus_state is not None):
            return
        if on:
            self._focus_state = self.saveState()
            direct = Qt.FindChildOption.FindDirectChildrenOnly
            for widget in (*self.findChildren(QDockWidget, options=direct),
                           *self.findChildren(QToolBar, options=direct)):  # fmt: skip
                widget.hide()
        else:
            state, self._focus_state = self._focus_state, None
            self.restoreState(state)
        self.focus_action.setChecked(on)

    def find_in_view(self) -> None:
        """Ctrl+F: the filter box of the view's table with (or that last had) the keyboard
        focus, else of its first table shown; tables collapsed to give charts room come back."""
        from views.data_table import DataTable

        page = self.tabs.currentWidget()
        tables = [t for t in page.findChildren(DataTable) if t.isVisible()] if page else []
        last = self.current_table()
        table = last if last in tables else next(iter(tables), None)
        if table is None:
            self.status.setText(f"{self.tabs.tabText(self.tabs.currentIndex())} has no table.")
            return
        for room in self.chart_rooms:
            if room.splitter.isAncestorOf(table):
                room.show_tables()
        table.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        table.filter.selectAll()

    def _keep_chart_room(self) -> None:
        """The BM units view's charts keep their room too, once made (when first shown or
        given a run)."""
        explorer = self.explorer
        charts = getattr(explorer, "charts", None)
        if charts is not None and all(r.charts is not charts for r in self.chart_rooms):
            self.chart_rooms.append(ChartRoom(charts, [explorer.level_plot, explorer.volume_plot]))
        for room in self.chart_rooms:
            room.arrange()

    def _connect(self) -> None:
        # The charts' room again once a view is shown or filled: their titles hold the
        # run's keys, their axes its labels, which the charts' least height counts.
        self.tabs.currentChanged.connect(lambda _i: self._keep_chart_room())
        self.run_shown.connect(lambda _id: self._keep_chart_room())
        self.runs.run_chosen.connect(self.load_run)
        # The period box first: the views then hear only a period the box can show.
        self.selection.events.period.connect(self._show_period)
        self.period.valueChanged.connect(self._select_period)
        self.run_views = RunViews(
            self.selection,
            self.tabs,
            self.overview,
            self.explorer,
            self.stack,
            self.inspector,
            status=self.status.setText,
            remember=self._remember_selection,
        )
        self.jobs.started.connect(self._job_started)
        self.jobs.finished.connect(self._job_finished)
        self.jobs.progressed.connect(self._job_progress)
        self.cancel_button.clicked.connect(lambda: self.jobs.cancel(announced_only=True))
        self.warnings_link.activated.connect(self.show_run_warnings)

    # -- databases and runs ---------------------------------------------------------------------

    def choose_database(self) -> None:
        """File › Open database…: a file (chosen as before) or a server URL (issue 21)."""
        from views.database_dialog import OpenDatabaseDialog

        recent = recent_files.recent(self.settings)
        url = next((p for p in recent if recent_files.is_server_url(p)), "")
        file = next((p for p in recent if not recent_files.is_url(p)), "")
        dialog = OpenDatabaseDialog(file, url, self)
        dialog.accepted.connect(lambda: self.open_database(dialog.choice().location))
        self.open_dialog = dialog
        dialog.open()

    def open_database(self, path: str, preload: Preload | None = None, then=()) -> bool:
        """Start opening a database file or server URL in a job, in place of the one open, and
        then load its last shown (or newest) run; `preload`, when given, is that same opening
        under way since launch (workbench.gui.preload). Returns True: the opening started
        (`opening` names it); nothing is opened on the GUI thread, so what it finds comes
        later. Opened, the database is shown (`database_shown`), then each of `then` is
        called; refused, the one line saying why (not a database, locked, damaged, a newer
        schema, a server's refusal) is shown, and the database open before stays open and
        usable. A newer opening replaces one under way, whose database is closed unshown.
        A server that wants a password asks for it (workbench.gui.server_open)."""
        path = recent_files.absolute(path)  # remembered so: it opens from any folder
        self.database_opening.open(path, preload=preload, then=then)
        return True

    @property
    def opening(self) -> str | None:
        """The database opening (its path, or URL without the password), or None."""
        return self.database_opening.under_way

    def after_open(self, then) -> None:
        """`then()` once the database opening is shown, never if it is refused or replaced
        (work asked for while it opens is for it, not for the one before); at once if none is."""
        self.database_opening.after_open(then)

    def _show_database(self, db, runs, path: str, preload: Preload | None) -> None:
        """The opened database in place of the one before; its remembered run loading.
        `path`: the file, or the server URL without its password."""
        self.jobs.cancel("load")  # the last database's run: stale, never shown on this one
        before = self.db
        self.jobs.location, self.jobs.database = db.location, db  # the jobs asked for from now
        self.db = db
        if before is not None:
            # Closed once the edits queued on it are written (and its reads have ended): a
            # write made on a closed engine would open a connection nobody closes.
            self.jobs.after_jobs_of(before, before.close)
        self.view = None  # nothing of the last database stays on show
        self.runs.show_runs(runs)
        self.setWindowTitle(f"{_title(path)}: Settlement Workbench")
        self.status.setText(f"{path}: {len(runs)} runs. Choose a run in the Runs panel.")
        if db.notices:  # e.g. a write a crash interrupted, rolled back on opening
            self.show_error("The database was recovered", "\n".join(db.notices))
        self._remember(path)
        self.database_shown.emit(db.location)
        chosen = choose_run([r.id for r in runs], remembered_run(self.settings, path))
        if chosen is not None:
            self.runs.select_run(chosen)
            if preload is not None and preload.run_id == chosen:
                self._start_load(db, preload.work, self._run_loaded)
                return
            self.load_run(chosen)
        if preload is not None:
            preload.cancel()  # loading a run this window did not choose

    def load_run(self, run_id: int) -> None:
        if self.db is None:
            return
        db = self.db

        def work(progress, cancelled):
            return load_run_view(db, run_id, progress, cancelled)

        self._start_load(db, work, self._run_loaded)

    def _start_load(self, db, work, shown) -> None:
        """A run's load (a newer one replaces it) from `db`: what it ends with (the view, a
        failure, a cancel) is told only while `db` is still the database open."""
        self.jobs.start(
            "load",
            work,
            self._while_open(db, shown),
            self._while_open(db, self._job_failed),
            self._while_open(db, self._job_cancelled),
        )

    def _while_open(self, db, handler):
        def handle(*args) -> None:
            if self.db is db:
                handler(*args)

        return handle

    def _run_loaded(self, view: RunView) -> None:
        # Freshly opened (or another date): restore the last unit and period of the database.
        first_view = self.view is None or self.view.run.settlement_date != view.run.settlement_date
        unit = self._remembered("unit")  # read first: showing the run selects a unit
        self.view = view
        inputs = view.result.inputs
        self.period.setMaximum(inputs.bm.periods)
        remembered = self._remembered("period")
        if first_view and remembered is not None and int(remembered) in inputs.periods:
            self.selection.period = int(remembered)
        if self.selection.period not in inputs.periods:
            self.selection.period = inputs.periods[len(inputs.periods) // 2]
        # Each view fills when first shown (see workbench.gui.run_views).
        self.run_views.run_loaded(str(unit) if first_view and unit is not None else None)
        counts = check_counts(view.result.checks)  # not applicable: neither passed nor failed
        self.status.setText(
            f"{view.label}: {len(view.result.inputs.bm.bm_units):,} BM units, "
            f"{len(inputs.parties):,} parties; "
            f"checks {counts.passed} passed"
            + (f", {counts.not_applicable} not applicable" if counts.not_applicable else "")
            + (f", {counts.failed} FAILED" if counts.failed else "")
            + f"; {view.differences.summary()}"
        )
        self._remember_selection("run", view.run.id)
        self.warnings_link.show_count(len(view.warnings))
        self.run_views.update_inspector()
        self.run_shown.emit(view.run.id)

    def settle(self) -> None:
        if self.db is None or self.view is None:
            self.status.setText("Choose a run to settle first.")
            return
        from models.runs.results_store import settle_run

        db, run_id = self.db, self.view.run.id

        def work(progress, cancelled):
            progress(0.1, "settling and storing results")
            settle_run(db, run_id)
            progress(0.6, "reloading")
            return load_run_view(db, run_id, progress, cancelled)

        self._start_load(db, work, self._settled)

    def _settled(self, view: RunView) -> None:
        self._run_loaded(view)
        self.status.setText(self.status.text() + "; results stored")

    def create_demo(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "New demo database", "demo.sqlite", DATABASE_FILTER
        )
        if path:
            self.create_demo_at(path)

    def create_demo_at(self, path: str, bmus: int = 60, days: int = 1) -> None:
        from models.demo.generator import DemoSpec, generate_demo

        def work(progress, cancelled):
            spec = DemoSpec(bmus=bmus, days=days)
            generate_demo(path, spec, overwrite=True, progress=progress, cancelled=cancelled)
            return path

        self.jobs.start("demo", work, self.open_database, self._job_failed, self._job_cancelled)

    # -- the selection remembered per database ------------------------------------------------

    def _remembered(self, what: str):
        if self.db is None:
            return None
        return self.settings.value(last_shown_key(what, self.db.location), None)

    def _remember_selection(self, what: str, value) -> None:
        if self.db is not None:
            self.settings.setValue(last_shown_key(what, self.db.location), value)

    def show_run_warnings(self) -> None:
        """The loaded run's data warnings: the day overview's Data warnings tab."""
        self.tabs.setCurrentWidget(self.overview)
        self.overview.tables.setCurrentIndex(self.overview.warnings_tab)

    def _select_period(self, period: int) -> None:
        self.selection.period = period

    def _show_period(self, period: int) -> None:
        """The selection's period in the period box; beyond the box's range (the run's
        periods), the box's own value is the period."""
        self.period.setValue(period)
        if self.period.value() != period:
            self.selection.period = self.period.value()

    def ensure_shown(self, widget) -> None:
        """Fill the overview, BM unit or stack view with the loaded run if it is not yet."""
        self.run_views.ensure_shown(widget)

    # -- jobs ------------------------------------------------------------------------------------

    def _job_started(self, name: str) -> None:
        self.progress.setValue(0)
        self.progress.show()
        self._offer_cancel()
        self._job_message = JOB_MESSAGES.get(name, "Working…")
        self.status.setText(self._job_message)

    def _job_progress(self, fraction: float, message: str) -> None:
        # The bar is narrow: the percentage in it, what the job says on the status line.
        self.progress.setValue(int(100 * fraction))
        self.progress.setFormat("%p%")
        self.status.setText(f"{getattr(self, '_job_message', 'Working…')} {message}")

    def _job_finished(self, _name: str) -> None:
        if not self.jobs.busy():
            self.progress.hide()
        self._offer_cancel()

    def _offer_cancel(self) -> None:
        # Only for what Cancel (Esc) stops: a scenario's write is never cancelled, and a
        # quiet read is never announced.
        stoppable = [j for j in self.jobs.jobs.values() if j.cancellable and not j.quiet]
        self.cancel_button.setVisible(any(not j.isFinished() for j in stoppable))

    def _job_failed(self, message: str, details: str) -> None:
        self.show_error("The job failed", message, details)

    def _job_cancelled(self) -> None:
        self.status.setText("Cancelled.")

    def show_error(self, title: str, message: str, details: str = "") -> None:
        self.status.setText(f"{title}: {message}")
        last = getattr(self, "_last_error", None)
        if (
            last is not None
            and last.isVisible()
            and (last.windowTitle(), last.text())
            == (
                title,
                message,
            )
        ):
            last.raise_()  # the same news again (a second click): one box, not a stack
            last.activateWindow()
            return
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, parent=self)
        if details:
            box.setDetailedText(details)
        box.setModal(False)
        box.show()
        self._last_error = box

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help › Keyboard shortcuts: every action of the window that has one, as it is now."""
        self.shortcuts_dialog = ShortcutsDialog(self.findChildren(QAction), self)
        self.shortcuts_dialog.show()
        return self.shortcuts_dialog

    def show_guide(self) -> GuideDialog:
        """Help › User guide (F1): resources/user_guide.md, with buttons that open the README
        and the rulebook."""
        self.guide_dialog = GuideDialog(
            self,
            documents=[("Open the README", self.open_readme),
                       ("Open the rulebook", self.open_rulebook)],
        )  # fmt: skip
        self.guide_dialog.show()
        return self.guide_dialog

    def open_readme(self) -> None:
        """Help › README: the README beside the workbench, in the desktop's own viewer."""
        if problem := open_document(README):
            self.show_error("Cannot open the README", problem)

    def open_rulebook(self) -> None:
        """Help › Settlement rulebook: SETTLEMENT_RULES.md, the rules the traces name."""
        if problem := open_document(RULEBOOK):
            self.show_error("Cannot open the rulebook", problem)

    def about(self) -> None:
        QMessageBox.about(
            self,
            "Settlement Workbench",
            f"Settlement Workbench {version()}<br>Checks GB Balancing Mechanism settlement "
            "step by step.<br><br>Contains BMRS data © Elexon Limited copyright and database "
            "right 2026, used under the BMRS open data licence.",
        )

    # -- recent files, settings, drag and drop ---------------------------------------------------

    def _remember(self, path: str) -> None:
        recent_files.remember(self.settings, path)
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in recent_files.recent(self.settings):
            self.recent_menu.addAction(
                self._action(path, lambda _=False, p=path: self.open_database(p))
            )
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))

    def _restore(self) -> None:
        geometry = self.settings.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("state")
        if state is not None:
            self.restoreState(state)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._docks_give_way()

    def _docks_give_way(self) -> None:
        """On a narrow window the side docks shrink, in proportion, so that the central
        views keep half the width (three fifths below 1280 px: at 1024 the charts had 370 px
        between the docks) instead of a sliver between them."""
        docks = [
            d for d in (self.runs_dock, self.inspector_dock) if d.isVisible() and not d.isFloating()
        ]
        share = self.width() * 3 // 5 if self.width() < NARROW_WINDOW else self.width() // 2
        total = sum(d.width() for d in docks)
        if not docks:
            return
        given = getattr(self, "_dock_widths", None)  # the widths before they gave way
        if self.width() - total >= share:
            # Wider again: the docks take back what they gave, as far as there is room.
            widths = [w for _, w in given or ()]
            if given and [d for d, _ in given] == docks and self.width() - sum(widths) >= share:
                self.resizeDocks(docks, widths, Qt.Orientation.Horizontal)
                self._dock_widths = None
            return
        if not given or [d for d, _ in given] != docks:
            self._dock_widths = [(d, d.width()) for d in docks]
        room = self.width() - share
        # A dock held at its minimum (the left one, by the scenario panel) leaves the rest of
        # the room to the other, not to nobody.
        least = [max(160, d.minimumSizeHint().width()) for d in docks]
        sizes = [max(m, d.width() * room // total) for d, m in zip(docks, least, strict=True)]
        spare = room - sum(sizes)
        if spare < 0:
            sizes = [max(m, s + spare) if s > m else s for s, m in zip(sizes, least, strict=True)]
        self.resizeDocks(docks, sizes, Qt.Orientation.Horizontal)

    def closeEvent(self, event) -> None:
        self.jobs.close()  # the queued edits written; nothing starts after this
        self.database_opening.abandon()  # a database opened that was never shown: closed
        self.settings.setValue("geometry", self.saveGeometry())
        # In focus mode, the docks and toolbar as they were before: hidden is not a layout.
        self.settings.setValue("state", self._focus_state or self.saveState())
        if self.db is not None:
            self.db.close()
        gc.unfreeze()
        super().closeEvent(event)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        """A dropped database opens; dropped data files are imported into it once it is open
        (else into the open one)."""
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        databases = [p for p in paths if _is_sqlite(p)]
        if databases:
            self.open_database(databases[0])
        data_files = [p for p in paths if p not in databases]
        if data_files:
            self.import_data_files(data_files)

    def refresh_runs(self, select: int | None = None) -> None:
        """The Runs panel refilled from the open database (after a scenario is made…), the
        runs listed in a worker (a newer refresh replaces one under way). When the list comes
        `select` is selected, else the run selected then; nothing if another database was
        opened meanwhile (its own list is shown)."""
        db = self.db
        if db is None:
            return

        def work(progress, cancelled):
            with db.engine.connect() as conn:
                return list_runs(conn, light=True)

        def listed(runs) -> None:
            current = self.runs.tree.currentItem()
            keep = select if select is not None else current and current.data(0, RUN_ROLE)
            self.runs.show_runs(runs)
            if keep is not None:
                self.runs.select_run(keep)

        # Quiet: the status line keeps what it says, and Esc (which cancels what it
        # announces) leaves it to finish: a scenario just made is listed.
        self.jobs.start(
            "runs",
            work,
            self._while_open(db, listed),
            self._while_open(db, self._job_failed),
            quiet=True,
        )

    def current_table(self):
        """The DataTable that has (or last had) the keyboard focus."""
        from views.data_table import DataTable

        widget = QApplication.focusWidget()
        while widget is not None and not isinstance(widget, DataTable):
            widget = widget.parentWidget()
        return widget or getattr(self, "_last_table", None)

    # -- imports ---------------------------------------------------------------------------------

    def import_data_files(
        self, paths: list[str], database: str | None = None, options=None
    ) -> None:
        """Import into the open database (or a new one at `database`, asked for if none) with
        `options` (views.import_options.ImportOptions), asked for first when not given. While
        a database opens, the import is for it: asked for once it is shown."""
        self.after_open(lambda: self.imports.import_files(paths, database, options))

    @property
    def import_options_dialog(self):
        return self.imports.options_dialog

    @property
    def import_dialog(self):
        """The last import's (or fetch's) report."""
        return self.imports.report_dialog

    def choose_fetch(self) -> None:
        """File › Fetch from Elexon…: the dates, datasets and run type, then a job."""
        from datetime import UTC, datetime, timedelta

        from views.fetch_dialog import FetchDialog, load_fetch_options

        yesterday = datetime.now(UTC).date() - timedelta(days=1)
        dialog = FetchDialog(load_fetch_options(self.settings, yesterday), self)
        dialog.accepted.connect(lambda: self.fetch_from_elexon(dialog.options()))
        self.fetch_dialog = dialog
        dialog.open()

    def fetch_from_elexon(self, options, cache_root=None, sleep=None) -> None:
        """Fetch and import `options` (views.fetch_dialog.FetchOptions) in a job; the open
        database, or a new one asked for."""
        from views.fetch_dialog import save_fetch_options
        from workbench.gui.fetch_controller import too_many_days

        problem = too_many_days(options.first, options.last)
        if problem:
            self.show_error("Cannot fetch", problem)
            return
        save_fetch_options(self.settings, options)
        if self.db is None and self.opening is None:
            database, _ = QFileDialog.getSaveFileName(
                self, "New database for the fetched data", "fetched.sqlite", DATABASE_FILTER
            )
            if not database:
                return
            from workbench.gui.import_controller import create_work

            def created(path: str) -> None:  # then opened, in a job too, and fetched into
                self.open_database(path, then=[lambda: self._fetch(options, cache_root, sleep)])

            def failed(message: str, details: str) -> None:
                self.show_error("Cannot create the database", message, details)

            self.jobs.start("fetch", create_work(database), created, failed, self._job_cancelled)
            return
        self.after_open(lambda: self._fetch(options, cache_root, sleep))

    def _fetch(self, options, cache_root, sleep) -> None:
        from workbench.gui.fetch_controller import fetch_work
        from workbench.gui.import_controller import listing_runs

        work, _days = fetch_work(self.db, options, cache_root, sleep)
        work = listing_runs(self.db, work)  # the Runs panel refilled from the job's list
        done = lambda outcome: self.imports.finished(outcome, strict=False)  # noqa: E731
        self.jobs.start("fetch", work, done, self._job_failed, self._job_cancelled)


def _title(location: str) -> str:
    """A file's name, or a server database's name and host."""
    if recent_files.is_server_url(location):
        from sqlalchemy.engine import make_url

        url = make_url(location)
        return f"{url.database} on {url.host or 'localhost'}"
    return Path(location).name


def _is_sqlite(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == SQLITE_HEADER
    except OSError:
        return False
