"""Demo database generation: a GB-scale day (3,000 BM units) against the default demo (60).

Baseline: the default 60-unit demo, measured in the same run. The ratio of time per BM unit
shows whether generation scales linearly with market size.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.timing import best_of
from models.demo.generator import DemoSpec, generate_demo


def run() -> None:
    with tempfile.TemporaryDirectory() as folder:
        small = Path(folder) / "small.sqlite"
        large = Path(folder) / "large.sqlite"
        t_small = best_of(3, lambda: generate_demo(small, DemoSpec(bmus=60), overwrite=True))
        t_large = best_of(1, lambda: generate_demo(large, DemoSpec(bmus=3000), overwrite=True))
        size = large.stat().st_size
    print(f"demo --bmus 60   : {t_small:7.2f} s (baseline)")
    print(f"demo --bmus 3000 : {t_large:7.2f} s, {size / 1e6:.1f} MB on disk")
    print(f"ratio 3000/60    : {t_large / t_small:7.1f}x time for 50x the units")
    print(f"per BM unit      : {t_large / 3000 * 1e3:.2f} ms vs {t_small / 60 * 1e3:.2f} ms")
