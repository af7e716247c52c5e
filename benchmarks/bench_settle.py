"""Settling a day (issue 9): a GB-scale day end to end, and 30 days on both cores.

1. A GB-scale demo day (3,000 BM units, ~6,000 acceptances, ~365 parties, 48 periods):
   `engine.settle.settle_day` from engine inputs, best of 3 (target ≤ 1 s); loading the run
   from SQLite into engine inputs is timed separately.
2. 30 consecutive GB-scale demo days (set BENCH_DAYS to change): each worker process opens
   the database, loads a day's SF run and settles it. Baseline: one process, in the same run;
   subject: two processes (both cores). Reported as days per second and their ratio.
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

from benchmarks.timing import best_of
from engine.settle import settle_day
from models.db.database import SettlementDatabase
from models.demo.generator import DEFAULT_DATE, DemoSpec, generate_demo
from models.runs.inputs import load_settlement_inputs
from models.runs.run_store import list_runs

DAYS = int(os.environ.get("BENCH_DAYS", "30"))


def _sf_runs(path: Path) -> list[int]:
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        return [r.id for r in list_runs(conn) if r.run_type == "SF"]


def _settle_stored(args: tuple[str, int]) -> int:
    path, run_id = args
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        inputs = load_settlement_inputs(conn, run_id)
    result = settle_day(inputs)
    return sum(1 for c in result.checks if not c.ok)


def _throughput(path: Path, runs: list[int], workers: int) -> tuple[float, int]:
    began = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        failed = sum(pool.map(_settle_stored, [(str(path), r) for r in runs]))
    return len(runs) / (time.perf_counter() - began), failed


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        day_path = Path(folder) / "day.sqlite"
        generate_demo(day_path, DemoSpec(bmus=3000))
        (run_id,) = _sf_runs(day_path)
        with SettlementDatabase.open(day_path) as db, db.engine.connect() as conn:
            began = time.perf_counter()
            inputs = load_settlement_inputs(conn, run_id)
            load_seconds = time.perf_counter() - began
        result = settle_day(inputs)
        settle_seconds = best_of(3, lambda: settle_day(inputs))
        failed = [c for c in result.checks if not c.ok]
        print(
            f"GB-scale day: {len(inputs.bm.bm_units):,} BM units, "
            f"{len(inputs.bm.acceptances):,} acceptances, {len(inputs.parties):,} parties, "
            f"{len(inputs.periods)} periods; checks failed: {len(failed)}"
        )
        print(f"load SF run from SQLite : {load_seconds:6.2f} s")
        print(f"settle_day (best of 3)  : {settle_seconds:6.2f} s  (target ≤ 1 s)")

        days_path = Path(folder) / "days.sqlite"
        began = time.perf_counter()
        generate_demo(days_path, DemoSpec(bmus=3000, days=DAYS))
        print(
            f"\n{DAYS} GB-scale days generated in {time.perf_counter() - began:.0f} s "
            f"({days_path.stat().st_size / 1e9:.2f} GB), "
            f"{DEFAULT_DATE} to {DEFAULT_DATE + timedelta(days=DAYS - 1)}"
        )
        runs = _sf_runs(days_path)
        one, failed_one = _throughput(days_path, runs, 1)
        two, failed_two = _throughput(days_path, runs, 2)
        print(
            f"load + settle, 1 process  : {one:5.2f} days/s (baseline), checks failed {failed_one}"
        )
        print(f"load + settle, 2 processes: {two:5.2f} days/s, checks failed {failed_two}")
        print(f"ratio 2 / 1 processes     : {two / one:5.2f}x")
