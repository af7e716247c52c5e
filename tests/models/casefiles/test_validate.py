"""The one validation layer (models.casefiles.validate): each check's verdict and its words."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.casefiles.validate import (
    HugeInteger,
    JsonTooDeep,
    edit_errors,
    integer_error,
    json_value_errors,
    loads_json,
    non_finite_path,
    number_error,
    settlement_date_error,
    shown,
    text_error,
)


def test_numbers_must_be_finite_and_in_range():
    assert number_error(100.0, -1e5, 1e5, "MW") is None
    assert number_error(1e5, -1e5, 1e5, "MW") is None  # the bound itself is allowed
    assert number_error(math.nan, -1e5, 1e5, "MW") == (
        "NaN is not a finite number; expected a number within ±100,000 MW"
    )
    assert number_error(-math.inf, 0, 1440, "minutes").startswith("-Infinity is not a finite")
    assert number_error(1e308, -1e6, 1e6, "£/MWh") == (
        "1e+308 is out of range; expected a number within ±1,000,000 £/MWh"
    )
    assert number_error(-0.5, 0, 1, "") == "-0.5 is out of range; expected a number from 0 to 1"
    assert number_error(True, 0, 1) == "expected a number"


def test_integers_must_fit_their_column():
    assert integer_error(2**31 - 1, -(2**31), 2**31 - 1) is None
    assert integer_error(2**31, -(2**31), 2**31 - 1) == (
        "2147483648 is out of range; expected a whole number from -2,147,483,648 to 2,147,483,647"
    )
    assert integer_error(HugeInteger("9" * 400), 0, 10).startswith("an integer of 400 digits")
    assert integer_error(1.5, 0, 10) == "expected a whole number"


def test_text_must_be_storable():
    assert text_error("T_GEN-1") is None
    assert text_error("two\nlines") == (
        "text holds a control character (U+000A) at character 4; expected printable text"
    )
    assert text_error("two\nlines\tok", multiline=True) is None
    assert text_error("nul\x00", multiline=True).startswith(
        "text holds a control character (U+0000)"
    )
    assert text_error("del\x7f") == (
        "text holds a control character (U+007F) at character 4; expected printable text"
    )
    assert text_error("half \udc80").startswith("text holds a lone UTF-16 surrogate (U+DC80)")
    assert text_error("x" * 10_001).startswith("text of 10,001 characters")
    assert text_error("£ é 中 🙂") is None


@given(st.text())
def test_text_that_passes_encodes_to_utf8_and_has_no_controls(text):
    if text_error(text) is None:
        text.encode("utf-8")
        assert all(ord(c) >= 32 and c != "\x7f" for c in text)


def test_settlement_dates_2001_to_2099():
    assert settlement_date_error(date(2024, 6, 12)) is None
    assert settlement_date_error(date(9999, 12, 31)) == (
        "9999-12-31 is outside the settlement dates the workbench holds (2001-03-27 to 2099-12-31)"
    )


def test_json_is_parsed_without_crashing_and_hostile_values_are_found():
    document = loads_json(
        '{"a": NaN, "b": [Infinity, ' + "9" * 5000 + ', 9223372036854775808], "c": "\\ud800"}'
    )
    assert [path for path, _ in json_value_errors(document)] == ["a", "b[0]", "b[1]", "b[2]", "c"]
    assert dict(json_value_errors(document))["b[1]"] == (
        "an integer of 5,000 digits; expected a number of at most 30 digits"
    )
    with pytest.raises(JsonTooDeep):
        loads_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(json.JSONDecodeError):
        loads_json('{"a": ')
    deep = loads_json("[" * 40 + "]" * 40)
    assert next(json_value_errors(deep))[1].startswith("nested more than 32 levels deep")
    assert list(json_value_errors(loads_json('{"ok": [1, 2.5, "text", null, true]}'))) == []


def test_shown_values_are_short_and_printable():
    assert shown("a\x07b") == "'a\\x07b'"
    assert len(shown("x" * 1000)) == 40
    assert shown(HugeInteger("1" * 99)) == "an integer of 99 digits"


def test_a_result_document_with_a_non_finite_number_is_found():
    assert non_finite_path({"periods": [{"ssp": 1.0}, {"ssp": math.nan}]}) == "periods[1].ssp"
    assert non_finite_path({"periods": [{"ssp": None}]}) is None


def test_scenario_edits_are_checked_by_unit_and_text():
    target = {"bm_unit": "T_GEN-1", "period": 27}
    assert edit_errors(target, {"mwh": 12.5}, {"author": "a", "reason": "two\nlines"}) == []
    assert edit_errors(target, {"mwh": math.inf}, {}) == [
        "value.mwh: Infinity is not a number; expected a finite number"
    ]
    assert edit_errors(target, {"mwh": 1e7}, {}) == [
        "value.mwh: 10,000,000 is out of range; expected a number within ±1,000,000 MWh"
    ]
    assert edit_errors({"bm_unit": "T", "period": 51}, None, {}) == [
        "target.period: 51 is out of range; expected a number from 1 to 50"
    ]
    assert edit_errors(target, {"tlf": 2.0}, {})[0].startswith("value.tlf: 2 is out of range")
    points = {"points": [["2024-06-12T12:00Z", 1e9]]}
    assert edit_errors(target, points, {}) == [
        "value.points[0]: level 1,000,000,000 is out of range; expected a number within ±100,000 MW"
    ]
    assert edit_errors(target, None, {"author": "a\x07"}) == [
        "author: text holds a control character (U+0007) at character 2; expected printable text"
    ]


def test_a_column_may_hold_a_huge_integer_only_if_it_holds_one_or_a_container():
    from models.casefiles.validate import may_hold_huge_integer

    huge = 10**30  # 31 digits
    nan = float("nan")
    for values, expected in [
        ([], False),
        (["a", "b"], False),
        ([1, 2.5, True], False),
        ([10**30 - 1, -(10**30) + 1], False),  # 30 digits
        ([1, huge], True),
        ([-huge, 1.5], True),
        ([nan, huge], True),  # NaN first: max() stops there, the integers are looked at
        ([nan, 3, None], False),
        ([None, "x", huge], True),
        ([None, "x", 7], False),
        ([[1], [2]], True),  # a list: its integers are not looked at
        ([{"a": 1}], True),
        ([1e31, 2.0], True),  # a float as large: parsed again, which is only slower
    ]:
        assert may_hold_huge_integer(values) is expected, values
