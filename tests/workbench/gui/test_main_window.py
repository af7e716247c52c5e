"""The desktop workbench driven as a user would, offscreen, with screenshots of each screen."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import text

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.runs.case_store import import_case
from tests.paths import CASES
from tests.views.window_driver import LOAD_TIMEOUT_MS, open_database, open_demo, screenshot
from workbench.gui.main_window import MainWindow


def test_opening_a_database_shows_runs_prices_and_parties(qtbot, window, demo_path, tmp_path):
    open_demo(qtbot, window, demo_path)
    top = window.runs.tree.topLevelItem(0)
    assert [top.child(i).text(0) for i in range(top.childCount())] == ["II", "SF", "R1"]
    assert window.overview.title.text().startswith("2024-06-12 II: CSOBM £")  # key facts first
    parties = len(window.view.result.inputs.parties)
    assert window.overview.parties.proxy.rowCount() == parties
    assert "checks 288 passed" in window.status.text()  # 6 checks × 48 metered periods
    # Each chart's key is in its title row, above the data, never over the first periods.
    window.grab()  # laid out and painted
    for plot, key in (
        (window.overview.price_plot, "● engine SSP = SBP"),
        (window.overview.niv_plot, "■ short (NIV > 0) ■ long (NIV < 0)"),
    ):
        shown = " ".join(plot.titleLabel.item.toPlainText().split())
        assert shown == key  # as shown: HTML, so "<" must not cut it
        title = plot.titleLabel.mapRectToScene(plot.titleLabel.boundingRect())
        assert title.bottom() <= plot.vb.mapRectToScene(plot.vb.boundingRect()).top() + 1
    window.overview.parties.filter.setText("zzz-no-such-party")
    assert window.overview.parties.proxy.rowCount() == 0
    window.overview.parties.filter.clear()
    screenshot(window, tmp_path, "day_overview")


def test_selecting_a_unit_and_period_updates_charts_pairs_and_inspector(
    qtbot, window, demo_path, tmp_path
):
    open_demo(qtbot, window, demo_path)
    window.tabs.setCurrentWidget(window.explorer)
    result = window.view.result
    busiest = result.inputs.bm.bm_units[int(result.bm.cashflows.cbm.sum(axis=1).argmax())]
    assert window.explorer.select_unit(busiest)
    window.period.setValue(30)
    assert window.explorer.title.text().startswith(busiest)
    assert window.inspector.title.text().startswith(f"<b>BM unit {busiest}, period 30")
    pairs = result.inputs.bm.pairs
    expected = int(
        ((pairs.unit == result.inputs.bm.unit_index(busiest)) & (pairs.period == 30)).sum()
    )
    assert window.explorer.pairs.proxy.rowCount() == expected
    assert len(window.explorer.level_plot.listDataItems()) >= 2  # FPN and band edges at least
    screenshot(window, tmp_path, "bm_units")


def test_price_stack_view_and_its_trace(qtbot, window, demo_path, tmp_path):
    open_demo(qtbot, window, demo_path)
    window.tabs.setCurrentWidget(window.stack)
    window.period.setValue(36)
    assert window.stack.title.text().startswith("Period 36: SSP = SBP £")
    items = int((window.view.result.items.period == 36).sum())
    assert window.stack.table.proxy.rowCount() == items
    assert window.inspector.title.text().startswith("<b>imbalance price, period 36")
    screenshot(window, tmp_path, "price_stack")


def test_clicking_an_inspector_input_selects_its_unit_and_period(qtbot, window, demo_path):
    open_demo(qtbot, window, demo_path)
    other = window.view.result.inputs.bm.bm_units[3]
    window.inspector.navigate.emit(f"BOD {other} pair 1 period 12")
    assert window.period.value() == 12
    assert window.tabs.currentWidget() is window.explorer
    assert window.explorer.title.text().startswith(other)


def test_settle_stores_results_in_a_worker(qtbot, window, demo_path):
    open_demo(qtbot, window, demo_path)
    window.settle()
    qtbot.waitUntil(lambda: "results stored" in window.status.text(), timeout=LOAD_TIMEOUT_MS)
    with SettlementDatabase.open(demo_path) as db, db.engine.connect() as conn:
        stored = conn.execute(
            text(f"SELECT count(*) FROM system_price_result WHERE run_id = {window.view.run.id}")
        ).scalar()
    assert stored == 48


def test_a_job_can_be_cancelled(qtbot, window, tmp_path):
    target = tmp_path / "big.sqlite"
    window.create_demo_at(str(target), bmus=200, days=5)
    window.jobs.cancel()
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert window.status.text() == "Cancelled."
    assert not target.exists()


def test_a_file_that_is_not_a_database_gives_a_readable_message(qtbot, window, tmp_path):
    bad = tmp_path / "notes.sqlite"
    bad.write_text("not a database")
    assert not open_database(qtbot, window, bad)
    assert window.status.text().startswith("Cannot open the database: ")
    assert "not a SQLite file" in window.status.text()
    window._last_error.close()


def test_recent_files_and_last_run_are_remembered(qtbot, window, demo_path, tmp_path):
    open_demo(qtbot, window, demo_path)
    assert window.settings.value("recent", [], type=list)[0] == str(demo_path)
    assert [a.text() for a in window.recent_menu.actions()] == [str(demo_path)]


def test_last_run_unit_and_period_come_back_next_time(qtbot, window, demo_path, tmp_path):
    open_demo(qtbot, window, demo_path)
    sf = window.runs.tree.topLevelItem(0).child(1)
    window.runs._chosen(sf, 0)
    qtbot.waitUntil(
        lambda: window.view.run.run_type == "SF" and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS
    )
    unit = window.view.units.bm_unit_id[3]
    assert window.explorer.view is None  # filled when first shown, not before
    window.tabs.setCurrentWidget(window.explorer)
    assert window.explorer.select_unit(unit)
    window.period.setValue(7)
    window.close()
    again = MainWindow(window.settings)
    qtbot.addWidget(again)
    open_demo(qtbot, again, demo_path)
    assert again.view.run.run_type == "SF" and again.period.value() == 7
    again.tabs.setCurrentWidget(again.explorer)
    assert again.explorer.view.units.bm_unit_id[again.explorer.unit] == unit
    again.close()


def test_engine_results_that_differ_from_stored_ones_are_highlighted(qtbot, window, tmp_path):
    path = tmp_path / "stored.sqlite"
    generate_demo(path, DemoSpec(bmus=20, seed=8))
    from models.runs.results_store import settle_run

    with SettlementDatabase.open(path) as db:
        settle_run(db, 1)
        with db.engine.begin() as conn:
            party, unit = conn.execute(
                text("SELECT lead_party_id, id FROM bm_unit ORDER BY id LIMIT 1")
            ).one()
            # As if an earlier engine had stored other numbers: a charge, a price, a cashflow.
            conn.execute(
                text("UPDATE party_result SET caei = caei + 10 WHERE run_id = 1 AND party_id = :p"),
                {"p": party},
            )
            conn.execute(
                text(
                    "UPDATE system_price_result SET ssp = ssp + 1 "
                    "WHERE run_id = 1 AND origin = 'engine' AND period = 20"
                )
            )
            conn.execute(
                text(
                    "UPDATE bm_unit_period_result SET cbm = cbm - 5 "
                    "WHERE run_id = 1 AND bm_unit_id = :u AND period = 20"
                ),
                {"u": unit},
            )
    open_demo(qtbot, window, path)
    assert window.view.run.id == 1
    assert window.status.text().endswith(
        "engine differs from the stored results: 1 party, 1 period, 1 BM unit (highlighted)"
    )
    overview = window.overview
    assert overview.tables.tabText(2) == "Stored results (3 differ)"
    stored = overview.stored.model
    rows = {stored.raw(r, 0): [stored.raw(r, c) for c in range(6)] for r in range(3)}
    assert rows["party"][1:3] == [party, "CAEI £"]
    assert rows["party"][5] == pytest.approx(-10)  # engine − stored
    assert rows["period"][1:3] == ["20", "SSP £/MWh"] and rows["period"][5] == pytest.approx(-1)
    assert rows["BM unit"][1:3] == [unit, "CBM £ day"] and rows["BM unit"][5] == pytest.approx(5)
    # The party's CAEI cell (and its name) is highlighted, not its other charges.
    parties = overview.parties.model
    row = list(window.view.result.inputs.parties).index(party)
    assert [parties.highlighted(row, c) for c in range(6)] == [
        True,
        False,
        False,
        True,
        False,
        False,
    ]
    overview.tables.setCurrentWidget(overview.stored)
    screenshot(window, tmp_path, "stored_differences")
    # Selecting a difference goes to it: the period, then the BM unit in its own view.
    for kind in ("period", "BM unit"):
        r = next(i for i in range(3) if stored.raw(i, 0) == kind)
        overview.stored.select_source_row(r)
    assert window.period.value() == 20
    assert window.tabs.currentWidget() is window.explorer
    explorer = window.explorer
    assert explorer.view.units.bm_unit_id[explorer.unit] == unit
    assert explorer.units.model.highlighted(explorer.unit, 0)
    assert sum(explorer.units.model.highlighted(r, 0) for r in range(20)) == 1
    screenshot(window, tmp_path, "stored_differences_unit")


def test_a_launch_adopts_the_run_loading_since_before_the_window(qtbot, tmp_path, demo_path):
    from workbench.gui import preload

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue(preload.last_run_key(str(demo_path)), 2)  # SF, shown last time
    started = preload.start(str(demo_path), settings)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.run_shown, timeout=LOAD_TIMEOUT_MS) as shown:
        assert window.open_database(str(demo_path), started)
    assert shown.args == [2] and started.run_id == 2
    assert window.view is started.view and window.view.run.run_type == "SF"
    assert window.runs.tree.currentItem().text(0) == "SF"
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    window.close()


def test_a_launch_on_a_bad_file_says_why_and_a_cancelled_one_stops(qtbot, window, tmp_path):
    from workbench.gui import preload

    bad = tmp_path / "notes.sqlite"
    bad.write_text("not a database")
    started = preload.start(str(bad), window.settings)
    assert not open_database(qtbot, window, bad, started)
    assert "not a SQLite file" in window.status.text()
    window._last_error.close()
    big = tmp_path / "big.sqlite"
    generate_demo(big, DemoSpec(bmus=300, seed=2))
    started = preload.start(str(big), window.settings)
    assert open_database(qtbot, window, big, started)
    window.jobs.cancel()  # its run loading
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert window.status.text() == "Cancelled." and window.view is None
    started.wait(10)
    assert not started._thread.is_alive()


def test_the_run_to_open_is_the_one_shown_last_time_if_it_still_exists():
    from workbench.gui.preload import choose_run

    assert choose_run([5, 3, 1], 3) == 3
    assert choose_run([5, 3, 1], 9) == 5  # deleted since: the newest
    assert choose_run([5, 3, 1], None) == 5
    assert choose_run([], 3) is None


def test_a_run_loaded_behind_another_view_fills_the_overview_when_shown(qtbot, window, demo_path):
    open_demo(qtbot, window, demo_path)
    window.tabs.setCurrentWidget(window.explorer)
    sf = window.runs.tree.topLevelItem(0).child(1)
    with qtbot.waitSignal(window.run_shown, timeout=LOAD_TIMEOUT_MS):
        window.runs._chosen(sf, 0)
    assert window.overview.title.text().startswith("2024-06-12 II:")  # not redrawn unseen
    window.tabs.setCurrentWidget(window.overview)
    assert window.overview.title.text().startswith("2024-06-12 SF:")
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)


def test_the_status_counts_not_applicable_checks_apart(qtbot, window, tmp_path):
    # The worked example over periods 26 and 27 with every meter at 0: period 26 holds
    # nothing (R-PRC-MIP, and no metered volumes) and period 27 is one-sided (R-TLM): 7
    # passed, 3 not applicable.
    case = load_case(CASES / "worked_example.json")
    case["periods"] = [26, 27]
    case["metered_volumes"] = [{**m, "mwh": 0.0} for m in case["metered_volumes"]]
    path = tmp_path / "na.sqlite"
    with SettlementDatabase.create(path) as db:
        import_case(db, case)
    open_demo(qtbot, window, path)
    assert "checks 7 passed, 3 not applicable;" in window.status.text()
    assert "FAILED" not in window.status.text()


def test_the_period_box_and_the_views_follow_the_selection(qtbot, window, demo_path):
    open_demo(qtbot, window, demo_path)
    window.tabs.setCurrentWidget(window.stack)
    selection = window.selection
    seen = []
    selection.events.period.connect(seen.append)
    selection.period = 12  # as a controller or view would choose it
    assert window.period.value() == 12 and window.stack.period == 12
    assert window.stack.title.text().startswith("Period 12: ")
    assert window.inspector.title.text().startswith("<b>imbalance price, period 12")
    window.period.stepUp()  # Alt+Right, through the box
    assert selection.period == 13 and window.stack.period == 13
    selection.period = 60  # beyond the day's 48: the box's last period holds
    assert selection.period == 48 and window.period.value() == 48
    selection.period = 60  # again, the box already at 48 (no change of its own to report)
    assert selection.period == 48 and window.stack.period == 48
    assert seen == [12, 13, 48, 48]  # a listener after the box never sees 60
    # The BM unit: chosen in the BM units view, or set in the selection and shown there.
    window.tabs.setCurrentWidget(window.explorer)
    units = window.view.units.bm_unit_id
    assert window.explorer.select_unit(units[4])
    assert selection.bm_unit == units[4]
    selection.bm_unit = units[6]
    assert window.explorer.title.text().startswith(units[6])
    assert window.inspector.title.text().startswith(f"<b>BM unit {units[6]}, period 48")


def test_at_1024_px_the_docks_give_the_central_views_room(qtbot, window):
    """With the Runs, Scenario and Inspector docks open, a 1024×640 window left the charts
    370 px (the scenario panel's buttons in one row held the left dock at 370 px)."""
    window.resize(1600, 1000)
    qtbot.wait(20)
    wide = window.centralWidget().width()
    inspector = window.inspector_dock.width()
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() <= 1024)
    qtbot.wait(20)
    assert window.runs_dock.isVisible() and window.inspector_dock.isVisible()
    assert window.disputes.scenario_dock.isVisible()
    assert window.centralWidget().width() >= 480
    assert window.disputes.panel.minimumSizeHint().width() <= 300
    window.resize(1600, 1000)
    qtbot.wait(20)
    assert window.centralWidget().width() >= min(wide, 800)
    assert window.inspector_dock.width() >= inspector - 10  # it takes back what it gave


