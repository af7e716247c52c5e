"""Scenarios: the rulebook's dispute variant end to end, every kind of edit, undo and redo."""

from __future__ import annotations

import numpy as np
import pytest

from models.casefiles.case_file import load_case
from models.core.errors import RunImmutableError
from models.db.database import SettlementDatabase
from models.disputes.compare import compare
from models.runs.case_store import import_case
from models.runs.inputs import load_settlement_inputs
from models.runs.results_store import settle_run
from models.runs.scenarios import store
from models.runs.scenarios.overrides import OverrideError
from tests.paths import CASES

GEN = "T_GEN-1"


@pytest.fixture
def db(tmp_path):
    with SettlementDatabase.create(tmp_path / "w.sqlite") as database:
        import_case(database, load_case(CASES / "worked_example.json"))
        yield database


def new_scenario(db, name="what if") -> int:
    with db.engine.begin() as conn:
        return store.create_scenario(conn, 1, name, author="tester")


def edit(db, scenario, kind, target, value, reason="test"):
    with db.engine.begin() as conn:
        return store.edit(conn, scenario, kind, target, value, author="tester", reason=reason)


def inputs_of(db, run_id):
    with db.engine.connect() as conn:
        return load_settlement_inputs(conn, run_id)


def test_dispute_variant_of_the_worked_example(db):
    """Rulebook §12: acceptance 2 omitted → GEN +£152.62, SUP +£308.88, SO −£461.50."""
    scenario = new_scenario(db)
    record = edit(db, scenario, "remove_acceptance", {"bm_unit": GEN, "number": 2}, None)
    assert record.old_value["points"][0] == ["2024-06-12T12:20Z", 170.0]
    base, after = settle_run(db, 1), settle_run(db, scenario)
    parties = list(after.inputs.parties)
    gen = parties.index("GEN")
    assert after.parties.cbm[gen] == pytest.approx(2633.33, abs=0.005)
    assert after.prices.ssp[26] == pytest.approx(100.0)
    assert after.parties.caei[gen] == pytest.approx(741.56, abs=0.005)
    assert np.nansum(after.imbalance.trc) == pytest.approx(3055.86, abs=0.005)
    c = compare(base, after, "base", "scenario")
    deltas = c.parties.set_index("party")["net_delta"]
    assert deltas["GEN"] == pytest.approx(152.62, abs=0.005)
    assert deltas["SUP"] == pytest.approx(308.88, abs=0.005)
    assert deltas["SO"] == pytest.approx(-461.50, abs=0.005)
    assert deltas.sum() == pytest.approx(0.0, abs=1e-9)
    assert c.net_total == pytest.approx(461.50, abs=0.005)
    assert c.absolute_total == pytest.approx(461.50, abs=0.005) and not c.material
    assert any("NIV changed in period(s) 27" in line for line in c.explanation)
    # The base run is untouched: settling it again gives the worked example's figures.
    assert settle_run(db, 1).parties.cbm[gen] == pytest.approx(2171.83, abs=0.005)


def test_undo_and_redo_restore_exact_values(db):
    scenario = new_scenario(db)
    before = inputs_of(db, scenario)
    edit(db, scenario, "metered_volume", {"bm_unit": GEN, "period": 27}, {"mwh": 80.0})
    edit(db, scenario, "tlf", {"bm_unit": GEN}, {"tlf": 0.02})
    edited = inputs_of(db, scenario)
    gen = edited.bm.unit_index(GEN)
    assert edited.metered[gen, 26] == 80.0 and edited.units.tlf[gen] == 0.02
    with db.engine.begin() as conn:
        assert store.undo(conn, scenario, author="t").kind == "tlf"
        assert store.undo(conn, scenario, author="t").kind == "metered_volume"
        assert store.undo(conn, scenario, author="t") is None
    undone = inputs_of(db, scenario)
    assert np.array_equal(undone.metered, before.metered, equal_nan=True)
    assert np.array_equal(undone.units.tlf, before.units.tlf)
    with db.engine.begin() as conn:
        store.redo(conn, scenario, author="t")
        store.redo(conn, scenario, author="t")
    redone = inputs_of(db, scenario)
    assert np.array_equal(redone.metered, edited.metered, equal_nan=True)
    assert np.array_equal(redone.units.tlf, edited.units.tlf)
    with db.engine.connect() as conn:
        assert [a.action for a in store.audit_trail(conn, scenario)] == [
            "create",
            "apply",
            "apply",
            "undo",
            "undo",
            "redo",
            "redo",
        ]


