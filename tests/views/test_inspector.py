"""The inspector names the known gaps (rulebook §15) and assumed rules a traced number
depends on, with that number, and goes to its step when one is selected."""

from __future__ import annotations

from datetime import date

import pytest

from engine.known_gaps import KNOWN_GAPS, P376_BASELINING, GapUse
from engine.settlement_trace import trace_account, trace_unit
from engine.trace import Trace, TraceInput, step
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.runs.run_view import load_run_view
from tests.views.screens import save_screens
from tests.views.window_driver import open_demo
from views.inspector import ASSUMED, GAP, STEP_ROLE, Inspector


def _top(inspector, i):
    return inspector.tree.topLevelItem(i)


def _texts(item):
    return item.text(0), item.text(1)


def test_a_hand_made_trace_lists_its_gap_and_assumed_rule_with_their_numbers(qtbot):
    steps = [
        step("R-PROF-FPN", [TraceInput("FPN", 10.0, "PN T_A-1 period 3")], 5.0, unit="MWh"),
        step("R-CBM", [], 12.5, unit="£"),  # assumed in the rulebook
        step("R-ND-CHARGE", [], 3.25, unit="£", gaps=(P376_BASELINING,)),  # assumed, a gap
    ]
    trace = Trace("BM unit T_A-1, period 3", steps)
    inspector = Inspector()
    qtbot.addWidget(inspector)
    why = GapUse(KNOWN_GAPS[P376_BASELINING], "2024-06-12 is on or after 2023-02-23 (P376)")
    inspector.show_trace(trace, (why,))
    assert inspector.title.text() == (
        "<b>BM unit T_A-1, period 3</b>: 3 steps, 2 resting on assumed rules (shaded), "
        "1 on known gaps (red)"
    )
    gaps, assumed = _top(inspector, 0), _top(inspector, 1)
    assert _texts(gaps) == ("Known gaps (§15): 1", "step 3")
    assert gaps.background(0) == GAP
    line = gaps.child(0)
    assert line.text(0).startswith("GAP-P376-BASELINING: P376 baselining")
    assert line.text(1) == "£3.25"  # the traced number that depends on it
    details = [_texts(line.child(i)) for i in range(line.childCount())]
    assert details[0] == ("affects", KNOWN_GAPS[P376_BASELINING].affects)
    assert details[1] == ("S0142", KNOWN_GAPS[P376_BASELINING].s0142)
    assert details[2] == ("on this day", "2024-06-12 is on or after 2023-02-23 (P376)")
    assert details[3][1] == "£3.25" and details[3][0].startswith("→ 3. R-ND-CHARGE")
    assert _texts(assumed) == ("Assumed rules: 2", "steps 2, 3")
    assert assumed.background(0) == ASSUMED
    assert _texts(assumed.child(0))[1] == "£12.50"
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
    window,
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
    label, why = _texts(reason)
    assert label == "on this day" and why.startswith("2024-06-12 is on or after 2023-02-23 (P376)")
    assert "may be baselined (not T_ or I_)" in why
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


def _all_texts(inspector) -> list[str]:
    return [t for item in inspector._all_items() for t in (item.text(0), item.text(1))]


def test_every_value_of_a_real_trace_is_formatted_for_a_person(qtbot, demo):
    """No raw Python ({'QAO_nj': …}, [('05:30Z', …), None, []) and no over-long decimals."""
    import re

    from engine.settlement_trace import trace_price

    with SettlementDatabase.open(demo) as db:
        result = load_run_view(db, 1).result
    inspector = Inspector()
    qtbot.addWidget(inspector)
    day = result.inputs.bm.settlement_date
    traces = [trace_unit(result, u, 30) for u in result.inputs.bm.bm_units]
    traces += [trace_account(result, p, "P", 30) for p in result.inputs.parties]
    traces.append(trace_price(result, 30))
    for trace in traces:
        inspector.show_trace(trace, result.known_gaps, day, 30)
        values = [item.text(1) for item in inspector._all_items()]
        for text in values:
            assert not re.search(r"[{}\[\]]|\('|None|\bnan\b|\d{2}:\d{2}Z", text), text
            assert not re.search(r"\d\.\d{7,}", text), text  # TLM to 6 places, not 9
            assert "£-" not in text, text
    # The unit trace: the period's spot times in BST (2024-06-12), the result with its unit.
    unit_trace = next(t for t in traces if any(s.rule_id == "R-PROF-BOA" for s in t.steps))
    inspector.show_trace(unit_trace, result.known_gaps, day, 30)
    texts = _all_texts(inspector)
    assert "14:30 BST" in texts  # period 30 starts 14:30 local, 13:30 UTC
    cbm = next(s for s in inspector.step_items if " R-CBM " in s.text(0))
    assert re.fullmatch(r"-?£[\d,]+\.\d\d", cbm.text(1))
    assert "UTC" not in " ".join(t for t in texts if t.endswith("BST"))


