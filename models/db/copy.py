"""Copying a whole settlement database to another: SQLite, PostgreSQL and MariaDB either way.

`copy_database(source, destination)` copies every table of the schema (`schema.metadata`),
row for row (every run, scenario, result, cache, dispute case and register entry), and keeps
the copy only when it is verified: the destination's rows of each table, read back from the
destination inside the copy's transaction, must have the source's count and checksum
(`table_figures`). Otherwise, or on any failure, nothing of the copy is kept:

- a SQLite destination is built under a temporary name beside it and renamed into place when
  verified (an existing file is replaced only by a whole verified copy);
- a server destination gets the rows in one transaction. A server database that has no
  tables is given the workbench schema first (MariaDB commits DDL at once: a failed copy leaves
  it an empty workbench database, which a later copy accepts).

A destination that holds data (any row but the database's own facts, `workbench_meta`) is
refused unless `replace` is given; it must be a workbench database even then. The copy's
`workbench_meta` is the source's (its creation time and attribution), so both databases
checksum alike table for table.
"""

from __future__ import annotations

import hashlib
import struct
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, Table, func, select, text

from models.core.atomic_write import partial_path, publish, remove_quietly
from models.core.errors import DatabaseOpenError, WorkbenchInputError
from models.db.database import SettlementDatabase, _server_url, _sqlite_path
from models.db.schema import WorkbenchMeta, metadata

ProgressCallback = Callable[[float, str], None]
META = WorkbenchMeta.__table__
# Rows handed to the destination's driver at once: at most this many, or this many bytes of
# values (a GB day's columnar cache is some 46 MB: MariaDB's packet must hold one row of it).
BATCH_ROWS = 5_000
BATCH_BYTES = 16_000_000


class DatabaseCopyError(WorkbenchInputError):
    """A copy that was refused or did not verify; nothing of it was kept."""


@dataclass(frozen=True)
class TableFigures:
    """A table's row count and checksum (SHA-256 over its rows' digests, in sorted order: the
    same rows give the same checksum whatever order a server returns them in)."""

    table: str
    rows: int
    checksum: str


@dataclass(frozen=True)
class CopyReport:
    source: str
    destination: str
    tables: tuple[TableFigures, ...]
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _value_bytes(value) -> bytes:
    """A value as bytes that are the same on every backend for the same stored value; the
    type is part of them (1, 1.0, True and '1' differ)."""
    if value is None:
        return b"N"
    if isinstance(value, bool):
        return b"B1" if value else b"B0"
    if isinstance(value, int):
        return b"I" + str(value).encode()
    if isinstance(value, float):
        return b"F" + value.hex().encode()  # exact: every bit of the double
    if isinstance(value, Decimal):
        return b"F" + float(value).hex().encode()
    if isinstance(value, str):
        return b"S" + value.encode("utf-8", "surrogatepass")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return b"X" + bytes(value)
    if isinstance(value, datetime):  # before date: a datetime is a date
        return b"T" + value.isoformat(timespec="microseconds").encode()
    if isinstance(value, date):
        return b"D" + value.isoformat().encode()
    raise TypeError(f"no checksum for a {type(value).__name__} value")


def row_digest(row: Iterable) -> bytes:
    """SHA-256 of a row's values, each prefixed by its length (no two rows run together)."""
    digest = hashlib.sha256()
    for value in row:
        encoded = _value_bytes(value)
        digest.update(struct.pack(">Q", len(encoded)))
        digest.update(encoded)
    return digest.digest()


def _checksum(digests: list[bytes]) -> str:
    digests.sort()
    return hashlib.sha256(b"".join(digests)).hexdigest()


def _ordered(table: Table):
    """All of a table's rows, its columns in schema order, by primary key (a scenario after
    the run it is based on: ids grow)."""
    return select(*table.c).order_by(*table.primary_key.columns)


def _rows(conn: Connection, table: Table) -> Iterator[tuple]:
    result = conn.execution_options(stream_results=True, yield_per=BATCH_ROWS).execute(
        _ordered(table)
    )
    for row in result:
        yield tuple(row)


def table_figures(conn: Connection, table: Table) -> TableFigures:
    """The rows and checksum of one table as `conn` reads it."""
    digests = [row_digest(row) for row in _rows(conn, table)]
    return TableFigures(table.name, len(digests), _checksum(digests))


def database_figures(conn: Connection) -> tuple[TableFigures, ...]:
    """Every table of the schema: rows and checksum, in the schema's dependency order."""
    return tuple(table_figures(conn, table) for table in metadata.sorted_tables)


def data_rows(conn: Connection) -> int:
    """Rows in every table but the database's own facts (`workbench_meta`)."""
    return sum(
        conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in metadata.sorted_tables
        if table is not META
    )


def _batches(rows: Iterator[tuple]) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    size = 0
    for row in rows:
        batch.append(row)
        size += sum(len(v) for v in row if isinstance(v, (bytes, str))) + 8 * len(row)
        if len(batch) >= BATCH_ROWS or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _copy_table(source: Connection, target: Connection, table: Table) -> TableFigures:
    """Copy one table's rows; the figures of the rows as the source gave them."""
    names = [c.name for c in table.c]
    digests: list[bytes] = []
    for batch in _batches(_rows(source, table)):
        digests.extend(row_digest(row) for row in batch)
        target.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in batch])
    return TableFigures(table.name, len(digests), _checksum(digests))


