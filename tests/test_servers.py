"""The tests' real database servers (tests/servers.py): real, on the loopback address only,
each database new and empty, and a process left behind is found."""

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, make_url, text

from tests.processes import live_processes
from tests.servers import LOOPBACK

LISTENING = {
    "postgresql": "SELECT current_setting('listen_addresses')",
    "mariadb": "SELECT @@bind_address",
}
VERSION = {"postgresql": "SHOW server_version_num", "mariadb": "SELECT VERSION()"}


@pytest.mark.parametrize(
    ("backend", "dialect"), [("postgresql", "postgresql"), ("mariadb", "mysql")]
)
def test_a_server_database_is_real_new_and_on_loopback_only(database_target, backend, dialect):
    first, second = database_target(backend, "servers"), database_target(backend, "servers")
    assert first != second
    assert make_url(first).host == LOOPBACK
    engine = create_engine(first)
    try:
        assert engine.dialect.name == dialect
        with engine.connect() as conn:
            assert conn.execute(text(LISTENING[backend])).scalar() == LOOPBACK
            version = str(conn.execute(text(VERSION[backend])).scalar())
            assert inspect(conn).get_table_names() == []
    finally:
        engine.dispose()
    if backend == "postgresql":
        assert int(version) >= 150000  # the issue asks for PostgreSQL 15 or later
    else:
        assert "MariaDB" in version
        assert tuple(int(n) for n in version.split("-")[0].split(".")[:2]) >= (10, 11)


def test_a_process_of_a_server_left_running_is_found(tmp_path: Path):
    sleeper = subprocess.Popen(["sleep", "30"], start_new_session=True)
    try:
        assert live_processes(group=sleeper.pid, folder=tmp_path) == [sleeper.pid]
    finally:
        sleeper.kill()
        sleeper.wait()
    assert live_processes(group=sleeper.pid, folder=tmp_path) == []
