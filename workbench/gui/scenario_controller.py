"""Scenario edits with undo and redo: the Scenario dock, new scenarios, recorded edits.

Every scenario edit is a QUndoCommand on the scenario's QUndoStack (Ctrl+Z / Ctrl+Shift+Z);
the command writes the edit, undo or redo to the database (with the audit trail) at once,
moves the selection's scenario revision on (so that a comparison of the old inputs goes out
of date before the views reload) and has the run loaded again, in a worker.

Each change is made on the revision shown (optimistic locking, models.runs.scenarios.store):
if another analyst changed the scenario since, it is refused with who changed it and how, and
the scenario is read again (its undo stack rebuilt from the database), never overwritten.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QInputDialog

from models.core.errors import WorkbenchInputError
from models.disputes.comparison_key import edit_revision
from models.runs.scenarios import store
from views.edit_dialog import EditDialog
from views.scenario_panel import ScenarioPanel
from views.selection import ScenarioShown, Selection
from workbench.gui.feedback import Feedback


class ScenarioEditCommand(QUndoCommand):
    """One recorded edit; undo/redo flip it in the database (audited) and reload the views."""

    def __init__(self, controller: ScenarioController, scenario_id: int, record) -> None:
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
        expected = self.controller.shown_revision(self.scenario_id)
        self.controller.write(
            self.scenario_id,
            lambda conn: store.redo(
                conn, self.scenario_id, author=self.controller.author, expected_version=expected
            ),
        )

    def undo(self) -> None:
        if self.silent:
            return
        expected = self.controller.shown_revision(self.scenario_id)
        self.controller.write(
            self.scenario_id,
            lambda conn: store.undo(
                conn, self.scenario_id, author=self.controller.author, expected_version=expected
            ),
        )


class ScenarioController(QObject):
    """New scenarios and their edits, for the run the selection shows.

    `reload(run_id)` loads a run into the views (in a worker); `refresh_runs(select)` lists
    the database's runs again, selecting one; `choose_unit()` has the BM units view choose a
    unit if it has none yet; `parent`: the window, for dialogs."""

    def __init__(
        self,
        selection: Selection,
        feedback: Feedback,
        panel: ScenarioPanel,
        reload: Callable[[int], None],
        refresh_runs: Callable[[int | None], None],
        choose_unit: Callable[[], None],
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.selection, self.feedback, self.panel = selection, feedback, panel
        self.reload, self.refresh_runs, self.choose_unit = reload, refresh_runs, choose_unit
        self.dialog_parent = parent
        self.author = getpass.getuser()
        self.stacks: dict[int, QUndoStack] = {}
        self.frames = None  # the loaded scenario's input frames, for fast edits
        self.frames_run: int | None = None
        self.undo_group = QUndoGroup(self)
        self.last_dialog: EditDialog | None = None
        selection.events.run.connect(self.run_shown)
        selection.events.comparison.connect(self._compared)

    @property
    def db(self):
        return self.selection.database

    def scenario_id(self) -> int | None:
        view = self.selection.run
        return view.run.id if view is not None and view.run.kind == "scenario" else None

    def run_shown(self, view) -> None:
        """The panel, undo stack and frames of the run now shown (None: nothing shown)."""
        if view is None:
            self.selection.scenario = None
            self.panel.show_state(None, None)
            return
        if view.run.kind == "scenario":
            self.frames, self.frames_run = view.scenario_frames, view.run.id
            with self.db.engine.connect() as conn:
                self.selection.scenario = ScenarioShown(view.run.id, _revision(conn, view.run.id))
            stack = self._stack(view.run.id)
            self.undo_group.setActiveStack(stack)
            self.panel.show_state(view.label, stack, f"run {view.run.base_run_id}")
            self.show_audit()
        else:
            self.selection.scenario = None
            self.frames, self.frames_run = None, None
            self.undo_group.setActiveStack(None)
            # An open live run (models.live.live_run) is the only run shown while loading.
            self.panel.show_state(view.label, None, live=view.run.status == "loading")
            self.panel.show_audit([])

    def show_audit(self) -> None:
        scenario = self.scenario_id()
        if scenario is not None:
            with self.db.engine.connect() as conn:
                self.panel.show_audit(store.audit_trail(conn, scenario))

    def _compared(self, compared) -> None:
        if compared is not None and compared.out_of_date is None:
            self.show_audit()  # settling it was audited

    def _stack(self, scenario_id: int) -> QUndoStack:
        stack = self.stacks.get(scenario_id)
        if stack is None:
            stack = QUndoStack(self)
            self.undo_group.addStack(stack)
            self.stacks[scenario_id] = stack
            with self.db.engine.connect() as conn:
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

    # -- writing --------------------------------------------------------------------------

    def shown_revision(self, scenario: int) -> int | None:
        """The revision of `scenario` the views show (None: not shown, any revision)."""
        shown = self.selection.scenario
        return shown.revision if shown is not None and shown.run == scenario else None

    def write(self, scenario: int, action) -> object | None:
        """Run `action(conn)`, a change of `scenario`, in one transaction and reload the run
        shown; errors become a message, not a crash."""
        try:
            with self.db.engine.begin() as conn:
                outcome = action(conn)
                revision = _revision(conn, scenario)
        except store.ScenarioConflictError as exc:
            self.feedback.error("Someone else changed the scenario", str(exc))
            self._forget_stack(scenario)  # rebuilt from the database as it is now
            self.frames = None
            if self.selection.run is not None:
                self.reload(self.selection.run.run.id)
            return None
        except WorkbenchInputError as exc:
            self.feedback.error("The edit was not made", str(exc))
            return None
        self.frames = None  # stale until the views reload
        if scenario == self.scenario_id():
            # Changed: at once (a comparison of it goes out of date), not at the reload.
            self.selection.scenario = ScenarioShown(scenario, revision)
        self.reload(self.selection.run.run.id)
        return outcome

    def _forget_stack(self, scenario: int) -> None:
        stack = self.stacks.pop(scenario, None)
        if stack is not None:
            self.undo_group.removeStack(stack)
            stack.deleteLater()  # it may be running the command that failed

    def edit(self, kind: str, target: dict, value, reason: str) -> None:
        """One recorded edit of the shown scenario (models.runs.scenarios.store.edit)."""
        scenario = self.scenario_id()
        if scenario is None:
            return
        frames = self.frames if self.frames_run == scenario else None
        expected = self.shown_revision(scenario)
        record = self.write(
            scenario,
            lambda conn: store.edit(
                conn,
                scenario,
                kind,
                target,
                value,
                author=self.author,
                reason=reason,
                frames=frames,
                expected_version=expected,
            ),
        )
        if record is not None:
            self._stack(scenario).push(ScenarioEditCommand(self, scenario, record))

    def _ask(self, title: str, what: str, **kwargs) -> EditDialog | None:
        dialog = EditDialog(title, what, parent=self.dialog_parent, **kwargs)
        self.last_dialog = dialog
        return dialog if dialog.exec() == EditDialog.DialogCode.Accepted else None

    def _unit_and_period(self) -> tuple[str, int] | None:
        self.choose_unit()
        if self.selection.run is None or self.selection.bm_unit is None:
            self.feedback.status("Choose a BM unit in the BM units view first.")
            return None
        return self.selection.bm_unit, self.selection.period

    def edit_metered(self) -> None:
        chosen = self._unit_and_period()
        if chosen is None:
            return
        unit, period = chosen
        inputs = self.selection.run.result.inputs
        current = float(inputs.metered[inputs.bm.unit_index(unit), period - 1])
        dialog = self._ask(
            "Metered volume",
            f"QM of {unit} in period {period}, MWh (now {current:,.3f})",
            value=current,
        )
        if dialog is not None:
            self.edit(
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
        bm = self.selection.run.result.inputs.bm
        numbers = sorted(
            int(n) for n in bm.acceptances.number[bm.acceptances.unit == bm.unit_index(unit)]
        )
        if not numbers:
            self.feedback.status(f"{unit} has no acceptances.")
            return
        dialog = self._ask(
            "Remove an acceptance",
            f"Acceptance of {unit} to remove",
            choices=[str(n) for n in numbers],
        )
        if dialog is not None:
            self.edit(
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
        inputs = self.selection.run.result.inputs
        current = float(inputs.units.tlf[inputs.bm.unit_index(unit)])
        dialog = self._ask("TLF", f"Transmission loss factor of {unit}", value=current, decimals=7)
        if dialog is not None:
            self.edit("tlf", {"bm_unit": unit}, {"tlf": dialog.value}, dialog.reason.text())

    def edit_mip(self) -> None:
        view = self.selection.run
        if view is None:
            return
        period = self.selection.period
        current = float(view.result.prices.mip[period - 1])
        dialog = self._ask(
            "Market index price", f"MIP of period {period}, £/MWh", value=current, decimals=2
        )
        if dialog is not None:
            self.edit("mip", {"period": period}, {"price": dialog.value}, dialog.reason.text())

    # -- scenarios --------------------------------------------------------------------------

    def new_scenario(self) -> None:
        view = self.selection.run
        if view is None or view.run.kind != "run":
            return
        name, ok = QInputDialog.getText(
            self.dialog_parent, "New scenario", f"Name of the scenario on {view.label}:"
        )
        if not ok or not name.strip():
            return
        self.create_scenario(name.strip())

    def create_scenario(self, name: str) -> int | None:
        base = self.selection.run.run.id
        try:
            with self.db.engine.begin() as conn:
                scenario = store.create_scenario(conn, base, name, author=self.author)
        except WorkbenchInputError as exc:
            self.feedback.error("No scenario created", str(exc))
            return None
        self.refresh_runs(scenario)
        self.reload(scenario)
        return scenario


def _revision(conn, scenario: int) -> int | None:
    """The scenario's edit revision (None before any input-changing audit entry)."""
    return dict(edit_revision(conn, (scenario,))).get(scenario)
