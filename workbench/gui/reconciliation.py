"""The window's reconciliation room: the Reconciliation tab and Run › Reconcile with S0142…
(F7), with the controller behind them (workbench/gui/reconcile_controller.py), given the
selection, the job runner, the feedback, the view and the inspector, nothing of the window's
own. The entry is enabled while a run is shown; whether it has SAA figures is the job's to
say (a run without them is told so in the tab).
"""

from __future__ import annotations

from views.reconciliation_view import ReconciliationView
from workbench.gui.actions import make_action
from workbench.gui.reconcile_controller import ReconcileController

MENU = "&Run"
TAB = "Reconciliation"


class Reconciliation:
    """Made by the main window once its tabs, menus, inspector, selection, jobs and feedback
    exist."""

    def __init__(self, window) -> None:
        self.view = ReconciliationView()
        window.tabs.addTab(self.view, TAB)
        dock = window.inspector_dock

        def show_inspector() -> None:
            dock.show()
            dock.raise_()

        self.controller = ReconcileController(
            window.selection,
            window.jobs,
            window.feedback,
            self.view,
            window.inspector,
            show_tab=lambda: window.tabs.setCurrentWidget(self.view),
            show_inspector=show_inspector,
            parent=window,
        )
        self.action = make_action(
            window,
            "&Reconcile with S0142…",
            self.controller.reconcile,
            "F7",
            "Compare the run shown with the SAA's S0142 figures it was imported with: "
            "differences ranked by £ effect, known gaps apart",
        )
        menu = next(a.menu() for a in window.menuBar().actions() if a.text() == MENU)
        after = window.settle_action
        entries = menu.actions()
        following = entries[entries.index(after) + 1] if after in entries[:-1] else None
        menu.insertAction(following, self.action)
        window.selection.events.run.connect(self._enable_for)
        self._enable_for(window.selection.run)

    def _enable_for(self, shown) -> None:
        self.action.setEnabled(shown is not None)
