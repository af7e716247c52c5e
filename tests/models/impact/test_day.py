"""One date settled twice: the small arrays a task sends back, checked against settle_day and
by hand on the rulebook's worked example."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.settle import settle_day
from engine.variants import VARIANTS
from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.impact.day import _trust, checked_file, date_impact, price_setters, run_impact
from models.runs.inputs import case_settlement_inputs, load_settlement_inputs
from tests.models.impact.impact_demo import FIRST
from tests.paths import CASES


def test_the_rulebook_variant_changes_nothing(demo_db):
    for run in date_impact(demo_db, FIRST, (1, 2, 3), VARIANTS["rulebook"]):
        assert np.array_equal(run.price_base, run.price_variant, equal_nan=True)
        assert np.array_equal(run.niv_base, run.niv_variant)
        assert np.array_equal(run.charges_base, run.charges_variant)
        assert not run.setter_changed.any()


def test_par_50_arrays_are_those_of_settle_day(demo_db):
    (run,) = date_impact(demo_db, FIRST, (2,), VARIANTS["par-50"])
    with SettlementDatabase.open(demo_db) as db, db.engine.connect() as conn:
        inputs = load_settlement_inputs(conn, 2)
    base, varied = settle_day(inputs), settle_day(inputs, VARIANTS["par-50"])
    assert run.label == "2024-06-12 SF" and run.run_type == "SF"
    assert run.periods.tolist() == list(range(1, 49))
    assert np.array_equal(run.price_base, base.prices.ssp)
    assert np.array_equal(run.price_variant, varied.prices.ssp)
    assert (run.price_base != run.price_variant).any()
    assert np.array_equal(run.niv_base, run.niv_variant)  # PAR acts after NIV
    assert run.parties == base.inputs.parties
    # Columns cbm, cnd, caei, rcrc, net; CBM is at bid-offer prices: PAR does not move it.
    assert run.charges_base[:, 0] == pytest.approx(base.party_period_cbm.sum(axis=1))
    assert np.array_equal(run.charges_base[:, 0], run.charges_variant[:, 0])
    assert run.charges_variant[:, 2] == pytest.approx(varied.party_period_caei.sum(axis=1))
    net = run.charges_variant[:, 0] - run.charges_variant[:, 1] - run.charges_variant[:, 2]
    assert run.charges_variant[:, 4] == pytest.approx(net + run.charges_variant[:, 3])


def test_a_run_not_of_the_date_is_refused(demo_db):
    with pytest.raises(ValueError, match="run 4 is of 2024-06-13, not 2024-06-12"):
        date_impact(demo_db, FIRST, (4,), VARIANTS["rulebook"])


def test_the_price_setter_is_the_item_at_the_par_margin():
    # Worked example, period 27: PAR = 1 keeps 1 MWh of acceptance 1 pair 2 (£100); PAR = 50
    # keeps all 74/3 MWh left after NIV tagging, the cheapest being pair 1 (£80).
    inputs = case_settlement_inputs(load_case(CASES / "worked_example.json"))
    base, varied = settle_day(inputs), settle_day(inputs, VARIANTS["par-50"])
    assert price_setters(base).tolist() == ["stack T_GEN-1 #1 pair 2"]
    assert price_setters(varied).tolist() == ["stack T_GEN-1 #1 pair 1"]
    run = run_impact(7, "2024-06-12 SF", "SF", base, varied)
    assert run.setter_changed.tolist() == [True]
    assert run.price_variant - run.price_base == pytest.approx([-1375 / 74])


def test_a_task_trusts_the_callers_check_of_the_same_unchanged_file(demo_db, tmp_path):
    from models.db import verified_files

    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(Path(demo_db).read_bytes())
    assert checked_file(str(copy)) is None  # not checked by this process yet
    key = verified_files.file_key(copy)
    _trust(key)
    assert verified_files.is_verified(key) and checked_file(f"sqlite:///{copy}") == key
    changed = tmp_path / "changed.sqlite"
    changed.write_bytes(Path(demo_db).read_bytes())
    stale = verified_files.file_key(changed)
    with changed.open("ab") as handle:  # written after the caller's check
        handle.write(b"\0" * 4096)
    _trust(stale)
    assert not verified_files.is_verified(verified_files.file_key(changed))
    assert checked_file("postgresql://u@h/db") is None
