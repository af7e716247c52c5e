"""The BM stage of a day (R-PROF-FPN, R-VOL, R-CBM): Period FPN by hand, and the stage's
volumes and cashflows on the worked example of rulebook §12."""

from __future__ import annotations

import numpy as np
import pytest

from engine.bm_stage import period_fpn, run_bm_stage
from engine.errors import EngineInputError
from tests.engine.builders import acceptance, inputs, pts, worked_example_inputs


def test_period_fpn_is_the_integral_of_the_fpn_over_each_period():
    # A: 0 → 60 MW over period 27 averages 30 MW for ½ h = 15 MWh.
    # B: 100 MW flat over periods 27 and 28: 50 MWh in each. C notified nothing: 0.
    bm = inputs(
        ["A", "B", "C"],
        {"A": pts((0, 0.0), (30, 60.0)), "B": pts((0, 100.0), (60, 100.0))},
        [],
        [],
    )
    got = period_fpn(bm)
    assert got.shape == (3, 48)
    assert got[0, 26] == pytest.approx(15.0)
    assert got[1, 26:28] == pytest.approx([50.0, 50.0])
    assert got.sum() == pytest.approx(115.0)  # nothing in any other period, nothing for C


def test_worked_example_stage_gives_period_fpn_volumes_and_cbm():
    bm = worked_example_inputs()
    result = run_bm_stage(bm, cadl_minutes=10)
    gen = bm.unit_index("T_GEN-1")
    assert result.inputs is bm
    assert result.period_fpn[gen, 26] == pytest.approx(50.0)  # 100 MW × ½ h
    # Per pair row (−1, +1, +2): QAO 0, 22.9167, 8 and QAB 0, −3.25, −3 MWh.
    assert result.volumes.qao_nj == pytest.approx([0.0, 1375 / 60, 8.0])
    assert result.volumes.qab_nj == pytest.approx([0.0, -3.25, -3.0])
    assert round(result.cashflows.cbm[gen, 26], 2) == 2171.83
    assert result.spans.duration_minutes.tolist() == [30.0, 10.0]


def test_cadl_flags_acceptances_strictly_shorter_than_cadl():
    # Acceptance 2 lasts 10 minutes: flagged under a CADL of 15, not under one of 10.
    bm = worked_example_inputs()
    assert run_bm_stage(bm, cadl_minutes=10).volumes.cadl_flag.tolist() == [False, False]
    assert run_bm_stage(bm, cadl_minutes=15).volumes.cadl_flag.tolist() == [False, True]


def test_inputs_are_validated_unless_the_caller_has_done_it():
    twice = inputs(
        ["T_A-1"],
        {"T_A-1": pts((0, 100.0), (30, 100.0))},
        [],
        [
            acceptance("T_A-1", 5, pts((0, 100.0), (30, 150.0))),
            acceptance("T_A-1", 5, pts((10, 100.0), (30, 120.0))),
        ],
    )
    with pytest.raises(EngineInputError, match="acceptance 5: duplicate acceptance number"):
        run_bm_stage(twice, cadl_minutes=10)
    # settle_day validates every input first and passes validate=False: no second check.
    result = run_bm_stage(twice, cadl_minutes=10, validate=False)
    assert np.isfinite(result.period_fpn).all()
