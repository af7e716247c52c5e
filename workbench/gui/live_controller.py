"""File › Go live…: the open database listens to Elexon's pushed data as `settlement-workbench
listen` does (views.live_dialog: an AMQP 1.0 broker and queue, the IRIS client's folder, or
IRIS itself on Azure Service Bus: its client id, queue, namespace and tenant kept in the
window's settings as `listen --remember-iris` keeps them, the secret never).

The listener (models.live.stream with its source: models.live.folder, .amqp or .iris) runs
in a job of its own runner (workbench/gui/jobs.py: a thread; the window's jobs, progress bar
and Cancel stay free for loads and imports), and tells the GUI thread by signals: each message
written, each day settled (models.live.indicative). The day overview then shows the live day
in place: the engine's indicative SSP/SBP and NIV just settled in the listener's thread, no
reload of the run, Elexon's published prices beside them, the open period marked. A status
light in the status bar says whether the listener runs, whether its broker is connected (or
it is reconnecting), and when the last message came.

The overview follows the live day until another run is shown (Runs dock), and again once the
live run itself is. While the live run is the loaded run, the listener also makes each
settle's RunView (models.runs.run_view.view_of_settled, from the result just settled) and the
views take it in place (workbench.gui.run_views.RunViews.run_updated: the BM units view keeps
its unit, sort, scroll and zoom, and redraws the unit's charts only when its data changed).

File › Stop live (or closing the window) stops the listener cleanly: the message being
written commits or rolls back, and what is pending is settled.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtWidgets import QLabel

from views.live_dialog import FOLDER, IRIS, LiveDialog, LiveOptions
from views.selection import Selection
from workbench.gui.actions import make_action
from workbench.gui.feedback import Feedback
from workbench.gui.jobs import JobRunner

JOB = "live"
RUNS_JOB = "live runs"  # the Runs panel's list after a live run opened or closed
LIGHTS = {"off": "#9e9e9e", "listening": "#2ca02c", "waiting": "#ff9800", "failed": "#d62728"}


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class _StopOrCancel(threading.Event):
    """The stream's stop: set by hand, or the job cancelled."""

    def __init__(self, cancelled: Callable[[], bool]) -> None:
        super().__init__()
        self._cancelled = cancelled

    def is_set(self) -> bool:
        return super().is_set() or self._cancelled()


class _Bridge(QObject):
    """Signals from the listener's thread, delivered on the GUI thread."""

    written = Signal(object, object)  # Message, Outcome
    settled = Signal(object, object)  # IndicativeDay, changed periods
    settle_failed = Signal(int, str)
    connection = Signal(bool, str)  # connected, what happens next (a broker's connection)
    viewed = Signal(object)  # RunView of a live run just settled (wanted_view)
    closed = Signal(object)  # the live runs whose day is complete, closed (list of ids)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # The live run whose view (models.runs.run_view) the window shows and wants after
        # each settle, or None; set on the GUI thread, read in the listener's.
        self.wanted_view: int | None = None


def listen_work(db, options: LiveOptions, bridge: _Bridge):
    """The job's work: listen until cancelled; the stream's counts at the end."""

    def settled(day, changed) -> None:
        bridge.settled.emit(day, changed)  # the overview first: its latency is the target
        if bridge.wanted_view == day.run_id:
            from models.runs.run_view import view_of_settled

            bridge.viewed.emit(view_of_settled(db, day.run_id, day.result))

    def work(progress, cancelled):
        from models.live.stream import Stream

        close_after = None if options.close_after is None else timedelta(hours=options.close_after)
        stream = Stream(
            db,
            stop=_StopOrCancel(cancelled),
            on_outcome=bridge.written.emit,
            close_after=close_after,
            on_settled=settled,
            on_settle_failed=bridge.settle_failed.emit,
            on_connection=bridge.connection.emit,
            on_close=bridge.closed.emit,
        )
        if options.source == FOLDER:
            from pathlib import Path

            from models.live.folder import watch_folder

            watch_folder(Path(options.folder), stream)
        elif options.source == IRIS:
            from models.live.iris import listen_iris

            listen_iris(options.iris_config(), stream)
        else:
            from models.live.amqp import listen_amqp

            listen_amqp(options.broker, options.queue, stream)
        return dict(stream.counts)

    return work


