"""models.db.races: which driver errors are a lost race, a transaction made again while it
loses one, and transactions without gap locks on MariaDB (the races themselves, between real
processes on real servers: tests/models/runs/test_results_store_concurrency.py and
tests/models/imports/test_loader_concurrency.py)."""

from __future__ import annotations

import sqlite3

import pymysql
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from models.db.races import deadlocked, key_taken, lost_a_race, made_again, without_gap_locks
from tests.models.db.backends import BACKENDS, created


class _PostgresError(Exception):
    def __init__(self, sqlstate: str):
        super().__init__("error")
        self.sqlstate = sqlstate


def _wrapped(kind, original):
    return kind("INSERT …", {}, original)


@pytest.mark.parametrize(
    ("error", "is_deadlock", "is_key"),
    [
        (_wrapped(OperationalError, _PostgresError("40P01")), True, False),
        (_wrapped(OperationalError, _PostgresError("40001")), True, False),
        (_wrapped(IntegrityError, _PostgresError("23505")), False, True),
        (_wrapped(IntegrityError, _PostgresError("23503")), False, False),  # a foreign key
        (_wrapped(OperationalError, pymysql.err.OperationalError(1213, "Deadlock")), True, False),
        (_wrapped(IntegrityError, pymysql.err.IntegrityError(1062, "Duplicate")), False, True),
        (_wrapped(OperationalError, pymysql.err.OperationalError(1205, "timeout")), False, False),
        (_wrapped(IntegrityError, sqlite3.IntegrityError("UNIQUE constraint failed")), False, True),
        (_wrapped(IntegrityError, sqlite3.IntegrityError("NOT NULL constraint failed")), 0, 0),
        (ValueError("not a database error"), False, False),
    ],
)
def test_a_lost_race_is_told_from_other_errors(error, is_deadlock, is_key):
    assert deadlocked(error) is bool(is_deadlock)
    assert key_taken(error) is bool(is_key)
    assert lost_a_race(error) is bool(is_deadlock or is_key)


def test_a_transaction_is_made_again_while_it_loses_at_most_three_times():
    attempts = []
    lost = _wrapped(OperationalError, _PostgresError("40P01"))

    def work(attempt):
        attempts.append(attempt)
        if attempt < 3:
            raise lost
        return "done"

    assert made_again(work) == "done"
    assert attempts == [1, 2, 3]

    def always(attempt):
        attempts.append(attempt)
        raise lost

    attempts.clear()
    with pytest.raises(OperationalError) as raised:
        made_again(always)
    assert raised.value is lost and attempts == [1, 2, 3]


def test_other_errors_are_not_made_again():
    attempts = []
    key = _wrapped(IntegrityError, _PostgresError("23505"))

    def work(attempt):
        attempts.append(attempt)
        raise key

    with pytest.raises(IntegrityError):
        made_again(work, deadlocked)  # a taken key is not a deadlock
    with pytest.raises(ValueError):
        made_again(lambda attempt: attempts.append(attempt) or int("x"))
    assert attempts == [1, 1]


LEVEL = {
    "sqlite": None,
    "postgresql": "SELECT current_setting('transaction_isolation')",
    "mariadb": "SELECT @@tx_isolation",
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_without_gap_locks_is_read_committed_on_mariadb_and_only_there(database_target, backend):
    with created(database_target(backend, f"races_{backend}"), backend) as db:
        with without_gap_locks(db.engine) as conn:
            assert conn.in_transaction()
            level = conn.execute(text(LEVEL[backend])).scalar() if LEVEL[backend] else None
            conn.execute(text("CREATE TABLE scratch (n INTEGER)"))
            conn.execute(text("INSERT INTO scratch VALUES (1)"))
        with db.engine.connect() as conn:  # committed; the pool's connection back at its level
            assert conn.execute(text("SELECT n FROM scratch")).scalar() == 1
            after = conn.execute(text(LEVEL[backend])).scalar() if LEVEL[backend] else None
    expected = {"sqlite": (None, None), "postgresql": ("read committed", "read committed"),
                "mariadb": ("READ-COMMITTED", "REPEATABLE-READ")}  # fmt: skip
    assert (level, after) == expected[backend]
