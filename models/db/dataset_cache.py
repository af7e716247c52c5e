"""Columnar cache of BM datasets: their segment tables as numpy arrays in one blob.

A dataset is immutable, so its cache is written once, with it, and never goes stale. Text
columns (BM unit ids) are stored as integer codes and their labels; numbers as they are.
Caches are read as tables of numpy arrays (models.core.table), on the launch path; pandas is
imported only where caches are written.
"""

from __future__ import annotations

import io
import json
import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy import Connection, select

from models.core.table import Table, is_number, table_from_rows
from models.db.schema import BM_DATA_TABLES, RUN_INPUT_TABLES, BmDatasetCache, RunInputCache

# 1: a numpy .npz archive (read still); 2: a header and the raw arrays, which are read in place
# (np.load copied and checksummed 46 MB of a GB day's dataset: 45 ms of every launch); 3: as 2,
# a number column stored narrower where that loses nothing (`pack(compact=True)`): a GB day's
# dataset is some 10 MB instead of 46, which a server reads and sends in a fraction of the time
# (PostgreSQL: 0.12 s before, 14 ms after; the decode that widens the columns costs ~10 ms).
FORMAT = 3
READABLE = (1, 2, 3)
COLUMNS = {t.name: [c.name for c in t.columns if c.name != "dataset_id"] for t in BM_DATA_TABLES}
RUN_COLUMNS = {t.name: [c.name for c in t.columns if c.name != "run_id"] for t in RUN_INPUT_TABLES}
ORDER = {
    "physical_notification": ["notification", "bm_unit_id", "profile", "seq"],
    "bid_offer": ["bm_unit_id", "period", "pair", "seq"],
    "acceptance": ["bm_unit_id", "number"],
    "acceptance_level": ["bm_unit_id", "number", "seq"],
}

if TYPE_CHECKING:
    import pandas as pd