def test_help_lists_the_windows_real_shortcuts_and_the_guide_names_only_real_ones(qtbot, window):
    from resources import resource_path
    from views.help_dialogs import GUIDE

    dialog = window.show_shortcuts()
    assert dialog.isVisible()
    listed = dict(dialog.rows)
    assert listed["Settle run"] == "F5" and listed["Open database…"] == "Ctrl+O"
    assert listed["Settle and compare with base"] == "F6"  # the Scenario menu's, too
    assert listed["User guide"] == "F1" and listed["Comparison"] == "Ctrl+4"
    # Issue 20: every view, dock and filter box by key, the focus mode too.
    assert listed["Reconciliation"] == "Ctrl+5" and listed["Impact"] == "Ctrl+6"
    assert listed["Focus on the view"] == "F11" and listed["Filter the view's table"] == "Ctrl+F"
    assert [listed[d] for d in ("Runs", "Scenario", "Inspector", "Dispute cases")] == [
        "Ctrl+Shift+R", "Ctrl+Shift+S", "Ctrl+Shift+I", "Ctrl+Shift+D"
    ]  # fmt: skip
    guide = window.show_guide()
    assert guide.isVisible() and "Keyboard shortcuts" in guide.text.toPlainText()
    # Every key the guide names is one an action of the window has.
    named = re.findall(
        r"\b((?:Ctrl\+|Alt\+|Shift\+)+\w+|F\d+)\b", resource_path(GUIDE).read_text("utf-8")
    )
    keys = {k for ks in listed.values() for k in ks.split(", ")}
    assert named and set(named) <= keys, set(named) - keys
    assert {"F11", "Ctrl+F", "Ctrl+5", "Ctrl+6", "Ctrl+Shift+D"} <= set(named)  # and says them


