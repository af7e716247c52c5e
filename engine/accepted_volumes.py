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
    """Spot rows assigned to periods with their trapezium weights (a boundary spot twice).

    Every array has shape (contributions,).

    Attributes
    ----------
    spot : numpy.ndarray of int64
        Row in AcceptanceSpots.
    period : numpy.ndarray of int64
        Settlement period j, 1-based.
    weight : numpy.ndarray of float
        1, or ½ at the period's first and last spot time (R-VOL-INT).
    """

    spot: np.ndarray
    period: np.ndarray
    weight: np.ndarray


@dataclass(frozen=True, slots=True)
class AcceptedVolumes:
    """Accepted offer and bid volumes (R-VOL-PAIR, R-VOL-SPLIT, R-VOL-INT, R-VOL-SUM, R-VOL-CADL).

    One accepted-volume row per acceptance × pair × period with any volume; volumes in MWh,
    offers ≥ 0 and bids ≤ 0.

    Attributes
    ----------
    acceptance : numpy.ndarray of int64, shape (rows,)
        Row of the acceptance table.
    period : numpy.ndarray of int64, shape (rows,)
        Settlement period j, 1-based.
    pair : numpy.ndarray of int64, shape (rows,)
        Pair number n (−6 to 6, not 0).
    pair_row : numpy.ndarray of int64, shape (rows,)
        Row of the pair table, with its prices.
    qao : numpy.ndarray of float, shape (rows,)
        QAO_knj, MWh, ≥ 0.
    qab : numpy.ndarray of float, shape (rows,)
        QAB_knj, MWh, ≤ 0.
    qao_nj : numpy.ndarray of float, shape (pair rows,)
        QAO_nij = Σ_k QAO_knij, MWh, ≥ 0, aligned with the inputs' pair table.
    qab_nj : numpy.ndarray of float, shape (pair rows,)
        QAB_nij = Σ_k QAB_knij, MWh, ≤ 0.
    cadl_flag : numpy.ndarray of bool, shape (acceptances,)
        Duration shorter than CADL (R-VOL-CADL).

    Notes
    -----
    R-VOL-PAIR and R-VOL-INT are assumed. An acceptance moving a unit back toward FPN gives
    bid volume on an offer-side pair (priced at that pair's bid price); volume beyond the
    submitted bands is allocated to no pair.
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
    """Each spot row's period and trapezium weight; a boundary spot counts ½ in both (R-VOL-INT).

    Parameters
    ----------
    inputs : BmInputs
        The day (its number of periods).
    spots : AcceptanceSpots
        The acceptances' spot rows.

    Returns
    -------
    SpotContributions
        One row per spot in a period, two for a spot on a boundary inside the day.
    """
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

    Both arrays are small: units × periods and blocks × 13, never anything per minute.

    Attributes
    ----------
    block_of : numpy.ndarray of int64, shape (units × (periods + 1),)
        block_of[unit × (periods + 1) + period] is the block; a (unit, period) without pairs
        points at the last block, whose slots are all −1.
    slots : numpy.ndarray of int32, shape (blocks + 1, 13)
        Per block, the pair-table row of pair n at column n + 6 (−1: missing).
    stride : int
        periods + 1.
    """

    block_of: np.ndarray
    slots: np.ndarray
    stride: int

    @classmethod
    def build(cls, inputs: BmInputs) -> PairIndex:
        """Index the pair table of the inputs.

        Parameters
        ----------
        inputs : BmInputs
            The day's pair table.

        Returns
        -------
        PairIndex
            The index.
        """
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
        """The pair-table rows of each (unit, period), one column per pair number.

        One contiguous gather per row instead of one random gather per pair.

        Parameters
        ----------
        unit : numpy.ndarray of int, shape (rows,)
            BM unit index.
        period : numpy.ndarray of int, shape (rows,)
            Settlement period j, 1-based.

        Returns
        -------
        numpy.ndarray of int32, shape (rows, 13)
            Column n + 6 is the pair-table row of pair n, −1 if missing.
        """
        return np.take(self.slots, self.block_of[unit * self.stride + period], axis=0)


@dataclass(frozen=True, slots=True)
class BandWidths:
    """Band widths qBO_n(t) of pair rows, MW (R-PROF-BOD).

    Most BOD records are one flat segment over their whole period: those are read as one
    number; the others are evaluated from their segments.

    Attributes
    ----------
    flat : numpy.ndarray of float, shape (pair rows,)
        The width if flat over its period, MW (≥ 0 offers, ≤ 0 bids), else NaN.
    general : SegmentIndex
        Segments of the other pair rows.
    """

    flat: np.ndarray
    general: SegmentIndex

    @classmethod
    def build(cls, inputs: BmInputs) -> BandWidths:
        """Split the inputs' band segments into flat widths and indexed segments.

        Parameters
        ----------
        inputs : BmInputs
            The day's pair table and band segments.

        Returns
        -------
        BandWidths
            The widths.
        """
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
        """qBO_n(t) of each pair row at each time.

        Parameters
        ----------
        pair_row : numpy.ndarray of int, shape (n,)
            Rows of the pair table.
        time : numpy.ndarray of int, shape (n,)
            Epoch seconds.

        Returns
        -------
        numpy.ndarray of float, shape (n,)
            Band width, MW: ≥ 0 on offer pairs, ≤ 0 on bid pairs; 0 where no segment
            covers the time.
        """
        width = self.flat[pair_row]
        other = np.flatnonzero(np.isnan(width))
        if len(other):
            width[other], _ = evaluate(self.general, pair_row[other], time[other])
        return width