def _clipboard_rows():
    from PySide6.QtGui import QGuiApplication

    return [line.split("\t") for line in QGuiApplication.clipboard().text().split("\n")]


def test_copy_trace_pastes_as_a_table_with_numbers_as_numbers(qtbot):
    from PySide6.QtGui import QGuiApplication

    steps = [
        step(
            "R-CBM",
            [TraceInput("pair 1: QAO × PO + QAB × PB", "1 × 2 = 2", "BOD")],
            4843.1625,
            unit="£",
        ),
        step(
            "R-VOL-SUM",
            [
                TraceInput(
                    "QAO_knj, QAB_knj of each acceptance",
                    [(7, 1234.5, -0.25), (8, -0.0, 0.0)],
                    "R-VOL-INT",
                )
            ],
            {"QAO_nj": 1234.5, "QAB_nj": -0.25},
            unit="MWh",
            title="Pair 1: volumes of the period",
        ),
    ]
    inspector = Inspector()
    qtbot.addWidget(inspector)
    assert not inspector.copy_button.isEnabled()
    inspector.show_trace(Trace("BM unit T_A-1, period 3", steps))
    assert inspector.step_items[0].text(1) == "£4,843.16"
    inspector.copy_button.click()
    rows = _clipboard_rows()
    assert rows[0] == ["step", "rule", "status", "item", "value", "unit", "from"]
    assert all(len(r) == 7 for r in rows)
    assert rows[1] == ["1", "R-CBM", "assumed", "BM Unit cashflow", "4843.1625", "£", ""]
    by_item = {r[3]: r for r in rows}
    assert by_item["result › QAO_nj"][4:6] == ["1234.5", "MWh"]  # no "1,234.500"
    nested = by_item["QAO_knj, QAB_knj of each acceptance › acceptance 7 › QAB_knj"]
    assert nested[0] == "2" and nested[4:] == ["-0.25", "MWh", "R-VOL-INT"]
    assert float(by_item["result › QAO_nj"][4]) + float(nested[4]) == 1234.25
    assert by_item["QAO_knj, QAB_knj of each acceptance › acceptance 8 › QAO_knj"][4] == "0.0"
    html = QGuiApplication.clipboard().mimeData().html()
    assert "<table>" in html and "<td>4843.1625</td>" in html


def test_ctrl_a_selects_every_row_and_ctrl_c_copies_them_not_one_cell(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    inspector = Inspector()
    qtbot.addWidget(inspector)
    inspector.show_trace(
        Trace("x", [step("R-PROF-FPN", [TraceInput("FPN", 10.0)], 5.0, unit="MWh")])
    )
    inspector.show()
    inspector.tree.setFocus()
    inspector.tree.setCurrentItem(inspector.step_items[0])
    QTest.keyClick(inspector.tree, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(inspector.tree.selectedItems()) == 3  # the step, its formula, its input
    QTest.keyClick(inspector.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    rows = _clipboard_rows()
    assert len(rows) == 1 + 3 and rows[1][4] == "5.0" and rows[3][3:5] == ["FPN", "10.0"]


def test_the_columns_are_resizable_and_keep_the_width_the_user_gives(qtbot):
    from PySide6.QtWidgets import QHeaderView

    inspector = Inspector()
    qtbot.addWidget(inspector)
    header = inspector.tree.header()
    assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Interactive
    inspector.resize(600, 400)
    inspector.show()
    qtbot.waitExposed(inspector)
    header.resizeSection(0, 180)  # as a drag of the divider does
    inspector.resize(420, 400)
    qtbot.wait(10)
    assert inspector.tree.columnWidth(0) == 180
