"""Shared test set-up: Qt offscreen, paths to the shared domain material, leak checks."""

from __future__ import annotations

import gc
import os
import threading
from pathlib import Path

import pytest

from tests.paths import ELEXON_DATA

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True, scope="session")
def _user_state_in_a_temporary_folder(tmp_path_factory):
    """The error log and the record of verified databases live in the user's state folder:
    tests keep theirs in a temporary one, never in the home of whoever runs them."""
    state = tmp_path_factory.mktemp("user-state")
    saved = {name: os.environ.get(name) for name in ("XDG_STATE_HOME", "LOCALAPPDATA")}
    os.environ["XDG_STATE_HOME"] = os.environ["LOCALAPPDATA"] = str(state)
    yield state
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture(autouse=True)
def _no_thread_left_running():
    """A test that leaves a thread running fails (timers are checked by the Qt fixtures)."""
    before = set(threading.enumerate())
    yield
    leaked = [t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon]
    for thread in leaked:
        thread.join(timeout=2.0)
    still = [t.name for t in leaked if t.is_alive()]
    # Collect the test's garbage here, on the main thread: left to chance, a collection in a
    # later test's worker thread can destroy Qt objects off their thread and hang.
    gc.collect()
    assert not still, f"test left threads running: {still}"


@pytest.fixture
def elexon_data() -> Path:
    if not ELEXON_DATA.is_dir():
        pytest.fail(f"shared Elexon data not found at {ELEXON_DATA}")
    return ELEXON_DATA


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory):
    """A 30-unit demo database (seed 5), made once per test module."""
    from models.demo.generator import DemoSpec, generate_demo

    path = tmp_path_factory.mktemp("gui") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=30, seed=5))
    return path


@pytest.fixture
def window(qtbot, tmp_path):
    """The main window, shown at 1500×900 with its settings in tmp_path; a test that leaves a
    background job running fails, and so does one in which the GUI code took a database
    connection on the GUI thread (tests.gui_thread_db). (The views' tests and the GUI's share
    it.)"""
    # Imported here: only the tests that drive a window load Qt and the GUI.
    from PySide6.QtCore import QSettings

    from tests.gui_thread_db import recording_gui_thread_checkouts
    from tests.views.window_driver import LOAD_TIMEOUT_MS
    from workbench.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    with recording_gui_thread_checkouts() as on_gui_thread:
        win = MainWindow(settings)
        qtbot.addWidget(win)
        win.resize(1500, 900)
        win.show()
        yield win
        win.jobs.cancel()
        win.jobs.wait_all()
        qtbot.waitUntil(lambda: not win.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert not win.jobs.busy(), "a test left a background job running"
    # Issue 20: no database work on the GUI thread, in any test that drives the window.
    assert not on_gui_thread, on_gui_thread.report()


@pytest.fixture(scope="session")
def settled_s0142():
    """Make a demo database, settle its SF run and write that run as an S0142 file:
    `make(folder, seed, name, report_run)` gives (database path, S0142 path, settlement result,
    SF run id). A factory, so each module keeps its own seed, file name and SAA run."""
    from models.db.database import SettlementDatabase
    from models.demo.generator import DemoSpec, generate_demo
    from models.p114.from_settlement import write_s0142
    from models.runs.results_store import settle_run
    from models.runs.run_store import list_runs

    def make(folder: Path, seed: int, name: str, report_run):
        db_path = folder / "demo.sqlite"
        generate_demo(db_path, DemoSpec(bmus=30, seed=seed))
        with SettlementDatabase.open(db_path) as db:
            with db.engine.connect() as conn:
                sf = next(r for r in list_runs(conn) if r.run_type == "SF")
            result = settle_run(db, sf.id)
        s0142 = folder / name
        write_s0142(s0142, result, report_run)
        return db_path, s0142, result, sf.id

    return make


def _database_server(backend: str):
    from tests.servers import STARTERS, ServerUnavailable

    try:
        server = STARTERS[backend]()
    except ServerUnavailable as exc:
        pytest.fail(str(exc))  # never a silent fall-back to SQLite
    yield server
    server.stop()  # fails the run if a process of the server is left


@pytest.fixture(scope="session")
def postgresql_server():
    """A real PostgreSQL server on 127.0.0.1 for the session (tests/servers.py)."""
    yield from _database_server("postgresql")


@pytest.fixture(scope="session")
def mariadb_server():
    """A real MariaDB server on 127.0.0.1 for the session (tests/servers.py)."""
    yield from _database_server("mariadb")


@pytest.fixture(scope="session")
def live_broker():
    """A real AMQP 1.0 broker (RabbitMQ) on 127.0.0.1 for the session (tests/live_broker.py)."""
    from tests.live_broker import BrokerUnavailable, start_broker

    try:
        broker = start_broker()
    except BrokerUnavailable as exc:
        pytest.fail(str(exc))  # never a silent skip of the live tests
    yield broker
    broker.stop()  # fails the run if a process of the broker or its epmd is left


@pytest.fixture(scope="session")
def database_target(request, tmp_path_factory):
    """`database_target(backend, name)`: where to create a new, empty database: a SQLite file's
    path for "sqlite", else the URL of a new database on the session's "postgresql" or
    "mariadb" server (started at its first use, stopped and removed at the end)."""

    def make(backend: str, name: str = "workbench") -> str | Path:
        if backend == "sqlite":
            return tmp_path_factory.mktemp(name) / "db.sqlite"
        return request.getfixturevalue(f"{backend}_server").new_database(name)

    return make


@pytest.fixture
def gui_thread_checkouts():
    """The database connections the GUI code takes on the GUI thread during the test
    (tests.gui_thread_db); assert it is empty where no database work may block the window."""
    from tests.gui_thread_db import recording_gui_thread_checkouts

    with recording_gui_thread_checkouts() as recorded:
        yield recorded
