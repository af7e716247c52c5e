"""Piecewise-linear profiles evaluated at many (owner, time) points at once, and integrated.

Segments are looked up with one searchsorted over keys that combine owner and time, so the
cost is O((segments + queries) log segments) with no Python loop over owners or times.
At a vertical step (two points at the same time) the value at that time is the later one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.bm_inputs import Segments

# Times are offsets from the day start in seconds (< 2^20 for any day), owners < 2^40.
_TIME_BITS = 21
_BUCKET_SECONDS = 1800


@dataclass(frozen=True, slots=True)
class SegmentIndex:
    """Segments sorted by (owner, time_from) with their search keys and per-owner blocks.

    Attributes
    ----------
    segments : Segments
        The segments in (owner, time_from) order.
    keys : numpy.ndarray of int64, shape (segments,)
        owner << 21 + (time_from − origin): the sorted search keys.
    origin : int
        Epoch seconds the time offsets count from (the day's start).
    first : numpy.ndarray of int, shape (owners,)
        Position of each owner's first segment.
    count : numpy.ndarray of int, shape (owners,)
        How many segments each owner has.
    packed : numpy.ndarray of float64, shape (segments, 4)
        time_from, time_to (epoch s), level_from, level_to (MW) of each segment.
    bucket_first : numpy.ndarray of int or None, shape (owners × buckets,)
        Per owner × 30-minute bucket: the last segment starting by the bucket's start.
    bucket_inside : numpy.ndarray of int32 or None, shape (owners × buckets,)
        Per owner × bucket: how many segments start strictly inside it.
    buckets : int, default 0
        Number of 30-minute buckets; 0: built without them.
    """

    segments: Segments
    keys: np.ndarray
    origin: int
    first: np.ndarray
    count: np.ndarray
    packed: np.ndarray
    bucket_first: np.ndarray | None = None
    bucket_inside: np.ndarray | None = None
    buckets: int = 0

    @classmethod
    def build(
        cls,
        segments: Segments,
        origin: int,
        owners: int | None = None,
        buckets: int = 0,
    ) -> SegmentIndex:
        """Index segments for lookups by (owner, time).

        Parameters
        ----------
        segments : Segments
            Profile segments, times epoch seconds, levels MW.
        origin : int
            Epoch seconds to count time offsets from (the day's start).
        owners : int, optional
            Number of rows of the owning table; default the highest owner + 1.
        buckets : int, default 0
            30-minute buckets from origin: lookups of owners with many segments then start
            from their bucket instead of searching all segments.

        Returns
        -------
        SegmentIndex
            The index.
        """
        # Stable sort keeps the input order of segments starting at the same instant, so a
        # zero-length step segment stays between the segments it joins.
        offsets = segments.time_from - origin
        keys = (segments.owner << _TIME_BITS) + offsets
        order = np.argsort(keys, kind="stable")
        size = (
            owners
            if owners is not None
            else (int(segments.owner.max()) + 1 if len(segments) else 0)
        )
        count = (
            np.bincount(segments.owner, minlength=size) if len(segments) else np.zeros(size, int)
        )
        first = np.cumsum(count) - count
        ordered = segments.take(order)
        # One row per segment: a lookup fetches its four numbers from one place in memory.
        # Epoch seconds are exact in float64 (< 2^53).
        packed = np.column_stack(
            [ordered.time_from, ordered.time_to, ordered.level_from, ordered.level_to]
        ).astype(np.float64)
        bucket_first = bucket_inside = None
        if buckets and len(segments):
            owner_ids = np.repeat(np.arange(size, dtype=np.int64), buckets)
            starts = np.tile(np.arange(buckets, dtype=np.int64) * _BUCKET_SECONDS, size)
            found = np.searchsorted(keys[order], (owner_ids << _TIME_BITS) + starts, "right") - 1
            bucket_first = np.maximum(found, first[owner_ids])
            offset = ordered.time_from - origin
            strictly_inside = (offset % _BUCKET_SECONDS != 0) & (offset > 0)
            cell = ordered.owner * buckets + np.clip(offset // _BUCKET_SECONDS, 0, buckets - 1)
            bucket_inside = np.bincount(cell[strictly_inside], minlength=size * buckets).astype(
                np.int32
            )
        return cls(
            ordered,
            keys[order],
            origin,
            first,
            count,
            packed,
            bucket_first,
            bucket_inside,
            buckets,
        )


def evaluate(
    index: SegmentIndex, owner: np.ndarray, time: np.ndarray, bucket: np.ndarray | None = None
):
    """Each owner's profile at each time, linearly interpolated (R-PROF-*).

    An owner with one segment is read directly; only owners with several are searched. At a
    vertical step the value at that time is the later level.

    Parameters
    ----------
    index : SegmentIndex
        The indexed profiles.
    owner : numpy.ndarray of int, shape (n,)
        Row of the owning table of each query.
    time : numpy.ndarray of int, shape (n,)
        Epoch seconds of each query.
    bucket : numpy.ndarray of int, shape (n,), optional
        The 30-minute bucket of each time, for an index built with buckets: lookups then
        start from their bucket.

    Returns
    -------
    values : numpy.ndarray of float, shape (n,)
        The profile's level, MW (or the profile's unit); 0 where no segment covers the time.
    covered : numpy.ndarray of bool, shape (n,)
        Whether a segment covers the time.
    """
    if len(index.segments) == 0:
        return np.zeros(len(owner)), np.zeros(len(owner), dtype=bool)
    count = index.count[owner]
    if index.bucket_first is not None and bucket is not None:
        # From each time's bucket: exact for owners with one segment too (their bucket
        # starts at their only segment); only buckets with segments starting inside walk.
        position = _walk_from_buckets(index, owner, time, bucket)
    else:
        position = index.first[owner]
        several = np.flatnonzero(count > 1)
        if len(several):
            query = (owner[several].astype(np.int64) << _TIME_BITS) + (time[several] - index.origin)
            found = np.searchsorted(index.keys, query, side="right") - 1
            position[several] = np.maximum(found, index.first[owner[several]])
    position = np.minimum(position, len(index.packed) - 1)
    rows = np.take(index.packed, position, axis=0)
    t0, t1, l0, l1 = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    covered = (count > 0) & (time >= t0) & (time <= t1)
    return np.where(covered, interpolate(time, t0, t1, l0, l1), 0.0), covered


def interpolate(time, t0, t1, l0, l1) -> np.ndarray:
    """Linear interpolation l0 + (l1 − l0) × (t − t0) / (t1 − t0); l1 on a vertical segment.

    Every level in the engine is computed by this one formula, so equal levels stay equal.

    Parameters
    ----------
    time : numpy.ndarray of int, shape (n,)
        Epoch seconds to evaluate at.
    t0 : numpy.ndarray of int, shape (n,)
        Segment start, epoch seconds.
    t1 : numpy.ndarray of int, shape (n,)
        Segment end, epoch seconds (t1 = t0: a vertical step).
    l0 : numpy.ndarray of float, shape (n,)
        Level at t0, MW.
    l1 : numpy.ndarray of float, shape (n,)
        Level at t1, MW.

    Returns
    -------
    numpy.ndarray of float, shape (n,)
        Level at `time`, MW.
    """
    span = t1 - t0
    value = np.subtract(time, t0, dtype=np.float64)
    value /= np.maximum(span, 1)
    value *= l1 - l0
    value += l0
    return np.where(span > 0, value, l1)


def _walk_from_buckets(
    index: SegmentIndex, owner: np.ndarray, time: np.ndarray, bucket: np.ndarray
) -> np.ndarray:
    """Last segment of each owner starting at or before each time, found from its bucket.

    Only rows whose bucket has segments starting strictly inside it step forward; the loop
    runs as many times as the most segments any owner starts within 30 minutes.
    """
    cell = owner * index.buckets + bucket
    position = index.bucket_first[cell]
    owners, starts = index.segments.owner, index.segments.time_from
    todo = np.flatnonzero(index.bucket_inside[cell])
    while len(todo):
        following = position[todo] + 1
        inside = following < len(owners)
        following = np.where(inside, following, 0)
        moves = inside & (owners[following] == owner[todo]) & (starts[following] <= time[todo])
        todo = todo[moves]
        position[todo] = following[moves]
    return position


def integrate_by_period(
    segments: Segments, owners: int, day_start: int, periods: int, period_seconds: int = 1800
) -> np.ndarray:
    """Exact integral of each owner's profile over each period (R-PROF-FPN's Period FPN).

    Parameters
    ----------
    segments : Segments
        Profile segments, times epoch seconds, levels MW.
    owners : int
        Number of rows of the owning table.
    day_start : int
        Start of period 1, epoch seconds.
    periods : int
        Number of periods of the day.
    period_seconds : int, default 1800
        Length of a period.

    Returns
    -------
    numpy.ndarray of float, shape (owners, periods)
        MWh (MW·s / 3600), the sign of the levels; 0 where no segment covers the period.
    """
    if len(segments) == 0:
        return np.zeros((owners, periods))
    t0 = segments.time_from - day_start
    t1 = segments.time_to - day_start
    first = np.clip(t0 // period_seconds, 0, periods - 1)
    last = np.clip((t1 - 1) // period_seconds, 0, periods - 1)
    last = np.maximum(last, first)
    counts = last - first + 1
    seg = np.repeat(np.arange(len(segments)), counts)
    offset = np.arange(len(seg)) - np.repeat(np.cumsum(counts) - counts, counts)
    period = first[seg] + offset
    a = np.maximum(t0[seg], period * period_seconds)
    b = np.minimum(t1[seg], (period + 1) * period_seconds)
    span = (t1 - t0)[seg]
    l0, l1 = segments.level_from[seg], segments.level_to[seg]
    slope = np.divide(l1 - l0, span, out=np.zeros(len(seg), dtype=float), where=span > 0)
    va = l0 + slope * (a - t0[seg])
    vb = l0 + slope * (b - t0[seg])
    area = np.where(b > a, (va + vb) / 2.0 * (b - a), 0.0) / 3600.0
    cell = segments.owner[seg] * periods + period
    return np.bincount(cell, weights=area, minlength=owners * periods).reshape(owners, periods)
