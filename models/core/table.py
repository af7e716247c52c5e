"""Tables held as columns: a dict of equal-length numpy arrays, one per column.

Opening a run (the workbench's launch) reads its tables this way, so it needs numpy only:
importing pandas would cost about 0.4 s of every launch. Text columns are object arrays of
str (None for NULL); numbers are int64, or float64 with NaN for NULL.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

Table = dict[str, np.ndarray]


def column_array(values: Sequence) -> np.ndarray:
    """A column's values (from a query or from rows) as an array, typed as pandas would type
    them: int64 when all are integers, float64 when numbers with NULLs (NaN), else object."""
    first = next((v for v in values if v is not None), None)
    if first is None or isinstance(first, str | bytes):
        return np.array(values, dtype=object)  # text keeps its str objects, NULL its None
    array = np.array(values)  # numbers (and booleans) become a numeric array in C
    if array.dtype.kind in "biuf":
        return array
    if all(v is None or is_number(v) for v in values):  # numbers with NULLs
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    return np.array(values, dtype=object)


def is_number(value) -> bool:
    """A number, Python's or numpy's; not a boolean."""
    return isinstance(value, int | float | np.number) and not isinstance(value, bool)


def table_from_rows(rows: Sequence[tuple], columns: Sequence[str]) -> Table:
    """Query rows (tuples in `columns` order) as a table."""
    if not rows:
        return {c: np.array([], dtype=object) for c in columns}
    return {c: column_array(v) for c, v in zip(columns, zip(*rows, strict=True), strict=True)}


def table_from_records(records: Sequence[dict], columns: Sequence[str]) -> Table:
    """Rows given as dicts (a case file's); a missing key is NULL."""
    return {c: column_array([r.get(c) for r in records]) for c in columns}


def table_of(frame, columns: Sequence[str]) -> Table:
    """The columns of a table or a pandas frame (a scenario's edited inputs), as arrays."""
    return {c: np.asarray(frame[c]) for c in columns}


def rows_count(table: Table) -> int:
    return len(next(iter(table.values()))) if table else 0


def take(table: Table, rows: np.ndarray) -> Table:
    """The rows selected by a boolean mask or an index array, in that order."""
    return {c: values[rows] for c, values in table.items()}


def sort_rows(table: Table, keys: Sequence[str]) -> Table:
    """Rows sorted by `keys` (stable). A Python sort: it handles text and numbers alike, and
    only small tables (case files) are sorted here; stored tables are read in key order."""
    key_columns = [table[k].tolist() for k in keys]
    order = sorted(range(rows_count(table)), key=lambda i: tuple(c[i] for c in key_columns))
    return take(table, np.array(order, dtype=np.int64))


def factorize(values: np.ndarray) -> tuple[np.ndarray, list]:
    """(codes, labels): each value's code in order of first appearance; NULL (None or NaN)
    is −1. As pandas.factorize."""
    labels: dict = {}
    codes = np.empty(len(values), dtype=np.int64)
    for i, value in enumerate(values.tolist()):
        if value is None or value != value:  # NaN is the one value unequal to itself
            codes[i] = -1
        else:
            codes[i] = labels.setdefault(value, len(labels))
    return codes, list(labels)


def codes_in(lookup: dict, values: np.ndarray) -> np.ndarray:
    """Each value's code in `lookup` (value → code), −1 where absent. Stored tables are in key
    order, so equal values come in runs: only the first value of each run is looked up."""
    count = len(values)
    if count == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    run_codes = np.array([lookup.get(v, -1) for v in values[starts].tolist()], dtype=np.int64)
    return np.repeat(run_codes, np.diff(np.r_[starts, count]))
