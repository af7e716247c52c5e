"""Issue 15's crash class: any count of stack items, any metering, every check holds.

A side with exactly 10 items or a day with exactly 4 BSAD actions once crashed the engine (a
source string was taken as a sequence of that many letters). Here every count from 0 to 60 of
buy items, sell items and BSAD actions per period is settled, with metering two-sided,
without delivering volume, without offtaking volume, all zero, or absent, with and without a
secondary BM unit. Every check must hold: a failed R-TLM or cash-balance check is an engine
defect, never a result. Without market index data ("no MID") a period whose price needs MIP_j
has no price: there R-PRC-MIP fails, the cash balance is not applicable, and no check detail
ever prints a NaN.
"""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.settle import settle_day
from models.casefiles.results_json import result_document
from models.runs.inputs import case_settlement_inputs
from tests.engine.case_builder import accept, case, flat, metered, pair, unit

MAX_ITEMS = 60
METERING = ("two-sided", "no delivering", "no offtaking", "all zero", "absent")
PERIODS = (27, 28)


def _period_units(period: int, buys: int, sells: int, salt: int):
    """Units of one period: `buys` units accepted up (one buy item each) and `sells` units
    accepted down (one sell item each), with varied widths, prices and volumes."""
    start, end = (period - 27) * 30, (period - 27) * 30 + 30
    units, fpn, bids, acceptances, producers = [], [], [], [], []
    for i in range(buys):
        uid = f"T_B{period}-{i}"
        price = 20 + (7 * i + salt) % 90
        units.append(unit(uid, "GEN", tlf=((i + salt) % 7 - 3) / 100))
        fpn.append(flat(uid, 0, start, end))
        bids.append(pair(uid, period, 1, price, price - 10, 50))
        # 0.1 to 40 MW: some items below DMAT (volume ≥ 0.05 MWh), none of 0 MWh.
        acceptances.append(accept(uid, 1, 0.1 + (13 * i + salt) % 40, start, end))
        producers.append(uid)
    for i in range(sells):
        uid = f"T_S{period}-{i}"
        price = 10 + (11 * i + salt) % 80
        units.append(unit(uid, "GEN", tlf=((i + 2 * salt) % 5 - 2) / 100))
        fpn.append(flat(uid, 100, start, end))
        bids.append(pair(uid, period, -1, price + 5, price, -50))
        acceptances.append(accept(uid, 1, 100 - 0.1 - (17 * i + salt) % 40, start, end))
        producers.append(uid)
    return units, fpn, bids, acceptances, producers


def _bsad(period: int, count: int, salt: int) -> list[dict]:
    actions = []
    for i in range(count):
        volume = (1 + (5 * i + salt) % 30) * (1 if (i + salt) % 3 else -1) / 2
        priced = (i + salt) % 4 != 0
        actions.append(
            {"id": f"B{period}-{i}", "period": period, "volume": volume,
             "cost": volume * (40 + (3 * i) % 70) if priced else None,
             "so_flag": i % 5 == 0, "stor_flag": False}
        )  # fmt: skip
    return actions


def market(
    counts: dict[int, tuple[int, int, int]], metering: str, secondary: bool, salt=0, mid=True
):
    """A case over PERIODS: per period (buys, sells, BSAD actions), a demand unit 2__D-1 and
    optionally a secondary unit V__X001; meters per `metering`; market index data unless
    `mid` is False."""
    units = [unit("2__D-1", "SUP", "C", tlf=0.01)]
    fpn, bids, acceptances, bsad, meters = [], [], [], [], []
    if secondary:
        units.append(unit("V__X001", "VLP", "C"))
    active = {}
    for period, (buys, sells, actions) in counts.items():
        u, f, b, a, active[period] = _period_units(period, buys, sells, salt)
        units += u
        fpn += f
        bids += b
        acceptances += a
        bsad += _bsad(period, actions, salt)
    everyone = [uid for producers in active.values() for uid in producers]
    for period, producers in active.items():
        # Every unit is metered in every period (0 where idle); a generator metered in every
        # period keeps the market two-sided even without items.
        generation = dict.fromkeys(everyone, 0.0)
        generation.update({uid: 5.0 + (len(uid) + salt) % 30 for uid in producers})
        generation["T_BASE-1"] = 200.0
        demand = -0.98 * sum(generation.values())
        if metering in ("no delivering", "all zero"):
            generation = dict.fromkeys(generation, 0.0)
        if metering in ("no offtaking", "all zero"):
            demand = 0.0
        if metering != "absent":
            meters += [metered(uid, mwh, period) for uid, mwh in generation.items()]
            meters.append(metered("2__D-1", demand, period))
            if secondary:
                meters.append(metered("V__X001", -3.0 if metering != "all zero" else 0.0, period))
    units.append(unit("T_BASE-1", "GEN", tlf=-0.01))
    return case(
        periods=list(counts),
        parties=[{"id": "GEN"}, {"id": "SUP"}, {"id": "VLP"}],
        bm_units=units,
        fpn=fpn,
        bid_offer=bids,
        acceptances=acceptances,
        metered_volumes=meters,
        ecvns=[{"from_party": "GEN", "from_account": "P", "to_party": "SUP",
                "to_account": "C", "period": p, "mwh": 100.0} for p in counts],
        bsad=bsad,
        **({} if mid else {"market_index": []}),
    )  # fmt: skip


