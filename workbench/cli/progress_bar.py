"""A one-line text progress bar on stderr for long command-line jobs (only on a terminal)."""

from __future__ import annotations

import sys


class ProgressBar:
    def __init__(self, stream=None, width: int = 30):
        self.stream = stream or sys.stderr
        self.width = width
        self.enabled = self.stream.isatty()
        self._last = ""

    def __call__(self, fraction: float, text: str) -> None:
        if not self.enabled:
            return
        filled = round(self.width * max(0.0, min(1.0, fraction)))
        line = f"\r[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} {text[:50]:50s}"
        if line != self._last:
            self.stream.write(line)
            self.stream.flush()
            self._last = line

    def close(self) -> None:
        if self.enabled and self._last:
            self.stream.write("\r" + " " * len(self._last) + "\r")
            self.stream.flush()
