"""What the workbench gets of a run: each unit's register snapshot and the run's warnings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.runs.run_view import load_run_view
from models.runs.run_warnings import DataWarning, write_run_warnings
from models.runs.scenarios.store import create_scenario

WARNING = DataWarning("R-REG-UNREGISTERED", "PN.json", "data[0]", "bmUnit", "'X'", "assumed")


def test_units_carry_their_snapshot_and_a_scenario_its_base_runs(tmp_path, monkeypatch):
    # A cached run too: its cache (written before the columns were set) must not hide them.
    monkeypatch.setattr("models.runs.run_store.CACHE_MIN_ROWS", 0)
    monkeypatch.setattr("models.db.dataset_cache.CACHE_MIN_ROWS", 0)
    monkeypatch.setattr("models.db.dataset_cache.RUN_CACHE_MIN_ROWS", 0)
    path = tmp_path / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=12, seed=3))
    with SettlementDatabase.open(path) as db:
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM run_input_cache")).scalar() > 0
            conn.execute(
                text(
                    "INSERT INTO bm_unit_register_snapshot (id, effective_from, source, "
                    "imported_at, units) VALUES (5, '2024-05-01', 'test', '2024-05-02', 12)"
                )
            )
            units = sorted(
                conn.execute(text("SELECT bm_unit_id FROM run_bm_unit WHERE run_id = 1")).scalars()
            )
            conn.execute(text("UPDATE run_bm_unit SET register_snapshot_id = 5 WHERE run_id = 1"))
            conn.execute(
                text(
                    "UPDATE run_bm_unit SET register_snapshot_id = NULL, registered = 0 "
                    "WHERE run_id = 1 AND bm_unit_id = :u"
                ),
                {"u": units[0]},
            )
            write_run_warnings(conn, 1, [WARNING])
            scenario = create_scenario(conn, 1, "what if", author="test")
        for run_id in (1, scenario):
            view = load_run_view(db, run_id)
            origin = dict(
                zip(
                    view.units.bm_unit_id,
                    zip(view.units.register_snapshot, view.units.registered.tolist(), strict=True),
                    strict=True,
                )
            )
            assert origin[units[0]] == (None, False)
            assert all(origin[u] == (5, True) for u in units[1:])
            assert view.register_snapshots[5] == date(2024, 5, 1)  # the demo has its own too
            assert view.warnings == [WARNING]
        other = load_run_view(db, 2)
        assert other.warnings == []
        assert set(other.units.register_snapshot) <= {None, *other.register_snapshots}


def test_a_scenario_comes_with_its_revision_edits_and_audit_trail(tmp_path):
    """Read with its inputs, in the loading worker: the GUI shows them without a query."""
    from models.runs.scenarios import store

    path = tmp_path / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=12, seed=4))
    with SettlementDatabase.open(path) as db:
        with db.engine.begin() as conn:
            scenario = create_scenario(conn, 1, "what if", author="test")
            store.edit(conn, scenario, "mip", {"period": 3}, {"price": 80.0}, author="a")
            store.edit(conn, scenario, "mip", {"period": 4}, {"price": 81.0}, author="a")
            store.undo(conn, scenario, author="a")
        history = load_run_view(db, scenario).scenario_history
        assert load_run_view(db, 1).scenario_history is None  # a settlement run has none
    assert history.revision == 4  # create, apply, apply, undo
    assert [(r.seq, r.active) for r in history.overrides] == [(1, True), (2, False)]
    assert [a.action for a in history.audit] == ["create", "apply", "apply", "undo"]