def assert_every_check_holds(document: dict, counts: dict[int, tuple[int, int, int]]) -> dict:
    result = settle_day(case_settlement_inputs(document))
    doc = result_document(result)
    failed = [c for c in doc["checks"] if not c["ok"]]
    assert not failed, failed
    for period, (buys, sells, actions) in counts.items():
        (row,) = [p for p in doc["periods"] if p["period"] == period]
        stack = row["stack"]
        acceptance_items = [s for s in stack if s["source"] == "acceptance"]
        assert sum(s["side"] == "buy" for s in acceptance_items) == buys
        assert sum(s["side"] == "sell" for s in acceptance_items) == sells
        assert sum(s["source"] == "bsad" for s in stack) == actions
        assert row["ssp"] is not None and math.isfinite(row["ssp"])
    for system in doc["system"]:
        if system["cash_balance_error"] is None:
            continue
        assert abs(system["cash_balance_error"]) <= 0.01
        # RCRP shares sum to 1, or (R-ACC-RCRC-NODENOM) to 0 with all of TRC unallocated.
        rcrp = sum(a["rcrp"] for a in doc["accounts"] if a["period"] == system["period"])
        if rcrp == 0:
            assert system["unallocated_residual"] == pytest.approx(system["trc"], abs=1e-9)
        else:
            assert math.isclose(rcrp, 1.0, abs_tol=1e-6)
            assert system["unallocated_residual"] == 0
    if all(s["csobm"] is not None for s in doc["system"]):
        # What the parties are paid in net is what the system operator pays, less the
        # residual no account took: Σ net = Σ CSOBM − Σ unallocated.
        paid = sum(p["net"] for p in doc["parties"])
        owed = sum(s["csobm"] - s["unallocated_residual"] for s in doc["system"])
        assert math.isclose(paid, owed, abs_tol=1e-4)
    return doc


@pytest.mark.parametrize("count", range(MAX_ITEMS + 1))
def test_every_count_of_buy_sell_and_bsad_items_settles(count):
    # One period, so the day's counts are the period's: 7 and 13 are prime to 61, so over the
    # 61 cases each kind takes every count 0..60 (10 and 4 among them), in different
    # combinations. Metering cycles through its five kinds.
    counts = {27: (count, 7 * count % 61, 13 * count % 61)}
    metering = METERING[count % len(METERING)]
    doc = assert_every_check_holds(market(counts, metering, secondary=count % 2 == 0), counts)
    tlm = [c for c in doc["checks"] if c["rule"] == "R-TLM"]
    if metering == "two-sided":
        assert tlm and all(c["status"] is None for c in tlm)
    elif metering == "absent":
        assert not tlm
    else:
        assert tlm and all(c["status"] == "not applicable" for c in tlm)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Two periods whose items add up to the day totals that once crashed: 10 buy and 10 sell
# items, 4 BSAD actions.
@example((4, 6, 1, 6, 4, 3), "two-sided", False, 0)
@example((10, 0, 4, 0, 10, 0), "no offtaking", True, 3)
@example((0, 0, 0, 0, 0, 0), "all zero", False, 0)  # TRC exactly 0 and no denominator
@given(
    st.tuples(*[st.integers(0, MAX_ITEMS)] * 6),
    st.sampled_from(METERING),
    st.booleans(),
    st.integers(0, 50),
)
def test_any_counts_and_metering_hold_every_check(values, metering, secondary, salt):
    counts = {27: values[:3], 28: values[3:]}
    assert_every_check_holds(market(counts, metering, secondary, salt), counts)


NAN = re.compile(r"\bnan\b", re.IGNORECASE)


def assert_checks_without_mid(document: dict, counts: dict[int, tuple[int, int, int]]) -> None:
    """No market index data: only R-PRC-MIP may fail, and only where the price is
    unavailable; there a metered period's cash balance is not applicable; no NaN printed."""
    doc = result_document(settle_day(case_settlement_inputs(document)))
    assert not [c for c in doc["checks"] if NAN.search(c["detail"])]
    for period in counts:
        (row,) = [p for p in doc["periods"] if p["period"] == period]
        mine = [c for c in doc["checks"] if c["period"] == period]
        unavailable = row["price_source"] == "unavailable"
        assert (row["ssp"] is None) == unavailable
        assert [c["rule"] for c in mine if not c["ok"]] == (["R-PRC-MIP"] if unavailable else [])
        cash = [c for c in mine if c["rule"] == "cash-balance"]
        if not row["metered_volumes"]:
            assert cash == []
        elif unavailable:
            assert [(c["ok"], c["status"], c["detail"]) for c in cash] == [
                (True, "not applicable", "price unavailable: CAEI, TRC and RCRC are not available")
            ]
        else:
            assert [(c["ok"], c["status"]) for c in cash] == [(True, None)]


@pytest.mark.parametrize("metering", METERING)
@pytest.mark.parametrize("counts", [(0, 0, 0), (0, 0, 4), (10, 0, 0), (3, 7, 2)])
def test_without_market_index_data_no_check_prints_nan(counts, metering):
    # (0, 0, 0): NIV 0, the price needs MIP_j and has none; the others may or may not.
    day = {27: counts, 28: (0, 0, 0)}
    assert_checks_without_mid(market(day, metering, secondary=True, mid=False), day)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.tuples(*[st.integers(0, 20)] * 6),
    st.sampled_from(METERING),
    st.booleans(),
    st.integers(0, 50),
)
def test_any_counts_and_metering_without_market_index_data(values, metering, secondary, salt):
    counts = {27: values[:3], 28: values[3:]}
    assert_checks_without_mid(market(counts, metering, secondary, salt, mid=False), counts)
