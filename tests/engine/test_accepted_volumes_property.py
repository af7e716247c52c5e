"""The vectorised engine agrees with the plain reference on random markets to 1e-9 MWh."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.bm_stage import run_bm_stage
from tests.engine.builders import acceptance, inputs, pair, pts
from tests.engine.reference_volumes import reference_volumes

WINDOW_MINUTES = 120  # periods 27 to 30 of 2024-06-12
PAIRS = [-6, -3, -2, -1, 1, 2, 3, 6]


@st.composite
def profile_minutes(draw, low: int, high: int, min_points: int, max_points: int) -> list[int]:
    """Sorted whole minutes; repeats are vertical steps."""
    minutes = draw(st.lists(st.integers(low, high), min_size=min_points, max_size=max_points))
    return sorted(minutes)


@st.composite
def markets(draw):
    units = [f"T_U{i}-1" for i in range(draw(st.integers(1, 3)))]
    fpn = {}
    bid_offer = []
    acceptances = []
    for unit in units:
        if draw(st.integers(0, 9)) > 0:  # now and then no FPN: deemed zero
            minutes = [0, *draw(profile_minutes(0, WINDOW_MINUTES, 0, 4)), WINDOW_MINUTES]
            levels = draw(
                st.lists(st.integers(-200, 400), min_size=len(minutes), max_size=len(minutes))
            )
            fpn[unit] = pts(*zip(sorted(minutes), levels, strict=True))
        for i in range(WINDOW_MINUTES // 30):
            for n in sorted(draw(st.sets(st.sampled_from(PAIRS), max_size=4))):
                start = 30 * i
                minutes = [start, *draw(profile_minutes(start, start + 30, 0, 2)), start + 30]
                widths = draw(
                    st.lists(st.integers(0, 150), min_size=len(minutes), max_size=len(minutes))
                )
                sign = 1 if n > 0 else -1
                bid = draw(st.integers(-100, 200))
                offer = bid + draw(st.integers(0, 100))
                points = pts(*zip(minutes, [sign * w for w in widths], strict=True))
                bid_offer.append(pair(unit, 27 + i, n, offer, bid, points))
        count = draw(st.integers(0, 4))
        numbers = draw(st.permutations(range(1, count + 1)))
        for number in numbers:
            start = draw(st.integers(0, WINDOW_MINUTES - 5))
            steps = draw(st.lists(st.integers(0, 40), min_size=1, max_size=4))
            minutes = [start]
            for step in steps:
                minutes.append(min(minutes[-1] + step, WINDOW_MINUTES))
            levels = draw(
                st.lists(st.integers(-300, 600), min_size=len(minutes), max_size=len(minutes))
            )
            acceptances.append(
                acceptance(
                    unit,
                    number,
                    pts(*zip(minutes, levels, strict=True)),
                    rr_flag=draw(st.integers(0, 9)) == 0,
                )
            )
    return inputs(units, fpn, bid_offer, acceptances)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets())
def test_engine_matches_the_reference_to_1e_9_mwh(market):
    result = run_bm_stage(market, cadl_minutes=10)
    v = result.volumes
    engine = {
        (int(a), int(p), int(n)): (float(o), float(b))
        for a, p, n, o, b in zip(v.acceptance, v.period, v.pair, v.qao, v.qab, strict=True)
    }
    reference = reference_volumes(market)
    for key in set(engine) | set(reference):
        got = engine.get(key, (0.0, 0.0))
        want = reference.get(key, (0.0, 0.0))
        assert abs(got[0] - want[0]) <= 1e-9 and abs(got[1] - want[1]) <= 1e-9, (key, got, want)
    # Sign conventions hold everywhere: offers ≥ 0, bids ≤ 0.
    assert (v.qao >= 0).all() and (v.qab <= 0).all()
    # Pair totals are the sums of the acceptance volumes, and CBM prices them.
    pairs = market.pairs
    for row in range(len(pairs)):
        mine = v.pair_row == row
        assert abs(v.qao_nj[row] - v.qao[mine].sum()) <= 1e-9
        assert abs(v.qab_nj[row] - v.qab[mine].sum()) <= 1e-9
    expected_cbm = (v.qao_nj * pairs.offer_price + v.qab_nj * pairs.bid_price).sum()
    assert abs(result.cashflows.cbm.sum() - expected_cbm) <= 1e-6
