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
    """First and last spot time (epoch s) of each acceptance's levels; CADL duration."""

    first: np.ndarray
    last: np.ndarray

    @property
    def duration_minutes(self) -> np.ndarray:
        return (self.last - self.first) / 60.0


@dataclass(frozen=True, slots=True)
class AcceptanceSpots:
    """One row per (acceptance k, spot time t) inside k's span, RR-flagged ones left out."""

    acceptance: np.ndarray  # row of the acceptance table
    unit: np.ndarray
    time: np.ndarray  # epoch seconds, whole minutes
    minute: np.ndarray  # minutes after the start of the settlement day
    level: np.ndarray  # qA_k(t), MW
    previous_level: np.ndarray  # qA_(k−1)(t), MW
    previous_source: np.ndarray  # acceptance row providing qA_(k−1)(t), or FROM_FPN
    fpn: np.ndarray  # FPN_i(t), MW

    def __len__(self) -> int:
        return len(self.acceptance)


def period_of_minute(periods: int) -> np.ndarray:
    """0-based period containing each minute of the day (the day's end minute: the last)."""
    table = np.arange(periods * 30 + 1) // 30
    table[-1] = periods - 1
    return table


def acceptance_spans(inputs: BmInputs) -> AcceptanceSpans:
    """R-VOL-CADL's duration basis: the first and last time of each acceptance's points."""
    count = len(inputs.acceptances)
    levels = inputs.acceptance_levels
    first = np.full(count, np.iinfo(np.int64).max)
    last = np.full(count, np.iinfo(np.int64).min)
    np.minimum.at(first, levels.owner, levels.time_from)
    np.maximum.at(last, levels.owner, levels.time_to)
    return AcceptanceSpans(first, last)


def fpn_index(inputs: BmInputs) -> SegmentIndex:
    return SegmentIndex.build(
        inputs.fpn, inputs.day_start, owners=len(inputs.bm_units), buckets=inputs.periods
    )


def acceptance_spots(
    inputs: BmInputs, spans: AcceptanceSpans, fpn: SegmentIndex, units: np.ndarray | None = None
) -> AcceptanceSpots:
    """Expand acceptances (of `units`, default all) over their spot times, with carry-forward.

    FPN where none was submitted is deemed 0 MW (R-PROF-FPN).
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
