"""The 1-process path and the process pool: the same results, retries, failures reported,
cancel."""

from __future__ import annotations

from datetime import date
from functools import partial

import psutil
import pytest

from engine.variants import VARIANTS
from models.db.database import SettlementDatabase
from models.impact.execute import (
    ImpactCancelled,
    PoolExecutor,
    SerialExecutor,
    progress_text,
    run_days,
)
from models.impact.plan import DayTask, impact_plan
from models.impact.report import DayRetry
from tests.models.impact.impact_demo import FIRST, LAST, assert_same, flaky_day

MIDDLE = date(2024, 6, 13)


@pytest.fixture(scope="module")
def tasks(demo_db):
    with SettlementDatabase.open(demo_db) as db, db.engine.connect() as conn:
        return impact_plan(conn, FIRST, LAST)


@pytest.fixture(scope="module")
def clean(demo_db, tasks):
    """The days settled in this process with nothing failing."""
    return run_days(SerialExecutor(), demo_db, tasks, VARIANTS["par-50"]).impacts


def test_serial_and_process_pool_give_identical_results(demo_db, tasks):
    seen = []
    done = run_days(SerialExecutor(), demo_db, tasks, VARIANTS["par-50"], progress=seen.append)
    serial = done.impacts
    assert done.failures == done.retries == [] and len(serial) == 9
    assert [(p.done, p.total) for p in seen] == [(0, 3), (1, 3), (2, 3), (3, 3)]
    assert any((r.price_base != r.price_variant).any() for r in serial)
    # Only the pool's own processes: session fixtures (database servers, the broker) may have
    # children of this process running already.
    before = {p.pid for p in psutil.Process().children()}
    with PoolExecutor(2) as pool:
        pooled_done = run_days(pool, demo_db, tasks, VARIANTS["par-50"])
        pooled, failures = pooled_done.impacts, pooled_done.failures
        workers = [p for p in psutil.Process().children() if p.pid not in before and
                   "resource_tracker" not in " ".join(p.cmdline())]  # fmt: skip
    assert failures == []
    assert_same(serial, pooled)
    assert workers and not any(p.is_running() for p in workers)


def test_a_failing_date_is_retried_then_reported_and_the_others_still_settle(demo_db, tasks):
    broken = DayTask(date(2024, 6, 15), (999,), ("run 999",))
    seen = []
    done = run_days(SerialExecutor(), demo_db, [tasks[0], broken, tasks[2]],
                    VARIANTS["rulebook"], retries=2, progress=seen.append)  # fmt: skip
    assert [r.settlement_date for r in done.impacts] == [FIRST] * 3 + [LAST] * 3
    (failure,) = done.failures
    assert [(r.settlement_date, r.attempt) for r in done.retries] == [
        (date(2024, 6, 15), 1),
        (date(2024, 6, 15), 2),
    ]
    assert (failure.settlement_date, failure.attempts) == (date(2024, 6, 15), 3)
    assert failure.error.startswith("RunNotFoundError") and "\n" not in failure.error
    assert (seen[-1].done, seen[-1].failed, seen[-1].retried) == (3, 1, 2)


def test_the_pool_retries_and_reports_the_same_way(demo_db, tasks):
    broken = DayTask(date(2024, 6, 15), (999,), ("run 999",))
    with PoolExecutor(2) as pool:
        done = run_days(pool, demo_db, [broken, tasks[1]], VARIANTS["rulebook"])
    assert [f.attempts for f in done.failures] == [2] and len(done.impacts) == 3
    assert [f.settlement_date for f in done.failures] == [date(2024, 6, 15)]


def test_cancel_stops_between_dates(demo_db, tasks):
    seen = []
    with pytest.raises(ImpactCancelled):
        run_days(SerialExecutor(), demo_db, tasks, VARIANTS["rulebook"], progress=seen.append,
                 cancelled=lambda: len(seen) >= 2)  # fmt: skip
    assert seen[-1].done == 1  # one date settled, then cancelled


def test_a_date_failing_once_is_retried_reported_and_settles_as_in_a_clean_run(
    demo_db, tasks, clean, tmp_path
):
    seen = []
    day = partial(flaky_day, str(tmp_path), MIDDLE, "raise once")
    done = run_days(SerialExecutor(), demo_db, tasks, VARIANTS["par-50"], progress=seen.append,
                    day=day)  # fmt: skip
    assert done.failures == []
    assert done.retries == [DayRetry(MIDDLE, 1, "OSError: disk read error on 2024-06-13")]
    assert_same(clean, done.impacts)
    # The retry shows at once: the second date's failure, before it is done.
    assert [(p.done, p.retried) for p in seen] == [(0, 0), (1, 0), (1, 1), (2, 1), (3, 1)]


def test_a_killed_pool_process_is_replaced_and_its_dates_retried(demo_db, tasks, clean, tmp_path):
    day = partial(flaky_day, str(tmp_path), MIDDLE, "kill once")
    with PoolExecutor(2) as pool:
        done = run_days(pool, demo_db, tasks, VARIANTS["par-50"], day=day)
        assert pool.restarts == 1  # the broken pool was replaced once
        again = run_days(pool, demo_db, tasks[:1], VARIANTS["par-50"]).impacts  # still usable
    assert done.failures == []
    assert_same(clean, done.impacts)
    assert_same(clean[:3], again)
    # Every date the dead pool held failed with it and was retried; the killed one among them.
    assert MIDDLE in {r.settlement_date for r in done.retries}
    assert all(r.attempt == 1 for r in done.retries)
    assert all(r.error.startswith("BrokenProcessPool: ") for r in done.retries)


def test_a_date_that_always_fails_is_reported_by_date_after_its_retries(
    demo_db, tasks, clean, tmp_path
):
    day = partial(flaky_day, str(tmp_path), MIDDLE, "always")
    with PoolExecutor(2) as pool:
        done = run_days(pool, demo_db, tasks, VARIANTS["par-50"], retries=2, day=day)
    (failure,) = done.failures
    assert (failure.settlement_date, failure.attempts) == (MIDDLE, 3)
    assert failure.error == "OSError: disk read error on 2024-06-13"
    assert [(r.settlement_date, r.attempt) for r in done.retries] == [(MIDDLE, 1), (MIDDLE, 2)]
    assert_same([r for r in clean if r.settlement_date != MIDDLE], done.impacts)


def test_progress_shows_days_rate_eta_retries_and_failures():
    assert progress_text(0, 30, 0.0) == "0/30 days"
    assert progress_text(12, 30, 5.0) == "12/30 days 2.4/s ETA 8 s"
    assert progress_text(30, 30, 10.0, failed=1) == "30/30 days 3/s ETA 0 s, 1 failed"
    assert progress_text(3, 4, 1.0, retried=2) == "3/4 days 3/s ETA 0 s, 2 retried"
