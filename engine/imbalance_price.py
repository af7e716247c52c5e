"""The imbalance price, stage by stage (rules R-PRC-*, BSC Annex T-1 as the rulebook writes it).

Each stage is one function named after its rule id, working on one period's items; any of
them can be swapped for a corrected reading. Volumes are signed (sell items negative);
"most expensive" is the highest-priced buy and the lowest-priced sell (R-PRC-RANK).

Choices the rulebook leaves open, stated here and tested:
- Ties in price are ordered by item id, then acceptance number, then pair number, ascending;
  the later item in that order counts as the more expensive. Results do not depend on the
  order in which items are given.
- Unpriced items (BSAD without a cost) rank as the most expensive items of their stack, take
  no part in arbitrage, stay flagged, and take the replacement price if they remain.
- STOR repricing (R-PRC-STOR) applies to STOR-flagged items of either side in a STOR window.
- Flag classification (R-PRC-FLAG) compares items that remain after arbitrage.
- The replacement price and PAR rank by the price in force at that stage (after STOR
  repricing; PAR after replacement repricing).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engine.errors import EngineInputError
from engine.stack_items import BUY, SELL, StackItems

TAGGED_BY_NONE, TAGGED_BY_DMAT, TAGGED_BY_ARBITRAGE, TAGGED_BY_NIV, TAGGED_BY_PAR = range(5)
TAGGED_BY_NAMES = ("", "DMAT", "arbitrage", "NIV", "PAR")


@dataclass(frozen=True, slots=True)
class PriceParameters:
    """The parameters of the imbalance price (R-PAR).

    Attributes
    ----------
    par : float
        PAR, MWh (R-PRC-PAR).
    rpar : float
        RPAR, MWh (R-PRC-REPL).
    dmat : float
        DMAT, MWh (R-PRC-DMAT).
    voll : float
        VoLL, £/MWh (R-PRC-STOR).
    """

    par: float
    rpar: float
    dmat: float
    voll: float


@dataclass(frozen=True, slots=True)
class PriceRules:
    """The swappable rule functions of the price stage (rule variants replace them).

    Each field is called as the default function of its rule is; a rule variant
    (engine.variants) gives another function of the same signature.

    Attributes
    ----------
    dmat : callable
        R-PRC-DMAT, default r_prc_dmat.
    arb : callable
        R-PRC-ARB, default r_prc_arb.
    repl : callable
        R-PRC-REPL, default r_prc_repl.
    par : callable
        R-PRC-PAR, default r_prc_par.
    """

    dmat: Callable = field(default_factory=lambda: r_prc_dmat)
    arb: Callable = field(default_factory=lambda: r_prc_arb)
    repl: Callable = field(default_factory=lambda: r_prc_repl)
    par: Callable = field(default_factory=lambda: r_prc_par)


@dataclass(frozen=True, slots=True)
class PeriodPriceInputs:
    """Per-period inputs of the imbalance price; every array has shape (periods,), index j − 1.

    Attributes
    ----------
    mip : numpy.ndarray of float
        MIP_j, £/MWh (R-PRC-MIP); NaN where there is none.
    lolp : numpy.ndarray of float
        LoLP_j, loss of load probability, 0 to 1.
    stor_window : numpy.ndarray of bool
        The period is inside a STOR availability window (R-PRC-STOR).
    bpa : numpy.ndarray of float
        BPA_j, buy price adjustment, £/MWh, added when NIV > 0.
    spa : numpy.ndarray of float
        SPA_j, sell price adjustment, £/MWh, added when NIV < 0.
    """

    mip: np.ndarray
    lolp: np.ndarray
    stor_window: np.ndarray
    bpa: np.ndarray
    spa: np.ndarray

    @classmethod
    def default(cls, periods: int) -> PeriodPriceInputs:
        """No market index data, LoLP 0, no STOR window, no price adjustments.

        Parameters
        ----------
        periods : int
            Number of periods of the day.

        Returns
        -------
        PeriodPriceInputs
            MIP NaN, everything else 0 or False.
        """
        return cls(
            np.full(periods, np.nan),
            np.zeros(periods),
            np.zeros(periods, dtype=bool),
            np.zeros(periods),
            np.zeros(periods),
        )


# ---------------------------------------------------------------------------------------------
# Stages


PRICE_UNAVAILABLE = "unavailable"


def r_prc_mip(prices: np.ndarray, volumes: np.ndarray) -> float:
    """MIP_j: the volume-weighted average of the period's market index prices (R-PRC-MIP).

    Parameters
    ----------
    prices : numpy.ndarray of float, shape (n,)
        Market index prices of the period, £/MWh.
    volumes : numpy.ndarray of float, shape (n,)
        Their volumes, MWh.

    Returns
    -------
    float
        £/MWh; NaN when the total volume is not > 0 (MIP not available).
    """
    total = float(np.sum(volumes))
    return float(np.sum(prices * volumes) / total) if total > 0 else float("nan")


def r_prc_stor(
    price: np.ndarray, stor_flag: np.ndarray, in_window: bool, lolp: float, voll: float
) -> tuple[np.ndarray, np.ndarray]:
    """STOR repricing: in a STOR window a STOR item takes max(its price, RSVP_j) (R-PRC-STOR).

    RSVP_j = LoLP_j × VoLL. Confirmed (v2); applied to STOR items of either side (module
    docstring). An unpriced item stays unpriced.

    Parameters
    ----------
    price : numpy.ndarray of float, shape (items,)
        Original price, £/MWh; NaN for unpriced items.
    stor_flag : numpy.ndarray of bool, shape (items,)
        STOR flag.
    in_window : bool
        Whether the period is in a STOR availability window.
    lolp : float or numpy.ndarray of float, shape (items,)
        LoLP_j, 0 to 1 (per item when items of several periods are given).
    voll : float
        VoLL, £/MWh.

    Returns
    -------
    price : numpy.ndarray of float, shape (items,)
        Price after repricing, £/MWh.
    reserve : numpy.ndarray of float, shape (items,)
        RSVP_j applied to the item, £/MWh, or NaN where STOR repricing does not apply.
    """
    rsvp = np.asarray(lolp) * voll
    applies = stor_flag & in_window
    reserve = np.where(applies, rsvp, np.nan)
    return np.where(applies & ~np.isnan(price), np.maximum(price, rsvp), price), reserve


def r_prc_rank(side: np.ndarray, price: np.ndarray, priced: np.ndarray, tiebreak: np.ndarray):
    """Item positions from the most expensive down, per side (R-PRC-RANK).

    "Most expensive" is the highest-priced buy and the lowest-priced sell; unpriced items
    come first; ties go by the module's tie rule (the later item in tie order first).

    Parameters
    ----------
    side : numpy.ndarray of int, shape (items,)
        BUY (+1) or SELL (−1).
    price : numpy.ndarray of float, shape (items,)
        £/MWh.
    priced : numpy.ndarray of bool, shape (items,)
        False for unpriced items.
    tiebreak : numpy.ndarray of int, shape (items,)
        Rank of each item in the tie order.

    Returns
    -------
    numpy.ndarray of int, shape (items,)
        Item positions, most expensive first (buys and sells interleaved by expensiveness).
    """
    expensiveness = np.where(priced, np.where(side == BUY, price, -price), np.inf)
    return np.lexsort((-tiebreak, -expensiveness))


def _take_from_top(magnitude_in_order: np.ndarray, amount: float) -> np.ndarray:
    """How much of each item (in order) lies within the first `amount` MWh."""
    before = np.cumsum(magnitude_in_order) - magnitude_in_order
    return np.clip(amount - before, 0.0, magnitude_in_order)


def r_prc_dmat(volume: np.ndarray, dmat: float) -> np.ndarray:
    """DMAT tagging: an item with |volume| < DMAT is tagged out (R-PRC-DMAT).

    Parameters
    ----------
    volume : numpy.ndarray of float, shape (items,)
        MWh, buy > 0, sell < 0.
    dmat : float
        DMAT, MWh.

    Returns
    -------
    numpy.ndarray of float, shape (items,)
        dmatAdjustedVolume, MWh: 0 for tagged items, else the volume.

    Notes
    -----
    Assumed granularity: per stack item (one acceptance × pair, or one BSAD action), BSAD
    included, never per unit total.
    """
    return np.where(np.abs(volume) < dmat, 0.0, volume)


def r_prc_arb(
    side: np.ndarray, volume: np.ndarray, price: np.ndarray, priced: np.ndarray,
    order: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """Arbitrage tagging of crossing sell and buy volume (R-PRC-ARB, assumed).

    While the highest-priced remaining sell item's price is at least the lowest-priced
    remaining buy item's price, tag out min(|sell|, buy) from both. `order` read backwards
    walks each stack from its arbitrage end (cheapest buy, dearest sell) in the tie order.
    The matched volume is everything before the first volume level at which the sell price
    drops below the buy price: along the walk sell prices only fall and buy prices only rise.
    Unpriced items take no part.

    Parameters
    ----------
    side : numpy.ndarray of int, shape (items,)
        BUY (+1) or SELL (−1).
    volume : numpy.ndarray of float, shape (items,)
        dmatAdjustedVolume, MWh, buy > 0, sell < 0.
    price : numpy.ndarray of float, shape (items,)
        £/MWh (after STOR repricing).
    priced : numpy.ndarray of bool, shape (items,)
        False for unpriced items.
    order : numpy.ndarray of int, shape (items,)
        Item positions, most expensive first (R-PRC-RANK).

    Returns
    -------
    numpy.ndarray of float, shape (items,)
        arbitrageAdjustedVolume, MWh, the sign of the side.
    """
    result = volume.copy()
    backwards = order[::-1]
    buys = backwards[(side[backwards] == BUY) & priced[backwards] & (volume[backwards] > 0)]
    sells = backwards[(side[backwards] == SELL) & priced[backwards] & (volume[backwards] < 0)]
    if len(buys) == 0 or len(sells) == 0 or price[sells[0]] < price[buys[0]]:
        return result
    buy_end = np.cumsum(volume[buys])
    sell_end = np.cumsum(-volume[sells])
    limit = min(buy_end[-1], sell_end[-1])
    # Both cumulative ends are sorted already: a stable sort merges the two runs; repeated
    # levels only test the same condition twice.
    levels = np.sort(np.concatenate([[0.0], buy_end, sell_end]), kind="stable")
    levels = levels[levels < limit]
    b = np.searchsorted(buy_end, levels, side="right")
    s = np.searchsorted(sell_end, levels, side="right")
    crossing = price[sells][s] >= price[buys][b]
    matched = limit if crossing.all() else levels[np.argmin(crossing)]
    result[buys] -= _take_from_top(volume[buys], matched)
    result[sells] += _take_from_top(-volume[sells], matched)
    return result


def r_prc_arb_off(
    side: np.ndarray, volume: np.ndarray, price: np.ndarray, priced: np.ndarray,
    order: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """R-PRC-ARB replaced by no arbitrage tagging (rule variant ``no-arbitrage-tagging``).

    Crossing sell and buy volume stays in the stack; NIV tagging takes it instead.

    Parameters
    ----------
    side : numpy.ndarray of int, shape (items,)
        BUY (+1) or SELL (−1); unused, as r_prc_arb's.
    volume : numpy.ndarray of float, shape (items,)
        dmatAdjustedVolume, MWh, buy > 0, sell < 0.
    price : numpy.ndarray of float, shape (items,)
        £/MWh; unused.
    priced : numpy.ndarray of bool, shape (items,)
        Unused.
    order : numpy.ndarray of int, shape (items,)
        Unused.

    Returns
    -------
    numpy.ndarray of float, shape (items,)
        arbitrageAdjustedVolume = dmatAdjustedVolume, MWh.
    """
    return volume.copy()


def r_prc_niv(volume: np.ndarray) -> float:
    """NIV_j = Σ remaining buy volume + Σ remaining sell volume (R-PRC-NIV).

    Parameters
    ----------
    volume : numpy.ndarray of float, shape (items,)
        arbitrageAdjustedVolume, MWh, buy > 0, sell < 0.

    Returns
    -------
    float
        NIV_j, MWh: > 0 the system is short (buy stack priced), < 0 long.
    """
    return float(np.sum(volume))


def r_prc_flag(
    side: np.ndarray,
    volume: np.ndarray,
    price: np.ndarray,
    priced: np.ndarray,
    so_flag: np.ndarray,
    cadl_flag: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """First- and second-stage flags of each item (R-PRC-FLAG).

    First-stage flagged: SO- or CADL-flagged, or unpriced. A first-stage-flagged priced item
    not more expensive than the most expensive first-stage-unflagged remaining item of its
    stack is unflagged; the rest stay flagged at the second stage; a stack with no
    unflagged remaining item keeps all its flagged items flagged.

    Parameters
    ----------
    side : numpy.ndarray of int, shape (items,)
        BUY (+1) or SELL (−1).
    volume : numpy.ndarray of float, shape (items,)
        arbitrageAdjustedVolume, MWh: only items with volume left count as unflagged.
    price : numpy.ndarray of float, shape (items,)
        £/MWh (after STOR repricing).
    priced : numpy.ndarray of bool, shape (items,)
        False for unpriced items.
    so_flag : numpy.ndarray of bool, shape (items,)
        SO flag.
    cadl_flag : numpy.ndarray of bool, shape (items,)
        CADL flag.

    Returns
    -------
    first : numpy.ndarray of bool, shape (items,)
        First-stage flagged.
    second : numpy.ndarray of bool, shape (items,)
        Second-stage flagged (these take the replacement price if they remain).
    """
    first = so_flag | cadl_flag | ~priced
    second = first.copy()
    for stack in (BUY, SELL):
        mine = side == stack
        unflagged = mine & ~first & (volume != 0)
        if not unflagged.any():
            continue
        if stack == BUY:
            threshold = price[unflagged].max()
            cheap_enough = price <= threshold
        else:
            threshold = price[unflagged].min()
            cheap_enough = price >= threshold
        second[mine & first & priced & cheap_enough] = False
    return first, second


def r_prc_nivtag(side: np.ndarray, volume: np.ndarray, order: np.ndarray, niv: float) -> np.ndarray:
    """NIV tagging: the opposite stack out, the same volume from the dearest end (R-PRC-NIVTAG).

    The whole opposite stack is tagged out, and the same volume from the NIV-direction
    stack starting from its most expensive item (order confirmed, v2); |NIV| remains.

    Parameters
    ----------
    side : numpy.ndarray of int, shape (items,)
        BUY (+1) or SELL (−1).
    volume : numpy.ndarray of float, shape (items,)
        arbitrageAdjustedVolume, MWh, buy > 0, sell < 0.
    order : numpy.ndarray of int, shape (items,)
        Item positions, most expensive first (R-PRC-RANK).
    niv : float
        NIV_j, MWh.

    Returns
    -------
    numpy.ndarray of float, shape (items,)
        nivAdjustedVolume, MWh, the sign of the side; all 0 when NIV = 0.
    """
    result = np.zeros_like(volume)
    if niv == 0:
        return result
    direction = BUY if niv > 0 else SELL
    opposite_total = float(np.abs(volume[side == -direction]).sum())
    mine = order[side[order] == direction]  # most expensive first
    magnitude = np.abs(volume[mine])
    tagged = _take_from_top(magnitude, opposite_total)
    result[mine] = direction * (magnitude - tagged)
    return result


def r_prc_repl(
    volume: np.ndarray,
    price: np.ndarray,
    priced: np.ndarray,
    second_stage: np.ndarray,
    order: np.ndarray,
    rpar: float,
    mip: float,
) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Replacement price, and the repricing of second-stage-flagged items (R-PRC-REPL).

    Replacement price = volume-weighted average price of the most expensive RPAR MWh of
    remaining second-stage-unflagged priced items, MIP_j if there are none; every remaining
    second-stage-flagged item takes it. With fewer than RPAR MWh of such volume all of it
    is used and the reference volume is that smaller volume (Elexon publishes e.g. 0.717);
    it is 0 exactly when MIP_j is used.

    Parameters
    ----------
    volume : numpy.ndarray of float, shape (items,)
        nivAdjustedVolume, MWh, buy > 0, sell < 0.
    price : numpy.ndarray of float, shape (items,)
        £/MWh (after STOR repricing).
    priced : numpy.ndarray of bool, shape (items,)
        False for unpriced items.
    second_stage : numpy.ndarray of bool, shape (items,)
        Second-stage flagged (R-PRC-FLAG).
    order : numpy.ndarray of int, shape (items,)
        Item positions, most expensive first (R-PRC-RANK).
    rpar : float
        RPAR, MWh.
    mip : float
        MIP_j, £/MWh; NaN where there is none.

    Returns
    -------
    replacement : float
        Replacement price, £/MWh (MIP_j when no unflagged volume remains).
    reference : float
        Replacement price reference volume, MWh, ≤ RPAR; 0 exactly when MIP_j is used.
    final : numpy.ndarray of float, shape (items,)
        finalPrice, £/MWh.
    repriced : numpy.ndarray of bool, shape (items,)
        repricedIndicator: second-stage flagged with volume remaining.

    Notes
    -----
    Confirmed default, assumed detail (rulebook §10).
    """
    candidates = order[(volume[order] != 0) & ~second_stage[order] & priced[order]]
    taken = _take_from_top(np.abs(volume[candidates]), rpar)
    reference = float(taken.sum())
    replacement = float(np.sum(taken * price[candidates]) / reference) if reference > 0 else mip
    repriced = second_stage & (volume != 0)
    final = np.where(repriced, replacement, price)
    return replacement, reference, final, repriced


