"""Fast bulk inserts: one executemany of plain tuples at the DB-API level.

SQLAlchemy Core's executemany builds a parameter dict per row, which dominates when loading a
GB-scale day (about a million rows). Here the statement is compiled once and the driver gets
tuples. Drivers with an unusual parameter style fall back to Core's insert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import Connection, Table

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


def bulk_insert(
    conn: Connection, table: Table, rows: Iterable[dict], fixed: dict | None = None
) -> int:
    """Insert dict rows (plus `fixed` column values on every row); return the row count."""
    rows = rows if isinstance(rows, Sequence) else list(rows)
    if not rows:
        return 0
    fixed = fixed or {}
    columns = [*fixed, *(c for c in rows[0] if c not in fixed)]
    sql = _insert_sql(conn, table, columns)
    if sql is None:
        conn.execute(table.insert(), [{**fixed, **row} for row in rows])
        return len(rows)
    head = tuple(fixed.values())
    variable = columns[len(fixed) :]
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
    sql = _insert_sql(conn, table, [*fixed, *names])
    if sql is None:
        rows = [
            dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)
        ]
        conn.execute(table.insert(), [{**fixed, **row} for row in rows])
        return count
    constants = [[value] * count for value in fixed.values()]
    conn.exec_driver_sql(sql, list(zip(*constants, *columns.values(), strict=True)))
    return count
