"""Scenarios, comparisons, dispute cases and Excel exports in the main window.

Every scenario edit is a QUndoCommand on the scenario's QUndoStack (Ctrl+Z / Ctrl+Shift+Z);
the command writes the edit, undo or redo to the database (with the audit trail) at once
and the views reload in a worker. Comparisons and workbooks are built in workers too.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QUndoCommand, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QDockWidget, QFileDialog, QInputDialog

from models.core.errors import WorkbenchInputError
from models.db.database import database_failure
from models.disputes.comparison_key import ComparisonKey, comparison_key, out_of_date
from models.runs.scenarios import store
from views.case_panel import CasePanel, NewCaseDialog
from views.comparison_view import ComparisonView
from views.edit_dialog import EditDialog
from views.scenario_panel import ScenarioPanel

XLSX_FILTER = "Excel workbooks (*.xlsx)"


class ScenarioEditCommand(QUndoCommand):
    """One recorded edit; undo/redo flip it in the database (audited) and reload the views."""

    def __init__(self, controller: DisputeController, scenario_id: int, record) -> None:
        super().__init__(record.describe())
        self.controller = controller
        self.scenario_id = scenario_id
        self.seq = record.seq
        self.skip_next_redo = True  # the edit is already written when the command is pushed
        self.silent = False  # rebuilding a stack from the database: change nothing

    def redo(self) -> None:
        if self.skip_next_redo or self.silent:
            self.skip_next_redo = False
            return
        self.controller.write(
            lambda conn: store.redo(conn, self.scenario_id, author=self.controller.author)
        )

    def undo(self) -> None:
        if self.silent:
            return
        self.controller.write(
            lambda conn: store.undo(conn, self.scenario_id, author=self.controller.author)
        )


class DisputeController(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.author = getpass.getuser()
        self.stacks: dict[int, QUndoStack] = {}
        self.frames = None  # the loaded scenario's input frames, for fast edits
        self.frames_run: int | None = None
        # What the comparison on show was computed from; checked at every change (a load,
        # an edit, undo or redo, another database) so that a stale verdict never shows.
        self.compared: ComparisonKey | None = None
        self._compare_again = "Settle and compare (F6)"  # how to bring it up to date
        self.undo_group = QUndoGroup(self)
        self.panel = ScenarioPanel()
        self.cases = CasePanel()
        self.comparison = ComparisonView()
        window.tabs.addTab(self.comparison, "Comparison")
        self.comparison.period_clicked.connect(window.period.setValue)
        self.scenario_dock = self._dock(
            "Scenario", self.panel, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.cases_dock = self._dock(
            "Dispute cases", self.cases, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.cases_dock.hide()
        self._build_actions()
        self.panel.new_button.clicked.connect(self.new_scenario)
        self.panel.compare_button.clicked.connect(self.settle_and_compare)
        self.panel.export_button.clicked.connect(self.export_scenario_pack)
        self.cases.new_button.clicked.connect(self.new_case)
        self.cases.add_button.clicked.connect(self.add_scenario_to_case)
        self.cases.export_button.clicked.connect(self.export_case_pack)

    # -- construction ---------------------------------------------------------------------

    def _dock(self, title, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"dock-{title}")
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        return dock

    def _build_actions(self) -> None:
        w = self.window
        menu = w.menuBar().addMenu("&Scenario")
        w.menuBar().insertMenu(w.help_menu.menuAction(), menu)
        undo = self.undo_group.createUndoAction(self, "&Undo edit")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.undo_group.createRedoAction(self, "&Redo edit")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        self.new_action = w._action("&New scenario on this run…", self.new_scenario, "Ctrl+Shift+N")
        self.metered_action = w._action("Change &metered volume…", self.edit_metered, "Ctrl+M")
        self.acceptance_action = w._action("&Remove an acceptance…", self.remove_acceptance)
        self.tlf_action = w._action("Change &TLF…", self.edit_tlf)
        self.mip_action = w._action("Change market index &price…", self.edit_mip)
        self.compare_action = w._action(
            "&Settle and compare with base", self.settle_and_compare, "F6"
        )
        self.compare_runs_action = w._action("Compare with &another run…", self.compare_with_run)
        self.pack_action = w._action("&Evidence pack to Excel…", self.export_scenario_pack)
        for action in (
            self.new_action,
            None,
            undo,
            redo,
            None,
            self.metered_action,
            self.acceptance_action,
            self.tlf_action,
            self.mip_action,
            None,
            self.compare_action,
            self.compare_runs_action,
            self.pack_action,
        ):
            menu.addSeparator() if action is None else menu.addAction(action)
        self.edit_actions = (
            self.metered_action,
            self.acceptance_action,
            self.tlf_action,
            self.mip_action,
            self.compare_action,
            self.pack_action,
        )
        export_menu = w.file_menu.addMenu("&Export to Excel")
        export_menu.addAction(w._action("This &run…", self.export_run))
        export_menu.addAction(w._action("This &comparison…", self.export_comparison))
        export_menu.addAction(w._action("The current &table…", self.export_table))
        view_menu = w.view_menu
        view_menu.insertAction(
            view_menu.actions()[w.tabs.count() - 1],
            w._action("Comparison", lambda: w.tabs.setCurrentWidget(self.comparison), "Ctrl+4"),
        )
        view_menu.addAction(self.scenario_dock.toggleViewAction())
        view_menu.addAction(self.cases_dock.toggleViewAction())
        self.run_loaded(None)

    # -- state ----------------------------------------------------------------------------

    @property
    def view(self):
        return self.window.view

    def scenario_id(self) -> int | None:
        view = self.view
        return view.run.id if view is not None and view.run.kind == "scenario" else None

    def run_loaded(self, view, frames=None) -> None:
        self.check_comparison()
        scenario = view is not None and view.run.kind == "scenario"
        for action in self.edit_actions:
            action.setEnabled(scenario)
        self.new_action.setEnabled(view is not None and not scenario)
        if view is None:
            self.panel.show_state(None, None)
            return
        if scenario:
            self.frames, self.frames_run = frames, view.run.id
            stack = self._stack(view.run.id)
            self.undo_group.setActiveStack(stack)
            self.panel.show_state(view.label, stack, f"run {view.run.base_run_id}")
            with self.window.db.engine.connect() as conn:
                self.panel.show_audit(store.audit_trail(conn, view.run.id))
        else:
            self.frames, self.frames_run = None, None
            self.undo_group.setActiveStack(None)
            self.panel.show_state(view.label, None)
            self.panel.show_audit([])
        self.refresh_cases()

    def check_comparison(self) -> str | None:
        """Mark the comparison on show out of date if what it was computed from changed
        (database, run shown, either run's edits); the reason, or None while it holds."""
        if self.compared is None:
            return None
        shown = self.compared
        db = self.window.db
        now = None
        if db is not None and db.location == shown.database:
            with db.engine.connect() as conn:
                now = comparison_key(conn, db.location, shown.first_run, shown.second_run)
        view = self.view
        reason = out_of_date(shown, now, view.run.id if view is not None else None)
        if reason is not None:
            self.comparison.mark_out_of_date(reason, self._compare_again)
        return reason

    def _stack(self, scenario_id: int) -> QUndoStack:
        stack = self.stacks.get(scenario_id)
        if stack is None:
            stack = QUndoStack(self)
            self.undo_group.addStack(stack)
            self.stacks[scenario_id] = stack
            with self.window.db.engine.connect() as conn:
                records = store.overrides(conn, scenario_id, active_only=False)
            undone = []
            for record in records:  # the database's history, as it stands
                command = ScenarioEditCommand(self, scenario_id, record)
                stack.push(command)
                if not record.active:
                    undone.append(command)
            for command in reversed(undone):
                command.silent = True
                stack.undo()
                command.silent = False
        return stack

    def refresh_cases(self) -> None:
        if self.window.db is None:
            return
        from models.disputes.cases import list_cases

        with self.window.db.engine.connect() as conn:
            self.cases.show_cases(list_cases(conn))

    # -- writing --------------------------------------------------------------------------

    def write(self, action) -> object | None:
        """Run a database change in one transaction; errors become a message, not a crash."""
        try:
            with self.window.db.engine.begin() as conn:
                outcome = action(conn)
        except WorkbenchInputError as exc:
            self.window.show_error("The edit was not made", str(exc))
            return None
        self.frames = None  # stale until the views reload
        self.check_comparison()  # the edit changed the scenario: at once, not at the reload
        self.window.load_run(self.view.run.id)
        return outcome

    def _edit(self, kind: str, target: dict, value, reason: str) -> None:
        scenario = self.scenario_id()
        if scenario is None:
            return
        frames = self.frames if self.frames_run == scenario else None
        record = self.write(
            lambda conn: store.edit(
                conn,
                scenario,
                kind,
                target,
                value,
                author=self.author,
                reason=reason,
                frames=frames,
            )
        )
        if record is not None:
            self._stack(scenario).push(ScenarioEditCommand(self, scenario, record))

    def _ask(self, title: str, what: str, **kwargs) -> EditDialog | None:
        dialog = EditDialog(title, what, parent=self.window, **kwargs)
        self.last_dialog = dialog
        return dialog if dialog.exec() == EditDialog.DialogCode.Accepted else None

    def _unit_and_period(self) -> tuple[str, int] | None:
        view, explorer = self.view, self.window.explorer
        self.window.ensure_shown(explorer)
        if view is None or explorer.unit is None:
            self.window.status.setText("Choose a BM unit in the BM units view first.")
            return None
        return view.units.bm_unit_id[explorer.unit], self.window.period.value()

    def edit_metered(self) -> None:
        chosen = self._unit_and_period()
        if chosen is None:
            return
        unit, period = chosen
        inputs = self.view.result.inputs
        current = float(inputs.metered[inputs.bm.unit_index(unit), period - 1])
        dialog = self._ask(
            "Metered volume",
            f"QM of {unit} in period {period}, MWh (now {current:,.3f})",
            value=current,
        )
        if dialog is not None:
            self._edit(
                "metered_volume",
                {"bm_unit": unit, "period": period},
                {"mwh": dialog.value},
                dialog.reason.text(),
            )

    def remove_acceptance(self) -> None:
        chosen = self._unit_and_period()
        if chosen is None:
            return
        unit, _ = chosen
        bm = self.view.result.inputs.bm
        numbers = sorted(
            int(n) for n in bm.acceptances.number[bm.acceptances.unit == bm.unit_index(unit)]
        )
        if not numbers:
            self.window.status.setText(f"{unit} has no acceptances.")
            return
        dialog = self._ask(
            "Remove an acceptance",
            f"Acceptance of {unit} to remove",
            choices=[str(n) for n in numbers],
        )
        if dialog is not None:
            self._edit(
                "remove_acceptance",
                {"bm_unit": unit, "number": int(dialog.value)},
                None,
                dialog.reason.text(),
            )

    def edit_tlf(self) -> None:
        chosen = self._unit_and_period()
        if chosen is None:
            return
        unit, _ = chosen
        inputs = self.view.result.inputs
        current = float(inputs.units.tlf[inputs.bm.unit_index(unit)])
        dialog = self._ask("TLF", f"Transmission loss factor of {unit}", value=current, decimals=7)
        if dialog is not None:
            self._edit("tlf", {"bm_unit": unit}, {"tlf": dialog.value}, dialog.reason.text())

    def edit_mip(self) -> None:
        if self.view is None:
            return
        period = self.window.period.value()
        current = float(self.view.result.prices.mip[period - 1])
        dialog = self._ask(
            "Market index price", f"MIP of period {period}, £/MWh", value=current, decimals=2
        )
        if dialog is not None:
            self._edit("mip", {"period": period}, {"price": dialog.value}, dialog.reason.text())

    # -- scenarios --------------------------------------------------------------------------

    def new_scenario(self) -> None:
        view = self.view
        if view is None or view.run.kind != "run":
            return
        name, ok = QInputDialog.getText(
            self.window, "New scenario", f"Name of the scenario on {view.label}:"
        )
        if not ok or not name.strip():
            return
        self.create_scenario(name.strip())

    def create_scenario(self, name: str) -> int | None:
        base = self.view.run.id
        try:
            with self.window.db.engine.begin() as conn:
                scenario = store.create_scenario(conn, base, name, author=self.author)
        except WorkbenchInputError as exc:
            self.window.show_error("No scenario created", str(exc))
            return None
        self.window.refresh_runs(select=scenario)
        self.window.load_run(scenario)
        return scenario

    def settle_and_compare(self) -> None:
        scenario = self.scenario_id()
        if scenario is None:
            return
        self.compare(self.view.run.base_run_id, scenario, settle=True)

    def compare_with_run(self) -> None:
        view = self.view
        if view is None:
            return
        from models.runs.run_store import list_runs

        with self.window.db.engine.connect() as conn:
            others = [
                r
                for r in list_runs(conn, view.run.settlement_date, light=True)
                if r.id != view.run.id
            ]
        if not others:
            self.window.status.setText("No other run of this date to compare with.")
            return
        labels = [f"run {r.id}: {r.label}" for r in others]
        choice, ok = QInputDialog.getItem(
            self.window, "Compare with", "Run of the same date:", labels, 0, False
        )
        if ok:
            self.compare(others[labels.index(choice)].id, view.run.id)

    def compare(self, first: int, second: int, settle: bool = False) -> None:
        db, author = self.window.db, self.author

        def work(progress, cancelled):
            from models.exports.packs import compare_runs
            from models.runs.results_store import settle_run

            if settle:
                progress(0.1, "settling the scenario")
                result = settle_run(db, second)
                with db.engine.begin() as conn:
                    store.record_settle(
                        conn,
                        second,
                        author=author,
                        summary=(
                            f"settled {result.inputs.bm.settlement_date}: "
                            f"{sum(not c.ok for c in result.checks)} failed check(s)"
                        ),
                    )
            progress(0.5, "comparing")
            with db.engine.connect() as conn:  # before reading: a later edit is then seen
                key = comparison_key(conn, db.location, first, second)
            comparison, first_result, _ = compare_runs(db, first, second)
            return comparison, first_result.inputs.bm.settlement_date, key, settle

        self.window.jobs.start(
            "compare", work, self._compared, self.window._job_failed, self.window._job_cancelled
        )

    def _compared(self, outcome) -> None:
        comparison, settlement_date, key, settled = outcome
        self.compared = key
        self._compare_again = (
            "Settle and compare (F6)"
            if settled
            else "compare again (Scenario › Compare with another run…)"
        )
        self.comparison.show_comparison(comparison, settlement_date)
        if self.check_comparison() is not None:  # changed while it was computed
            return
        self.window.tabs.setCurrentWidget(self.comparison)
        self.window.status.setText(comparison.verdict())
        if self.scenario_id() is not None:
            with self.window.db.engine.connect() as conn:
                self.panel.show_audit(store.audit_trail(conn, self.scenario_id()))

    # -- cases ------------------------------------------------------------------------------

    def new_case(self) -> None:
        view = self.view
        if view is None:
            return
        run = view.run.base_run_id if view.run.kind == "scenario" else view.run.id
        dialog = NewCaseDialog(
            list(view.result.inputs.parties),
            view.label,
            self.window,
            settlement_date=view.run.settlement_date,
            run_type=view.run.run_type,
        )
        self.last_dialog = dialog
        if dialog.exec() != NewCaseDialog.DialogCode.Accepted:
            return
        self.create_case(run, **dialog.values())

    def create_case(self, run_id: int, **values) -> int | None:
        from models.disputes.cases import add_scenario, create_case

        try:
            with self.window.db.engine.begin() as conn:
                case_id = create_case(conn, run_id=run_id, **values)
                if self.scenario_id() is not None:
                    add_scenario(conn, case_id, self.scenario_id())
        except WorkbenchInputError as exc:
            self.window.show_error("No case created", str(exc))
            return None
        if not self.cases_dock.isVisible():
            self.cases_dock.show()
            self.window.resizeDocks([self.cases_dock], [180], Qt.Orientation.Vertical)
        self.refresh_cases()
        return case_id

    def add_scenario_to_case(self) -> None:
        case, scenario = self.cases.selected_case(), self.scenario_id()
        if case is None or scenario is None:
            self.window.status.setText("Choose a case and load a scenario first.")
            return
        from models.disputes.cases import add_scenario

        try:
            with self.window.db.engine.begin() as conn:
                add_scenario(conn, case.id, scenario)
        except (WorkbenchInputError, Exception) as exc:  # a repeated add is a unique key
            line = database_failure(exc, self.window.db.location)  # locked, read-only…
            self.window.show_error("Scenario not added", line or str(exc).splitlines()[0])
            return
        self.refresh_cases()

    # -- exports ----------------------------------------------------------------------------

    def _save_path(self, suggestion: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Export to Excel", suggestion, XLSX_FILTER
        )
        return path or None

    def export(self, name: str, build, path: str | None) -> None:
        if path is None:
            return
        db = self.window.db

        def work(progress, cancelled):
            progress(0.2, f"writing {Path(path).name}")
            return build(db, path)

        self.window.jobs.start(
            "export",
            work,
            lambda p: self.window.status.setText(f"Wrote {p}"),
            self.window._job_failed,
            self.window._job_cancelled,
        )

    def export_scenario_pack(self, path: str | None = None) -> None:
        scenario = self.scenario_id()
        if scenario is None:
            return
        from models.exports.packs import write_comparison_pack

        base = self.view.run.base_run_id
        path = path or self._save_path(f"evidence-run{base}-scenario{scenario}.xlsx")
        self.export("pack", lambda db, p: write_comparison_pack(db, base, scenario, p), path)

    def export_case_pack(self, path: str | None = None) -> None:
        case = self.cases.selected_case()
        if case is None:
            self.window.status.setText("No dispute case to export.")
            return
        from models.exports.packs import write_case_pack

        path = path or self._save_path(f"evidence-{case.reference}.xlsx")
        self.export("pack", lambda db, p: write_case_pack(db, case.id, p), path)

    def export_run(self, path: str | None = None) -> None:
        if self.view is None:
            return
        from models.exports.packs import write_run_workbook

        run = self.view.run.id
        path = path or self._save_path(f"run-{run}.xlsx")
        self.export("run", lambda db, p: write_run_workbook(db, run, p), path)

    def export_comparison(self, path: str | None = None) -> None:
        """The pack of the comparison on show (a scenario and its base, or any two runs)."""
        if self.compared is None:
            self.window.status.setText("Compare two runs first (F6, or Compare with another run).")
            return
        reason = self.check_comparison()
        if reason is not None:
            self.window.status.setText(
                f"Not exported: the comparison on show is out of date ({reason}); "
                "Settle and compare (F6) first."
            )
            return
        from models.exports.packs import write_comparison_pack

        shown = self.compared
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

        self.export("pack", build, path)

    def export_table(self, path: str | None = None) -> None:
        table = self.window.current_table()
        if table is None:
            self.window.status.setText("Click in a table first.")
            return
        path = path or self._save_path("table.xlsx")
        if path:
            table.export_xlsx(path)
            self.window.status.setText(f"Wrote {path}")
