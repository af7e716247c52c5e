"""Settling a day: MVRN, non-delivery and missing metering by hand-computed cases."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.settle import acceptances_in_periods, settle_day, settle_day_and_variant
from engine.variants import VARIANTS, parameter_variant
from models.casefiles.results_json import result_document
from models.runs.inputs import case_settlement_inputs
from tests.engine.case_builder import accept, case, flat, metered, pair, unit


def settle(document: dict) -> dict:
    return result_document(settle_day(case_settlement_inputs(document)))


def pick(rows, **keys):
    (row,) = [r for r in rows if all(r[k] == v for k, v in keys.items())]
    return row


def test_mvrn_moves_fixed_then_percentage_of_the_remainder():
    # TLF 0 and balanced meters: L = 0, TLM = 1. MVRN fixed 10 MWh and 50 %: moved =
    # 10 + 0.5 × (100 − 10) = 55 MWh to TRADER P; GEN P keeps 45. No stack: price = MIP £50.
    # CAEI = −QAEI × 50: GEN −2,250, TRADER −2,750 (paid to them), SUP +5,000; TRC = 0.
    document = case(
        parties=[{"id": "GEN"}, {"id": "SUP"}, {"id": "TRADER"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C")],
        metered_volumes=[metered("T_G-1", 100.0), metered("2__S-1", -100.0)],
        mvrns=[{"bm_unit": "T_G-1", "to_party": "TRADER", "to_account": "P",
                "fixed_mwh": 10, "percentage": 50}],
    )  # fmt: skip
    doc = settle(document)
    qce = {(a["party"], a["account"]): a["qce"] for a in doc["accounts"]}
    assert qce[("GEN", "P")] == pytest.approx(45.0)
    assert qce[("TRADER", "P")] == pytest.approx(55.0)
    assert qce[("SUP", "C")] == pytest.approx(-100.0)
    caei = {(a["party"], a["account"]): a["caei"] for a in doc["accounts"]}
    assert caei[("GEN", "P")] == pytest.approx(-2250.0)
    assert caei[("TRADER", "P")] == pytest.approx(-2750.0)
    assert caei[("SUP", "C")] == pytest.approx(5000.0)
    # RCRP shares the signed credited energy: 45, 55 and 100 of 200.
    rcrp = {(a["party"], a["account"]): a["rcrp"] for a in doc["accounts"]}
    assert (rcrp[("GEN", "P")], rcrp[("TRADER", "P")], rcrp[("SUP", "C")]) == pytest.approx(
        (0.225, 0.275, 0.5)
    )
    assert doc["periods"][0]["price_source"] == "mip"
    assert all(c["ok"] for c in doc["checks"])


def test_non_delivered_offers_go_to_the_dearest_offer_first():
    # FPN 0; pair +1 50 MW @ £60, pair +2 50 MW @ £120; instructed 100 MW all period:
    # QAO 25 + 25 MWh. PAR 50: SBP = (25 × 60 + 25 × 120) / 50 = £90. QM 40: QME 50, short
    # 10 MWh, all on pair +2 (dearest): CND = 10 × (120 − 90) = £300, paid by the party.
    document = case(
        parameters={"par": 50.0},
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C")],
        fpn=[flat("T_G-1", 0)],
        bid_offer=[pair("T_G-1", 27, 1, 60, 50, 50), pair("T_G-1", 27, 2, 120, 55, 50)],
        acceptances=[accept("T_G-1", 1, 100)],
        metered_volumes=[metered("T_G-1", 40.0), metered("2__S-1", -40.0)],
    )
    doc = settle(document)
    gen = pick(doc["bm_units"], bm_unit="T_G-1", period=27)
    assert doc["periods"][0]["ssp"] == pytest.approx(90.0)
    assert (gen["qme"], gen["qndo"], gen["qndb"]) == pytest.approx((50.0, 10.0, 0.0))
    assert gen["cnd"] == pytest.approx(300.0)
    assert pick(doc["parties"], party="GEN")["cnd"] == pytest.approx(300.0)
    assert doc["system"][0]["csobm"] == pytest.approx(25 * 60 + 25 * 120 - 300.0)
    assert all(c["ok"] for c in doc["checks"])


def test_non_delivered_bids_go_to_the_cheapest_bid_first():
    # Period 28. FPN 100 MW (Period FPN 50 MWh); pair −1 −50 MW @ PB £20, pair −2 −50 MW
    # @ PB £10; instructed to 0: QAB −25 and −25 MWh, so QME = 50 − 50 = 0 MWh.
    # PAR 50: SSP = (25 × 20 + 25 × 10) / 50 = £15. QM 20 MWh over-delivers by 20:
    # QNDB = −20, all on pair −2 (the cheapest bid): CND = 20 × max(15 − 10, 0) = £100.
    document = case(
        periods=[28],
        parameters={"par": 50.0},
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C")],
        fpn=[flat("T_G-1", 100, 30, 60)],
        bid_offer=[pair("T_G-1", 28, -1, 30, 20, -50), pair("T_G-1", 28, -2, 25, 10, -50)],
        acceptances=[accept("T_G-1", 1, 0, 30, 60)],
        metered_volumes=[metered("T_G-1", 20.0, 28), metered("2__S-1", -20.0, 28)],
    )
    doc = settle(document)
    gen = pick(doc["bm_units"], bm_unit="T_G-1", period=28)
    assert doc["periods"][0]["ssp"] == pytest.approx(15.0)
    assert (gen["qme"], gen["qndo"], gen["qndb"]) == pytest.approx((0.0, 0.0, -20.0))
    assert gen["cnd"] == pytest.approx(100.0)


def test_without_metered_volumes_the_price_and_cbm_stand_and_the_rest_is_not_available():
    document = case(
        parties=[{"id": "GEN"}],
        bm_units=[unit("T_G-1", "GEN", tlf=-0.02)],
        fpn=[flat("T_G-1", 0)],
        bid_offer=[pair("T_G-1", 27, 1, 60, 50, 50)],
        acceptances=[accept("T_G-1", 1, 40)],
    )
    doc = settle(document)
    period = doc["periods"][0]
    assert period["ssp"] == 60.0 and period["metered_volumes"] is False
    assert period["stack"][0]["tlm"] == pytest.approx(0.98)  # 1 + TLF, the indicative TLM
    gen = pick(doc["bm_units"], bm_unit="T_G-1", period=27)
    assert gen["cbm"] == pytest.approx(20.0 * 60)
    assert gen["qm"] is None and gen["tlm"] is None and gen["cnd"] is None
    assert gen["qme"] == pytest.approx(20.0) and gen["qii"] is None
    account = pick(doc["accounts"], party="GEN", account="P", period=27)
    assert account["qce"] is None and account["caei"] is None and account["rcrc"] is None
    assert account["qabc"] == 0.0
    party = pick(doc["parties"], party="GEN")
    assert party["cbm"] == pytest.approx(1200.0) and party["net"] is None
    assert doc["system"][0]["csobm"] is None
    assert [c["rule"] for c in doc["checks"] if c["period"] == 27] == [
        "stack-complete", "R-PRC-NIV", "metered-volumes"
    ]  # fmt: skip
    # A note, not a pass: "not applicable", so that the passed count holds only real checks.
    (note,) = [c for c in doc["checks"] if c["rule"] == "metered-volumes"]
    assert (note["ok"], note["status"]) == (True, "not applicable")
    assert note["detail"] == "no metered volumes: imbalance not settled"


def test_interconnectors_have_tlm_1_and_no_rcrc_share():
    document = case(
        parties=[{"id": "GEN"}, {"id": "SUP"}, {"id": "IC"}],
        bm_units=[unit("T_G-1", "GEN", tlf=-0.01), unit("2__S-1", "SUP", "C", tlf=0.01),
                  unit("I_X-1", "IC", tlf=0.005, interconnector=True)],
        metered_volumes=[metered("T_G-1", 100.0), metered("2__S-1", -150.0),
                         metered("I_X-1", 52.0)],
    )  # fmt: skip
    doc = settle(document)
    ic = pick(doc["bm_units"], bm_unit="I_X-1", period=27)
    assert ic["tlm"] == 1.0
    assert pick(doc["accounts"], party="IC", account="P", period=27)["rcrp"] == 0.0
    assert all(c["ok"] for c in doc["checks"])  # Σ QM × TLM = 0 with the IC at TLM 1


def test_a_one_sided_period_settles_with_tlm_1_plus_tlf_and_the_loss_check_not_applicable():
    # R-TLM-ONESIDED: only the generator is metered (the supplier's meter reads 0): no
    # offtaking primary volume, so TLMO± = 0, TLM = 1 + TLF = 0.99, and the R-TLM check is
    # ok with status "not applicable" (incomplete metering, not an engine failure).
    # QCE GEN P = 100 × 0.99 = 99 MWh; price MIP £50: CAEI = −99 × 50 = −£4,950 (paid to
    # GEN); the only CE is GEN's, so RCRP 1 and RCRC = TRC = −£4,950.
    document = case(
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN", tlf=-0.01), unit("2__S-1", "SUP", "C", tlf=0.01)],
        metered_volumes=[metered("T_G-1", 100.0), metered("2__S-1", 0.0)],
    )
    doc = settle(document)
    (tlm_check,) = [c for c in doc["checks"] if c["rule"] == "R-TLM"]
    assert tlm_check["ok"] is True and tlm_check["status"] == "not applicable"
    assert "R-TLM-ONESIDED" in tlm_check["detail"] and "offtaking" in tlm_check["detail"]
    assert pick(doc["bm_units"], bm_unit="T_G-1", period=27)["tlm"] == pytest.approx(0.99)
    assert pick(doc["bm_units"], bm_unit="2__S-1", period=27)["tlm"] == pytest.approx(1.01)
    system = doc["system"][0]
    assert system["tlmo_plus"] == 0.0 and system["tlmo_minus"] == 0.0
    gen = pick(doc["accounts"], party="GEN", account="P", period=27)
    assert gen["qce"] == pytest.approx(99.0) and gen["caei"] == pytest.approx(-4950.0)
    assert gen["rcrp"] == pytest.approx(1.0) and gen["rcrc"] == pytest.approx(-4950.0)
    assert system["unallocated_residual"] == 0.0
    assert all(c["ok"] for c in doc["checks"])
    assert [c["status"] for c in doc["checks"] if c["rule"] != "R-TLM"] == [None] * (
        len(doc["checks"]) - 1
    )


def test_without_an_rcrc_denominator_the_residual_stays_unallocated():
    # R-ACC-RCRC-NODENOM: all meters read 0, so Σ CE = 0. T_G-1 (FPN 0) is accepted to 40 MW
    # on pair +1 (50 MW @ £60): QAO 20 MWh, SBP £60 (PAR 1). TLM = 1 + TLF = 1 (one-sided).
    # QABS GEN P = −1 × 20 = −20; QAEI = −20; CAEI = 20 × 60 = £1,200 (paid by GEN) = TRC.
    # No account can take it: RCRP 0, RCRC 0, unallocated residual £1,200. CBM = £1,200;
    # QME 20, QM 0: QNDO 20 at max(60 − 60, 0): CND £0; CSOBM £1,200.
    # Cash: 1,200 + 1,200 + 0 − 1,200 − 0 − 1,200 = 0.
    document = case(
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C")],
        fpn=[flat("T_G-1", 0)],
        bid_offer=[pair("T_G-1", 27, 1, 60, 50, 50)],
        acceptances=[accept("T_G-1", 1, 40)],
        metered_volumes=[metered("T_G-1", 0.0), metered("2__S-1", 0.0)],
    )
    doc = settle(document)
    assert doc["periods"][0]["ssp"] == pytest.approx(60.0)
    gen = pick(doc["accounts"], party="GEN", account="P", period=27)
    assert (gen["qabs"], gen["qaei"], gen["caei"]) == pytest.approx((-20.0, -20.0, 1200.0))
    assert gen["rcrp"] == 0.0 and gen["rcrc"] == 0.0
    system = doc["system"][0]
    assert system["trc"] == pytest.approx(1200.0)
    assert system["unallocated_residual"] == pytest.approx(1200.0)
    assert system["csobm"] == pytest.approx(1200.0)
    assert system["cash_balance_error"] == pytest.approx(0.0, abs=1e-9)
    (cash,) = [c for c in doc["checks"] if c["rule"] == "cash-balance"]
    assert cash["ok"] and "R-ACC-RCRC-NODENOM" in cash["detail"] and "1200.00" in cash["detail"]
    assert all(c["ok"] for c in doc["checks"])


def test_a_secondary_unit_stays_out_of_the_losses_in_a_settled_day():
    # The hand case of test_losses: L = 0.02 over T_G-1 and 2__S-1 only; V__V001 (5 MWh,
    # TLF 0.005) has TLM 1.00491; the loss check holds over primary units; the day names
    # the secondary-unit gaps (P415, VLP accounts).
    document = case(
        parties=[{"id": "GEN"}, {"id": "SUP"}, {"id": "VLP"}],
        bm_units=[unit("T_G-1", "GEN", tlf=-0.01), unit("2__S-1", "SUP", "C", tlf=0.01),
                  unit("V__V001", "VLP", tlf=0.005)],
        metered_volumes=[metered("T_G-1", 100.0), metered("2__S-1", -98.0),
                         metered("V__V001", 5.0)],
    )  # fmt: skip
    doc = settle(document)
    assert doc["system"][0]["losses"] == pytest.approx(0.02, abs=1e-12)
    assert pick(doc["bm_units"], bm_unit="V__V001", period=27)["tlm"] == pytest.approx(1.00491)
    assert pick(doc["bm_units"], bm_unit="T_G-1", period=27)["tlm"] == pytest.approx(0.98991)
    (tlm_check,) = [c for c in doc["checks"] if c["rule"] == "R-TLM"]
    assert tlm_check["ok"] and tlm_check["status"] is None
    assert all(c["ok"] for c in doc["checks"])
    gaps = [g["id"] for g in doc["known_gaps"]]
    assert gaps == ["GAP-P376-BASELINING", "GAP-P415-VIRTUAL-TRADING", "GAP-VLP-VIRTUAL-ACCOUNTS"]
    assert doc["rulebook"] == "v2"


def test_a_period_holding_no_input_has_no_price_and_its_mip_check_does_not_apply():
    # Periods 26 and 27, no market index data. Period 27: T_G-1 (FPN 0) accepted to 40 MW on
    # pair +1 (50 MW @ £60): QAO 20 MWh, SBP £60 (PAR 1). Period 26 holds nothing at all:
    # its price is unavailable (null, never 0) and R-PRC-MIP is ok, "not applicable".
    document = case(
        periods=[26, 27],
        market_index=[],
        parties=[{"id": "GEN"}],
        bm_units=[unit("T_G-1", "GEN")],
        fpn=[flat("T_G-1", 0)],
        bid_offer=[pair("T_G-1", 27, 1, 60, 50, 50)],
        acceptances=[accept("T_G-1", 1, 40)],
    )
    doc = settle(document)
    p26, p27 = doc["periods"]
    assert (p26["ssp"], p26["sbp"], p26["niv"], p26["price_source"]) == (
        None, None, 0.0, "unavailable"
    )  # fmt: skip
    assert p27["ssp"] == pytest.approx(60.0) and p27["price_source"] == "stack"
    (mip,) = [c for c in doc["checks"] if c["rule"] == "R-PRC-MIP"]
    assert (mip["period"], mip["ok"], mip["status"]) == (26, True, "not applicable")
    assert mip["detail"].startswith("no data for this period: nothing to price (no FPN, ")
    assert "market index data)" in mip["detail"]
    assert all(c["ok"] for c in doc["checks"])


BSAD_NIV_0 = [  # buy and sell 5 MWh at £40: arbitrage tags both out, NIV 0 (R-PRC-ARB)
    {"id": "B1", "period": 27, "volume": 5.0, "cost": 200.0, "so_flag": False,
     "stor_flag": False},
    {"id": "B2", "period": 27, "volume": -5.0, "cost": -200.0, "so_flag": False,
     "stor_flag": False},
]  # fmt: skip


@pytest.mark.parametrize(
    ("section", "records", "held"),
    [
        ("fpn", [flat("T_G-1", 0)], "FPN"),
        ("bid_offer", [pair("T_G-1", 27, 1, 60, 50, 50)], "bid-offer data"),
        ("metered_volumes", [metered("T_G-1", 0.0)], "metered volume"),
        ("ecvns", [{"from_party": "GEN", "from_account": "P", "to_party": "GEN",
                    "to_account": "C", "period": 27, "mwh": 10.0}], "contract volume"),
        ("balancing_services_volume", [{"bm_unit": "T_G-1", "period": 27, "mwh": 5.0}],
         "balancing services volume"),
        ("bsad", BSAD_NIV_0, "stack item, BSAD"),
    ],
)  # fmt: skip
def test_a_period_holding_any_input_whose_price_needs_mip_still_fails(section, records, held):
    # NIV 0 and no market index data: the price needs MIP_j and has none. The period holds
    # one input (an FPN of 0 MW, a metered 0 MWh: a level of 0 is data), so R-PRC-MIP fails.
    document = case(
        market_index=[],
        parties=[{"id": "GEN"}],
        bm_units=[unit("T_G-1", "GEN")],
        **{section: records},
    )
    doc = settle(document)
    (period,) = doc["periods"]
    assert period["ssp"] is None and period["niv"] == 0.0
    (mip,) = [c for c in doc["checks"] if c["rule"] == "R-PRC-MIP"]
    assert (mip["ok"], mip["status"]) == (False, None)
    assert f"(it holds: {held})" in mip["detail"] and "needs MIP_j" in mip["detail"]


def test_a_period_holding_only_acceptance_levels_has_nothing_to_price():
    # A BOALF segment of a neighbouring period's file running into period 27, with no FPN and
    # no bid-offer data there: no accepted volume, no stack item, so R-PRC-MIP does not apply
    # (the real 2022-03-19 SP27 files reach periods 25-29 this way). With an FPN beside it,
    # the period holds data whose price needs MIP_j: a failure.
    only_levels = case(
        market_index=[],
        parties=[{"id": "GEN"}],
        bm_units=[unit("T_G-1", "GEN")],
        acceptances=[accept("T_G-1", 1, 40)],
    )
    doc = settle(only_levels)
    (mip,) = [c for c in doc["checks"] if c["rule"] == "R-PRC-MIP"]
    assert (mip["ok"], mip["status"]) == (True, "not applicable")
    assert "acceptance levels running into it" in mip["detail"]
    assert doc["periods"][0]["ssp"] is None
    with_fpn = case(
        market_index=[],
        parties=[{"id": "GEN"}],
        bm_units=[unit("T_G-1", "GEN")],
        acceptances=[accept("T_G-1", 1, 40)],
        fpn=[flat("T_G-1", 0)],
    )
    (mip,) = [c for c in settle(with_fpn)["checks"] if c["rule"] == "R-PRC-MIP"]
    assert (mip["ok"], mip["status"]) == (False, None)
    assert "(it holds: FPN, acceptance)" in mip["detail"]


def test_a_metered_period_without_a_price_has_its_cash_balance_not_applicable():
    # Meters 100 and −100 MWh, no acceptance, no BSAD: NIV 0, so the price needs MIP_j, and
    # there is no market index data: SSP unavailable. R-PRC-MIP fails (the period holds
    # metered volumes). CAEI, TRC and RCRC have no value, so the cash balance cannot be
    # checked: "not applicable" with that reason, never "= nan".
    document = case(
        market_index=[],
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C")],
        metered_volumes=[metered("T_G-1", 100.0), metered("2__S-1", -100.0)],
    )
    doc = settle(document)
    assert doc["periods"][0]["ssp"] is None
    (cash,) = [c for c in doc["checks"] if c["rule"] == "cash-balance"]
    assert (cash["ok"], cash["status"]) == (True, "not applicable")
    assert cash["detail"] == "price unavailable: CAEI, TRC and RCRC are not available"
    assert [c["rule"] for c in doc["checks"] if not c["ok"]] == ["R-PRC-MIP"]
    assert not [c for c in doc["checks"] if "nan" in c["detail"].lower()]


def test_an_rcrc_denominator_near_zero_fails_the_rcrc_range_check():
    # The reviewer's case. Trading Unit TU1 holds T_A-1 (GEN P, +10 MWh) and 2__B-1 (SUP C,
    # −10.001 MWh): Σ −0.001, offtaking; the tiny T_G-1 (TINY P) meters 0.0005 MWh,
    # delivering. TLF 0: L = −0.0005; α 0.45: TLMO+ = 0.45 × 0.0005 / 0.0005 = 0.45 (TLM
    # 1.45), TLMO− = −0.55 × 0.0005 / 0.001 = −0.275 (TLM 0.725): every TLM within 0.5–1.5.
    # Signed CE: GEN P −7.25, SUP C +7.250725, TINY P +0.000725; Σ CE = 0.00145 MWh, above
    # R-ACC-RCRC-NODENOM's 1e-6, so RCRP = −5000, 5000.5 and 0.5 (Σ 1). T_A-1 accepted
    # 10 MWh at £40: SSP £40, QABS GEN P −7.25; CAEI SUP C 7.250725 × 40 = £290.029, TINY P
    # −£0.029: TRC £290, RCRC SUP C £1,450,145 and GEN P −£1,450,000. The rule holds as the
    # rulebook states it, so every other check passes; rcrc-range fails (|RCRP| > 10).
    document = case(
        parties=[{"id": "GEN"}, {"id": "SUP"}, {"id": "TINY"}],
        bm_units=[unit("T_A-1", "GEN", trading_unit="TU1"),
                  unit("2__B-1", "SUP", "C", trading_unit="TU1"), unit("T_G-1", "TINY")],
        fpn=[flat("T_A-1", 0)],
        bid_offer=[pair("T_A-1", 27, 1, 40, 30, 50)],
        acceptances=[accept("T_A-1", 1, 20)],
        metered_volumes=[metered("T_A-1", 10.0), metered("2__B-1", -10.001),
                         metered("T_G-1", 0.0005)],
    )  # fmt: skip
    doc = settle(document)
    system = doc["system"][0]
    assert system["trc"] == pytest.approx(290.0)
    assert system["unallocated_residual"] == 0.0
    sup = pick(doc["accounts"], party="SUP", account="C", period=27)
    gen = pick(doc["accounts"], party="GEN", account="P", period=27)
    assert (sup["rcrp"], gen["rcrp"]) == pytest.approx((5000.5, -5000.0))
    assert (sup["rcrc"], gen["rcrc"]) == pytest.approx((1_450_145.0, -1_450_000.0))
    (rcrc_range,) = [c for c in doc["checks"] if c["rule"] == "rcrc-range"]
    assert rcrc_range["ok"] is False and rcrc_range["status"] is None
    assert rcrc_range["detail"] == (
        "RCRP of SUP C is 5000.5000 (|RCRP| more than 10): Σ CE = 0.001450 MWh, TRC £290.00, "
        "RCRC £1,450,145.00; RCRC of this period is implausible: check the metered volumes "
        "(R-ACC-RCRC)"
    )
    assert [c["rule"] for c in doc["checks"] if not c["ok"]] == ["rcrc-range"]


def test_a_plausible_rcrc_share_passes_the_rcrc_range_check():
    # Meters 100 and −100 MWh, TLF 0: CE 100 (GEN P) and 100 (SUP C): RCRP 0.5 each.
    document = case(
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C")],
        metered_volumes=[metered("T_G-1", 100.0), metered("2__S-1", -100.0)],
    )
    (rcrc_range,) = [c for c in settle(document)["checks"] if c["rule"] == "rcrc-range"]
    assert (rcrc_range["ok"], rcrc_range["status"]) == (True, None)
    assert rcrc_range["detail"] == "max |RCRP| 0.5000 (GEN P) within 10"


def test_a_near_one_sided_period_fails_tlm_range_naming_the_implausible_charges():
    # E_E-1 meters +0.001 MWh, 2__S-1 −500 MWh, TLF 0: both sides above R-TLM-ONESIDED's
    # 1e-6, so the rule applies as the rulebook states it. L = −499.999; α 0.45: TLMO+ =
    # 0.45 × 499.999 / 0.001 = 224,999.55 (TLM 225,000.55); TLMO− = −0.55 × 499.999 / 500 =
    # −0.549999 (TLM 0.450001). Σ QM × TLM = 0 holds; tlm-range fails for both units.
    document = case(
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("E_E-1", "GEN"), unit("2__S-1", "SUP", "C")],
        metered_volumes=[metered("E_E-1", 0.001), metered("2__S-1", -500.0)],
    )
    doc = settle(document)
    system = doc["system"][0]
    assert system["tlmo_plus"] == pytest.approx(224_999.55)
    assert system["tlmo_minus"] == pytest.approx(-0.549999)
    (tlm_range,) = [c for c in doc["checks"] if c["rule"] == "tlm-range"]
    assert tlm_range["ok"] is False and tlm_range["status"] is None
    assert tlm_range["detail"] == (
        "TLM outside 0.5–1.5: charges depending on TLM in this period are implausible "
        "(2 BM unit(s), e.g. E_E-1 225000.5500; TLMO+ 224999.550000, TLMO− -0.549999; "
        "check the metered volumes)"
    )
    assert [c["rule"] for c in doc["checks"] if not c["ok"]] == ["tlm-range"]


def test_rr_flagged_acceptances_and_bsad_actions_count_over_the_settled_periods_only():
    # An RR-flagged acceptance and a BSAD action in period 28 only. Settling period 27 alone,
    # neither is in the results: no RR or NETSO gap. Settling 27 and 28, both are.
    rr = {**accept("T_G-1", 1, 40, 30, 60), "rr_flag": True}
    bsad = [{"id": "B1", "period": 28, "volume": 5.0, "cost": 200.0, "so_flag": False,
             "stor_flag": False}]  # fmt: skip
    sections = dict(
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C")],
        fpn=[flat("T_G-1", 0, 0, 60)],
        acceptances=[rr],
        bsad=bsad,
        metered_volumes=[metered("T_G-1", 100.0, p) for p in (27, 28)]
        + [metered("2__S-1", -100.0, p) for p in (27, 28)],
    )
    alone = settle_day(case_settlement_inputs(case(periods=[27], **sections)))
    assert [g.id for g in alone.known_gaps] == ["GAP-P376-BASELINING"]
    both = settle_day(case_settlement_inputs(case(periods=[27, 28], **sections)))
    reasons = {g.id: g.reason for g in both.known_gaps}
    assert reasons["GAP-RR-CASHFLOWS"] == "1 RR-flagged acceptance(s)"
    assert reasons["GAP-NETSO-ENERGY-ACCOUNTS"].startswith("1 BSAD action(s)")


def test_an_acceptance_is_in_the_periods_its_levels_reach_into():
    # Acceptance 1 spans 12:00–12:30Z (period 27 exactly: ending on the boundary does not
    # reach 28); acceptance 2 spans 12:25–12:35Z (27 and 28); acceptance 3 13:00–13:30 (29).
    acceptances = [
        accept("T_G-1", 1, 10, 0, 30),
        accept("T_G-1", 2, 20, 25, 35),
        accept("T_G-1", 3, 30, 60, 90),
    ]
    document = case(
        parties=[{"id": "GEN"}], bm_units=[unit("T_G-1", "GEN")], acceptances=acceptances
    )
    bm = case_settlement_inputs(document).bm

    def reached(*periods):
        mask = [p in periods for p in range(1, bm.periods + 1)]
        return acceptances_in_periods(bm, np.array(mask)).tolist()

    assert reached(27) == [True, True, False]
    assert reached(28) == [False, True, False]
    assert reached(29) == [False, False, True]
    assert reached() == [False, False, False]


def test_non_delivery_without_a_price_has_no_charge_not_a_zero_one():
    # The worked example's shape with every acceptance SO-flagged and no MID: the stack's
    # items are second-stage flagged, the replacement price needs MIP_j (R-PRC-REPL) and
    # there is none, so SSP = SBP is unavailable. T_G-1 (QAO 20 MWh, QM 10: QNDO 10 MWh) has
    # no CND (it would be 10 × max(60 − SBP, 0)); 2__S-1 delivers what it should: CND £0.
    flagged = accept("T_G-1", 1, 40) | {"so_flag": True}
    document = case(
        market_index=[],
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C")],
        fpn=[flat("T_G-1", 0), flat("2__S-1", -20)],
        bid_offer=[pair("T_G-1", 27, 1, 60, 50, 50)],
        acceptances=[flagged],
        metered_volumes=[metered("T_G-1", 10.0), metered("2__S-1", -10.0)],
    )
    doc = settle(document)
    (period,) = doc["periods"]
    assert period["ssp"] is None
    short = pick(doc["bm_units"], bm_unit="T_G-1")
    assert short["qndo"] == pytest.approx(10.0)
    assert short["cnd"] is None
    assert pick(doc["bm_units"], bm_unit="2__S-1")["cnd"] == 0.0
    assert pick(doc["parties"], party="GEN")["cnd"] is None


def _same(a, b, where="result") -> None:
    """Every array, number and text of two settlement results equal (NaN equal to NaN)."""
    if isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray) and a.shape == b.shape, where
        if a.dtype.kind in "fc":
            assert np.array_equal(a, b, equal_nan=True), where
        else:
            assert np.array_equal(a, b), where
    elif dataclasses.is_dataclass(a) and not isinstance(a, type):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            _same(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, float) and np.isnan(a):
        assert isinstance(b, float) and np.isnan(b), where
    else:
        assert a == b, where


def _freeze(value) -> None:
    """Make every array inside a stage result read-only."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _freeze(getattr(value, f.name))


