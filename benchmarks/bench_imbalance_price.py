"""Imbalance price (issue 4): a day of 50 periods with 800 stack items each.

Subject: `engine.imbalance_price.imbalance_prices`, all stages, validation included, best of 20.
Baseline in the same run: the same day with 80 items per period, to show how the cost grows
with the stack (per-period overhead against per-item work).
"""

from __future__ import annotations

import numpy as np

from benchmarks.timing import best_of
from engine.imbalance_price import PeriodPriceInputs, PriceParameters, imbalance_prices
from engine.stack_items import StackItems

PERIODS = 50
PARAMS = PriceParameters(par=1.0, rpar=1.0, dmat=0.1, voll=6000.0)


def day(items_per_period: int, seed: int = 0) -> tuple[StackItems, PeriodPriceInputs]:
    rng = np.random.default_rng(seed)
    n = PERIODS * items_per_period
    side = np.where(rng.random(n) < 0.55, 1, -1)
    magnitude = rng.lognormal(1.5, 1.2, n)
    priced = rng.random(n) > 0.02
    price = np.where(side > 0, rng.normal(110, 40, n), rng.normal(40, 30, n))
    items = StackItems(
        period=np.repeat(np.arange(1, PERIODS + 1), items_per_period),
        side=side,
        volume=side * magnitude,
        price=np.where(priced, price, np.nan),
        priced=priced,
        so_flag=rng.random(n) < 0.2,
        cadl_flag=rng.random(n) < 0.05,
        stor_flag=rng.random(n) < 0.03,
        tlm=rng.uniform(0.97, 1.02, n),
        source=np.full(n, "acceptance", dtype=object),
        item_id=np.array([f"T_UNIT-{i % 3000:04d}" for i in range(n)], dtype=object),
        acceptance=np.arange(n),
        pair=rng.integers(1, 7, n) * side,
    )
    inputs = PeriodPriceInputs(
        mip=rng.normal(80, 10, PERIODS),
        lolp=rng.uniform(0, 0.01, PERIODS),
        stor_window=rng.random(PERIODS) < 0.5,
        bpa=np.zeros(PERIODS),
        spa=np.zeros(PERIODS),
    )
    return items, inputs


def run() -> None:
    timings = {}
    for per_period in (80, 800):
        items, inputs = day(per_period)
        timings[per_period] = best_of(
            20, lambda items=items, inputs=inputs: imbalance_prices(items, inputs, PARAMS, PERIODS)
        )
    print(f"50 periods × 80 items  : {timings[80] * 1e3:7.1f} ms (baseline)")
    print(f"50 periods × 800 items : {timings[800] * 1e3:7.1f} ms  (target ≤ 50 ms)")
    print(f"ratio 800/80 items     : {timings[800] / timings[80]:7.2f}x for 10x the items")
    print(f"per period (800 items) : {timings[800] / PERIODS * 1e3:7.2f} ms")
