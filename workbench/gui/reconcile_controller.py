"""Reconcile the run shown with the SAA's S0142 in a worker; a difference opens its trace.

Run › Reconcile with S0142… sets the run's settlement (the one shown: a scenario of an S0142
run is compared with its base run's SAA figures) against the SAA's figures, in a job (progress
and cancel, never on the GUI thread), and shows it in the Reconciliation tab. Activating a
difference shows the step trace that makes the engine's number in the inspector: a BM unit's
or pair's, an account's, the account or BM unit a party's charge mostly comes from, or the
period's price; the selection moves to its period (and BM unit) first, so the other views
follow and the trace shown is the difference's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject

from engine.errors import EngineInputError
from engine.settle import SettlementResult
from engine.trace import Trace
from models.core.errors import WorkbenchInputError
from views.inspector import Inspector
from views.reconciliation_view import ROW_LIMIT, ReconciliationView, where
from views.selection import Selection
from workbench.gui.feedback import Feedback
from workbench.gui.jobs import Cancelled, JobRunner

JOB = "reconcile"
# The step of a trace whose result is the field (a pair's: its own R-VOL-SUM step).
FIELD_STEP = {
    "period_fpn": "R-PROF-FPN",
    "qme": "R-ND",
    "qii": "R-ND",
    "qndo": "R-ND",
    "qndb": "R-ND",
    "cnd": "R-ND-CHARGE",
    "tlm": "R-TLM",
    "tlf": "R-TLM",
    "cbm": "R-CBM",
    "cb": "R-CBM",
    "co": "R-CBM",
    "qab": "R-VOL-SUM",
    "qao": "R-VOL-SUM",
    "qce": "R-ACC-QCE",
    "qabc": "R-ACC-QABC",
    "qabs": "R-ACC-QABS",
    "qaei": "R-ACC-QAEI",
    "caei": "R-ACC-QAEI",
    "rcrc": "R-ACC-RCRC",
    "rcrp": "R-ACC-RCRC",
    "ssp": "R-PRC-MAIN",
    "sbp": "R-PRC-MAIN",
    "niv": "R-PRC-NIV",
    "replacement_price": "R-PRC-REPL",
}


def trace_of(result: SettlementResult, level: str, key: dict) -> Trace:
    """The step trace behind the engine's value of a difference at `level` and `key`."""
    from engine.settlement_trace import trace_account, trace_price, trace_unit

    period = int(key["period"])
    if level in ("bm_unit", "pair"):
        return trace_unit(result, key["bm_unit_id"], period)
    if level in ("account", "account_bm_unit", "bm_unit_mvr"):  # APB, MVR: the account's QCE
        return trace_account(result, key["party_id"], key["account"], period)
    if level == "party":
        return _party_trace(result, key["party_id"], period)
    return trace_price(result, period)


def step_of(trace: Trace, field: str, key: dict) -> int | None:
    """The 0-based step of `trace` that computes `field` (None: no one step does)."""
    rule = FIELD_STEP.get(field)
    for n, s in enumerate(trace.steps):
        if s.rule_id == rule and ("pair" not in key or s.title.startswith(f"Pair {key['pair']}:")):
            return n
    return None


def _party_trace(result: SettlementResult, party: str, period: int) -> Trace:
    """A party's charge is the sum of its accounts' (CAEI, RCRC) and its BM units' (CBM,
    CND): the trace of the account with the larger |CAEI| + |RCRC| in the period."""
    from engine.settlement_trace import trace_account

    inputs = result.inputs
    if party not in inputs.parties:
        raise EngineInputError(f"no party {party} in the run")
    p, k = inputs.parties.index(party), period - 1
    size = [
        abs(np.nan_to_num(result.imbalance.caei[2 * p + a, k]))
        + abs(np.nan_to_num(result.imbalance.rcrc[2 * p + a, k]))
        for a in (0, 1)
    ]
    return trace_account(result, party, "PC"[int(size[1] > size[0])], period)


