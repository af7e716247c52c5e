"""Importing a GB-scale day of Insights JSON (issues 6 and 15): target ≤ 10 s for a day.

The day is a demo day written out as Insights API JSON: PN, MELS, MILS, BOD and BOALF, one
record per published segment (the demo gives few units a MEL and none a MIL). It is imported
into a fresh SQLite database holding the demo's BM unit register (imported first as an
Insights reference CSV, not timed). Two sizes: 1,500 units give about 320,000 records, the
size of a real GB day (~300,000); the demo's full GB scale, 3,000 units, gives about 640,000,
as its units bid every pair in every period. BENCH_IMPORT_BMUS=3000 measures one size only.

Baseline, measured in the same run: parsing the same files with `json.load`; the import is
also given as a ratio to it.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from benchmarks.insights_export import write_insights_json, write_register_csv
from benchmarks.timing import best_of, parse_files
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.imports.loader import import_files
from models.runs.run_store import list_runs

SIZES = tuple(int(n) for n in os.environ.get("BENCH_IMPORT_BMUS", "1500,3000").split(","))


def run() -> None:
    for bmus in SIZES:
        print(f"-- demo day of {bmus:,} BM units")
        _measure(bmus)


def _measure(bmus: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        demo = root / "demo.sqlite"
        generate_demo(demo, DemoSpec(bmus=bmus))
        with SettlementDatabase.open(demo) as db, db.engine.connect() as conn:
            run_id = next(r.id for r in list_runs(conn) if r.run_type == "SF")
        with SettlementDatabase.open(demo) as db:
            files = write_insights_json(db, run_id, root)
            register = write_register_csv(db, root / "register.csv")
        records = {p.name: len(json.loads(p.read_text())["data"]) for p in files}
        total = sum(records.values())
        megabytes = sum(p.stat().st_size for p in files) / 1e6
        parse_seconds = best_of(2, lambda: parse_files(files))
        target = root / "target.sqlite"
        with SettlementDatabase.create(target) as db:
            import_files(db, [register])
            began = time.perf_counter()
            summary = import_files(db, files)
            import_seconds = time.perf_counter() - began
        print(f"files: {', '.join(f'{n} {c:,}' for n, c in records.items())}")
        print(f"{total:,} records, {megabytes:,.1f} MB of JSON")
        print(f"baseline, json.load of the files: {parse_seconds:.2f} s")
        print(
            f"import into SQLite (one transaction): {import_seconds:.2f} s "
            f"({total / import_seconds:,.0f} records/s, {import_seconds / parse_seconds:.1f}× "
            f"the parse alone; target ≤ 10 s)"
        )
        print(f"runs written: {[p.run_label for p in summary.dates if p.run_id]}")
