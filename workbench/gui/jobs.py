"""Background jobs: long work runs in a thread with progress and cancel; results come back
to the GUI thread by signals. Starting a job of a kind cancels the running one of that kind;
queued work (a database write) runs after the earlier work of its kind, in order, and is
never cancelled: an edit the user made is written even if the window closes meanwhile.
A quiet job (a short read behind a panel: its list, a check) is not announced: the window's
status line and progress bar stay as they are while it runs, and the user's Cancel (Esc),
which stops what they announce, leaves it to finish.
"""

from __future__ import annotations

import gc
import threading
import traceback
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal

from models.db.database import database_failure

Work = Callable[[Callable[[float, str], None], Callable[[], bool]], object]


class Cancelled(Exception):
    """Raised inside work that noticed it was cancelled."""


class Job(QThread):
    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(str, str)  # message, details
    cancelled_signal = Signal()

    def __init__(
        self,
        name: str,
        work: Work,
        parent: QObject | None = None,
        location: str | None = None,
        cancellable: bool = True,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self.work = work
        self.location = location  # the database the work uses, named in its failures
        self.cancellable = cancellable
        self.database: object | None = None  # the runner's database when it was asked for
        self.replaced = False  # cancelled by a newer job of its kind (JobRunner.start)
        self.quiet = False  # a read behind a panel, never announced (JobRunner.start)
        self._cancel = threading.Event()

    def cancel(self) -> None:
        if self.cancellable:
            self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self.work(self.progressed.emit, self._cancel.is_set)
        except Exception as exc:  # reported to the user, never raised in the thread
            if self._cancel.is_set():
                self.cancelled_signal.emit()
            elif (line := database_failure(exc, self.location)) is not None:
                # Locked, read-only, full or damaged: the one line, never SQL or a traceback
                self.failed.emit(line, "")
            else:
                self.failed.emit(str(exc) or type(exc).__name__, traceback.format_exc())
            return
        if self._cancel.is_set():
            self.cancelled_signal.emit()
        else:
            self.succeeded.emit(result)


class JobRunner(QObject):
    """Keeps one job per kind; the GUI connects to `started`/`finished` for its status bar
    (`finished` comes for every job; `started` not for a quiet one)."""

    started = Signal(str)
    finished = Signal(str)
    progressed = Signal(float, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs: dict[str, Job] = {}
        self.queued: dict[str, deque] = {}  # kind -> work waiting for the running job of its kind
        self.location: str | None = None  # the open database (set by the window)
        self.database: object | None = None  # and that database itself
        self._after: list[tuple[object, Callable[[], None]]] = []  # (database, then)
        self.closed = False  # the window closed: nothing starts any more (close)

    def start(
        self,
        name: str,
        work: Work,
        on_success: Callable[[object], None],
        on_failure: Callable[[str, str], None],
        on_cancel: Callable[[], None] | None = None,
        quiet: bool = False,
        still: Callable[[], bool] | None = None,
    ) -> Job:
        """`quiet`: a read behind a panel, run on each selection (a run shown, a live
        settle): announcing it would put "Working…" over what the status line says.
        `still()`: whether the answer is still wanted when it comes (the same database open,
        no newer question): success and failure alike are dropped when it is not.
        None once the runner is closed."""
        if self.closed:
            return None
        if (running := self.jobs.get(name)) is not None and running.cancellable:
            running.replaced = True
        self.cancel(name)
        if still is not None:
            on_success, on_failure = _while(still, on_success), _while(still, on_failure)
        return self._launch(name, work, on_success, on_failure, on_cancel, quiet=quiet)

    def queue(
        self,
        name: str,
        work: Work,
        on_success: Callable[[object], None],
        on_failure: Callable[[str, str], None],
    ) -> None:
        """Run `work` once the earlier work of kind `name` has ended, in the order queued;
        `cancel` does not stop it (a write the user asked for), `wait_all` waits for it."""
        if self.closed:
            return
        asked = (work, on_success, on_failure, self.location, self.database)
        self.queued.setdefault(name, deque()).append(asked)
        if name not in self.jobs:
            self._next(name)

    def _next(self, name: str) -> Job | None:
        waiting = self.queued.get(name)
        if not waiting:
            self.queued.pop(name, None)
            return None
        work, on_success, on_failure, location, database = waiting.popleft()
        return self._launch(
            name, work, on_success, on_failure, None, False, False, (location, database)
        )

    def _launch(
        self,
        name,
        work,
        on_success,
        on_failure,
        on_cancel,
        cancellable=True,
        quiet=False,
        asked_on=None,
    ) -> Job:
        """`asked_on`: the (location, database) a queued job was asked for on, which may
        have been replaced since (its failure names that database, and it keeps it open)."""
        # Garbage (closed dialogs, old chart items) is freed here on the GUI thread, not by a
        # collection that the job's allocations would trigger in its own thread. A quiet read
        # allocates little, and comes on each live settle: no sweep holds the GUI for it.
        if not quiet:
            gc.collect()
        location, database = asked_on or (self.location, self.database)
        job = Job(name, work, self, location, cancellable)
        job.database, job.quiet = database, quiet
        job.progressed.connect(self._progressed)
        job.succeeded.connect(on_success)
        job.failed.connect(on_failure)
        if on_cancel is not None:
            job.cancelled_signal.connect(lambda: self._cancel_told(job, on_cancel))
        job.finished.connect(lambda: self._done(job))
        self.jobs[name] = job
        if not quiet:
            self.started.emit(name)
        job.start()
        return job

    def _cancel_told(self, job: Job, on_cancel: Callable[[], None]) -> None:
        # A job a newer one of its kind replaced says nothing: "Cancelled." would be put over
        # the newer's progress or result (a click on one run, then on another).
        if not job.replaced:
            on_cancel()

    def _progressed(self, fraction: float, message: str) -> None:
        # On the GUI thread, as the job's report arrives: a cancelled job's (one a newer job
        # replaced, or the last database's load) is stale, never put over the newer's.
        job = self.sender()
        if not (isinstance(job, Job) and job.is_cancelled):
            self.progressed.emit(fraction, message)

    def _done(self, job: Job) -> None:
        if self.jobs.get(job.name) is job:
            del self.jobs[job.name]
        self.finished.emit(job.name)
        job.deleteLater()
        if job.name not in self.jobs:
            self._next(job.name)
        self._call_after()

    def after_jobs_of(self, database: object, then: Callable[[], None]) -> None:
        """`then()` once no job asked for while `database` was the runner's is running or
        queued (at once if none is): the database a newer one replaced is closed only after
        the writes the user made on it, and the reads under way, have ended."""
        self._after.append((database, then))
        self._call_after()

    def _uses(self, database: object) -> bool:
        running = any(j.database is database and not j.isFinished() for j in self.jobs.values())
        return running or any(
            asked[4] is database for waiting in self.queued.values() for asked in waiting
        )

    def _call_after(self) -> None:
        for entry in list(self._after):
            if not self._uses(entry[0]):
                self._after.remove(entry)
                entry[1]()

    def cancel(self, name: str | None = None, announced_only: bool = False) -> None:
        """Cancel the running job of kind `name` (None: of every kind). `announced_only`: the
        user's Cancel (Esc): a quiet read was never shown as running, and cancelling it
        would leave its panel stale (the Runs panel without the scenario just made)."""
        for key, job in list(self.jobs.items()):
            if (name is None or key == name) and not (announced_only and job.quiet):
                job.cancel()

    def close(self) -> None:
        """The window is closing: stop what can stop, write what is queued, and start
        nothing more. A write's result still on its way would otherwise start its reload
        after this, in a thread the window's deletion then destroyed running (an abort)."""
        self.cancel()
        self.wait_all()
        self.closed = True

    def busy(self) -> bool:
        return bool(self.jobs) or any(self.queued.values())

    def wait_all(self, milliseconds: int = 30000) -> None:
        """Wait for the running jobs and for all queued work (started here one after another:
        the window is closing and its event loop may not turn again)."""
        for job in list(self.jobs.values()):
            job.wait(milliseconds)
        for name in list(self.queued):
            while self.queued.get(name):
                running = self.jobs.get(name)
                if running is not None and running.isRunning():
                    running.wait(milliseconds)
                job = self._next(name)
                if job is not None:
                    job.wait(milliseconds)
        self._call_after()  # their ends will not reach _done: no event loop turns now


def _while(still: Callable[[], bool], handler: Callable[..., None]) -> Callable[..., None]:
    def handle(*args) -> None:
        if still():
            handler(*args)

    return handle
