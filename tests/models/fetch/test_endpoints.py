"""The request plan: every period of any settlement day asked for exactly once, within each
endpoint's range limits, in windows of the right size; dataset lists."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.settlement_calendar import periods_in_day
from models.fetch.endpoints import (
    DEFAULT_DATASETS,
    ENDPOINTS,
    _windows,
    parse_datasets,
    plan_requests,
)

D = date(2022, 1, 1)
days = st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))
PERIOD_LIMITED = ("PN", "QPN", "ISPSTACK")  # one settlement period per request


@settings(max_examples=200, deadline=None)
@given(day=days, dataset=st.sampled_from([d for d in DEFAULT_DATASETS if d != "REGISTER"]))
def test_every_period_of_a_day_is_asked_for_exactly_once(day, dataset):
    requests = ENDPOINTS[dataset].plan(day)
    assert all(r.day == day for r in requests)
    if dataset == "LOLPDRM":  # by publish time: one window of the day's publications
        assert len(requests) == 1
        return
    sides = {"bid", "offer"} if dataset == "ISPSTACK" else {None}
    for side in sides:
        mine = [r for r in requests if side is None or f"/{side}/" in r.path]
        covered = [p for r in mine for p in range(r.periods[0], r.periods[1] + 1)]
        assert covered == list(range(1, periods_in_day(day) + 1))
    if dataset in PERIOD_LIMITED:
        assert all(r.periods[0] == r.periods[1] for r in requests)
    assert len({r.label for r in requests}) == len(requests)  # no request twice


@settings(max_examples=100, deadline=None)
@given(day=days, size=st.integers(min_value=1, max_value=50))
def test_windows_of_any_size_tile_the_day(day, size):
    spans = [r.periods for r in _windows("BOD", "/datasets/BOD", size)(day)]
    assert all(1 <= last - first + 1 <= size for first, last in spans)
    assert [first for first, _ in spans[1:]] == [last + 1 for _, last in spans[:-1]]
    assert spans[0][0] == 1 and spans[-1][1] == periods_in_day(day)


def test_the_register_is_asked_for_once_whatever_the_dates():
    days_ = [date(2024, 1, 1) + timedelta(days=n) for n in range(5)]
    assert [r.label for r in plan_requests(days_, ("REGISTER",))] == ["/reference/bmunits/all"]


def test_dataset_lists():
    assert parse_datasets(" pn,BOD , pn") == ("PN", "BOD")
    with pytest.raises(ValueError, match=r"unknown dataset XYZ: expected some of PN,QPN,MELS"):
        parse_datasets("PN,XYZ")
    with pytest.raises(ValueError, match=r"unknown dataset \(none given\)"):
        parse_datasets(" , ")


def test_plan_counts():
    assert len(plan_requests([D], ("PN",))) == 48
    assert len(plan_requests([date(2026, 3, 29)], ("PN",))) == 46  # spring clock change
    assert len(plan_requests([date(2025, 10, 26)], ("QPN",))) == 50  # autumn clock change
    assert len(plan_requests([D], ("ISPSTACK",))) == 96  # a bid and an offer stack a period
    assert len(plan_requests([D, date(2022, 1, 2)], ("REGISTER",))) == 1  # not dated


def test_lolpdrm_asks_for_the_publications_of_the_day():
    (request,) = plan_requests([date(2024, 6, 12)], ("LOLPDRM",))  # BST: midnight is 23:00Z
    assert request.params == (
        ("publishDateTimeFrom", "2024-06-11T22:00Z"),
        ("publishDateTimeTo", "2024-06-12T23:00Z"),
        ("format", "json"),
    )


def test_bm_windows_cover_every_period_once():
    requests = plan_requests([date(2025, 10, 26)], ("BOD",))  # 50 periods
    spans = [r.periods for r in requests]
    assert spans[0] == (1, 4) and spans[-1] == (49, 50)
    covered = [p for first, last in spans for p in range(first, last + 1)]
    assert covered == list(range(1, 51))
