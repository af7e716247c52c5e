"""Comparisons of two runs: settle a scenario and compare it with its base (F6), or compare
the run shown with another run of its date, in a worker; the Comparison tab shows it.

What a comparison was computed from (models.disputes.comparison_key) is held in the
selection with it; the selection puts it out of date when the database, the run shown or the
scenario's edits change, and `verify` asks the database too (a change made elsewhere), in
a worker as every read here is: on a team server each is a round trip.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog

from models.disputes.comparison_key import comparison_key, out_of_date
from models.runs.scenarios import store
from views.comparison_view import ComparisonView
from views.selection import Compared, Selection
from workbench.gui.feedback import Feedback
from workbench.gui.jobs import JobRunner

VERIFY = "comparison check"
RUNS = "runs to compare with"
SETTLE_AGAIN = "Settle and compare (F6)"
COMPARE_AGAIN = "compare again (Scenario › Compare with another run…)"


class ComparisonController(QObject):
    """`show_tab()` brings the Comparison tab to the front; `author`: who settles."""

    def __init__(
        self,
        selection: Selection,
        jobs: JobRunner,
        feedback: Feedback,
        view: ComparisonView,
        show_tab: Callable[[], None],
        author: str,
        parent=None,
    ) -> None:
        super().__init__(parent)
        self.selection, self.jobs, self.feedback, self.view = selection, jobs, feedback, view
        self.show_tab, self.author = show_tab, author
        self.dialog_parent = parent
        view.follow(selection)
        selection.events.run.connect(lambda _view: self.verify())

    def verify(self) -> str | None:
        """Why the comparison on show no longer holds, as known now (None while it holds);
        the database is asked in a quiet worker whether its runs changed (an edit made
        elsewhere too), and its answer puts the comparison out of date when it comes, if the
        comparison and the database are still the ones on show."""
        compared, db = self.selection.comparison, self.selection.database
        if compared is None or compared.out_of_date is not None:
            return compared.out_of_date if compared is not None else None
        shown = compared.key
        if db is None or db.location != shown.database:
            return self._judge(compared, None)

        def work(progress, cancelled):
            with db.engine.connect() as conn:
                return comparison_key(conn, db.location, shown.first_run, shown.second_run)

        def current() -> bool:
            return self.selection.comparison == compared and self.selection.database is db

        self.jobs.start(
            VERIFY,
            work,
            lambda now: self._judge(compared, now),
            self.feedback.job_failed,
            quiet=True,
            still=current,
        )
        return None

    def _judge(self, compared: Compared, now) -> str | None:
        """Out of date if `now` (the two runs' key in the database open, or None) or the run
        shown says so; why, or None."""
        view = self.selection.run
        reason = out_of_date(compared.key, now, view.run.id if view is not None else None)
        if reason is not None:
            self.selection.comparison = compared.outdated(reason)
        return reason

    def settle_and_compare(self) -> None:
        view = self.selection.run
        if view is None or view.run.kind != "scenario":
            return
        self.compare(view.run.base_run_id, view.run.id, settle=True)

    def compare_with_run(self) -> None:
        """The runs of the shown run's date, read in a quiet worker; the choice of one when
        they come, if the same run of the same database is still shown."""
        view, db = self.selection.run, self.selection.database
        if view is None or db is None:
            return
        shown, day = view.run.id, view.run.settlement_date

        def work(progress, cancelled):
            from models.runs.run_store import list_runs

            with db.engine.connect() as conn:
                return [r for r in list_runs(conn, day, light=True) if r.id != shown]

        def current() -> bool:
            now = self.selection.run
            return self.selection.database is db and now is not None and now.run.id == shown

        self.jobs.start(
            RUNS,
            work,
            lambda others: self._choose_run(shown, others),
            self.feedback.job_failed,
            quiet=True,
            still=current,
        )

    def _choose_run(self, shown: int, others) -> None:
        if not others:
            self.feedback.status("No other run of this date to compare with.")
            return
        labels = [f"run {r.id}: {r.label}" for r in others]
        choice, ok = QInputDialog.getItem(
            self.dialog_parent, "Compare with", "Run of the same date:", labels, 0, False
        )
        if ok:
            self.compare(others[labels.index(choice)].id, shown)

    def compare(self, first: int, second: int, settle: bool = False) -> None:
        """Compare run `second` with `first` in a worker; `settle`: settle `second` (a
        scenario) and store its results first."""
        db, author = self.selection.database, self.author

        def work(progress, cancelled):
            from models.exports.packs import compare_runs
            from models.runs.results_store import settle_run

            # The key before reading: an edit made meanwhile then shows the comparison as out
            # of date (a settle is no input change, so it does not move the key).
            with db.engine.connect() as conn:
                key = comparison_key(conn, db.location, first, second)
            result = None
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
            comparison, first_result, _ = compare_runs(db, first, second, result)
            # And after: a change made elsewhere meanwhile puts it out of date as it shows.
            with db.engine.connect() as conn:
                now = comparison_key(conn, db.location, first, second)
            return comparison, first_result.inputs.bm.settlement_date, key, settle, now

        self.jobs.start(
            "compare",
            work,
            lambda outcome: self._compared(outcome, db),
            self.feedback.job_failed,
            self.feedback.job_cancelled,
        )

    def _compared(self, outcome, db) -> None:
        comparison, settlement_date, key, settled, now = outcome
        if self.selection.database is not db:
            # Run ids repeat across databases: never drawn over what is open now (a settle
            # asked for is stored, in the database it was made on).
            self.feedback.status(
                f"The comparison of run {key.second_run} with run {key.first_run} in "
                f"{db.location} is not shown: another database is open."
            )
            return
        self.view.show_comparison(comparison, settlement_date)
        # Held with what it was computed from: out of date at once if that changed meanwhile
        # (the selection judges the database and run shown now, `now` the runs' edits).
        self.selection.comparison = Compared(key, SETTLE_AGAIN if settled else COMPARE_AGAIN)
        compared = self.selection.comparison
        if compared.out_of_date is not None or self._judge(compared, now) is not None:
            return
        self.show_tab()
        self.feedback.status(comparison.verdict())