class ReconcileController(QObject):
    """`show_tab()` brings the Reconciliation tab to the front, `show_inspector()` the
    inspector."""

    def __init__(
        self,
        selection: Selection,
        jobs: JobRunner,
        feedback: Feedback,
        view: ReconciliationView,
        inspector: Inspector,
        show_tab: Callable[[], None],
        show_inspector: Callable[[], None] = lambda: None,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.selection, self.jobs, self.feedback = selection, jobs, feedback
        self.view, self.inspector = view, inspector
        self.show_tab, self.show_inspector = show_tab, show_inspector
        self.result: SettlementResult | None = None  # the settlement reconciled
        self.run_id: int | None = None
        view.difference_activated.connect(self.open_trace)
        view.reconcile_requested.connect(self.reconcile)
        selection.events.run.connect(self._run_changed)
        selection.events.database.connect(lambda _db: self._run_changed(None))

    def reconcile(self) -> None:
        """Reconcile the run shown, in a job."""
        shown, db = self.selection.run, self.selection.database
        if shown is None or db is None:
            self.feedback.status("Open a run first: a run imported from an S0142.")
            return
        run = shown.run
        saa_run = run.base_run_id if run.kind == "scenario" and run.base_run_id else run.id
        result, label = shown.result, shown.label

        def work(progress, cancelled):
            from models.reconcile.s0142 import reconcile_settled

            progress(0.1, "reading the SAA's figures and comparing")
            try:
                with db.engine.connect() as conn:
                    rec = reconcile_settled(conn, result, run.id, label, saa_run)
            except WorkbenchInputError as exc:  # a finding for the analyst, not a failure
                return str(exc)
            if cancelled():
                raise Cancelled
            progress(0.8, "ranking the differences")
            listed = rec.top(ROW_LIMIT)  # here, not on the GUI thread: up to 100,000 rows
            return rec, listed, result

        self.view.show_busy(f"Reconciling run {run.id} ({label}) with its S0142…")
        self.show_tab()
        self.jobs.start(JOB, work, self._reconciled, self._failed, self._cancelled)

    def _reconciled(self, outcome) -> None:
        if isinstance(outcome, str):
            self.view.show_message(outcome)
            self.feedback.status(outcome)
            return
        rec, listed, result = outcome
        self.result, self.run_id = result, rec.run_id
        self.view.show_reconciliation(rec, listed)
        self.show_tab()
        self.feedback.status(
            f"Reconciled {rec.run_label}: {rec.difference_count:,} difference(s) "
            f"(£ effect {rec.total_effect_gbp:,.2f}), {rec.known_gap_count:,} explained by "
            "known gaps"
        )

    def _failed(self, message: str, details: str) -> None:
        self.view.show_message(f"The reconciliation failed: {message}")
        self.feedback.job_failed(message, details)

    def _cancelled(self) -> None:
        self.view.show_message("Reconciliation cancelled.")
        self.feedback.job_cancelled()

    def _run_changed(self, shown) -> None:
        if self.run_id is None:
            return
        if shown is None or shown.run.id != self.run_id or shown.result is not self.result:
            self.view.mark_out_of_date("the run shown has changed since")

    def open_trace(self, difference) -> None:
        """The step trace behind the engine's value of `difference`, in the inspector."""
        result = self.result
        if result is None:
            return
        cell = f"{difference.field} of {where(difference.key)}, period {difference.key['period']}"
        if difference.engine is None:
            self.feedback.status(
                f"The engine has no {cell} to trace: the SAA's S0142 lists it, the run does not."
            )
            return
        try:
            trace = trace_of(result, difference.level, difference.key)
        except (EngineInputError, WorkbenchInputError) as exc:
            self.feedback.status(str(exc))
            return
        shown = self.selection.run
        period = int(difference.key["period"])
        if shown is not None and shown.result is result:  # the other views follow it
            self.selection.period = period
            if "bm_unit_id" in difference.key:
                self.selection.bm_unit = difference.key["bm_unit_id"]
        day = result.inputs.bm.settlement_date
        self.inspector.show_trace(trace, result.known_gaps, day, period)
        n = step_of(trace, difference.field, difference.key)
        if n is not None:  # its step in view, as a click on the inspector's summary does
            item = self.inspector.step_items[n]
            self.inspector.tree.setCurrentItem(item)
            self.inspector.tree.scrollToItem(item, self.inspector.tree.ScrollHint.PositionAtTop)
        self.show_inspector()
        self.feedback.status(f"The inspector shows the trace of {cell}.")
