"""Scenario edits with undo and redo: the Scenario dock, new scenarios, recorded edits.

Every scenario edit is a QUndoCommand on the scenario's QUndoStack (Ctrl+Z / Ctrl+Shift+Z);
the command has the edit, undo or redo written to the database (with the audit trail) in a
worker, queued after the changes before it (workbench.gui.jobs JobRunner.queue): the GUI
thread reads and writes nothing, as on a team server each would be a round trip that holds
the window. Once written, the selection's scenario revision moves on (a comparison of the old
inputs goes out of date before the views reload) and the run is loaded again, in a worker,
which reads the scenario's revision, edits and audit trail with its inputs (RunView).

Each change is made on the revision shown (optimistic locking, models.runs.scenarios.store):
if another analyst changed the scenario since, it is refused with who changed it and how, and
the scenario is read again (its undo stack rebuilt from the database), never overwritten.
A change made while an earlier one is still being written expects the revision that one
leaves, so it is never refused for our own write; undo and redo wait ("Saving the change…")
until the writes queued have ended, as the stack cannot hold an edit not yet written.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoGroup, QUndoStack
from PySide6.QtWidgets import QInputDialog

from models.core.errors import WorkbenchInputError
from models.disputes.comparison_key import edit_revision
from models.runs.scenarios import store
from views.edit_dialog import EditDialog
from views.scenario_panel import ScenarioPanel
from views.selection import ScenarioShown, Selection
from workbench.gui.feedback import Feedback
from workbench.gui.jobs import JobRunner

WRITE_JOB = "scenario"  # queued: new scenarios, edits, undos and redos, in the order made
AUDIT_JOB = "scenario-audit"


class ScenarioEditCommand(QUndoCommand):
    """One recorded edit; undo/redo have it flipped in the database (audited, in a worker)
    and the views reloaded."""

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
        author = self.controller.author
        self.controller.write(
            self.scenario_id,
            lambda conn, expected: store.redo(
                conn, self.scenario_id, author=author, expected_version=expected
            ),
            moved=True,
        )

    def undo(self) -> None:
        if self.silent:
            return
        author = self.controller.author
        self.controller.write(
            self.scenario_id,
            lambda conn, expected: store.undo(
                conn, self.scenario_id, author=author, expected_version=expected
            ),
            moved=True,
        )


class _Chain:
    """The changes of one scenario queued and not yet ended. Each expects the revision the
    one before it left: that one's worker sets `revision`, the next one's reads it (the queue
    runs them one after another, also while the window closes and no signal is delivered).
    After a conflict or a failure the rest are not sent (`broken`): they were made on a
    state of the scenario that the database does not have."""

    def __init__(self, db, revision: int | None) -> None:
        self.db = db
        self.revision = revision
        self.pending = 0  # queued and not yet ended (counted on the GUI thread)
        self.broken = False
        self.changed = False  # one was written: the run shown is loaded again at the end
        self.skipped = 0


@dataclass(frozen=True)
class _Outcome:
    """What a queued change came to: written (the store's answer, the revision after it),
    refused (a bad edit: nothing written), a conflict, or not sent after one."""

    written: object = None
    revision: int | None = None
    refused: str | None = None
    conflict: str | None = None
    skipped: bool = False


class ScenarioController(QObject):
    """New scenarios and their edits, for the run the selection shows.

    `jobs`: the window's runner, for the writes (queued) and the audit trail's reading;
    `reload(run_id)` loads a run into the views (in a worker); `refresh_runs(select)` lists
    the database's runs again, selecting one; `choose_unit()` has the BM units view choose a
    unit if it has none yet; `parent`: the window, for dialogs."""

    def __init__(
        self,
        selection: Selection,
        jobs: JobRunner,
        feedback: Feedback,
        panel: ScenarioPanel,
        reload: Callable[[int], None],
        refresh_runs: Callable[[int | None], None],
        choose_unit: Callable[[], None],
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.selection, self.jobs, self.feedback, self.panel = selection, jobs, feedback, panel
        self.reload, self.refresh_runs, self.choose_unit = reload, refresh_runs, choose_unit
        self.dialog_parent = parent
        self.author = getpass.getuser()
        self.stacks: dict[int, QUndoStack] = {}
        self.frames = None  # the loaded scenario's input frames, for fast edits
        self.frames_run: int | None = None
        self.undo_group = QUndoGroup(self)
        # Ctrl+Z / Ctrl+Shift+Z pressed while a change is written: held, in the order
        # pressed, and done one after another as each change before them is written.
        self._held: list[tuple[int, str]] = []  # (scenario, "undo" or "redo")
        self.undo_action = self._key_action("&Undo edit", QKeySequence.StandardKey.Undo, "undo")
        self.redo_action = self._key_action("&Redo edit", QKeySequence.StandardKey.Redo, "redo")
        for changed in (self.undo_group.canUndoChanged, self.undo_group.canRedoChanged):
            changed.connect(self._update_key_actions)
        for changed in (self.undo_group.undoTextChanged, self.undo_group.redoTextChanged):
            changed.connect(self._update_key_actions)
        self.last_dialog: EditDialog | None = None
        self._chains: dict[int, _Chain] = {}  # scenario -> its changes being written
        # scenario -> the revision our last change of it left: a run loaded before that
        # change was written (its reload follows) must not take the revision shown back.
        self._written: dict[int, int] = {}
        selection.events.database.connect(self._database_changed)
        selection.events.run.connect(self.run_shown)
        selection.events.comparison.connect(self._compared)

    @property
    def db(self):
        return self.selection.database

    # -- undo and redo keys ---------------------------------------------------------------

    def _key_action(self, text: str, key, which: str) -> QAction:
        action = QAction(text, self)
        action.setShortcut(key)
        action.setEnabled(False)
        action.triggered.connect(lambda: self.press(which))
        return action

    def press(self, which: str) -> None:
        """Undo or redo ("undo" / "redo") the shown scenario's last change; pressed while a
        change of it is written, held until it is (the stack has no command yet for it)."""
        scenario = self.scenario_id()
        if scenario is None:
            return
        if self.saving(scenario):
            self._held.append((scenario, which))
            held = sum(1 for s, _ in self._held if s == scenario)
            self.feedback.status(
                f"{which.capitalize()} held ({held} in all): done once the change being "
                "saved is written."
            )
            return
        (self.undo_group.undo if which == "undo" else self.undo_group.redo)()

    def _update_key_actions(self, *_args) -> None:
        saving = self.scenario_id() is not None and self.saving()
        group = self.undo_group
        for action, can, text, verb in (
            (self.undo_action, group.canUndo(), group.undoText(), "&Undo"),
            (self.redo_action, group.canRedo(), group.redoText(), "&Redo"),
        ):
            action.setEnabled(saving or can)
            action.setText(f"{verb} {text}" if text and not saving else f"{verb} edit")

    def _press_held(self, scenario: int, chain: _Chain) -> bool:
        """The first key held for `scenario`, now its changes are written (all of them
        dropped, and said, if the scenario is read again); True if it queued a change."""
        held = [h for h in self._held if h[0] == scenario]
        if not held:
            return False
        if chain.broken or scenario != self.scenario_id():
            self._held = [h for h in self._held if h[0] != scenario]
            self.feedback.status(
                f"{len(held)} undo/redo key press(es) not done: scenario {scenario} is read "
                "again; press them again on what it shows."
            )
            return False
        self._held.remove(held[0])
        self.press(held[0][1])
        return self.saving(scenario)

    def scenario_id(self) -> int | None:
        view = self.selection.run
        return view.run.id if view is not None and view.run.kind == "scenario" else None

    def saving(self, scenario: int | None = None) -> bool:
        """A change of `scenario` (default: the one shown) is queued or being written."""
        scenario = self.scenario_id() if scenario is None else scenario
        return scenario in self._chains

    def _database_changed(self, _db) -> None:
        # Another database's scenarios have the same run ids: nothing of these applies.
        for scenario in list(self.stacks):
            self._forget_stack(scenario)
        self._written.clear()
        self._held.clear()
        # Their writes end on the database they were made on; of their outcomes only a
        # change not made is still said (_written_one).
        self._chains.clear()
        self.frames, self.frames_run = None, None

    def run_shown(self, view) -> None:
        """The panel, undo stack and frames of the run now shown (None: nothing shown), from
        what its worker read (RunView.scenario_history): nothing is read here."""
        if view is None:
            self.selection.scenario = None
            self._activate(None)
            self.panel.show_state(None, None)
            return
        if view.run.kind == "scenario":
            scenario, history = view.run.id, view.scenario_history
            revision, frames = history.revision, view.scenario_frames
            written = self._written.get(scenario)
            if written is not None and (revision or 0) < written:
                # Loaded before our own last change was written: its reload follows.
                revision, frames = written, None
            self.frames, self.frames_run = frames, scenario
            shown = self.selection.scenario
            if not (self.saving(scenario) and shown is not None and shown.run == scenario):
                # (While changes are written, their outcomes move the revision shown.)
                self.selection.scenario = ScenarioShown(scenario, revision)
            stack = self._stack(scenario, history.overrides)
            self._activate(scenario)
            self.panel.show_state(view.label, stack, f"run {view.run.base_run_id}")
            self.panel.show_audit(history.audit)
        else:
            self.selection.scenario = None
            self.frames, self.frames_run = None, None
            self._activate(None)
            # An open live run (models.live.live_run) is the only run shown while loading.
            self.panel.show_state(view.label, None, live=view.run.status == "loading")
            self.panel.show_audit([])

    def _activate(self, scenario: int | None) -> None:
        """The undo stack of `scenario` for Ctrl+Z / Ctrl+Shift+Z, unless a change of it is
        being written: undo and redo then wait (the stack has no command yet for an edit not
        written, so an undo would undo another edit than the database would)."""
        saving = scenario is not None and self.saving(scenario)
        stack = None if scenario is None or saving else self.stacks.get(scenario)
        self.undo_group.setActiveStack(stack)
        self.panel.show_saving(saving)
        self._update_key_actions()

    def show_audit(self) -> None:
        """Read the shown scenario's audit trail again, in a worker."""
        scenario, db = self.scenario_id(), self.db
        if scenario is None:
            return

        def work(_progress, _cancelled):
            with db.engine.connect() as conn:
                return store.audit_trail(conn, scenario)

        def read(records) -> None:
            if self.db is db and self.scenario_id() == scenario:
                self.panel.show_audit(records)

        # Quiet: a read behind the dock, which leaves the status line as it is.
        self.jobs.start(AUDIT_JOB, work, read, self.feedback.job_failed, quiet=True)

    def _compared(self, compared) -> None:
        if compared is not None and compared.out_of_date is None:
            self.show_audit()  # settling it was audited

    def _stack(self, scenario_id: int, records) -> QUndoStack:
        """The scenario's undo stack; made from `records` (its edits in the database, undone
        ones too) the first time it is shown."""
        stack = self.stacks.get(scenario_id)
        if stack is None:
            stack = QUndoStack(self)
            self.undo_group.addStack(stack)
            self.stacks[scenario_id] = stack
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

    def write(
        self,
        scenario: int,
        action: Callable,
        done: Callable[[object], None] | None = None,
        *,
        moved: bool = False,
        refused: str = "The edit was not made",
    ) -> None:
        """Queue `action(conn, expected)`, a change of `scenario` made on its revision
        `expected`, to run in one transaction in a worker after the changes queued before
        it; then, on the GUI thread, `done(its answer)` and the run shown reloaded. Errors
        become a message (`refused`: its title for a bad edit), not a crash. `moved`: the
        undo stack has moved already (an undo or redo): the revision shown is unknown until
        it is written, and a comparison of the scenario goes out of date at once."""
        chain = self._chains.get(scenario)
        if chain is None:
            chain = self._chains[scenario] = _Chain(self.db, self.shown_revision(scenario))
        chain.pending += 1
        db = chain.db
        self.frames = None  # not of the revision this change leaves

        def work(progress, _cancelled):
            if chain.broken:
                return _Outcome(skipped=True)
            progress(0.0, "saving the scenario")
            try:
                with db.engine.begin() as conn:
                    answer = action(conn, chain.revision)
                    revision = _revision(conn, scenario)
            except store.ScenarioConflictError as exc:
                chain.broken = True
                return _Outcome(conflict=str(exc))
            except WorkbenchInputError as exc:
                # An undo or redo refused leaves the stack moved where the database is not.
                chain.broken = chain.broken or moved
                return _Outcome(refused=str(exc))
            except Exception:
                chain.broken = True  # nothing written: the later changes were made on it
                raise
            chain.revision = revision
            return _Outcome(answer, revision)

        self.jobs.queue(
            WRITE_JOB,
            work,
            lambda outcome: self._written_one(scenario, chain, outcome, done, refused),
            lambda message, details: self._write_failed(scenario, chain, message, details),
        )
        if moved and scenario == self.scenario_id():
            self.selection.scenario = ScenarioShown(scenario, None)
        self._activate(self.scenario_id())

    def _written_one(self, scenario, chain: _Chain, outcome: _Outcome, done, refused) -> None:
        # A change not made is said even when another database was opened meanwhile: the
        # analyst's edit must never be lost unheard (the line then names its database).
        made = outcome.conflict is None and outcome.refused is None and not outcome.skipped
        if outcome.conflict is not None:
            self.feedback.error(
                "Someone else changed the scenario", self._on(chain, outcome.conflict)
            )
        elif outcome.refused is not None:
            self.feedback.error(refused, self._on(chain, outcome.refused))
        elif outcome.skipped:
            chain.skipped += 1
        if chain.db is not self.db:  # nothing else of it applies to what is shown now
            self._ended_elsewhere(scenario, chain)
            return
        try:
            if made:
                chain.changed = True
                self._written[scenario] = outcome.revision
                self.frames = None  # stale until the views reload
                if scenario == self.scenario_id():
                    # Changed: at once (a comparison of it goes out of date), not at the reload.
                    self.selection.scenario = ScenarioShown(scenario, outcome.revision)
                if done is not None:
                    done(outcome.written)
        finally:  # a view failing on the news (a defect, for the hook) never leaves edits off
            self._ended(scenario, chain)

    def _write_failed(self, scenario, chain: _Chain, message: str, details: str) -> None:
        self.feedback.error("The change was not saved", self._on(chain, message), details)
        if chain.db is not self.db:
            self._ended_elsewhere(scenario, chain)
            return
        self._ended(scenario, chain)

    def _on(self, chain: _Chain, line: str) -> str:
        """`line`, naming the database the change was made on if it is no longer open."""
        return line if chain.db is self.db else f"{chain.db.location}: {line}"

    def _ended_elsewhere(self, scenario: int, chain: _Chain) -> None:
        # The changes of a database no longer open: only those never sent are still said.
        chain.pending -= 1
        if not chain.pending and chain.skipped:
            self.feedback.status(
                f"{chain.skipped} later change(s) of scenario {scenario} in "
                f"{chain.db.location} were not sent."
            )

    def _ended(self, scenario: int, chain: _Chain) -> None:
        chain.pending -= 1
        if chain.pending:
            return
        if self._chains.get(scenario) is chain:
            del self._chains[scenario]
        if chain.broken:
            if chain.skipped:
                self.feedback.status(
                    f"{chain.skipped} later change(s) of scenario {scenario} were not sent: "
                    "it is read again; make them again on what it shows."
                )
            self._forget_stack(scenario)  # rebuilt from the database as it is now
            shown = self.selection.scenario
            if shown is not None and shown.run == scenario and shown.revision is None:
                # Never "any revision": the next change expects the last one known.
                self.selection.scenario = ScenarioShown(scenario, chain.revision)
        self._activate(self.scenario_id())
        if self._press_held(scenario, chain):
            return  # the held undo or redo is written next, and its end reloads
        if (chain.changed or chain.broken) and self.selection.run is not None:
            self.reload(self.selection.run.run.id)

    def _forget_stack(self, scenario: int) -> None:
        stack = self.stacks.pop(scenario, None)
        if stack is not None:
            self.undo_group.removeStack(stack)
            stack.deleteLater()  # it may be running the command that failed

    def edit(self, kind: str, target: dict, value, reason: str) -> None:
        """One recorded edit of the shown scenario (models.runs.scenarios.store.edit),
        written in a worker; its command goes on the undo stack once written."""
        scenario = self.scenario_id()
        if scenario is None:
            return
        # The loaded frames are the shown revision's: of no use after a change still queued.
        fresh = self.frames_run == scenario and not self.saving(scenario)
        frames = self.frames if fresh else None
        author = self.author

        def pushed(record) -> None:
            stack = self.stacks.get(scenario)
            if stack is not None:  # (else the reload makes it, from the database)
                stack.push(ScenarioEditCommand(self, scenario, record))

        self.write(
            scenario,
            lambda conn, expected: store.edit(
                conn,
                scenario,
                kind,
                target,
                value,
                author=author,
                reason=reason,
                frames=frames,
                expected_version=expected,
            ),
            pushed,
        )

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

    def create_scenario(self, name: str) -> None:
        """A new scenario on the run shown, written in a worker (queued after any change
        being written); once made, the runs are listed again and it is loaded."""
        base, db, author = self.selection.run.run.id, self.db, self.author

        def work(progress, _cancelled):
            progress(0.0, "creating the scenario")
            try:
                with db.engine.begin() as conn:
                    return _Outcome(store.create_scenario(conn, base, name, author=author))
            except WorkbenchInputError as exc:
                return _Outcome(refused=str(exc))

        def created(outcome: _Outcome) -> None:
            if outcome.refused is not None:  # said even if another database is open now
                where = "" if db is self.db else f"{db.location}: "
                self.feedback.error("No scenario created", where + outcome.refused)
                return
            if db is not self.db:
                return
            self.refresh_runs(outcome.written)
            self.reload(outcome.written)

        self.jobs.queue(WRITE_JOB, work, created, self.feedback.job_failed)


def _revision(conn, scenario: int) -> int | None:
    """The scenario's edit revision (None before any input-changing audit entry)."""
    return dict(edit_revision(conn, (scenario,))).get(scenario)
