"""Fast bulk inserts: one executemany of plain tuples at the DB-API level, or a COPY.

SQLAlchemy Core's executemany builds a parameter dict per row, which dominates when loading a
GB-scale day (about a million rows). Here the statement is compiled once and the driver gets
tuples: SQLite's executemany; PyMySQL's, which sends them as multi-row INSERTs (as many rows a
statement as fit in about a megabyte). On PostgreSQL (psycopg 3) the rows go through one
`COPY … FROM STDIN` a table instead, on the connection's own transaction (an import stays all
or nothing), its values written by the driver's adapters as its executemany would bind them:
some five times faster than executemany's pipeline of one INSERT a row. Drivers with an
unusual parameter style fall back to Core's insert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Table

# Fewer rows than this go by executemany: a COPY costs a round trip or two of its own.
COPY_MIN_ROWS = 100

_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _insert_sql(conn: Connection, table: Table, columns: Sequence[str]) -> str | None:
    placeholder = _PLACEHOLDER.get(conn.dialect.paramstyle)
    if placeholder is None:
        return None
    for column in columns:
        if column not in table.c:
            raise KeyError(f"{table.name} has no column {column!r}")
    preparer = conn.dialect.identifier_preparer
    return (
        f"INSERT INTO {preparer.format_table(table)} "
        f"({', '.join(preparer.quote(c) for c in columns)}) "
        f"VALUES ({', '.join([placeholder] * len(columns))})"
    )


def _copies(conn: Connection, rows: int) -> bool:
    psycopg = conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"
    return psycopg and rows >= COPY_MIN_ROWS


def _copy(conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY `rows` into `table` on the transaction of `conn` (PostgreSQL, psycopg 3)."""
    for column in columns:
        if column not in table.c:
            raise KeyError(f"{table.name} has no column {column!r}")
    preparer = conn.dialect.identifier_preparer
    sql = (
        f"COPY {preparer.format_table(table)} "
        f"({', '.join(preparer.quote(c) for c in columns)}) FROM STDIN"
    )
    with conn.connection.driver_connection.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def bulk_insert(
    conn: Connection, table: Table, rows: Iterable[dict], fixed: dict | None = None
) -> int:
    """Insert dict rows (plus `fixed` column values on every row); return the row count."""
    rows = rows if isinstance(rows, Sequence) else list(rows)
    if not rows:
        return 0
    fixed = fixed or {}
    columns = [*fixed, *(c for c in rows[0] if c not in fixed)]
    head = tuple(fixed.values())
    variable = columns[len(fixed) :]
    if _copies(conn, len(rows)):
        _copy(conn, table, columns, (head + tuple(row[c] for c in variable) for row in rows))
        return len(rows)
    sql = _insert_sql(conn, table, columns)
    if sql is None:
        conn.execute(table.insert(), [{**fixed, **row} for row in rows])
        return len(rows)
    conn.exec_driver_sql(sql, [head + tuple(row[c] for c in variable) for row in rows])
    return len(rows)


def bulk_insert_columns(
    conn: Connection, table: Table, columns: dict[str, list], fixed: dict | None = None
) -> int:
    """Insert rows given as equal-length columns (plus `fixed` values on every row)."""
    names = list(columns)
    if not names or not len(columns[names[0]]):
        return 0
    fixed = fixed or {}
    count = len(columns[names[0]])
    constants = [[value] * count for value in fixed.values()]
    if _copies(conn, count):
        _copy(conn, table, [*fixed, *names], zip(*constants, *columns.values(), strict=True))
        return count
    sql = _insert_sql(conn, table, [*fixed, *names])
    if sql is None:
        rows = [
            dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)
        ]
        conn.execute(table.insert(), [{**fixed, **row} for row in rows])
        return count
    conn.exec_driver_sql(sql, list(zip(*constants, *columns.values(), strict=True)))
    return count
