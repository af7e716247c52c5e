"""Choosing a demo's BM units: in GB-like shares, the same units for the same generator state,
synthetic embedded units only beyond the register's 2,871."""

from collections import Counter

import numpy as np
import pytest

from models.demo.units import KIND_SHARES, choose_units


def kinds(units) -> Counter:
    return Counter(u.kind for u in units)


def test_fewer_than_one_unit_of_each_kind_is_refused():
    with pytest.raises(ValueError, match="a demo needs at least 12 BM units"):
        choose_units(11, np.random.default_rng(1))


def test_shares_follow_the_gb_market():
    # 100 units: 28 suppliers, 14 interconnectors, 13 wind, … (share × 100, rounded).
    got = kinds(choose_units(100, np.random.default_rng(2)))
    assert got["supplier"] == 28 and got["interconnector"] == 14 and got["wind"] == 13
    assert got["nuclear"] == 2 and sum(got.values()) == 100
    assert set(got) == set(KIND_SHARES)


def test_the_same_generator_state_gives_the_same_units_sorted_by_id():
    first = choose_units(30, np.random.default_rng(5))
    again = choose_units(30, np.random.default_rng(5))
    assert [(u.id, u.capacity, u.trading_unit) for u in first] == [
        (u.id, u.capacity, u.trading_unit) for u in again
    ]
    assert [u.id for u in first] == sorted(u.id for u in first)
    assert [u.id for u in choose_units(30, np.random.default_rng(6))] != [u.id for u in first]


def test_capacities_are_positive_and_only_suppliers_have_no_bid_offer_data():
    units = choose_units(60, np.random.default_rng(7))
    assert all(u.capacity > 0 for u in units)
    assert {u.kind for u in units if not u.has_bid_offer} == {"supplier"}


def test_beyond_the_register_the_extra_units_are_synthetic_embedded_ones():
    units = choose_units(2_875, np.random.default_rng(3))
    demo = [u for u in units if u.id.startswith("E_DEMO")]
    assert len(units) == 2_875 and len(demo) == 4  # the register holds 2,871 units
    assert {u.kind for u in demo} == {"embedded"}
