"""The window's dispute rooms: the Comparison tab, the Scenario and Dispute cases docks, the
Scenario menu and File › Export to Excel, with the controllers behind them (scenario edits,
comparisons, dispute cases, exports), each given what it needs and nothing of the window's
own. Menu entries follow the run shown: only a scenario is edited, only a run gets a new one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from views.comparison_view import ComparisonView
from views.dispute_case_panel import DisputeCasePanel
from views.scenario_panel import ScenarioPanel
from workbench.gui.actions import make_action
from workbench.gui.comparison_controller import ComparisonController
from workbench.gui.dispute_case_controller import DisputeCaseController
from workbench.gui.export_controller import ExportController
from workbench.gui.scenario_controller import ScenarioController

CASES_DOCK_HEIGHT = 180


class Disputes:
    """Made by the main window once its tabs, menus, selection, jobs and feedback exist."""

    def __init__(self, window) -> None:
        self.window = window
        selection, feedback = window.selection, window.feedback
        self.comparison = ComparisonView()
        self.panel = ScenarioPanel()
        self.case_panel = DisputeCasePanel()
        window.tabs.addTab(self.comparison, "Comparison")
        self.scenario_dock = self._dock(
            "Scenario", self.panel, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.cases_dock = self._dock(
            "Dispute cases", self.case_panel, Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.cases_dock.hide()
        self.scenarios = ScenarioController(
            selection,
            window.jobs,
            feedback,
            self.panel,
            reload=window.load_run,
            refresh_runs=lambda run: window.refresh_runs(select=run),
            choose_unit=lambda: window.ensure_shown(window.explorer),
            parent=window,
        )
        self.comparisons = ComparisonController(
            selection,
            window.jobs,
            feedback,
            self.comparison,
            show_tab=lambda: window.tabs.setCurrentWidget(self.comparison),
            author=self.scenarios.author,
            parent=window,
        )
        self.cases = DisputeCaseController(
            selection, window.jobs, feedback, self.case_panel, self._show_cases, parent=window
        )
        self.exports = ExportController(
            selection,
            window.jobs,
            feedback,
            selected_case=self.case_panel.selected_case,
            current_table=window.current_table,
            verify_comparison=self.comparisons.verify,
            parent=window,
        )
        self._build_actions()
        self.panel.new_button.clicked.connect(self.scenarios.new_scenario)
        self.panel.compare_button.clicked.connect(self.comparisons.settle_and_compare)
        self.panel.export_button.clicked.connect(lambda: self.exports.export_scenario_pack())
        self.case_panel.new_button.clicked.connect(self.cases.new_case)
        self.case_panel.add_button.clicked.connect(self.cases.add_scenario_to_case)
        self.case_panel.export_button.clicked.connect(lambda: self.exports.export_case_pack())
        selection.events.run.connect(self._enable_for)
        self._enable_for(None)

    def _dock(self, title, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(f"dock-{title}")
        dock.setWidget(widget)
        self.window.addDockWidget(area, dock)
        return dock

    def _show_cases(self) -> None:
        if not self.cases_dock.isVisible():
            self.cases_dock.show()
            self.window.resizeDocks([self.cases_dock], [CASES_DOCK_HEIGHT], Qt.Orientation.Vertical)

    def _action(self, text: str, slot, shortcut=None):
        return make_action(self.window, text, slot, shortcut)

    def _build_actions(self) -> None:
        w, s, c, e = self.window, self.scenarios, self.comparisons, self.exports
        menu = w.menuBar().addMenu("&Scenario")
        w.menuBar().insertMenu(w.help_menu.menuAction(), menu)
        undo, redo = s.undo_action, s.redo_action  # held while a change is written
        self.new_action = self._action("&New scenario on this run…", s.new_scenario, "Ctrl+Shift+N")
        self.metered_action = self._action("Change &metered volume…", s.edit_metered, "Ctrl+M")
        self.acceptance_action = self._action("&Remove an acceptance…", s.remove_acceptance)
        self.tlf_action = self._action("Change &TLF…", s.edit_tlf)
        self.mip_action = self._action("Change market index &price…", s.edit_mip)
        self.compare_action = self._action(
            "&Settle and compare with base", c.settle_and_compare, "F6"
        )
        self.compare_runs_action = self._action("Compare with &another run…", c.compare_with_run)
        self.pack_action = self._action(
            "&Evidence pack to Excel…", lambda: e.export_scenario_pack()
        )
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
        export_menu.addAction(self._action("This &run…", lambda: e.export_run()))
        export_menu.addAction(self._action("This &comparison…", lambda: e.export_comparison()))
        export_menu.addAction(self._action("The current &table…", lambda: e.export_table()))
        view_menu = w.view_menu  # its Comparison entry (Ctrl+4): the window's, with every tab's
        view_menu.addAction(self.scenario_dock.toggleViewAction())
        view_menu.addAction(self.cases_dock.toggleViewAction())

    def _enable_for(self, view) -> None:
        """Only a scenario is edited, settled and compared with its base; only a settlement
        run gets a new scenario."""
        scenario = view is not None and view.run.kind == "scenario"
        for action in self.edit_actions:
            action.setEnabled(scenario)
        self.new_action.setEnabled(view is not None and not scenario)
