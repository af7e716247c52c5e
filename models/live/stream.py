"""What a live source tells its listener: counts of messages by outcome, and when to stop."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from models.db.database import SettlementDatabase
from models.live.handler import Message, Outcome, handle

CHECK_SECONDS = 0.2  # how often a source looks at its stop event and idle time


@dataclass
class Stream:
    """The state a source shares with whoever started it: `stop` (set from any thread, e.g. on
    Ctrl+C) ends it cleanly; `until_idle` seconds without a message end it too (None: never)."""

    db: SettlementDatabase
    stop: threading.Event = field(default_factory=threading.Event)
    until_idle: float | None = None
    counts: Counter = field(default_factory=Counter)
    on_outcome: Callable[[Message, Outcome], None] | None = None
    last_message: float = field(default_factory=time.monotonic)

    def take(self, message: Message) -> Outcome:
        """Write one message (committed when this returns: the source may acknowledge it)."""
        outcome = handle(self.db, message)
        self.counts[outcome.status] += 1
        self.last_message = time.monotonic()
        if self.on_outcome is not None:
            self.on_outcome(message, outcome)
        return outcome

    def done(self) -> bool:
        if self.stop.is_set():
            return True
        idle = time.monotonic() - self.last_message
        return self.until_idle is not None and idle >= self.until_idle
