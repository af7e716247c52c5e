"""What a live source tells its listener: counts of messages by outcome, and when to stop; the
days it closes as they become complete; and the indicative prices of the days it wrote to.

After a message is written its day's live run is settled (models.live.indicative): at once when
the last settle ended at least SETTLE_SPACING times its own cost ago, else as soon as that
holds (after a later message, or between messages: the sources look at `done` every
CHECK_SECONDS), and always before the stream ends or the day's live run closes (the close
settles it on its last data: models.live.live_run.close_live_run). So a day costing 0.15 s
to settle is settled within some half a second of its message, and settling takes at most a
third of the listener's time however fast the messages come.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from engine.errors import EngineInputError
from models.core.errors import WorkbenchInputError
from models.db.database import SettlementDatabase
from models.live.append import RegisterCache
from models.live.handler import WRITTEN, Message, Outcome, handle
from models.live.indicative import IndicativeDay, IndicativePeriod, settle_live_run
from models.live.live_run import close_complete_days

CHECK_SECONDS = 0.2  # how often a source looks at its stop event and idle time
CLOSE_CHECK_SECONDS = 60.0  # how often, without messages, complete days are looked for
SETTLE_SPACING = 2.0  # a settle starts this many times its predecessor's cost after it ended


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Stream:
    """The state a source shares with whoever started it: `stop` (set from any thread, e.g. on
    Ctrl+C) ends it cleanly; `until_idle` seconds without a message end it too (None: never).
    `close_after`: a live run is closed once its day ended that long ago (None: only by hand,
    models.live.live_run), after a message and once a minute; `on_close` is told the runs.
    `settle`: the live runs written to are settled (module docstring); `on_settled` is told
    each settled day and the periods whose indicative price, NIV, acceptances or published
    price changed since the day was last settled; `on_settle_failed` the run and the reason
    when its data cannot be settled (the stream goes on). `on_connection` is told by a source
    with a connection (a broker) each change of it: (connected, what happens next), e.g.
    (False, "reconnecting in 0.5 s, attempt 1")."""

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
    settle: bool = True
    on_settled: Callable[[IndicativeDay, list[IndicativePeriod]], None] | None = None
    on_settle_failed: Callable[[int, str], None] | None = None
    on_connection: Callable[[bool, str], None] | None = None
    settles: int = 0
    settle_seconds: float = 0.0
    _last_close_check: float = field(default=float("-inf"))
    _pending: set[int] = field(default_factory=set)
    _settle_cost: float = 0.0
    _settled_at: float = field(default=float("-inf"))
    _told: dict[tuple[int, int], tuple] = field(default_factory=dict)

    def take(self, message: Message) -> Outcome:
        """Write one message (committed when this returns: the source may acknowledge it)."""
        outcome = handle(self.db, message, self.register)
        self.counts[outcome.status] += 1
        self.last_message = time.monotonic()
        if self.on_outcome is not None:
            self.on_outcome(message, outcome)
        if self.settle and outcome.status == WRITTEN:
            self._pending.update(outcome.run_ids)
        self.close_complete_days()  # first: a day closing is settled by its close
        self.settle_pending()
        return outcome

    def connection(self, connected: bool, detail: str = "") -> None:
        """A source's connection came up (True) or went away (False); `detail` says more."""
        if self.on_connection is not None:
            self.on_connection(connected, detail)

    def settle_pending(self, force: bool = False) -> list[IndicativeDay]:
        """Settle the live runs written to since their last settle, when the spacing allows
        (or `force`); the days settled."""
        if not self._pending:
            return []
        since = time.monotonic() - self._settled_at
        if not force and since < SETTLE_SPACING * self._settle_cost:
            return []
        began = time.monotonic()
        days = []
        for run_id in sorted(self._pending):
            try:
                day = settle_live_run(self.db, run_id)
            except (EngineInputError, WorkbenchInputError) as exc:
                if self.on_settle_failed is not None:
                    self.on_settle_failed(run_id, str(exc).strip().replace("\n", " | "))
                continue
            days.append(day)
            self._tell_settled(day)
        self._pending.clear()
        self._settled_at = time.monotonic()
        self._settle_cost = self._settled_at - began
        self.settles += 1
        self.settle_seconds += self._settle_cost
        return days

    def _tell_settled(self, day: IndicativeDay) -> None:
        changed = []
        for period in day.periods.values():
            key = period.key()
            if self._told.get((day.run_id, period.period)) != key:
                self._told[(day.run_id, period.period)] = key
                changed.append(period)
        if self.on_settled is not None:
            self.on_settled(day, changed)

    def close_complete_days(self) -> list[int]:
        """Close the live runs whose day is complete (in one transaction), each settled on its
        last data as it closes (models.live.live_run.close_live_run): a settle still waiting
        for its spacing is not needed any longer."""
        self._last_close_check = time.monotonic()
        if self.close_after is None:
            return []
        days: list[IndicativeDay] = []
        with self.db.engine.begin() as conn:
            closed = close_complete_days(conn, self.clock(), self.close_after, days.append)
        self._pending.difference_update(closed)
        for day in days:
            self._tell_settled(day)
        if closed and self.on_close is not None:
            self.on_close(closed)
        return closed

    def done(self) -> bool:
        if self.stop.is_set():
            self.settle_pending(force=True)
            return True
        self.settle_pending()  # the sources look here between messages
        if time.monotonic() - self._last_close_check >= CLOSE_CHECK_SECONDS:
            self.close_complete_days()
        idle = time.monotonic() - self.last_message
        if self.until_idle is not None and idle >= self.until_idle:
            self.settle_pending(force=True)
            return True
        return False
