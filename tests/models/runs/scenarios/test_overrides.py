"""Scenario edits on a run's input frames, without a database: each kind reads the current
value (for the audit trail) and applies the new one; a target that does not fit the run is
refused in one line. Frames of the rulebook's worked example (§12)."""

from __future__ import annotations

import pandas as pd
import pytest

from models.casefiles.case_file import load_case
from models.runs.inputs import case_frames
from models.runs.scenarios.overrides import (
    Override,
    OverrideError,
    apply_override,
    as_frames,
    read_value,
)
from tests.paths import CASES

GEN = "T_GEN-1"


@pytest.fixture
def frames():
    return as_frames(case_frames(load_case(CASES / "worked_example.json")))


def test_the_current_values_are_the_worked_examples(frames):
    assert read_value(frames, "metered_volume", {"bm_unit": GEN, "period": 27}) == {"mwh": 74.0}
    assert read_value(frames, "tlf", {"bm_unit": GEN}) == {"tlf": -0.01}
    pair_2 = {"bm_unit": GEN, "period": 27, "pair": 2}
    assert read_value(frames, "bid_offer_price", pair_2) == {"offer": 100.0, "bid": 78.0}
    assert read_value(frames, "mip", {"period": 27}) == {"price": 95.0}
    removed = read_value(frames, "remove_acceptance", {"bm_unit": GEN, "number": 2})
    assert removed["points"] == [["2024-06-12T12:20Z", 170.0], ["2024-06-12T12:25Z", 120.0],
                                 ["2024-06-12T12:30Z", 120.0]]  # fmt: skip


def test_a_metered_volume_is_changed_added_or_removed(frames):
    apply_override(frames, "metered_volume", {"bm_unit": GEN, "period": 27}, {"mwh": 73.5})
    apply_override(frames, "metered_volume", {"bm_unit": GEN, "period": 28}, {"mwh": 5.0})
    apply_override(frames, "metered_volume", {"bm_unit": "2__XSUP-1", "period": 27}, None)
    rows = frames["metered_volume"].sort_values(["period"])[["bm_unit_id", "period", "mwh"]]
    assert rows.values.tolist() == [[GEN, 27, 73.5], [GEN, 28, 5.0]]


def test_removing_an_acceptance_removes_its_levels_too(frames):
    apply_override(frames, "remove_acceptance", {"bm_unit": GEN, "number": 2}, None)
    assert frames["acceptance"]["number"].tolist() == [1]
    assert set(frames["acceptance_level"]["number"]) == {1}  # acceptance 1's two segments
    assert len(frames["acceptance_level"]) == 2


def test_the_market_index_price_is_volume_weighted_and_replaced_by_one_price(frames):
    frames["market_index"] = pd.DataFrame(
        {"period": [27, 27, 28], "provider": ["APXMIDP", "N2EXMIDP", "APXMIDP"],
         "price": [50.0, 80.0, 40.0], "volume": [100.0, 300.0, 10.0]}
    )  # fmt: skip
    # (50 × 100 + 80 × 300) / 400 = £72.50/MWh.
    assert read_value(frames, "mip", {"period": 27}) == {"price": 72.5}
    apply_override(frames, "mip", {"period": 27}, {"price": 60.0})
    assert frames["market_index"].values.tolist() == [
        [27, "scenario", 60.0, 1.0],
        [28, "APXMIDP", 40.0, 10.0],  # another period's data untouched
    ]


@pytest.mark.parametrize(
    ("kind", "target", "message"),
    [
        ("metered_volume", {"bm_unit": "T_X-1", "period": 27}, "BM unit T_X-1 is not in the run"),
        ("tlf", {"bm_unit": "T_X-1"}, "BM unit T_X-1 is not in the run"),
        ("remove_acceptance", {"bm_unit": GEN, "number": 9}, "T_GEN-1 has no acceptance 9"),
        ("bid_offer_price", {"bm_unit": GEN, "period": 27, "pair": 5},
         "T_GEN-1 has no pair 5 in period 27"),
        ("metered_volume", {"bm_unit": GEN}, "metered_volume needs period"),
        ("tariff", {}, "unknown override 'tariff'; expected one of metered_volume, "
                       "remove_acceptance, add_acceptance"),
    ],
)  # fmt: skip
def test_a_target_that_does_not_fit_is_refused_in_one_line(frames, kind, target, message):
    with pytest.raises(OverrideError, match=message):
        read_value(frames, kind, target)


def test_an_override_describes_its_kind_and_target():
    edit = Override("bid_offer_price", {"bm_unit": GEN, "period": 27, "pair": 2}, None)
    assert edit.describe() == "Bid-offer prices: bm_unit T_GEN-1, period 27, pair 2"
