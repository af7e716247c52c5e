"""Case files: the worked example validates; bad documents name the key and what was expected."""

from __future__ import annotations

import copy
import json

import pytest

from models.casefiles.case_file import (
    case_errors,
    dumps_case,
    format_time,
    load_case,
    parse_case,
    parse_time,
    save_case,
)
from models.core.errors import CaseFileError
from tests.paths import CASES


@pytest.fixture
def worked() -> dict:
    return load_case(CASES / "worked_example.json")


def test_the_worked_example_validates(worked):
    assert worked["settlement_date"] == "2024-06-12"
    assert {u["id"]: u["tlf"] for u in worked["bm_units"]} == {"T_GEN-1": -0.01, "2__XSUP-1": 0.0}


def test_saved_text_is_canonical_and_reloads_identically(worked, tmp_path):
    path = tmp_path / "copy.json"
    save_case(worked, path)
    assert load_case(path) == worked
    assert path.read_text() == (CASES / "worked_example.json").read_text()


def test_times_round_trip_through_epoch_seconds():
    assert parse_time("2024-06-12T12:00Z") == parse_time("2024-06-12T13:00+01:00")
    assert format_time(parse_time("2024-06-12T13:07+01:00")) == "2024-06-12T12:07Z"
    assert format_time(parse_time("2024-06-12T12:07:30Z")) == "2024-06-12T12:07:30Z"


def errors_after(worked: dict, change) -> list[str]:
    data = copy.deepcopy(worked)
    change(data)
    return case_errors(data)


def test_unknown_keys_are_errors_except_under_notes(worked):
    errors = errors_after(worked, lambda d: d["bm_units"][0].update(tlm=1.0))
    assert errors == [
        "bm_units[0]: unknown key 'tlm'; allowed keys: id, lead_party, pc_status, "
        "trading_unit, tlf, interconnector"
    ]
    assert errors_after(worked, lambda d: d.update(notes={"anything": [1, 2]})) == []


def test_missing_required_key_is_named(worked):
    errors = errors_after(worked, lambda d: d["acceptances"][1].pop("time"))
    assert errors == ["acceptances[1]: 'time' is a required property"]


def test_a_time_without_offset_is_refused_with_the_expected_form(worked):
    def change(d):
        d["acceptances"][0]["points"][1][0] = "2024-06-12T12:07"

    (error,) = errors_after(worked, change)
    assert error.startswith("acceptances[0].points[1][0]: '2024-06-12T12:07' is not an ISO 8601")
    assert "2024-06-12T12:00Z" in error


def test_points_out_of_order_are_refused(worked):
    def change(d):
        d["fpn"][0]["points"].reverse()

    assert errors_after(worked, change) == [
        "fpn[0].points[1]: '2024-06-12T12:00Z' is before the previous point; expected time order"
    ]


def test_points_off_the_minute_are_refused(worked):
    def change(d):
        d["fpn"][0]["points"][1][0] = "2024-06-12T12:30:30Z"

    assert "is not on a whole minute" in errors_after(worked, change)[0]


def test_a_period_beyond_the_day_is_refused_with_the_day_count(worked):
    def change(d):
        d["settlement_date"] = "2026-03-29"
        d["periods"] = [47]

    errors = errors_after(worked, change)
    assert "periods[0]: 47 does not exist on 2026-03-29 (1 to 46)" in errors
    # Period 27 exists on that day (its times, two years off, are refused on their own).
    assert not any(e.startswith("bid_offer") and ".period" in e for e in errors)


def test_references_must_be_declared(worked):
    errors = errors_after(worked, lambda d: d["ecvns"][0].update(to_party="NOBODY"))
    assert errors == ["ecvns[0].to_party: 'NOBODY' is not in parties"]
    errors = errors_after(worked, lambda d: d["metered_volumes"][0].update(bm_unit="T_X-1"))
    assert errors == ["metered_volumes[0].bm_unit: 'T_X-1' is not in bm_units"]


def test_duplicates_are_refused(worked):
    errors = errors_after(worked, lambda d: d["acceptances"][1].update(number=1))
    assert errors == ["acceptances[1]: duplicate (bm_unit, number) ('T_GEN-1', 1)"]


def test_offer_price_below_bid_price_is_refused(worked):
    errors = errors_after(worked, lambda d: d["bid_offer"][1].update(offer=60))
    assert errors == [
        "bid_offer[1]: offer price 60 is below bid price 70.0 (BM unit T_GEN-1, pair 1); "
        "expected offer ≥ bid"
    ]


def test_pairs_are_numbered_within_six_and_not_zero(worked):
    assert errors_after(worked, lambda d: d["bid_offer"][0].update(pair=0))
    assert errors_after(worked, lambda d: d["bid_offer"][0].update(pair=7))


def test_band_width_must_have_the_sign_of_its_pair(worked):
    def change(d):
        d["bid_offer"][0]["points"][0][1] = 100

    assert errors_after(worked, change) == [
        "bid_offer[0].points[0]: band width 100 MW; expected ≤ 0 on a bid pair"
    ]


def test_dual_price_dates_are_refused(worked):
    errors = errors_after(worked, lambda d: d.update(settlement_date="2015-01-10", periods=[1]))
    assert any("before single imbalance pricing" in e for e in errors)


