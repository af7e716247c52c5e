"""Writes that lost a race with another analyst's (issue 21), and transactions made again.

On a server several workbenches write one database at once. A transaction can then lose to
another one: the server picks it as a deadlock's victim (MariaDB's gap locks make one of two
writers into one empty key range wait for the other), or a key it inserts (a date's next run
number) was taken by a transaction that committed first. Neither is a fault of the data: made
again from the start, the transaction sees what the other committed and does the right thing
with it (an import of a date already imported adds nothing).

A transaction that deletes a run's rows and writes them again (a settle's results) is begun
`without_gap_locks`: at MariaDB's default REPEATABLE READ, a DELETE that finds no rows locks the
gap they would be in, and two runs settled at once, neither with results yet, each wait to
insert into the gap the other locked, until the server kills one, every time it is made again.
At READ COMMITTED (PostgreSQL's default, which the workbench is written for) no gap is locked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

ATTEMPTS = 3
# PostgreSQL SQLSTATEs: serialization failure, deadlock detected; and unique violation.
_DEADLOCK_STATES = {"40001", "40P01"}
_UNIQUE_STATES = {"23505"}
# MariaDB error numbers: deadlock found; and duplicate entry for a key.
_DEADLOCK_ERRORS = {1213}
_UNIQUE_ERRORS = {1062}


def _codes(exc: DBAPIError) -> tuple[str | None, int | None]:
    original = exc.orig
    args = getattr(original, "args", ())
    number = args[0] if args and isinstance(args[0], int) else None
    return getattr(original, "sqlstate", None), number


def deadlocked(exc: BaseException) -> bool:
    """The server rolled the transaction back to break a deadlock (or a serialization
    failure): made again, it goes through."""
    if not isinstance(exc, DBAPIError):
        return False
    state, number = _codes(exc)
    return state in _DEADLOCK_STATES or number in _DEADLOCK_ERRORS


def key_taken(exc: BaseException) -> bool:
    """An insert met a unique key another transaction had written (committed first)."""
    if not isinstance(exc, DBAPIError):
        return False
    state, number = _codes(exc)
    if state in _UNIQUE_STATES or number in _UNIQUE_ERRORS:
        return True
    return isinstance(exc, IntegrityError) and "UNIQUE constraint failed" in str(exc.orig)


def lost_a_race(exc: BaseException) -> bool:
    return deadlocked(exc) or key_taken(exc)


@contextmanager
def without_gap_locks(engine: Engine) -> Iterator[Connection]:
    """As `engine.begin()`, at READ COMMITTED on MariaDB (its pool restores the level after)."""
    with engine.connect() as conn:
        if conn.dialect.name == "mysql":
            conn.execution_options(isolation_level="READ COMMITTED")
        with conn.begin():
            yield conn


def made_again[T](
    work: Callable[[int], T],
    lost: Callable[[BaseException], bool] = lost_a_race,
    attempts: int = ATTEMPTS,
) -> T:
    """`work(attempt)` (attempt 1, 2, …), each a whole transaction of its own, made again while
    it loses a race (`lost`), at most `attempts` times; the last loss is raised as it was."""
    for attempt in range(1, attempts + 1):
        try:
            return work(attempt)
        except DBAPIError as exc:
            if attempt == attempts or not lost(exc):
                raise
    raise AssertionError("unreachable")  # pragma: no cover
