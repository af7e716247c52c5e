"""Streaming a P114 file's records into typed tables, checking the record tree as it goes.

The hierarchy comes only from record order (depth-first, pre-order; S0142_LAYOUT.md §5): a
record's parent is the nearest open record of one of its parent types. As each line arrives
its type, field count, parent, rank among its siblings and cardinality are checked against
the layout; any contradiction is refused with the record, line and position, and a rule that
comes from an inferred layout row says so. Lines are kept per record type and typed in
batches (`idd_types.read_column`), so memory holds typed columns plus at most one batch of
raw lines per type.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from models.p114.errors import FieldValueError, LayoutError
from models.p114.idd_types import ColumnValueError, read_column
from models.p114.layout import ROOT, FieldSpec
from models.p114.records import RecordTable

BATCH = 50_000
INFERRED = " (this rule comes from a layout row marked inferred)"


class TreeSpec:
    """What the tree reader needs of one record type."""

    __slots__ = ("code", "fields", "inferred", "leaf", "maximum", "minimum", "parents", "rank")

    def __init__(self, code, parents, rank, minimum, maximum, fields, inferred, leaf):
        self.code: str = code
        self.parents: frozenset[str] = frozenset(parents)
        self.rank: int | None = rank
        self.minimum: int = minimum
        self.maximum: int | None = maximum
        self.fields: tuple[FieldSpec, ...] = fields
        self.inferred: bool = inferred
        self.leaf: bool = leaf


class _Buffer:
    __slots__ = (
        "batches",
        "lines",
        "multi_parent",
        "numbers",
        "parent_codes",
        "parents",
        "rows",
        "separators",
        "spec",
    )

    def __init__(self, spec: TreeSpec):
        self.spec = spec
        self.separators = len(spec.fields) + 1
        self.lines: list[bytes] = []
        self.numbers: list[int] = []
        self.parents: list[int] = []
        self.parent_codes: list[str] = []
        self.multi_parent = len(spec.parents) > 1
        self.rows = 0
        self.batches: list[dict[str, np.ndarray]] = []


class RecordTree:
    """Feed chunks of (first line number, lines); `finish()` closes the tree and returns the
    tables. `on_record(code, line_number, line, counts)` hooks the few records whose values
    the caller checks while reading (period numbers)."""

    def __init__(
        self,
        specs: dict[str, TreeSpec],
        name: str,
        describe: str,
        on_close: Callable[[str, list, int], None] | None = None,
        on_record: Callable[[str, int, bytes, dict], None] | None = None,
        watched: tuple[str, ...] = (),
    ):
        self.name = name
        self.describe = describe  # e.g. "layout S0142013"
        self.specs = specs
        self.buffers = {code.encode(): _Buffer(spec) for code, spec in specs.items()}
        self.on_close = on_close
        self.on_record = on_record
        self.watched = frozenset(c.encode() for c in watched)
        # a frame: [code, row, last rank, child counts, line, last child code]
        self.stack: list[list] = [[ROOT, -1, -1, {}, 0, None]]
        self.last_line = 1

    # -- the hot loop ----------------------------------------------------------------------

    def feed(self, first: int, lines: list[bytes]) -> None:
        buffers = self.buffers
        stack = self.stack
        watched = self.watched
        number = first - 1
        for line in lines:
            number += 1
            code = line[:3]
            buffer = buffers.get(code)
            if buffer is None:
                self._unknown(number, line)
            if line.count(b"|") != buffer.separators or line[3:4] != b"|" or line[-1] != 124:
                self._field_count(number, line, buffer)
            spec = buffer.spec
            parents = spec.parents
            top = stack[-1]
            while top[0] not in parents:
                if top[0] == ROOT:
                    self._no_parent(number, spec)
                self._close(stack.pop(), number)
                top = stack[-1]
            rank = spec.rank
            if rank is not None:
                if rank < top[2]:
                    self._out_of_order(number, spec, top)
                top[2] = rank
                top[5] = spec.code
            if spec.maximum is not None:
                counts = top[3]
                if counts is None:
                    counts = top[3] = {}
                seen = counts.get(spec.code, 0) + 1
                if seen > spec.maximum:
                    self._too_many(number, spec, top)
                counts[spec.code] = seen
            if code in watched:
                self.on_record(spec.code, number, line, top[3])
            row = buffer.rows
            buffer.rows = row + 1
            buffer.lines.append(line)
            buffer.numbers.append(number)
            buffer.parents.append(top[1])
            if buffer.multi_parent:
                buffer.parent_codes.append(top[0])
            if not spec.leaf:
                stack.append([spec.code, row, -1, None, number, None])
            if len(buffer.lines) >= BATCH:
                self._type_batch(buffer)
        self.last_line = number

    # -- closing ---------------------------------------------------------------------------

    def _close(self, frame: list, number: int) -> None:
        code = frame[0]
        counts = frame[3] or {}
        for child in self._mandatory_children(code):
            spec = self.specs[child]
            seen = counts.get(child, 0)
            if seen < spec.minimum:
                where = "the file" if code == ROOT else f"{code} at line {frame[4]}"
                raise LayoutError(
                    f"{self.name}: {where} has {seen} {child} record(s) where {self.describe} "
                    f"needs at least {spec.minimum} (found before line {number})"
                    + (INFERRED if spec.inferred else "")
                )
        if self.on_close is not None:
            self.on_close(code, frame, number)

    def _mandatory_children(self, code: str) -> list[str]:
        cache = self.__dict__.setdefault("_mandatory", {})
        if code not in cache:
            cache[code] = [c for c, s in self.specs.items() if code in s.parents and s.minimum]
        return cache[code]

    def finish(self) -> dict[str, RecordTable]:
        end = self.last_line + 1
        while self.stack:
            self._close(self.stack.pop(), end)
        tables = {}
        for buffer in self.buffers.values():
            self._type_batch(buffer)
            tables[buffer.spec.code] = self._table(buffer)
        return tables

    # -- typing ----------------------------------------------------------------------------

    def _type_batch(self, buffer: _Buffer) -> None:
        lines = buffer.lines
        if not lines and buffer.batches:
            return
        fields = buffer.spec.fields
        step = len(fields) + 1
        flat = b"".join(lines).split(b"|")
        batch: dict[str, np.ndarray] = {}
        batch["#line"] = np.array(buffer.numbers, dtype=np.int64)
        batch["#parent"] = np.array(buffer.parents, dtype=np.int64)
        batch["#parent_code"] = (
            np.array(buffer.parent_codes, dtype="U4")
            if buffer.multi_parent
            else np.full(len(lines), next(iter(buffer.spec.parents)), dtype="U4")
        )
        for index, spec in enumerate(fields):
            raw = flat[index + 1 : -1 : step]
            try:
                batch[spec.key] = read_column(spec.kind, raw, spec.mandatory)
            except ColumnValueError as exc:
                line = buffer.numbers[exc.index]
                value = exc.value.decode("ascii", "replace")
                raise FieldValueError(
                    f"{self.name} line {line}: {buffer.spec.code} {spec.label}: {value!r} "
                    f"{exc.reason}" + (INFERRED if spec.inferred else "")
                ) from None
        buffer.batches.append(batch)
        buffer.lines, buffer.numbers, buffer.parents, buffer.parent_codes = [], [], [], []

    @staticmethod
    def _table(buffer: _Buffer) -> RecordTable:
        batches = buffer.batches
        columns = {
            key: np.concatenate([b[key] for b in batches]) if len(batches) > 1 else batches[0][key]
            for key in batches[0]
        }
        line = columns.pop("#line")
        parent = columns.pop("#parent")
        parent_code = columns.pop("#parent_code")
        return RecordTable(buffer.spec.code, columns, line, parent, parent_code)

    # -- refusals --------------------------------------------------------------------------

    def _unknown(self, number: int, line: bytes) -> None:
        code = line[:3].decode("ascii", "replace")
        if not line:
            raise LayoutError(f"{self.name} line {number}: an empty line inside the file")
        if code in ("AAA", "ZZZ"):
            what = "header" if code == "AAA" else "trailer"
            raise LayoutError(
                f"{self.name} line {number}: a second {code} {what}; it may only be the "
                f"{'first' if code == 'AAA' else 'last'} record"
            )
        known = ", ".join(self.specs)
        raise LayoutError(
            f"{self.name} line {number}: record type {code!r} is not in {self.describe} "
            f"(record types: {known})"
        )

    def _field_count(self, number: int, line: bytes, buffer: _Buffer) -> None:
        spec = buffer.spec
        found = line.count(b"|") - 1
        if line[3:4] != b"|":
            raise LayoutError(
                f"{self.name} line {number}: record {spec.code} is not followed by '|' at "
                "position 0"
            )
        if not line.endswith(b"|"):
            raise LayoutError(
                f"{self.name} line {number}: record {spec.code} does not end with '|' "
                f"after its last field (position {found + 1})"
            )
        position = min(found, len(spec.fields)) + 1
        raise LayoutError(
            f"{self.name} line {number}: record {spec.code} has {found} fields where "
            f"{self.describe} has {len(spec.fields)} (they differ from position {position})"
        )

    def _no_parent(self, number: int, spec: TreeSpec) -> None:
        open_codes = " > ".join(f[0] for f in self.stack[1:]) or "the file"
        parents = " or ".join(sorted(spec.parents))
        raise LayoutError(
            f"{self.name} line {number}: record {spec.code} is out of order: it sits under "
            f"{parents} in {self.describe}, but the open records are {open_codes}"
            + (INFERRED if spec.inferred else "")
        )

    def _out_of_order(self, number: int, spec: TreeSpec, top: list) -> None:
        where = "the file" if top[0] == ROOT else f"{top[0]} at line {top[4]}"
        raise LayoutError(
            f"{self.name} line {number}: record {spec.code} is out of order: under {where} it "
            f"comes before {top[5]} in {self.describe}, not after it"
            + (INFERRED if spec.inferred else "")
        )

    def _too_many(self, number: int, spec: TreeSpec, top: list) -> None:
        where = "the file" if top[0] == ROOT else f"{top[0]} at line {top[4]}"
        raise LayoutError(
            f"{self.name} line {number}: record {spec.code} is one too many: {where} has at "
            f"most {spec.maximum} in {self.describe}" + (INFERRED if spec.inferred else "")
        )
