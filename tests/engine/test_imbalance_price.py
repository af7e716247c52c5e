"""R-PRC stage by stage, by hand-computed cases (PAR = RPAR = 1, DMAT 0.1 unless stated)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.bm_stage import run_bm_stage
from engine.errors import EngineInputError
from engine.imbalance_price import (
    TAGGED_BY_ARBITRAGE,
    TAGGED_BY_DMAT,
    TAGGED_BY_NIV,
    TAGGED_BY_PAR,
    PeriodPriceInputs,
    PriceParameters,
    imbalance_prices,
    r_prc_arb,
    r_prc_dmat,
    r_prc_flag,
    r_prc_mip,
)
from engine.stack_items import BUY, SELL, items_from_bm, items_from_records
from tests.engine.builders import worked_example_inputs

PARAMS = PriceParameters(par=1.0, rpar=1.0, dmat=0.1, voll=6000.0)


def period_inputs(periods=1, mip=95.0, lolp=0.0, stor=False, bpa=0.0, spa=0.0):
    return PeriodPriceInputs(
        np.full(periods, mip, dtype=float),
        np.full(periods, lolp),
        np.full(periods, stor),
        np.full(periods, bpa),
        np.full(periods, spa),
    )


def buy(item, volume, price, **kw):
    return {"period": 1, "side": "buy", "id": item, "volume": volume, "price": price, **kw}


def sell(item, volume, price, **kw):
    return {"period": 1, "side": "sell", "id": item, "volume": -volume, "price": price, **kw}


def price_of(records, params=PARAMS, **inputs):
    items = items_from_records(records)
    prices, stack = imbalance_prices(items, period_inputs(**inputs), params, periods=1)
    return prices, stack, items


def test_worked_example_price_is_100_after_tagging_6_25_mwh_from_the_100_item():
    bm = run_bm_stage(worked_example_inputs(), cadl_minutes=10)
    tlm = np.ones((2, 48))
    tlm[1, :] = 0.9884189  # T_GEN-1 (index 1): the rulebook's TLM
    items = items_from_bm(bm, tlm)
    prices, stack = imbalance_prices(
        items, period_inputs(48), PARAMS, periods=48, only_periods=[27]
    )
    assert prices.niv[26] == pytest.approx(24.6666667, abs=1e-6)
    assert prices.ssp[26] == prices.sbp[26] == pytest.approx(100.0)
    assert prices.price_source[26] == "stack"
    top = int(np.flatnonzero((items.side == BUY) & (items.pair == 2))[0])
    assert stack.niv_adjusted_volume[top] == pytest.approx(1.75)
    assert stack.par_adjusted_volume[top] == pytest.approx(1.0)
    assert stack.tlm_adjusted_volume[top] == pytest.approx(0.9884189)
    assert stack.tlm_adjusted_cost[top] == pytest.approx(98.84189)
    assert stack.sequence[top] == 1  # most expensive buy
    sells = items.side == SELL
    assert (stack.niv_adjusted_volume[sells] == 0).all()
    assert (stack.tagged_by[sells] == TAGGED_BY_NIV).all()


def test_dmat_tags_out_items_strictly_below_the_threshold():
    assert r_prc_dmat(np.array([0.05, 0.1, -0.09, -0.1]), 0.1).tolist() == [0, 0.1, 0, -0.1]
    prices, stack, _ = price_of([buy("A", 0.05, 500.0), buy("B", 5, 60.0)])
    assert stack.tagged_by[0] == TAGGED_BY_DMAT
    assert prices.ssp[0] == pytest.approx(60.0)  # the £500 item would have set it


def test_arbitrage_tags_out_crossing_volume_from_both_stacks():
    # Sells from the dearest: 70 (5), 55 (8); buys from the cheapest: 50 (10), 60 (10).
    # Level 0: 70 ≥ 50; level 5: 55 ≥ 50; level 10: 55 < 60, stop: 10 MWh matched.
    records = [buy("B1", 10, 50.0), buy("B2", 10, 60.0), sell("S1", 5, 70.0), sell("S2", 8, 55.0)]
    prices, stack, _ = price_of(records)
    assert stack.arbitrage_adjusted_volume.tolist() == [0.0, 10.0, 0.0, -3.0]
    assert stack.tagged_by[0] == TAGGED_BY_ARBITRAGE and stack.tagged_by[2] == TAGGED_BY_ARBITRAGE
    assert prices.niv[0] == pytest.approx(7.0)
    assert prices.ssp[0] == pytest.approx(60.0)


def test_niv_tagging_starts_from_the_most_expensive_item():
    # NIV = 18 − 6 = 12; 6 MWh tagged from the £100 item (3) then the £80 item (3 of 5).
    records = [buy("A", 10, 50.0), buy("B", 5, 80.0), buy("C", 3, 100.0), sell("S", 6, 40.0)]
    prices, stack, _ = price_of(records)
    assert stack.niv_adjusted_volume.tolist() == [10.0, 2.0, 0.0, 0.0]
    assert stack.tagged_by.tolist() == [TAGGED_BY_PAR, 0, TAGGED_BY_NIV, TAGGED_BY_NIV]
    assert prices.niv[0] == pytest.approx(12.0) and prices.ssp[0] == pytest.approx(80.0)


def test_flag_classification_and_second_stage_unflagging():
    # Unflagged 20 @ £60; SO-flagged 10 @ £55 is not dearer than £60: unflagged at stage two;
    # SO-flagged 5 @ £90 is dearer: second-stage flagged.
    side = np.array([BUY, BUY, BUY])
    volume = np.array([20.0, 10.0, 5.0])
    price = np.array([60.0, 55.0, 90.0])
    so = np.array([False, True, True])
    first, second = r_prc_flag(side, volume, price, np.ones(3, bool), so, np.zeros(3, bool))
    assert first.tolist() == [False, True, True]
    assert second.tolist() == [False, False, True]


def test_replacement_price_from_rpar_and_partial_par():
    # As above with RPAR 25 and PAR 30: replacement = (20 × 60 + 5 × 55) / 25 = £59; the £90
    # item is repriced to £59. PAR 30 takes 20 @ 60, 5 @ 59, 5 @ 55: 1,770 / 30 = £59.
    records = [buy("A", 20, 60.0), buy("B", 10, 55.0, so=True), buy("C", 5, 90.0, so=True)]
    params = PriceParameters(par=30.0, rpar=25.0, dmat=0.1, voll=6000.0)
    prices, stack, _ = price_of(records, params)
    assert prices.replacement_price[0] == pytest.approx(59.0)
    assert prices.replacement_reference_volume[0] == pytest.approx(25.0)
    assert stack.repriced.tolist() == [False, False, True]
    assert stack.final_price.tolist() == [60.0, 55.0, 59.0]
    assert stack.par_adjusted_volume.tolist() == [20.0, 5.0, 5.0]
    assert prices.ssp[0] == pytest.approx(59.0) and prices.price_source[0] == "replacement"


def test_all_items_flagged_take_the_replacement_price_from_mip():
    records = [buy("A", 20, 60.0, so=True), buy("B", 5, 90.0, cadl=True)]
    prices, stack, _ = price_of(records, mip=72.5)
    assert stack.second_stage_flag.all() and stack.repriced.all()
    assert prices.replacement_price[0] == 72.5 and prices.replacement_reference_volume[0] == 0
    assert prices.ssp[0] == 72.5 and prices.price_source[0] == "replacement"


def test_partial_par_at_the_margin():
    # PAR 1: 0.6 MWh @ £100 then 0.4 of the £80 item: (60 + 32) / 1 = £92.
    prices, stack, _ = price_of([buy("A", 0.6, 100.0), buy("B", 5, 80.0)])
    assert stack.par_adjusted_volume.tolist() == pytest.approx([0.6, 0.4])
    assert prices.ssp[0] == pytest.approx(92.0)


def test_stor_items_in_a_window_are_repriced_at_lolp_times_voll():
    # RSVP = 0.02 × 6000 = £120 > £50, so the STOR item ranks dearest and sets the price.
    records = [buy("A", 5, 60.0), buy("S", 5, 50.0, stor=True)]
    prices, stack, _ = price_of(records, lolp=0.02, stor=True)
    assert stack.reserve_scarcity_price[1] == pytest.approx(120.0)
    assert prices.ssp[0] == pytest.approx(120.0)
    prices, stack, _ = price_of(records, lolp=0.02, stor=False)
    assert np.isnan(stack.reserve_scarcity_price).all() and prices.ssp[0] == pytest.approx(60.0)


def test_niv_zero_and_empty_stacks_use_mip():
    prices, _, _ = price_of([buy("A", 10, 50.0), sell("S", 10, 40.0)], mip=81.0)
    assert prices.niv[0] == 0 and prices.ssp[0] == 81.0 and prices.price_source[0] == "mip"
    prices, _, _ = price_of([], mip=64.0)
    assert prices.ssp[0] == 64.0 and prices.price_source[0] == "mip"


def test_missing_mip_where_needed_leaves_the_price_unavailable():
    prices, _, _ = price_of([], mip=np.nan)
    assert np.isnan(prices.ssp[0]) and prices.price_source[0] == "unavailable"
    prices, _, _ = price_of([buy("A", 10, 50.0)], mip=np.nan)  # not needed: fine
    assert prices.ssp[0] == 50.0


def test_unpriced_bsad_ranks_dearest_stays_flagged_and_takes_the_replacement_price():
    records = [buy("BSAD-1", 5, None), buy("A", 10, 60.0), sell("S", 3, 20.0)]
    prices, stack, _ = price_of(records)
    # NIV 12: 3 MWh tagged from the unpriced item first (dearest), 2 MWh of it remain.
    assert stack.niv_adjusted_volume.tolist() == [2.0, 10.0, 0.0]
    assert stack.first_stage_flag[0] and stack.second_stage_flag[0] and stack.repriced[0]
    assert stack.final_price[0] == 60.0 and prices.ssp[0] == 60.0


def test_ties_in_price_the_later_id_counts_as_dearer():
    # A and B both £60: NIV tagging takes 3 MWh from B (later id) first.
    records = [buy("A", 5, 60.0), buy("B", 5, 60.0), sell("S", 3, 10.0)]
    _, stack, _ = price_of(records)
    assert stack.niv_adjusted_volume.tolist() == [5.0, 2.0, 0.0]
    _, reordered, _ = price_of(list(reversed(records)))
    assert reordered.niv_adjusted_volume.tolist() == [0.0, 2.0, 5.0]


def test_long_system_prices_from_the_sell_stack_with_spa():
    # NIV −15: the dearest sell is the cheapest, £20; SPA −2 gives £18.
    records = [sell("S1", 10, 30.0), sell("S2", 5, 20.0)]
    prices, stack, _ = price_of(records, spa=-2.0, bpa=5.0)
    assert prices.niv[0] == -15.0
    assert stack.par_adjusted_volume.tolist() == [0.0, -1.0]
    assert prices.main_price[0] == 20.0 and prices.ssp[0] == 18.0


def test_short_system_adds_bpa():
    prices, _, _ = price_of([buy("A", 5, 60.0)], bpa=3.5, spa=-9.0)
    assert prices.ssp[0] == prices.sbp[0] == 63.5


def test_mip_is_volume_weighted_and_missing_without_volume():
    assert r_prc_mip(np.array([50.0, 70.0]), np.array([100.0, 300.0])) == 65.0
    assert np.isnan(r_prc_mip(np.array([50.0]), np.array([0.0])))


def test_arbitrage_needs_priced_items_on_both_sides():
    volume = np.array([10.0, -5.0])
    out = r_prc_arb(np.array([BUY, SELL]), volume, np.array([50.0, np.nan]),
                    np.array([True, False]), order=np.array([1, 0]))  # fmt: skip
    assert out.tolist() == [10.0, -5.0]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (buy("A", float("nan"), 50.0), r"period 1, item A: volume is not a finite number"),
        (buy("A", 5, float("inf")), r"period 1, item A: price is not a finite number"),
        (buy("A", -5, 50.0), r"period 1, item A: volume has the wrong sign for its side"),
        (buy("A", 5, 50.0, tlm=float("nan")), r"TLM is not a finite number"),
    ],
)
def test_bad_items_are_refused_naming_period_and_item(record, message):
    with pytest.raises(EngineInputError, match=message):
        price_of([record])


def test_replacement_reference_volume_below_rpar_is_the_smaller_volume():
    # R-PRC-REPL (v2): RPAR 1 MWh but only 0.717 MWh of unflagged volume remains (£60); the
    # SO-flagged 5 MWh @ £90 is dearer, so second-stage flagged and repriced. All 0.717 MWh
    # are used: replacement £60, reported reference volume 0.717 (not RPAR, not 0).
    records = [buy("A", 0.717, 60.0), buy("B", 5.0, 90.0, so=True)]
    prices, stack, _ = price_of(records, mip=72.5)
    assert prices.replacement_price[0] == pytest.approx(60.0)
    assert prices.replacement_reference_volume[0] == pytest.approx(0.717)
    assert stack.repriced.tolist() == [False, True]
    assert prices.ssp[0] == pytest.approx(60.0) and prices.price_source[0] == "replacement"
