"""R-PROF / R-VOL / R-CBM by hand-computed cases, then against the plain reference.

Hand computations (minutes after 12:00Z, period 27 of 2024-06-12; trapezium on whole minutes):
- worked example, pair +1: clip(x) rises 0→50 over minutes 0..5 (area 125) then 50 for 25
  minutes (1250): 1375 MW·min / 60 = 22.9167 MWh.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.bm_stage import run_bm_stage
from tests.engine.builders import (
    DAY,
    acceptance,
    at,
    inputs,
    pair,
    pts,
    worked_example_inputs,
)


def volumes_by_key(result) -> dict[tuple[int, int, int], tuple[float, float]]:
    v = result.volumes
    acc = result.inputs.acceptances
    return {
        (int(acc.number[a]), int(p), int(n)): (float(o), float(b))
        for a, p, n, o, b in zip(v.acceptance, v.period, v.pair, v.qao, v.qab, strict=True)
    }


def assert_volumes(got: dict, expected: dict) -> None:
    assert set(got) == set(expected)
    for key, (qao, qab) in expected.items():
        assert got[key] == pytest.approx((qao, qab), abs=1e-9), key


def test_worked_example_volumes_and_cbm():
    result = run_bm_stage(worked_example_inputs(), cadl_minutes=10)
    got = volumes_by_key(result)
    assert got[(1, 27, 1)][0] == pytest.approx(22.9166667, abs=1e-6)
    assert got[(1, 27, 2)][0] == pytest.approx(8.0, abs=1e-9)
    assert got[(2, 27, 1)] == pytest.approx((0.0, -3.25), abs=1e-9)
    assert got[(2, 27, 2)] == pytest.approx((0.0, -3.0), abs=1e-9)
    assert set(got) == {(1, 27, 1), (1, 27, 2), (2, 27, 1), (2, 27, 2)}
    gen = result.inputs.unit_index("T_GEN-1")
    assert round(result.cashflows.cbm[gen, 26], 2) == 2171.83
    assert result.period_fpn[gen, 26] == pytest.approx(50.0)
    assert result.cashflows.total_system_bm_cashflow[26] == pytest.approx(2171.8333333)
    assert not result.volumes.cadl_flag.any()  # 30 and 10 minutes long: not under CADL 10


def test_a_reversal_gives_bid_volume_on_an_offer_pair():
    # FPN 100; pair +1 50 MW wide. k1 holds 150 (x = 50): QAO_1 = 50 × 30 / 60 = 25 MWh.
    # k2 from minute 10: 150 → 120 at minute 12, held: qABO_21 = clip(x2) − clip(x1):
    # minute 10: 0, 11: −15, 12..30: −30; trapezium (−7.5 − 22.5 − 18 × 30) / 60 = −9.5 MWh.
    data = inputs(
        ["T_A-1"],
        {"T_A-1": pts((0, 100), (30, 100))},
        [pair("T_A-1", 27, 1, 80, 70, pts((0, 50), (30, 50)))],
        [
            acceptance("T_A-1", 1, pts((0, 150), (30, 150))),
            acceptance("T_A-1", 2, pts((10, 150), (12, 120), (30, 120))),
        ],
    )
    result = run_bm_stage(data, cadl_minutes=10)
    got = volumes_by_key(result)
    assert got[(1, 27, 1)] == pytest.approx((25.0, 0.0))
    assert got[(2, 27, 1)] == pytest.approx((0.0, -9.5))
    # The bid part on an offer pair is paid at that pair's bid price: −9.5 × £70.
    assert result.cashflows.cbm[0, 26] == pytest.approx(25 * 80 - 9.5 * 70)
    assert result.volumes.qab_nj[0] == pytest.approx(-9.5)


def test_an_acceptance_spanning_three_periods():
    # FPN 0, pair +1 100 MW wide each period at £50, £60, £70. Levels: 0 at minute 20 → 60 at
    # 30, held to 80, → 0 at 85. P27: ½ × 10 × 60 = 300 → 5 MWh; P28: 60 × 30 → 30 MWh;
    # P29: 60 × 20 + ½ × 5 × 60 = 1350 → 22.5 MWh.
    bands = [pair("T_B-1", 27 + i, 1, 50 + 10 * i, 0, pts((30 * i, 100), (30 * i + 30, 100)))
             for i in range(3)]  # fmt: skip
    data = inputs(
        ["T_B-1"],
        {"T_B-1": pts((0, 0), (90, 0))},
        bands,
        [acceptance("T_B-1", 7, pts((20, 0), (30, 60), (80, 60), (85, 0)))],
    )
    result = run_bm_stage(data, cadl_minutes=10)
    got = volumes_by_key(result)
    assert_volumes(got, {(7, 27, 1): (5.0, 0.0), (7, 28, 1): (30.0, 0.0), (7, 29, 1): (22.5, 0.0)})
    assert result.cashflows.cbm[0, 26:29] == pytest.approx([250.0, 1800.0, 1575.0])


def test_bands_changing_inside_the_period_and_an_instruction_beyond_the_last_band():
    # FPN 0; pair +1 widens 20 → 40 MW over the period, pair +2 is 10 MW. Instructed 100 MW:
    # pair +1 takes its width (mean 30 MW → 15 MWh), pair +2 its 10 MW (5 MWh); the 60-ish MW
    # beyond the last band belongs to no pair.
    data = inputs(
        ["T_C-1"],
        {"T_C-1": pts((0, 0), (30, 0))},
        [
            pair("T_C-1", 27, 1, 90, 80, pts((0, 20), (30, 40))),
            pair("T_C-1", 27, 2, 95, 85, pts((0, 10), (30, 10))),
        ],
        [acceptance("T_C-1", 1, pts((0, 100), (30, 100)))],
    )
    got = volumes_by_key(run_bm_stage(data, cadl_minutes=10))
    assert_volumes(got, {(1, 27, 1): (15.0, 0.0), (1, 27, 2): (5.0, 0.0)})


def test_bid_pairs_stack_downward_from_fpn():
    # FPN 100; pair −1 is −30 MW, pair −2 −50 MW. Instructed 40 (x = −60): pair −1 gives −30 MW,
    # pair −2 gives −30 MW: −15 MWh each over the period. Bid volumes are ≤ 0.
    data = inputs(
        ["T_D-1"],
        {"T_D-1": pts((0, 100), (30, 100))},
        [
            pair("T_D-1", 27, -1, 40, 30, pts((0, -30), (30, -30))),
            pair("T_D-1", 27, -2, 35, 20, pts((0, -50), (30, -50))),
        ],
        [acceptance("T_D-1", 1, pts((0, 40), (30, 40)))],
    )
    result = run_bm_stage(data, cadl_minutes=10)
    assert_volumes(volumes_by_key(result), {(1, 27, -1): (0.0, -15.0), (1, 27, -2): (0.0, -15.0)})
    assert result.cashflows.cbm[0, 26] == pytest.approx(-15 * 30 - 15 * 20)  # paid by the party


def test_wind_bid_at_a_negative_price_is_paid_to_the_party():
    # A wind farm bid down 60 MW at −£50/MWh: QAB = −30 MWh, CB = −30 × −50 = +£1,500 (to party).
    data = inputs(
        ["T_WIND-1"],
        {"T_WIND-1": pts((0, 100), (30, 100))},
        [pair("T_WIND-1", 27, -1, 9999, -50, pts((0, -100), (30, -100)))],
        [acceptance("T_WIND-1", 1, pts((0, 40), (30, 40)))],
    )
    result = run_bm_stage(data, cadl_minutes=10)
    assert result.volumes.qab_nj[0] == pytest.approx(-30.0)
    assert result.cashflows.cb_nj[0] == pytest.approx(1500.0)
    assert result.cashflows.cbm[0, 26] == pytest.approx(1500.0)


def test_rr_flagged_acceptances_are_left_out():
    result = run_bm_stage(worked_example_inputs(rr_on_second=True), cadl_minutes=10)
    got = volumes_by_key(result)
    assert set(got) == {(1, 27, 1), (1, 27, 2)}
    assert got[(1, 27, 2)][0] == pytest.approx(8.0)


def test_cadl_flag_is_duration_strictly_shorter_than_cadl():
    data = inputs(
        ["T_E-1"],
        {"T_E-1": pts((0, 0), (30, 0))},
        [pair("T_E-1", 27, 1, 90, 80, pts((0, 50), (30, 50)))],
        [
            acceptance("T_E-1", 1, pts((0, 0), (1, 20), (9, 0))),  # 9 minutes
            acceptance("T_E-1", 2, pts((15, 0), (16, 20), (25, 0))),  # 10 minutes
        ],
    )
    result = run_bm_stage(data, cadl_minutes=10)
    assert result.volumes.cadl_flag.tolist() == [True, False]


def test_a_unit_without_fpn_is_deemed_at_zero():
    data = inputs(
        ["E_F-1"],
        {},
        [pair("E_F-1", 27, 1, 90, 80, pts((0, 50), (30, 50)))],
        [acceptance("E_F-1", 1, pts((0, 30), (30, 30)))],
    )
    result = run_bm_stage(data, cadl_minutes=10)
    assert_volumes(volumes_by_key(result), {(1, 27, 1): (15.0, 0.0)})
    assert result.period_fpn[0].sum() == 0.0


def test_boundary_spot_time_uses_each_periods_own_bands():
    # FPN 0; pair +1 is 10 MW in P27 and 40 MW in P28; instructed 40 MW from 12:20 to 12:40,
    # a step up at 12:20 and back down after 12:40 (the acceptance has no level outside).
    # P27: interval 19→20 is (0 + 10) / 2 = 5, intervals 20→30 are 10 × 10: 105 / 60 = 1.75.
    # P28: intervals 30→40 are 10 × 40, interval 40→41 is (40 + 0) / 2: 420 / 60 = 7.0.
    data = inputs(
        ["T_G-1"],
        {"T_G-1": pts((0, 0), (60, 0))},
        [
            pair("T_G-1", 27, 1, 90, 80, pts((0, 10), (30, 10))),
            pair("T_G-1", 28, 1, 90, 80, pts((30, 40), (60, 40))),
        ],
        [acceptance("T_G-1", 1, pts((20, 40), (40, 40)))],
    )
    got = volumes_by_key(run_bm_stage(data, cadl_minutes=10))
    assert got[(1, 27, 1)][0] == pytest.approx(1.75)
    assert got[(1, 28, 1)][0] == pytest.approx(7.0)


def test_offer_volumes_are_never_negative_and_bid_volumes_never_positive():
    result = run_bm_stage(worked_example_inputs(), cadl_minutes=10)
    assert (result.volumes.qao >= 0).all() and (result.volumes.qab <= 0).all()
    assert np.all(result.volumes.qao_nj >= 0) and np.all(result.volumes.qab_nj <= 0)


def test_nothing_accepted_gives_empty_volumes_and_zero_cbm():
    data = inputs(["T_H-1"], {"T_H-1": pts((0, 5), (30, 5))}, [], [])
    result = run_bm_stage(data, cadl_minutes=10)
    assert len(result.volumes.qao) == 0
    assert result.cashflows.cbm.shape == (1, 48) and not result.cashflows.cbm.any()
    assert result.period_fpn[0, 26] == pytest.approx(2.5)
    assert at(0) > 0 and DAY.isoformat() == "2024-06-12"