def r_prc_par(volume: np.ndarray, order: np.ndarray, par: float) -> np.ndarray:
    """PAR tagging: keep the most expensive PAR MWh of what remains (R-PRC-PAR).

    Parameters
    ----------
    volume : numpy.ndarray of float, shape (items,)
        nivAdjustedVolume, MWh, buy > 0, sell < 0.
    order : numpy.ndarray of int, shape (items,)
        Item positions, most expensive first by final price.
    par : float
        PAR, MWh.

    Returns
    -------
    numpy.ndarray of float, shape (items,)
        parAdjustedVolume, MWh, the sign of the side (the last item kept in part).
    """
    result = np.zeros_like(volume)
    remaining = order[volume[order] != 0]
    taken = _take_from_top(np.abs(volume[remaining]), par)
    result[remaining] = np.sign(volume[remaining]) * taken
    return result


def r_prc_main(
    par_volume: np.ndarray, final_price: np.ndarray, tlm: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """TLM-adjusted volume and cost, and the main price Σ cost / Σ volume (R-PRC-MAIN).

    Parameters
    ----------
    par_volume : numpy.ndarray of float, shape (items,)
        parAdjustedVolume, MWh, buy > 0, sell < 0.
    final_price : numpy.ndarray of float, shape (items,)
        finalPrice, £/MWh.
    tlm : numpy.ndarray of float, shape (items,)
        TLM of each item's unit, dimensionless (BSAD: 1).

    Returns
    -------
    adjusted : numpy.ndarray of float, shape (items,)
        tlmAdjustedVolume, MWh, the sign of the side.
    cost : numpy.ndarray of float, shape (items,)
        tlmAdjustedCost, £, 0 where nothing remains.
    main : float
        Main price, £/MWh; NaN if no volume remains.
    """
    adjusted = par_volume * tlm
    cost = np.where(par_volume != 0, adjusted * final_price, 0.0)
    total = float(adjusted.sum())
    return adjusted, cost, (float(cost.sum()) / total if total != 0 else float("nan"))


# ---------------------------------------------------------------------------------------------
# The day


@dataclass
class StackResult:
    """Per item, every published stack column in stage order (R-PRC).

    Every array has shape (items,), aligned with the input items; volumes MWh with the sign
    of the side (buy > 0, sell < 0); prices £/MWh. Items of periods not priced keep volumes
    0, no flags and their given price.

    Attributes
    ----------
    reserve_scarcity_price : numpy.ndarray of float
        RSVP_j applied by R-PRC-STOR, £/MWh; NaN where it does not apply.
    stack_price : numpy.ndarray of float
        Price after STOR repricing: the price the stages rank by.
    dmat_adjusted_volume : numpy.ndarray of float
        After R-PRC-DMAT.
    arbitrage_adjusted_volume : numpy.ndarray of float
        After R-PRC-ARB.
    niv_adjusted_volume : numpy.ndarray of float
        After R-PRC-NIVTAG.
    par_adjusted_volume : numpy.ndarray of float
        After R-PRC-PAR.
    first_stage_flag : numpy.ndarray of bool
        SO, CADL or unpriced (R-PRC-FLAG).
    second_stage_flag : numpy.ndarray of bool
        Still flagged after second-stage unflagging.
    repriced : numpy.ndarray of bool
        repricedIndicator: took the replacement price (R-PRC-REPL).
    final_price : numpy.ndarray of float
        finalPrice, £/MWh.
    tlm_adjusted_volume : numpy.ndarray of float
        parAdjustedVolume × TLM, MWh (R-PRC-MAIN).
    tlm_adjusted_cost : numpy.ndarray of float
        tlmAdjustedVolume × finalPrice, £.
    tagged_by : numpy.ndarray of int64
        TAGGED_BY_* code of the stage that tagged the item out (TAGGED_BY_NONE: kept).
    sequence : numpy.ndarray of int64
        Position in its period and side, most expensive first, 1-based.
    """

    reserve_scarcity_price: np.ndarray
    stack_price: np.ndarray
    dmat_adjusted_volume: np.ndarray
    arbitrage_adjusted_volume: np.ndarray
    niv_adjusted_volume: np.ndarray
    par_adjusted_volume: np.ndarray
    first_stage_flag: np.ndarray
    second_stage_flag: np.ndarray
    repriced: np.ndarray
    final_price: np.ndarray
    tlm_adjusted_volume: np.ndarray
    tlm_adjusted_cost: np.ndarray
    tagged_by: np.ndarray
    sequence: np.ndarray


@dataclass
class PeriodPrices:
    """The imbalance price of each period (R-PRC); arrays have shape (periods,), index j − 1.

    NaN (None for price_source) in periods not priced, except mip.

    Attributes
    ----------
    ssp : numpy.ndarray of float
        SSP_j, £/MWh; NaN where unavailable.
    sbp : numpy.ndarray of float
        SBP_j = SSP_j (single price since P305), £/MWh.
    niv : numpy.ndarray of float
        NIV_j, MWh, > 0 short.
    main_price : numpy.ndarray of float
        Main price before BPA/SPA, £/MWh; NaN where nothing remains after PAR.
    price_source : numpy.ndarray of object
        ``stack``, ``replacement``, ``mip`` or PRICE_UNAVAILABLE.
    replacement_price : numpy.ndarray of float
        £/MWh where some item was repriced, else NaN.
    replacement_reference_volume : numpy.ndarray of float
        MWh where some item was repriced, else NaN.
    mip : numpy.ndarray of float
        MIP_j, £/MWh, as given.
    price_adjustment : numpy.ndarray of float
        BPA_j (NIV > 0) or SPA_j (NIV < 0) applied, £/MWh; 0 on the MIP path.
    periods_priced : list of int
        The periods priced, 1-based, in the order priced.
    """

    ssp: np.ndarray
    sbp: np.ndarray
    niv: np.ndarray
    main_price: np.ndarray
    price_source: np.ndarray
    replacement_price: np.ndarray
    replacement_reference_volume: np.ndarray
    mip: np.ndarray
    price_adjustment: np.ndarray
    periods_priced: list[int] = field(default_factory=list)


def _tiebreak(items: StackItems) -> np.ndarray:
    """Rank of each item by (item id, acceptance, pair): the R-PRC-RANK tie order."""
    # Sorting the few distinct ids beats sorting one string per item.
    rank_of = {name: rank for rank, name in enumerate(sorted(set(items.item_id.tolist())))}
    ids = np.array(list(map(rank_of.__getitem__, items.item_id.tolist())), dtype=np.int64)
    order = np.lexsort((items.pair, items.acceptance, ids))
    rank = np.empty(len(items), dtype=np.int64)
    rank[order] = np.arange(len(items))
    return rank


def validate_price_inputs(
    items: StackItems, periods: int, period_inputs: PeriodPriceInputs
) -> None:
    """Refuse price inputs that break a rule of the format, before any pricing starts.

    Parameters
    ----------
    items : StackItems
        The day's stack items.
    periods : int
        Number of periods of the day.
    period_inputs : PeriodPriceInputs
        Per-period inputs.

    Raises
    ------
    EngineInputError
        Naming the period and item of the first problem: a period the day does not have, a
        volume, price (of a priced item) or TLM that is not finite, a volume of the wrong
        sign for its side, a side neither buy nor sell, or a LoLP, BPA or SPA that is not
        finite.
    """

    def name(i: int) -> str:
        acc = (
            f" acceptance {items.acceptance[i]} pair {items.pair[i]}"
            if items.acceptance[i] >= 0
            else ""
        )
        return f"period {items.period[i]}, item {items.item_id[i]}{acc}"

    bad_period = (items.period < 1) | (items.period > periods)
    if bad_period.any():
        i = int(np.flatnonzero(bad_period)[0])
        raise EngineInputError(f"{name(i)}: the period does not exist (1 to {periods})")
    problems = (
        (~np.isfinite(items.volume), "volume is not a finite number"),
        (items.priced & ~np.isfinite(items.price), "price is not a finite number"),
        (~np.isfinite(items.tlm), "TLM is not a finite number"),
        (np.sign(items.volume) * items.side < 0, "volume has the wrong sign for its side"),
        (~np.isin(items.side, (BUY, SELL)), "side is neither buy nor sell"),
    )
    for mask, what in problems:
        if mask.any():
            rows = np.flatnonzero(mask)
            more = f" ({len(rows) - 1} more like it)" if len(rows) > 1 else ""
            raise EngineInputError(f"{name(int(rows[0]))}: {what}{more}")
    for label, values in (
        ("LoLP", period_inputs.lolp),
        ("BPA", period_inputs.bpa),
        ("SPA", period_inputs.spa),
    ):
        bad = ~np.isfinite(values)
        if bad.any():
            raise EngineInputError(
                f"period {int(np.flatnonzero(bad)[0]) + 1}: {label} is not a finite number"
            )


def imbalance_prices(
    items: StackItems,
    period_inputs: PeriodPriceInputs,
    parameters: PriceParameters,
    periods: int,
    only_periods: list[int] | None = None,
    rules: PriceRules | None = None,
) -> tuple[PeriodPrices, StackResult]:
    """The imbalance price of every period from its stack items, stage by stage (R-PRC-*).

    Parameters
    ----------
    items : StackItems
        The day's stack items (volumes MWh, buy > 0, sell < 0; prices £/MWh).
    period_inputs : PeriodPriceInputs
        MIP, LoLP, STOR windows, BPA and SPA per period.
    parameters : PriceParameters
        PAR, RPAR, DMAT (MWh) and VoLL (£/MWh).
    periods : int
        Number of periods of the day.
    only_periods : list of int, optional
        Price these periods only (1-based); default all.
    rules : PriceRules, optional
        The rule functions of the stage; default the rulebook's (PriceRules()).

    Returns
    -------
    prices : PeriodPrices
        Per period: SSP = SBP (£/MWh), NIV (MWh), price source and replacement price.
    stack : StackResult
        Per item: every published stack column.

    Raises
    ------
    EngineInputError
        When the inputs break a rule of the format (validate_price_inputs).

    Notes
    -----
    Assumed stages: R-PRC-DMAT (granularity), R-PRC-ARB and R-PRC-REPL (detail). A period
    that needs MIP_j and has none gets PRICE_UNAVAILABLE and a NaN price. Dual pricing before
    2015-11-05 is not modelled (rulebook §15): one price, SSP = SBP.
    """
    validate_price_inputs(items, periods, period_inputs)
    n = len(items)
    result = StackResult(
        reserve_scarcity_price=np.full(n, np.nan),
        stack_price=items.price.copy(),
        dmat_adjusted_volume=np.zeros(n),
        arbitrage_adjusted_volume=np.zeros(n),
        niv_adjusted_volume=np.zeros(n),
        par_adjusted_volume=np.zeros(n),
        first_stage_flag=np.zeros(n, dtype=bool),
        second_stage_flag=np.zeros(n, dtype=bool),
        repriced=np.zeros(n, dtype=bool),
        final_price=items.price.copy(),
        tlm_adjusted_volume=np.zeros(n),
        tlm_adjusted_cost=np.zeros(n),
        tagged_by=np.zeros(n, dtype=np.int64),
        sequence=np.zeros(n, dtype=np.int64),
    )
    nan = np.full(periods, np.nan)
    prices = PeriodPrices(
        ssp=nan.copy(),
        sbp=nan.copy(),
        niv=nan.copy(),
        main_price=nan.copy(),
        price_source=np.full(periods, None, dtype=object),
        replacement_price=nan.copy(),
        replacement_reference_volume=nan.copy(),
        mip=period_inputs.mip.astype(float).copy(),
        price_adjustment=nan.copy(),
    )
    tiebreak = _tiebreak(items)
    # R-PRC-STOR and R-PRC-RANK for the whole day at once: one sort by (period, most
    # expensive first, tie order) hands each period its items already ranked.
    window = period_inputs.stor_window[items.period - 1].astype(bool)
    price, reserve = r_prc_stor(
        items.price,
        items.stor_flag & window,
        True,
        period_inputs.lolp[items.period - 1],
        parameters.voll,
    )
    expensiveness = np.where(items.priced, items.side * price, np.inf)
    by_period = np.lexsort((-tiebreak, -expensiveness, items.period))
    bounds = np.searchsorted(items.period[by_period], np.arange(1, periods + 2))
    wanted = only_periods or list(range(1, periods + 1))
    rules = rules or PriceRules()
    columns: dict[str, list[np.ndarray]] = {}
    all_rows = []
    for j in wanted:
        rows = by_period[bounds[j - 1] : bounds[j]]
        for name, values in _price_period(
            j,
            rows,
            items,
            price[rows],
            reserve[rows],
            tiebreak,
            period_inputs,
            parameters,
            prices,
            rules,
        ).items():
            columns.setdefault(name, []).append(values)
        all_rows.append(rows)
        prices.periods_priced.append(j)
    if all_rows:
        rows = np.concatenate(all_rows)
        for name, parts in columns.items():
            getattr(result, name)[rows] = np.concatenate(parts)
    return prices, result


def _price_period(
    j, rows, items, price, reserve, tiebreak, period_inputs, parameters, prices, rules
) -> dict:
    """Price period j; returns its items' stack columns and fills its entries of `prices`.

    `rows` come most expensive first (per side), with prices already STOR-repriced.
    """
    side = items.side[rows]
    priced = items.priced[rows]
    tie = tiebreak[rows]
    mip = float(period_inputs.mip[j - 1])

    order = np.arange(len(rows))  # R-PRC-RANK: already ranked by the day's sort
    dmat = rules.dmat(items.volume[rows], parameters.dmat)
    arbitrage = rules.arb(side, dmat, price, priced, order)
    niv = r_prc_niv(arbitrage)
    first, second = r_prc_flag(
        side, arbitrage, price, priced, items.so_flag[rows], items.cadl_flag[rows]
    )
    niv_volume = r_prc_nivtag(side, arbitrage, order, niv)
    needs_mip = niv == 0 or not np.any(niv_volume != 0)
    replacement, reference, final, repriced = rules.repl(
        niv_volume, price, priced, second, order, parameters.rpar, mip
    )
    if np.any(repriced) and reference == 0:
        needs_mip = True
    final_order = (
        r_prc_rank(side, final, np.ones(len(rows), dtype=bool), tie) if repriced.any() else order
    )
    par = rules.par(niv_volume, final_order, parameters.par)
    adjusted, cost, main = r_prc_main(par, final, items.tlm[rows])

    if needs_mip and np.isnan(mip):
        # No market index data where the price needs it: the price is unavailable (NaN) and
        # settle reports a failed R-PRC-MIP check for the period (not applicable where the
        # period holds no input at all); volumes and CBM still stand.
        source, system_price, adjustment = PRICE_UNAVAILABLE, np.nan, 0.0
    elif niv == 0 or np.isnan(main):
        source, system_price, adjustment = "mip", mip, 0.0
    else:
        adjustment = float(period_inputs.bpa[j - 1] if niv > 0 else period_inputs.spa[j - 1])
        source = "replacement" if np.any(repriced & (par != 0)) else "stack"
        system_price = main + adjustment

    tagged = np.full(len(rows), TAGGED_BY_NONE)
    tagged[(par == 0) & (niv_volume != 0)] = TAGGED_BY_PAR
    tagged[(niv_volume == 0) & (arbitrage != 0)] = TAGGED_BY_NIV
    tagged[(arbitrage != dmat) & (arbitrage == 0)] = TAGGED_BY_ARBITRAGE
    tagged[dmat == 0] = TAGGED_BY_DMAT
    # Position within its side, most expensive first: rank along `order`, per side.
    sequence = np.empty(len(rows), dtype=np.int64)
    is_buy = side[order] == BUY
    sequence[order] = np.where(is_buy, np.cumsum(is_buy), np.cumsum(~is_buy))

    prices.niv[j - 1] = niv
    prices.main_price[j - 1] = main
    prices.ssp[j - 1] = prices.sbp[j - 1] = system_price
    prices.price_source[j - 1] = source
    prices.replacement_price[j - 1] = replacement if np.any(repriced) else np.nan
    prices.replacement_reference_volume[j - 1] = reference if np.any(repriced) else np.nan
    prices.price_adjustment[j - 1] = adjustment
    return {
        "reserve_scarcity_price": reserve,
        "stack_price": price,
        "dmat_adjusted_volume": dmat,
        "arbitrage_adjusted_volume": arbitrage,
        "niv_adjusted_volume": niv_volume,
        "par_adjusted_volume": par,
        "first_stage_flag": first,
        "second_stage_flag": second,
        "repriced": repriced,
        "final_price": final,
        "tlm_adjusted_volume": adjusted,
        "tlm_adjusted_cost": cost,
        "tagged_by": tagged,
        "sequence": sequence,
    }
