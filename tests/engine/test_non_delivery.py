"""Expected volume and non-delivery (rulebook §8: R-ND, R-ND-ORDER, R-ND-CHARGE), by hand.

One unit, one period, Period FPN 50 MWh, two pair rows:
  row 0: PO £80, PB £70, QAO 20 MWh, QAB −3 MWh
  row 1: PO £100, PB £78, QAO 8 MWh, QAB −3 MWh
so QME = 50 + (20 + 8) + (−3 − 3) = 72 MWh.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.non_delivery import non_delivery

OFFER = np.array([80.0, 100.0])
BID = np.array([70.0, 78.0])


def one_unit(metered: float, price: float, qao=(20.0, 8.0), qab=(-3.0, -3.0)):
    return non_delivery(
        period_fpn=np.array([[50.0]]),
        metered=np.array([[metered]]),
        pair_unit=np.array([0, 0]),
        pair_period=np.array([1, 1]),
        offer_price=OFFER,
        bid_price=BID,
        qao_nj=np.array(qao),
        qab_nj=np.array(qab),
        system_price=np.array([price]),
    )


def test_a_shortfall_is_non_delivered_offer_volume_from_the_dearest_offer_down():
    # QM 60: s = 72 − 60 = 12 MWh ≤ Σ QAO 28, so QNDO = 12: the £100 offer (8 MWh) first, then
    # 4 of the £80 one. SBP £90: CND = 8 × (100 − 90) + 4 × max(80 − 90, 0) = £80.
    nd = one_unit(metered=60.0, price=90.0)
    assert nd.qme[0, 0] == pytest.approx(72.0)
    assert nd.qii[0, 0] == pytest.approx(-12.0)
    assert nd.qndo[0, 0] == pytest.approx(12.0) and nd.qndb[0, 0] == 0.0
    assert nd.qndo_pair == pytest.approx([4.0, 8.0])
    assert nd.qndb_pair.tolist() == [0.0, 0.0]
    assert nd.cnd[0, 0] == pytest.approx(80.0)


def test_non_delivered_offer_volume_is_at_most_the_accepted_offers():
    # QM 30: s = 42 MWh but only 28 were offered: QNDO = 28, every offer row in full.
    # SBP £70: CND = 20 × 10 + 8 × 30 = £440.
    nd = one_unit(metered=30.0, price=70.0)
    assert nd.qndo[0, 0] == pytest.approx(28.0)
    assert nd.qndo_pair == pytest.approx([20.0, 8.0])
    assert nd.cnd[0, 0] == pytest.approx(440.0)


def test_an_overrun_is_non_delivered_bid_volume_from_the_cheapest_bid_up():
    # QM 75: s = −3 MWh ≥ Σ QAB −6, so QNDB = −3, all on the £70 bid. SSP £75:
    # CND = 3 × max(75 − 70, 0) = £15; the £78 bid would be charged max(75 − 78, 0) = 0.
    nd = one_unit(metered=75.0, price=75.0)
    assert nd.qndb[0, 0] == pytest.approx(-3.0) and nd.qndo[0, 0] == 0.0
    assert nd.qndb_pair == pytest.approx([-3.0, 0.0])
    assert nd.cnd[0, 0] == pytest.approx(15.0)
    # QM 90: s = −18, but only −6 were bid: QNDB = −6, −3 on each row; still £15.
    nd = one_unit(metered=90.0, price=75.0)
    assert nd.qndb[0, 0] == pytest.approx(-6.0)
    assert nd.qndb_pair == pytest.approx([-3.0, -3.0])
    assert nd.cnd[0, 0] == pytest.approx(15.0)


def test_worked_example_qme_qndo_and_no_charge():
    # Rulebook §12: QAO 22.9167 (1375/60) + 8, QAB −3.25 − 3 MWh; QM 74 MWh; SBP £100.
    # QME 74.6667, QNDO 0.6667 on the £100 offer, CND £0.00 (PO − SBP = 0).
    nd = one_unit(metered=74.0, price=100.0, qao=(1375 / 60, 8.0), qab=(-3.25, -3.0))
    assert nd.qme[0, 0] == pytest.approx(74.6666667, abs=1e-6)
    assert nd.qndo[0, 0] == pytest.approx(0.6666667, abs=1e-6)
    assert nd.qndo_pair == pytest.approx([0.0, 0.6666667], abs=1e-6)
    assert nd.cnd[0, 0] == 0.0


def test_missing_metered_volume_leaves_only_qme():
    nd = one_unit(metered=np.nan, price=90.0)
    assert nd.qme[0, 0] == pytest.approx(72.0)
    assert np.isnan([nd.qii[0, 0], nd.qndo[0, 0], nd.qndb[0, 0], nd.cnd[0, 0]]).all()
    assert nd.qndo_pair.tolist() == [0.0, 0.0]


def test_without_a_price_a_non_delivery_has_no_charge_but_a_full_delivery_costs_nothing():
    assert np.isnan(one_unit(metered=60.0, price=np.nan).cnd[0, 0])
    assert one_unit(metered=72.0, price=np.nan).cnd[0, 0] == 0.0  # QM = QME: nothing to charge


def test_each_unit_and_period_is_its_own_cell():
    # Unit 0 period 2 and unit 1 period 1, each one offer row of 10 MWh at £60; no FPN.
    # Unit 0 meters 4 (QNDO 6), unit 1 meters 10 (QNDO 0). SBP £50 in both periods:
    # CND of unit 0 period 2 = 6 × (60 − 50) = £60.
    nd = non_delivery(
        period_fpn=np.zeros((2, 2)),
        metered=np.array([[0.0, 4.0], [10.0, 0.0]]),
        pair_unit=np.array([0, 1]),
        pair_period=np.array([2, 1]),
        offer_price=np.array([60.0, 60.0]),
        bid_price=np.array([40.0, 40.0]),
        qao_nj=np.array([10.0, 10.0]),
        qab_nj=np.array([0.0, 0.0]),
        system_price=np.array([50.0, 50.0]),
    )
    assert nd.qme.tolist() == [[0.0, 10.0], [10.0, 0.0]]
    assert nd.qndo.tolist() == [[0.0, 6.0], [0.0, 0.0]]
    assert nd.qndo_pair.tolist() == [6.0, 0.0]
    assert nd.cnd.tolist() == [[0.0, 60.0], [0.0, 0.0]]
