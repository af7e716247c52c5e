"""Tools › Modification impact… in the window (workbench/gui/impact_controller.py) on a 3-day
demo database: the menu entry, the job with its progress, the report in the Impact tab equal to
the command line's figures, on this process, a process pool and a real local Dask cluster;
cancel; a date failing once retried and listed; the workbook exported; screenshots."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engine.variants import VARIANTS
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.impact.execute import SerialExecutor, run_days
from models.impact.plan import impact_plan
from models.impact.report import impact_report
from tests.views.screens import save_screens
from tests.views.window_driver import LOAD_TIMEOUT_MS, open_demo, wait_idle
from views.impact_dialog import ImpactDialog, ImpactOptions
from workbench.gui.impact_controller import database_url

D1, D3 = date(2024, 6, 12), date(2024, 6, 14)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("impact_gui") / "demo.sqlite"
    generate_demo(Path(path), DemoSpec(bmus=12, start_date=D1, days=3, seed=1))
    return str(path)


@pytest.fixture(scope="module")
def expected(demo) -> dict:
    """The report of the range in this process, as the command line makes it."""
    with SettlementDatabase.open(demo) as db, db.engine.connect() as conn:
        tasks = impact_plan(conn, D1, D3)
    done = run_days(SerialExecutor(), demo, tasks, VARIANTS["par-50"])
    return impact_report(VARIANTS["par-50"], D1, D3, done.impacts, done.failures).as_json()


def assess(qtbot, window, options, timeout=LOAD_TIMEOUT_MS):
    seen = []
    window.jobs.progressed.connect(lambda fraction, text: seen.append(text))
    window.impact.controller.assess(options)
    qtbot.waitUntil(lambda: "impact" not in window.jobs.jobs, timeout=timeout)
    return seen


def test_the_entry_is_in_tools_before_help_and_needs_a_database(qtbot, window, demo):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[-2:] == ["&Tools", "&Help"]
    tools = window.menuBar().actions()[-2].menu()
    assert [a.text() for a in tools.actions()] == ["&Modification impact…"]
    assert not window.impact.action.isEnabled()
    open_demo(qtbot, window, demo)
    assert window.impact.action.isEnabled()
    assert window.tabs.indexOf(window.impact.view) == -1  # no tab until first used
    window.impact.action.trigger()  # the database's last day is read first, in a worker
    qtbot.waitUntil(lambda: window.impact.controller.dialog is not None, timeout=LOAD_TIMEOUT_MS)
    dialog = window.impact.controller.dialog
    assert isinstance(dialog, ImpactDialog) and dialog.isVisible()
    # The open database's last week of runs by default: here its three days.
    assert (dialog.options().first, dialog.options().last) == (date(2024, 6, 8), D3)
    dialog.reject()


def test_the_dialogs_default_range_is_read_off_the_gui_thread(
    qtbot, window, demo, gui_thread_checkouts
):
    """Issue 20: the open database's last day of runs was a round trip the window froze
    for on a team server; read in a worker, the dialog opens when it comes."""
    open_demo(qtbot, window, demo)
    controller = window.impact.controller
    window.impact.action.trigger()
    qtbot.waitUntil(lambda: controller.dialog is not None, timeout=LOAD_TIMEOUT_MS)
    assert controller.dialog.isVisible() and controller.dialog.options().last == D3
    controller.dialog.reject()
    mine = [e for e in gui_thread_checkouts.found if "workbench/gui/impact_controller.py" in e]
    assert mine == []


def test_the_default_range_of_a_database_no_longer_open_opens_no_dialog(
    qtbot, window, demo, monkeypatch
):
    import threading

    import workbench.gui.impact_controller as impact_controller

    open_demo(qtbot, window, demo)
    real, release = impact_controller.last_date, threading.Event()

    def slow(db):
        release.wait(LOAD_TIMEOUT_MS / 1000)
        return real(db)

    monkeypatch.setattr(impact_controller, "last_date", slow)
    window.impact.action.trigger()
    db, window.selection.database = window.db, None  # closed meanwhile (another opening)
    release.set()
    wait_idle(qtbot, window)
    db.close()
    assert window.impact.controller.dialog is None


def test_serial_pool_and_dask_show_the_command_lines_report(qtbot, window, demo, expected,
                                                            tmp_path):  # fmt: skip
    open_demo(qtbot, window, demo)
    seen = assess(qtbot, window, ImpactOptions(D1, D3, "par-50"))
    view = window.impact.view
    assert window.tabs.currentWidget() is view
    assert view.document == expected
    assert view.title.text().startswith("par-50: 3 day(s), 9 run(s) from 2024-06-12 to 2024-06-14")
    assert seen[0] == "starting: 3 day(s)" and seen[-1].startswith("3/3 days")
    assert window.status.text().startswith("Impact of par-50: 3 day(s), 9 run(s) in ")
    for path in save_screens(window, tmp_path, "impact_window"):
        assert path.exists()
    for where in ("processes", "workers"):  # a pool of 2, a real LocalCluster of 2
        view.document = None
        assess(qtbot, window, ImpactOptions(D1, D3, "par-50", where=where, workers=2))
        assert view.document == expected, where
    assert "on Dask LocalCluster of 2" in window.status.text()
    window.impact.controller.export(str(tmp_path / "impact.xlsx"))
    wait_idle(qtbot, window)
    assert window.status.text() == f"Wrote {tmp_path / 'impact.xlsx'}"
    assert (tmp_path / "impact.xlsx").stat().st_size > 10_000


def test_cancel_shows_nothing_and_a_bad_range_is_one_line(qtbot, window, demo):
    open_demo(qtbot, window, demo)
    controller = window.impact.controller
    window.jobs.progressed.connect(lambda fraction, text: window.jobs.cancel("impact"))
    controller.assess(ImpactOptions(D1, D3, "par-50"))
    qtbot.waitUntil(lambda: "impact" not in window.jobs.jobs, timeout=LOAD_TIMEOUT_MS)
    assert window.impact.view.title.text() == "Impact assessment cancelled: nothing is shown."
    assert window.status.text() == "Cancelled."
    assert controller.report is None


def test_a_range_without_runs_is_said_in_one_line(qtbot, window, demo):
    open_demo(qtbot, window, demo)
    errors = []
    window.show_error = lambda title, message, details="": errors.append(message)
    window.impact.controller.feedback = window.impact.controller.feedback.__class__(
        status=window.status.setText, error=window.show_error
    )
    assess(qtbot, window, ImpactOptions(date(2024, 7, 1), date(2024, 7, 2), "par-50"))
    (message,) = errors
    assert message.startswith("no run from 2024-07-01 to 2024-07-02")
    assert window.impact.view.title.text().startswith("The impact assessment failed: no run")


def test_the_task_opens_the_sqlite_file_or_the_server_url_with_its_password(demo):
    with SettlementDatabase.open(demo) as db:
        assert database_url(db) == str(Path(demo).resolve()) or database_url(db) == demo

    class Server:
        class engine:
            from sqlalchemy.engine import make_url

            url = make_url("postgresql+psycopg://analyst:secret@127.0.0.1:5432/settlement")

    assert database_url(Server) == "postgresql+psycopg://analyst:secret@127.0.0.1:5432/settlement"
