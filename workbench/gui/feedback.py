"""Where a controller reports: the status bar's line and the error dialog (the window's)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Feedback:
    status: Callable[[str], None]  # one line in the status bar
    error: Callable[..., None]  # (title, message, details=""): a dialog, and the status line

    def job_failed(self, message: str, details: str) -> None:
        self.error("The job failed", message, details)

    def job_cancelled(self) -> None:
        self.status("Cancelled.")
