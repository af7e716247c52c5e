"""Published system prices against the engine's, period by period: the difference engine −
published, flagged beyond the published precision (a penny; NIV 0.0005 MWh), None where either
figure is missing, never NaN."""

from __future__ import annotations

import math

import pytest

from models.published.prices import PublishedPrice, price_comparison

NAN = math.nan


def test_agreement_within_the_published_precision_is_no_difference():
    published = {27: PublishedPrice(27, 100.0, 100.0, 24.667)}
    (row,) = price_comparison(published, [27], [100.004], [99.996], [24.6666667])
    assert row["period"] == 27 and row["differs"] is False
    assert row["ssp_difference"] == pytest.approx(0.004)
    assert row["sbp_difference"] == pytest.approx(-0.004)
    assert row["niv_difference"] == pytest.approx(-0.0003333, abs=1e-7)
    assert (row["engine_ssp"], row["published_ssp"]) == (100.004, 100.0)


@pytest.mark.parametrize(
    ("ssp", "sbp", "niv"),
    [(100.006, 100.0, 24.667), (100.0, 99.99, 24.667), (100.0, 100.0, 24.668)],
    ids=["ssp a penny off", "sbp", "niv a thousandth off"],
)
def test_a_difference_beyond_the_precision_of_any_figure_differs(ssp, sbp, niv):
    published = {27: PublishedPrice(27, 100.0, 100.0, 24.667)}
    (row,) = price_comparison(published, [27], [ssp], [sbp], [niv])
    assert row["differs"] is True


def test_missing_figures_on_either_side_have_no_difference_and_no_nan():
    # Period 27: the engine's price is unavailable (NaN); 28: nothing published; 29: only
    # published (not settled by the engine); 30: published without NIV.
    published = {
        27: PublishedPrice(27, 100.0, 100.0, 5.0),
        29: PublishedPrice(29, 60.0, 60.0, -3.0),
        30: PublishedPrice(30, 70.0, 70.0, None),
    }
    rows = price_comparison(published, [27, 28, 30], [NAN, 80.0, 70.0], [NAN, 80.0, 70.0],
                            [5.0, 2.0, 9.0])  # fmt: skip
    assert [r["period"] for r in rows] == [27, 28, 29, 30]
    p27, p28, p29, p30 = rows
    assert p27["engine_ssp"] is None and p27["ssp_difference"] is None
    assert p27["niv_difference"] == 0.0 and not p27["differs"]
    assert p28["published_ssp"] is None and p28["ssp_difference"] is None and not p28["differs"]
    assert p29["engine_sbp"] is None and p29["published_sbp"] == 60.0 and not p29["differs"]
    assert p30["niv_difference"] is None and p30["ssp_difference"] == 0.0
    values = [v for r in rows for v in r.values() if isinstance(v, float)]
    assert not any(math.isnan(v) for v in values)
