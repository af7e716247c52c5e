"""Building record tables in file order: each record added after its parent, depth first.

`TreeBuilder.add(code, parent_code)` gives the new record the next line and, as its parent,
the latest record of `parent_code`, exactly as a reader derives it from record order; the
columns are then given per record type as arrays in row order. `content()` fills the fields
not given (absent if optional, 0 if a mandatory number, as the layout's "always 0" fields
are) and returns a `FlatFileContent` the writer can write.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from models.p114.framing import FileHeader
from models.p114.layout import ROOT, FieldSpec
from models.p114.records import FlatFileContent, RecordTable


class TreeBuilder:
    def __init__(self) -> None:
        self.line = 1  # the AAA header
        self.lines: dict[str, list[int]] = defaultdict(list)
        self.parents: dict[str, list[int]] = defaultdict(list)
        self.parent_codes: dict[str, list[str]] = defaultdict(list)
        self.current: dict[str, int] = {ROOT: -1}

    def add(self, code: str, parent_code: str = ROOT) -> int:
        self.line += 1
        lines = self.lines[code]
        row = len(lines)
        lines.append(self.line)
        self.parents[code].append(self.current[parent_code])
        self.parent_codes[code].append(parent_code)
        self.current[code] = row
        return row

    def count(self, code: str) -> int:
        return len(self.lines.get(code, ()))

    def content(
        self,
        name: str,
        header: FileHeader,
        fields_of,
        columns: dict[str, dict[str, object]],
        codes,
    ) -> FlatFileContent:
        tables = {}
        for code in codes:
            n = self.count(code)
            given = columns.get(code, {})
            tables[code] = RecordTable(
                code,
                {f.key: _column(f, given.get(f.key), n) for f in fields_of(code)},
                np.array(self.lines.get(code, []), dtype=np.int64),
                np.array(self.parents.get(code, []), dtype=np.int64),
                np.array(self.parent_codes.get(code, []), dtype="U4"),
            )
            unknown = set(given) - {f.key for f in fields_of(code)}
            if unknown:
                raise KeyError(f"{code} has no field {sorted(unknown)}")
        return FlatFileContent(name, header, tables)


def _column(spec: FieldSpec, values, n: int) -> np.ndarray:
    if values is None:
        if n == 0:
            return np.zeros(0, dtype=np.float64 if spec.kind.numeric else "U1")
        if spec.kind.numeric:
            return np.zeros(n) if spec.mandatory else np.full(n, np.nan)
        if spec.kind.kind in ("text", "char", "raw"):
            if spec.mandatory:
                raise KeyError(f"mandatory {spec.label} not given")
            return np.full(n, "", dtype="U1")
        if spec.kind.kind == "boolean":
            return np.zeros(n, dtype=bool) if spec.mandatory else np.full(n, np.nan)
        raise KeyError(f"mandatory {spec.label} not given")
    if not isinstance(values, (list, tuple, np.ndarray)):
        return np.full(n, values, dtype=None if np.isscalar(values) else object)
    array = np.asarray(values)
    if len(array) != n:
        raise ValueError(f"{spec.label}: {len(array)} values for {n} records")
    return array
