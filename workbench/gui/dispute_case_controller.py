"""Dispute cases: a new case on the run shown (with its scenario), a scenario added to one,
and the list in the Dispute cases dock."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from models.core.errors import WorkbenchInputError
from models.db.database import database_failure
from views.dispute_case_panel import DisputeCasePanel, NewDisputeCaseDialog
from views.selection import Selection
from workbench.gui.feedback import Feedback


class DisputeCaseController(QObject):
    """`show_panel()` brings the Dispute cases dock into view (a new case shows in it)."""

    def __init__(
        self,
        selection: Selection,
        feedback: Feedback,
        panel: DisputeCasePanel,
        show_panel: Callable[[], None],
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.selection, self.feedback, self.panel = selection, feedback, panel
        self.show_panel = show_panel
        self.dialog_parent = parent
        self.last_dialog: NewDisputeCaseDialog | None = None
        selection.events.run.connect(lambda view: self.refresh() if view is not None else None)

    def _scenario(self) -> int | None:
        view = self.selection.run
        return view.run.id if view is not None and view.run.kind == "scenario" else None

    def refresh(self) -> None:
        db = self.selection.database
        if db is None:
            return
        from models.disputes.dispute_cases import list_dispute_cases

        with db.engine.connect() as conn:
            self.panel.show_cases(list_dispute_cases(conn))

    def new_case(self) -> None:
        view = self.selection.run
        if view is None:
            return
        run = view.run.base_run_id if view.run.kind == "scenario" else view.run.id
        dialog = NewDisputeCaseDialog(
            list(view.result.inputs.parties),
            view.label,
            self.dialog_parent,
            settlement_date=view.run.settlement_date,
            run_type=view.run.run_type,
        )
        self.last_dialog = dialog
        if dialog.exec() != NewDisputeCaseDialog.DialogCode.Accepted:
            return
        self.create_dispute_case(run, **dialog.values())

    def create_dispute_case(self, run_id: int, **values) -> int | None:
        """A dispute case on run `run_id` (models.disputes.dispute_cases.create_dispute_case),
        with the scenario shown, if one is."""
        from models.disputes.dispute_cases import add_scenario, create_dispute_case

        scenario = self._scenario()
        try:
            with self.selection.database.engine.begin() as conn:
                case_id = create_dispute_case(conn, run_id=run_id, **values)
                if scenario is not None:
                    add_scenario(conn, case_id, scenario)
        except WorkbenchInputError as exc:
            self.feedback.error("No case created", str(exc))
            return None
        self.show_panel()
        self.refresh()
        return case_id

    def add_scenario_to_case(self) -> None:
        case, scenario = self.panel.selected_case(), self._scenario()
        if case is None or scenario is None:
            self.feedback.status("Choose a case and load a scenario first.")
            return
        from models.disputes.dispute_cases import add_scenario

        db = self.selection.database
        try:
            with db.engine.begin() as conn:
                add_scenario(conn, case.id, scenario)
        except (WorkbenchInputError, Exception) as exc:  # a repeated add is a unique key
            line = database_failure(exc, db.location)  # locked, read-only…
            self.feedback.error("Scenario not added", line or str(exc).splitlines()[0])
            return
        self.refresh()
