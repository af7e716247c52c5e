"""BM data as the engine takes it: column arrays, validated before any computing starts.

Times are integer seconds since the epoch (UTC); levels MW (export positive); prices £/MWh.
Profiles are segments (time_from, level_from) → (time_to, level_to) with an ``owner`` index
into the table they belong to: FPN segments are owned by BM units, band segments by pair rows
(one per BM unit × period × pair), acceptance segments by acceptance rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from engine.errors import EngineInputError
from engine.settlement_calendar import (
    PERIOD_SECONDS,
    from_epoch_seconds,
    local_midnight_utc,
    periods_in_day,
)

MAX_PAIR = 6


def _i64(values) -> np.ndarray:
    return np.asarray(values, dtype=np.int64).reshape(-1)


def _f64(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64).reshape(-1)


def _bool(values) -> np.ndarray:
    return np.asarray(values, dtype=bool).reshape(-1)


@dataclass(frozen=True, slots=True)
class Segments:
    """Straight segments of piecewise-linear profiles, each owned by a row of another table.

    Every array has shape (segments,). Levels are MW: export positive for FPN and
    acceptance levels; the signed band width for bid-offer bands (≥ 0 offers, ≤ 0 bids).

    Attributes
    ----------
    owner : numpy.ndarray of int64
        Row of the owning table: BM unit (FPN), pair row (bands) or acceptance row (levels).
    time_from : numpy.ndarray of int64
        Start, epoch seconds (UTC), a whole minute.
    level_from : numpy.ndarray of float64
        Level at time_from, MW.
    time_to : numpy.ndarray of int64
        End, epoch seconds, ≥ time_from (equal: a vertical step).
    level_to : numpy.ndarray of float64
        Level at time_to, MW.
    """

    owner: np.ndarray
    time_from: np.ndarray
    level_from: np.ndarray
    time_to: np.ndarray
    level_to: np.ndarray

    @classmethod
    def of(cls, owner, time_from, level_from, time_to, level_to) -> Segments:
        """Segments from any array-likes, as int64 times and float64 levels.

        Parameters
        ----------
        owner : array_like of int, shape (segments,)
            Row of the owning table.
        time_from : array_like of int, shape (segments,)
            Start, epoch seconds.
        level_from : array_like of float, shape (segments,)
            Level at the start, MW.
        time_to : array_like of int, shape (segments,)
            End, epoch seconds.
        level_to : array_like of float, shape (segments,)
            Level at the end, MW.

        Returns
        -------
        Segments
            The segments.
        """
        return cls(_i64(owner), _i64(time_from), _f64(level_from), _i64(time_to), _f64(level_to))

    @classmethod
    def empty(cls) -> Segments:
        """No segments.

        Returns
        -------
        Segments
            Zero rows.
        """
        return cls.of([], [], [], [], [])

    def __len__(self) -> int:
        return len(self.owner)

    def kept(self, keep_owner: np.ndarray) -> Segments:
        """The segments whose owner row is kept, owners renumbered to the kept rows.

        Parameters
        ----------
        keep_owner : numpy.ndarray of bool, shape (owners,)
            True for each owner row to keep.

        Returns
        -------
        Segments
            The kept segments, owners counted among the kept rows.
        """
        rows = np.flatnonzero(keep_owner[self.owner])
        new_owner = np.cumsum(keep_owner) - 1
        return Segments(
            new_owner[self.owner[rows]],
            self.time_from[rows],
            self.level_from[rows],
            self.time_to[rows],
            self.level_to[rows],
        )

    def take(self, index: np.ndarray) -> Segments:
        """Some rows of the segments.

        Parameters
        ----------
        index : numpy.ndarray of int or bool
            Rows to keep, as numpy indexing takes them.

        Returns
        -------
        Segments
            Those rows, in that order (owners unchanged).
        """
        return Segments(
            self.owner[index],
            self.time_from[index],
            self.level_from[index],
            self.time_to[index],
            self.level_to[index],
        )


@dataclass(frozen=True, slots=True)
class PairTable:
    """Bid-offer pairs: one row per BM unit × period × pair n with its prices (R-PROF-BOD).

    Every array has shape (pair rows,); each row's band width is in the bands Segments.

    Attributes
    ----------
    unit : numpy.ndarray of int64
        BM unit index.
    period : numpy.ndarray of int64
        Settlement period j, 1-based.
    pair : numpy.ndarray of int64
        Pair number n: 1 to 6 offer side (above FPN), −1 to −6 bid side (below FPN).
    offer_price : numpy.ndarray of float64
        PO_n, £/MWh.
    bid_price : numpy.ndarray of float64
        PB_n, £/MWh, ≤ PO_n.
    """

    unit: np.ndarray
    period: np.ndarray
    pair: np.ndarray
    offer_price: np.ndarray
    bid_price: np.ndarray

    @classmethod
    def of(cls, unit, period, pair, offer_price, bid_price) -> PairTable:
        """A pair table from any array-likes.

        Parameters
        ----------
        unit : array_like of int, shape (pair rows,)
            BM unit index.
        period : array_like of int, shape (pair rows,)
            Settlement period j, 1-based.
        pair : array_like of int, shape (pair rows,)
            Pair number n.
        offer_price : array_like of float, shape (pair rows,)
            PO_n, £/MWh.
        bid_price : array_like of float, shape (pair rows,)
            PB_n, £/MWh.

        Returns
        -------
        PairTable
            The table.
        """
        return cls(_i64(unit), _i64(period), _i64(pair), _f64(offer_price), _f64(bid_price))

    def __len__(self) -> int:
        return len(self.unit)


@dataclass(frozen=True, slots=True)
class AcceptanceTable:
    """Bid-offer acceptances (BOALF), one row each; their levels are a Segments table.

    Every array has shape (acceptances,).

    Attributes
    ----------
    unit : numpy.ndarray of int64
        BM unit index.
    number : numpy.ndarray of int64
        Acceptance number k (increases with acceptance time).
    time : numpy.ndarray of int64
        Time issued, epoch seconds.
    so_flag : numpy.ndarray of bool
        System-operator flag (R-PRC-FLAG).
    stor_flag : numpy.ndarray of bool
        STOR flag (R-PRC-STOR).
    rr_flag : numpy.ndarray of bool
        Replacement Reserve instruction: left out of bid-offer volumes (R-PROF-RR).
    deemed_flag : numpy.ndarray of bool
        Deemed bid-offer flag, carried as given.
    """

    unit: np.ndarray
    number: np.ndarray
    time: np.ndarray
    so_flag: np.ndarray
    stor_flag: np.ndarray
    rr_flag: np.ndarray
    deemed_flag: np.ndarray

    @classmethod
    def of(cls, unit, number, time, so_flag, stor_flag, rr_flag, deemed_flag) -> AcceptanceTable:
        """An acceptance table from any array-likes.

        Parameters
        ----------
        unit : array_like of int, shape (acceptances,)
            BM unit index.
        number : array_like of int, shape (acceptances,)
            Acceptance number k.
        time : array_like of int, shape (acceptances,)
            Time issued, epoch seconds.
        so_flag : array_like of bool, shape (acceptances,)
            System-operator flag.
        stor_flag : array_like of bool, shape (acceptances,)
            STOR flag.
        rr_flag : array_like of bool, shape (acceptances,)
            RR instruction flag.
        deemed_flag : array_like of bool, shape (acceptances,)
            Deemed bid-offer flag.

        Returns
        -------
        AcceptanceTable
            The table.
        """
        return cls(
            _i64(unit),
            _i64(number),
            _i64(time),
            _bool(so_flag),
            _bool(stor_flag),
            _bool(rr_flag),
            _bool(deemed_flag),
        )

    def __len__(self) -> int:
        return len(self.unit)


@dataclass(frozen=True, slots=True)
class BmInputs:
    """The BM data of one settlement date for the volume and cashflow stages.

    Attributes
    ----------
    settlement_date : date
        The settlement day.
    bm_units : tuple of str
        Elexon BM unit ids; unit index i is a position in this tuple.
    fpn : Segments
        FPN_i(t), MW, export positive, owned by BM units (R-PROF-FPN).
    pairs : PairTable
        Bid-offer pairs with PO_n, PB_n (£/MWh).
    bands : Segments
        Band widths qBO_n(t), MW (≥ 0 offers, ≤ 0 bids), owned by pair rows (R-PROF-BOD).
    acceptances : AcceptanceTable
        Bid-offer acceptances.
    acceptance_levels : Segments
        qA_k(t), MW, export positive, owned by acceptance rows (R-PROF-BOA).
    """

    settlement_date: date
    bm_units: tuple[str, ...]
    fpn: Segments
    pairs: PairTable
    bands: Segments
    acceptances: AcceptanceTable
    acceptance_levels: Segments

    @property
    def periods(self) -> int:
        """Number of settlement periods of the day: 46, 48 or 50 (R-CAL)."""
        return periods_in_day(self.settlement_date)

    @property
    def day_start(self) -> int:
        """Start of period 1, epoch seconds."""
        return int(local_midnight_utc(self.settlement_date).timestamp())

    @property
    def day_end(self) -> int:
        """End of the last period, epoch seconds."""
        return self.day_start + PERIOD_SECONDS * self.periods

    def restricted_to(self, units: Sequence[int]) -> BmInputs:
        """The same day's inputs for some BM units only (rows renumbered).

        Parameters
        ----------
        units : sequence of int
            Indices of the BM units to keep.

        Returns
        -------
        BmInputs
            Those units, in their original order, with their pairs, bands, acceptances and
            levels.
        """
        keep_unit = np.zeros(len(self.bm_units), dtype=bool)
        keep_unit[np.asarray(units, dtype=np.int64)] = True
        new_unit = np.cumsum(keep_unit) - 1
        p = self.pairs
        pair_kept = keep_unit[p.unit]
        pairs = PairTable(
            new_unit[p.unit[pair_kept]],
            p.period[pair_kept],
            p.pair[pair_kept],
            p.offer_price[pair_kept],
            p.bid_price[pair_kept],
        )
        a = self.acceptances
        acc_kept = keep_unit[a.unit]
        columns = {f: getattr(a, f)[acc_kept] for f in AcceptanceTable.__dataclass_fields__}
        columns["unit"] = new_unit[columns["unit"]]
        acceptances = AcceptanceTable(**columns)
        names = tuple(self.bm_units[i] for i in np.flatnonzero(keep_unit))
        return BmInputs(
            self.settlement_date,
            names,
            self.fpn.kept(keep_unit),
            pairs,
            self.bands.kept(pair_kept),
            acceptances,
            self.acceptance_levels.kept(acc_kept),
        )

    def unit_index(self, bm_unit: str) -> int:
        """The index of a BM unit.

        Parameters
        ----------
        bm_unit : str
            Elexon BM unit id.

        Returns
        -------
        int
            Its position in bm_units.

        Raises
        ------
        EngineInputError
            When the unit is not in the inputs.
        """
        try:
            return self.bm_units.index(bm_unit)
        except ValueError:
            raise EngineInputError(f"BM unit {bm_unit} is not in the inputs") from None


# ---------------------------------------------------------------------------------------------
# Validation


def _clock(seconds: int) -> str:
    return from_epoch_seconds(int(seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fail(problems: np.ndarray, describe, what: str) -> None:
    """Raise for the first flagged row, counting the others."""
    rows = np.flatnonzero(problems)
    if len(rows):
        more = f" ({len(rows) - 1} more like it)" if len(rows) > 1 else ""
        raise EngineInputError(f"{describe(int(rows[0]))}: {what}{more}")


def _check_segments(segments: Segments, describe, day_start: int, day_end: int) -> None:
    # Check order within each owner's segments even if owners are interleaved in the table.
    order = np.argsort(segments.owner, kind="stable")
    if not np.array_equal(order, np.arange(len(order))):
        segments = segments.take(order)
        original = describe

        def describe(row: int) -> str:
            return original(int(order[row]))

    levels_ok = np.isfinite(segments.level_from) & np.isfinite(segments.level_to)
    _fail(~levels_ok, describe, "level is NaN or infinite; expected a number of MW")
    whole = (segments.time_from % 60 == 0) & (segments.time_to % 60 == 0)
    _fail(~whole, describe, "a point is not on a whole minute; spot times are whole minutes")
    _fail(
        segments.time_to < segments.time_from,
        describe,
        "points not in time order (a segment ends before it starts)",
    )
    outside = (segments.time_from < day_start) | (segments.time_to > day_end)
    _fail(
        outside,
        describe,
        f"a point lies outside the settlement day ({_clock(day_start)} to {_clock(day_end)})",
    )
    if len(segments) > 1:
        same = segments.owner[1:] == segments.owner[:-1]
        backwards = same & (segments.time_from[1:] < segments.time_to[:-1])
        _fail(
            np.concatenate([[False], backwards]),
            describe,
            "points not in time order (a point is earlier than the one before it)",
        )


def _repeats(slot: np.ndarray) -> np.ndarray:
    """True on every row whose slot (a small non-negative integer) an earlier row also has."""
    first = np.full(int(slot.max()) + 1, len(slot), dtype=np.int64)
    np.minimum.at(first, slot, np.arange(len(slot)))
    return first[slot] != np.arange(len(slot))


def validate_bm_inputs(inputs: BmInputs) -> None:
    """Refuse BM inputs that break a rule of the format, before any computing starts.

    Parameters
    ----------
    inputs : BmInputs
        The day's BM data.

    Raises
    ------
    EngineInputError
        Naming the BM unit, acceptance or pair of the first problem: a row referring to no
        row, a duplicate unit, a level or price that is not finite, a point off a whole
        minute, out of time order or outside the day, a pair number outside ±1 to ±6, a
        period the day does not have, PO_n < PB_n, a repeated pair, a band point outside its
        period or of the wrong sign, a duplicate acceptance number or an acceptance without
        levels.
    """
    _check_references(inputs)
    units = inputs.bm_units
    start, end = inputs.day_start, inputs.day_end
    _check_segments(inputs.fpn, lambda r: f"BM unit {units[inputs.fpn.owner[r]]} FPN", start, end)
    _check_pairs(inputs)
    _check_bands(inputs)
    _check_acceptances(inputs)


def _check_references(inputs: BmInputs) -> None:
    """Every row refers to a row that exists, and no BM unit is listed twice."""
    units = inputs.bm_units
    count = len(units)
    for name, table, size in (
        ("FPN", inputs.fpn.owner, count),
        ("pair", inputs.pairs.unit, count),
        ("acceptance", inputs.acceptances.unit, count),
        ("band", inputs.bands.owner, len(inputs.pairs)),
        ("acceptance level", inputs.acceptance_levels.owner, len(inputs.acceptances)),
    ):
        if len(table) and (table.min() < 0 or table.max() >= size):
            raise EngineInputError(f"a {name} row refers to a row that does not exist")
    if len(set(units)) != count:
        duplicate = next(u for u in units if units.count(u) > 1)
        raise EngineInputError(f"BM unit {duplicate} is listed twice")


def _pair_name(inputs: BmInputs, row: int) -> str:
    pairs = inputs.pairs
    return (
        f"BM unit {inputs.bm_units[pairs.unit[row]]} pair {pairs.pair[row]} "
        f"period {pairs.period[row]}"
    )


def _check_pairs(inputs: BmInputs) -> None:
    """Pair numbers ±1 to ±MAX_PAIR, periods of the day, finite prices, PO_n ≥ PB_n, and
    each pair once per unit and period."""
    pairs, periods = inputs.pairs, inputs.periods

    def pair_name(row: int) -> str:
        return _pair_name(inputs, row)

    _fail(
        (pairs.pair == 0) | (np.abs(pairs.pair) > MAX_PAIR),
        pair_name,
        f"pair numbers run from -{MAX_PAIR} to -1 and 1 to {MAX_PAIR}",
    )
    _fail(
        (pairs.period < 1) | (pairs.period > periods),
        pair_name,
        f"the period does not exist on {inputs.settlement_date} (1 to {periods})",
    )
    prices_ok = np.isfinite(pairs.offer_price) & np.isfinite(pairs.bid_price)
    _fail(~prices_ok, pair_name, "price is NaN or infinite")
    _fail(
        pairs.offer_price < pairs.bid_price,
        pair_name,
        "offer price below bid price; expected PO_n ≥ PB_n",
    )
    if len(pairs):
        slot = (pairs.unit * (periods + 1) + pairs.period) * (2 * MAX_PAIR + 1) + pairs.pair
        slot = slot + MAX_PAIR
        _fail(_repeats(slot), pair_name, "the pair is given twice for the period")


def _check_bands(inputs: BmInputs) -> None:
    """Band segments well formed, inside their pair's period, ≥ 0 on offer pairs and ≤ 0
    on bid pairs."""
    pairs, bands = inputs.pairs, inputs.bands
    start = inputs.day_start

    def band_name(row: int) -> str:
        return f"{_pair_name(inputs, int(bands.owner[row]))} band"

    _check_segments(bands, band_name, start, inputs.day_end)
    if len(bands):
        owner_period = pairs.period[bands.owner]
        period_start = start + PERIOD_SECONDS * (owner_period - 1)
        _fail(
            (bands.time_from < period_start) | (bands.time_to > period_start + PERIOD_SECONDS),
            band_name,
            "a band point lies outside its settlement period",
        )
        sign = np.sign(pairs.pair[bands.owner])
        wrong_sign = (sign * bands.level_from < 0) | (sign * bands.level_to < 0)
        _fail(
            wrong_sign,
            band_name,
            "band width has the wrong sign; expected ≥ 0 on offer pairs, ≤ 0 on bid pairs",
        )


def _check_acceptances(inputs: BmInputs) -> None:
    """Each acceptance number once per unit, each acceptance with levels, and the level
    segments well formed."""
    units, acceptances = inputs.bm_units, inputs.acceptances

    def acceptance_name(row: int) -> str:
        return f"BM unit {units[acceptances.unit[row]]} acceptance {acceptances.number[row]}"

    if len(acceptances):
        order = np.lexsort((acceptances.number, acceptances.unit))
        same = (acceptances.unit[order][1:] == acceptances.unit[order][:-1]) & (
            acceptances.number[order][1:] == acceptances.number[order][:-1]
        )
        repeated = np.zeros(len(acceptances), dtype=bool)
        repeated[order[1:][same]] = True
        _fail(repeated, acceptance_name, "duplicate acceptance number for the BM unit")
        has_levels = np.zeros(len(acceptances), dtype=bool)
        has_levels[inputs.acceptance_levels.owner] = True
        _fail(~has_levels, acceptance_name, "the acceptance has no levels")
    levels = inputs.acceptance_levels
    _check_segments(
        levels, lambda r: acceptance_name(int(levels.owner[r])), inputs.day_start, inputs.day_end
    )


# ---------------------------------------------------------------------------------------------
# Building inputs from plain records (case files, tests)


def _segments_of(owners_points: Iterable[tuple[int, Sequence[tuple[int, float]]]]) -> Segments:
    owner, t0, l0, t1, l1 = [], [], [], [], []
    for index, points in owners_points:
        for (a, la), (b, lb) in itertools.pairwise(points):
            owner.append(index)
            t0.append(a)
            l0.append(la)
            t1.append(b)
            l1.append(lb)
    return Segments.of(owner, t0, l0, t1, l1)


def bm_inputs_from_records(
    settlement_date: date,
    bm_units: Sequence[str],
    fpn: Mapping[str, Sequence[tuple[int, float]]] | Sequence[tuple[str, Sequence]],
    bid_offer: Sequence[Mapping],
    acceptances: Sequence[Mapping],
) -> BmInputs:
    """Build inputs from plain records (case files, tests), points as (epoch seconds, MW).

    Parameters
    ----------
    settlement_date : date
        The settlement day.
    bm_units : sequence of str
        Elexon BM unit ids, in index order.
    fpn : mapping of str to points, or sequence of (str, points)
        Each unit's FPN points, MW, export positive.
    bid_offer : sequence of mapping
        {"bm_unit", "period", "pair", "offer" (PO_n, £/MWh), "bid" (PB_n, £/MWh),
        "points" (band width, MW: ≥ 0 offers, ≤ 0 bids)}.
    acceptances : sequence of mapping
        {"bm_unit", "number", "time" (epoch s), "points" (MW, export positive), and optional
        flags "so_flag", "stor_flag", "rr_flag", "deemed"}.

    Returns
    -------
    BmInputs
        The inputs, not yet validated (validate_bm_inputs).

    Raises
    ------
    EngineInputError
        For a BM unit that is not in `bm_units`.
    """
    units = tuple(bm_units)
    index = {u: i for i, u in enumerate(units)}

    def unit_of(name: str) -> int:
        if name not in index:
            raise EngineInputError(f"BM unit {name} is not in the list of BM units")
        return index[name]

    fpn_items = fpn.items() if isinstance(fpn, Mapping) else fpn
    fpn_segments = _segments_of((unit_of(u), points) for u, points in fpn_items)
    pairs = PairTable.of(
        [unit_of(r["bm_unit"]) for r in bid_offer],
        [r["period"] for r in bid_offer],
        [r["pair"] for r in bid_offer],
        [r["offer"] for r in bid_offer],
        [r["bid"] for r in bid_offer],
    )
    bands = _segments_of((row, r["points"]) for row, r in enumerate(bid_offer))
    table = AcceptanceTable.of(
        [unit_of(r["bm_unit"]) for r in acceptances],
        [r["number"] for r in acceptances],
        [r["time"] for r in acceptances],
        [r.get("so_flag", False) for r in acceptances],
        [r.get("stor_flag", False) for r in acceptances],
        [r.get("rr_flag", False) for r in acceptances],
        [r.get("deemed", False) for r in acceptances],
    )
    levels = _segments_of((row, r["points"]) for row, r in enumerate(acceptances))
    return BmInputs(settlement_date, units, fpn_segments, pairs, bands, table, levels)
