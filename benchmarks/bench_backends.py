"""A GB-scale day on the three backends (issue 21): its import and a run's load on SQLite,
PostgreSQL and MariaDB, each server's figure as a ratio to SQLite's measured in the same run.
Targets: PostgreSQL's import ≤ 2× SQLite's, its load ≤ 1.5×.

The day is a demo day (BENCH_BACKENDS_BMUS units, 3,000 by default: the demo's full GB scale,
some 640,000 records) written out as Insights API JSON (PN, MELS, MILS, BOD, BOALF), as
bench_import_day writes it. Each backend gets a new database holding the demo's BM unit
register (imported first, not timed); the timed import writes the day's SF run in one
transaction; the load is `load_settlement_inputs` of that run, best of three.

The servers are started as the tests start theirs (tests/servers.py: PostgreSQL and MariaDB
from the distribution's packages on 127.0.0.1, durability off, stopped and removed at the end).
MariaDB's max_allowed_packet is raised to 256 MB, as the README asks of a team's server, so a
GB-scale day's columnar cache fits in one packet.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.insights_export import write_insights_json, write_register_csv
from benchmarks.timing import best_of
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.imports.loader import import_files
from models.runs.inputs import load_settlement_inputs
from models.runs.run_store import list_runs
from tests.servers import running_server

BMUS = int(os.environ.get("BENCH_BACKENDS_BMUS", "3000"))
BACKENDS = tuple(os.environ.get("BENCH_BACKENDS", "sqlite,postgresql,mariadb").split(","))
TARGETS = {"import": 2.0, "load": 1.5}  # PostgreSQL, as a ratio to SQLite
PACKET = 256 * 1024 * 1024


def run() -> None:
    print(f"-- demo day of {BMUS:,} BM units")
    with tempfile.TemporaryDirectory() as folder, ExitStack() as servers:
        root = Path(folder)
        files, register, records = _day_files(root)
        print(f"{records:,} records, {sum(p.stat().st_size for p in files) / 1e6:,.1f} MB of JSON")
        figures = {}
        for backend in BACKENDS:
            target = _new_database(backend, root, servers)
            figures[backend] = _measure(target, files, register)
            imported, loaded, rows = figures[backend]
            print(f"{backend}: import {imported:.2f} s, load {loaded:.3f} s ({rows:,} rows stored)")
        _ratios(figures)


def _day_files(root: Path) -> tuple[list[Path], Path, int]:
    demo = root / "demo.sqlite"
    generate_demo(demo, DemoSpec(bmus=BMUS))
    with SettlementDatabase.open(demo) as db:
        with db.engine.connect() as conn:
            run_id = next(r.id for r in list_runs(conn) if r.run_type == "SF")
        files = write_insights_json(db, run_id, root)
        register = write_register_csv(db, root / "register.csv")
    records = sum(len(json.loads(p.read_text())["data"]) for p in files)
    return files, register, records


def _new_database(backend: str, root: Path, servers: ExitStack) -> str | Path:
    if backend == "sqlite":
        return root / "target.sqlite"
    server = servers.enter_context(running_server(backend))
    if backend == "mariadb":
        engine = create_engine(server.url("mysql"))
        with engine.begin() as conn:
            conn.execute(text(f"SET GLOBAL max_allowed_packet = {PACKET}"))
        engine.dispose()
    return server.new_database("bench")


def _measure(target, files: list[Path], register: Path) -> tuple[float, float, int]:
    """(seconds to import the day, best seconds to load its run, rows the import stored)."""
    with SettlementDatabase.create(target) as db:
        import_files(db, [register])
        began = time.perf_counter()
        summary = import_files(db, files)
        imported = time.perf_counter() - began
        (part,) = [p for p in summary.dates if p.run_id]
        with db.engine.connect() as conn:
            loaded = best_of(3, lambda: load_settlement_inputs(conn, part.run_id))
        return imported, loaded, sum(part.records.values())


def _ratios(figures: dict) -> None:
    if "sqlite" not in figures:
        return
    base_import, base_load, _ = figures["sqlite"]
    for backend in (b for b in figures if b != "sqlite"):
        imported, loaded, _ = figures[backend]
        line = (
            f"{backend} / SQLite: import {imported / base_import:.2f}×, "
            f"load {loaded / base_load:.2f}×"
        )
        if backend == "postgresql":
            line += f" (targets ≤ {TARGETS['import']}×, ≤ {TARGETS['load']}×)"
        print(line)
