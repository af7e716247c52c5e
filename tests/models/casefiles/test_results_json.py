"""The settlement-result/1 document of the rulebook's worked example (§12), section by
section: plain JSON numbers (None, never NaN), the hand-checked figures where they belong."""

from __future__ import annotations

import json
import math

import pytest

from engine.settle import settle_day
from models.casefiles.case_file import load_case
from models.casefiles.results_json import RESULT_FORMAT, number, result_document
from models.runs.inputs import case_settlement_inputs
from tests.paths import CASES


@pytest.fixture(scope="module")
def document():
    return result_document(
        settle_day(case_settlement_inputs(load_case(CASES / "worked_example.json")))
    )


def test_numbers_are_plain_floats_or_none():
    assert number(None) is None and number(math.nan) is None
    assert number(5) == 5.0 and isinstance(number(5), float)
    assert math.copysign(1.0, number(-0.0)) == 1.0  # −0.0 is written as 0.0


def test_the_document_is_plain_json(document):
    assert document["format"] == RESULT_FORMAT == "settlement-result/1"
    assert document["settlement_date"] == "2024-06-12"
    assert json.loads(json.dumps(document, allow_nan=False)) == document
    # 2__XSUP-1 may be baselined (P376, in force since 2023-02-23): its QME rests on a gap.
    assert [g["id"] for g in document["known_gaps"]] == ["GAP-P376-BASELINING"]


def test_the_period_has_the_worked_examples_price(document):
    (period,) = document["periods"]
    assert (period["period"], period["start"]) == (27, "2024-06-12T12:00:00Z")
    assert period["ssp"] == period["sbp"] == pytest.approx(100.0)
    assert period["niv"] == pytest.approx(24.6666667)
    assert period["replacement_price"] is None  # none needed: JSON null
    assert len(period["stack"]) == 4  # two offers of acceptance 1, two bids of acceptance 2


def test_the_generator_has_its_volumes_cashflows_and_non_delivery(document):
    gen = next(u for u in document["bm_units"] if u["bm_unit"] == "T_GEN-1")
    assert (gen["period_fpn"], gen["qm"]) == (50.0, 74.0)
    assert gen["tlm"] == pytest.approx(0.9884189)
    assert (gen["qme"], gen["qndo"], gen["cnd"]) == pytest.approx((74.6666667, 0.6666667, 0.0))
    assert round(gen["cbm"], 2) == 2171.83
    pairs = {p["pair"]: (p["qao"], p["qab"], p["co"], p["cb"]) for p in gen["pairs"]}
    assert pairs[1] == pytest.approx((22.9166667, -3.25, 1833.3333333, -227.5))
    assert pairs[2] == pytest.approx((8.0, -3.0, 800.0, -234.0))
    assert pairs[-1] == (0.0, 0.0, 0.0, 0.0)


def test_parties_accounts_and_system_carry_the_charges(document):
    parties = {p["party"]: p for p in document["parties"]}
    assert (
        round(parties["GEN"]["caei"], 2) == 123.80 and round(parties["SUP"]["caei"], 2) == 2314.30
    )
    assert round(parties["GEN"]["rcrc"], 2) == round(parties["SUP"]["rcrc"], 2) == 1219.05
    for p in parties.values():  # net = CBM − CND − CAEI + RCRC, positive = paid to the party
        assert p["net"] == pytest.approx(p["cbm"] - p["cnd"] - p["caei"] + p["rcrc"])
    gen_p = next(a for a in document["accounts"] if (a["party"], a["account"]) == ("GEN", "P"))
    assert (gen_p["qce"], gen_p["qabc"]) == pytest.approx((73.143, 50.0))
    assert gen_p["qabs"] == pytest.approx(-24.381) and gen_p["qaei"] == pytest.approx(-1.238)
    (system,) = document["system"]
    assert round(system["trc"], 2) == 2438.10 and round(system["csobm"], 2) == 2171.83
    assert all(check["ok"] for check in document["checks"])
