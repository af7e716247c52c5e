"""IDD data types: reading columns strictly, writing the IDD spellings (IDD Part 1 §2.2.3)."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.p114.idd_types import (
    ChunkFields,
    ColumnValueError,
    format_column,
    format_value,
    idd_type,
    read_fields,
)


def read(spec: str, values: list[str], mandatory: bool = False):
    """Type `values` as one column, through the same per-chunk facts the reader uses."""
    text = ("X|" + "|".join(values) + "|").encode()
    data = np.frombuffer(text, dtype=np.uint8)
    bars = np.flatnonzero(data == 124)
    chunk = ChunkFields(data, bars)
    return read_fields(idd_type(spec), chunk, np.arange(len(values)), mandatory)


def test_decimals_by_hand():
    values = read(
        "decimal(10,3)", ["0", "0.1", "-25", "6000", "75.125", "-0.001", "", "9999999.999"]
    )
    assert values[:6].tolist() == [0.0, 0.1, -25.0, 6000.0, 75.125, -0.001]
    assert math.isnan(values[6]) and values[7] == 9999999.999


def test_decimal_is_the_float_of_its_text():
    texts = ["0.1", "0.2", "0.3", "1.0123457", "-17300.5", "123456.789"]
    assert read("decimal(15,7)", texts).tolist() == [float(t) for t in texts]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1.50", "leading or trailing zero"),
        ("01", "leading or trailing zero"),
        ("-01.5", "leading or trailing zero"),
        ("-0", "zero is never signed"),
        ("1e5", "a character other than a digit"),
        ("nan", "a character other than a digit"),
        (" 1", "a character other than a digit"),
        (".5", "no digit before the point"),
        ("1.", "trailing point"),
        ("1-2", "misplaced '-'"),
        ("1.2.3", "more than one '.'"),
        ("12345678.1", "more than 7 integer digits"),
        ("1.2345", "more than 3 decimals"),
    ],
)
def test_bad_decimals_refused(text, reason):
    with pytest.raises(ColumnValueError, match=reason) as caught:
        read("decimal(10,3)", ["1", text, "2"])
    assert caught.value.index == 1 and caught.value.value == text.encode()


def test_integers():
    assert read("integer(2)", ["1", "48", "-5"], mandatory=True).tolist() == [1, 48, -5]
    assert read("integer(2)", ["1", "48"], mandatory=True).dtype == np.int64
    optional = read("integer(10)", ["", "1234567890"])
    assert math.isnan(optional[0]) and optional[1] == 1234567890.0
    with pytest.raises(ColumnValueError, match="more than 2 integer digits"):
        read("integer(2)", ["100"])
    with pytest.raises(ColumnValueError, match=r"other than a digit, '-'$"):
        read("integer(2)", ["1.5"])


def test_mandatory_empty_refused():
    with pytest.raises(ColumnValueError, match="mandatory") as caught:
        read("decimal(10,2)", ["1", ""], mandatory=True)
    assert caught.value.index == 1


def test_booleans_text_dates():
    assert read("boolean", ["T", "F"], mandatory=True).tolist() == [True, False]
    optional = read("boolean", ["T", "", "F"])
    assert optional[0] == 1.0 and math.isnan(optional[1]) and optional[2] == 0.0
    with pytest.raises(ColumnValueError, match="expected T or F"):
        read("boolean", ["Y"])
    assert read("text(11)", ["T_GEN-1", "", "2__AALAB000"]).tolist() == [
        "T_GEN-1",
        "",
        "2__AALAB000",
    ]
    with pytest.raises(ColumnValueError, match="longer than 11"):
        read("text(11)", ["2__AALAB0001"])
    with pytest.raises(ColumnValueError, match="excludes"):
        read("text(20)", ["a$b"])
    with pytest.raises(ColumnValueError, match="leading or trailing space"):
        read("text(20)", ["ab "])
    with pytest.raises(ColumnValueError, match="valid set"):
        read("text(2):II,SF", ["XX"])
    assert read("char:P,C", ["P", "C"]).tolist() == ["P", "C"]
    assert read("date", ["20260217"])[0] == np.datetime64("2026-02-17")
    assert read("datetime", ["20260217003800"])[0] == np.datetime64("2026-02-17T00:38:00")
    with pytest.raises(ColumnValueError, match="not a real date"):
        read("date", ["20260230"])
    with pytest.raises(ColumnValueError, match="expected YYYYMMDD"):
        read("date", ["2026-02-17"])
    assert read("raw", ["anything 1.50", ""]).tolist() == ["anything 1.50", ""]


def test_writing_spellings():
    kind = idd_type("decimal(10,3)")
    assert format_column(
        kind, [0.0, -0.0, 0.1, -25.0, 6000.0, 1.23456, -0.0004, np.nan], False
    ) == [
        "0",
        "0",
        "0.1",
        "-25",
        "6000",
        "1.235",
        "0",
        "",
    ]
    assert format_value(idd_type("integer(2)"), 48) == "48"
    assert format_value(idd_type("boolean"), True) == "T"
    assert format_value(idd_type("date"), np.datetime64("2026-02-17")) == "20260217"
    with pytest.raises(ValueError, match="too large"):
        format_column(idd_type("decimal(10,2)"), [123456789.0], True)
    with pytest.raises(ValueError, match="absent"):
        format_column(kind, [np.nan], True)


@given(st.lists(st.integers(-(10**10) + 1, 10**10 - 1), min_size=1, max_size=50))
def test_written_decimals_read_back_exactly(scaled):
    values = [s / 1000 for s in scaled]
    texts = format_column(idd_type("decimal(13,3)"), values, True)
    assert read("decimal(13,3)", texts, mandatory=True).tolist() == values


def test_numbers_next_to_empty_and_text_fields():
    # a digit-less field after the last number must not take the number's last digits
    values = read("decimal(10,3)", ["12.5", "", ""])
    assert values[0] == 12.5 and np.isnan(values[1:]).all()
    assert read("decimal(10,3)", ["", "7", "", "1234567.125", ""])[[1, 3]].tolist() == [
        7.0,
        1234567.125,
    ]


@given(
    st.lists(
        st.one_of(st.just(""), st.integers(-(10**9), 10**9).map(lambda v: format(v / 100, ".2f"))),
        min_size=1,
        max_size=30,
    )
)
def test_any_mix_of_present_and_absent_values(texts):
    texts = [t.rstrip("0").rstrip(".") if t else t for t in texts]
    values = read("decimal(10,2)", texts)
    for text, value in zip(texts, values, strict=True):
        assert (math.isnan(value) and text == "") or value == float(text)
