"""Opening a database and listing its runs off the GUI thread (issue 20): the opening runs in
a job, the database before stays open (and usable) until the new one is shown, a newer
opening wins over one under way (whose database is closed, never shown), a run loading from
the database before never shows on the new one, and a refused file is told in one line."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, text

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from tests.paths import CASES, elexon
from tests.views.window_driver import (
    LOAD_TIMEOUT_MS,
    answer,
    drop,
    open_database,
    open_demo,
    wait_idle,
)
from views.run_browser import RUN_ROLE


@pytest.fixture
def worked(tmp_path):
    """A database holding the worked example's one run (2024-06-12 SF, like the demo's date
    but another database)."""
    path = tmp_path / "worked.sqlite"
    with SettlementDatabase.create(path) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    return path


@pytest.fixture
def closed(monkeypatch):
    """The databases closed during the test."""
    seen: list[SettlementDatabase] = []
    close = SettlementDatabase.close

    def recording(db) -> None:
        seen.append(db)
        close(db)

    monkeypatch.setattr(SettlementDatabase, "close", recording)
    return seen


class Gate:
    """Holds the opening of one file in its job until released; keeps what each opening of
    the window opened (`opened`: location -> databases)."""

    def __init__(self, monkeypatch) -> None:
        from workbench.gui import server_open

        self.held: str | None = None
        self.open = threading.Event()
        self.opened: dict[str, list] = {}
        opening = server_open.open_listing

        def open_listing(target):
            if target == self.held:
                assert self.open.wait(LOAD_TIMEOUT_MS / 1000)
            db, runs = opening(target)
            self.opened.setdefault(target, []).append(db)
            return db, runs

        monkeypatch.setattr(server_open, "open_listing", open_listing)

    def hold(self, path: str) -> None:
        self.held = path

    def release(self) -> None:
        self.open.set()


@pytest.fixture
def gate(monkeypatch):
    gate = Gate(monkeypatch)
    yield gate
    gate.release()  # never a job left waiting


def _listed(window) -> list[int]:
    return [r.id for r in window.runs.shown]


def _finished_unseen(window, kind: str) -> None:
    """Let the running job of `kind` end without the GUI thread turning: its result is then
    on its way, as when it ends just before a newer job is asked for."""
    job = window.jobs.jobs[kind]
    assert job.wait(LOAD_TIMEOUT_MS)


def _hold_run_lists(monkeypatch) -> threading.Event:
    """The window's run lists (refresh_runs) read, then held in their job until the event
    returned is set."""
    from workbench.gui import main_window

    release = threading.Event()
    listing = main_window.list_runs

    def held(conn, *args, **kwargs):
        runs = listing(conn, *args, **kwargs)
        assert release.wait(LOAD_TIMEOUT_MS / 1000)
        return runs

    monkeypatch.setattr(main_window, "list_runs", held)
    return release


def test_opening_a_database_and_listing_its_runs_is_not_done_on_the_gui_thread(
    qtbot, window, demo_path, gui_thread_checkouts
):
    window.open_database(str(demo_path))
    qtbot.waitUntil(
        lambda: window.view is not None and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS
    )
    assert _listed(window) == [1, 2, 3] and window.view.run.id == 1
    window.refresh_runs(select=2)
    wait_idle(qtbot, window)
    assert window.runs.tree.currentItem().text(0) == "SF"
    # The window's own (the controllers' reads on a run shown are theirs to move off).
    own = [f for f in gui_thread_checkouts.found if f.startswith("workbench/gui/main_window.py")]
    assert own == [], gui_thread_checkouts.report()


def test_the_status_says_what_opens_and_the_database_before_stays_usable(
    qtbot, window, demo_path, worked
):
    open_demo(qtbot, window, demo_path)
    shown = window.view
    assert window.open_database(str(worked))
    assert window.opening == str(worked)
    assert window.status.text() == f"Opening {worked}…"
    assert window.db.location == str(demo_path) and window.view is shown  # until it is open
    assert _listed(window) == [1, 2, 3]
    with qtbot.waitSignal(window.database_shown, timeout=LOAD_TIMEOUT_MS) as opened:
        pass
    assert opened.args == [str(worked)] and window.opening is None
    assert window.windowTitle() == "worked.sqlite: Settlement Workbench"
    qtbot.waitUntil(lambda: window.view is not None, timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    assert _listed(window) == [1] and window.view.run.run_type == "SF"


def test_a_newer_opening_wins_and_the_older_database_is_closed_unshown(
    qtbot, window, demo_path, worked, tmp_path, closed, gate
):
    other = tmp_path / "other.sqlite"
    SettlementDatabase.create(other).close()
    shown: list[str] = []
    window.database_shown.connect(shown.append)
    # The first still opening when the second is asked for: cancelled, its database closed.
    gate.hold(str(other))
    window.open_database(str(other))
    window.open_database(str(demo_path))
    gate.release()
    qtbot.waitUntil(lambda: window.opening is None, timeout=LOAD_TIMEOUT_MS)
    # The first ended just before the second was asked for: its result arrives after.
    window.open_database(str(worked))
    _finished_unseen(window, "open")
    window.open_database(str(demo_path))
    qtbot.waitUntil(lambda: window.opening is None, timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.view is not None, timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    assert shown == [str(demo_path), str(demo_path)]  # never the replaced ones
    assert window.db.location == str(demo_path) and _listed(window) == [1, 2, 3]
    replaced = gate.opened[str(other)] + gate.opened[str(worked)]
    assert len(replaced) == 2 and all(any(c is db for c in closed) for db in replaced)
    assert not any(c is window.db for c in closed)
    assert window.status.text().startswith("2024-06-12 II:")  # no stale "Cancelled."


def test_a_run_loading_from_the_database_before_never_shows_on_the_new_one(
    qtbot, window, demo_path, tmp_path
):
    empty = tmp_path / "empty.sqlite"
    SettlementDatabase.create(empty).close()
    open_demo(qtbot, window, demo_path)
    loaded: list[int] = []
    window.run_shown.connect(loaded.append)
    window.open_database(str(empty))
    _finished_unseen(window, "open")  # opened, not yet shown: the demo is still the open one
    window.load_run(2)  # chosen in the demo's Runs panel meanwhile
    _finished_unseen(window, "load")  # loaded; it arrives after the new database is shown
    wait_idle(qtbot, window)
    assert window.db.location == str(empty) and _listed(window) == []
    assert window.view is None and loaded == []
    assert window.status.text() == f"{empty}: 0 runs. Choose a run in the Runs panel."


def test_the_runs_listed_again_keep_the_run_selected(qtbot, window, demo_path):
    open_demo(qtbot, window, demo_path)
    sf = window.runs.tree.topLevelItem(0).child(1)
    window.runs.tree.setCurrentItem(sf)
    window.refresh_runs()
    assert window.runs.tree.currentItem() is sf  # the panel as it was until the list comes
    wait_idle(qtbot, window)
    current = window.runs.tree.currentItem()
    assert current is not sf and current.text(0) == "SF"  # refilled, the same run selected


def test_runs_listed_from_the_database_before_are_not_shown(
    qtbot, window, demo_path, worked, monkeypatch
):

    open_demo(qtbot, window, demo_path)
    # The demo's list held in its job until the worked example is shown: it arrives after.
    release = _hold_run_lists(monkeypatch)
    window.refresh_runs()
    try:
        assert open_database(qtbot, window, worked)
        assert _listed(window) == [1]
    finally:
        release.set()
    wait_idle(qtbot, window)
    assert _listed(window) == [1] and window.runs.tree.topLevelItem(0).childCount() == 1


def test_data_files_dropped_with_a_database_are_imported_into_it(
    qtbot, window, demo_path, tmp_path
):
    open_demo(qtbot, window, demo_path)
    empty = tmp_path / "empty.sqlite"
    SettlementDatabase.create(empty).close()
    prices = elexon("system_prices/disebsp_2026-03-29.json")
    drop(window, [empty, prices])
    assert window.opening == str(empty) and window.import_options_dialog is None  # not yet
    qtbot.waitUntil(lambda: window.import_options_dialog is not None, timeout=LOAD_TIMEOUT_MS)
    assert window.db.location == str(empty)  # asked once the dropped database is open
    answer(window, strict=False)
    qtbot.waitUntil(lambda: window.view is not None, timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    assert window.db.location == str(empty)
    assert window.view.run.settlement_date.isoformat() == "2026-03-29"
    with SettlementDatabase.open(demo_path) as db, db.engine.connect() as conn:
        dates = conn.execute(text("SELECT DISTINCT settlement_date FROM settlement_run")).all()
    assert [str(d) for (d,) in dates] == ["2024-06-12"]  # nothing went into the one before


def _newer(path) -> None:
    SettlementDatabase.create(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()


def _damaged(path) -> None:
    from tests.damaged_database import make_damaged_database

    make_damaged_database(path)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.write_text("not a database"), "not a SQLite file"),
        (_newer, "newer version"),
        (_damaged, "damaged"),
    ],
    ids=["not-a-database", "newer-schema", "damaged"],
)
def test_a_refused_file_is_told_in_one_line_and_the_open_database_stays(
    qtbot, window, demo_path, tmp_path, make, says
):
    open_demo(qtbot, window, demo_path)
    shown = window.view
    bad = tmp_path / "bad.sqlite"
    make(bad)
    assert not open_database(qtbot, window, bad)
    box = window._last_error
    assert box.windowTitle() == "Cannot open the database"
    assert box.text().startswith(str(bad)) and says in box.text() and "\n" not in box.text()
    assert box.detailedText() == ""
    assert window.status.text() == f"Cannot open the database: {box.text()}"
    box.close()
    assert window.db.location == str(demo_path) and window.view is shown
    assert window.windowTitle() == "demo.sqlite: Settlement Workbench"
    assert window.settings.value("recent", [], type=list) == [str(demo_path)]


def test_a_cancelled_opening_says_so_and_keeps_the_database_before(
    qtbot, window, demo_path, worked, closed, gate
):
    open_demo(qtbot, window, demo_path)
    gate.hold(str(worked))
    window.open_database(str(worked))
    window.jobs.cancel()  # Esc
    gate.release()
    wait_idle(qtbot, window)
    assert window.status.text() == f"Not opened: {worked} (cancelled)."
    assert window.opening is None and any(c is gate.opened[str(worked)][0] for c in closed)
    assert window.db.location == str(demo_path) and window.view.run.id == 1


def test_esc_cancels_the_announced_job_but_not_the_runs_listing_behind_the_panel(
    qtbot, window, demo_path, monkeypatch
):
    """A scenario made: its reload ("Loading…") and the Runs panel's listing (quiet) start
    together; Esc stops the reload, and the panel still lists the new scenario."""
    from models.runs.scenarios import store

    open_demo(qtbot, window, demo_path)
    with window.db.engine.begin() as conn:  # as the Scenario dock's worker makes it
        scenario = store.create_scenario(conn, 1, "made just now", author="me")
    release = _hold_run_lists(monkeypatch)
    window.refresh_runs(scenario)
    try:
        window.load_run(scenario)
        window.cancel_action.trigger()
        assert window.jobs.jobs["load"].is_cancelled
        assert not window.jobs.jobs["runs"].is_cancelled
    finally:
        release.set()
    wait_idle(qtbot, window)
    assert scenario in _listed(window)
    assert window.runs.tree.currentItem().data(0, RUN_ROLE) == scenario