def piece_numbers(
    inputs: BmInputs, spans: AcceptanceSpans, acceptance: np.ndarray, period: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Number each (acceptance, period) piece from the spans, without sorting the spot rows.

    A spot at minute m counts in period m // 30 + 1 and, on a boundary, also in the one
    before; so acceptance a touches periods lo..hi and its piece for period p is
    offset[a] + p − lo[a].

    Parameters
    ----------
    inputs : BmInputs
        The day (its start and number of periods).
    spans : AcceptanceSpans
        Span of each acceptance.
    acceptance : numpy.ndarray of int, shape (contributions,)
        Acceptance row of each spot contribution.
    period : numpy.ndarray of int, shape (contributions,)
        Period j (1-based) of each contribution.

    Returns
    -------
    piece : numpy.ndarray of int, shape (contributions,)
        The piece of each contribution.
    piece_acceptance : numpy.ndarray of int, shape (pieces,)
        Acceptance row of each piece.
    piece_period : numpy.ndarray of int, shape (pieces,)
        Period j of each piece.
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
    """The pair numbers to walk: offers 1, 2, … up to the highest present; bids −1, −2, ….

    Parameters
    ----------
    inputs : BmInputs
        The day's pair table.

    Returns
    -------
    offers : list of int
        1 to the highest offer pair number present (empty if none).
    bids : list of int
        −1 down to the lowest bid pair number present (empty if none).
    """
    pairs = inputs.pairs.pair
    highest = int(pairs.max()) if len(pairs) else 0
    lowest = int(pairs.min()) if len(pairs) else 0
    return list(range(1, max(highest, 0) + 1)), list(range(-1, min(lowest, 0) - 1, -1))


@dataclass(frozen=True, slots=True)
class PairSpotValues:
    """Per contribution row and pair: band edges and qABO_kn(t) (kept only for traces).

    Each dict maps pair number n to an array of shape (contributions,), MW relative to FPN.

    Attributes
    ----------
    lower : dict of int to numpy.ndarray of float
        L_n(t), MW.
    upper : dict of int to numpy.ndarray of float
        U_n(t), MW.
    qabo : dict of int to numpy.ndarray of float
        qABO_kn(t) = clip_n(x_k) − clip_n(x_(k−1)), MW: > 0 offer, < 0 bid.
    """

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
    """QAO_knj and QAB_knj of every acceptance, pair and period, and their sums per pair (R-VOL-*).

    Parameters
    ----------
    inputs : BmInputs
        The day's pairs and band widths (MW).
    spots : AcceptanceSpots
        qA_k(t), qA_(k−1)(t) and FPN(t) at each spot time, MW.
    spans : AcceptanceSpans
        Span of each acceptance (the CADL duration).
    cadl_minutes : float
        CADL, minutes (R-VOL-CADL).
    keep_spot_values : bool, default False
        Keep band edges and qABO_kn(t) at every spot (for traces; slower).

    Returns
    -------
    volumes : AcceptedVolumes
        MWh, offers ≥ 0, bids ≤ 0.
    contributions : SpotContributions
        The spot rows per period with their trapezium weights.
    spot_values : PairSpotValues or None
        Band edges and qABO_kn(t), MW, when `keep_spot_values`.

    Notes
    -----
    R-VOL-PAIR and R-VOL-INT are assumed (rulebook §5); R-VOL-SPLIT, R-VOL-SUM and
    R-VOL-CADL are confirmed.
    """
    contributions = spot_contributions(inputs, spots)
    spot = contributions.spot
    piece, piece_acceptance, piece_period = piece_numbers(
        inputs, spans, spots.acceptance[spot], contributions.period
    )
    walk = _SpotRows(
        time=spots.time[spot],
        x_k=spots.level[spot] - spots.fpn[spot],
        x_previous=spots.previous_level[spot] - spots.fpn[spot],
        weight=contributions.weight / 60.0,  # MW·min → MWh
        piece=piece,
        pieces=len(piece_acceptance),
        rows_by_pair=PairIndex.build(inputs).rows_by_pair(spots.unit[spot], contributions.period),
    )
    bands = BandWidths.build(inputs)
    offers, bids = pair_numbers(inputs)
    kept = PairSpotValues({}, {}, {}) if keep_spot_values else None
    found: list[_PairPieces] = []
    for side in (offers, bids):
        edge = np.zeros(len(spot))
        keep_all = kept is not None
        candidates = _rows_that_can_move(walk, offers_side=side is offers, keep_all=keep_all)
        for n in side:
            pieces = _walk_pair(walk, bands, n, candidates, edge, kept)
            if pieces is not None:
                found.append(pieces)
    volumes = _joined_volumes(inputs, spans, cadl_minutes, found, piece_acceptance, piece_period)
    return volumes, contributions, kept


@dataclass(frozen=True, slots=True)
class _SpotRows:
    """The contribution rows walked through the bands (all arrays of shape (contributions,))."""

    time: np.ndarray  # epoch s
    x_k: np.ndarray  # qA_k(t) − FPN(t), MW
    x_previous: np.ndarray  # qA_(k−1)(t) − FPN(t), MW
    weight: np.ndarray  # trapezium weight, MWh per MW
    piece: np.ndarray  # the (acceptance, period) piece of each row
    pieces: int
    rows_by_pair: np.ndarray  # (contributions, PAIR_SLOTS): pair row, or −1


@dataclass(frozen=True, slots=True)
class _PairPieces:
    """The pieces where pair n moved volume: their pair rows and QAO_knj, QAB_knj (MWh)."""

    piece: np.ndarray
    pair: int
    pair_row: np.ndarray
    qao: np.ndarray
    qab: np.ndarray


def _rows_that_can_move(walk: _SpotRows, *, offers_side: bool, keep_all: bool) -> np.ndarray:
    """The rows that can move volume in a band of one side.

    Offer bands lie at or above FPN and bid bands at or below: a spot whose level and
    previous level are both on the other side of FPN moves no volume in any band of this
    side, so only the others are walked (half of them, typically). Traces keep every row's
    band edges, so they walk them all."""
    if keep_all:
        return np.arange(len(walk.time))
    if offers_side:
        return np.flatnonzero(np.maximum(walk.x_k, walk.x_previous) > 0)
    return np.flatnonzero(np.minimum(walk.x_k, walk.x_previous) < 0)


def _walk_pair(
    walk: _SpotRows,
    bands: BandWidths,
    n: int,
    candidates: np.ndarray,
    edge: np.ndarray,
    kept: PairSpotValues | None,
) -> _PairPieces | None:
    """Pair n's band [L_n, U_n] at each candidate row, stacked on `edge` (the outer edge of
    pairs 1 … n−1, or −1 … n+1, moved on to pair n's), and the volume it takes per piece;
    None where no row has pair n. Fills `kept` with the band edges and qABO_kn(t)."""
    row = walk.rows_by_pair[candidates, n + MAX_PAIR]
    # Work only where the unit has pair n in the period: elsewhere its band is empty,
    # the edge does not move and the clipped difference is 0.
    has_pair = row >= 0
    present = candidates[has_pair]
    if kept is not None:
        kept.lower[n], kept.upper[n], kept.qabo[n] = (
            edge.copy(),
            edge.copy(),
            np.zeros(len(edge)),
        )
    if len(present) == 0:
        return None
    present_row = row[has_pair].astype(np.int64)
    width = bands.at(present_row, walk.time[present])
    if n > 0:
        lower = edge[present]
        upper = lower + width
        edge[present] = upper
    else:
        upper = edge[present]
        lower = upper + width
        edge[present] = lower
    x_k, x_previous = walk.x_k[present], walk.x_previous[present]
    qabo = np.clip(x_k, lower, upper) - np.clip(x_previous, lower, upper)
    if kept is not None:
        kept.lower[n][present], kept.upper[n][present] = lower, upper
        kept.qabo[n][present] = qabo
    w = walk.weight[present]
    p = walk.piece[present]
    qao = np.bincount(p, weights=w * np.maximum(qabo, 0.0), minlength=walk.pieces)
    qab = np.bincount(p, weights=w * np.minimum(qabo, 0.0), minlength=walk.pieces)
    # The pair row of a piece: its spot rows all share (unit, period, n).
    piece_row = np.full(walk.pieces, -1)
    piece_row[p] = present_row
    nonzero = np.flatnonzero((qao != 0) | (qab != 0))
    return _PairPieces(nonzero, n, piece_row[nonzero], qao[nonzero], qab[nonzero])


def _joined_volumes(
    inputs: BmInputs,
    spans: AcceptanceSpans,
    cadl_minutes: float,
    found: list[_PairPieces],
    piece_acceptance: np.ndarray,
    piece_period: np.ndarray,
) -> AcceptedVolumes:
    """The pairs' pieces as one table (pairs in walking order), with their sums per pair row
    (R-VOL-SUM) and the CADL flags (R-VOL-CADL)."""

    def joined(parts, dtype):
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

    selected = joined([f.piece for f in found], np.int64)
    pair_row = joined([f.pair_row for f in found], np.int64)
    qao_knj = joined([f.qao for f in found], float)
    qab_knj = joined([f.qab for f in found], float)
    count = len(inputs.pairs)
    return AcceptedVolumes(
        acceptance=piece_acceptance[selected],
        period=piece_period[selected],
        pair=joined([np.full(len(f.piece), f.pair) for f in found], np.int64),
        pair_row=pair_row,
        qao=qao_knj,
        qab=qab_knj,
        qao_nj=np.bincount(pair_row, weights=qao_knj, minlength=count),
        qab_nj=np.bincount(pair_row, weights=qab_knj, minlength=count),
        cadl_flag=spans.duration_minutes < cadl_minutes,
    )
