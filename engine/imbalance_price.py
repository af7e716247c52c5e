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

from dataclasses import dataclass, field

import numpy as np

from engine.errors import EngineInputError
from engine.stack_items import BUY, SELL, StackItems

TAGGED_BY_NONE, TAGGED_BY_DMAT, TAGGED_BY_ARBITRAGE, TAGGED_BY_NIV, TAGGED_BY_PAR = range(5)
TAGGED_BY_NAMES = ("", "DMAT", "arbitrage", "NIV", "PAR")


@dataclass(frozen=True, slots=True)
class PriceParameters:
    par: float
    rpar: float
    dmat: float
    voll: float


@dataclass(frozen=True, slots=True)
class PeriodPriceInputs:
    """Per period j (index j − 1): MIP_j (NaN where there is none), LoLP_j, STOR window,
    BPA_j and SPA_j."""

    mip: np.ndarray
    lolp: np.ndarray
    stor_window: np.ndarray
    bpa: np.ndarray
    spa: np.ndarray

    @classmethod
    def default(cls, periods: int) -> PeriodPriceInputs:
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
    """R-PRC-MIP: volume-weighted average of the period's market index prices; NaN if the
    period has no market index volume (then MIP is not available)."""
    total = float(np.sum(volumes))
    return float(np.sum(prices * volumes) / total) if total > 0 else float("nan")


def r_prc_stor(
    price: np.ndarray, stor_flag: np.ndarray, in_window: bool, lolp: float, voll: float
) -> tuple[np.ndarray, np.ndarray]:
    """R-PRC-STOR (confirmed, v2): in a STOR window a STOR-flagged item is priced at
    max(its price, RSVP_j), RSVP_j = LoLP_j × VoLL. Returns (price, RSVP applied or NaN)."""
    rsvp = np.asarray(lolp) * voll
    applies = stor_flag & in_window
    reserve = np.where(applies, rsvp, np.nan)
    return np.where(applies & ~np.isnan(price), np.maximum(price, rsvp), price), reserve


def r_prc_rank(side: np.ndarray, price: np.ndarray, priced: np.ndarray, tiebreak: np.ndarray):
    """R-PRC-RANK: item positions from the most expensive down (per the module's tie rule)."""
    expensiveness = np.where(priced, np.where(side == BUY, price, -price), np.inf)
    return np.lexsort((-tiebreak, -expensiveness))


def _take_from_top(magnitude_in_order: np.ndarray, amount: float) -> np.ndarray:
    """How much of each item (in order) lies within the first `amount` MWh."""
    before = np.cumsum(magnitude_in_order) - magnitude_in_order
    return np.clip(amount - before, 0.0, magnitude_in_order)


def r_prc_dmat(volume: np.ndarray, dmat: float) -> np.ndarray:
    """R-PRC-DMAT (assumed granularity): an item with |volume| < DMAT is tagged out."""
    return np.where(np.abs(volume) < dmat, 0.0, volume)


def r_prc_arb(
    side: np.ndarray, volume: np.ndarray, price: np.ndarray, priced: np.ndarray,
    order: np.ndarray,
) -> np.ndarray:  # fmt: skip
    """R-PRC-ARB (assumed): while the highest-priced remaining sell item's price is at least
    the lowest-priced remaining buy item's price, tag out min(|sell|, buy) from both.

    `order` ranks the items most expensive first (R-PRC-RANK); read backwards it walks each
    stack from its arbitrage end (cheapest buy, dearest sell) in the tie order. The matched
    volume is everything before the first volume level at which the sell price drops below
    the buy price: along the walk sell prices only fall and buy prices only rise.
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


def r_prc_niv(volume: np.ndarray) -> float:
    """R-PRC-NIV: NIV_j = Σ remaining buy volume + Σ remaining sell volume (> 0: short)."""
    return float(np.sum(volume))


def r_prc_flag(
    side: np.ndarray,
    volume: np.ndarray,
    price: np.ndarray,
    priced: np.ndarray,
    so_flag: np.ndarray,
    cadl_flag: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """R-PRC-FLAG: (first-stage flagged, second-stage flagged) per item.

    First-stage flagged: SO- or CADL-flagged, or unpriced. A first-stage-flagged priced item
    not more expensive than the most expensive first-stage-unflagged remaining item of its
    stack is unflagged; the rest stay flagged at the second stage; a stack with no
    unflagged remaining item keeps all its flagged items flagged.
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
    """R-PRC-NIVTAG (order confirmed, v2): tag out the whole opposite stack and the same volume
    from the NIV-direction stack, starting from its most expensive item; |NIV| remains."""
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
    """R-PRC-REPL (confirmed default, assumed detail): replacement price = volume-weighted
    average price of the most expensive RPAR MWh of remaining second-stage-unflagged priced
    items, MIP_j if there are none; every remaining second-stage-flagged item takes it.
    With fewer than RPAR MWh of such volume all of it is used and the reference volume is
    that smaller volume (Elexon publishes e.g. 0.717); it is 0 exactly when MIP_j is used.

    Returns (replacement price, its reference volume, final price, repriced).
    """
    candidates = order[(volume[order] != 0) & ~second_stage[order] & priced[order]]
    taken = _take_from_top(np.abs(volume[candidates]), rpar)
    reference = float(taken.sum())
    replacement = float(np.sum(taken * price[candidates]) / reference) if reference > 0 else mip
    repriced = second_stage & (volume != 0)
    final = np.where(repriced, replacement, price)
    return replacement, reference, final, repriced


