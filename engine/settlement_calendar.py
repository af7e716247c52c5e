"""Settlement days, settlement periods and run types (rule R-CAL, confirmed).

A settlement day is a Europe/London calendar day. Period 1 starts at local midnight and periods
are 30 minutes numbered continuously in UTC from there, so a day has 48 periods, 46 on the
spring clock-change day and 50 on the autumn one:

    start_utc(d, j) = utc(local_midnight(d)) + 30 min × (j − 1)

Every instant is handled as an aware UTC datetime or as integer seconds since the Unix epoch
(UTC), the form the rest of the engine uses for arrays.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

RULE_ID = "R-CAL"
LONDON = ZoneInfo("Europe/London")
PERIOD_MINUTES = 30
PERIOD_SECONDS = PERIOD_MINUTES * 60
SPOT_TIMES_PER_PERIOD = PERIOD_MINUTES + 1  # whole minutes, both ends


@dataclass(frozen=True, slots=True)
class SettlementPeriod:
    """One settlement period j of a settlement day (R-CAL).

    Attributes
    ----------
    settlement_date : date
        The settlement day (a Europe/London calendar day).
    period : int
        Settlement period j, 1-based.
    start_utc : datetime
        Start of the period, aware UTC.
    end_utc : datetime
        End of the period (start + 30 min), aware UTC.
    """

    settlement_date: date
    period: int
    start_utc: datetime
    end_utc: datetime

    @property
    def start_local(self) -> datetime:
        """Start of the period in Europe/London time."""
        return self.start_utc.astimezone(LONDON)

    @property
    def local_label(self) -> str:
        """Local start time with its zone abbreviation, e.g. ``01:30 BST``.

        The abbreviation keeps the repeated hour of the autumn day unambiguous
        (01:00 BST and 01:00 GMT are periods 3 and 5 of a 50-period day).
        """
        local = self.start_local
        return f"{local:%H:%M} {local.tzname()}"


def local_midnight_utc(settlement_date: date) -> datetime:
    """UTC instant of the local (Europe/London) midnight that starts a settlement day (R-CAL).

    Parameters
    ----------
    settlement_date : date
        The settlement day.

    Returns
    -------
    datetime
        Aware UTC: the start of period 1.
    """
    local = datetime(
        settlement_date.year, settlement_date.month, settlement_date.day, tzinfo=LONDON
    )
    return local.astimezone(UTC)


@functools.lru_cache(maxsize=4096)
def periods_in_day(settlement_date: date) -> int:
    """Number of settlement periods in the day: 46, 48 or 50 (R-CAL).

    Parameters
    ----------
    settlement_date : date
        The settlement day.

    Returns
    -------
    int
        46 on the spring clock-change day, 50 on the autumn one, else 48.
    """
    start = local_midnight_utc(settlement_date)
    end = local_midnight_utc(settlement_date + timedelta(days=1))
    return int((end - start) / timedelta(minutes=PERIOD_MINUTES))


def check_period(settlement_date: date, period: int) -> None:
    """Refuse a settlement period that the day does not have (R-CAL).

    Parameters
    ----------
    settlement_date : date
        The settlement day.
    period : int
        Settlement period j, 1-based.

    Raises
    ------
    ValueError
        Unless 1 ≤ period ≤ periods_in_day(settlement_date).
    """
    count = periods_in_day(settlement_date)
    if not 1 <= period <= count:
        raise ValueError(
            f"settlement period {period} does not exist on {settlement_date.isoformat()}, "
            f"which has periods 1 to {count}"
        )


def period_start_utc(settlement_date: date, period: int) -> datetime:
    """UTC start of a settlement period: local midnight + 30 min × (j − 1) (R-CAL).

    Parameters
    ----------
    settlement_date : date
        The settlement day.
    period : int
        Settlement period j, 1-based.

    Returns
    -------
    datetime
        Aware UTC.

    Raises
    ------
    ValueError
        When the day has no such period.
    """
    check_period(settlement_date, period)
    return local_midnight_utc(settlement_date) + timedelta(minutes=PERIOD_MINUTES * (period - 1))


def settlement_period(settlement_date: date, period: int) -> SettlementPeriod:
    """One settlement period with its UTC start and end (R-CAL).

    Parameters
    ----------
    settlement_date : date
        The settlement day.
    period : int
        Settlement period j, 1-based.

    Returns
    -------
    SettlementPeriod
        The period; ValueError when the day has no such period.
    """
    start = period_start_utc(settlement_date, period)
    return SettlementPeriod(
        settlement_date, period, start, start + timedelta(minutes=PERIOD_MINUTES)
    )


def settlement_periods(settlement_date: date) -> tuple[SettlementPeriod, ...]:
    """All periods of the day in order; they tile the local day exactly (R-CAL).

    Parameters
    ----------
    settlement_date : date
        The settlement day.

    Returns
    -------
    tuple of SettlementPeriod
        Periods 1 to periods_in_day(settlement_date).
    """
    return tuple(
        settlement_period(settlement_date, j) for j in range(1, periods_in_day(settlement_date) + 1)
    )


def period_of_instant(instant: datetime) -> tuple[date, int]:
    """The settlement date and period whose half hour contains an instant (R-CAL).

    An instant exactly on a boundary belongs to the period that starts there.

    Parameters
    ----------
    instant : datetime
        An aware datetime; a naive one raises ValueError.

    Returns
    -------
    tuple of (date, int)
        The settlement day and the 1-based period.
    """
    if instant.tzinfo is None:
        raise ValueError(f"instant {instant.isoformat()} has no time zone; give it in UTC")
    local_date = instant.astimezone(LONDON).date()
    offset = instant - local_midnight_utc(local_date)
    return local_date, int(offset // timedelta(minutes=PERIOD_MINUTES)) + 1


def epoch_seconds(instant: datetime) -> int:
    """Integer seconds since 1970-01-01T00:00Z of an aware datetime.

    Parameters
    ----------
    instant : datetime
        An aware datetime; a naive one raises ValueError.

    Returns
    -------
    int
        Epoch seconds (UTC), the engine's time unit for arrays.
    """
    if instant.tzinfo is None:
        raise ValueError(f"instant {instant.isoformat()} has no time zone; give it in UTC")
    return int(instant.timestamp())


def from_epoch_seconds(seconds: int) -> datetime:
    """The aware UTC datetime of epoch seconds.

    Parameters
    ----------
    seconds : int
        Seconds since 1970-01-01T00:00Z.

    Returns
    -------
    datetime
        Aware UTC.
    """
    return datetime.fromtimestamp(int(seconds), UTC)


def period_starts_epoch(settlement_date: date) -> np.ndarray:
    """Period start times of the day in epoch seconds, plus the day's end (R-CAL).

    Engine stages use this to bin spot times into periods.

    Parameters
    ----------
    settlement_date : date
        The settlement day.

    Returns
    -------
    numpy.ndarray of int64, shape (periods + 1,)
        Element j − 1 is the start of period j; the last element is the end of the last
        period.
    """
    start = epoch_seconds(local_midnight_utc(settlement_date))
    count = periods_in_day(settlement_date)
    return start + PERIOD_SECONDS * np.arange(count + 1, dtype=np.int64)


def periods_of_epoch(settlement_date: date, seconds: np.ndarray) -> np.ndarray:
    """Settlement periods of instants given as epoch seconds (R-CAL).

    Parameters
    ----------
    settlement_date : date
        The settlement day.
    seconds : numpy.ndarray of int, shape (n,)
        Instants, epoch seconds (UTC).

    Returns
    -------
    numpy.ndarray of int, shape (n,)
        Period j (1-based) of each instant; 0 where it lies outside the day.
    """
    edges = period_starts_epoch(settlement_date)
    seconds = np.asarray(seconds, dtype=np.int64)
    index = np.searchsorted(edges, seconds, side="right")
    inside = (seconds >= edges[0]) & (seconds < edges[-1])
    return np.where(inside, index, 0)


@functools.total_ordering
class RunType(enum.Enum):
    """Settlement run types in the order they are run (R-CAL).

    II (interim information, not invoiced) < SF (initial) < R1 < R2 < R3 < RF (final
    reconciliation) < DF (post-final, dispute final). Each run is a separate snapshot of
    inputs and results.
    """

    II = "II"
    SF = "SF"
    R1 = "R1"
    R2 = "R2"
    R3 = "R3"
    RF = "RF"
    DF = "DF"

    @property
    def rank(self) -> int:
        """Position in run order: II is 0, DF is 6."""
        return _RUN_TYPE_RANK[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, RunType):
            return NotImplemented
        return self.rank < other.rank

    @classmethod
    def parse(cls, text: str) -> RunType:
        """The run type named by a text, case and surrounding spaces ignored.

        Parameters
        ----------
        text : str
            A run type code, e.g. ``sf`` or ``RF``.

        Returns
        -------
        RunType
            The run type.

        Raises
        ------
        ValueError
            When the text names no run type; the message lists them.
        """
        try:
            return cls(text.strip().upper())
        except ValueError:
            names = ", ".join(t.value for t in cls)
            raise ValueError(f"unknown run type {text!r}; expected one of {names}") from None


_RUN_TYPE_RANK = {run_type: rank for rank, run_type in enumerate(RunType)}
