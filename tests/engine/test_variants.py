"""Rule variants: the registry, --set parsing, and settling under a variant by hand-computed
cases (the rulebook's worked example, tests/cases/worked_example.json)."""

from __future__ import annotations

import numpy as np
import pytest

from engine.imbalance_price import PeriodPriceInputs, PriceParameters, imbalance_prices
from engine.settle import settle_day
from engine.settlement_trace import trace_price, trace_unit
from engine.stack_items import items_from_records
from engine.variants import (
    VARIANTS,
    Variant,
    VariantError,
    parse_setting,
    variant_from_settings,
    variant_named,
)
from models.casefiles.case_file import load_case
from models.runs.inputs import case_settlement_inputs
from tests.paths import CASES


@pytest.fixture(scope="module")
def worked():
    return case_settlement_inputs(load_case(CASES / "worked_example.json"))


@pytest.fixture(scope="module")
def base(worked):
    return settle_day(worked)


def test_a_variant_with_no_changes_settles_exactly_as_the_rulebook(worked, base):
    result = settle_day(worked, VARIANTS["rulebook"])
    assert result.variant == "rulebook" and base.variant == ""
    assert np.array_equal(result.prices.ssp, base.prices.ssp, equal_nan=True)
    assert np.array_equal(result.prices.niv, base.prices.niv, equal_nan=True)
    for name in ("party_period_cbm", "party_period_cnd", "party_period_caei", "party_period_rcrc"):
        assert np.array_equal(getattr(result, name), getattr(base, name), equal_nan=True)
    assert result.checks == base.checks


def test_par_50_averages_the_cheaper_item_into_the_price(worked, base):
    # PAR = 1 keeps 1 MWh of the £100 item: price 100. After NIV tagging 1.75 MWh at £100
    # and 275/12 MWh at £80 remain (NIV 74/3 MWh < 50): PAR = 50 keeps both, one unit so the
    # TLM cancels: (1.75 × 100 + 275/12 × 80) / (74/3) = 6025/74 = £81.4189/MWh.
    result = settle_day(worked, variant_from_settings(["PAR=50"]))
    assert base.prices.ssp[26] == pytest.approx(100.0)
    assert result.prices.ssp[26] == pytest.approx(6025 / 74, abs=1e-9)
    assert result.prices.ssp[26] - base.prices.ssp[26] == pytest.approx(-1375 / 74, abs=1e-9)
    assert result.prices.niv[26] == pytest.approx(base.prices.niv[26])  # PAR is after NIV
    assert result.inputs.parameters.par == 50.0 and worked.parameters.par == 1.0
    # CAEI = −QAEI × SSP (paid by the party): each account's charge moves by QAEI × 1375/74.
    moved = result.imbalance.caei[:, 26] - base.imbalance.caei[:, 26]
    assert moved == pytest.approx(base.imbalance.qaei[:, 26] * (1375 / 74))
    # CBM is priced at the bid-offer prices, not the system price: unchanged.
    assert np.array_equal(result.party_period_cbm, base.party_period_cbm)
    assert all(c.ok for c in result.checks)


def test_the_registered_par_50_is_the_same_as_set_par_50(worked):
    named = settle_day(worked, variant_named("par-50"))
    assert named.prices.ssp[26] == pytest.approx(6025 / 74, abs=1e-9)
    assert named.variant == "par-50"
    assert VARIANTS["par-50"].rule_ids == ("R-PRC-PAR",)