@pytest.fixture(scope="module")
def demo_day(tmp_path_factory):
    from models.db.database import SettlementDatabase
    from models.demo.generator import DemoSpec, generate_demo
    from models.runs.inputs import load_settlement_inputs
    from models.runs.run_store import list_runs

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=40, seed=11))
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        run = next(r for r in list_runs(conn) if r.run_type == "SF")
        return load_settlement_inputs(conn, run.id)


@pytest.mark.parametrize(
    "variant",
    [
        VARIANTS["par-50"],
        VARIANTS["no-arbitrage-tagging"],
        parameter_variant({"cadl_minutes": 60.0}),  # changes the BM stage: it is run again
        parameter_variant({"alpha": 0.3, "dmat": 5.0}),
    ],
    ids=lambda v: v.name,
)
def test_base_and_variant_together_are_each_what_settle_day_gives(demo_day, variant, monkeypatch):
    # The BM stage's arrays are made read-only: a later stage writing into the shared BM
    # stage would raise here, not change the other settlement silently.
    import engine.settle as settle_module

    real_stage = settle_module.run_bm_stage
    stages = []

    def frozen_stage(*args, **kwargs):
        stage = real_stage(*args, **kwargs)
        _freeze(stage)
        stages.append(stage)
        return stage

    monkeypatch.setattr(settle_module, "run_bm_stage", frozen_stage)
    base, varied = settle_day_and_variant(demo_day, variant)
    changes_cadl = dict(variant.parameters).get("cadl_minutes") is not None
    assert len(stages) == (2 if changes_cadl else 1)  # one BM stage for both unless CADL moves
    assert (varied.bm is base.bm) is not changes_cadl
    monkeypatch.setattr(settle_module, "run_bm_stage", real_stage)
    _same(base, settle_day(demo_day))
    _same(varied, settle_day(demo_day, variant))
    assert varied.variant == variant.name and base.variant == ""
    if changes_cadl:  # CADL = 60 min flags more of this day's acceptances (R-VOL-CADL)
        assert not np.array_equal(varied.bm.volumes.cadl_flag, base.bm.volumes.cadl_flag)
