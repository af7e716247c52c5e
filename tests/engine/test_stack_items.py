"""Stack items of the imbalance price (R-PRC, Annex T-1 inputs): from accepted volumes, from
BSAD actions and from hand-written records, checked item by item."""

from __future__ import annotations

import numpy as np
import pytest

from engine.bm_stage import run_bm_stage
from engine.errors import EngineInputError
from engine.stack_items import (
    BUY,
    SELL,
    StackItems,
    items_from_bm,
    items_from_bsad,
    items_from_records,
)
from tests.engine.builders import worked_example_inputs

GEN_TLM = 0.9884189  # the rulebook's TLM of T_GEN-1 (§12)


def buy(item, volume, price, **kw):
    return {"period": 1, "side": "buy", "id": item, "volume": volume, "price": price, **kw}


def rows(items: StackItems) -> list[tuple]:
    """(side, acceptance, pair, volume, price) of every item, sorted."""
    return sorted(
        (int(s), int(a), int(n), round(float(v), 4), float(p))
        for s, a, n, v, p in zip(
            items.side, items.acceptance, items.pair, items.volume, items.price, strict=True
        )
    )


def test_worked_example_accepted_volumes_become_two_buy_and_two_sell_items():
    # Rulebook §12: acceptance 1 buys QAO 22.9167 MWh on pair +1 (PO £80) and 8 MWh on +2
    # (PO £100); acceptance 2 sells QAB −3.25 on +1 (PB £70) and −3 on +2 (PB £78).
    bm = run_bm_stage(worked_example_inputs(), cadl_minutes=10)
    tlm = np.ones((2, 48))
    tlm[1, :] = GEN_TLM  # T_GEN-1 is unit 1, after 2__XSUP-1
    items = items_from_bm(bm, tlm)
    assert rows(items) == [
        (SELL, 2, 1, -3.25, 70.0),
        (SELL, 2, 2, -3.0, 78.0),
        (BUY, 1, 1, 22.9167, 80.0),
        (BUY, 1, 2, 8.0, 100.0),
    ]
    assert set(items.period) == {27} and set(items.item_id) == {"T_GEN-1"}
    assert set(items.source) == {"acceptance"} and items.priced.all()
    assert items.tlm == pytest.approx([GEN_TLM] * 4)
    assert not (items.so_flag | items.cadl_flag | items.stor_flag).any()


def test_bsad_price_is_cost_over_volume_and_a_missing_cost_is_unpriced():
    # £300 for 5 MWh bought: £60/MWh; −4 MWh sold at no known cost: unpriced; a zero volume
    # has no price either (no division by zero), and counts on the buy side.
    items = items_from_bsad(
        [27, 27, 28], ["B1", "B2", "B3"], [5.0, -4.0, 0.0], [300.0, None, 200.0],
        [True, False, False], [False, False, True],
    )  # fmt: skip
    assert items.side.tolist() == [BUY, SELL, BUY]
    assert items.price[0] == pytest.approx(60.0)
    assert np.isnan(items.price[1:]).all()
    assert items.priced.tolist() == [True, False, False]
    assert items.so_flag.tolist() == [True, False, False]
    assert items.stor_flag.tolist() == [False, False, True]
    assert items.tlm.tolist() == [1.0, 1.0, 1.0]  # BSAD items carry no loss factor
    assert items.acceptance.tolist() == [-1, -1, -1] and items.pair.tolist() == [-1, -1, -1]
    assert items.item_id.tolist() == ["B1", "B2", "B3"]


def test_records_take_defaults_and_a_record_with_an_acceptance_is_an_acceptance_item():
    items = items_from_records(
        [
            buy("A", 5.0, 50.0),
            {"period": 2, "side": "sell", "id": "B", "volume": -2.0, "price": None,
             "so": True, "tlm": 0.98, "acceptance": 7, "pair": -1},
        ]
    )  # fmt: skip
    assert items.side.tolist() == [BUY, SELL]
    assert items.period.tolist() == [1, 2]
    assert items.priced.tolist() == [True, False] and np.isnan(items.price[1])
    assert items.so_flag.tolist() == [False, True]
    assert items.tlm.tolist() == [1.0, 0.98]
    assert items.source.tolist() == ["bsad", "acceptance"]
    assert items.acceptance.tolist() == [-1, 7]


def test_take_and_concatenate_keep_every_column_together():
    first = items_from_records([buy("A", 5.0, 50.0), buy("B", 1.0, 70.0)])
    second = items_from_bsad([3], ["C"], [-2.0], [-40.0], [False], [False])
    joined = StackItems.concatenate([first, second])
    assert len(joined) == 3
    assert joined.item_id.tolist() == ["A", "B", "C"]
    assert joined.price.tolist() == [50.0, 70.0, 20.0]  # −£40 for −2 MWh: £20/MWh
    picked = joined.take(np.array([2, 0]))
    assert picked.item_id.tolist() == ["C", "A"]
    assert picked.side.tolist() == [SELL, BUY]
    assert picked.period.tolist() == [3, 1]


def test_unknown_sides_and_flags_are_refused():
    with pytest.raises(EngineInputError, match=r"side 'up'; expected 'buy' or 'sell'"):
        items_from_records([{**buy("A", 5, 50.0), "side": "up"}])
    with pytest.raises(EngineInputError, match=r"flag so is 'yes'; expected true or false"):
        items_from_records([buy("A", 5, 50.0, so="yes")])
    with pytest.raises(EngineInputError, match=r"unknown field\(s\) rr"):
        items_from_records([buy("A", 5, 50.0, rr=True)])


@pytest.mark.parametrize("count", [0, 1, 4, 10, 11])
def test_bsad_items_of_any_count_have_one_source_per_item(count):
    # Issue 15's crash class: "bsad" has 4 letters, "acceptance" 10.
    items = items_from_bsad(
        [1] * count, [f"B{i}" for i in range(count)], [1.0] * count, [50.0] * count,
        [False] * count, [False] * count,
    )  # fmt: skip
    assert items.source.shape == (count,) and set(items.source) <= {"bsad"}


def test_stack_columns_of_another_shape_are_refused_with_a_message():
    with pytest.raises(EngineInputError, match="BSAD ids: one id 'B1'"):
        items_from_bsad([1], "B1", [1.0], [50.0], [False], [False])
    with pytest.raises(
        EngineInputError, match=r"has shape \(1,\); expected one value for each of the 2"
    ):
        items_from_bsad([1, 1], ["B1", "B2"], [1.0], [50.0, 50.0], [False] * 2, [False] * 2)
