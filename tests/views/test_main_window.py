"""The desktop workbench driven as a user would, offscreen, with screenshots of each screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import text

from models.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from workbench.main_window import MainWindow

LOAD_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("gui") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=30, seed=5))
    return path


@pytest.fixture
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1500, 900)
    win.show()
    yield win
    win.jobs.cancel()
    win.jobs.wait_all()
    qtbot.waitUntil(lambda: not win.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert not win.jobs.busy(), "a test left a background job running"


def open_demo(qtbot, window, path) -> None:
    assert window.open_database(str(path))
    qtbot.waitUntil(
        lambda: window.view is not None and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS
    )


def screenshot(window, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 10_000


def test_opening_a_database_shows_runs_prices_and_parties(qtbot, window, demo_path, tmp_path):
    open_demo(qtbot, window, demo_path)
    top = window.runs.tree.topLevelItem(0)
    assert [top.child(i).text(0) for i in range(top.childCount())] == ["II", "SF", "R1"]
    assert window.overview.title.text().startswith("2024-06-12 II: 48 periods")
    parties = len(window.view.result.inputs.parties)
    assert window.overview.parties.proxy.rowCount() == parties
    assert "checks 240 passed" in window.status.text()
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
    assert not window.open_database(str(bad))
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
    unit = window.view.units["bm_unit_id"].iloc[3]
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
    assert again.explorer.view.units["bm_unit_id"].iloc[again.explorer.unit] == unit
    again.close()