class LiveController(QObject):
    """Starts and stops the listener; `show_day(day)` draws a settled live day; `light(state,
    text)` sets the status light; `runs_changed()` is told when a message opened a live run;
    `show_view(view)` hands the views the RunView of the shown live run settled again; a live
    run closed (its day complete) is told to the Runs panel (`runs_changed`) and the status."""

    def __init__(
        self,
        selection: Selection,
        feedback: Feedback,
        show_day: Callable[[object], None],
        light: Callable[[str, str], None],
        runs_changed: Callable[[], None] = lambda: None,
        parent=None,
        show_view: Callable[[object], None] = lambda view: None,
    ) -> None:
        super().__init__(parent)
        self.selection, self.feedback = selection, feedback
        self.show_day, self.light, self.runs_changed = show_day, light, runs_changed
        self.show_view = show_view
        self.light_tip: Callable[[str], None] = lambda text: None
        self.dialog_parent = parent
        self.jobs = JobRunner(self)
        self.bridge = _Bridge(self)
        self.bridge.written.connect(self._written)
        self.bridge.settled.connect(self._settled)
        self.bridge.connection.connect(self._connection)
        self.bridge.viewed.connect(self._viewed)
        self.bridge.closed.connect(self._closed)
        self.bridge.settle_failed.connect(
            lambda run_id, reason: self.feedback.status(f"Live run {run_id} not settled: {reason}")
        )
        self.options = LiveOptions()
        # The window's settings (QSettings): the IRIS configuration is read from them and,
        # once a listener starts on it, kept there (never the secret). None: not kept.
        self.settings = None
        self.dialog: LiveDialog | None = None
        self.following = True
        self.live_runs: set[int] = set()
        self.shown_run: int | None = None  # the loaded run the window shows
        self.day = None  # the last IndicativeDay settled
        self.written = 0
        self.last_message: tuple[datetime, str] | None = None  # when (local), dataset
        self.settled_at: float | None = None  # time.perf_counter() of the last settle seen
        self.viewed_at: float | None = None  # of the last live view handed to the views
        # The broker's connection: None before it is known (and for a folder), else (up,
        # what happens next).
        self.connection: tuple[bool, str] | None = None

    @property
    def running(self) -> bool:
        return JOB in self.jobs.jobs

    def choose(self) -> None:
        """File › Go live…: the dialog, then the listener."""
        if self.selection.database is None:
            self.feedback.status("Open a settlement database first (Ctrl+O).")
            return
        dialog = LiveDialog(self._remembered(self.options), self.dialog_parent)
        dialog.accepted.connect(lambda: self.start(dialog.options()))
        self.dialog = dialog
        dialog.open()

    def start(self, options: LiveOptions) -> bool:
        db = self.selection.database
        problem = "Open a settlement database first (Ctrl+O)." if db is None else options.problem()
        if problem is not None:
            self.feedback.status(problem)
            return False
        if options.source == IRIS and self.settings is not None:
            from models.live.iris import remember

            remember(self.settings, options.iris_config())
        self.options, self.following, self.written = options, True, 0
        self.last_message, self.connection = None, None
        self.jobs.start(JOB, listen_work(db, options, self.bridge), self._ended,
                        self._failed, self._ended)  # fmt: skip
        self._tell("waiting")
        self.feedback.status(f"Live: listening to {options.describe()}")
        self.light_tip(f"Live data from {options.describe()}: whether the listener runs and "
                       "is connected, its last message, the open period")  # fmt: skip
        return True

    def _remembered(self, options: LiveOptions) -> LiveOptions:
        """`options` with the IRIS configuration of the settings where it has none, and the
        secret of IRIS_CLIENT_SECRET (the dialog shows it as dots)."""
        import dataclasses
        import os

        from models.live.iris import SECRET_VARIABLE, SETTINGS_KEYS

        changes = {}
        if not options.iris_secret:
            changes["iris_secret"] = os.environ.get(SECRET_VARIABLE, "")
        if self.settings is not None and not options.iris_client_id:
            kept = {name: self.settings.value(key, None) for name, key in SETTINGS_KEYS.items()}
            if kept["client_id"]:
                changes["iris_client_id"] = str(kept["client_id"])
                if options.source == FOLDER and not options.folder:  # nothing chosen yet
                    changes["source"] = IRIS
                if kept["queue_name"] and not options.queue:  # a broker's queue stays
                    changes["queue"] = str(kept["queue_name"])
                for name, field_name in (
                    ("service_bus_namespace", "iris_namespace"),
                    ("tenant_id", "iris_tenant"),
                ):
                    if kept[name]:
                        changes[field_name] = str(kept[name])
        return dataclasses.replace(options, **changes)

    def stop(self, wait_ms: int = 30000) -> None:
        """Stop the listener and wait for it (the message in hand commits or rolls back)."""
        self.jobs.cancel(JOB)
        self.jobs.wait_all(wait_ms)

    def follow(self, run_id: int) -> None:
        """A run now shows in the window: the overview follows the live day while it is one,
        and the other views (the BM units view in place) each settle's view of it."""
        self.shown_run = run_id
        self.following = run_id in self.live_runs
        self.bridge.wanted_view = run_id if self.following else None
        if self.following and self.day is not None:
            self.show_day(self.day)
        self._tell()

    def _written(self, message, outcome) -> None:
        if outcome.status != "written":
            return
        self.written += 1
        if not set(outcome.run_ids) <= self.live_runs:
            self.live_runs.update(outcome.run_ids)
            self.runs_changed()
        self.last_message = (datetime.now().astimezone(), message.dataset)
        self._tell()

    def _settled(self, day, _changed) -> None:
        self.day = day
        self.live_runs.add(day.run_id)
        if day.run_id == self.shown_run and not self.following:
            # The run on show (loaded from the Runs panel) took this listener's data.
            self.following, self.bridge.wanted_view = True, day.run_id
        if self.following:
            self.show_day(day)
            self.settled_at = time.perf_counter()
        self._tell()

    def _closed(self, run_ids) -> None:
        """Days complete: their live runs are ordinary runs now (the Runs panel says so)."""
        self.runs_changed()
        runs = ", ".join(map(str, run_ids))
        which = f"run {runs}" if len(run_ids) == 1 else f"runs {runs}"
        self.feedback.status(
            f"Live: {which} closed, the day complete: settled on its last data, immutable."
        )

    def _viewed(self, view) -> None:
        if self.following and view.run.id == self.shown_run:
            self.show_view(view)
            self.viewed_at = time.perf_counter()

    def _connection(self, connected: bool, detail: str) -> None:
        self.connection = (connected, detail)
        self._tell()

    def _ended(self, _counts=None) -> None:
        self.light("off", f"Live stopped ({self.written:,} messages written)")
        self.feedback.status(f"Live stopped: {self.written:,} messages written.")

    def _failed(self, message: str, details: str) -> None:
        self.light("failed", f"Live failed: {message}")
        self.feedback.job_failed(message, details)

    def _tell(self, state: str | None = None) -> None:
        if not self.running and state is None:
            return
        if self.connection is not None and not self.connection[0]:
            # The broker went away: what was written stays, the listener reconnects.
            last = "no message yet"
            if self.last_message is not None:
                last = f"last {self.last_message[0]:%H:%M:%S}, {self.written:,} written"
            # Short: the status bar is shared at 1024 pixels; the tooltip names the broker.
            self.light("waiting", f"Live: broker disconnected, {self.connection[1]}; {last}")
            return
        if self.last_message is None:
            self.light(state or "waiting", f"Live: {self.options.describe()}, no message yet")
            return
        when, dataset = self.last_message
        day = ""
        if self.day is not None:
            period = self.day.open_period(utc_now())
            day = f"; {self.day.settlement_date.isoformat()}"
            day += f" P{period} open" if period else ""
            if not self.following:
                day += " (not on show)"
        self.light(
            "listening",
            f"Live: last message {when:%H:%M:%S} ({dataset}), {self.written:,} written{day}",
        )


