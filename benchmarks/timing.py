"""Timing helpers shared by the benchmarks."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path


def best_of(repeats: int, action: Callable[[], object]) -> float:
    """The fastest of `repeats` wall-clock timings of `action`, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - began)
    return best


def parse_files(paths: Sequence[Path]) -> None:
    """The baseline of an import benchmark: parse the same files with the standard library
    only, `json.load` for JSON and `csv.reader` (every row) for CSV."""
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            if handle.read(1) in "[{":
                handle.seek(0)
                json.load(handle)
            else:
                handle.seek(0)
                for _row in csv.reader(handle):
                    pass
