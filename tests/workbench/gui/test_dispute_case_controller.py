"""Dispute cases without a window: a case takes the scenario shown, shows in its dock, and a
repeated add is one line; the list, the case and the scenario added are read and written in
workers (issue 20), and a refresh a newer one replaced shows nothing."""

from __future__ import annotations

import threading
from datetime import date

import pytest

import models.disputes.dispute_cases as dispute_cases
from models.db.database import SettlementDatabase
from models.runs.run_view import load_run_view
from models.runs.scenarios import store
from views.dispute_case_panel import DisputeCasePanel
from workbench.gui.dispute_case_controller import DisputeCaseController
from workbench.gui.jobs import JobRunner

TIMEOUT_MS = 30_000
CONTROLLER = "workbench/gui/dispute_case_controller.py"


@pytest.fixture
def controller(qtbot, selection, told):
    panel = DisputeCasePanel()
    qtbot.addWidget(panel)
    shown = []
    jobs = JobRunner()
    c = DisputeCaseController(selection, jobs, told.feedback(), panel, lambda: shown.append(True))
    c.shown = shown
    yield c
    jobs.wait_all()
    qtbot.waitUntil(lambda: not jobs.busy(), timeout=TIMEOUT_MS)


def settle(qtbot, controller) -> None:
    qtbot.waitUntil(lambda: not controller.jobs.busy(), timeout=TIMEOUT_MS)


def case_of(conn, reference: str, run: int = 1) -> int:
    return dispute_cases.create_dispute_case(
        conn, run_id=run, reference=reference, raising_party="GEN", category="general",
        description="",
    )  # fmt: skip


def test_a_case_takes_the_scenario_shown_and_a_repeat_is_one_line(
    qtbot, controller, selection, told
):
    with selection.database.engine.begin() as conn:
        scenario = store.create_scenario(conn, 1, "s", author="test")
    selection.run = load_run_view(selection.database, scenario)
    settle(qtbot, controller)
    controller.create_dispute_case(
        1,
        reference="TD-1",
        raising_party="GEN",
        category="general",
        description="acceptance 2",
        run_date=date(2024, 7, 4),
    )
    settle(qtbot, controller)
    assert controller.shown == [True] and told.status == ["Dispute case TD-1 created."]
    (listed,) = controller.panel.cases
    assert (listed.reference, listed.scenarios) == ("TD-1", (scenario,))
    controller.panel.table.view.selectRow(0)
    controller.add_scenario_to_case()  # already in it
    settle(qtbot, controller)
    ((title, message),) = told.errors
    assert (title, message) == (
        "Scenario not added",
        f"scenario {scenario} is already in case TD-1",
    )


def test_a_case_needs_a_scenario_shown_to_add_it(controller, told):
    controller.add_scenario_to_case()
    assert told.status == ["Choose a case and load a scenario first."]


def test_a_case_of_an_unknown_category_is_refused_with_a_message(qtbot, controller, told):
    controller.create_dispute_case(
        1, reference="TD-2", raising_party="GEN", category="weather", description=""
    )
    settle(qtbot, controller)
    ((title, message),) = told.errors
    assert title == "No case created"
    assert message.startswith("unknown category 'weather'")
    assert controller.shown == [] and controller.panel.cases == []


def test_the_list_and_the_writes_take_no_connection_on_the_gui_thread(
    qtbot, controller, selection, gui_thread_checkouts
):
    """Issue 20: on a team server each was a round trip the window froze for."""
    db = selection.database
    with db.engine.begin() as conn:
        scenario = store.create_scenario(conn, 1, "s", author="test")
    selection.run = load_run_view(db, scenario)  # the list is read on each run shown
    settle(qtbot, controller)
    controller.create_dispute_case(
        1, reference="TD-3", raising_party="GEN", category="general", description=""
    )
    settle(qtbot, controller)
    with db.engine.begin() as conn:
        case_of(conn, "TD-4")
    controller.refresh()
    settle(qtbot, controller)
    controller.panel.table.view.selectRow(1)
    assert controller.panel.selected_case().reference == "TD-4"
    controller.add_scenario_to_case()
    settle(qtbot, controller)
    mine = [entry for entry in gui_thread_checkouts.found if CONTROLLER in entry]
    assert mine == []
    assert [(c.reference, c.scenarios) for c in controller.panel.cases] == [
        ("TD-3", (scenario,)),
        ("TD-4", (scenario,)),
    ]


def test_two_quick_run_switches_show_the_latest_runs_cases(
    qtbot, controller, selection, worked, tmp_path, monkeypatch
):
    """The first read, slow (a far server), ends after the second: its answer, of the
    database shown before, is not what the dock shows."""
    other = SettlementDatabase.create(tmp_path / "other.sqlite")
    try:
        from models.casefiles.case_file import load_case
        from models.runs.case_store import import_case
        from tests.paths import CASES

        import_case(other, load_case(CASES / "worked_example.json"))
        with worked.engine.begin() as conn:
            case_of(conn, "OLD-1")
        with other.engine.begin() as conn:
            case_of(conn, "NEW-1")
        real, release, reading = dispute_cases.list_dispute_cases, threading.Event(), []

        def slow_on_the_first(conn):
            reading.append(conn)
            if len(reading) == 1:
                release.wait(TIMEOUT_MS / 1000)
            return real(conn)

        monkeypatch.setattr(dispute_cases, "list_dispute_cases", slow_on_the_first)
        selection.run = load_run_view(worked, 1)  # the first switch: its read waits
        qtbot.waitUntil(lambda: len(reading) == 1, timeout=TIMEOUT_MS)
        selection.database = other
        selection.run = load_run_view(other, 1)  # the second: answered at once
        qtbot.waitUntil(lambda: len(reading) == 2, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: len(controller.panel.cases) == 1, timeout=TIMEOUT_MS)
        release.set()
        settle(qtbot, controller)
        assert [c.reference for c in controller.panel.cases] == ["NEW-1"]
    finally:
        release.set()
        controller.jobs.wait_all()
        other.close()