class _CloseWatch(QObject):
    """Stops the listener when the window closes."""

    def __init__(self, controller: LiveController, window) -> None:
        super().__init__(window)
        self.controller = controller
        window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Close:
            self.controller.stop()
        return False


class LiveRoom:
    """Made by the main window once its menus, views, selection and feedback exist: File › Go
    live… and File › Stop live (before Open recent), the status light, the overview's live
    drawing."""

    def __init__(self, window) -> None:
        self.window = window
        self.status_light = QLabel()
        self.status_light.setToolTip("Live data: whether the listener runs, its last message")
        self.status_light.hide()
        window.statusBar().addPermanentWidget(self.status_light)
        self.controller = LiveController(
            window.selection, window.feedback, self.show_day, self.light, self.list_runs,
            parent=window, show_view=lambda view: window.run_views.run_updated(view),
        )  # fmt: skip
        self.controller.light_tip = self.status_light.setToolTip
        self.controller.settings = window.settings
        self.go_action = make_action(
            window,
            "Go &live…",
            self.controller.choose,
            tip="Listen to Elexon's pushed data (IRIS on Azure Service Bus, an AMQP 1.0 queue or "
            "the IRIS client's folder) "
            "into the open database; the day overview shows the indicative prices as it settles",
        )
        self.stop_action = make_action(window, "Stop l&ive", self.controller.stop)
        menu = window.file_menu
        before = window.recent_menu.menuAction()
        menu.insertAction(before, self.go_action)
        menu.insertAction(before, self.stop_action)
        self.controller.jobs.started.connect(lambda _name: self._enable())
        self.controller.jobs.finished.connect(lambda _name: self._enable())
        window.selection.events.database.connect(lambda _db: self._enable())
        window.run_shown.connect(self.controller.follow)
        self._close_watch = _CloseWatch(self.controller, window)
        self._enable()

    def _enable(self) -> None:
        running = self.controller.running
        self.go_action.setEnabled(self.window.selection.database is not None and not running)
        self.stop_action.setEnabled(running)

    def light(self, state: str, text: str) -> None:
        colour = LIGHTS.get(state, LIGHTS["off"])
        self.status_light.setText(f'<span style="color:{colour}">●</span> {text}')
        self.status_light.show()

    def list_runs(self) -> None:
        """The Runs panel lists a live run a message just opened (or one closed), read in a
        quiet job of the window's (a newer list replaces an older one; one of a database no
        longer open is dropped): on a team server the read is a round trip."""
        db = self.window.selection.database
        if db is None:
            return

        def work(progress, cancelled):
            from models.runs.run_store import list_runs

            with db.engine.connect() as conn:
                return list_runs(conn, light=True)

        self.window.jobs.start(
            RUNS_JOB,
            work,
            self.window.runs.show_runs,
            self.window.feedback.job_failed,
            quiet=True,
            still=lambda: self.window.selection.database is db,
        )

    def show_day(self, day) -> None:
        """The settled live day in the day overview, in place (no load job)."""
        overview = self.window.overview
        label = f"LIVE {day.settlement_date.isoformat()} II (run {day.run_id}, indicative)"
        # Two lines: the live label and the day's price range did not fit one at 1600 pixels.
        overview.title.set_lines(2)
        overview.show_result(day.result, label, day.published)
        overview.mark_open_period(day.open_period(utc_now()), "open")
