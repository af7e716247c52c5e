"""File › Open database… with a server URL (issue 21), against real PostgreSQL and MariaDB
servers: the password the server asks for is typed into a dialog and never stored (the
settings file's bytes hold no trace of it), a wrong one is told in one line with the open
database kept, and reopening from the recent files (or at launch) asks again."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.db.server_failures import PRIVILEGE
from models.runs.case_store import import_case
from tests.paths import CASES
from tests.views.screens import save_screens
from tests.views.window_driver import LOAD_TIMEOUT_MS, open_demo, wait_idle
from views.database_dialog import OpenDatabaseDialog, PasswordDialog
from workbench.gui import recent_files
from workbench.gui.server_open import (
    CONNECT_TIMEOUT_SECONDS,
    Connected,
    Refused,
    asks_for_password,
    connect,
    session_url,
)

ROLE = "gui_analyst_21"
PASSWORD = "Tr0ub4dor&3-gui21"  # a test's throwaway password


def _sql(server, sql: str) -> None:
    with psycopg.connect(
        host="127.0.0.1", port=server.port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(sql)


@pytest.fixture(scope="module")
def team_database(postgresql_server):
    """A workbench database on the session's PostgreSQL server owned by a role that must give
    a password (scram-sha-256 for it alone: the other tests' `postgres` stays trusted), holding
    the worked example's run. Its URL, without the password."""
    hba = postgresql_server.folder / "data" / "pg_hba.conf"
    rule = f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n"
    text = hba.read_text()
    if rule not in text:
        hba.write_text(rule + text)  # in place: the file keeps its owner
    _sql(postgresql_server, f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
    _sql(postgresql_server, "SELECT pg_reload_conf()")
    _sql(postgresql_server, f"CREATE DATABASE team21 OWNER {ROLE}")
    url = f"postgresql+psycopg://{ROLE}@127.0.0.1:{postgresql_server.port}/team21"
    deadline = time.monotonic() + 10
    while not isinstance(outcome := connect(url, None), Refused):  # until the reload took
        outcome.db.close()
        assert time.monotonic() < deadline, "pg_hba.conf was not reloaded"
        time.sleep(0.05)
    with_password = make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)
    with SettlementDatabase.create(with_password) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    return url


@pytest.fixture
def worked_file(tmp_path):
    path = tmp_path / "worked.sqlite"
    with SettlementDatabase.create(path) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    return path


def _settings_bytes(window) -> bytes:
    window.settings.sync()
    return Path(window.settings.fileName()).read_bytes()


def _choose_url(window, url: str) -> None:
    window.choose_database()
    dialog = window.open_dialog
    assert isinstance(dialog, OpenDatabaseDialog) and dialog.isVisible() and dialog.isModal()
    dialog.server_choice.setChecked(True)
    dialog.url.setText(url)
    dialog.accept()


def _password_asked(qtbot, window) -> PasswordDialog:
    def asked():
        dialog = window.database_opening.password_dialog
        return dialog is not None and dialog.isVisible()

    qtbot.waitUntil(asked, timeout=LOAD_TIMEOUT_MS)
    dialog = window.database_opening.password_dialog
    assert dialog.password.echoMode() == dialog.password.EchoMode.Password
    return dialog


def _type(dialog: PasswordDialog, password: str) -> None:
    dialog.password.setText(password)
    dialog.accept()
    assert dialog.password.text() == ""  # not kept in the dialog either


def test_a_password_typed_into_the_dialog_opens_it_and_is_stored_nowhere(
    qtbot, window, team_database, worked_file, tmp_path
):
    open_demo(qtbot, window, worked_file)
    _choose_url(window, team_database)
    dialog = _password_asked(qtbot, window)
    assert team_database in dialog.where.text()
    assert "no password supplied" in dialog.reason.text()
    assert window.db.location == str(worked_file)  # still open while asking
    _type(dialog, PASSWORD)
    qtbot.waitUntil(
        lambda: window.db.location == team_database and window.view is not None,
        timeout=LOAD_TIMEOUT_MS,
    )
    wait_idle(qtbot, window)
    assert window.view.run.run_type == "SF" and len(window.view.result.inputs.bm.bm_units) == 2
    assert window.runs.tree.topLevelItemCount() >= 1
    assert window.windowTitle() == "team21 on 127.0.0.1: Settlement Workbench"
    assert recent_files.recent(window.settings)[:2] == [team_database, str(worked_file)]
    window.close()  # geometry and state written too
    stored = _settings_bytes(window)
    assert team_database.encode() in stored
    for trace in (PASSWORD, "Tr0ub4dor", "%26", "***"):
        assert trace.encode() not in stored


def test_a_wrong_password_is_one_line_and_the_open_database_stays_open(
    qtbot, window, team_database, worked_file
):
    open_demo(qtbot, window, worked_file)
    shown = window.view
    _choose_url(window, team_database)
    _type(_password_asked(qtbot, window), "not-the-password")
    qtbot.waitUntil(lambda: window.status.text().startswith("Cannot open"), timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    message = window._last_error.text()
    port = make_url(team_database).port
    assert message == (
        f"{team_database}: cannot connect to the server (connection failed: connection to "
        f'server at "127.0.0.1", port {port} failed: FATAL:  password authentication failed '
        f'for user "{ROLE}")'
    )
    assert "not-the-password" not in message and "\n" not in message
    assert window.db.location == str(worked_file) and window.view is shown
    assert window.database_opening.password_dialog.isHidden()  # not asked twice in a row
    assert b"not-the-password" not in _settings_bytes(window)
    assert recent_files.recent(window.settings) == [str(worked_file)]


def test_a_password_in_the_typed_url_is_used_and_not_remembered(
    qtbot, window, team_database, worked_file
):
    typed = make_url(team_database).set(password=PASSWORD).render_as_string(hide_password=False)
    window.open_database(typed)
    qtbot.waitUntil(lambda: window.view is not None, timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    assert window.database_opening.password_dialog is None  # nothing asked
    assert window.db.location == team_database
    assert recent_files.recent(window.settings) == [team_database]
    assert PASSWORD.encode() not in _settings_bytes(window)


def test_reopening_from_the_recent_files_asks_again(qtbot, window, team_database, worked_file):
    recent_files.remember(window.settings, team_database)
    open_demo(qtbot, window, worked_file)
    window._fill_recent()
    action = next(a for a in window.recent_menu.actions() if a.text() == team_database)
    action.trigger()
    dialog = _password_asked(qtbot, window)
    dialog.reject()  # not now: nothing opened, the file stays
    assert window.status.text() == f"Not opened: {team_database} needs a password."
    assert window.db.location == str(worked_file)
    action.trigger()  # asked again, every time
    _type(_password_asked(qtbot, window), PASSWORD)
    qtbot.waitUntil(lambda: window.db.location == team_database, timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)


def test_a_server_that_needs_no_password_opens_without_asking(qtbot, window, postgresql_server):
    url = postgresql_server.new_database("gui_trusted")  # `postgres` is trusted
    with SettlementDatabase.create(url) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    recent_files.remember(window.settings, url)
    window._fill_recent()
    window.recent_menu.actions()[0].trigger()
    assert window.status.text() == f"Connecting to {url}…"  # in a job: the window goes on
    qtbot.waitUntil(lambda: window.view is not None, timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    assert window.database_opening.password_dialog is None
    assert window.db.location == url


def test_at_launch_a_remembered_server_asks_for_its_password(qtbot, team_database, tmp_path):
    from PySide6.QtCore import QSettings

    from workbench.gui import preload
    from workbench.gui.app import open_main_window

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    recent_files.remember(settings, team_database)
    path, note = recent_files.last_database(settings)
    assert (path, note) == (team_database, None)
    window = open_main_window(path, settings, preload=preload.start(path, settings))
    qtbot.addWidget(window)
    try:
        _type(_password_asked(qtbot, window), PASSWORD)
        qtbot.waitUntil(lambda: window.view is not None, timeout=LOAD_TIMEOUT_MS)
        wait_idle(qtbot, window)
        assert window.db.location == team_database
    finally:
        window.jobs.cancel()
        window.jobs.wait_all()
        window.close()


def test_at_launch_a_server_that_needs_no_password_adopts_the_preload(
    qtbot, postgresql_server, tmp_path
):
    from PySide6.QtCore import QSettings

    from workbench.gui import preload
    from workbench.gui.app import open_main_window

    url = postgresql_server.new_database("gui_launch")
    with SettlementDatabase.create(url) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    started = preload.start(url, settings)
    window = open_main_window(url, settings, preload=started)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.view is not None, timeout=LOAD_TIMEOUT_MS)
        wait_idle(qtbot, window)
        assert window.db.location == url and window.db is started.db
        assert window.database_opening.password_dialog is None
    finally:
        window.jobs.cancel()
        window.jobs.wait_all()
        window.close()


def test_a_server_that_cannot_be_reached_is_one_line(qtbot, window, worked_file):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    open_demo(qtbot, window, worked_file)
    url = f"postgresql+psycopg://analyst@127.0.0.1:{port}/settlement"
    _choose_url(window, url)
    qtbot.waitUntil(lambda: window.status.text().startswith("Cannot open"), timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    message = window._last_error.text()
    assert message.startswith(f"{url}: cannot connect to the server (")
    assert f"port {port} failed" in message and "refused" in message and "\n" not in message
    assert window.db.location == str(worked_file)
    assert window.database_opening.password_dialog is None  # refused, not asking


def test_a_user_the_server_lets_in_but_not_read_is_one_line(
    qtbot, window, postgresql_server, team_database, worked_file
):
    _sql(postgresql_server, "CREATE ROLE gui_nobody_21 LOGIN")  # trusted, and granted nothing
    url = make_url(team_database).set(username="gui_nobody_21").render_as_string()
    open_demo(qtbot, window, worked_file)
    _choose_url(window, url)
    qtbot.waitUntil(lambda: window.status.text().startswith("Cannot open"), timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    assert window._last_error.text() == (
        f"{url}: {PRIVILEGE} (the server said: permission denied for table workbench_meta)"
    )
    assert window._last_error.detailedText() == ""
    assert window.db.location == str(worked_file)


def test_the_session_url_has_the_password_and_a_connect_timeout():
    url = session_url("postgresql+psycopg://a@h:5432/db", "p@ss word")
    parsed = make_url(url)
    assert parsed.password == "p@ss word"
    assert parsed.query["connect_timeout"] == str(CONNECT_TIMEOUT_SECONDS)
    kept = session_url("mysql+pymysql://a:x@h/db?connect_timeout=3", None)
    assert make_url(kept).password == "x" and make_url(kept).query["connect_timeout"] == "3"


def test_what_the_servers_say_when_they_want_a_password():
    assert asks_for_password("port 5432 failed: fe_sendauth: no password supplied")
    assert asks_for_password("(1045, \"Access denied for user 'a'@'h' (using password: NO)\")")
    assert not asks_for_password("Access denied for user 'a'@'h' (using password: YES)")
    assert not asks_for_password("Connection refused")


def test_connect_says_connected_with_the_url_as_the_location(team_database):
    outcome = connect(team_database, PASSWORD)
    assert isinstance(outcome, Connected)
    try:
        assert outcome.db.location == team_database and len(outcome.runs) == 1
    finally:
        outcome.db.close()
    refused = connect(team_database, None)
    assert isinstance(refused, Refused) and refused.asks_for_password
    assert refused.message.startswith(f"{team_database}: cannot connect to the server (")
    wrong = connect(team_database, "wrong")
    assert isinstance(wrong, Refused) and not wrong.asks_for_password
    assert "connect_timeout" not in wrong.message and "***" not in wrong.message


def test_a_mariadb_server_asks_too(qtbot, window, mariadb_server, worked_file):
    import pymysql

    root = mariadb_server.new_database("gui21")  # `root` needs no password here
    with SettlementDatabase.create(root) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
    name = make_url(root).database
    conn = pymysql.connect(host="127.0.0.1", port=mariadb_server.port, user="root")
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE USER '{ROLE}'@'127.0.0.1' IDENTIFIED BY '{PASSWORD}'")
            cursor.execute(
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name}.* TO '{ROLE}'@'127.0.0.1'"
            )
    finally:
        conn.close()
    url = f"mysql+pymysql://{ROLE}@127.0.0.1:{mariadb_server.port}/{name}"
    refused = connect(url, None)
    assert isinstance(refused, Refused) and refused.asks_for_password
    assert "(using password: NO)" in refused.message and refused.message.startswith(url)
    wrong = connect(url, "wrong")
    assert isinstance(wrong, Refused) and not wrong.asks_for_password
    assert wrong.message.startswith(f"{url}: cannot connect to the server (Access denied")
    open_demo(qtbot, window, worked_file)
    _choose_url(window, url)
    _type(_password_asked(qtbot, window), PASSWORD)
    qtbot.waitUntil(
        lambda: window.db.location == url and window.view is not None, timeout=LOAD_TIMEOUT_MS
    )
    wait_idle(qtbot, window)
    assert recent_files.recent(window.settings)[0] == url
    assert PASSWORD.encode() not in _settings_bytes(window)


def test_the_password_dialog_screens(qtbot, tmp_path):
    dialog = PasswordDialog(
        "postgresql+psycopg://analyst@127.0.0.1:5432/settlement",
        'connection to server at "127.0.0.1", port 5432 failed: fe_sendauth: no password supplied',
    )
    qtbot.addWidget(dialog)
    dialog.show()
    for path in save_screens(dialog, tmp_path, "password_dialog"):
        assert path.exists()