def test_a_new_edit_after_undo_drops_the_redo_history(db):
    scenario = new_scenario(db)
    edit(db, scenario, "mip", {"period": 27}, {"price": 55.0})
    with db.engine.begin() as conn:
        store.undo(conn, scenario, author="t")
    edit(db, scenario, "mip", {"period": 27}, {"price": 66.0})
    with db.engine.connect() as conn:
        records = store.overrides(conn, scenario, active_only=False)
        assert [(r.seq, r.new_value) for r in records] == [(1, {"price": 66.0})]
        assert "discard" in [a.action for a in store.audit_trail(conn, scenario)]
        assert store.redo(conn, scenario, author="t") is None


def test_every_kind_of_edit_reaches_the_engine(db):
    scenario = new_scenario(db)
    edit(
        db,
        scenario,
        "bid_offer_price",
        {"bm_unit": GEN, "period": 27, "pair": 2},
        {"offer": 120.0, "bid": 78.0},
    )
    edit(db, scenario, "acceptance_flags", {"bm_unit": GEN, "number": 1}, {"so_flag": True})
    edit(
        db,
        scenario,
        "acceptance_levels",
        {"bm_unit": GEN, "number": 2},
        {"points": [["2024-06-12T12:20Z", 170.0], ["2024-06-12T12:30Z", 150.0]]},
    )
    edit(
        db,
        scenario,
        "add_acceptance",
        {"bm_unit": GEN, "number": 3},
        {
            "time": "2024-06-12T12:26Z",
            "points": [["2024-06-12T12:26Z", 150.0], ["2024-06-12T12:30Z", 150.0]],
        },
    )
    edit(db, scenario, "ecvn", {"seq": 0}, {"mwh": 40.0})
    edit(
        db,
        scenario,
        "ecvn",
        {"seq": 7},
        {
            "from_party": "GEN",
            "from_account": "P",
            "to_party": "SUP",
            "to_account": "C",
            "period": 27,
            "mwh": 5.0,
        },
    )
    edit(db, scenario, "bsad", {"period": 27, "id": "B1"}, {"volume": 10.0, "cost": 900.0})
    inputs = inputs_of(db, scenario)
    bm = inputs.bm
    pair2 = np.flatnonzero((bm.pairs.pair == 2) & (bm.pairs.period == 27))[0]
    assert bm.pairs.offer_price[pair2] == 120.0
    numbers = list(bm.acceptances.number)
    assert numbers == [1, 2, 3] and bool(bm.acceptances.so_flag[numbers.index(1)])
    assert sorted(inputs.contracts.mwh.tolist()) == [5.0, 40.0]
    assert inputs.bsad.volume.tolist() == [10.0] and inputs.bsad.cost.tolist() == [900.0]
    result = settle_run(db, scenario)
    assert all(c.ok for c in result.checks if c.rule == "cash-balance")


def test_edits_that_do_not_fit_are_refused_and_runs_never_change(db):
    scenario = new_scenario(db)
    with pytest.raises(OverrideError, match="T_NOPE is not in the run"):
        edit(db, scenario, "tlf", {"bm_unit": "T_NOPE"}, {"tlf": 0.0})
    with pytest.raises(OverrideError, match="has no acceptance 9"):
        edit(db, scenario, "remove_acceptance", {"bm_unit": GEN, "number": 9}, None)
    with pytest.raises(OverrideError, match="bid price cannot exceed"):
        edit(
            db,
            scenario,
            "bid_offer_price",
            {"bm_unit": GEN, "period": 27, "pair": 1},
            {"offer": 10.0, "bid": 20.0},
        )
    with pytest.raises(RunImmutableError, match="settlement run and cannot change"):
        edit(db, 1, "tlf", {"bm_unit": GEN}, {"tlf": 0.0})
    with pytest.raises(RunImmutableError, match="already has a scenario named"):
        new_scenario(db)
    with db.engine.connect() as conn:
        assert store.overrides(conn, scenario) == []