def test_no_arbitrage_tagging_keeps_crossing_volume_and_niv_tagging_takes_it():
    # Buys 50 (10), 60 (10); sells 70 (5), 55 (8). The rulebook tags 10 MWh out by
    # arbitrage: £60 sets the price. Without it NIV = 20 − 13 = 7 MWh all the same, and NIV
    # tagging takes the 13 MWh from the dearest buy first: 10 at £60, then 3 of the £50
    # item, whose 7 MWh set the price at PAR = 1: £50.
    records = [
        {"period": 1, "side": "buy", "id": "B1", "volume": 10, "price": 50.0},
        {"period": 1, "side": "buy", "id": "B2", "volume": 10, "price": 60.0},
        {"period": 1, "side": "sell", "id": "S1", "volume": -5, "price": 70.0},
        {"period": 1, "side": "sell", "id": "S2", "volume": -8, "price": 55.0},
    ]
    items = items_from_records(records)
    one = np.ones(1)
    inputs = PeriodPriceInputs(95.0 * one, 0 * one, np.zeros(1, bool), 0 * one, 0 * one)
    params = PriceParameters(par=1.0, rpar=1.0, dmat=0.1, voll=6000.0)
    base, _ = imbalance_prices(items, inputs, params, periods=1)
    rules = VARIANTS["no-arbitrage-tagging"].stage_rules()
    varied, stack = imbalance_prices(items, inputs, params, periods=1, rules=rules)
    assert base.ssp[0] == pytest.approx(60.0) and varied.ssp[0] == pytest.approx(50.0)
    assert varied.niv[0] == pytest.approx(7.0)
    assert stack.arbitrage_adjusted_volume.tolist() == [10.0, 10.0, -5.0, -8.0]
    assert stack.niv_adjusted_volume.tolist() == [7.0, 0.0, 0.0, 0.0]


def test_traces_name_the_variant(worked, base):
    result = settle_day(worked, variant_named("par-50"))
    assert trace_price(result, 27).variant == "par-50"
    assert trace_price(result, 27).as_json()["variant"] == "par-50"
    assert trace_unit(result, "T_GEN-1", 27).variant == "par-50"
    assert "variant" not in trace_price(base, 27).as_json()


@pytest.mark.parametrize(
    ("text", "expected"),
    [("PAR=50", ("par", 50.0)), ("dmat=0", ("dmat", 0.0)), ("CADL=15", ("cadl_minutes", 15.0)),
     ("VoLL=9000", ("voll", 9000.0)), ("α=0.5", ("alpha", 0.5)), (" rpar = 2 ", ("rpar", 2.0))],
)  # fmt: skip
def test_settings_in_the_rulebook_spelling(text, expected):
    assert parse_setting(text) == expected


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (["PAR"], "not a setting; expected NAME=VALUE"),
        (["XYZ=1"], "'XYZ' is not a parameter a variant can set"),
        (["PAR=abc"], "'abc' is not a number"),
        (["PAR=0"], "PAR=0 is out of range; expected 1e-09 to 1e+06 MWh"),
        (["alpha=2"], "α=2 is out of range; expected 0 to 1"),
        (["PAR=nan"], "PAR=nan is out of range"),
        (["PAR=50", "par=10"], "PAR is set twice"),
        ([], "no setting given"),
    ],
)
def test_bad_settings_are_refused_in_one_line(settings, message):
    with pytest.raises(VariantError, match=message.replace("+", r"\+")) as caught:
        variant_from_settings(settings)
    assert "\n" not in str(caught.value)


def test_a_settings_variant_is_named_by_its_settings_and_rules():
    variant = variant_from_settings(["DMAT=0", "PAR=50"])
    assert variant.name == "PAR=50 DMAT=0"
    assert variant.rule_ids == ("R-PRC-PAR", "R-PRC-DMAT")
    assert variant.as_json()["parameters"] == {"par": 50.0, "dmat": 0.0}


def test_an_unknown_variant_name_lists_the_registry():
    with pytest.raises(VariantError, match="expected one of rulebook, par-50, no-arbitrage"):
        variant_named("par-51")


def test_every_registered_variant_has_a_description_and_known_rule_ids():
    from engine.rules import RULES

    for name, variant in VARIANTS.items():
        assert isinstance(variant, Variant) and variant.name == name and variant.description
        assert set(variant.rule_ids) <= set(RULES)
