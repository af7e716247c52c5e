"""models/db/session_user.py: the database user a connection is logged in as on each backend
and the OS user of the process."""

from __future__ import annotations

import getpass

import pytest

from models.db import session_user
from tests.models.db.backends import BACKENDS, created

LOGIN = {"sqlite": "", "postgresql": "postgres", "mariadb": "root@127.0.0.1"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_database_user_is_the_login(database_target, backend):
    target = database_target(backend, f"who_{backend}")
    with created(target, backend) as db, db.engine.connect() as conn:
        assert session_user.database_user(conn) == LOGIN[backend]
        assert session_user.database_user(conn) == LOGIN[backend]  # cached, the same


def test_the_os_user_is_the_process_owner(monkeypatch):
    assert session_user.os_user() == getpass.getuser()

    def no_name():
        raise KeyError("getpwuid(): uid not found: 4242")

    monkeypatch.setattr(session_user.getpass, "getuser", no_name)
    monkeypatch.setattr(session_user.os, "getuid", lambda: 4242)
    assert session_user.os_user() == "uid 4242"
