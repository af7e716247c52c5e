"""Writing P114 flat files: typed record tables back to AAA…ZZZ text with count and checksum.

`write_flat_file` writes a `FlatFileContent` (what the readers return, or what
`from_settlement` and `synthetic` build) in the order of its records' `line` numbers, each
field spelled as its IDD type requires (`idd_types.format_column`), and closes with the ZZZ
record count and checksum (`framing`). Gzip when the path ends with `.gz`; LF line ends
unless `crlf`; a UTF-8 byte-order mark only if asked (real files sometimes carry one).
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from models.p114.framing import BOM, FileHeader, record_checksum, xor_checksum
from models.p114.idd_types import format_column
from models.p114.layout import FieldSpec
from models.p114.records import FlatFileContent, RecordTable

FLUSH = 4 << 20


class FlatFileWriter:
    """Write records (text without terminator) after an AAA header; `close()` adds ZZZ."""

    def __init__(self, path: Path, header: FileHeader, crlf: bool = False, bom: bool = False):
        self.path = Path(path)
        raw = open(self.path, "wb")  # noqa: SIM115 - closed in close()
        self._raw = raw
        self._out = (
            gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0)
            if (self.path.suffix == ".gz")
            else raw
        )
        self._newline = "\r\n" if crlf else "\n"
        self._pending: list[str] = []
        self._size = 0
        self.records = 0
        self.checksum = 0
        if bom:
            self._out.write(BOM)
        self.write([header.record()])

    def write(self, lines: Iterable[str]) -> None:
        for line in lines:
            self._pending.append(line)
            self._size += len(line)
            if self._size >= FLUSH:
                self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        data = "\n".join(self._pending).encode("ascii")
        self.checksum ^= xor_checksum(data)
        self.records += len(self._pending)
        if self._newline != "\n":
            data = data.replace(b"\n", self._newline.encode())
        self._out.write(data + self._newline.encode())
        self._pending, self._size = [], 0

    def close(self) -> tuple[int, int]:
        """Write the trailer; returns (record count, checksum)."""
        self._flush()
        count = self.records + 1
        self._out.write(f"ZZZ|{count}|{self.checksum}|{self._newline}".encode())
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()
        return count, self.checksum


def record_lines(table: RecordTable, fields: tuple[FieldSpec, ...]) -> list[str]:
    """Each record of `table` as `CODE|f1|…|fn|`."""
    if not len(table):
        return []
    columns = []
    for spec in fields:
        values = table.columns[spec.key]
        try:
            columns.append(format_column(spec.kind, values, spec.mandatory))
        except ValueError as exc:
            raise ValueError(f"{table.code} {spec.label}: {exc}") from None
    prefix = f"{table.code}|"
    return [prefix + "|".join(row) + "|" for row in zip(*columns, strict=True)]


def write_flat_file(
    path: Path,
    content: FlatFileContent,
    fields_of,
    crlf: bool = False,
    bom: bool = False,
) -> tuple[int, int]:
    """Write `content` ordered by line; `fields_of(code)` gives a record type's fields.
    Returns (record count, checksum)."""
    tables = [t for t in content.tables.values() if len(t)]
    lines: list[str] = []
    for table in tables:
        lines.extend(record_lines(table, fields_of(table.code)))
    order = np.argsort(np.concatenate([t.line for t in tables]), kind="stable") if tables else []
    writer = FlatFileWriter(path, content.header, crlf=crlf, bom=bom)
    writer.write(lines[i] for i in order)
    return writer.close()


def trailer_for(lines: list[str]) -> str:
    """The ZZZ record for `lines` (AAA first, no ZZZ): for hand-built test files."""
    checksum = 0
    for line in lines:
        checksum ^= record_checksum(line.encode("ascii"))
    return f"ZZZ|{len(lines) + 1}|{checksum}|"
