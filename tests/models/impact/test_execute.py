"""The 1-process path and the process pool: the same results, retries, failures reported,
cancel."""

from __future__ import annotations

from datetime import date

import psutil
import pytest

from engine.variants import VARIANTS
from models.db.database import SettlementDatabase
from models.impact.execute import ImpactCancelled, PoolExecutor, SerialExecutor, run_days
from models.impact.plan import DayTask, impact_plan
from tests.models.impact.impact_demo import FIRST, LAST, assert_same


@pytest.fixture(scope="module")
def tasks(demo_db):
    with SettlementDatabase.open(demo_db) as db, db.engine.connect() as conn:
        return impact_plan(conn, FIRST, LAST)


def test_serial_and_process_pool_give_identical_results(demo_db, tasks):
    seen = []
    serial, failures = run_days(SerialExecutor(), demo_db, tasks, VARIANTS["par-50"],
                                progress=seen.append)  # fmt: skip
    assert failures == [] and len(serial) == 9
    assert [(p.done, p.total) for p in seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert any((r.price_base != r.price_variant).any() for r in serial)
    # Only the pool's own processes: session fixtures (database servers, the broker) may have
    # children of this process running already.
    before = {p.pid for p in psutil.Process().children()}
    with PoolExecutor(2) as pool:
        pooled, failures = run_days(pool, demo_db, tasks, VARIANTS["par-50"])
        workers = [p for p in psutil.Process().children() if p.pid not in before and
                   "resource_tracker" not in " ".join(p.cmdline())]  # fmt: skip
    assert failures == []
    assert_same(serial, pooled)
    assert workers and not any(p.is_running() for p in workers)


def test_a_failing_date_is_retried_then_reported_and_the_others_still_settle(demo_db, tasks):
    broken = DayTask(date(2024, 6, 15), (999,), ("run 999",))
    seen = []
    impacts, failures = run_days(SerialExecutor(), demo_db, [tasks[0], broken, tasks[2]],
                                 VARIANTS["rulebook"], retries=2, progress=seen.append)  # fmt: skip
    assert [r.settlement_date for r in impacts] == [FIRST] * 3 + [LAST] * 3
    (failure,) = failures
    assert (failure.settlement_date, failure.attempts) == (date(2024, 6, 15), 3)
    assert failure.error.startswith("RunNotFoundError") and "\n" not in failure.error
    assert (seen[-1].done, seen[-1].failed, seen[-1].retried) == (3, 1, 2)


def test_the_pool_retries_and_reports_the_same_way(demo_db, tasks):
    broken = DayTask(date(2024, 6, 15), (999,), ("run 999",))
    with PoolExecutor(2) as pool:
        impacts, failures = run_days(pool, demo_db, [broken, tasks[1]], VARIANTS["rulebook"])
    assert [f.attempts for f in failures] == [2] and len(impacts) == 3


def test_cancel_stops_between_dates(demo_db, tasks):
    seen = []
    with pytest.raises(ImpactCancelled):
        run_days(SerialExecutor(), demo_db, tasks, VARIANTS["rulebook"], progress=seen.append,
                 cancelled=lambda: len(seen) >= 2)  # fmt: skip
    assert seen[-1].done == 1  # one date settled, then cancelled
