"""Numbering BOD and acceptance segments (models.imports.assemble): the columns built with
numpy are those of a loop over the rows, with the same rejections in the same order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from models.imports.assemble import _numbered, _numbered_rows
from models.imports.collect import Place
from models.imports.report import ImportReport

UNITS = st.sampled_from(["T_A-1", "T_B-1", "E_C-2"])
PRICE = st.sampled_from([-5.0, 0.0, 12.5, 99])


def _bid_offer(draw_rows):
    keyed = {}
    for unit, period, pair, t_from, length, offer, bid in draw_rows:
        keyed[(unit, period, pair, t_from)] = {
            "time_to": t_from + length,
            "offer_price": offer,
            "bid_price": bid,
            "level_from": 1.0,
            "level_to": 2,
        }
    return keyed


BOD_ROWS = st.lists(
    st.tuples(
        UNITS,
        st.integers(1, 3),
        st.sampled_from([-1, 1, 2]),
        st.integers(0, 90),
        st.integers(1, 40),
        PRICE,
        PRICE,
    ),
    max_size=40,
)


class _Batch:
    file = "f.json"

    @staticmethod
    def locate(i: int) -> str:
        return f"data[{i}]"


def _where(keyed, table):
    return {(table, k): Place(_Batch, i) for i, k in enumerate(keyed)}


@settings(max_examples=200, deadline=None)
@given(BOD_ROWS)
def test_bid_offer_numbered_as_a_loop_numbers_them(rows):
    keyed = _bid_offer(rows)
    fast, slow = ImportReport(), ImportReport()
    expected = _numbered_rows(keyed, _where(keyed, "bid_offer"), slow, "bid_offer")
    assert _numbered(keyed, _where(keyed, "bid_offer"), fast, "bid_offer") == expected
    assert fast.rejections == slow.rejections


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(UNITS, st.integers(1, 4), st.integers(0, 90), st.integers(1, 40))))
def test_acceptance_levels_numbered_as_a_loop_numbers_them(rows):
    keyed = {
        (u, n, t): {"time_to": t + d, "level_from": 3.0, "level_to": -1.5} for u, n, t, d in rows
    }
    fast, slow = ImportReport(), ImportReport()
    where = _where(keyed, "acceptance_level")
    expected = _numbered_rows(keyed, where, slow, "acceptance_level")
    assert _numbered(keyed, where, fast, "acceptance_level") == expected
    assert fast.rejections == slow.rejections


def test_segments_are_numbered_per_pair_and_an_overlap_and_a_mixed_price_rejected():
    keyed = _bid_offer(
        [
            ("T_A-1", 1, 1, 0, 10, 50.0, 40.0),  # seq 0
            ("T_A-1", 1, 1, 5, 10, 50.0, 40.0),  # seq 1: starts at 5 before 10, overlaps
            ("T_A-1", 1, 1, 30, 10, 51.0, 40.0),  # seq 2: another offer price
            ("T_A-1", 1, 2, 0, 30, 70.0, 60.0),  # another pair: seq 0 again
        ]
    )
    report = ImportReport()
    columns = _numbered(keyed, _where(keyed, "bid_offer"), report, "bid_offer")
    assert columns["seq"] == [0, 1, 2, 0]
    assert columns["pair"] == [1, 1, 1, 2]
    assert columns["time_from"] == [0, 5, 30, 0]
    assert [(r.location, r.field) for r in report.rejections] == [
        ("data[1]", "timeFrom"),
        ("data[2]", "offer"),
    ]
    # Not numbers (never so after typing): the loop, with the same result.
    keyed[("T_A-1", 1, 2, 0)]["offer_price"] = None
    assert _numbered(keyed, {}, ImportReport(), "bid_offer")["seq"] == [0, 1, 2, 0]
