"""Profiles at spot times (rules R-PROF-FPN, R-PROF-BOA, R-PROF-CARRY, R-PROF-RR).

Every acceptance k is expanded over the whole minutes of its own span, and only those: outside
its span qA_k = qA_(k−1) (carry-forward), so it contributes nothing there. Memory therefore
grows with the acceptances present, never with units × minutes. At each spot time the row
carries the acceptance's own level qA_k(t), the level it replaces qA_(k−1)(t) (the latest
earlier acceptance of the unit covering t, else the FPN) and FPN(t).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.bm_inputs import BmInputs
from engine.piecewise import SegmentIndex, evaluate, interpolate

FROM_FPN = -1  # previous_source of a spot whose replaced level is the FPN (qA_0 = FPN)


@dataclass(frozen=True, slots=True)
class AcceptanceSpans:
    """First and last spot time of each acceptance's levels: the CADL duration basis (R-VOL-CADL).

    Attributes
    ----------
    first : numpy.ndarray of int64, shape (acceptances,)
        Earliest point of the acceptance's levels, epoch seconds.
    last : numpy.ndarray of int64, shape (acceptances,)
        Latest point, epoch seconds.
    """

    first: np.ndarray
    last: np.ndarray

    @property
    def duration_minutes(self) -> np.ndarray:
        """(acceptances,) last − first, minutes: CADL-flagged when shorter than CADL."""
        return (self.last - self.first) / 60.0


@dataclass(frozen=True, slots=True)
class AcceptanceSpots:
    """One row per (acceptance k, spot time t) inside k's span, RR-flagged ones left out.

    Every array has shape (spot rows,); levels are MW, export positive.

    Attributes
    ----------
    acceptance : numpy.ndarray of int64
        Row of the acceptance table.
    unit : numpy.ndarray of int64
        BM unit index.
    time : numpy.ndarray of int64
        Spot time, epoch seconds, a whole minute.
    minute : numpy.ndarray of int64
        Minutes after the start of the settlement day.
    level : numpy.ndarray of float
        qA_k(t), MW (R-PROF-BOA).
    previous_level : numpy.ndarray of float
        qA_(k−1)(t), MW: the latest earlier acceptance covering t, else FPN(t)
        (R-PROF-CARRY).
    previous_source : numpy.ndarray of int64
        Acceptance row providing qA_(k−1)(t), or FROM_FPN.
    fpn : numpy.ndarray of float
        FPN_i(t), MW; 0 where no FPN was submitted.
    """

    acceptance: np.ndarray
    unit: np.ndarray
    time: np.ndarray
    minute: np.ndarray
    level: np.ndarray
    previous_level: np.ndarray
    previous_source: np.ndarray
    fpn: np.ndarray

    def __len__(self) -> int:
        return len(self.acceptance)


def period_of_minute(periods: int) -> np.ndarray:
    """The 0-based period containing each minute of the day (the day's end minute: the last).

    Parameters
    ----------
    periods : int
        Number of periods of the day.

    Returns
    -------
    numpy.ndarray of int, shape (periods × 30 + 1,)
        Period index (j − 1) of minutes 0 to periods × 30.
    """
    table = np.arange(periods * 30 + 1) // 30
    table[-1] = periods - 1
    return table


def acceptance_spans(inputs: BmInputs) -> AcceptanceSpans:
    """The first and last time of each acceptance's points: R-VOL-CADL's duration basis.

    Parameters
    ----------
    inputs : BmInputs
        The day's acceptances and their levels.

    Returns
    -------
    AcceptanceSpans
        Epoch seconds per acceptance row.
    """
    count = len(inputs.acceptances)
    levels = inputs.acceptance_levels
    first = np.full(count, np.iinfo(np.int64).max)
    last = np.full(count, np.iinfo(np.int64).min)
    np.minimum.at(first, levels.owner, levels.time_from)
    np.maximum.at(last, levels.owner, levels.time_to)
    return AcceptanceSpans(first, last)


def fpn_index(inputs: BmInputs) -> SegmentIndex:
    """The day's FPN segments indexed per BM unit, with 30-minute buckets (R-PROF-FPN).

    Parameters
    ----------
    inputs : BmInputs
        The day's FPN (MW, export positive).

    Returns
    -------
    SegmentIndex
        Owners are BM unit rows; one bucket per period.
    """
    return SegmentIndex.build(
        inputs.fpn, inputs.day_start, owners=len(inputs.bm_units), buckets=inputs.periods
    )


def acceptance_spots(
    inputs: BmInputs, spans: AcceptanceSpans, fpn: SegmentIndex, units: np.ndarray | None = None
) -> AcceptanceSpots:
    """Acceptances expanded over their spot times, with carry-forward (R-PROF-BOA, R-PROF-CARRY).

    RR-flagged acceptances are left out (R-PROF-RR). FPN where none was submitted is deemed
    0 MW (R-PROF-FPN).

    Parameters
    ----------
    inputs : BmInputs
        The day's acceptances, levels (MW) and FPN.
    spans : AcceptanceSpans
        Span of each acceptance (acceptance_spans).
    fpn : SegmentIndex
        The FPN index (fpn_index).
    units : numpy.ndarray of int, optional
        Expand the acceptances of these BM units only; default all.

    Returns
    -------
    AcceptanceSpots
        One row per (acceptance, whole minute of its span).

    Notes
    -----
    R-PROF-CARRY is assumed: outside its span acceptance k leaves qA_(k−1) in force, so it
    contributes nothing there.
    """
    acceptances = inputs.acceptances
    active = ~acceptances.rr_flag  # R-PROF-RR: RR instructions are not bid-offer volumes
    if units is not None:
        active &= np.isin(acceptances.unit, units)
    levels = inputs.acceptance_levels
    # Segments of the active acceptances in (acceptance, time) order; validation guarantees
    # each acceptance's segments run forward in time without overlapping.
    chosen = np.flatnonzero(active[levels.owner])
    chosen = chosen[np.argsort(levels.owner[chosen], kind="stable")]
    seg = levels.take(chosen)
    # Each segment yields its whole minutes in [from, to); the last of an acceptance also its
    # end. At a vertical step the zero-length segment yields nothing and the next one gives
    # the later level at that minute; a gap between segments yields no spots (carry).
    last_of_owner = np.ones(len(seg), dtype=bool)
    last_of_owner[:-1] = seg.owner[1:] != seg.owner[:-1]
    counts = (seg.time_to - seg.time_from) // 60 + last_of_owner
    segment = np.repeat(np.arange(len(seg)), counts)
    step = np.arange(len(segment)) - np.repeat(np.cumsum(counts) - counts, counts)
    time = seg.time_from[segment] + 60 * step
    minute = ((seg.time_from - inputs.day_start) // 60)[segment] + step
    level = interpolate(
        time,
        seg.time_from[segment],
        seg.time_to[segment],
        seg.level_from[segment],
        seg.level_to[segment],
    )
    acceptance = seg.owner[segment]
    unit = acceptances.unit[acceptance]
    fpn_level, _ = evaluate(fpn, unit, time, bucket=period_of_minute(inputs.periods)[minute])

    # R-PROF-CARRY: order by (unit, time, acceptance number); the row before in the same
    # (unit, time) group is the latest earlier acceptance covering t.
    # One int64 key (unit, minute, rank of the acceptance number) sorts faster than lexsort.
    rank = np.empty(len(acceptances), dtype=np.int64)
    rank[np.argsort(acceptances.number, kind="stable")] = np.arange(len(acceptances))
    minutes = inputs.periods * 30 + 1
    key = (unit * minutes + minute) * (len(acceptances) + 1) + rank[acceptance]
    order = np.argsort(key)
    same = np.zeros(len(order), dtype=bool)
    same[1:] = (unit[order][1:] == unit[order][:-1]) & (time[order][1:] == time[order][:-1])
    previous_level = fpn_level.copy()
    previous_source = np.full(len(order), FROM_FPN, dtype=np.int64)
    shifted = np.roll(order, 1)
    previous_level[order[same]] = level[shifted[same]]
    previous_source[order[same]] = acceptance[shifted[same]]
    return AcceptanceSpots(
        acceptance, unit, time, minute, level, previous_level, previous_source, fpn_level
    )
