"""Typed record tables: what the P114 readers return and the writer takes.

A table holds every record of one type as columns (one numpy array per field, typed as
`idd_types` describes), each record's line in the file, and its parent: the row of the
record it sits under in the parent type's table (−1 for a record directly under the file).
Where a record type may sit under more than one type (S0142 MEL, BO4, … under BPI or BP7),
`parent_code` says which, per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models.p114.framing import FileHeader


@dataclass
class RecordTable:
    code: str
    columns: dict[str, np.ndarray]
    line: np.ndarray  # int64, 1-based line of each record
    parent: np.ndarray  # int64, row in the parent's table; -1: the file
    parent_code: np.ndarray  # str per row: the parent's record type ("ROOT": the file)

    def __len__(self) -> int:
        return len(self.line)

    def rows_under(self, parent_code: str, parent_row: int) -> np.ndarray:
        """Rows of this table under row `parent_row` of `parent_code`."""
        return np.flatnonzero((self.parent == parent_row) & (self.parent_code == parent_code))


@dataclass
class FlatFileContent:
    """Every record of a P114 file, by record type, with its AAA header."""

    name: str
    header: FileHeader
    tables: dict[str, RecordTable] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.header.version

    @property
    def records(self) -> int:
        """Records in the file, AAA and ZZZ included (the ZZZ record count)."""
        return 2 + sum(len(t) for t in self.tables.values())

    def table(self, code: str) -> RecordTable:
        return self.tables[code]

    def first(self, code: str) -> dict:
        """The fields of the first record of a type, as Python values."""
        table = self.tables[code]
        return {key: _python(values[0]) for key, values in table.columns.items()}


def _python(value):
    if isinstance(value, np.datetime64):
        unit = np.datetime_data(value.dtype)[0]
        return value.astype(object) if unit in ("D", "s") else value
    return value.item() if isinstance(value, np.generic) else value
