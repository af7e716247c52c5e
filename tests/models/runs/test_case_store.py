"""Case ↔ run conversion: exact round trips, period cuts, all-or-nothing import."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import text

import models.runs.case_store as case_convert
from engine.settlement_calendar import RunType
from models.casefiles.case_file import case_errors, dumps_case, load_case, parse_case
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.runs.case_store import export_case, import_case, read_run_rows
from models.runs.run_store import list_runs
from tests.paths import CASES


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=30, seed=7))
    return path


def comparable(tables: dict[str, list[dict]]) -> dict[str, list[tuple]]:
    """Rows without the ids that differ between databases, in a stable order. A case file's
    units come from no register snapshot (register_snapshot_id NULL), the demo's from one."""
    ignored = ("run_id", "dataset_id", "register_snapshot_id")
    return {
        name: sorted(
            (tuple(sorted((k, v) for k, v in row.items() if k not in ignored)) for row in rows),
            key=repr,
        )
        for name, rows in tables.items()
    }


def test_worked_example_case_to_run_to_case_is_identical(tmp_path):
    case = load_case(CASES / "worked_example.json")
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        run_id = import_case(db, case, RunType.SF)
        exported = export_case(db, run_id)
    assert exported == case
    assert dumps_case(exported) == (CASES / "worked_example.json").read_text()


def test_demo_run_to_case_to_run_preserves_every_input_exactly(demo_db, tmp_path):
    with SettlementDatabase.open(demo_db) as db:
        with db.engine.connect() as conn:
            run = next(r for r in list_runs(conn) if r.run_type == "R1")
            _, original = read_run_rows(conn, run.id)
        case = export_case(db, run.id)
    assert case_errors(case) == []
    text_form = dumps_case(case)
    with SettlementDatabase.create(tmp_path / "copy.sqlite") as copy:
        copy_id = import_case(copy, parse_case(text_form), RunType.R1)
        with copy.engine.connect() as conn:
            _, copied = read_run_rows(conn, copy_id)
        assert export_case(copy, copy_id) == case
    assert comparable(copied) == comparable(original)
    assert sum(len(rows) for rows in original.values()) > 5_000  # a real test, not an empty run


def test_export_of_some_periods_keeps_only_what_touches_them(demo_db):
    with SettlementDatabase.open(demo_db) as db:
        with db.engine.connect() as conn:
            run = list_runs(conn)[0]
        case = export_case(db, run.id, periods=[27, 28])
    assert case["periods"] == [27, 28]
    assert case_errors(case) == []
    for key in ("bid_offer", "metered_volumes", "ecvns", "bsad", "market_index", "lolp"):
        assert case[key], key
        assert {r["period"] for r in case[key]} <= {27, 28}, key
    full = None
    with SettlementDatabase.open(demo_db) as db:
        full = export_case(db, run.id)
    assert 0 < len(case["acceptances"]) < len(full["acceptances"])


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failed_import_leaves_the_database_unchanged(tmp_path, monkeypatch):
    path = tmp_path / "w.sqlite"
    SettlementDatabase.create(path).close()
    before = digest(path)

    def fail(*args, **kwargs):
        raise RuntimeError("disk full half-way through")

    monkeypatch.setattr(case_convert, "finish_loading", fail)
    with SettlementDatabase.open(path) as db:
        with pytest.raises(RuntimeError, match="half-way"):
            import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM settlement_run")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM party")).scalar() == 0
    assert digest(path) == before


def test_notes_survive_the_round_trip(tmp_path):
    case = load_case(CASES / "worked_example.json")
    case["notes"] = {"dispute": "TDC-123", "values": [1, 2.5]}
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        exported = export_case(db, import_case(db, case))
    assert exported["notes"] == case["notes"]
    assert json.loads(dumps_case(exported))["notes"] == case["notes"]
