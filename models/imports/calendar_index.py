"""Settlement date and period of instants, memoised by half hour (imports test millions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from engine.settlement_calendar import (
    PERIOD_SECONDS,
    period_of_instant,
    period_start_utc,
    periods_in_day,
)


class CalendarIndex:
    """Memoised R-CAL lookups: period of an instant, start of a period, periods in a day."""

    def __init__(self) -> None:
        self._slots: dict[int, tuple[date, int]] = {}
        self._counts: dict[date, int] = {}
        self._starts: dict[tuple[date, int], int] = {}

    def period_of(self, seconds: int) -> tuple[date, int]:
        # Periods start on UTC half hours (GB offsets are whole hours), so the half-hour slot
        # of an instant decides its settlement date and period.
        slot = seconds // PERIOD_SECONDS
        found = self._slots.get(slot)
        if found is None:
            instant = datetime.fromtimestamp(slot * PERIOD_SECONDS, UTC)
            found = self._slots[slot] = period_of_instant(instant)
        return found

    def periods(self, settlement_date: date) -> int:
        count = self._counts.get(settlement_date)
        if count is None:
            count = self._counts[settlement_date] = periods_in_day(settlement_date)
        return count

    def start(self, settlement_date: date, period: int) -> int:
        key = (settlement_date, period)
        found = self._starts.get(key)
        if found is None:
            found = self._starts[key] = int(period_start_utc(settlement_date, period).timestamp())
        return found

    def dates_of_span(self, time_from: int, time_to: int) -> list[date]:
        """Settlement dates a segment [from, to] lies in (a point touching the next day's
        start does not count; a zero-length segment lies in the day of its instant)."""
        first = self.period_of(time_from)[0]
        last = self.period_of(max(time_from, time_to - 1))[0]
        if first == last:
            return [first]
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]
