"""A server's refusal told in one line (models/db/server_failures.py): each code by hand, the
password never shown; then for real: a PostgreSQL user granted nothing runs `db check` and
`db init` (exit 2, one line, no internal error), and a MariaDB `create` that fails part way
leaves no table behind, so `db init` can be run again."""

from __future__ import annotations

import psycopg
import psycopg.errors
import pymysql
import pytest
from sqlalchemy import inspect

from models.db import database
from models.db.database import SettlementDatabase
from models.db.server_failures import (
    BINARY_LOG,
    LOST,
    PRIVILEGE,
    server_failure,
    shown_location,
)
from tests.workbench.cli.running import one_line, run

URL = "postgresql+psycopg://analyst:s3cret@db.example:5432/team"


@pytest.mark.parametrize(
    ("error", "advice", "said"),
    [
        (psycopg.errors.InsufficientPrivilege("permission denied for table settlement_run"),
         PRIVILEGE, "permission denied for table settlement_run"),
        (psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
         LOST, "terminating connection due to administrator command"),
        (psycopg.errors.ConnectionFailure("server closed the connection\nunexpectedly"),
         LOST, "server closed the connection"),  # class 08, first line only
        (pymysql.err.OperationalError(1142, "SELECT command denied to user 'a'@'h'"),
         PRIVILEGE, "SELECT command denied to user 'a'@'h'"),
        (pymysql.err.OperationalError(1419, "You do not have the SUPER privilege"),
         BINARY_LOG, "You do not have the SUPER privilege"),
        (pymysql.err.OperationalError(2013, "Lost connection to server during query"),
         LOST, "Lost connection to server during query"),
    ],
)  # fmt: skip
def test_each_refusal_is_one_line_naming_the_database_without_its_password(error, advice, said):
    line = server_failure(error, URL)
    assert line == (
        f"postgresql+psycopg://analyst:***@db.example:5432/team: {advice} (the server said: {said})"
    )
    assert "s3cret" not in line and "\n" not in line


def test_what_a_user_cannot_act_on_is_not_such_a_refusal():
    assert server_failure(psycopg.errors.UndefinedTable("relation x does not exist"), URL) is None
    assert server_failure(pymysql.err.ProgrammingError(1064, "syntax error"), URL) is None
    assert server_failure(ValueError("no"), URL) is None


def test_a_location_is_shown_without_its_password():
    assert shown_location(URL) == "postgresql+psycopg://analyst:***@db.example:5432/team"
    assert shown_location("/data/settlement.sqlite") == "/data/settlement.sqlite"
    assert shown_location(None) == "the settlement database"
    assert "s3cret" not in shown_location("postgresql://analyst:s3cret@[bad/team")


def _sql(server, sql: str) -> None:
    with psycopg.connect(
        host="127.0.0.1", port=server.port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(sql)


def test_a_postgresql_user_granted_nothing_gets_one_line_not_an_internal_error(
    postgresql_server, database_target, capsys
):
    owner_url = database_target("postgresql", "granted_nothing")
    SettlementDatabase.create(owner_url).close()
    name = owner_url.rsplit("/", 1)[1]
    _sql(postgresql_server, "CREATE ROLE nobody_21_check LOGIN")  # trusted; granted nothing
    url = f"postgresql+psycopg://nobody_21_check@127.0.0.1:{postgresql_server.port}/{name}"
    code, _, err = run(capsys, "db", "check", url)
    line = one_line(err)
    assert code == 2 and "internal error" not in line, line
    assert line.startswith(f"settlement-workbench: error: {url}: {PRIVILEGE} (the server said: ")
    assert "permission denied" in line
    # Since PostgreSQL 15 only the database's owner may create in its public schema.
    empty = database_target("postgresql", "granted_nothing_empty")
    code, _, err = run(capsys, "db", "init", empty.replace("postgres@", "nobody_21_check@"))
    line = one_line(err)
    assert (
        code == 2 and f": {PRIVILEGE} (the server said: permission denied for schema public" in line
    )


def test_a_mariadb_create_that_fails_part_way_leaves_no_table(database_target, monkeypatch):
    url = database_target("mariadb", "fails_part_way")
    real_upgrade = database._upgrade

    def upgrade_then_fail(conn):
        real_upgrade(conn)  # MariaDB commits each CREATE TABLE as it runs
        raise pymysql.err.OperationalError(1419, "You do not have the SUPER privilege")

    monkeypatch.setattr(database, "_upgrade", upgrade_then_fail)
    with pytest.raises(Exception, match="SUPER"):
        SettlementDatabase.create(url)
    monkeypatch.setattr(database, "_upgrade", real_upgrade)
    with SettlementDatabase.create(url) as db, db.engine.connect() as conn:  # not "has tables"
        assert "settlement_run" in inspect(conn).get_table_names()
