"""Building S0142 record tables in file order: each record gets the next line and, as its
parent, the latest record of its parent's type, as a reader derives it; fields not given are
0 when mandatory numbers, absent when optional, and a mandatory text is never made up."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pytest

from models.p114.framing import FileHeader
from models.p114.layout import S0142_RECORDS
from models.p114.tree_builder import TreeBuilder

HEADER = FileHeader(
    "S0142013", "D", datetime(2026, 9, 22, 22, 44, 32), "SA", "UKDC", "PB", "PORTAL", 41697, "OPER"
)  # fmt: skip


def fields_of(code):
    return S0142_RECORDS[code].fields_of("013")


def two_periods() -> TreeBuilder:
    # Line 1 is the AAA header. SPI (line 2) with one MD1 (3); SPI (4) with two MD1 (5, 6).
    b = TreeBuilder()
    rows = [
        b.add("SPI"),
        b.add("MD1", "SPI"),
        b.add("SPI"),
        b.add("MD1", "SPI"),
        b.add("MD1", "SPI"),
    ]
    assert rows == [0, 0, 1, 1, 2]  # each record's row in its own type's table
    return b


def test_records_take_the_next_line_and_the_latest_parent_of_their_type():
    b = two_periods()
    assert (b.count("SPI"), b.count("MD1"), b.count("BP7")) == (2, 3, 0)
    given = {"provider": ["APXMIDP", "N2EXMIDP", "APXMIDP"], "price": [50.0, 51.5, 49.0]}
    content = b.content("t", HEADER, fields_of, {"MD1": given}, ["MD1"])
    md1 = content.table("MD1")
    assert md1.line.tolist() == [3, 5, 6]
    assert md1.parent.tolist() == [0, 1, 1] and md1.parent_code.tolist() == ["SPI"] * 3
    assert md1.rows_under("SPI", 1).tolist() == [1, 2]
    assert content.records == 2 + 3  # AAA and ZZZ with the three MD1 of the tables built
    assert content.version == "013"


def test_fields_not_given_are_zero_if_mandatory_numbers_and_absent_if_optional():
    b = two_periods()
    content = b.content("t", HEADER, fields_of, {"MD1": {"provider": "APXMIDP"}}, ["MD1"])
    columns = content.table("MD1").columns
    assert columns["provider"].tolist() == ["APXMIDP"] * 3  # one value for every record
    assert columns["liquidity_threshold"].tolist() == [0.0] * 3  # mandatory
    assert np.isnan(columns["volume"]).all()  # optional: absent
    first = content.first("MD1")
    assert first["provider"] == "APXMIDP" and type(first["liquidity_threshold"]) is float
    assert math.isnan(first["price"])


@pytest.mark.parametrize(
    ("given", "error", "message"),
    [
        ({"provider": ["A"] * 3, "tariff": [1] * 3}, KeyError, r"MD1 has no field \['tariff'\]"),
        ({"provider": ["A"] * 3, "price": [1.0, 2.0]}, ValueError,
         r"position 3 \(N0413 Market Index Price, decimal\(10,2\)\): 2 values for 3 records"),
        ({}, KeyError, r"mandatory position 1 \(N0423 Market Index Data Provider ID"),
    ],
)  # fmt: skip
def test_fields_that_do_not_fit_are_refused(given, error, message):
    with pytest.raises(error, match=message):
        two_periods().content("t", HEADER, fields_of, {"MD1": given}, ["MD1"])
