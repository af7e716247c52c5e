"""What a live source tells its listener: counts of messages by outcome, and when to stop; and
the days it closes as they become complete."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from models.db.database import SettlementDatabase
from models.live.append import RegisterCache
from models.live.handler import Message, Outcome, handle
from models.live.live_run import close_complete_days

CHECK_SECONDS = 0.2  # how often a source looks at its stop event and idle time
CLOSE_CHECK_SECONDS = 60.0  # how often, without messages, complete days are looked for


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Stream:
    """The state a source shares with whoever started it: `stop` (set from any thread, e.g. on
    Ctrl+C) ends it cleanly; `until_idle` seconds without a message end it too (None: never).
    `close_after`: a live run is closed once its day ended that long ago (None: only by hand,
    models.live.live_run), after a message and once a minute; `on_close` is told the runs."""

    db: SettlementDatabase
    stop: threading.Event = field(default_factory=threading.Event)
    until_idle: float | None = None
    counts: Counter = field(default_factory=Counter)
    on_outcome: Callable[[Message, Outcome], None] | None = None
    last_message: float = field(default_factory=time.monotonic)
    close_after: timedelta | None = None
    on_close: Callable[[list[int]], None] | None = None
    clock: Callable[[], datetime] = _utc_now
    register: RegisterCache = field(default_factory=RegisterCache)
    _last_close_check: float = field(default=float("-inf"))

    def take(self, message: Message) -> Outcome:
        """Write one message (committed when this returns: the source may acknowledge it)."""
        outcome = handle(self.db, message, self.register)
        self.counts[outcome.status] += 1
        self.last_message = time.monotonic()
        if self.on_outcome is not None:
            self.on_outcome(message, outcome)
        self.close_complete_days()
        return outcome

    def close_complete_days(self) -> list[int]:
        """Close the live runs whose day is complete (in one transaction)."""
        self._last_close_check = time.monotonic()
        if self.close_after is None:
            return []
        with self.db.engine.begin() as conn:
            closed = close_complete_days(conn, self.clock(), self.close_after)
        if closed and self.on_close is not None:
            self.on_close(closed)
        return closed

    def done(self) -> bool:
        if self.stop.is_set():
            return True
        if time.monotonic() - self._last_close_check >= CLOSE_CHECK_SECONDS:
            self.close_complete_days()  # the sources look here between messages
        idle = time.monotonic() - self.last_message
        return self.until_idle is not None and idle >= self.until_idle
