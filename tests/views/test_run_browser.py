"""The run browser: settlement dates (with their number of periods) → runs and scenarios, a
run's counts, a scenario without counts of its own, and a click that chooses a run."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from models.runs.run_store import list_runs
from models.runs.scenarios import store
from tests.paths import CASES
from views.run_browser import RUN_ROLE, RunBrowser


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The worked example's SF run, a scenario on it, and a second SF run of a spring clock
    change day (46 periods) made from the first's record."""
    path = tmp_path_factory.mktemp("runs") / "w.sqlite"
    with SettlementDatabase.create(path) as db:
        run = import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            store.create_scenario(conn, run, "what if", author="tester")
        with db.engine.connect() as conn:
            listed = list_runs(conn)
    spring = replace(listed[0], id=9, settlement_date=date(2026, 3, 29), run_number=2,
                     bm_units=1234, acceptances=10_500)  # fmt: skip
    return [*listed, spring]


def labels(item) -> list[str]:
    return [item.text(c) for c in range(4)]


def test_dates_hold_their_runs_and_scenarios(qtbot, runs):
    browser = RunBrowser()
    qtbot.addWidget(browser)
    browser.show_runs(runs)
    tree = browser.tree
    assert tree.topLevelItemCount() == 2
    june, spring = tree.topLevelItem(0), tree.topLevelItem(1)
    assert labels(june) == ["Wed 12 Jun 2024", "", "", "48 periods"]
    assert labels(spring)[3] == "46 periods"
    sf, scenario = june.child(0), june.child(1)
    assert labels(sf) == ["SF", "2", "2", "case file"]
    assert labels(scenario) == ["scenario what if", "", "", "scenario on run 1"]
    assert labels(spring.child(0))[:3] == ["SF #2", "1,234", "10,500"]
    assert [sf.data(0, RUN_ROLE), scenario.data(0, RUN_ROLE)] == [1, 2]
    assert sf.toolTip(0).startswith("run 1: ") and "2 parties" in sf.toolTip(0)


def test_a_click_on_a_run_chooses_it_and_on_a_date_nothing(qtbot, runs):
    browser = RunBrowser()
    qtbot.addWidget(browser)
    browser.show_runs(runs)
    june = browser.tree.topLevelItem(0)
    with qtbot.waitSignal(browser.run_chosen) as chosen:
        browser.tree.itemClicked.emit(june.child(1), 0)
    assert chosen.args == [2]
    with qtbot.assertNotEmitted(browser.run_chosen):
        browser.tree.itemClicked.emit(june, 0)


def test_select_run_makes_it_current(qtbot, runs):
    browser = RunBrowser()
    qtbot.addWidget(browser)
    browser.show_runs(runs)
    browser.select_run(9)
    assert browser.tree.currentItem().data(0, RUN_ROLE) == 9
    browser.show_runs(runs[:1])  # shown again: the old items go
    assert browser.tree.topLevelItemCount() == 1 and browser.tree.topLevelItem(0).childCount() == 1
