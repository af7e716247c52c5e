"""Accepted bid-offer volumes (rules R-VOL-PAIR, R-VOL-SPLIT, R-VOL-INT, R-VOL-SUM, R-VOL-CADL).

Band edges relative to FPN, from the pair widths qBO_l(t) of the unit's pairs in the period:
  n > 0: L_n = Σ_{l=1}^{n−1} qBO_l,  U_n = L_n + qBO_n
  n < 0: U_n = Σ_{l=n+1}^{−1} qBO_l, L_n = U_n + qBO_n
With x_k(t) = qA_k(t) − FPN(t): qABO_kn(t) = clip_n(x_k(t)) − clip_n(x_(k−1)(t)), split into the
offer part max(·, 0) and bid part min(·, 0), and integrated over the period's 31 whole-minute
spot times by the trapezium rule, /60 for MW·min → MWh.

The trapezium sum Σ_t (f(t) + f(t+1)) / 2 equals Σ_t w_t f(t) with w = ½ at the period's two
ends and 1 inside; f is 0 outside the acceptance's span, so only the span's spot rows are
visited. A spot time on a period boundary counts ½ in each of the two periods, each with the
bands of its own period. The only Python loop runs over the pair numbers (at most 12).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.bm_inputs import MAX_PAIR, BmInputs
from engine.piecewise import SegmentIndex, evaluate
from engine.profiles import AcceptanceSpans, AcceptanceSpots

PAIR_SLOTS = 2 * MAX_PAIR + 1  # pair n is slot n + MAX_PAIR


@dataclass(frozen=True, slots=True)
class SpotContributions:
    """Spot rows assigned to periods with their trapezium weights (a boundary spot twice)."""

    spot: np.ndarray  # row in AcceptanceSpots
    period: np.ndarray  # 1-based
    weight: np.ndarray  # 1, or ½ at the period's first and last spot time


@dataclass(frozen=True, slots=True)
class AcceptedVolumes:
    """Accepted offer and bid volumes.

    Per acceptance × pair × period with any volume (QAO_knj, QAB_knj): acceptance (row),
    period, pair, pair_row (row of the pair table with its prices), qao, qab.
    Per pair row, aligned with the inputs' pair table: qao_nj = QAO_nij, qab_nj = QAB_nij.
    cadl_flag: per acceptance row, duration shorter than CADL.
    """

    acceptance: np.ndarray
    period: np.ndarray
    pair: np.ndarray
    pair_row: np.ndarray
    qao: np.ndarray
    qab: np.ndarray
    qao_nj: np.ndarray
    qab_nj: np.ndarray
    cadl_flag: np.ndarray


def spot_contributions(inputs: BmInputs, spots: AcceptanceSpots) -> SpotContributions:
    periods = inputs.periods
    minute = spots.minute
    # Small lookup tables instead of integer division per spot.
    period0 = np.arange(periods * 30 + 1) // 30
    period0 = period0[minute]
    boundary = (np.arange(periods * 30 + 1) % 30 == 0)[minute]
    own = np.flatnonzero(period0 < periods)
    before = np.flatnonzero(boundary & (period0 >= 1))
    spot = np.concatenate([own, before])
    period = np.concatenate([period0[own], period0[before] - 1]) + 1
    weight = np.concatenate([np.where(boundary[own], 0.5, 1.0), np.full(len(before), 0.5)])
    return SpotContributions(spot, period, weight)


@dataclass(frozen=True, slots=True)
class PairIndex:
    """Pair-table rows of each (unit, period) block in a table of 13 pair slots.

    block_of[unit × (periods + 1) + period] is the block (−1: no pairs); slots holds, per block,
    the pair-table row of pair n at n + 6 (−1: missing). Both are small: units × periods and
    blocks × 13, never anything per minute.
    """

    block_of: np.ndarray
    slots: np.ndarray  # (blocks + 1, 13), int32
    stride: int

    @classmethod
    def build(cls, inputs: BmInputs) -> PairIndex:
        pairs = inputs.pairs
        stride = inputs.periods + 1
        key = pairs.unit * stride + pairs.period
        block_of = np.full(len(inputs.bm_units) * stride, -1, dtype=np.int64)
        block_of[key] = 0
        used = np.flatnonzero(block_of == 0)
        block_of[used] = np.arange(len(used))
        # One extra block of empty slots stands for "no pairs": a lookup is then one gather.
        block_of[block_of < 0] = len(used)
        slots = np.full((len(used) + 1, PAIR_SLOTS), -1, dtype=np.int32)
        slots[block_of[key], pairs.pair + MAX_PAIR] = np.arange(len(pairs), dtype=np.int32)
        return cls(block_of, slots, stride)

    def rows_by_pair(self, unit: np.ndarray, period: np.ndarray) -> np.ndarray:
        """(rows, 13) pair-table rows of each (unit, period): column n + 6 is pair n, −1 if
        missing. One contiguous gather per row instead of one random gather per pair."""
        return np.take(self.slots, self.block_of[unit * self.stride + period], axis=0)


@dataclass(frozen=True, slots=True)
class BandWidths:
    """qBO_n(t) of pair rows. Most BOD records are one flat segment over their whole period:
    those are read as one number; the others are evaluated from their segments."""

    flat: np.ndarray  # per pair row: the width if flat over its period, else NaN
    general: SegmentIndex  # segments of the other pair rows

    @classmethod
    def build(cls, inputs: BmInputs) -> BandWidths:
        bands, pairs = inputs.bands, inputs.pairs
        count = np.bincount(bands.owner, minlength=len(pairs))
        period_start = inputs.day_start + 1800 * (pairs.period[bands.owner] - 1)
        whole = (
            (count[bands.owner] == 1)
            & (bands.level_from == bands.level_to)
            & (bands.time_from <= period_start)
            & (bands.time_to >= period_start + 1800)
        )
        flat = np.full(len(pairs), np.nan)
        flat[bands.owner[whole]] = bands.level_from[whole]
        others = np.flatnonzero(np.isnan(flat)[bands.owner])
        general = SegmentIndex.build(bands.take(others), inputs.day_start, owners=len(pairs))
        return cls(flat, general)

    def at(self, pair_row: np.ndarray, time: np.ndarray) -> np.ndarray:
        width = self.flat[pair_row]
        other = np.flatnonzero(np.isnan(width))
        if len(other):
            width[other], _ = evaluate(self.general, pair_row[other], time[other])
        return width


def piece_numbers(
    inputs: BmInputs, spans: AcceptanceSpans, acceptance: np.ndarray, period: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Number each (acceptance, period) pair from the spans, without sorting the spot rows.

    A spot at minute m counts in period m // 30 + 1 and, on a boundary, also in the one
    before; so acceptance a touches periods lo..hi and its piece for period p is
    offset[a] + p − lo[a]. Returns (piece of each row, acceptance of each piece, period).
    """
    periods = inputs.periods
    first = (spans.first - inputs.day_start) // 60
    last = (spans.last - inputs.day_start) // 60
    lo = np.maximum(first // 30 + 1 - ((first % 30 == 0) & (first >= 30)), 1)
    hi = np.minimum(last // 30 + 1, periods)
    hi = np.maximum(hi, lo)
    size = hi - lo + 1
    offset = np.cumsum(size) - size
    piece = offset[acceptance] + period - lo[acceptance]
    piece_acceptance = np.repeat(np.arange(len(size)), size)
    piece_period = lo[piece_acceptance] + (
        np.arange(len(piece_acceptance)) - offset[piece_acceptance]
    )
    return piece, piece_acceptance, piece_period


def pair_numbers(inputs: BmInputs) -> tuple[list[int], list[int]]:
    """Offer pairs 1, 2, … up to the highest present; bid pairs −1, −2, … likewise."""
    pairs = inputs.pairs.pair
    highest = int(pairs.max()) if len(pairs) else 0
    lowest = int(pairs.min()) if len(pairs) else 0
    return list(range(1, max(highest, 0) + 1)), list(range(-1, min(lowest, 0) - 1, -1))


@dataclass(frozen=True, slots=True)
class PairSpotValues:
    """Per contribution row and pair: band edges and qABO_kn(t) (kept only for traces)."""

    lower: dict[int, np.ndarray]
    upper: dict[int, np.ndarray]
    qabo: dict[int, np.ndarray]


def accepted_volumes(
    inputs: BmInputs,
    spots: AcceptanceSpots,
    spans: AcceptanceSpans,
    cadl_minutes: float,
    *,
    keep_spot_values: bool = False,
) -> tuple[AcceptedVolumes, SpotContributions, PairSpotValues | None]:
    contributions = spot_contributions(inputs, spots)
    spot = contributions.spot
    unit = spots.unit[spot]
    time = spots.time[spot]
    x_k = spots.level[spot] - spots.fpn[spot]
    x_previous = spots.previous_level[spot] - spots.fpn[spot]
    weight = contributions.weight / 60.0  # MW·min → MWh

    piece, piece_acceptance, piece_period = piece_numbers(
        inputs, spans, spots.acceptance[spot], contributions.period
    )
    pieces = piece_acceptance

    bands = BandWidths.build(inputs)
    pair_index = PairIndex.build(inputs)
    rows_by_pair = pair_index.rows_by_pair(unit, contributions.period)
    offers, bids = pair_numbers(inputs)
    kept = PairSpotValues({}, {}, {}) if keep_spot_values else None
    out_piece, out_pair, out_row, out_qao, out_qab = [], [], [], [], []
    every_row = np.arange(len(spot))
    for side in (offers, bids):
        edge = np.zeros(len(spot))
        # Offer bands lie at or above FPN and bid bands at or below: a spot whose level and
        # previous level are both on the other side of FPN moves no volume in any band of this
        # side, so only the others are walked (half of them, typically). Traces keep every
        # row's band edges, so they walk them all.
        if kept is not None:
            candidates = every_row
        elif side is offers:
            candidates = np.flatnonzero(np.maximum(x_k, x_previous) > 0)
        else:
            candidates = np.flatnonzero(np.minimum(x_k, x_previous) < 0)
        for n in side:
            row = rows_by_pair[candidates, n + MAX_PAIR]
            # Work only where the unit has pair n in the period: elsewhere its band is empty,
            # the edge does not move and the clipped difference is 0.
            has_pair = row >= 0
            present = candidates[has_pair]
            if kept is not None:
                kept.lower[n], kept.upper[n], kept.qabo[n] = (
                    edge.copy(),
                    edge.copy(),
                    np.zeros(len(spot)),
                )
            if len(present) == 0:
                continue
            present_row = row[has_pair].astype(np.int64)
            width = bands.at(present_row, time[present])
            if n > 0:
                lower = edge[present]
                upper = lower + width
                edge[present] = upper
            else:
                upper = edge[present]
                lower = upper + width
                edge[present] = lower
            qabo = np.clip(x_k[present], lower, upper) - np.clip(x_previous[present], lower, upper)
            if kept is not None:
                kept.lower[n][present], kept.upper[n][present] = lower, upper
                kept.qabo[n][present] = qabo
            w = weight[present]
            p = piece[present]
            qao = np.bincount(p, weights=w * np.maximum(qabo, 0.0), minlength=len(pieces))
            qab = np.bincount(p, weights=w * np.minimum(qabo, 0.0), minlength=len(pieces))
            # The pair row of a piece: its spot rows all share (unit, period, n).
            piece_row = np.full(len(pieces), -1)
            piece_row[p] = present_row
            nonzero = np.flatnonzero((qao != 0) | (qab != 0))
            out_piece.append(nonzero)
            out_pair.append(np.full(len(nonzero), n))
            out_row.append(piece_row[nonzero])
            out_qao.append(qao[nonzero])
            out_qab.append(qab[nonzero])

    def joined(parts, dtype):
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    selected = joined(out_piece, np.int64)
    pair_row = joined(out_row, np.int64)
    qao_knj = joined(out_qao, float)
    qab_knj = joined(out_qab, float)
    count = len(inputs.pairs)
    volumes = AcceptedVolumes(
        acceptance=piece_acceptance[selected],
        period=piece_period[selected],
        pair=joined(out_pair, np.int64),
        pair_row=pair_row,
        qao=qao_knj,
        qab=qab_knj,
        qao_nj=np.bincount(pair_row, weights=qao_knj, minlength=count),
        qab_nj=np.bincount(pair_row, weights=qab_knj, minlength=count),
        cadl_flag=spans.duration_minutes < cadl_minutes,
    )
    return volumes, contributions, kept
