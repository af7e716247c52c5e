"""Dask: a real LocalCluster of 2 workers on the demo database (loopback only, no process left
behind), an existing scheduler used as it is, and the addresses refused."""

from __future__ import annotations

import os
import re
from datetime import date
from functools import partial

import numpy as np
import psutil
import pytest

from engine.variants import VARIANTS
from models.core.errors import WorkbenchInputError
from models.db.database import SettlementDatabase
from models.impact import cluster
from models.impact.cluster import existing_scheduler, local_cluster, scheduler_address_error
from models.impact.execute import ImpactCancelled, PoolExecutor, SerialExecutor, run_days
from models.impact.plan import impact_plan
from tests.models.impact.impact_demo import FIRST, LAST, assert_same, flaky_day

MIDDLE = date(2024, 6, 13)


def _children() -> list[psutil.Process]:
    # multiprocessing's resource tracker lives as long as this process, by design.
    return [
        p
        for p in psutil.Process().children(recursive=True)
        if "resource_tracker" not in " ".join(p.cmdline())
    ]


def _listening(pids) -> set[str]:
    addresses = set()
    for pid in pids:
        for conn in psutil.Process(pid).net_connections(kind="inet"):
            if conn.status == psutil.CONN_LISTEN:
                addresses.add(conn.laddr.ip)
    return addresses


def test_two_local_workers_give_the_results_of_one_process_and_leave_no_process(demo_db, tmp_path):
    with SettlementDatabase.open(demo_db) as db, db.engine.connect() as conn:
        tasks = impact_plan(conn, FIRST, LAST)
    before = {p.pid for p in _children()}
    serial = run_days(SerialExecutor(), demo_db, tasks, VARIANTS["par-50"]).impacts
    with PoolExecutor(2) as pool:
        pooled = run_days(pool, demo_db, tasks, VARIANTS["par-50"]).impacts
    with local_cluster(2) as dask:
        workers = dask.client.run(os.getpid)
        assert len(workers) == 2
        assert all(a.startswith("tcp://127.0.0.1:") for a in workers)
        assert dask.client.scheduler.address.startswith("tcp://127.0.0.1:")
        started = [p.pid for p in _children() if p.pid not in before]
        assert set(workers.values()) <= set(started)
        assert _listening([os.getpid(), *started]) <= {"127.0.0.1"}  # nothing but loopback
        # glibc's own malloc thresholds, not Dask's (models.impact.cluster.local_cluster).
        trim = dask.client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        assert set(trim.values()) == {os.environ.get("MALLOC_TRIM_THRESHOLD_")}
        clean = run_days(dask, demo_db, tasks, VARIANTS["rulebook"])
        unchanged, failures = clean.impacts, clean.failures
        varied = run_days(dask, demo_db, tasks, VARIANTS["par-50"]).impacts
        # --scheduler: a client of the running scheduler, which stays up after it closes.
        with existing_scheduler(dask.client.scheduler.address) as existing:
            again = run_days(existing, demo_db, tasks[:1], VARIANTS["par-50"]).impacts
        assert dask.client.run(os.getpid) == workers
        # Cancel after the first date: the others are cancelled, the cluster stays usable.
        seen = []
        with pytest.raises(ImpactCancelled):
            run_days(dask, demo_db, tasks, VARIANTS["par-50"], progress=seen.append,
                     cancelled=lambda: len(seen) >= 2)  # fmt: skip
        assert seen[-1].done < len(tasks)  # dates finishing together come in one batch
        after = run_days(dask, demo_db, tasks[2:], VARIANTS["par-50"]).impacts
        # A date raising once, a worker killed while settling a date: retried by run_days,
        # listed, and the days settle as in the clean run (the nanny restarts the worker).
        (tmp_path / "raise").mkdir()
        once = run_days(
            dask,
            demo_db,
            tasks,
            VARIANTS["par-50"],
            day=partial(flaky_day, str(tmp_path / "raise"), MIDDLE, "raise once"),
        )
        (tmp_path / "kill").mkdir()
        killed = run_days(
            dask,
            demo_db,
            tasks,
            VARIANTS["par-50"],
            day=partial(flaky_day, str(tmp_path / "kill"), MIDDLE, "kill once"),
        )
        always = run_days(
            dask,
            demo_db,
            tasks,
            VARIANTS["par-50"],
            day=partial(flaky_day, str(tmp_path / "kill"), MIDDLE, "always"),
        )
        dask.client.wait_for_workers(2, timeout=30)  # the nanny restarted the killed one
    assert failures == [] and len(unchanged) == 9
    for run in unchanged:
        assert np.array_equal(run.price_base, run.price_variant, equal_nan=True)
        assert np.array_equal(run.niv_base, run.niv_variant)
        assert np.array_equal(run.charges_base, run.charges_variant)
    assert_same(serial, varied)
    assert_same(pooled, varied)
    assert_same(serial[:3], again)
    assert_same(serial[6:], after)
    assert [(r.settlement_date, r.attempt, r.error) for r in once.retries] == [
        (MIDDLE, 1, "OSError: disk read error on 2024-06-13")
    ]
    # The dead worker's other date (it holds one queued) fails with it and is retried too.
    assert MIDDLE in {r.settlement_date for r in killed.retries}
    assert all(r.error.startswith("KilledWorker: ") for r in killed.retries)
    assert once.failures == killed.failures == []
    assert_same(serial, once.impacts)
    assert_same(serial, killed.impacts)
    assert [(f.settlement_date, f.attempts) for f in always.failures] == [(MIDDLE, 2)]
    assert_same([r for r in serial if r.settlement_date != MIDDLE], always.impacts)
    assert not [p for p in _children() if p.pid not in before]
    assert not any(psutil.pid_exists(pid) for pid in started)


@pytest.mark.parametrize(
    "address", ["127.0.0.1:8786", "tcp://host", "tcp://host:0", "tcp://host:99999", "http://h:1"]
)
def test_an_address_not_tcp_host_port_is_refused(address):
    assert "expected tcp://host:port" in scheduler_address_error(address)
    with (
        pytest.raises(WorkbenchInputError, match="expected tcp://host:port"),
        existing_scheduler(address),
    ):
        pass


def test_a_scheduler_that_does_not_answer_is_one_line(monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 1)
    line = "no Dask scheduler answered at tcp://127.0.0.1:9 within 1 s"
    with (
        pytest.raises(WorkbenchInputError, match=re.escape(line)),
        existing_scheduler("tcp://127.0.0.1:9"),
    ):
        pass
    assert scheduler_address_error("tcp://[::1]:8786") is None
