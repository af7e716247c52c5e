"""The input tables of a stored run, read from its rows or from its caches alike: ordered as
the engine needs them, FPN only among the notifications; a missing run or a scenario (whose
inputs are its base run's with edits) is refused in one line."""

from __future__ import annotations

import numpy as np
import pytest

from models.casefiles.case_file import load_case
from models.core.errors import RunNotFoundError
from models.db.database import SettlementDatabase
from models.db.dataset_cache import read_run_cache
from models.demo.generator import DemoSpec, generate_demo
from models.runs.case_store import import_case
from models.runs.run_frames import read_stored_frames
from models.runs.run_store import list_runs
from models.runs.scenarios import store
from tests.demo_databases import demo_with_caches
from tests.paths import CASES


def test_the_worked_examples_tables_in_the_engines_order(tmp_path):
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        run = import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.connect() as conn:
            day, periods, frames = read_stored_frames(conn, run)
    assert (day.isoformat(), periods) == ("2024-06-12", (27,))
    levels = frames["acceptance_level"]
    assert list(zip(levels["number"].tolist(), levels["seq"].tolist(), strict=True)) == [
        (1, 0), (1, 1), (2, 0), (2, 1)
    ]  # fmt: skip
    assert set(frames["physical_notification"]["notification"]) == {"FPN"}
    assert sorted(frames["metered_volume"]["mwh"].tolist()) == [-73.0, 74.0]
    assert frames["bid_offer"]["pair"].tolist() == [-1, 1, 2]


def test_a_missing_run_or_a_scenario_is_refused(tmp_path):
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        run = import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            scenario = store.create_scenario(conn, run, "what if", author="tester")
        with db.engine.connect() as conn:
            with pytest.raises(RunNotFoundError, match="run 99 does not exist"):
                read_stored_frames(conn, 99)
            with pytest.raises(RunNotFoundError, match=f"run {scenario} is a scenario"):
                read_stored_frames(conn, scenario)


def test_cached_and_row_stored_runs_read_the_same(tmp_path, monkeypatch):
    # The same demo day twice, once with its BM data and run inputs cached.
    generate_demo(tmp_path / "rows.sqlite", DemoSpec(bmus=12, seed=3))
    demo_with_caches(tmp_path / "cached.sqlite", monkeypatch, bmus=12, seed=3)
    read = {}
    for name in ("rows", "cached"):
        with SettlementDatabase.open(tmp_path / f"{name}.sqlite") as db, db.engine.connect() as c:
            sf = next(r for r in list_runs(c) if r.run_type == "SF")
            assert (read_run_cache(c, sf.id) is not None) == (name == "cached")
            read[name] = read_stored_frames(c, sf.id)
    (day, periods, rows), (day_c, periods_c, cached) = read["rows"], read["cached"]
    assert (day, periods) == (day_c, periods_c)
    assert rows.keys() == cached.keys()
    for table, columns in rows.items():
        assert columns.keys() == cached[table].keys(), table
        for name, values in columns.items():
            np.testing.assert_array_equal(values, cached[table][name], err_msg=f"{table}.{name}")
