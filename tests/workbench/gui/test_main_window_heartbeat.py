"""The window is never held up long (issue 20): a 2 ms heartbeat on the GUI thread
(benchmarks.heartbeat) while a database opens and its run loads, a run settles, a scenario
is settled and compared, and workbooks (the comparison, the run, a table) are written, on
the real window and a demo database. The work is in jobs; what the GUI thread does (the
views filled, painted) stays under 100 ms.

The machine is shared: each action is timed three times and the shortest of its longest
waits counts (load only ever lengthens a wait), against 100 ms plus the longest wait of the
idle heartbeat in the same test. Before the fixes every job began with a full collection of
the 160,000 objects of the libraries on the GUI thread: 0.3-0.5 s for each of these actions.
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from benchmarks.heartbeat import Heartbeat, spin
from views.data_table import DataTable

BOUND = 0.100  # s: the "blocked for more than 100 ms"
TRIES = 3
JOB_TIMEOUT = 60.0  # s


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
    scenario = disputes.scenarios.create_scenario("heartbeat")
    spin(app, lambda: not window.jobs.busy() and window.view.run.id == scenario, JOB_TIMEOUT)
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
    held = {what: min(tries) for what, tries in gaps.items()}
    too_long = {w: f"{g * 1e3:.0f} ms" for w, g in held.items() if g > BOUND + idle.longest}
    assert not too_long, f"{too_long} (idle heartbeat's longest wait {idle.longest * 1e3:.0f} ms)"
