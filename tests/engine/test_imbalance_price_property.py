"""Invariants of the imbalance price on random stacks (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.imbalance_price import PeriodPriceInputs, PriceParameters, imbalance_prices
from engine.stack_items import items_from_records

PERIODS = 3


@st.composite
def stacks(draw):
    records = []
    for n in range(draw(st.integers(0, 25))):
        side = draw(st.sampled_from(["buy", "sell"]))
        magnitude = draw(st.floats(0.01, 60, allow_nan=False))
        priced = draw(st.integers(0, 9)) > 0
        records.append(
            {
                "period": draw(st.integers(1, PERIODS)),
                "side": side,
                "id": f"I{n:03d}",
                "volume": magnitude if side == "buy" else -magnitude,
                "price": draw(st.floats(-150, 400, allow_nan=False)) if priced else None,
                "so": draw(st.integers(0, 4)) == 0,
                "cadl": draw(st.integers(0, 6)) == 0,
                "stor": draw(st.integers(0, 6)) == 0,
                "tlm": draw(st.floats(0.95, 1.05)),
            }
        )
    params = PriceParameters(
        par=draw(st.sampled_from([1.0, 50.0])),
        rpar=draw(st.sampled_from([1.0, 10.0])),
        dmat=draw(st.sampled_from([0.1, 1.0])),
        voll=6000.0,
    )
    inputs = PeriodPriceInputs(
        mip=np.array(draw(st.lists(st.floats(-50, 200), min_size=PERIODS, max_size=PERIODS))),
        lolp=np.array(draw(st.lists(st.floats(0, 0.05), min_size=PERIODS, max_size=PERIODS))),
        stor_window=np.array(draw(st.lists(st.booleans(), min_size=PERIODS, max_size=PERIODS))),
        bpa=np.array(draw(st.lists(st.floats(-5, 5), min_size=PERIODS, max_size=PERIODS))),
        spa=np.array(draw(st.lists(st.floats(-5, 5), min_size=PERIODS, max_size=PERIODS))),
    )
    return records, params, inputs


def run(records, params, inputs):
    return imbalance_prices(items_from_records(records), inputs, params, periods=PERIODS)


@settings(max_examples=300, deadline=None)
@given(stacks())
def test_niv_par_volume_and_price_bounds(case):
    records, params, inputs = case
    prices, stack = run(records, params, inputs)
    items = items_from_records(records)
    for j in range(1, PERIODS + 1):
        mine = items.period == j
        niv = prices.niv[j - 1]
        # NIV equals the signed sum of what remains after DMAT and arbitrage.
        assert abs(niv - stack.arbitrage_adjusted_volume[mine].sum()) <= 1e-9
        par_total = abs(stack.par_adjusted_volume[mine].sum())
        if niv != 0:
            # PAR-adjusted volume sums to min(PAR, |NIV|), all on the NIV side.
            assert abs(par_total - min(params.par, abs(niv))) <= 1e-9
            kept = mine & (stack.par_adjusted_volume != 0)
            assert np.all(np.sign(stack.par_adjusted_volume[kept]) == np.sign(niv))
            # The main price lies between the lowest and highest final price of PAR items.
            finals = stack.final_price[kept]
            main = prices.main_price[j - 1]
            assert finals.min() - 1e-9 <= main <= finals.max() + 1e-9
            assert prices.price_source[j - 1] in ("stack", "replacement")
        else:
            assert par_total == 0 and prices.price_source[j - 1] == "mip"
            assert prices.ssp[j - 1] == inputs.mip[j - 1]
        # Stage volumes only ever shrink towards zero, keeping their sign.
        for before, after in (
            (items.volume, stack.dmat_adjusted_volume),
            (stack.dmat_adjusted_volume, stack.arbitrage_adjusted_volume),
            (stack.arbitrage_adjusted_volume, stack.niv_adjusted_volume),
            (stack.niv_adjusted_volume, stack.par_adjusted_volume),
        ):
            assert np.all(np.abs(after[mine]) <= np.abs(before[mine]) + 1e-9)
            assert np.all(after[mine] * before[mine] >= 0)
    assert np.all(prices.ssp == prices.sbp)


def mirrored(records, inputs):
    flipped = [
        {
            **r,
            "side": "sell" if r["side"] == "buy" else "buy",
            "volume": -r["volume"],
            "price": None if r["price"] is None else -r["price"],
        }
        for r in records
    ]
    return flipped, PeriodPriceInputs(
        mip=-inputs.mip, lolp=inputs.lolp, stor_window=np.zeros(PERIODS, bool),
        bpa=-inputs.spa, spa=-inputs.bpa,
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(stacks())
def test_mirrored_stacks_give_the_mirrored_price(case):
    records, params, inputs = case
    # STOR repricing is a one-sided max(), so the mirror is taken without STOR windows.
    plain = PeriodPriceInputs(
        inputs.mip, inputs.lolp, np.zeros(PERIODS, bool), inputs.bpa, inputs.spa
    )
    prices, stack = run(records, params, plain)
    flipped, flipped_inputs = mirrored(records, plain)
    mirror, mirror_stack = run(flipped, params, flipped_inputs)
    assert np.allclose(mirror.ssp, -prices.ssp, atol=1e-9)
    assert np.allclose(mirror.niv, -prices.niv, atol=1e-9)
    assert np.allclose(mirror_stack.par_adjusted_volume, -stack.par_adjusted_volume, atol=1e-9)
    assert list(mirror.price_source) == list(prices.price_source)


@settings(max_examples=200, deadline=None)
@given(stacks(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_input_order(case, random):
    records, params, inputs = case
    prices, stack = run(records, params, inputs)
    order = list(range(len(records)))
    random.shuffle(order)
    shuffled_prices, shuffled = run([records[i] for i in order], params, inputs)
    assert np.allclose(shuffled_prices.ssp, prices.ssp, equal_nan=True)
    for column in (
        "niv_adjusted_volume",
        "par_adjusted_volume",
        "final_price",
        "tlm_adjusted_cost",
    ):
        original = getattr(stack, column)
        assert np.allclose(getattr(shuffled, column), original[order], equal_nan=True), column
