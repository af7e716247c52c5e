"""Columnar cache of a run's SAA figures (issue 18): the saa_* tables in one blob.

An S0142's SAA figures are some 450,000 rows at GB scale (BP7 alone is 7,600 BM units × 48
periods); reading them back for a reconciliation took 9 s through the driver. The import
writes them as rows (the record, queryable by SQL) and, in the same transaction, as one
`saa_report_cache` row: each table's columns as arrays in the format of
models.db.dataset_cache (`pack`: read in place, no copy). The figures of a run never change
(a loaded run is immutable), so the cache never goes stale.

Both ways of reading give the same columns (`read_saa_rows`, `decode_saa`): each table's rows
in its primary key's order (text in code point order, the binary collation every backend
uses for these columns), numbers as float64 with NaN for NULL and 0.0 for −0.0 (SQLite keeps
no negative zero), whole numbers as int64, text as numpy strings ("" for NULL).
`build_missing_saa_caches` makes the cache of each S0142 run that has none (a database
imported before schema 0011) from its rows.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection, inspect, select

from models.db.dataset_cache import pack, server_takes, unpack
from models.db.schema import (
    SaaAccountBmUnitPeriod,
    SaaAccountPeriod,
    SaaBmUnitMvr,
    SaaBmUnitPeriod,
    SaaPairPeriod,
    SaaPartyPeriod,
    SaaReport,
    SaaReportCache,
    SaaSystemPeriod,
)

FORMAT = 1
CACHED = {
    t.name: t
    for t in (
        SaaSystemPeriod.__table__,
        SaaPartyPeriod.__table__,
        SaaAccountPeriod.__table__,
        SaaBmUnitPeriod.__table__,
        SaaPairPeriod.__table__,
        SaaAccountBmUnitPeriod.__table__,
        SaaBmUnitMvr.__table__,
    )
}
COLUMNS = {name: [c.name for c in t.columns if c.name != "run_id"] for name, t in CACHED.items()}
KEYS = {
    name: [c.name for c in t.primary_key.columns if c.name != "run_id"]
    for name, t in CACHED.items()
}
KINDS = {  # table → column → "f" (float), "i" (whole number) or "s" (text)
    name: {
        c.name: {float: "f", int: "i"}.get(c.type.python_type, "s")
        for c in t.columns
        if c.name != "run_id"
    }
    for name, t in CACHED.items()
}

SaaFigures = dict[str, dict[str, np.ndarray]]


def _column(values, kind: str) -> np.ndarray:
    """A column in the canonical form (see the module's docstring)."""
    if kind == "f":
        return np.array(values, dtype=np.float64) + 0.0  # None → NaN; −0.0 → 0.0
    if kind == "i":
        return np.array(values, dtype=np.int64)
    values = np.asarray(values)
    if values.dtype == object:
        values = np.array(["" if v is None else v for v in values.tolist()], dtype=str)
    return values.astype(str, copy=False)


def _table(name: str, data: dict, columns: list[str] | None = None) -> dict[str, np.ndarray]:
    kinds = KINDS[name]
    return {column: _column(data[column], kinds[column]) for column in columns or COLUMNS[name]}


def canonical(figures: dict[str, dict]) -> SaaFigures:
    """The figures (columns by table, in any order: `saa_store.saa_columns`) in the
    canonical form, each table's rows in its primary key's order. A table not given is
    empty."""
    out = {}
    for name in CACHED:
        data = figures.get(name)
        table = _table(name, data) if data is not None else _empty(name)
        keys = [table[k] for k in KEYS[name]]
        rows = len(keys[0])
        if rows > 1:
            order = np.lexsort([_sort_key(k) for k in reversed(keys)])
            if (order[1:] < order[:-1]).any():
                table = {column: values[order] for column, values in table.items()}
        out[name] = table
    return out


def _sort_key(values: np.ndarray) -> np.ndarray:
    """Whole numbers as they are; text as its rank in code point order."""
    if values.dtype.kind == "U":
        return np.unique(values, return_inverse=True)[1].reshape(-1)
    return values


def _empty(name: str) -> dict[str, np.ndarray]:
    empty = {"f": np.empty(0, np.float64), "i": np.empty(0, np.int64), "s": np.empty(0, str)}
    return {column: empty[KINDS[name][column]] for column in COLUMNS[name]}


def encode_saa(figures: SaaFigures) -> bytes:
    """The cache of canonical figures: per table its row count, numbers as they are, text as
    int32 codes into its sorted labels."""
    arrays: dict[str, np.ndarray] = {}
    for name in CACHED:
        table = figures[name]
        arrays[f"{name}/rows"] = np.array([len(table[KEYS[name][0]])], dtype=np.int64)
        for column, values in table.items():
            if KINDS[name][column] == "s":
                labels, codes = np.unique(values, return_inverse=True)
                arrays[f"{name}/{column}/codes"] = codes.reshape(-1).astype(np.int32)
                arrays[f"{name}/{column}/labels"] = labels.astype(str)
            else:
                arrays[f"{name}/{column}"] = values
    return pack(arrays)


class SaaCacheError(ValueError):
    """A cache that does not hold what this version reads (a table or column missing)."""


def decode_saa(payload: bytes | bytearray) -> SaaFigures:
    """The canonical figures a cache holds, numbers in place: read-only arrays from bytes,
    writable ones from a bytearray."""
    stored = unpack(payload)
    out = {}
    for name in CACHED:
        if f"{name}/rows" not in stored:
            raise SaaCacheError(f"the SAA cache has no table {name}")
        table = {}
        for column in COLUMNS[name]:
            if KINDS[name][column] == "s":
                codes = stored.get(f"{name}/{column}/codes")
                if codes is None:
                    raise SaaCacheError(f"the SAA cache has no column {name}.{column}")
                table[column] = stored[f"{name}/{column}/labels"][codes]
            elif f"{name}/{column}" in stored:
                table[column] = stored[f"{name}/{column}"]
            else:
                raise SaaCacheError(f"the SAA cache has no column {name}.{column}")
        out[name] = table
    return out


def write_saa_cache(conn: Connection, run_id: int, figures: SaaFigures) -> bool:
    """Store canonical figures as run `run_id`'s cache where the server takes it (MariaDB's
    packet limit: models.db.dataset_cache.server_takes); whether it was stored."""
    payload = encode_saa(figures)
    if not server_takes(conn, payload):
        return False
    conn.execute(
        SaaReportCache.__table__.insert().values(run_id=run_id, format=FORMAT, payload=payload)
    )
    return True


def read_saa_cache(conn: Connection, run_id: int) -> SaaFigures | None:
    """Run `run_id`'s figures from its cache; None where it has none, or one of a format or
    layout this version does not read (then the rows are read)."""
    cache = SaaReportCache.__table__
    row = conn.execute(
        select(cache.c.payload).where(cache.c.run_id == run_id, cache.c.format == FORMAT)
    ).first()
    if row is None:
        return None
    try:
        # a writable copy (some 15 ms at GB scale): callers may edit the figures they are given
        return decode_saa(bytearray(row.payload))
    except SaaCacheError:
        return None


def read_saa_rows(
    conn: Connection, run_id: int, present: dict[str, set[str]] | None = None
) -> SaaFigures:
    """Run `run_id`'s figures from the saa_* rows, in canonical form; only the columns in
    `present` where given (a migration's schema, which may not have them all yet)."""
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    out = {}
    for name in CACHED:
        names = [c for c in COLUMNS[name] if present is None or c in present.get(name, ())]
        # In key order on every backend: PostgreSQL returns a table's rows as they were written.
        order = ", ".join(quote(c) for c in ["run_id", *KEYS[name]])
        # the driver's tuples, not SQLAlchemy rows: a GB-scale day has a million of them
        rows = conn.exec_driver_sql(
            f"SELECT {', '.join(quote(n) for n in names)} FROM {name} "
            f"WHERE run_id = {mark} ORDER BY {order}",
            (run_id,),
        ).fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        out[name] = _table(name, dict(zip(names, columns, strict=True)), names)
    return out


def build_missing_saa_caches(conn: Connection) -> list[int]:
    """Make the cache of every S0142 run that has none from its rows (a database imported
    before schema 0011, whose migration calls this); the runs whose cache was written.

    The columns are those the tables have at the time: run by migration 0011 under a later
    schema, a table may lack a column added since, and its cache then lacks it too, which
    `read_saa_cache` reads as no cache (the rows are read, as before 0011)."""
    tables = set(inspect(conn).get_table_names())
    if not {*CACHED, SaaReport.__tablename__, SaaReportCache.__tablename__} <= tables:
        return []
    present = {name: {c["name"] for c in inspect(conn).get_columns(name)} for name in CACHED}
    report, cache = SaaReport.__table__, SaaReportCache.__table__
    missing = conn.execute(
        select(report.c.run_id)
        .where(report.c.flow == "S0142", report.c.run_id.not_in(select(cache.c.run_id)))
        .order_by(report.c.run_id)
    ).scalars()
    return [
        run_id
        for run_id in missing.all()
        if write_saa_cache(conn, run_id, read_saa_rows(conn, run_id, present))
    ]
