"""Settling stored runs: results in one transaction, `show` equals `case run`, checks pass."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from sqlalchemy import text

from engine.settle import settle_day
from engine.settlement_calendar import RunType
from models.casefiles.case_file import load_case
from models.casefiles.results_json import result_document
from models.core.errors import RunNotFoundError
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.runs.case_store import import_case
from models.runs.inputs import case_settlement_inputs, load_settlement_inputs
from models.runs.results_store import settle_run, stored_document
from models.runs.run_store import find_run
from tests.engine.case_builder import accept, case, flat, metered, pair, unit
from tests.paths import CASES


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("settle") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=40, seed=11))
    return path


def test_a_settled_demo_day_passes_every_check(demo):
    with SettlementDatabase.open(demo) as db:
        with db.engine.connect() as conn:
            run = find_run(conn, date(2024, 6, 12), RunType.SF)
        result = settle_run(db, run.id)
        with db.engine.connect() as conn:
            stored = stored_document(conn, run.id)
    failed = [c for c in result.checks if not c.ok]
    assert failed == []
    assert {c.rule for c in result.checks} >= {"R-TLM", "cash-balance", "R-PRC-NIV"}
    assert len(stored["periods"]) == 48 and stored == result_document(result)
    assert sum(len(p["stack"]) for p in stored["periods"]) > 50
    assert any(p["price_source"] == "stack" for p in stored["periods"])


def test_show_prints_what_case_run_prints(tmp_path):
    case = load_case(CASES / "worked_example.json")
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        run_id = import_case(db, case)
        settle_run(db, run_id)
        with db.engine.connect() as conn:
            stored = stored_document(conn, run_id)
    assert stored == result_document(settle_day(case_settlement_inputs(case)))


def test_settling_again_replaces_results_and_keeps_published_prices(tmp_path):
    case = load_case(CASES / "worked_example.json")
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        run_id = import_case(db, case)
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO system_price_result (run_id, origin, period, ssp, sbp, niv) "
                    f"VALUES ({run_id}, 'published', 27, 101.5, 101.5, 24.0)"
                )
            )
        settle_run(db, run_id)
        settle_run(db, run_id)
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT origin, ssp FROM system_price_result ORDER BY origin")
            ).all()
            stack_rows = conn.execute(text("SELECT count(*) FROM stack_item_result")).scalar()
    assert rows == [("engine", 100.0), ("published", 101.5)]
    assert stack_rows == 4  # the worked example's four items, once


def test_show_before_settle_says_so(tmp_path):
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        run_id = import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.connect() as conn, pytest.raises(RunNotFoundError, match="settle it first"):
            stored_document(conn, run_id)


def test_a_run_loads_into_the_same_inputs_as_its_case(tmp_path):
    case = load_case(CASES / "worked_example.json")
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        run_id = import_case(db, case)
        with db.engine.connect() as conn:
            stored = load_settlement_inputs(conn, run_id)
    direct = case_settlement_inputs(case)
    assert stored.bm.bm_units == direct.bm.bm_units
    assert stored.periods == direct.periods == (27,)
    assert np.array_equal(stored.metered, direct.metered, equal_nan=True)
    assert stored.parameters == direct.parameters


def test_v2_results_are_stored_and_shown_as_settled(tmp_path):
    # Period 27: all meters 0 and one accepted offer (20 MWh @ £60): one-sided (R-TLM not
    # applicable) and no RCRC denominator: TRC £1,200 unallocated. Period 28: two-sided, a
    # secondary unit, a BSAD action and an RR-flagged acceptance: the day's known gaps.
    document = case(
        periods=[27, 28],
        parties=[{"id": "GEN"}, {"id": "SUP"}, {"id": "VLP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C"), unit("V__V001", "VLP")],
        fpn=[flat("T_G-1", 0, 0, 60)],
        bid_offer=[pair("T_G-1", 27, 1, 60, 50, 50), pair("T_G-1", 28, 1, 60, 50, 50)],
        acceptances=[accept("T_G-1", 1, 40, 0, 30),
                     {**accept("T_G-1", 2, 40, 30, 60), "rr_flag": True}],
        metered_volumes=[metered("T_G-1", 0.0), metered("2__S-1", 0.0), metered("V__V001", 0.0),
                         metered("T_G-1", 100.0, 28), metered("2__S-1", -98.0, 28),
                         metered("V__V001", 2.0, 28)],
        bsad=[{"id": "B1", "period": 28, "volume": 5.0, "cost": 250.0}],
    )  # fmt: skip
    with SettlementDatabase.create(tmp_path / "v2.sqlite") as db:
        run_id = import_case(db, document)
        result = settle_run(db, run_id)
        with db.engine.connect() as conn:
            stored = stored_document(conn, run_id)
            residual = dict(
                conn.execute(
                    text("SELECT period, unallocated_residual FROM system_period_result "
                         "WHERE run_id = :r"), {"r": run_id}
                ).all()
            )  # fmt: skip
            statuses = conn.execute(
                text(
                    "SELECT period, status FROM check_result WHERE run_id = :r AND rule = 'R-TLM'"
                ),
                {"r": run_id},
            ).all()
    assert stored == result_document(result)
    assert residual == {27: pytest.approx(1200.0), 28: 0.0}
    assert sorted(statuses) == [(27, "not applicable"), (28, None)]
    assert [s["unallocated_residual"] for s in stored["system"]] == [pytest.approx(1200.0), 0.0]
    assert stored["rulebook"] == "v2"
    assert [g["id"] for g in stored["known_gaps"]] == [
        "GAP-P376-BASELINING", "GAP-P415-VIRTUAL-TRADING", "GAP-NETSO-ENERGY-ACCOUNTS",
        "GAP-VLP-VIRTUAL-ACCOUNTS", "GAP-RR-CASHFLOWS",
    ]  # fmt: skip
    assert all(c.ok for c in result.checks)
