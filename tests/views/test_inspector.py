"""The inspector names the known gaps (rulebook §15) and assumed rules a traced number
depends on, with that number, and goes to its step when one is selected."""

from __future__ import annotations

from datetime import date

import pytest

from engine.known_gaps import KNOWN_GAPS, P376_BASELINING, GapUse
from engine.settlement_trace import trace_account, trace_unit
from engine.trace import Trace, TraceInput, step
from models.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.run_view import load_run_view
from tests.views.screens import save_screens
from tests.views.test_main_window import LOAD_TIMEOUT_MS, open_demo, window  # noqa: F401
from views.inspector import ASSUMED, GAP, STEP_ROLE, Inspector


def _top(inspector, i):
    return inspector.tree.topLevelItem(i)


def _texts(item):
    return item.text(0), item.text(1)


def test_a_hand_made_trace_lists_its_gap_and_assumed_rule_with_their_numbers(qtbot):
    steps = [
        step("R-PROF-FPN", [TraceInput("FPN", 10.0, "PN T_A-1 period 3")], 5.0, unit="MWh"),
        step("R-CBM", [], 12.5, unit="£"),  # assumed in the rulebook
        step("R-ND-CHARGE", [], 3.25, unit="£", gaps=(P376_BASELINING,)),
    ]
    trace = Trace("BM unit T_A-1, period 3", steps)
    inspector = Inspector()
    qtbot.addWidget(inspector)
    why = GapUse(KNOWN_GAPS[P376_BASELINING], "2024-06-12 is on or after 2023-02-23 (P376)")
    inspector.show_trace(trace, (why,))
    assert inspector.title.text() == (
        "<b>BM unit T_A-1, period 3</b>: 3 steps, 1 resting on assumed rules (shaded), "
        "1 on known gaps (red)"
    )
    gaps, assumed = _top(inspector, 0), _top(inspector, 1)
    assert _texts(gaps) == ("Known gaps (§15): 1", "step 3")
    assert gaps.background(0) == GAP
    line = gaps.child(0)
    assert line.text(0).startswith("GAP-P376-BASELINING: P376 baselining")
    assert line.text(1) == "3.25 £"  # the traced number that depends on it
    details = [_texts(line.child(i)) for i in range(line.childCount())]
    assert details[0] == ("affects", KNOWN_GAPS[P376_BASELINING].affects)
    assert details[1] == ("S0142", KNOWN_GAPS[P376_BASELINING].s0142)
    assert details[2] == ("on this day", "2024-06-12 is on or after 2023-02-23 (P376)")
    assert details[3][1] == "3.25 £" and details[3][0].startswith("→ 3. R-ND-CHARGE")
    assert _texts(assumed) == ("Assumed rules: 1", "steps 2")
    assert assumed.background(0) == ASSUMED
    assert _texts(assumed.child(0))[1] == "12.5 £"
    assert assumed.child(0).data(0, STEP_ROLE) == 2
    # The steps follow, numbered; the gap step red on the left.
    assert inspector.tree.topLevelItemCount() == 2 + 3
    third = _top(inspector, 4)
    assert third.text(0).startswith("3. R-ND-CHARGE")
    assert third.background(0) == GAP
    assert _top(inspector, 3).background(0) == ASSUMED
    # Selecting a summary line goes to its step; an input still navigates to its source.
    inspector._activated(line.child(3), 0)
    assert inspector.tree.currentItem() is third
    with qtbot.waitSignal(inspector.navigate) as navigated:
        inspector._activated(_top(inspector, 2).child(1), 0)
    assert navigated.args == ["PN T_A-1 period 3"]


def test_a_trace_without_gaps_or_assumed_rules_has_no_summary(qtbot):
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.show_trace(Trace("x", [step("R-PROF-FPN", [], 1.0, unit="MWh")]))
    assert inspector.tree.topLevelItemCount() == 1
    assert inspector.tree.topLevelItem(0).text(0).startswith("1. R-PROF-FPN")
    assert inspector.title.text() == "<b>x</b>: 1 steps, 0 resting on assumed rules (shaded)"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("inspector") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=20, seed=2))
    return path


def test_a_settled_demo_day_shows_the_gaps_its_unit_and_account_numbers_depend_on(
    qtbot,
    window,  # noqa: F811
    demo,
    tmp_path,
):
    """2024-06-12 is after P376 (2023-02-23): a unit's non-delivery numbers depend on
    baselining; the demo's BSAD actions make every RCRC depend on the NETSO's accounts."""
    with SettlementDatabase.open(demo) as db:
        result = load_run_view(db, 1).result
    assert result.inputs.bm.settlement_date == date(2024, 6, 12)
    unit = result.inputs.bm.bm_units[0]
    trace = trace_unit(result, unit, 30)
    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.show_trace(trace, result.known_gaps)
    gapped = [n for n, s in enumerate(trace.steps, 1) if s.gaps]
    assert {trace.steps[n - 1].rule_id for n in gapped} == {"R-ND", "R-ND-CHARGE"}
    gaps = _top(inspector, 0)
    assert gaps.text(1) == "steps " + ", ".join(map(str, gapped))
    assert gaps.child(0).text(0).startswith("GAP-P376-BASELINING")
    reason = gaps.child(0).child(2)
    assert _texts(reason) == ("on this day", "2024-06-12 is on or after 2023-02-23 (P376)")
    account = trace_account(result, result.inputs.parties[0], "P", 30)
    inspector.show_trace(account, result.known_gaps)
    assert _top(inspector, 0).child(0).text(0).startswith("GAP-NETSO-ENERGY-ACCOUNTS")
    # In the window: the unit's trace in the inspector dock.
    open_demo(qtbot, window, demo)
    window.tabs.setCurrentWidget(window.explorer)
    assert window.explorer.select_unit(unit)
    window.period.setValue(30)
    shown = window.inspector
    assert _top(shown, 0).text(0) == "Known gaps (§15): 1"
    assert _top(shown, 1).text(0).startswith("Assumed rules:")
    save_screens(window, tmp_path, "inspector_known_gaps")