def _self_reference(table: Table):
    """The column of a table that refers to the table itself (settlement_run.base_run_id)."""
    return next((fk.parent for fk in table.foreign_keys if fk.column.table is table), None)


def _empty(conn: Connection) -> None:
    """Delete every row, children first. Loaded runs are marked deleting first, as
    run_store.delete_run does: the immutability triggers (migration 0009) let those go."""
    run = metadata.tables["settlement_run"]
    conn.execute(run.update().where(run.c.status != "deleting").values(status="deleting"))
    for table in reversed(metadata.sorted_tables):
        parent = _self_reference(table)
        if parent is not None:  # scenarios before their base runs (MariaDB checks row by row)
            conn.execute(table.delete().where(parent.is_not(None)))
        conn.execute(table.delete())


def _restart_sequences(conn: Connection) -> None:
    """PostgreSQL: a serial id's sequence does not see ids inserted as values; start each
    after the largest copied id (MariaDB and SQLite do so by themselves)."""
    if conn.dialect.name != "postgresql":
        return
    for table in metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                f"COALESCE(MAX({column.name}), 0) + 1, false) FROM {table.name}"
            )
        )


def _copy_into(
    source: SettlementDatabase,
    target: SettlementDatabase,
    *,
    replace: bool,
    progress: ProgressCallback,
) -> tuple[TableFigures, ...]:
    tables = metadata.sorted_tables
    copied: list[TableFigures] = []
    # The source is read in one transaction: a consistent snapshot while others write to it.
    with source.engine.connect() as reading, target.engine.begin() as writing:
        if reading.dialect.name != "sqlite":
            reading = reading.execution_options(isolation_level="REPEATABLE READ")
        held = data_rows(writing)
        if held and not replace:
            raise DatabaseCopyError(
                f"{target.location} already holds {held:,} rows of settlement data; copy into "
                "an empty database, or replace its contents (--replace)"
            )
        _empty(writing)
        for done, table in enumerate(tables):
            progress(done / len(tables), f"copying {table.name}")
            copied.append(_copy_table(reading, writing, table))
        _restart_sequences(writing)
        progress(1.0, "verifying the copy")
        written = database_figures(writing)
        for want, got in zip(copied, written, strict=True):
            if want != got:
                raise DatabaseCopyError(
                    f"{target.location}: table {want.table} did not copy exactly "
                    f"({got.rows:,} rows, checksum {got.checksum[:12]}, expected "
                    f"{want.rows:,} rows, checksum {want.checksum[:12]}); nothing was kept"
                )
    return tuple(copied)


def _same(source: str | Path, destination: str | Path) -> bool:
    def key(target):
        url = _server_url(target)
        if url is not None:
            # URL.set(password=None) keeps the password (None means "unchanged" there).
            return url._replace(password=None).render_as_string(hide_password=False)
        return str(_sqlite_path(target).resolve())

    return key(source) == key(destination)


def _open_server_destination(destination: str) -> SettlementDatabase:
    """A server database: given the schema when it has no tables, else opened (a workbench
    database only; an older schema is migrated to this version's first)."""
    try:
        return SettlementDatabase.create(destination)
    except DatabaseOpenError as exc:
        if "already has tables" not in str(exc):
            raise
    return SettlementDatabase.open(destination)


def copy_database(
    source: str | Path,
    destination: str | Path,
    *,
    replace: bool = False,
    progress: ProgressCallback | None = None,
) -> CopyReport:
    """Copy every table of `source` into `destination` (paths or URLs) and verify it."""
    began = time.perf_counter()
    report = progress or (lambda fraction, message: None)
    if _same(source, destination):
        raise DatabaseCopyError(f"{destination} is the source itself; copy to another database")
    with SettlementDatabase.open(source) as reading:
        if _server_url(destination) is not None:
            with _open_server_destination(str(destination)) as target:
                tables = _copy_into(reading, target, replace=replace, progress=report)
                location = target.location
        else:
            tables, location = _copy_to_file(reading, destination, replace, report)
        return CopyReport(reading.location, location, tables, time.perf_counter() - began)


def _copy_to_file(
    source: SettlementDatabase, destination: str | Path, replace: bool, progress
) -> tuple[tuple[TableFigures, ...], str]:
    path = _sqlite_path(destination)
    if path.exists():
        # Only a workbench database is ever replaced, and one holding data only when told.
        with SettlementDatabase.open(path) as existing, existing.engine.connect() as conn:
            held = data_rows(conn)
        if held and not replace:
            raise DatabaseCopyError(
                f"{path} already holds {held:,} rows of settlement data; copy into a new file, "
                "or replace its contents (--replace)"
            )
    temporary = partial_path(path)
    try:
        with SettlementDatabase.create(temporary, overwrite=True) as target:
            target.location = str(path)
            tables = _copy_into(source, target, replace=True, progress=progress)
        publish(temporary, path, overwrite=True)
    except BaseException:
        remove_quietly(temporary)
        raise
    return tables, str(path)
