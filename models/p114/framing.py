"""Elexon IDD flat-file framing (S0142_LAYOUT.md §5): AAA header, records, ZZZ trailer.

A file is gzip or plain, may start with a UTF-8 byte-order mark, and ends its lines with LF
or CRLF. Each record is `XXX|field|…|field|`. The trailer `ZZZ|count|checksum|` counts every
record (AAA and ZZZ included) and carries the XOR of every record from AAA to the last data
record, each cut into 4-byte big-endian groups (the last padded with NUL bytes), with the
record's trailing `|` included and its line terminator excluded. The byte-order mark is not
part of a record and is not in the checksum *(inferred: the real files with a BOM were not
checksummed here)*; so that a real file is not refused over that inference, a file that starts
with one is also accepted when its checksum is the one with the mark's bytes leading the AAA
record (the record count is the same either way).

`FlatFile` reads the body in chunks of whole lines and checks the trailer when the body is
exhausted; the checksum of a chunk is computed with numpy, one pass over its bytes.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from models.p114.errors import (
    ChecksumError,
    FramingError,
    LayoutError,
    RecordCountError,
    TruncatedFileError,
)

GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"
CHUNK = 4 << 20
_LANES = np.tile(np.arange(4, dtype=np.uint8), CHUNK // 2)  # lane of each byte offset


def xor_checksum(data: bytes) -> int:
    """The IDD checksum of LF-separated records in `data` (no CR; LF bytes are terminators)."""
    if not data:
        return 0
    arr = np.frombuffer(data, dtype=np.uint8)
    newline = np.flatnonzero(arr == 10)
    starts = np.empty(len(newline) + 1, dtype=np.int64)
    starts[0] = 0
    starts[1:] = newline + 1
    lengths = np.diff(np.append(starts, len(arr)))
    lanes = _lanes(len(arr)) - np.repeat((starts & 3).astype(np.uint8), lengths)
    shifts = ((3 - (lanes & 3)) * 8).astype(np.uint32)
    values = arr.astype(np.uint32)
    values[newline] = 0
    return int(np.bitwise_xor.reduce(values << shifts))


def _lanes(size: int) -> np.ndarray:
    if size <= len(_LANES):
        return _LANES[:size]
    return np.tile(np.arange(4, dtype=np.uint8), size // 4 + 1)[:size]


def record_checksum(record: bytes) -> int:
    """The checksum of one record (its trailing `|` included, no terminator)."""
    padded = record + b"\0" * (-len(record) % 4)
    value = 0
    for i in range(0, len(padded), 4):
        value ^= int.from_bytes(padded[i : i + 4], "big")
    return value


@dataclass(frozen=True, slots=True)
class FileHeader:
    """The AAA record: N0102 file type (flow id + version) and the routing fields."""

    file_type: str
    message_role: str
    created: datetime  # GMT
    from_role: str
    from_participant: str
    to_role: str
    to_participant: str
    sequence: int
    test_flag: str  # "OPER" is operational data

    @property
    def flow(self) -> str:
        return self.file_type[:5]

    @property
    def version(self) -> str:
        return self.file_type[5:]

    def record(self) -> str:
        return (
            f"AAA|{self.file_type}|{self.message_role}|{self.created:%Y%m%d%H%M%S}|"
            f"{self.from_role}|{self.from_participant}|{self.to_role}|{self.to_participant}|"
            f"{self.sequence}|{self.test_flag}|"
        )


def open_binary(path: Path) -> io.BufferedIOBase:
    """The file's bytes, decompressed when it is gzip."""
    handle = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    if handle.peek(2)[:2] == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=handle)  # type: ignore[return-value]
    return handle


