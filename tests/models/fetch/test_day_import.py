"""From cached answers to an import: a LOLPDRM record without a forecast horizon gets it from
its publish time (whole hours ahead of the period's start)."""

from __future__ import annotations

from models.fetch.day_import import _with_horizon


def test_lolpdrm_gets_its_forecast_horizon_from_the_publish_time():
    record = {"publishTime": "2024-06-12T10:30:00Z", "startTime": "2024-06-12T11:30:00Z"}
    assert _with_horizon(record)["forecastHorizon"] == 1
    record = {"publishTime": "2024-06-12T03:30:00Z", "startTime": "2024-06-12T11:30:00Z"}
    assert _with_horizon(record)["forecastHorizon"] == 8
    stated = {"publishTime": "2024-06-12T03:30:00Z", "startTime": "x", "forecastHorizon": 2}
    assert _with_horizon(stated) == stated  # a stated horizon is kept
    assert _with_horizon({"startTime": "2024-06-12T11:30:00Z"}) == {
        "startTime": "2024-06-12T11:30:00Z"
    }