def frames_from_rows(rows: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """BM data rows (as written to the tables) as sorted frames."""
    import pandas as pd

    frames = {}
    for table, columns in COLUMNS.items():
        frame = pd.DataFrame(rows.get(table, []), columns=columns)
        frames[table] = frame.sort_values(ORDER[table], kind="stable").reset_index(drop=True)
    return frames


def frames_from_columns(tables: dict[str, dict[str, list]]) -> dict[str, pd.DataFrame]:
    """BM data given as columns (importers) as sorted frames."""
    import pandas as pd

    frames = {}
    for table, columns in COLUMNS.items():
        data = tables.get(table) or {}
        frame = pd.DataFrame({c: data.get(c, []) for c in columns}, columns=columns)
        frames[table] = frame.sort_values(ORDER[table], kind="stable").reset_index(drop=True)
    return frames


def payload_from_columns(tables: dict[str, dict[str, list]]) -> bytes:
    """The cache of BM data given as columns: `encode(frames_from_columns(tables))`, built with
    numpy alone when every column is of one of the kinds the importers give (whole numbers,
    numbers with or without NULLs, booleans, text with or without NULLs), else through pandas.
    Importing pandas for the first cache write of a process took 0.46 s, 43% of a one-period
    import command, and building frames 8% of a GB day's import."""
    payload = _payload_without_pandas(tables)
    return encode(frames_from_columns(tables)) if payload is None else payload


def _payload_without_pandas(tables: dict[str, dict[str, list]]) -> bytes | None:
    arrays: dict[str, np.ndarray] = {}
    for table, columns in COLUMNS.items():
        data = tables.get(table) or {}
        values = [data.get(c, []) for c in columns]
        rows = len(values[0])
        if any(len(v) != rows for v in values):
            return None  # pandas says why
        order = _stable_order([values[columns.index(c)] for c in ORDER[table]], rows)
        if order is None:
            return None
        arrays[f"{table}/rows"] = np.array([rows])
        for column, items in zip(columns, values, strict=True):
            if order is not True:
                items = list(map(items.__getitem__, order))
            encoded = _encode_column(items)
            if encoded is None:
                return None
            for suffix, array in encoded.items():
                arrays[f"{table}/{column}{suffix}"] = array
    return pack(arrays, compact=True)


def _stable_order(keys: list[list], rows: int) -> list[int] | bool | None:
    """The rows' stable order by `keys` (whole numbers or text): True when they are in order
    already, None when a key column is of another kind."""
    if rows < 2:
        return True
    arrays = []
    for key in keys:
        kinds = set(map(type, key))
        if kinds == {int} and min(key) >= -(2**63) and max(key) < 2**63:
            arrays.append(np.array(key, dtype=np.int64))
        elif kinds == {str}:  # codes in the order of the labels (a BM unit id: ~1,500 labels)
            codes = {label: n for n, label in enumerate(sorted(set(key)))}
            arrays.append(np.fromiter(map(codes.__getitem__, key), dtype=np.int64, count=rows))
        else:
            return None
    order = np.lexsort(arrays[::-1])  # stable; the last array is the primary key
    return True if (order[1:] > order[:-1]).all() else order.tolist()


def _encode_column(items: list) -> dict[str, np.ndarray] | None:
    """A column as `encode` stores it from the frame pandas would build (suffix -> array)."""
    kinds = set(map(type, items))
    numbers = kinds - {type(None)}
    if kinds == {int}:  # pandas: int64 (beyond it, other types: left to pandas)
        try:
            return {"": np.array(items, dtype=np.int64)}
        except OverflowError:
            return None
    if not kinds or (numbers and numbers <= {int, float}):  # pandas: float64, NaN for NULL
        return {"": np.array(items, dtype=float)}
    if kinds == {bool}:
        return {"": np.array(items, dtype=bool)}
    if not kinds - {str, type(None)}:  # pandas: text, factorized in order of appearance
        codes = {
            label: n for n, label in enumerate(k for k in dict.fromkeys(items) if k is not None)
        }
        labels = np.asarray(list(codes), dtype=str)
        codes[None] = -1
        return {
            "/codes": np.fromiter(map(codes.__getitem__, items), dtype=np.int32, count=len(items)),
            "/labels": labels,
        }
    return None


def _query(conn: Connection, sql: str) -> tuple[list[tuple], list[str]]:
    """Rows as plain tuples from the DB-API cursor: building Row objects costs seconds here."""
    cursor = conn.connection.dbapi_connection.cursor()
    if conn.dialect.name == "postgresql":
        _booleans_as_integers(cursor)
    try:
        cursor.execute(sql)
        return cursor.fetchall(), [d[0] for d in cursor.description]
    finally:
        cursor.close()


def _booleans_as_integers(cursor) -> None:
    """PostgreSQL's driver gives a boolean as True or False where SQLite's and MariaDB's give
    1 or 0: read as 1 or 0 here too, so that a table read raw, and a cache written from it,
    are the same on every backend (a cache's flags are int64 arrays). This cursor only:
    SQLAlchemy's own queries still get True and False."""
    from psycopg.adapt import Loader

    class IntegerBoolean(Loader):
        def load(self, data) -> int:
            return 1 if data == b"t" else 0  # the text format's 't' or 'f'

    cursor.adapters.register_loader("bool", IntegerBoolean)


def query_table(conn: Connection, sql: str) -> Table:
    rows, columns = _query(conn, sql)
    return table_from_rows(rows, columns)


def query_frame(conn: Connection, sql: str) -> pd.DataFrame:
    import pandas as pd

    rows, columns = _query(conn, sql)
    return pd.DataFrame(rows, columns=columns)


def encode(frames: dict[str, pd.DataFrame]) -> bytes:
    import pandas as pd

    arrays: dict[str, np.ndarray] = {}
    for table, frame in frames.items():
        arrays[f"{table}/rows"] = np.array([len(frame)])
        for column in frame.columns:
            values = frame[column]
            if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
                present = values.dropna()
                if len(present) and all(is_number(v) for v in present):
                    # NULL-or-number (a BSAD cost, a derated margin): float with NaN for NULL.
                    arrays[f"{table}/{column}"] = pd.to_numeric(values).to_numpy(dtype=float)
                    continue
                codes, labels = pd.factorize(values)  # NULL → code −1
                arrays[f"{table}/{column}/codes"] = codes.astype(np.int32)
                arrays[f"{table}/{column}/labels"] = np.asarray(labels, dtype=str)
            else:
                arrays[f"{table}/{column}"] = values.to_numpy()
    return pack(arrays, compact=True)


ALIGN = 8  # every array starts at a multiple of 8 bytes from the payload's start


def pack(arrays: dict[str, np.ndarray], compact: bool = False) -> bytes:
    """Format 2: the header's length (8 bytes), the header (JSON: name, dtype, length and
    offset of each one-dimensional array), then the arrays' bytes, each aligned.

    `compact` (format 3): a column of whole numbers or of floats may be stored narrower, its
    header entry saying how (`_narrower`): what `unpack` gives back is the same, bit for bit."""
    header, chunks, offset = [], [], 0

    def add(array: np.ndarray) -> int:
        nonlocal offset
        data = np.ascontiguousarray(array).tobytes()
        padding = -len(data) % ALIGN
        chunks.append(data + bytes(padding))
        at, offset = offset, offset + len(data) + padding
        return at

    for name, array in arrays.items():
        narrower = _narrower(array) if compact else None
        if narrower is None:
            header.append([name, array.dtype.str, len(array), add(array)])
        elif narrower[0] == "base":
            _, stored, base = narrower
            entry = [name, array.dtype.str, len(array), add(stored), "base", stored.dtype.str]
            header.append([*entry, base])
        else:
            _, codes, values = narrower
            entry = [name, array.dtype.str, len(array), add(codes), "values", codes.dtype.str]
            header.append([*entry, len(values), add(values)])
    head = json.dumps(header).encode()
    head += b" " * (-(8 + len(head)) % ALIGN)
    return struct.pack("<Q", len(head)) + head + b"".join(chunks)


# A column narrowed only when that saves at least a quarter of its bytes: each costs a pass on
# every read, and a small column is read in no time anyway.
NARROW_MIN_ROWS = 1_000
NARROW_GAIN = 0.75
_WIDTHS = (np.uint8, np.uint16, np.uint32)


def _narrower(array: np.ndarray) -> tuple | None:
    """A lossless narrower form of a number column, or None where it has none worth having:

    - ("base", stored, base): whole numbers as their difference from the least (`base`), in
      the narrowest unsigned type that holds the largest difference (a period, a pair
      number, a BM unit's code: one byte or two instead of eight or four);
    - ("values", codes, values): a column of few distinct values as those values, sorted,
      and each row's position among them, in the narrowest unsigned type that holds it
      (a price, a level in MW, an instant on the half hour). Floats are told apart by their
      bits, so a NaN, -0.0 and 0.0 come back as they were."""
    if array.ndim != 1 or len(array) < NARROW_MIN_ROWS or array.dtype.kind not in "iuf":
        return None
    size, budget = array.nbytes, array.nbytes * NARROW_GAIN
    best = None
    if array.dtype.kind in "iu":
        base = int(array.min())
        span = int(array.max()) - base
        width = next((w for w in _WIDTHS if span <= np.iinfo(w).max), None)
        if width is not None and len(array) * np.dtype(width).itemsize <= budget:
            stored = np.subtract(array, base, dtype=array.dtype).astype(width)
            best, size = ("base", stored, base), stored.nbytes
            if width is np.uint8:
                return best  # nothing is narrower
    bits = array.view(f"u{array.dtype.itemsize}") if array.dtype.kind == "f" else array
    distinct = np.unique(bits)
    width = next((w for w in _WIDTHS if len(distinct) - 1 <= np.iinfo(w).max), None)
    if width is not None:
        values_size = len(array) * np.dtype(width).itemsize + distinct.nbytes
        if values_size <= budget and values_size < size:
            codes = np.searchsorted(distinct, bits).astype(width)
            best = ("values", codes, distinct.view(array.dtype))
    return best


def unpack(payload: bytes) -> dict[str, np.ndarray]:
    """The arrays of a format 2 or 3 payload: a column stored as it is, a read-only view of
    the payload's bytes (no copy); one stored narrower, made again at its own type."""
    (size,) = struct.unpack_from("<Q", payload)
    start = 8 + size
    arrays = {}
    for name, dtype, count, offset, *narrowed in json.loads(payload[8:start]):
        dtype = np.dtype(dtype)
        if not narrowed:
            arrays[name] = np.frombuffer(payload, dtype=dtype, count=count, offset=start + offset)
        elif narrowed[0] == "base":
            _, stored_dtype, base = narrowed
            stored = np.frombuffer(payload, np.dtype(stored_dtype), count, start + offset)
            arrays[name] = np.add(stored, dtype.type(base), dtype=dtype)
        else:
            _, codes_dtype, distinct, values_offset = narrowed
            codes = np.frombuffer(payload, np.dtype(codes_dtype), count, start + offset)
            values = np.frombuffer(payload, dtype, distinct, start + values_offset)
            arrays[name] = values[codes]
    return arrays


def decode(
    payload: bytes,
    layout: dict[str, list[str]] = COLUMNS,
    format: int = FORMAT,
    missing: list[tuple[str, str]] | None = None,
) -> dict[str, Table]:
    """The tables of a cache; columns the cache does not hold (it was written before they
    existed) are NULL, and listed in `missing` when given."""
    stored = unpack(payload) if format != 1 else np.load(io.BytesIO(payload), allow_pickle=False)
    frames = {}
    for table, columns in layout.items():
        data = {}
        rows = int(stored[f"{table}/rows"][0])
        for column in columns:
            if f"{table}/{column}/codes" in stored:
                labels = np.append(stored[f"{table}/{column}/labels"].astype(object), None)
                data[column] = labels[stored[f"{table}/{column}/codes"]]  # −1 → None
            elif f"{table}/{column}" in stored:
                data[column] = stored[f"{table}/{column}"]
            else:
                data[column] = np.full(rows, None, dtype=object)
                if missing is not None:
                    missing.append((table, column))
        frames[table] = data
    return frames


# Below this many rows the tables are read as fast as a cache, which would only cost space.
CACHE_MIN_ROWS = 5_000
# A run's input tables are cached from fewer rows: a GB-scale day's run holds some 3,400 (its
# parties and BM units), which PyMySQL parses value by value in Python: 15 ms of a 77 ms load
# on MariaDB (PostgreSQL 5 ms, SQLite 3), from its cache (0.4 MB) 1-1.5 ms on each; writing
# the cache costs the import some 7 ms. A day's BSAD run holds a few dozen.
RUN_CACHE_MIN_ROWS = 2_000


def write_run_cache(conn: Connection, run_id: int) -> None:
    """Store a run's input tables (as now in the database) as its cache, if large enough.

    The rows are counted first: most runs (a BSAD series imports one per day) are far below
    RUN_CACHE_MIN_ROWS, and reading their eleven tables only to write nothing took a third of
    a three-year DISBSAD import. The cache is built without pandas where every column is of
    a kind `_encode_column` knows (importing pandas cost a GB day's import 0.46 s)."""
    counts = " + ".join(
        f"(SELECT COUNT(*) FROM {t.name} WHERE run_id = {int(run_id)})" for t in RUN_INPUT_TABLES
    )
    (rows,) = _query(conn, f"SELECT {counts}")[0][0]
    if rows < RUN_CACHE_MIN_ROWS:
        return
    tables = _run_tables(conn, run_id)
    if sum(len(rows) for rows, _ in tables.values()) < RUN_CACHE_MIN_ROWS:
        return
    payload = _run_payload_without_pandas(tables)
    if payload is None:
        import pandas as pd

        frames = {name: pd.DataFrame(rows, columns=c) for name, (rows, c) in tables.items()}
        payload = encode(frames)
    if not server_takes(conn, payload):
        return
    conn.execute(
        RunInputCache.__table__.insert().values(run_id=run_id, format=FORMAT, payload=payload)
    )


def _run_tables(conn: Connection, run_id: int) -> dict[str, tuple[list[tuple], list[str]]]:
    """A run's input tables as query rows and their columns, by primary key."""
    tables = {}
    for table in RUN_INPUT_TABLES:
        columns = RUN_COLUMNS[table.name]
        order = ", ".join(c.name for c in table.primary_key.columns if c.name != "run_id")
        sql = (
            f"SELECT {', '.join(columns)} FROM {table.name} "
            f"WHERE run_id = {int(run_id)} ORDER BY {order}"
        )
        tables[table.name] = _query(conn, sql)
    return tables


def _run_payload_without_pandas(tables: dict[str, tuple[list[tuple], list[str]]]) -> bytes | None:
    """`encode` of the frames pandas makes of these query rows (table -> rows, columns), made
    with numpy alone; None where a column is of a kind left to pandas (a date, a Decimal)."""
    arrays: dict[str, np.ndarray] = {}
    for table, (rows, columns) in tables.items():
        arrays[f"{table}/rows"] = np.array([len(rows)])
        values = list(zip(*rows, strict=True)) if rows else [()] * len(columns)
        for column, items in zip(columns, values, strict=True):
            if rows:
                encoded = _encode_column(list(items))
            else:  # pandas makes an empty column one of objects: factorized, as text
                encoded = {"/codes": np.zeros(0, np.int32), "/labels": np.array([], dtype=str)}
            if encoded is None:
                return None
            for suffix, array in encoded.items():
                arrays[f"{table}/{column}{suffix}"] = array
    return pack(arrays, compact=True)


def server_takes(conn: Connection, payload: bytes) -> bool:
    """Whether the server accepts a statement carrying `payload`. MariaDB refuses one longer
    than its max_allowed_packet (16 MiB by default; a GB-scale day's cache is some 10 MB in
    format 3, 46 MB in format 2) and drops the connection, failing the whole import. A cache
    only saves time (without one, a run's tables are read from their rows, to the same
    figures): one that does not fit is not written. The driver sends a blob as text: PyMySQL
    as hexadecimal digits (two a byte), others escaped (at most two a byte): twice its size,
    counted so."""
    if conn.dialect.name != "mysql":
        return True
    limit = conn.exec_driver_sql("SELECT @@max_allowed_packet").scalar()
    return 2 * len(payload) + _STATEMENT <= int(limit)


_STATEMENT = 4096  # the INSERT's own text, with room to spare


def write_dataset_cache(
    conn: Connection, dataset_id: int, frames: dict[str, pd.DataFrame] | bytes
) -> None:
    """Store a dataset's cache, given as frames or as its payload (`payload_from_columns`),
    where the server takes it (`server_takes`)."""
    payload = frames if isinstance(frames, bytes) else encode(frames)
    if not server_takes(conn, payload):
        return
    conn.execute(
        BmDatasetCache.__table__.insert().values(
            dataset_id=dataset_id, format=FORMAT, payload=payload
        )
    )


def _cache_row(conn: Connection, model, key, value: int):
    """The (payload, format) of the cache whose `key` is `value`, or None. On PostgreSQL the
    payload is read in binary: as text a bytea travels as hexadecimal digits, twice its size,
    and is decoded again (a 1,500-unit day's 23 MB: 0.16 s as text, 0.05 s in binary)."""
    query = select(model.payload, model.format).where(key == value, model.format.in_(READABLE))
    if conn.dialect.name != "postgresql" or conn.dialect.driver != "psycopg":
        return conn.execute(query).first()
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    with conn.connection.driver_connection.cursor(binary=True) as cursor:
        row = cursor.execute(sql).fetchone()
    return None if row is None else _CacheRow(bytes(row[0]), row[1])


@dataclass(frozen=True)
class _CacheRow:
    payload: bytes
    format: int


def _read_cache(conn: Connection, model, key, value: int, layout) -> dict[str, Table] | None:
    row = _cache_row(conn, model, key, value)
    return None if row is None else decode(row.payload, layout, row.format)


def read_dataset_cache(conn: Connection, dataset_id: int) -> dict[str, Table] | None:
    """The dataset's tables from its cache, or None where it has none (older databases)."""
    return _read_cache(conn, BmDatasetCache, BmDatasetCache.dataset_id, dataset_id, COLUMNS)


def read_run_cache(conn: Connection, run_id: int) -> dict[str, Table] | None:
    """The run's input tables from its cache, or None where it has none (older databases).

    A cache written before a column was added (run_bm_unit's register_snapshot_id and
    registered, schema 0007) gets that column from its table, read in the cache's row order
    (the primary key), so that a migrated database's runs open with the migrated values."""
    row = _cache_row(conn, RunInputCache, RunInputCache.run_id, run_id)
    if row is None:
        return None
    missing: list[tuple[str, str]] = []
    frames = decode(row.payload, RUN_COLUMNS, row.format, missing)
    tables = {t.name: t for t in RUN_INPUT_TABLES}
    for name in dict.fromkeys(t for t, _ in missing):
        columns = [c for t, c in missing if t == name]
        order = ", ".join(c.name for c in tables[name].primary_key.columns if c.name != "run_id")
        where = f"WHERE run_id = {int(run_id)} ORDER BY {order}"
        frames[name].update(query_table(conn, f"SELECT {', '.join(columns)} FROM {name} {where}"))
    return frames
