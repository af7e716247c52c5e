"""Dispute cases: a new case on the run shown (with its scenario), a scenario added to one,
and the list in the Dispute cases dock.

The list is read in a quiet worker on each run shown (a newer read replaces an older one, and
an answer from a database no longer open is dropped); a case created or a scenario added is
a queued write (workbench/gui/jobs.py: in order, never cancelled). On a team server each is
a network round trip the window does not wait for."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from models.core.errors import WorkbenchInputError
from views.dispute_case_panel import DisputeCasePanel, NewDisputeCaseDialog
from views.selection import Selection
from workbench.gui.feedback import Feedback
from workbench.gui.jobs import JobRunner

READ = "dispute cases"
WRITE = "dispute case write"


class DisputeCaseController(QObject):
    """`show_panel()` brings the Dispute cases dock into view (a new case shows in it)."""

    def __init__(
        self,
        selection: Selection,
        jobs: JobRunner,
        feedback: Feedback,
        panel: DisputeCasePanel,
        show_panel: Callable[[], None],
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.selection, self.jobs, self.feedback, self.panel = selection, jobs, feedback, panel
        self.show_panel = show_panel
        self.dialog_parent = parent
        self.last_dialog: NewDisputeCaseDialog | None = None
        self._asked = 0  # the refreshes asked for: only the last one's answer is shown
        selection.events.run.connect(lambda view: self.refresh() if view is not None else None)

    def _scenario(self) -> int | None:
        view = self.selection.run
        return view.run.id if view is not None and view.run.kind == "scenario" else None

    def refresh(self) -> None:
        """The open database's cases into the panel, read in a worker."""
        db = self.selection.database
        if db is None:
            return
        self._asked += 1
        asked = self._asked

        def current() -> bool:
            # A newer refresh asked, or another database open (this one maybe closed): the
            # answer is not what the panel should show.
            return asked == self._asked and self.selection.database is db

        def work(progress, cancelled):
            from models.disputes.dispute_cases import list_dispute_cases

            with db.engine.connect() as conn:
                return list_dispute_cases(conn)

        self.jobs.start(
            READ, work, self.panel.show_cases, self.feedback.job_failed, quiet=True, still=current
        )

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

    def create_dispute_case(self, run_id: int, **values) -> None:
        """A dispute case on run `run_id` (models.disputes.dispute_cases.create_dispute_case),
        with the scenario shown, if one is: written in a worker; the dock shows it then."""
        db, scenario = self.selection.database, self._scenario()

        def work(progress, cancelled):
            from models.disputes.dispute_cases import add_scenario, create_dispute_case

            try:
                with db.engine.begin() as conn:
                    case_id = create_dispute_case(conn, run_id=run_id, **values)
                    if scenario is not None:
                        add_scenario(conn, case_id, scenario)
            except WorkbenchInputError as exc:  # refused: its line, no traceback
                return None, str(exc)
            return case_id, None

        def created(outcome) -> None:
            case_id, refused = outcome
            if refused is not None:
                self.feedback.error("No case created", refused)
                return
            self.feedback.status(f"Dispute case {values.get('reference', case_id)} created.")
            self._written(db, show_panel=True)

        def failed(message: str, details: str) -> None:
            self.feedback.error("No case created", message, details)

        self.jobs.queue(WRITE, work, created, failed)

    def add_scenario_to_case(self) -> None:
        case, scenario = self.panel.selected_case(), self._scenario()
        if case is None or scenario is None:
            self.feedback.status("Choose a case and load a scenario first.")
            return
        db = self.selection.database

        def work(progress, cancelled):
            from models.disputes.dispute_cases import add_scenario

            with db.engine.begin() as conn:
                add_scenario(conn, case.id, scenario)

        def added(_result) -> None:
            self.feedback.status(f"Scenario {scenario} added to {case.reference}.")
            self._written(db, show_panel=False)

        def failed(message: str, _details: str) -> None:
            # A repeated add is a unique key: its first line, never the SQL after it. (The
            # worker gave a locked, read-only… database its one line already.)
            self.feedback.error("Scenario not added", (message.splitlines() or [""])[0])

        self.jobs.queue(WRITE, work, added, failed)

    def _written(self, db, show_panel: bool) -> None:
        """A write to `db` done: the dock shows it, if `db` is still the one open."""
        if self.selection.database is db:
            if show_panel:
                self.show_panel()
            self.refresh()
