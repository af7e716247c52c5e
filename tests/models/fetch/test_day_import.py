"""From cached answers to an import: a LOLPDRM record without a forecast horizon gets it from
the half hour its publication commenced, else its publish time (whole hours ahead of the
period's start)."""

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


def test_the_commencing_half_hour_decides_the_horizon_when_stated():
    # The OpenAPI document's example: published 17:39:15 in the half hour from 17:30 for the
    # period starting 18:30, one hour ahead; its publishTime alone is 0.85 h ahead.
    record = {
        "dataset": "LOLPDRM", "publishTime": "2023-01-31 17:39:15Z",
        "publishingPeriodCommencingTime": "2023-01-31 17:30Z", "startTime": "2023-01-31 18:30Z",
    }  # fmt: skip
    assert _with_horizon(record)["forecastHorizon"] == 1
    # Published 35 minutes into its half hour: by publishTime alone 0.42 h ahead, rounded to 0,
    # and the 1-hour forecast would be left out; the half hour it commenced says 1.
    late = record | {"publishTime": "2023-01-31 18:05:00Z"}
    assert _with_horizon(late)["forecastHorizon"] == 1
    assert _with_horizon(late | {"publishingPeriodCommencingTime": None})["forecastHorizon"] == 0


def test_a_record_tagged_with_the_iris_name_is_tagged_lolpdrm():
    record = {"dataset": "LOLPDM", "publishTime": "2024-06-12T10:30:00Z",
              "startTime": "2024-06-12T11:30:00Z"}  # fmt: skip
    assert _with_horizon(record)["dataset"] == "LOLPDRM"
