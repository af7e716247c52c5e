"""Importing a whole-market settlement period (issue 15, item 8): target ≤ 1 s.

1. Demo: period 27 of a 1,400-unit demo day (about the ~1,400 units of the real market) as
   Insights API JSON, PN, MELS, MILS, BOD and BOALF, one record per published segment (MELS
   and MILS derived from PN, see `insights_export`), with the demo's BM unit register as an
   Insights reference CSV. Timed: the period's files into a
   database already holding the register (best of 3, a fresh copy each time), and register
   and period in one import, as a new user does it.
2. Real: when BENCH_REAL_PERIOD_DIR names a folder, its BM data files (legacy BMRS `HDR`
   files and Insights JSON; other files there are left alone) are imported the same way,
   with the register in BENCH_REAL_REGISTER (default: the CRA 2022-06 export in
   ../shared/data/elexon/reference, the register published after the real period).

Baseline, measured in the same run: parsing the same files with the standard library only
(`json.load`, `csv.reader` for CSV); every figure is also given as a ratio to it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.insights_export import write_insights_json, write_register_csv
from benchmarks.timing import best_of, parse_files
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.imports.loader import import_files
from models.imports.report import ImportRejected
from models.runs.run_store import list_runs

BMUS = 1400
PERIOD = 27
REPEATS = 3
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "elexon"
CRA_REGISTER = SHARED / "reference" / "bmu_register_cra_2022-06.csv"


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        print(f"-- demo: period {PERIOD} of a {BMUS:,}-unit demo day, Insights JSON")
        files, register = _demo_period(root)
        measure(files, register, root / "demo")
        real = os.environ.get("BENCH_REAL_PERIOD_DIR")
        if real:
            folder = Path(real)
            files = sorted(p for p in folder.iterdir() if p.is_file() and _is_bm_data(p))
            register = Path(os.environ.get("BENCH_REAL_REGISTER", CRA_REGISTER))
            print(f"-- real: {', '.join(p.name for p in files)} (register {register.name})")
            measure(files, register, root / "real")
        else:
            print("-- real: set BENCH_REAL_PERIOD_DIR to a folder of a real period's files")


def _demo_period(root: Path) -> tuple[list[Path], Path]:
    demo = root / "demo.sqlite"
    generate_demo(demo, DemoSpec(bmus=BMUS))
    with SettlementDatabase.open(demo) as db:
        with db.engine.connect() as conn:
            run_id = next(r.id for r in list_runs(conn) if r.run_type == "SF")
        files = write_insights_json(db, run_id, root, period=PERIOD, limits_from_pn=True)
        register = write_register_csv(db, root / "register.csv")
    return files, register


def _is_bm_data(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(64).lstrip()
    return head.startswith((b"HDR,", b"{", b"[")) and path.suffix in (".csv", ".json")


def measure(files: list[Path], register: Path, folder: Path) -> None:
    """Print the import figures of `files` (with `register`) against their parse baseline."""
    folder.mkdir()
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    parse = best_of(REPEATS, lambda: parse_files(files))
    with_register = best_of(REPEATS, lambda: parse_files([register, *files]))
    registered = folder / "registered.sqlite"
    with SettlementDatabase.create(registered) as db:
        import_files(db, [register])
    counter = iter(range(10**6))

    def import_period(paths: list[Path], start: Path | None) -> tuple[float, object]:
        target = folder / f"target{next(counter)}.sqlite"
        if start is None:
            SettlementDatabase.create(target).close()
        else:
            shutil.copy(start, target)
        with SettlementDatabase.open(target) as db:
            began = time.perf_counter()
            try:
                summary = import_files(db, paths)
            except ImportRejected as exc:
                summary = exc
            return time.perf_counter() - began, summary

    timings = [import_period(files, registered) for _ in range(REPEATS)]
    seconds, summary = min(timings, key=lambda t: t[0])
    together = min(import_period([register, *files], None)[0] for _ in range(REPEATS))
    if isinstance(summary, ImportRejected):
        print(f"import REJECTED in {seconds:.3f} s: {summary.report.text(shown=3)}")
        return
    records = sum(v for k, v in summary.records.items())
    print(f"{records:,} records ({dict(summary.records)}), {megabytes:,.1f} MB")
    print(f"baseline, parsing the files (json.load / csv.reader): {parse * 1e3:.0f} ms")
    print(
        f"import of the period, register already held: {seconds:.3f} s "
        f"({seconds / parse:.1f}× the parse; target ≤ 1 s)"
    )
    print(
        f"register ({register.name}) and period in one import: {together:.3f} s "
        f"({together / with_register:.1f}× parsing both)"
    )
    command = min(_import_command(files, registered, folder / f"cli{n}.sqlite") for n in range(2))
    startup = min(_python_startup() for _ in range(2))
    print(
        f"`settlement-workbench import` of the period in a new process: {command:.3f} s, of "
        f"which {startup:.3f} s is starting Python with numpy and SQLAlchemy (the command's "
        "own imports, such as pandas for the dataset cache, count as import time)"
    )
    rules = Counter(w.rule for w in summary.warnings)
    print(
        f"runs written: {[p.run_label for p in summary.dates if p.run_id]}; "
        f"{len(summary.warnings)} warning(s) {dict(rules)}"
    )


def _import_command(files: list[Path], registered: Path, target: Path) -> float:
    """Wall-clock seconds of the import command in a new process, start-up included."""
    shutil.copy(registered, target)
    command = [sys.executable, "-m", "workbench", "import", "--db", str(target), *map(str, files)]
    began = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - began


def _python_startup() -> float:
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import numpy, sqlalchemy"], check=True)
    return time.perf_counter() - began
