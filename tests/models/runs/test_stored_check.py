"""The engine against a run's stored results: only what was changed in the store differs."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from models.runs.results_store import settle_run
from models.runs.run_view import load_run_view
from tests.paths import CASES


@pytest.fixture
def worked(tmp_path):
    """The worked example as a run, not yet settled: (database, run id)."""
    db = SettlementDatabase.create(tmp_path / "w.sqlite")
    run_id = import_case(db, load_case(CASES / "worked_example.json"))
    yield db, run_id
    db.close()


def store_otherwise(db, run_id: int, *updates: str) -> None:
    """Change the run's stored results (`:r` is the run) in one transaction."""
    with db.engine.begin() as conn:
        for update in updates:
            conn.execute(text(update), {"r": run_id})


def test_a_run_never_settled_has_nothing_to_differ(worked):
    db, run_id = worked
    d = load_run_view(db, run_id).differences
    assert not d.settled
    assert not d.party_differs.any() and not d.period_differs.any()
    assert not d.unit_differs.any()
    assert d.summary() == "no stored results to check against (settle to store them)"


def test_a_freshly_settled_run_agrees_with_its_stored_results(worked):
    db, run_id = worked
    settle_run(db, run_id)
    d = load_run_view(db, run_id).differences
    assert d.settled and d.summary() == "engine agrees with the stored results"
    assert d.periods.tolist() == [27]
    # Stored values are there to show: GEN's of the rulebook's worked example (§ worked
    # example: CBM £2,171.83, CND £0, CAEI £123.80, RCRC £1,219.05; net paid £3,267.08).
    gen = load_run_view(db, run_id).result.inputs.parties.index("GEN")
    assert d.party_stored[gen] == pytest.approx([2171.83, 0.0, 123.80, 1219.05, 3267.08], abs=0.01)


def test_changed_stored_values_are_found_where_they_were_changed(worked):
    db, run_id = worked
    settle_run(db, run_id)
    # As if stored by an engine with other rules: GEN's CAEI by £10, SSP by £0.01,
    # T_GEN-1's CBM by one penny; a change within half a penny is no difference.
    store_otherwise(
        db,
        run_id,
        "UPDATE party_result SET caei = caei + 10 WHERE run_id = :r AND party_id = 'GEN'",
        "UPDATE party_result SET net = net + 0.004 WHERE run_id = :r AND party_id = 'SUP'",
        "UPDATE system_price_result SET ssp = ssp + 0.01 "
        "WHERE run_id = :r AND origin = 'engine' AND period = 27",
        "UPDATE bm_unit_period_result SET cbm = cbm - 0.01 "
        "WHERE run_id = :r AND bm_unit_id = 'T_GEN-1'",
    )
    view = load_run_view(db, run_id)
    d = view.differences
    parties = list(view.result.inputs.parties)
    gen, sup = parties.index("GEN"), parties.index("SUP")
    # Columns: CBM, CND, CAEI, RCRC, net.
    assert d.party_differs[gen].tolist() == [False, False, True, False, False]
    assert not d.party_differs[sup].any()
    assert d.party_stored[gen, 2] - view.result.parties.caei[gen] == pytest.approx(10)
    # Columns: SSP, SBP, NIV.
    assert d.period_differs.tolist() == [[True, False, False]]
    assert d.period_stored[0, 0] - d.period_engine[0, 0] == pytest.approx(0.01)
    units = list(view.result.inputs.bm.bm_units)
    assert np.flatnonzero(d.units_differing).tolist() == [units.index("T_GEN-1")]
    assert d.unit_differs[units.index("T_GEN-1")].tolist() == [True, False]  # CBM, not CND
    assert d.unit_engine[units.index("T_GEN-1"), 0] - d.unit_stored[
        units.index("T_GEN-1"), 0
    ] == pytest.approx(0.01)
    assert d.summary() == (
        "engine differs from the stored results: 1 party, 1 period, 1 BM unit (highlighted)"
    )


def test_a_value_stored_as_missing_differs_from_an_engine_number(worked):
    db, run_id = worked
    settle_run(db, run_id)
    store_otherwise(
        db, run_id, "UPDATE party_result SET cnd = NULL WHERE run_id = :r AND party_id = 'GEN'"
    )
    view = load_run_view(db, run_id)
    gen = list(view.result.inputs.parties).index("GEN")
    assert view.differences.party_differs[gen].tolist() == [False, True, False, False, False]
