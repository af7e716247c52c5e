"""The rulebook's worked example (section 12) and its dispute variant, every number of the table."""

from __future__ import annotations

import copy

import pytest

from engine.settle import settle_day
from models.casefiles.case_file import load_case
from models.casefiles.results_json import result_document
from models.runs.inputs import case_settlement_inputs
from tests.paths import CASES


def settle(case: dict) -> dict:
    return result_document(settle_day(case_settlement_inputs(case)))


@pytest.fixture(scope="module")
def worked() -> dict:
    return load_case(CASES / "worked_example.json")


@pytest.fixture(scope="module")
def base(worked) -> dict:
    return settle(worked)


def pick(rows: list[dict], **keys) -> dict:
    (row,) = [r for r in rows if all(r[k] == v for k, v in keys.items())]
    return row


def test_volumes_cbm_price_and_niv(base):
    gen = pick(base["bm_units"], bm_unit="T_GEN-1", period=27)
    assert {(a["number"], a["pair"]): (round(a["qao"], 4), round(a["qab"], 4))
            for a in gen["acceptances"]} == {
        (1, 1): (22.9167, 0.0), (1, 2): (8.0, 0.0), (2, 1): (0.0, -3.25), (2, 2): (0.0, -3.0)
    }  # fmt: skip
    assert round(gen["cbm"], 2) == 2171.83
    period = base["periods"][0]
    assert round(period["niv"], 4) == 24.6667
    assert period["ssp"] == period["sbp"] == pytest.approx(100.0)
    top = period["stack"][0]
    assert (top["id"], top["acceptance"], top["pair"]) == ("T_GEN-1", 1, 2)
    assert top["niv_adjusted_volume"] == pytest.approx(1.75)  # 6.25 MWh of NIV tagging
    assert top["par_adjusted_volume"] == pytest.approx(1.0)


def test_losses_accounts_imbalance_and_rcrc(base):
    assert round(pick(base["bm_units"], bm_unit="T_GEN-1", period=27)["tlm"], 7) == 0.9884189
    assert round(pick(base["bm_units"], bm_unit="2__XSUP-1", period=27)["tlm"], 7) == 1.0019589
    gen = pick(base["accounts"], party="GEN", account="P", period=27)
    sup = pick(base["accounts"], party="SUP", account="C", period=27)
    assert (round(gen["qce"], 3), round(sup["qce"], 3)) == (73.143, -73.143)
    assert round(gen["qabs"], 3) == -24.381
    assert (round(gen["qaei"], 3), round(sup["qaei"], 3)) == (-1.238, -23.143)
    assert (round(gen["caei"], 2), round(sup["caei"], 2)) == (123.80, 2314.30)
    assert (gen["rcrp"], sup["rcrp"]) == pytest.approx((0.5, 0.5))
    assert (round(gen["rcrc"], 2), round(sup["rcrc"], 2)) == (1219.05, 1219.05)
    system = base["system"][0]
    assert round(system["trc"], 2) == 2438.10
    assert round(system["csobm"], 2) == 2171.83
    assert abs(system["cash_balance_error"]) < 0.01


def test_expected_volume_and_non_delivery(base):
    gen = pick(base["bm_units"], bm_unit="T_GEN-1", period=27)
    assert round(gen["qme"], 4) == 74.6667
    assert round(gen["qndo"], 4) == 0.6667
    assert gen["qndb"] == 0.0 and gen["cnd"] == 0.0  # PO − SBP = 100 − 100 = 0


def test_party_totals_and_checks(base):
    gen = pick(base["parties"], party="GEN")
    assert round(gen["net"], 2) == 3267.08  # 2,171.83 − 0 − 123.80 + 1,219.05
    assert all(c["ok"] for c in base["checks"])
    assert {c["rule"] for c in base["checks"]} == {
        "R-TLM",
        "tlm-range",
        "rcrc-range",
        "cash-balance",
        "R-PRC-NIV",
        "stack-complete",
    }


def test_dispute_variant_without_acceptance_2(worked, base):
    case = copy.deepcopy(worked)
    case["acceptances"] = [a for a in case["acceptances"] if a["number"] != 2]
    variant = settle(case)
    assert round(pick(variant["bm_units"], bm_unit="T_GEN-1", period=27)["cbm"], 2) == 2633.33
    assert variant["periods"][0]["ssp"] == pytest.approx(100.0)
    assert (
        round(pick(variant["accounts"], party="GEN", account="P", period=27)["caei"], 2) == 741.56
    )
    assert round(variant["system"][0]["trc"], 2) == 3055.86
    delta = {p["party"]: p["net"] - pick(base["parties"], party=p["party"])["net"]
             for p in variant["parties"]}  # fmt: skip
    so_delta = -(variant["system"][0]["csobm"] - base["system"][0]["csobm"])
    assert round(delta["GEN"], 2) == 152.62
    assert round(delta["SUP"], 2) == 308.88
    assert round(so_delta, 2) == -461.50
    assert delta["GEN"] + delta["SUP"] + so_delta == pytest.approx(0.0, abs=1e-9)
