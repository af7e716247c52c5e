"""Settle-and-reconcile of a GB-scale S0142 (issue 18: ≤ 5 s beyond reading the file).

Two files, each timed against `gzip -dc` of the same file:

1. H7's full-size synthetic S0142 (models/p114/synthetic.py: 7,600 BM units, 480 parties).
   Its figures are random, so nearly every value differs from the engine's: the worst case
   of the comparison. A run for its date is made from the file itself (its BM units, lead
   parties, TLF; no BM data), then the file is imported and reconciled.
2. A consistent full-size day (`BENCH_RECONCILE_ROUND_TRIP=1`: about 3 minutes more): a
   7,600-unit demo day settled by the engine, written as an S0142, imported and reconciled:
   zero differences expected.

Reported: import (not in the target), and settle-and-reconcile split into loading the run's
inputs, settling, reading the SAA's figures (from their columnar cache, and in the same run
from their rows, as before schema 0011: before and after) and comparing; that both reconcile
alike; `reconcile(conn, run)` end to end; also the comparison straight from the file read in
memory (read_s0142 → saa_columns → compare), which skips the database.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.bench_s0142 import _gzip_seconds
from engine.settle import settle_day
from engine.settlement_calendar import RunType
from models.db.database import SettlementDatabase
from models.db.saa_cache import read_saa_cache, read_saa_rows
from models.imports.loader import import_files
from models.p114.s0142_reader import read_s0142
from models.published.saa_store import read_saa_report, saa_columns
from models.reconcile.s0142 import compare, reconcile
from models.register.snapshots import ensure_parties, ensure_units
from models.runs.inputs import load_settlement_inputs
from models.runs.run_store import create_bm_dataset, create_run, finish_loading, write_inputs


def _clock():
    return time.perf_counter(), time.process_time()


def _since(began) -> str:
    wall, cpu = time.perf_counter() - began[0], time.process_time() - began[1]
    return f"{wall:.2f} s wall, {cpu:.2f} s CPU"


def _base_run(db: SettlementDatabase, content) -> None:
    """A run of the file's date holding its BM units (no BM data), for the import to extend."""
    t = content.tables
    bp7, sp7, bph = t["BP7"], t["SP7"], t["BPH"]
    day = content.first("SRH")["settlement_date"]
    units, rows = np.unique(bp7.columns["bm_unit_id"], return_index=True)
    party = bph.columns["bsc_party_id"][sp7.parent[bp7.parent]]
    qm = np.bincount(np.searchsorted(units, bp7.columns["bm_unit_id"]), bp7.columns["qm"])
    with db.engine.begin() as conn:
        ensure_parties(conn, {p: "" for p in bph.columns["bsc_party_id"].tolist()})
        ensure_units(conn, units.tolist())
        dataset = create_bm_dataset(conn, day, {}, source="bench_reconcile")
        run_id = create_run(conn, day, RunType.SF, bm_dataset_id=dataset, source="bench")
        write_inputs(
            conn,
            run_id,
            {
                "run_party": [{"party_id": p, "name": ""} for p in sorted(set(party.tolist()))],
                "run_bm_unit": [
                    {
                        "bm_unit_id": u,
                        "lead_party_id": str(party[r]),
                        "pc_status": "P" if q >= 0 else "C",
                        "trading_unit": u,
                        "tlf": float(bp7.columns["tlf"][r]),
                        "interconnector": False,
                    }
                    for u, r, q in zip(units.tolist(), rows.tolist(), qm.tolist(), strict=True)
                ],
            },
        )
        finish_loading(conn, run_id)


def reconcile_file(db: SettlementDatabase, path: Path, gzip_wall: float) -> None:
    began = _clock()
    summary = import_files(db, [path])
    (part,) = summary.dates
    print(f"  import (one transaction): {_since(began)}")
    with db.engine.connect() as conn:
        began = _clock()
        rows = read_saa_rows(conn, part.run_id)
        from_rows = time.perf_counter() - began[0]
        print(f"  read the SAA's figures from their rows (as before schema 0011): {_since(began)}")
        began = total = _clock()
        inputs = load_settlement_inputs(conn, part.run_id)
        print(f"  load the run's inputs: {_since(began)}")
        began = _clock()
        result = settle_day(inputs)
        print(f"  settle: {_since(began)}")
        began = _clock()
        saa = read_saa_cache(conn, part.run_id)
        report = read_saa_report(conn, part.run_id)
        from_cache = time.perf_counter() - began[0]
        print(f"  read the SAA's figures from their cache: {_since(began)}")
        began = _clock()
        rec = compare(result, saa, part.run_id, part.run_label, report)
        print(f"  compare: {_since(began)}")
        wall = time.perf_counter() - total[0]
        print(
            f"  settle-and-reconcile from the database: {_since(total)} "
            f"({wall / gzip_wall:.1f}× gzip wall; target ≤ 5 s); "
            f"{sum(rec.compared.values()):,} values compared, {rec.listed_count:,} listed"
        )
        print(
            f"  the same from the rows (before): {wall - from_cache + from_rows:.2f} s wall "
            f"({(wall - from_cache + from_rows) / gzip_wall:.1f}× gzip wall)"
        )
        same = rec.as_json(1000) == compare(result, rows, part.run_id, part.run_label,
                                            report).as_json(1000)  # fmt: skip
        print(f"  cache and rows reconcile alike: {same}")
        began = _clock()
        rec = reconcile(conn, part.run_id)
        print(
            f"  reconcile(conn, run) end to end (the CLI's call): {_since(began)} "
            f"({(time.perf_counter() - began[0]) / gzip_wall:.1f}× gzip wall)"
        )
    began = _clock()
    content = read_s0142(path)
    print(f"  read_s0142: {_since(began)}")
    began = _clock()
    result = settle_day(inputs)
    rec = compare(result, saa_columns(content))
    print(
        f"  settle-and-reconcile from the file in memory (inputs loaded): {_since(began)}; "
        f"{rec.listed_count:,} listed"
    )


def _synthetic(folder: Path) -> None:
    from models.p114.synthetic import SyntheticSpec, write_synthetic_s0142

    path = folder / "S0142_synthetic.gz"
    records = write_synthetic_s0142(path, SyntheticSpec())
    gzip_wall, _ = _gzip_seconds(path)
    print(f"synthetic S0142: {records:,} records; gzip -dc {gzip_wall:.2f} s")
    with SettlementDatabase.create(folder / "synthetic.sqlite") as db:
        _base_run(db, read_s0142(path))
        reconcile_file(db, path, gzip_wall)


def _round_trip(folder: Path) -> None:
    from models.demo.generator import DemoSpec, generate_demo
    from models.p114.from_settlement import ReportRun, write_s0142
    from models.runs.run_store import list_runs

    db_path = folder / "demo.sqlite"
    generate_demo(db_path, DemoSpec(bmus=7_600, seed=3))
    with SettlementDatabase.open(db_path) as db:
        with db.engine.connect() as conn:
            sf = next(r for r in list_runs(conn) if r.run_type == "SF")
            result = settle_day(load_settlement_inputs(conn, sf.id))
        path = folder / "S0142_demo.gz"
        records = write_s0142(path, result, ReportRun("R1"))
        gzip_wall, _ = _gzip_seconds(path)
        print(f"demo day as an S0142: {records:,} records; gzip -dc {gzip_wall:.2f} s")
        reconcile_file(db, path, gzip_wall)


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        _synthetic(Path(folder))
        if os.environ.get("BENCH_RECONCILE_ROUND_TRIP"):
            _round_trip(Path(folder))
