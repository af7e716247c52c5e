"""Step traces: a step takes its rule's status, title and formula (rulebook ids), names the
known gaps its result depends on as inputs, and a trace reads back as plain JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.known_gaps import P376_BASELINING
from engine.trace import Trace, TraceInput, TraceStep, step


def cbm_step() -> TraceStep:
    # Rulebook §12: CBM T_GEN-1 = 22.9167 × 80 + 8 × 100 − 3.25 × 70 − 3 × 78 = £2,171.83.
    return step(
        "R-CBM",
        [TraceInput("QAO n+1", 22.9167, "BOALF 1"), TraceInput("PO n+1", 80.0, "BOD pair 1")],
        2171.83,
        unit="£",
    )


def test_a_step_takes_the_status_title_and_formula_of_its_rule():
    s = cbm_step()
    assert (s.rule_id, s.status, s.unit, s.result) == ("R-CBM", "assumed", "£", 2171.83)
    assert s.title == "BM Unit cashflow"
    assert s.formula.startswith("CO_nij = QAO_nij × PO_n")
    assert [i.name for i in s.inputs] == ["QAO n+1", "PO n+1"] and s.gaps == ()


def test_a_title_and_formula_given_replace_the_rules():
    s = step("R-CBM", [], 0.0, title="CBM of acceptance 2", formula="C_knij = QAB × PB")
    assert (s.title, s.formula, s.status) == ("CBM of acceptance 2", "C_knij = QAB × PB", "assumed")


def test_each_known_gap_is_also_an_input_line_after_the_others():
    s = step("R-ND", [TraceInput("QM", 74.0)], 74.6667, unit="MWh", gaps=(P376_BASELINING,))
    assert s.gaps == (P376_BASELINING,)
    assert [i.name for i in s.inputs] == ["QM", "known gap GAP-P376-BASELINING (not modelled)"]
    assert "QME of a baselined unit uses its baseline" in s.inputs[1].value


def test_an_unknown_rule_or_gap_is_refused():
    with pytest.raises(KeyError):
        step("R-NO-SUCH-RULE", [], 0.0)
    with pytest.raises(KeyError):
        step("R-CBM", [], 0.0, gaps=("GAP-NO-SUCH-GAP",))


def test_a_trace_keeps_its_steps_in_order_and_reads_back_as_json():
    trace = Trace("T_GEN-1 period 27")
    trace.add(cbm_step())
    trace.add(step("R-ND", [TraceInput("QNDO", np.array([0.0, 0.6667]))], (0.0, 0.0), unit="MWh"))
    assert trace.rule_ids() == ["R-CBM", "R-ND"]
    document = trace.as_json()
    assert json.loads(json.dumps(document)) == document  # plain JSON values only
    first, second = document["steps"]
    assert document["subject"] == "T_GEN-1 period 27"
    assert first["inputs"][1] == {"name": "PO n+1", "value": 80.0, "source": "BOD pair 1"}
    assert (first["rule"], first["status"], first["result"]) == ("R-CBM", "assumed", 2171.83)
    assert first["known_gaps"] == []
    assert second["inputs"][0]["value"] == [0.0, 0.6667]  # a numpy array becomes a list
    assert second["result"] == [0.0, 0.0]  # and so does a tuple
