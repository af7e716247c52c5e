"""Scenarios in the workbench: edit with undo and redo, settle and compare, cases, Excel."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from models.runs.scenarios import store
from tests.paths import CASES
from tests.views.window_driver import LOAD_TIMEOUT_MS, screenshot


@pytest.fixture
def worked_db(tmp_path):
    path = tmp_path / "worked.sqlite"
    with SettlementDatabase.create(path) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    return path


def settle_down(qtbot, win) -> None:
    qtbot.waitUntil(lambda: win.view is not None and not win.jobs.busy(), timeout=LOAD_TIMEOUT_MS)


def overrides(win, scenario):
    with win.db.engine.connect() as conn:
        return [(r.seq, r.active) for r in store.overrides(conn, scenario, active_only=False)]


def test_scenario_edits_undo_redo_compare_and_export(qtbot, window, worked_db, tmp_path):
    assert window.open_database(str(worked_db))
    settle_down(qtbot, window)
    disputes = window.disputes
    scenarios = disputes.scenarios
    assert not disputes.metered_action.isEnabled()  # a settlement run is never edited
    scenario = scenarios.create_scenario("acceptance 2 disputed")
    settle_down(qtbot, window)
    assert window.view.run.id == scenario and disputes.metered_action.isEnabled()

    scenarios.edit(
        "remove_acceptance",
        {"bm_unit": "T_GEN-1", "number": 2},
        None,
        "acceptance 2 was never instructed",
    )
    settle_down(qtbot, window)
    stack = scenarios.stacks[scenario]
    assert stack.count() == 1 and overrides(window, scenario) == [(1, True)]
    assert window.view.result.bm.cashflows.cbm.sum() == pytest.approx(2633.333333, abs=1e-5)

    stack.undo()  # Ctrl+Z
    settle_down(qtbot, window)
    assert overrides(window, scenario) == [(1, False)]
    assert window.view.result.bm.cashflows.cbm.sum() == pytest.approx(2171.833333, abs=1e-5)
    stack.redo()  # Ctrl+Shift+Z
    settle_down(qtbot, window)
    assert overrides(window, scenario) == [(1, True)]

    disputes.comparisons.settle_and_compare()
    view = disputes.comparison
    qtbot.waitUntil(lambda: view.comparison is not None, timeout=LOAD_TIMEOUT_MS)
    settle_down(qtbot, window)
    parties = view.comparison.parties.set_index("party")["net_delta"]
    assert parties["GEN"] == pytest.approx(152.62, abs=0.005)
    assert parties["SUP"] == pytest.approx(308.88, abs=0.005)
    assert "not material" in view.title.text()
    screenshot(window, tmp_path, "comparison")
    compared = tmp_path / "comparison.xlsx"
    disputes.exports.export_comparison(str(compared))
    qtbot.waitUntil(lambda: compared.exists() and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert load_workbook(compared)["Summary"]["B2"].value.startswith("Comparison of run 1")

    case = disputes.cases.create_dispute_case(
        1, reference="TD-1", raising_party="GEN", category="general", description="acceptance 2"
    )
    assert case is not None and disputes.case_panel.cases[0].scenarios == (scenario,)
    assert disputes.cases_dock.isVisible()  # a new case shows in its dock
    pack = tmp_path / "pack.xlsx"
    disputes.exports.export_case_pack(str(pack))
    qtbot.waitUntil(lambda: pack.exists() and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert load_workbook(pack)["Summary"]["B2"].value.startswith("Dispute TD-1")
    screenshot(window, tmp_path, "scenario_panel")

    with window.db.engine.connect() as conn:
        actions = [a.action for a in store.audit_trail(conn, scenario)]
    assert actions == ["create", "apply", "undo", "redo", "settle"]


def test_an_edit_that_does_not_fit_is_refused_with_a_message(qtbot, window, worked_db):
    assert window.open_database(str(worked_db))
    settle_down(qtbot, window)
    scenarios = window.disputes.scenarios
    scenario = scenarios.create_scenario("bad edit")
    settle_down(qtbot, window)
    scenarios.edit("tlf", {"bm_unit": "T_NOPE-1"}, {"tlf": 0.1}, "typo")
    assert "T_NOPE-1 is not in the run" in window.status.text()
    assert scenarios.stacks[scenario].count() == 0
    assert overrides(window, scenario) == []
