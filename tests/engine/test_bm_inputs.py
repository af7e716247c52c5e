"""Bad BM data is refused before any computing, naming the unit, acceptance or pair."""

from __future__ import annotations

import math

import pytest

from engine.bm_inputs import validate_bm_inputs
from engine.bm_stage import run_bm_stage
from engine.errors import EngineInputError
from tests.engine.builders import DAY_START, acceptance, inputs, pair, pts


def market(**changes):
    base = {
        "fpn": {"T_A-1": pts((0, 100), (30, 100))},
        "bid_offer": [
            pair("T_A-1", 27, 1, 80, 70, pts((0, 50), (30, 50))),
            pair("T_A-1", 27, -1, 35, 30, pts((0, -100), (30, -100))),
        ],
        "acceptances": [
            acceptance("T_A-1", 1, pts((0, 100), (7, 170), (30, 170))),
            acceptance("T_A-1", 2, pts((20, 170), (25, 120), (30, 120))),
        ],
    }
    base.update(changes)
    return inputs(["T_A-1"], base["fpn"], base["bid_offer"], base["acceptances"])


def refused(data, match: str) -> None:
    with pytest.raises(EngineInputError, match=match):
        run_bm_stage(data, cadl_minutes=10)


def test_the_baseline_market_is_valid():
    validate_bm_inputs(market())


def test_unsorted_acceptance_points():
    bad = [acceptance("T_A-1", 1, pts((0, 100), (20, 170), (10, 170)))]
    refused(market(acceptances=bad), r"BM unit T_A-1 acceptance 1: points not in time order")


def test_unsorted_fpn_points():
    refused(
        market(fpn={"T_A-1": pts((0, 100), (30, 100), (20, 90))}),
        r"BM unit T_A-1 FPN: points not in time order",
    )


def test_duplicate_acceptance_numbers():
    twice = [
        acceptance("T_A-1", 5, pts((0, 100), (30, 150))),
        acceptance("T_A-1", 5, pts((10, 100), (30, 120))),
    ]
    refused(market(acceptances=twice), r"BM unit T_A-1 acceptance 5: duplicate acceptance number")


def test_points_outside_the_settlement_day():
    early = [(DAY_START - 60, 100.0), (DAY_START + 600, 150.0)]
    refused(
        market(acceptances=[acceptance("T_A-1", 3, early)]),
        r"BM unit T_A-1 acceptance 3: a point lies outside the settlement day "
        r"\(2024-06-11T23:00:00Z to 2024-06-12T23:00:00Z\)",
    )


def test_nan_levels():
    bad = [acceptance("T_A-1", 1, pts((0, 100), (7, math.nan), (30, 170)))]
    refused(market(acceptances=bad), r"acceptance 1: level is NaN")
    refused(market(fpn={"T_A-1": pts((0, math.inf), (30, 100))}), r"T_A-1 FPN: level is NaN")


@pytest.mark.parametrize("number", [0, 7, -7])
def test_pairs_numbered_zero_or_beyond_six(number):
    sign = -1 if number < 0 else 1
    bad = [pair("T_A-1", 27, number, 80, 70, pts((0, 50 * sign), (30, 50 * sign)))]
    refused(market(bid_offer=bad), rf"BM unit T_A-1 pair {number} period 27: pair numbers run")


def test_offer_price_below_bid_price():
    bad = [pair("T_A-1", 27, 1, 60, 70, pts((0, 50), (30, 50)))]
    refused(market(bid_offer=bad), r"BM unit T_A-1 pair 1 period 27: offer price below bid price")


def test_band_with_the_wrong_sign_and_band_outside_its_period():
    refused(
        market(bid_offer=[pair("T_A-1", 27, -1, 35, 30, pts((0, 10), (30, 10)))]),
        r"pair -1 period 27 band: band width has the wrong sign",
    )
    refused(
        market(bid_offer=[pair("T_A-1", 27, 1, 80, 70, pts((0, 50), (40, 50)))]),
        r"pair 1 period 27 band: a band point lies outside its settlement period",
    )


def test_points_off_the_minute_and_a_pair_given_twice():
    off_minute = [(pts((0, 100))[0][0] + 30, 100.0), (pts((30, 100))[0][0], 100.0)]
    refused(market(fpn={"T_A-1": off_minute}), r"not on a whole minute")
    twice = [
        pair("T_A-1", 27, 1, 80, 70, pts((0, 50), (30, 50))),
        pair("T_A-1", 27, 1, 81, 70, pts((0, 50), (30, 50))),
    ]
    refused(market(bid_offer=twice), r"pair 1 period 27: the pair is given twice")


def test_several_problems_are_counted():
    bad = [
        pair("T_A-1", 27, 1, 60, 70, pts((0, 50), (30, 50))),
        pair("T_A-1", 28, 1, 60, 70, pts((30, 50), (60, 50))),
    ]
    refused(market(bid_offer=bad), r"offer price below bid price; expected PO_n ≥ PB_n \(1 more")


def test_unknown_units_in_records_are_named():
    with pytest.raises(EngineInputError, match="BM unit T_X-9 is not in the list"):
        inputs(["T_A-1"], {"T_X-9": pts((0, 1), (30, 1))}, [], [])
