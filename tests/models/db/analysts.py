"""Several analysts at once (issue 21): each one an OS process of its own (spawned, as another
analyst's workbench would be), on its own engine, settling a run or importing files into one
shared database, and saying what happened and when.

Each process sets `arrived` at a chosen point inside its transaction and then waits for `go`
before going on, so a test can hold every process inside its transaction at the same moment
(the work really overlaps) or let one commit while the other is in the middle of its own.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
from dataclasses import dataclass, field

PROCESS_SECONDS = 120.0


def settle_in_process(target, run_id, name, results, arrived, go) -> None:
    """Settle run `run_id`; `arrived` is set once its inputs are loaded and its old results
    deleted, inside the settle's transaction, just before its results are written."""
    began = time.time()
    try:
        import models.runs.results_store as results_store
        from models.db.database import SettlementDatabase

        clear = results_store.clear_results

        def clear_then_wait(conn, run):
            clear(conn, run)
            arrived.set()
            if not go.wait(PROCESS_SECONDS):
                raise TimeoutError("never told to go on")

        results_store.clear_results = clear_then_wait
        with SettlementDatabase.open(target) as db:
            results_store.settle_run(db, run_id)
        results.put((name, "settled", "", began, time.time()))
    except BaseException as exc:  # the test shows it; a process must always answer
        results.put((name, "failed", _traceback(exc), began, time.time()))


def import_in_process(target, paths, name, results, arrived, go, writing=None) -> None:
    """Import `paths` in one transaction; `arrived` is set once everything is written, just
    before the commit (the importer's before_commit), `writing` (if given) when it starts
    writing its first date (its transaction open, its registers written)."""
    began = time.time()
    try:
        from models.db.database import SettlementDatabase
        from models.imports.loader import import_files
        from models.imports.report import ImportRejected

        def progress(_fraction, text):
            if writing is not None and text.startswith("Writing"):
                writing.set()

        def before_commit(_conn, _summary):
            arrived.set()
            if not go.wait(PROCESS_SECONDS):
                raise TimeoutError("never told to commit")

        with SettlementDatabase.open(target) as db:
            try:
                summary = import_files(db, paths, progress=progress, before_commit=before_commit)
            except ImportRejected as exc:
                results.put((name, "rejected", str(exc), began, time.time()))
                return
        results.put((name, "imported", summary.text(), began, time.time()))
    except BaseException as exc:
        results.put((name, "failed", _traceback(exc), began, time.time()))


def _traceback(exc: BaseException) -> str:
    import traceback

    return "".join(traceback.format_exception(exc))


@dataclass
class Outcome:
    """What one process said: its outcome ("settled", "imported", "rejected", "failed"), its
    detail (a summary, a message or a traceback), and when it began and ended (epoch s)."""

    outcome: str
    detail: str
    began: float
    ended: float


@dataclass
class Analysts:
    """Processes started with `start`, each given its own `arrived` and a shared `go`."""

    context: multiprocessing.context.SpawnContext = field(
        default_factory=lambda: multiprocessing.get_context("spawn")
    )

    def __post_init__(self) -> None:
        self.results = self.context.Queue()
        self.go = self.context.Event()
        self.arrived: dict[str, object] = {}
        self.processes: list = []
        self.answers: dict[str, Outcome] = {}

    def event(self):
        return self.context.Event()

    def start(self, name: str, target, *args, **kwargs) -> None:
        arrived = self.arrived[name] = self.context.Event()
        process = self.context.Process(
            target=target, args=(*args, name, self.results, arrived, self.go), kwargs=kwargs
        )
        process.start()
        self.processes.append(process)

    def wait_arrived(self, *names: str) -> None:
        for name in names:
            if not self.arrived[name].wait(PROCESS_SECONDS):
                self.go.set()
                self.collect()
                raise AssertionError(f"{name} never arrived: {self.answers}")

    def collect(self) -> dict[str, Outcome]:
        """Let every process go on, and wait for all their answers."""
        self.go.set()
        try:
            while len(self.answers) < len(self.processes):
                name, *said = self.results.get(timeout=PROCESS_SECONDS)
                self.answers[name] = Outcome(*said)
        except queue.Empty:
            raise AssertionError(f"no answer from every process in time: {self.answers}") from None
        finally:
            for process in self.processes:
                process.join(PROCESS_SECONDS)
                if process.is_alive():
                    process.kill()
                    process.join()
            self.results.close()
            self.results.join_thread()
        assert all(p.exitcode == 0 for p in self.processes), [p.exitcode for p in self.processes]
        return self.answers


def overlapped(answers: dict[str, Outcome]) -> bool:
    """Every process began before any ended."""
    return max(a.began for a in answers.values()) < min(a.ended for a in answers.values())
