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
from models.p114.idd_types import ChunkFields, ColumnValueError, read_fields
from models.p114.layout import ROOT, FieldSpec
from models.p114.records import RecordTable

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
    __slots__ = ("batches", "index", "multi_parent", "numbers", "rows", "separators", "spec")

    def __init__(self, spec: TreeSpec, index: int):
        self.spec = spec
        self.index = index
        self.separators = len(spec.fields) + 1
        self.multi_parent = len(spec.parents) > 1
        self.rows = 0
        self.batches: list[dict[str, np.ndarray]] = []


class RecordTree:
    """Feed chunks of (first line number, LF-separated lines); `finish()` closes the tree and
    returns the tables. `on_record(code, line_number, line, counts)` hooks the few record
    types (`watched`) whose values the caller checks while reading (period numbers)."""

    def __init__(
        self,
        specs: dict[str, TreeSpec],
        name: str,
        describe: str,
        on_close: Callable[[str, list, int], None] | None = None,
        on_record: Callable[[str, int, bytes, dict], None] | None = None,
        watched: tuple[str, ...] = (),
        closed: tuple[str, ...] = (),
        other_counts: dict[str, dict[int, str]] | None = None,
    ):
        self.name = name
        self.other_counts = other_counts or {}  # code -> {field count: the layout that has it}
        self.describe = describe  # e.g. "layout S0142013"
        self.specs = specs
        self.buffers = [_Buffer(spec, i) for i, spec in enumerate(specs.values())]
        codes = [(ord(c[0]) << 16) | (ord(c[1]) << 8) | ord(c[2]) for c in specs]
        self._order = np.argsort(codes)
        self._codes = np.array(codes, dtype=np.int64)[self._order]
        self._separators = np.array([b.separators for b in self.buffers], dtype=np.int64)
        # walked once per run: no cardinality limit, no children that must be present, not
        # watched (a repeat only closes its predecessor and takes its place)
        self._collapsible = np.array(
            [
                s.maximum is None and not self._mandatory_children(c) and c not in watched
                for c, s in specs.items()
            ]
        )
        self.on_close = on_close
        self.on_record = on_record
        self.watched = {i for i, c in enumerate(specs) if c in watched}
        closing = {ROOT, *(c for c in specs if self._mandatory_children(c))}
        self.closing = closing | set(closed)  # record types whose closing is checked
        # a frame: [code, row, last rank, child counts, line, last child code]
        self.stack: list[list] = [[ROOT, -1, -1, {}, 0, None]]
        self.last_line = 1
        self._lines: list[np.ndarray] = []  # line numbers per chunk, by buffer index

    # -- the hot loop ----------------------------------------------------------------------

    def feed(self, first: int, body: bytes) -> None:
        data = np.frombuffer(body, dtype=np.uint8)
        newline = np.flatnonzero(data == 10)
        starts = np.concatenate(([0], newline + 1))
        ends = np.concatenate((newline, [len(data)]))
        short = (ends - starts) < 4
        if short.any():
            k = int(np.flatnonzero(short)[0])
            self._unknown(first + k, body[starts[k] : ends[k]])
        bars = np.flatnonzero(data == 124)
        first_bar = np.searchsorted(bars, starts)
        separators = np.searchsorted(bars, ends) - first_bar
        code = (
            (data[starts].astype(np.int64) << 16)
            | (data[starts + 1].astype(np.int64) << 8)
            | data[starts + 2]
        )
        slot = np.minimum(np.searchsorted(self._codes, code), len(self._codes) - 1)
        known = self._codes[slot] == code
        if not known.all():
            k = int(np.flatnonzero(~known)[0])
            self._unknown(first + k, body[starts[k] : ends[k]])
        kinds = self._order[slot]
        framed = (
            (separators == self._separators[kinds])
            & (data[starts + 3] == 124)
            & (data[ends - 1] == 124)
        )
        if not framed.all():
            k = int(np.flatnonzero(~framed)[0])
            self._field_count(first + k, body[starts[k] : ends[k]], self.buffers[kinds[k]])
        # a run of one record type that is checked the same way each time is walked once
        repeat = np.zeros(len(kinds), dtype=bool)
        repeat[1:] = (kinds[1:] == kinds[:-1]) & self._collapsible[kinds[1:]]
        kept = np.flatnonzero(~repeat)
        runs = np.diff(np.append(kept, len(kinds)))
        self._walk(first, kept.tolist(), kinds[kept].tolist(), runs.tolist(), body, starts, ends)
        chunk = ChunkFields(data, bars)
        for buffer in self.buffers:
            rows = np.flatnonzero(kinds == buffer.index)
            if len(rows):
                self._type_batch(buffer, first + rows, chunk, first_bar[rows])
        self.last_line = first + len(starts) - 1

    def _walk(self, first, offsets, kinds, runs, body: bytes, starts, ends) -> None:
        """The record tree: each record's parent, rank and cardinality, in file order (a run
        of a collapsible type is walked as its first record)."""
        buffers = self.buffers
        specs = [b.spec for b in buffers]
        stack = self.stack
        watched = self.watched
        closing = self.closing
        for offset, kind, run in zip(offsets, kinds, runs, strict=True):
            number = first + offset
            spec = specs[kind]
            parents = spec.parents
            top = stack[-1]
            height = len(stack)
            depth = height - 1
            if top[0] not in parents:
                while depth and stack[depth][0] not in parents:
                    depth -= 1
                top = stack[depth]
                if top[0] not in parents:
                    self._no_parent(number, spec)
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
            if depth < height - 1:  # close the records this one ends
                for _ in range(height - 1 - depth):
                    frame = stack.pop()
                    if frame[0] in closing:
                        self._close(frame, number)
            if kind in watched:
                self.on_record(spec.code, number, body[starts[offset] : ends[offset]], top[3])
            buffer = buffers[kind]
            if not spec.leaf:
                stack.append([spec.code, buffer.rows + run - 1, -1, None, number, None])
            buffer.rows += run

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
        tables = {b.spec.code: self._table(b) for b in self.buffers}
        for table in tables.values():
            self._parents(table, tables)
        return tables

    # -- typing ----------------------------------------------------------------------------

    def _type_batch(self, buffer: _Buffer, numbers, chunk: ChunkFields, first_bar) -> None:
        batch: dict[str, np.ndarray] = {"#line": numbers.astype(np.int64)}
        for index, spec in enumerate(buffer.spec.fields):
            try:
                batch[spec.key] = read_fields(spec.kind, chunk, first_bar + index, spec.mandatory)
            except ColumnValueError as exc:
                value = exc.value.decode("ascii", "replace")
                raise FieldValueError(
                    f"{self.name} line {numbers[exc.index]}: {buffer.spec.code} {spec.label}: "
                    f"{value!r} {exc.reason}" + (INFERRED if spec.inferred else "")
                ) from None
        buffer.batches.append(batch)

    def _table(self, buffer: _Buffer) -> RecordTable:
        batches = buffer.batches
        if not batches:
            empty = np.zeros(0, dtype=np.int64)
            none = ChunkFields(np.zeros(1, np.uint8), np.zeros(1, np.int64))
            columns = {f.key: read_fields(f.kind, none, empty, False) for f in buffer.spec.fields}
            return RecordTable(buffer.spec.code, columns, empty, empty, np.zeros(0, "U4"))
        columns = {
            key: np.concatenate([b[key] for b in batches]) if len(batches) > 1 else batches[0][key]
            for key in batches[0]
        }
        line = columns.pop("#line")
        return RecordTable(buffer.spec.code, columns, line, np.zeros(0), np.zeros(0, "U4"))

    def _parents(self, table: RecordTable, tables: dict[str, RecordTable]) -> None:
        """Each record's parent: the latest record of a parent type before it (the tree walk
        has checked that this is the open one)."""
        spec = self.specs[table.code]
        best_line = np.full(len(table), -1, dtype=np.int64)
        parent = np.full(len(table), -1, dtype=np.int64)
        code = np.full(len(table), ROOT, dtype="U4")
        for parent_code in spec.parents:
            lines = tables[parent_code].line if parent_code != ROOT else ()
            if not len(lines):  # the file, or a parent type the file holds none of
                continue
            row = np.searchsorted(lines, table.line) - 1
            line = np.where(row >= 0, lines[np.maximum(row, 0)], -1)
            newer = line > best_line
            best_line = np.where(newer, line, best_line)
            parent = np.where(newer, row, parent)
            code = np.where(newer, parent_code, code)
        table.parent = parent
        table.parent_code = code

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
        other = self.other_counts.get(spec.code, {}).get(found)
        # fields missing that a later version adds on an inferred row (S0142014 PPC 11, SSD 80)
        added = [f for f in spec.fields[found:] if f.since != spec.fields[0].since]
        raise LayoutError(
            f"{self.name} line {number}: record {spec.code} has {found} fields where "
            f"{self.describe} has {len(spec.fields)} (they differ from position {position})"
            + (
                f"; {found} is the count of {other}, which the AAA header does not name"
                if other
                else ""
            )
            + (INFERRED if any(f.inferred for f in added) else "")
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
