"""The stored form of a period list: "27,28" both ways, NULL for every period."""

from __future__ import annotations

import pytest

from models.core.period_list import decode_periods, encode_periods


def test_periods_are_joined_by_commas_in_the_order_given():
    assert encode_periods((27, 28, 29)) == "27,28,29"
    assert encode_periods([3, 1]) == "3,1"  # not sorted: the caller's order is stored
    assert encode_periods((50,)) == "50"


def test_no_periods_is_stored_as_null_meaning_every_period():
    assert encode_periods(None) is None
    assert encode_periods(()) is None
    assert encode_periods([]) is None


def test_stored_text_is_read_back_as_a_tuple():
    assert decode_periods("27,28,29") == (27, 28, 29)
    assert decode_periods("3,1") == (3, 1)
    assert decode_periods("46") == (46,)
    assert decode_periods(None) is None
    assert decode_periods("") is None


@pytest.mark.parametrize("periods", [(1,), (27, 28), (1, 2, 3, 46, 47, 48, 49, 50)])
def test_a_list_survives_the_round_trip(periods):
    assert decode_periods(encode_periods(periods)) == periods


def test_text_that_is_not_a_period_list_is_refused():
    with pytest.raises(ValueError):
        decode_periods("27,,28")
    with pytest.raises(ValueError):
        decode_periods("27-30")
