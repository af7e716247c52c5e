"""The BM stage's step trace for one unit and period: rule ids, statuses, and redoable sums."""

from __future__ import annotations

import itertools
import json

import pytest

from engine.bm_stage import run_bm_stage
from engine.bm_trace import trace_bm_unit_period
from engine.rules import RULES
from tests.engine.builders import worked_example_inputs


def test_trace_of_the_worked_example_lists_each_rule_in_order():
    trace = trace_bm_unit_period(worked_example_inputs(), 10, "T_GEN-1", 27)
    ids = trace.rule_ids()
    assert ids[0] == "R-PROF-FPN" and ids[1] == "R-PROF-BOD" and ids[-1] == "R-CBM"
    assert ids.count("R-VOL-INT") == 4  # two acceptances × two offer pairs with volume
    assert ids.count("R-PROF-CARRY") == 2
    for s in trace.steps:
        assert s.status == RULES[s.rule_id].status
    carry = [s for s in trace.steps if s.rule_id == "R-PROF-CARRY"]
    assert all(s.status == "assumed" for s in carry)


def test_trace_numbers_can_be_redone_by_hand():
    trace = trace_bm_unit_period(worked_example_inputs(), 10, "T_GEN-1", 27)
    first = next(
        s for s in trace.steps if s.title == "Acceptance 1, pair 1: accepted volume in the period"
    )
    series = first.inputs[1].value
    assert len(series) == 31
    by_hand = sum((max(a, 0) + max(b, 0)) / 2 / 60 for a, b in itertools.pairwise(series))
    assert by_hand == pytest.approx(first.result["QAO_knj"], abs=1e-6) == pytest.approx(22.9166667)
    second = next(s for s in trace.steps if s.title.startswith("Acceptance 2: level it replaces"))
    assert second.inputs[0].value == ["acceptance 1"]
    assert second.result[0] == ("12:20Z", 170.0)
    cbm = trace.steps[-1]
    assert cbm.result == pytest.approx(2171.833333, abs=1e-6)
    assert "22.916667 × 80 + -3.250000 × 70 = 1605.83" in [i.value for i in cbm.inputs]


def test_trace_is_json_serialisable_and_matches_the_bulk_result():
    data = worked_example_inputs(rr_on_second=True)
    trace = trace_bm_unit_period(data, 10, "T_GEN-1", 27)
    text = json.dumps(trace.as_json())
    assert "R-PROF-RR" in text
    (rr,) = [s for s in trace.steps if s.rule_id == "R-PROF-RR"]
    assert rr.gaps == ("GAP-RR-CASHFLOWS",)  # RR cashflows are a known gap (rulebook §15)
    bulk = run_bm_stage(data, 10)
    assert trace.steps[-1].result == pytest.approx(bulk.cashflows.cbm[1, 26], abs=1e-6)


def test_trace_of_a_period_without_acceptances_still_explains_fpn_and_cbm():
    trace = trace_bm_unit_period(worked_example_inputs(), 10, "T_GEN-1", 25)
    assert trace.rule_ids() == ["R-PROF-FPN", "R-PROF-BOD", "R-CBM"]
    assert trace.steps[-1].result == 0.0
