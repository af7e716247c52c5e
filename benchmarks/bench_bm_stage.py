"""BM stage (issue 3): accepted volumes and cashflows of a GB-scale day.

Subject: `engine.bm_stage.run_bm_stage` on the demo generator's GB-scale day (3,000 BM units,
about 6,000 acceptances, up to 12 pairs), validation included, best of 5.
Baseline: the plain minute-by-minute reference in tests/engine/reference_volumes.py, on a
sample of units with acceptances, in the same run. Both are reported per acceptance-period
(an acceptance's volume in one settlement period), so the sample size does not matter.
Loading the run from SQLite into engine inputs is timed separately.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.timing import best_of
from engine.bm_stage import run_bm_stage
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.runs.inputs import load_bm_inputs
from models.runs.run_store import list_runs
from tests.engine.reference_volumes import reference_volumes

SAMPLE_UNITS = 40


def acceptance_periods(result) -> int:
    """Acceptance × period combinations the day's acceptances touch."""
    spans = result.spans
    rr = result.inputs.acceptances.rr_flag
    start = result.inputs.day_start
    first = (spans.first[~rr] - start) // 1800
    last = (spans.last[~rr] - start - 1) // 1800
    return int((np.maximum(last, first) - first + 1).sum())


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gb.sqlite"
        generate_demo(path, DemoSpec(bmus=3000))
        with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
            run_id = next(r.id for r in list_runs(conn) if r.run_type == "SF")
            began = time.perf_counter()
            inputs = load_bm_inputs(conn, run_id)
            load_seconds = time.perf_counter() - began
    result = run_bm_stage(inputs, 10)
    engine_seconds = best_of(5, lambda: run_bm_stage(inputs, 10))
    engine_pieces = acceptance_periods(result)

    with_acceptances = np.unique(inputs.acceptances.unit)
    rng = np.random.default_rng(0)
    sample = np.sort(rng.choice(with_acceptances, size=SAMPLE_UNITS, replace=False))
    subset = inputs.restricted_to(sample)
    subset_result = run_bm_stage(subset, 10)
    began = time.perf_counter()
    reference_volumes(subset)
    reference_seconds = time.perf_counter() - began
    reference_pieces = acceptance_periods(subset_result)

    per_engine = engine_seconds / engine_pieces
    per_reference = reference_seconds / reference_pieces
    print(
        f"GB-scale day: {len(inputs.bm_units):,} BM units, {len(inputs.acceptances):,} "
        f"acceptances, {len(inputs.pairs):,} pair-periods, {engine_pieces:,} acceptance-periods"
    )
    print(f"load run from SQLite       : {load_seconds:7.3f} s")
    print(f"engine, whole day (best/5) : {engine_seconds:7.3f} s  (target ≤ 0.5 s)")
    print(
        f"reference, {SAMPLE_UNITS} units       : {reference_seconds:7.3f} s "
        f"for {reference_pieces:,} acceptance-periods"
    )
    print(
        f"per acceptance-period      : engine {per_engine * 1e6:.2f} µs, "
        f"reference {per_reference * 1e6:.0f} µs"
    )
    print(f"speed-up per acceptance-period: {per_reference / per_engine:,.0f}x  (target ≥ 100x)")
