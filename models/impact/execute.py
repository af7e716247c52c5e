"""Run the days of an impact assessment: in this process, in a process pool, or on a Dask
cluster (models.impact.cluster), one task per date, each reading its day from the database URL.

Every executor goes through the same loop: submit every date, collect them as they finish, try
a failed date again up to `retries` times (each failed attempt is kept as a DayRetry), then
report it (a DayFailure): a date is never dropped. A pool whose process died (killed, out of
memory) is broken for every date it held: it is started afresh and those dates are retried.
`cancelled()` is asked between completions; when it says so (or on Ctrl-C) the dates
not done are cancelled and ImpactCancelled is raised. Results do not depend on the executor:
each date is settled by the same function from the same stored inputs.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date

from engine.variants import Variant
from models.impact.day import RunImpact, checked_file, date_impact
from models.impact.plan import DayTask
from models.impact.report import DayFailure, DayRetry

DEFAULT_RETRIES = 1
# How often the loop wakes to ask `cancelled()` while no date finishes, seconds.
POLL_SECONDS = 0.2

ProgressCallback = Callable[["Progress"], None]


class ImpactCancelled(Exception):
    """The assessment was cancelled; the dates not done were cancelled too."""


@dataclass(frozen=True, slots=True)
class Progress:
    """Where an assessment stands.

    Attributes
    ----------
    done : int
        Dates finished (settled or failed for good).
    total : int
        Dates of the assessment.
    failed : int
        Dates that failed every attempt.
    retried : int
        Attempts repeated so far.
    """

    done: int
    total: int
    failed: int = 0
    retried: int = 0


@dataclass(frozen=True, slots=True)
class DaysDone:
    """What run_days brings back.

    Attributes
    ----------
    impacts : list of RunImpact
        Every run of the dates that succeeded, by date (then run type).
    failures : list of DayFailure
        The dates that failed every attempt, by date.
    retries : list of DayRetry
        Every failed attempt that was tried again, by date then attempt.
    """

    impacts: list[RunImpact]
    failures: list[DayFailure]
    retries: list[DayRetry]


def progress_text(done: int, total: int, seconds: float, failed: int = 0, retried: int = 0) -> str:
    """Days done of the total, the rate and the time left, e.g. ``12/30 days 2.4/s ETA 8 s``
    (with ``, 1 retried, 1 failed`` when attempts were repeated or dates failed)."""
    text = f"{done}/{total} days"
    if done and seconds > 0:
        rate = done / seconds
        text += f" {rate:.2g}/s ETA {(total - done) / rate:.0f} s"
    if retried:
        text += f", {retried} retried"
    return text + (f", {failed} failed" if failed else "")


def _one_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:300]}"


class SerialExecutor:
    """Runs the dates in this process, one at a time as the loop waits for them (the
    1-process path: progress and cancel between dates, as on a pool)."""

    name = "1 process"

    def __init__(self):
        self._calls: dict[concurrent.futures.Future, tuple] = {}

    def submit(self, fn, *args) -> concurrent.futures.Future:
        future: concurrent.futures.Future = concurrent.futures.Future()
        self._calls[future] = (fn, args)
        return future

    def wait_any(self, futures, timeout):
        future = futures[0]
        fn, args = self._calls.pop(future)
        try:
            future.set_result(fn(*args))
        except Exception as exc:  # reported as the date's failure, as a worker's would be
            future.set_exception(exc)
        return {future}

    def cancel(self, futures) -> None:
        for future in futures:
            self._calls.pop(future, None)
            future.cancel()


class PoolExecutor:
    """A pool of `workers` processes on this machine (spawned: the same on every platform)."""

    def __init__(self, workers: int):
        self.name = f"process pool of {workers}"
        self.workers = workers
        self.restarts = 0  # pools started afresh after one of their processes died
        self._pool = self._start()

    def _start(self) -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
        )

    def submit(self, fn, *args):
        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool:
            # A process died: this pool takes no more work; its dates failed with
            # BrokenProcessPool and come back here as retries, to a new pool.
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = self._start()
            self.restarts += 1
            return self._pool.submit(fn, *args)

    def wait_any(self, futures, timeout):
        done, _ = concurrent.futures.wait(
            futures, timeout=timeout, return_when=concurrent.futures.FIRST_COMPLETED
        )
        return done

    def cancel(self, futures) -> None:
        for future in futures:
            future.cancel()

    def __enter__(self) -> PoolExecutor:
        return self

    def __exit__(self, *exc) -> None:
        # Waits for running dates (a cancelled run has at most one per process left).
        self._pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Attempt:
    task: DayTask
    number: int = 1


def run_days(
    executor,
    database_url: str,
    tasks: list[DayTask],
    variant: Variant,
    *,
    retries: int = DEFAULT_RETRIES,
    progress: ProgressCallback | None = None,
    cancelled: Callable[[], bool] | None = None,
    day: Callable[..., list[RunImpact]] | None = None,
) -> DaysDone:
    """Settle every date of `tasks` with the rulebook's rules and the variant.

    Parameters
    ----------
    executor : SerialExecutor, PoolExecutor or models.impact.cluster.DaskExecutor
        Where the dates run.
    database_url : str
        SQLite file or SQLAlchemy URL each task opens.
    tasks : list of DayTask
        The dates (impact_plan).
    variant : Variant
        The rule variant.
    retries : int, default DEFAULT_RETRIES
        Attempts after the first of a date that failed.
    progress : callable, optional
        Called with a Progress after each date finishes (and once at the start).
    cancelled : callable, optional
        Returns True to cancel.
    day : callable, optional
        The task, called as date_impact (the default) is; picklable by reference, for
        workers.

    Returns
    -------
    DaysDone

    Raises
    ------
    ImpactCancelled
        When `cancelled()` returned True (or on KeyboardInterrupt, re-raised as it is).
    """
    task_of_day = day or date_impact
    report = progress or (lambda p: None)
    stop = cancelled or (lambda: False)
    total = len(tasks)
    results: dict[date, list[RunImpact]] = {}
    failures: list[DayFailure] = []
    repeated: list[DayRetry] = []
    pending: dict = {}
    checked = checked_file(database_url)

    def submit(attempt: _Attempt) -> None:
        task = attempt.task
        future = executor.submit(
            task_of_day, database_url, task.settlement_date, task.run_ids, variant, checked
        )
        pending[future] = attempt

    report(Progress(0, total))
    try:
        for task in tasks:
            if stop():
                raise ImpactCancelled("cancelled")
            submit(_Attempt(task))
        while pending:
            if stop():
                raise ImpactCancelled("cancelled")
            for future in executor.wait_any(list(pending), POLL_SECONDS):
                attempt = pending.pop(future)
                error = future.exception()
                if error is None:
                    results[attempt.task.settlement_date] = future.result()
                elif attempt.number <= retries:
                    repeated.append(
                        DayRetry(attempt.task.settlement_date, attempt.number, _one_line(error))
                    )
                    attempt.number += 1
                    submit(attempt)
                    report(
                        Progress(len(results) + len(failures), total, len(failures), len(repeated))
                    )
                    continue
                else:
                    failures.append(
                        DayFailure(attempt.task.settlement_date, attempt.number, _one_line(error))
                    )
                report(Progress(len(results) + len(failures), total, len(failures), len(repeated)))
    except BaseException:
        executor.cancel(list(pending))
        raise
    return DaysDone(
        [run for d in sorted(results) for run in results[d]],
        sorted(failures, key=lambda f: f.settlement_date),
        sorted(repeated, key=lambda r: (r.settlement_date, r.attempt)),
    )