def r_prc_par(volume: np.ndarray, order: np.ndarray, par: float) -> np.ndarray:
    """R-PRC-PAR: keep the most expensive PAR MWh of what remains (the last item in part)."""
    result = np.zeros_like(volume)
    remaining = order[volume[order] != 0]
    taken = _take_from_top(np.abs(volume[remaining]), par)
    result[remaining] = np.sign(volume[remaining]) * taken
    return result


def r_prc_main(
    par_volume: np.ndarray, final_price: np.ndarray, tlm: np.ndarray
) -> tuple[np.ndarray, np.ndarray, float]:
    """R-PRC-MAIN: TLM-adjusted volume and cost; main price = Σ cost / Σ volume (NaN if no
    volume remains)."""
    adjusted = par_volume * tlm
    cost = np.where(par_volume != 0, adjusted * final_price, 0.0)
    total = float(adjusted.sum())
    return adjusted, cost, (float(cost.sum()) / total if total != 0 else float("nan"))


# ---------------------------------------------------------------------------------------------
# The day


@dataclass
class StackResult:
    """Per item (aligned with the input items), every published stack column in stage order."""

    reserve_scarcity_price: np.ndarray
    stack_price: np.ndarray  # after STOR repricing: the price the stages rank by
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
    tagged_by: np.ndarray  # TAGGED_BY_* code of the stage that tagged the item out
    sequence: np.ndarray  # position in its period and side, most expensive first (1-based)


@dataclass
class PeriodPrices:
    """Per period (index j − 1)."""

    ssp: np.ndarray
    sbp: np.ndarray
    niv: np.ndarray
    main_price: np.ndarray
    price_source: np.ndarray  # "stack", "replacement" or "mip"
    replacement_price: np.ndarray
    replacement_reference_volume: np.ndarray
    mip: np.ndarray
    price_adjustment: np.ndarray  # BPA or SPA applied
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
) -> tuple[PeriodPrices, StackResult]:
    """Price every period (or `only_periods`) from its stack items, stage by stage."""
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
    columns: dict[str, list[np.ndarray]] = {}
    all_rows = []
    for j in wanted:
        rows = by_period[bounds[j - 1] : bounds[j]]
        for name, values in _price_period(
            j, rows, items, price[rows], reserve[rows], tiebreak, period_inputs, parameters, prices
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
    j, rows, items, price, reserve, tiebreak, period_inputs, parameters, prices
) -> dict:
    """Price period j; returns its items' stack columns and fills its entries of `prices`.

    `rows` come most expensive first (per side), with prices already STOR-repriced.
    """
    side = items.side[rows]
    priced = items.priced[rows]
    tie = tiebreak[rows]
    mip = float(period_inputs.mip[j - 1])

    order = np.arange(len(rows))  # R-PRC-RANK: already ranked by the day's sort
    dmat = r_prc_dmat(items.volume[rows], parameters.dmat)
    arbitrage = r_prc_arb(side, dmat, price, priced, order)
    niv = r_prc_niv(arbitrage)
    first, second = r_prc_flag(
        side, arbitrage, price, priced, items.so_flag[rows], items.cadl_flag[rows]
    )
    niv_volume = r_prc_nivtag(side, arbitrage, order, niv)
    needs_mip = niv == 0 or not np.any(niv_volume != 0)
    replacement, reference, final, repriced = r_prc_repl(
        niv_volume, price, priced, second, order, parameters.rpar, mip
    )
    if np.any(repriced) and reference == 0:
        needs_mip = True
    final_order = (
        r_prc_rank(side, final, np.ones(len(rows), dtype=bool), tie) if repriced.any() else order
    )
    par = r_prc_par(niv_volume, final_order, parameters.par)
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
