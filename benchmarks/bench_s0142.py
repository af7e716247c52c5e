"""Reading a GB-scale S0142 (issue 18): target ≤ 15 s for ~1.5 million records.

The file is the full-size synthetic S0142 of `models/p114/synthetic.py` (7,600 BM units, 480
parties, 48 periods, every record type), gzip-compressed as Elexon publishes it; writing it
is not timed. The baseline, measured in the same run on the same file, is `gzip -dc FILE >
/dev/null`: the reader's time is reported as a multiple of it. Wall-clock and CPU seconds are
both printed, since a shared machine stretches the wall clock of both alike only roughly.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from models.p114.s0142_reader import read_s0142
from models.p114.synthetic import SyntheticSpec, write_synthetic_s0142


def _gzip_seconds(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds of `gzip -dc path > /dev/null`, best of three."""
    gzip = shutil.which("gzip")
    if gzip is None:
        raise SystemExit("bench_s0142 needs the gzip program for its baseline")
    best = (float("inf"), float("inf"))
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        began = time.perf_counter()
        with open(os.devnull, "wb") as sink:
            subprocess.run([gzip, "-dc", str(path)], stdout=sink, check=True)
        wall = time.perf_counter() - began
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        best = min(best, (wall, cpu))
    return best


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "S0142_20260217_R3_20260922224432.gz"
        began = time.perf_counter()
        records = write_synthetic_s0142(path, SyntheticSpec())
        print(
            f"synthetic S0142: {records:,} records, {path.stat().st_size / 1e6:,.1f} MB gzip "
            f"(written in {time.perf_counter() - began:.1f} s, not timed)"
        )
        gzip_wall, gzip_cpu = _gzip_seconds(path)
        print(f"baseline, gzip -dc: {gzip_wall:.2f} s wall, {gzip_cpu:.2f} s CPU")
        began, cpu = time.perf_counter(), time.process_time()
        content = read_s0142(path)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
        assert content.records == records
        tables = content.tables
        print(
            f"read_s0142: {wall:.2f} s wall, {cpu:.2f} s CPU ({records / wall:,.0f} records/s; "
            f"{wall / gzip_wall:.1f}× gzip wall, {cpu / gzip_cpu:.1f}× gzip CPU; target ≤ 15 s)"
        )
        print(
            f"BM units {len(set(tables['BPI'].columns['bm_unit_id'])):,}, parties "
            f"{len(tables['BPH']):,}, BP7 {len(tables['BP7']):,}, SSD {len(tables['SSD']):,}"
        )
