"""How long the GUI thread is held up: a 2 ms timer on it, and the longest wait between two of
its ticks while the event loop runs (a thread's work, a paint, a slot: whatever keeps the loop
from turning shows as a gap). Shared by the table and window benchmarks and their tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import pairwise

from PySide6.QtCore import QTimer

TICK_MS = 2


class Heartbeat:
    """`with Heartbeat() as beat: ...` then `beat.longest` (seconds); `beat.mark()` starts a
    new measurement (the longest gap since)."""

    def __init__(self) -> None:
        self.ticks: list[float] = []
        self._timer = QTimer(interval=TICK_MS)
        self._timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def __enter__(self) -> Heartbeat:
        self.mark()
        self._timer.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._timer.stop()
        self.ticks.append(time.perf_counter())  # a gap up to the end counts too

    def mark(self) -> None:
        self.ticks = [time.perf_counter()]

    @property
    def longest(self) -> float:
        ticks = self.ticks
        return max((b - a for a, b in pairwise(ticks)), default=0.0)


def spin(app, until: Callable[[], bool], timeout: float, at_least: float = 0.0) -> float:
    """Run the event loop until `until()` (and `at_least` seconds have passed) or `timeout`
    seconds; the seconds it took. Raises TimeoutError if `until()` never held."""
    began = time.perf_counter()
    while True:
        app.processEvents()
        elapsed = time.perf_counter() - began
        if elapsed >= at_least and until():
            return elapsed
        if elapsed > timeout:
            raise TimeoutError(f"not done after {timeout:.0f} s")
        time.sleep(0.0005)  # a busy loop would take the GIL from the threads it waits for