def test_the_bm_units_tab_is_made_before_its_first_visit(qtbot, window, demo_path, monkeypatch):
    """Issue 20: the BM units view's per-unit figures (models.runs.unit_summary) are made in
    the load's worker, and its table and charts are made hidden once the run shows; both done
    on the tab's first visit held the GUI thread 0.1-0.5 s on a GB-scale run. The heartbeat
    test times the visit; this one fails, at any size, if either moves back onto it."""
    import threading

    import models.runs.run_view as run_view
    import views.unit_explorer as unit_explorer

    made_on = []

    def recorded(real):
        def summary(view):
            made_on.append(threading.current_thread() is threading.main_thread())
            return real(view)

        return summary

    monkeypatch.setattr(run_view, "unit_summary", recorded(run_view.unit_summary))
    monkeypatch.setattr(unit_explorer, "unit_summary", recorded(unit_explorer.unit_summary))
    open_demo(qtbot, window, demo_path)
    assert window.tabs.currentWidget() is window.overview
    qtbot.waitUntil(lambda: window.explorer._built, timeout=LOAD_TIMEOUT_MS)
    assert made_on == [False], "the per-unit figures were not made once, in the load's worker"
    window.tabs.setCurrentWidget(window.explorer)
    qtbot.waitUntil(lambda: window.explorer.view is window.view, timeout=LOAD_TIMEOUT_MS)
    assert window.explorer.units.model.rowCount() == len(window.view.units.bm_unit_id)
    assert made_on == [False], "the first visit made the per-unit figures on the GUI thread"


def test_the_same_error_twice_is_one_box_not_a_stack(qtbot, window):
    """Two quick clicks on 'Add this scenario' (tried under Xvfb) stacked two identical
    'Scenario not added' boxes; the window is not blocked by them, so each click made one."""
    from PySide6.QtWidgets import QMessageBox

    def boxes() -> list:
        return [b for b in window.findChildren(QMessageBox) if b.isVisible()]

    line = "scenario 10 is already in case TD-2024-001"
    window.show_error("Scenario not added", line)
    window.show_error("Scenario not added", line)
    assert len(boxes()) == 1 and window.status.text() == f"Scenario not added: {line}"
    window.show_error("Scenario not added", "scenario 11 is already in case TD-2024-001")
    assert len(boxes()) == 2  # other news: its own box
    for box in boxes():
        box.close()