def test_wrong_format_and_invalid_json_give_one_line_errors(worked):
    with pytest.raises(
        CaseFileError, match=r"x.json: format: 'settlement-case/2' is not supported"
    ):
        parse_case(json.dumps({**worked, "format": "settlement-case/2"}), "x.json")
    with pytest.raises(CaseFileError, match=r"x.json line 2 column 1: not valid JSON"):
        parse_case('{"format": \n}', "x.json")


def test_several_errors_are_counted_in_the_message(worked):
    data = copy.deepcopy(worked)
    data["ecvns"][0]["to_party"] = "A"
    data["ecvns"][0]["from_party"] = "B"
    with pytest.raises(CaseFileError, match=r"\(and 1 more\)$"):
        parse_case(dumps_case(data), "x.json")


def test_missing_file_is_a_case_file_error(tmp_path):
    with pytest.raises(CaseFileError, match="no such file"):
        load_case(tmp_path / "absent.json")


# Hostile values (issue 16): each is refused with its key path, the value and what is expected.


def _text_with(worked: dict, place, literal: str) -> str:
    """The worked example's JSON text with one value replaced by a raw JSON literal."""
    document = copy.deepcopy(worked)
    place(document, "__LITERAL__")
    return json.dumps(document).replace('"__LITERAL__"', literal)


def _offer(d, v):
    d["bid_offer"][1]["offer"] = v


def _level(d, v):
    d["acceptances"][0]["points"][1][1] = v


def _number(d, v):
    d["acceptances"][0]["number"] = v


def _name(d, v):
    d["parties"][0]["name"] = v


@pytest.mark.parametrize(
    ("place", "literal", "message"),
    [
        (_offer, "NaN", "bid_offer[1].offer: NaN is not a number; expected a finite number"),
        (_level, "Infinity", "acceptances[0].points[1][1]: Infinity is not a number"),
        (_offer, "-Infinity", "bid_offer[1].offer: -Infinity is not a number"),
        (_offer, "1e400", "bid_offer[1].offer: Infinity is not a number"),
        (
            _offer,
            "1e308",
            "bid_offer[1].offer: 1e+308 is out of range; expected a number within ±1,000,000 £/MWh",
        ),
        (
            _level,
            "1e308",
            "acceptances[0].points[1]: level 1e+308 is out of range; expected a "
            "number within ±100,000 MW",
        ),
        (
            _number,
            "9" * 400,
            "acceptances[0].number: an integer of 400 digits; expected a number "
            "of at most 30 digits",
        ),
        (_number, "9" * 5000, "acceptances[0].number: an integer of 5,000 digits"),
        (_number, str(2**70), "acceptances[0].number: 1180591620717411303424 is beyond a 64-bit"),
        (_name, '"\\ud800"', "parties[0].name: text holds a lone UTF-16 surrogate (U+D800)"),
        (
            _name,
            '"Gen\\u0007"',
            "parties[0].name: text holds a control character (U+0007) at character 4",
        ),
        (_name, '"Gen\\nplc"', "parties[0].name: text holds a control character (U+000A)"),
    ],
)
def test_values_the_workbench_cannot_hold_are_refused_by_key(worked, place, literal, message):
    with pytest.raises(CaseFileError) as caught:
        parse_case(_text_with(worked, place, literal), "c.json")
    assert str(caught.value).startswith(f"c.json: {message}")
    assert "\n" not in str(caught.value)


def test_the_largest_plausible_values_are_accepted(worked):
    document = copy.deepcopy(worked)
    document["bid_offer"][1]["offer"] = 1e6
    document["acceptances"][0]["number"] = 2**63 - 1
    document["notes"] = "two lines\nof notes\tare fine"
    assert case_errors(document) == []


def test_deep_nesting_is_refused_without_recursion_error():
    for depth in (33, 100_000):
        text = '{"format": ' + "[" * depth + "]" * depth + "}"
        with pytest.raises(CaseFileError, match="nested"):
            parse_case(text, "c.json")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d.__setitem__("settlement_date", "9999-12-31"),
            "settlement_date: 9999-12-31 is outside the settlement dates the workbench holds "
            "(2001-03-27 to 2099-12-31)",
        ),
        (
            lambda d: d["acceptances"][0].__setitem__("time", "9999-12-31T12:00Z"),
            "acceptances[0].time: '9999-12-31T12:00Z' is more than 7 days from the settlement "
            "date 2024-06-12",
        ),
        (
            lambda d: d["acceptances"][0].__setitem__("time", "0001-01-01T00:00+01:00"),
            "acceptances[0].time: '0001-01-01T00:00+01:00' is more than 7 days",
        ),
        (
            lambda d: d["parameters"].__setitem__("voll", 1e308),
            "parameters.voll: 1e+308 is out of range; expected a number within ±1,000,000 £/MWh",
        ),
    ],
)
def test_dates_times_and_parameters_out_of_range_are_refused(worked, change, message):
    assert errors_after(worked, change)[0].startswith(message)


def test_too_many_acceptances_are_refused_before_settling(worked, monkeypatch):
    from models.core import limits

    monkeypatch.setattr(limits, "MAX_ACCEPTANCES_PER_CASE", 1)
    assert errors_after(worked, lambda d: None) == [
        "acceptances: 2 acceptances; expected at most 1 in one case (a GB day has 3,000 to 10,000)"
    ]


def test_a_folder_is_not_reported_as_a_missing_file(tmp_path):
    with pytest.raises(CaseFileError, match="is a folder; expected a case file"):
        load_case(tmp_path)
