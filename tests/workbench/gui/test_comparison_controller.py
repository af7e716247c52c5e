"""Comparisons without a window: computed in a job, held in the selection with what they were
computed from, and out of date when the database says a run changed (an edit made elsewhere)."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QInputDialog

from models.runs.run_view import load_run_view
from models.runs.scenarios import store
from views.comparison_view import ComparisonView
from workbench.gui.comparison_controller import COMPARE_AGAIN, SETTLE_AGAIN, ComparisonController
from workbench.gui.jobs import JobRunner

TIMEOUT_MS = 60_000


@pytest.fixture
def scenario(selection) -> int:
    """Scenario 2 on run 1 with acceptance 2 of T_GEN-1 removed, shown."""
    db = selection.database
    with db.engine.begin() as conn:
        scenario = store.create_scenario(conn, 1, "acceptance 2 disputed", author="test")
        store.edit(
            conn,
            scenario,
            "remove_acceptance",
            {"bm_unit": "T_GEN-1", "number": 2},
            None,
            author="test",
            reason="never instructed",
        )
    selection.run = load_run_view(db, scenario)
    return scenario


@pytest.fixture
def controller(qtbot, selection, told):
    view = ComparisonView()
    qtbot.addWidget(view)
    jobs = JobRunner()
    tabs = []
    c = ComparisonController(
        selection, jobs, told.feedback(), view, lambda: tabs.append(True), author="test"
    )
    c.tabs = tabs
    yield c
    jobs.wait_all()


def compare(qtbot, controller, run) -> None:
    with qtbot.waitSignal(controller.jobs.finished, timeout=TIMEOUT_MS):
        run()
    qtbot.waitUntil(lambda: not controller.jobs.busy(), timeout=TIMEOUT_MS)


def test_settle_and_compare_holds_the_comparison_with_its_key(
    qtbot, controller, selection, scenario, told
):
    compare(qtbot, controller, controller.settle_and_compare)
    compared = selection.comparison
    assert compared.out_of_date is None and compared.again == SETTLE_AGAIN
    key = compared.key
    assert (key.database, key.first_run, key.second_run) == (selection.database.location, 1, 2)
    assert key.revision == ((2, 2),)  # create, apply; the settle is not an input change
    assert controller.view.current and controller.tabs == [True]
    # Hand-checked deltas of removing acceptance 2 (tests/views/test_scenarios_gui.py).
    parties = controller.view.comparison.parties.set_index("party")["net_delta"]
    assert parties["GEN"] == pytest.approx(152.62, abs=0.005)
    assert told.status[-1] == controller.view.comparison.verdict()
    with selection.database.engine.connect() as conn:
        assert [a.action for a in store.audit_trail(conn, 2)][-1] == "settle"


def test_settle_and_compare_settles_each_run_once(qtbot, controller, scenario, monkeypatch):
    """Issue 20: F6 settled the scenario twice (once to store it, once more to compare)."""
    import models.exports.packs as packs
    import models.runs.results_store as results_store

    settled = []

    def counted(real):
        def settle_day(inputs, *args, **kwargs):
            settled.append(inputs)
            return real(inputs, *args, **kwargs)

        return settle_day

    monkeypatch.setattr(packs, "settle_day", counted(packs.settle_day))
    monkeypatch.setattr(results_store, "settle_day", counted(results_store.settle_day))
    compare(qtbot, controller, controller.settle_and_compare)
    assert len(settled) == 2  # the base run and the scenario
    parties = controller.view.comparison.parties.set_index("party")["net_delta"]
    assert parties["GEN"] == pytest.approx(152.62, abs=0.005)


def test_a_change_made_elsewhere_is_found_when_a_run_is_shown(
    qtbot, controller, selection, scenario
):
    compare(qtbot, controller, lambda: controller.compare(1, scenario))
    assert selection.comparison.again == COMPARE_AGAIN and controller.verify() is None
    qtbot.waitUntil(lambda: not controller.jobs.busy(), timeout=TIMEOUT_MS)
    assert selection.comparison.out_of_date is None  # the database said it holds
    with selection.database.engine.begin() as conn:  # the command line undoes the edit
        store.undo(conn, scenario, author="someone else")
    selection.run = load_run_view(selection.database, 1)  # the base run: one of the two
    qtbot.waitUntil(lambda: selection.comparison.out_of_date is not None, timeout=TIMEOUT_MS)
    assert selection.comparison.out_of_date == (
        "the scenario changed since (an edit, undo or redo)"
    )
    assert not controller.view.current
    assert controller.view.title.text().startswith("Out of date: the scenario changed since")
    assert controller.view.title.text().endswith(COMPARE_AGAIN)


def test_a_comparison_of_a_settlement_run_alone_is_not_offered(qtbot, controller, selection, told):
    controller.settle_and_compare()  # run 1 is no scenario: nothing to settle and compare
    assert not controller.jobs.busy() and selection.comparison is None
    controller.compare_with_run()  # and run 1 is the only run of its date
    qtbot.waitUntil(lambda: not controller.jobs.busy(), timeout=TIMEOUT_MS)
    assert told.status == ["No other run of this date to compare with."]


CONTROLLER = "workbench/gui/comparison_controller.py"


def test_checks_and_the_runs_to_compare_with_take_no_connection_on_the_gui_thread(
    qtbot, controller, selection, scenario, told, monkeypatch, gui_thread_checkouts
):
    """Issue 20: the check on each run shown and the list of the date's runs were round
    trips the window froze for on a team server; in workers, as the comparison is."""
    compare(qtbot, controller, lambda: controller.compare(1, scenario))
    assert selection.comparison.out_of_date is None and controller.tabs == [True]
    with selection.database.engine.begin() as conn:  # the command line undoes the edit
        store.undo(conn, scenario, author="someone else")
    selection.run = load_run_view(selection.database, scenario)  # checked on each run shown
    qtbot.waitUntil(lambda: selection.comparison.out_of_date is not None, timeout=TIMEOUT_MS)
    offered = []

    def choose(parent, title, label, labels, current, editable):
        offered.append(labels)
        return labels[0], True

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    controller.compare_with_run()  # the scenario's date: run 1 is another of it
    qtbot.waitUntil(lambda: offered != [], timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: not controller.jobs.busy(), timeout=TIMEOUT_MS)
    assert offered == [["run 1: 2024-06-12 SF"]]
    assert selection.comparison.out_of_date is None  # compared again, with run 1
    assert (selection.comparison.key.first_run, selection.comparison.key.second_run) == (
        1,
        scenario,
    )
    mine = [entry for entry in gui_thread_checkouts.found if CONTROLLER in entry]
    assert mine == []


def test_a_run_list_that_comes_after_another_run_is_shown_is_dropped(
    qtbot, controller, selection, scenario, told, monkeypatch
):
    import models.runs.run_store as run_store

    real, release = run_store.list_runs, threading.Event()

    def slow(*args, **kwargs):
        release.wait(TIMEOUT_MS / 1000)
        return real(*args, **kwargs)

    monkeypatch.setattr(run_store, "list_runs", slow)
    offered = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a: (offered.append(a), ("", False))[1])
    controller.compare_with_run()  # asked on the scenario
    selection.run = load_run_view(selection.database, 1)  # then run 1 shown
    release.set()
    qtbot.waitUntil(lambda: not controller.jobs.busy(), timeout=TIMEOUT_MS)
    assert offered == [] and told.status == []  # no choice of runs for a run no longer shown


def test_a_comparison_that_ends_after_another_database_opened_is_not_drawn(
    qtbot, controller, selection, scenario, told, monkeypatch, tmp_path
):
    """Run ids repeat across databases: a comparison of the database before, drawn over the
    one open now, showed figures of other runs under the same numbers."""
    import models.exports.packs as packs
    from models.casefiles.case_file import load_case
    from models.db.database import SettlementDatabase
    from models.runs.case_store import import_case
    from tests.paths import CASES

    real, release = packs.compare_runs, threading.Event()

    def slow(*args, **kwargs):
        release.wait(TIMEOUT_MS / 1000)
        return real(*args, **kwargs)

    monkeypatch.setattr(packs, "compare_runs", slow)
    before = selection.database
    controller.compare(1, scenario)
    other = SettlementDatabase.create(tmp_path / "other.sqlite")
    try:
        import_case(other, load_case(CASES / "worked_example.json"))
        selection.database = other  # another database opened meanwhile
        release.set()
        qtbot.waitUntil(lambda: not controller.jobs.busy(), timeout=TIMEOUT_MS)
        assert controller.view.comparison is None and selection.comparison is None
        assert controller.tabs == []
        assert told.status == [
            f"The comparison of run {scenario} with run 1 in {before.location} is not "
            "shown: another database is open."
        ]
    finally:
        other.close()