class FlatFile:
    """An AAA…ZZZ file read as chunks of body lines; `header` is read on opening.

    Iterating `chunks()` yields `(line number of the first line, lines)` for every body record
    (neither AAA nor ZZZ, no terminators) and, once the body ends, checks that the file ends
    with a ZZZ whose record count and checksum agree with what was read."""

    def __init__(self, path: Path, flows: dict[str, tuple[str, ...]], name: str | None = None):
        self.path = Path(path)
        self.name = name or self.path.name
        self.flows = flows  # flow id -> the versions read
        self.records = 0
        self.checksum = 0
        self.trailer: tuple[int, int] | None = None
        self._stream = open_binary(self.path)
        self._pending = b""
        self._lines = 0  # lines read so far
        try:
            self.header = self._read_header()
        except BaseException:
            self._stream.close()
            raise

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> FlatFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def where(self, line: int) -> str:
        return f"{self.name} line {line}"

    # -- reading -------------------------------------------------------------------------------

    def _read(self) -> bytes:
        try:
            return self._stream.read(CHUNK)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise TruncatedFileError(
                f"{self.name}: the gzip stream is damaged or ends early after line "
                f"{self._lines} ({exc}); the file is truncated"
            ) from None
        except OSError as exc:
            raise FramingError(f"{self.name}: cannot read the file: {exc}") from None

    def _next_block(self) -> tuple[bytes, bool]:
        """Whole lines, each ending with LF (CRLF made LF), and whether the file has ended."""
        while True:
            data = self._read()
            if not data:
                tail, self._pending = self._pending, b""
                if tail.endswith(b"\r"):
                    tail = tail[:-1]
                return (self._lf(tail + b"\n") if tail else b""), True
            data = self._pending + data
            cut = data.rfind(b"\n")
            if cut < 0:
                self._pending = data
                continue
            self._pending = data[cut + 1 :]
            return self._lf(data[: cut + 1]), False

    def _lf(self, block: bytes) -> bytes:
        if b"\r" in block:
            block = block.replace(b"\r\n", b"\n")
            if b"\r" in block:
                line = self._lines + block[: block.index(b"\r")].count(b"\n") + 1
                raise FramingError(
                    f"{self.where(line)}: a carriage return inside a record; records end "
                    "with LF or CRLF"
                )
        return block

    def _read_header(self) -> FileHeader:
        block, ended = self._next_block()
        while not block and not ended:
            block, ended = self._next_block()
        self._bom_checksum: int | None = None  # the checksum's change were the BOM in AAA
        if block.startswith(BOM):
            block = block[len(BOM) :]
            first = block[: block.find(b"\n")]
            self._bom_checksum = record_checksum(first) ^ record_checksum(BOM + first)
        if not block.strip():
            raise FramingError(f"{self.name}: the file is empty")
        cut = block.index(b"\n")
        first = block[:cut]
        self._block, self._ended = block[cut + 1 :], ended
        self._lines = 1
        self.records = 1
        self.checksum = record_checksum(first)
        return self._parse_header(first)

    def _parse_header(self, line: bytes) -> FileHeader:
        try:
            text = line.decode("ascii")
        except UnicodeDecodeError:
            raise FramingError(f"{self.where(1)}: the AAA header is not ASCII") from None
        if not text.startswith("AAA|"):
            raise FramingError(
                f"{self.where(1)}: expected the AAA header of an Elexon flat file "
                f"({'/'.join(self.flows)}), found {text[:20]!r}"
            )
        fields = text.split("|")[1:]
        if fields[-1:] != [""] or len(fields) - 1 not in (8, 9):
            raise LayoutError(
                f"{self.where(1)}: AAA has {len(fields) - 1} fields (each followed by '|'); "
                "the layout has 9 (the 9th, Test Data Flag, may be omitted)"
            )
        fields = fields[:-1] + ([] if len(fields) == 10 else ["OPER"])
        file_type = fields[0]
        flow, version = file_type[:5], file_type[5:]
        if flow not in self.flows or version not in self.flows[flow]:
            known = ", ".join(f"{f}{v}" for f, vs in self.flows.items() for v in vs)
            raise FramingError(
                f"{self.where(1)}: AAA position 1 (N0102 File Type) is {file_type!r}; "
                f"this reader reads {known}"
            )
        try:  # strptime alone reads '2026092222443' (13 digits) as 22:44:03
            if len(fields[2]) != 14 or not fields[2].isdigit():
                raise ValueError(fields[2])
            created = datetime.strptime(fields[2], "%Y%m%d%H%M%S")
        except ValueError:
            raise FramingError(
                f"{self.where(1)}: AAA position 3 (N0058 Creation Time) is {fields[2]!r}, "
                "expected YYYYMMDDHHMMSS"
            ) from None
        if not fields[7].isdigit():
            raise FramingError(
                f"{self.where(1)}: AAA position 8 (N0198 Sequence Number) is {fields[7]!r}, "
                "expected an integer"
            )
        # an empty Test Data Flag is an absent one: operational, as when it is omitted
        flag = fields[8] or "OPER"
        return FileHeader(file_type, fields[1], created, *fields[3:7], int(fields[7]), flag)

    def chunks(self) -> Iterator[tuple[int, bytes]]:
        """(line number of the first line, LF-separated body lines without a final LF)."""
        block, ended = self._block, self._ended
        self._block = b""
        held = b""  # the last line read, with its LF: the trailer if nothing follows
        while True:
            block = held + block if held else block
            if ended:
                body = block.rstrip(b"\n")
                cut = body.rfind(b"\n")
                trailer = body[cut + 1 :]
                if not trailer.startswith(b"ZZZ|"):
                    lines = self._lines + body.count(b"\n") + (1 if body else 0)
                    last = trailer[:3].decode("ascii", "replace") if body else "AAA"
                    raise TruncatedFileError(
                        f"{self.name}: the file ends at line {lines} (a {last} record) "
                        "without the ZZZ trailer; it is truncated"
                    )
                yield from self._emit(body[:cut] if cut >= 0 else b"")
                self._check_trailer(trailer)
                return
            # hold back the last record, with any blank lines after it
            cut = block.rstrip(b"\n").rfind(b"\n")
            held = block[cut + 1 :]
            yield from self._emit(block[:cut] if cut >= 0 else b"")
            block, ended = self._next_block()

    def _emit(self, body: bytes) -> Iterator[tuple[int, bytes]]:
        """Count, checksum and yield non-empty `body` (lines without the final LF)."""
        if body:
            first = self._lines + 1
            lines = body.count(b"\n") + 1
            self.checksum ^= xor_checksum(body)
            self.records += lines
            self._lines += lines
            yield first, body

    def _check_trailer(self, trailer: bytes) -> None:
        line = self._lines + 1
        self.records += 1
        fields = trailer.split(b"|")[1:]
        if (
            len(fields) != 3
            or fields[2] != b""
            or not (fields[0].isdigit() and fields[1].isdigit())
        ):
            raise FramingError(
                f"{self.where(line)}: the trailer {trailer[:40].decode('ascii', 'replace')!r} "
                "is not ZZZ|record count|checksum|"
            )
        count, checksum = int(fields[0]), int(fields[1])
        self.trailer = (count, checksum)
        if count != self.records:
            raise RecordCountError(
                f"{self.where(line)}: ZZZ record count is {count}, but the file holds "
                f"{self.records} records (AAA and ZZZ included)"
            )
        with_bom = None if self._bom_checksum is None else self.checksum ^ self._bom_checksum
        if checksum != self.checksum and checksum != with_bom:
            raise ChecksumError(
                f"{self.where(line)}: ZZZ checksum is {checksum}, but the records give "
                f"{self.checksum}"
            )
