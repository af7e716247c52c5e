"""Dask (`dask.distributed`) for an impact assessment: a local cluster of worker processes on
127.0.0.1 only (dashboards off), or an existing scheduler used as it is. Only the dates travel
to the workers; each reads its day from the database URL and sends back small arrays."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from models.core.errors import WorkbenchInputError

LOOPBACK = "127.0.0.1"
# Waiting for an existing scheduler to answer, seconds.
CONNECT_SECONDS = 10
_ADDRESS = re.compile(r"^tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$")


def scheduler_address_error(address: str) -> str | None:
    """Why a scheduler address is not ``tcp://host:port`` (None when it is)."""
    match = _ADDRESS.match(address)
    if not match or not 1 <= int(match.group(2)) <= 65535:
        return f"{address[:60]!r} is not a scheduler address; expected tcp://host:port"
    return None


class DaskExecutor:
    """Dates as Dask tasks (see models.impact.execute.run_days)."""

    def __init__(self, client, name: str):
        self.client = client
        self.name = name

    def submit(self, fn, *args):
        # pure=False: a retried date is a new task, never the failed one's cached result.
        return self.client.submit(fn, *args, pure=False)

    def wait_any(self, futures, timeout):
        from distributed import wait

        try:
            return wait(futures, timeout=timeout, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            return set()

    def cancel(self, futures) -> None:
        if futures:
            self.client.cancel(futures)


@contextmanager
def local_cluster(workers: int) -> Iterator[DaskExecutor]:
    """A LocalCluster of `workers` single-threaded processes on 127.0.0.1, closed on exit
    (its processes end with it).

    Parameters
    ----------
    workers : int
        Worker processes.

    Yields
    ------
    DaskExecutor
    """
    import dask
    from distributed import Client, LocalCluster

    # Dask's nannies set MALLOC_TRIM_THRESHOLD_, which turns off glibc's sliding mmap
    # threshold: every large numpy array of a day is then mmapped afresh, 10x the page faults
    # and twice the CPU time of a plain process (measured: benchmarks/bench_impact.py).
    # Our workers keep only small results, so glibc's own behaviour is the better one.
    environ = {
        name: value
        for name, value in dask.config.get("distributed.nanny.pre-spawn-environ").items()
        if name != "MALLOC_TRIM_THRESHOLD_"
    }
    with (
        # A worker that dies running a date fails that date at once (KilledWorker) instead of
        # Dask rerunning it quietly: run_days retries it and the report lists the attempt,
        # as on the process pool. The scheduler of a LocalCluster reads this when made.
        dask.config.set(
            {
                "distributed.nanny.pre-spawn-environ": environ,
                "distributed.scheduler.allowed-failures": 0,
            }
        ),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host=LOOPBACK,
            dashboard_address=None,
            worker_dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield DaskExecutor(client, f"Dask LocalCluster of {workers}")


@contextmanager
def existing_scheduler(address: str) -> Iterator[DaskExecutor]:
    """A client of the scheduler at `address`; the cluster is left as it was found.

    Parameters
    ----------
    address : str
        ``tcp://host:port``.

    Yields
    ------
    DaskExecutor

    Raises
    ------
    WorkbenchInputError
        When the address is not tcp://host:port or no scheduler answers there.
    """
    from distributed import Client

    problem = scheduler_address_error(address)
    if problem:
        raise WorkbenchInputError(problem)
    try:
        client = Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError) as exc:
        raise WorkbenchInputError(
            f"no Dask scheduler answered at {address} within {CONNECT_SECONDS} s "
            f"({type(exc).__name__}); start one (dask scheduler) or check the address"
        ) from None
    try:
        yield DaskExecutor(client, f"Dask scheduler {address}")
    finally:
        client.close()
