"""The window is never held up long (issue 20): a 2 ms heartbeat on the GUI thread
(benchmarks.heartbeat) while a database opens and its run loads, the BM units tab is first
shown with that run, a run settles, a scenario is settled and compared, workbooks (the
comparison, the run, a table) are written and a real Elexon file is imported (its report
shown, its run loaded), on the real window and a demo database. The work is in jobs; what
the GUI thread does (the views filled, painted) stays under 100 ms.

The machine is shared: each action is timed three times and the shortest of its longest
waits counts (load only ever lengthens a wait), against 100 ms plus the longest wait of the
idle heartbeat in the same test. Before the fixes every job began with a full collection of
the 160,000 objects of the libraries on the GUI thread: 0.3-0.5 s for each of these actions.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from benchmarks.heartbeat import Heartbeat, spin
from tests.paths import elexon
from views.data_table import DataTable
from views.import_options import ImportOptions

pytestmark = pytest.mark.timing  # GUI-thread bounds: run alone (see pyproject's markers)

BOUND = 0.100  # s: the "blocked for more than 100 ms"
TRIES = 3
WIND_PN = "insights_json/PN_2022-01-01.json"  # real Elexon data: 9,027 PN records
JOB_TIMEOUT = 60.0  # s
UNITS_DEMO = 600  # BM units: the first filling grows with them (GB scale: benchmarks)


@pytest.fixture(scope="module")
def units_demo(tmp_path_factory):
    from models.demo.generator import DemoSpec, generate_demo

    path = tmp_path_factory.mktemp("units") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=UNITS_DEMO, seed=3))
    return path


def _held_up(app, window, action, done=lambda: True) -> float:
    """The longest wait of the heartbeat from `action` until its jobs are done (and `done()`),
    the views' filling and painting after it included."""
    with Heartbeat() as beat:
        spin(app, lambda: True, 1.0, at_least=0.05)
        beat.mark()
        action()
        spin(app, lambda: not window.jobs.busy() and done(), JOB_TIMEOUT)
        spin(app, lambda: True, 1.0, at_least=0.25)  # what the result's arrival repaints
    return beat.longest


def test_a_load_settle_compare_or_export_holds_the_gui_thread_under_100_ms(
    qtbot, window, demo_path, tmp_path
):
    app = QApplication.instance()
    qtbot.waitExposed(window)
    with Heartbeat() as idle:
        spin(app, lambda: True, 2.0, at_least=1.0)
    gaps: dict[str, list[float]] = {}

    def timed(what: str, action, done=lambda: True) -> None:
        gaps.setdefault(what, []).append(_held_up(app, window, action, done))

    for _ in range(TRIES):
        timed(
            "open a database and load its run",
            lambda: window.open_database(str(demo_path)),
            lambda: window.view is not None,
        )
        timed("settle the run (F5)", window.settle)
    assert "results stored" in window.status.text()
    run = window.view.run.id
    disputes = window.disputes
    disputes.scenarios.create_scenario("heartbeat")  # written in a worker, then shown
    spin(app, lambda: not window.jobs.busy() and window.view.run.kind == "scenario", JOB_TIMEOUT)
    for n in range(TRIES):
        timed(
            "settle and compare with the base (F6)",
            disputes.comparisons.settle_and_compare,
            lambda: window.selection.comparison is not None,
        )
        assert window.tabs.currentWidget() is disputes.comparison
        timed(
            "export the comparison",
            lambda n=n: disputes.exports.export_comparison(str(tmp_path / f"pack{n}.xlsx")),
        )
        timed(
            "export the run", lambda n=n: disputes.exports.export_run(str(tmp_path / f"r{n}.xlsx"))
        )
        table = disputes.comparison.findChildren(DataTable)[0]
        window.activateWindow()
        table.view.setFocus()
        timed(
            "export a table",
            lambda n=n: disputes.exports.export_table(str(tmp_path / f"t{n}.xlsx")),
        )
    for n in range(TRIES):  # every workbook was written, none refused
        assert (tmp_path / f"pack{n}.xlsx").stat().st_size > 0
        assert (tmp_path / f"r{n}.xlsx").stat().st_size > 0
        assert (tmp_path / f"t{n}.xlsx").stat().st_size > 0
    assert window.selection.comparison.key.first_run == run
    for run_type in ("II", "R1", "R2")[:TRIES]:  # a new run each time, loaded after the report
        before = window.import_dialog
        timed(
            "import a real Elexon file",
            lambda t=run_type: window.import_data_files(
                [str(elexon(WIND_PN))], options=ImportOptions(run_type=t)
            ),
            lambda b=before: window.import_dialog is not b,
        )
        assert window.import_dialog.windowTitle() == "Import finished"
        assert window.view.label.startswith(f"2022-01-01 {run_type}")
    held = {what: min(tries) for what, tries in gaps.items()}
    too_long = {w: f"{g * 1e3:.0f} ms" for w, g in held.items() if g > BOUND + idle.longest}
    assert not too_long, f"{too_long} (idle heartbeat's longest wait {idle.longest * 1e3:.0f} ms)"


def test_the_first_visit_of_the_bm_units_tab_holds_the_gui_thread_under_100_ms(
    qtbot, units_demo, tmp_path
):
    """A fresh window each time, its run loaded on the day overview. The view's table and
    charts are made hidden once the run shows, and what it derives from the run
    (models.runs.unit_summary) in the load's worker: made on the visit, they held the GUI
    thread 0.1-0.5 s on a GB-scale run (3,000 units; a 600-unit demo keeps this short)."""
    from workbench.gui.main_window import MainWindow

    app = QApplication.instance()
    with Heartbeat() as idle:
        spin(app, lambda: True, 1.0, at_least=0.5)
    gaps = []
    for n in range(TRIES):
        settings = QSettings(str(tmp_path / f"s{n}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        qtbot.addWidget(window)
        window.resize(1500, 900)
        window.show()
        qtbot.waitExposed(window)
        window.open_database(str(units_demo))
        spin(app, lambda w=window: w.view is not None and not w.jobs.busy(), JOB_TIMEOUT)
        assert window.tabs.currentWidget() is window.overview
        gaps.append(
            _held_up(
                app,
                window,
                lambda w=window: w.tabs.setCurrentWidget(w.explorer),
                lambda w=window: w.explorer.view is w.view,
            )
        )
        assert window.explorer.units.model.rowCount() == UNITS_DEMO
        window.close()
    held = min(gaps)
    assert held <= BOUND + idle.longest, (
        f"{held * 1e3:.0f} ms (idle heartbeat's longest wait {idle.longest * 1e3:.0f} ms)"
    )
