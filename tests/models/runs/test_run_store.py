"""Runs in the store: loaded runs are immutable, listed in run-type order, found by date and
type, and deleted with their inputs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from engine.settlement_calendar import RunType
from models.core.errors import RunImmutableError, RunNotFoundError
from models.db.database import SettlementDatabase
from models.runs.run_store import (
    create_bm_dataset,
    create_run,
    delete_run,
    find_run,
    finish_loading,
    list_runs,
    write_inputs,
)


def _simple_run(db: SettlementDatabase, run_type=RunType.SF) -> int:
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO party (id, name) VALUES ('GEN', 'Generator plc')"))
        conn.execute(text("INSERT INTO bm_unit (id, name, interconnector) VALUES ('T_A-1', '', 0)"))
        dataset = create_bm_dataset(conn, date(2024, 6, 12), {}, source="test")
        run_id = create_run(conn, date(2024, 6, 12), run_type, bm_dataset_id=dataset, source="t")
        write_inputs(
            conn,
            run_id,
            {
                "run_party": [{"party_id": "GEN", "name": "Generator plc"}],
                "run_bm_unit": [
                    {
                        "bm_unit_id": "T_A-1",
                        "lead_party_id": "GEN",
                        "pc_status": "P",
                        "trading_unit": "T_A-1",
                        "tlf": 0.01,
                        "interconnector": False,
                    }
                ],
                "metered_volume": [{"bm_unit_id": "T_A-1", "period": 27, "mwh": 74.0}],
            },
        )
        finish_loading(conn, run_id)
    return run_id


def test_a_loaded_run_is_immutable(tmp_path):
    with SettlementDatabase.create(tmp_path / "s.sqlite") as db:
        run_id = _simple_run(db)
        with db.engine.begin() as conn, pytest.raises(RunImmutableError, match="scenario"):
            write_inputs(
                conn,
                run_id,
                {"metered_volume": [{"bm_unit_id": "T_A-1", "period": 28, "mwh": 1.0}]},
            )
        with db.engine.connect() as conn:
            assert list_runs(conn)[0].metered_volumes == 1


def test_runs_are_listed_in_run_type_order_and_found_by_date_and_type(tmp_path):
    with SettlementDatabase.create(tmp_path / "s.sqlite") as db:
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO party (id, name) VALUES ('GEN', '')"))
            dataset = create_bm_dataset(conn, date(2024, 6, 12), {}, source="test")
            for run_type in (RunType.R1, RunType.II, RunType.SF, RunType.R1):
                run_id = create_run(
                    conn, date(2024, 6, 12), run_type, bm_dataset_id=dataset, source="t"
                )
                finish_loading(conn, run_id)
        with db.engine.connect() as conn:
            runs = list_runs(conn)
            assert [(r.run_type, r.run_number) for r in runs] == [
                ("II", 1),
                ("SF", 1),
                ("R1", 1),
                ("R1", 2),
            ]
            assert find_run(conn, date(2024, 6, 12), RunType.R1).run_number == 2
            assert find_run(conn, date(2024, 6, 12), RunType.R1, 1).run_number == 1
            with pytest.raises(
                RunNotFoundError,
                match="no RF run for 2024-06-12; runs of that date: II#1, R1#1, R1#2, SF#1",
            ):
                find_run(conn, date(2024, 6, 12), RunType.RF)


def test_deleting_a_run_removes_its_inputs_and_its_unshared_dataset(tmp_path):
    with SettlementDatabase.create(tmp_path / "s.sqlite") as db:
        run_id = _simple_run(db)
        with db.engine.begin() as conn:
            delete_run(conn, run_id)
        with db.engine.connect() as conn:
            assert list_runs(conn) == []
            assert conn.execute(text("SELECT count(*) FROM metered_volume")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM bm_dataset")).scalar() == 0
