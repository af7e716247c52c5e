"""Invariants of a comparison on demo data: whatever one edit changes, the parties' and the
system operator's net deltas sum to zero, and materiality follows the threshold."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.settle import settle_day
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.disputes.compare import compare
from models.runs.inputs import load_settlement_inputs
from models.runs.scenarios.store import create_scenario, edit


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("cmp") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=20, seed=11))
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        base = load_settlement_inputs(conn, 2)
    return path, base, settle_day(base)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    unit=st.integers(0, 19), period=st.integers(1, 48), factor=st.floats(-3.0, 3.0, allow_nan=False)
)
def test_net_deltas_sum_to_zero_and_losses_move_everyone(demo, tmp_path, unit, period, factor):
    path, base_inputs, base = demo
    copy = tmp_path / "copy.sqlite"
    shutil.copy(path, copy)
    name = base_inputs.bm.bm_units[unit]
    old = float(np.nan_to_num(base_inputs.metered[unit, period - 1]))
    with SettlementDatabase.open(copy) as db:
        with db.engine.begin() as conn:
            scenario = create_scenario(conn, 2, "p", author="t")
            edit(
                conn,
                scenario,
                "metered_volume",
                {"bm_unit": name, "period": period},
                {"mwh": old * factor + 1.0},
                author="t",
            )
        with db.engine.connect() as conn:
            after = settle_day(load_settlement_inputs(conn, scenario))
    c = compare(base, after, "base", "scenario")
    assert c.parties["net_delta"].sum() == pytest.approx(0.0, abs=0.02)
    assert all(x.ok for x in after.checks if x.rule in ("cash-balance", "R-TLM"))
    assert c.material == (max(abs(c.net_total), c.absolute_total) >= 3000)
    if not np.isclose(old * factor + 1.0, old):
        assert any("Metered volumes changed" in line for line in c.explanation)
