"""Reading a data file into column batches, whatever Elexon format it is in.

The format is recognised from the content, never from the file name alone:
- Insights API JSON: ``{"data": [...]}``, a bare list of records, or a download wrapper whose
  records are under ``rows``; a single-dataset response names it in ``metadata.datasets``;
- Insights website CSV downloads (PascalCase headers) and other headed CSV, such as the legacy
  BMRS system price series; gzip-compressed files are opened transparently;
- legacy BMRS CSV framed by ``HDR``/``FTR`` lines (BOD and PHYSICAL BM DATA);
- the legacy CRA BM unit register export (two title lines above the header).

A batch holds the raw values of one dataset from one file as columns, keyed by the column or
JSON key as written, with each record's location (line or JSON path) for error messages.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter, methodcaller
from pathlib import Path

from models.casefiles.validate import JsonTooDeep, loads_json, may_hold_huge_integer
from models.core import limits
from models.imports import json_pieces
from models.imports.datasets import DATASETS, LEGACY_RECORD_TYPES, Dataset, identify, normalise
from models.imports.report import ImportReport

GZIP_MAGIC = b"\x1f\x8b"
CRA_TITLE = "bm units registered with central registration agency"


@dataclass
class Batch:
    """Raw records of one dataset read from one file, column by column."""

    file: str
    dataset: Dataset
    columns: dict[str, list]  # normalised source name -> raw values
    locate: Callable[[int], str]
    context: dict = field(default_factory=dict)  # e.g. legacy HDR date and period

    @property
    def size(self) -> int:
        return len(next(iter(self.columns.values()), ()))


class FileTooLarge(ValueError):
    """A file beyond models.core.limits (size after decompression, or compression ratio)."""


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gzip decompressed, within models.core.limits.MAX_FILE_BYTES.

    Decompression is streamed and stopped as soon as a limit is passed: a small gzip file
    that would expand to gigabytes is refused after reading a bounded amount of it.
    """
    with path.open("rb") as handle:
        packed = os.fstat(handle.fileno()).st_size
        if handle.read(2) != GZIP_MAGIC:
            if packed > limits.MAX_FILE_BYTES:
                raise FileTooLarge(
                    f"the file holds {packed:,} bytes; at most {limits.MAX_FILE_BYTES:,} are "
                    "read from one file (split it, e.g. by settlement date)"
                )
            handle.seek(0)
            data = handle.read(limits.MAX_FILE_BYTES + 1)  # bounded: a device has no size
            if len(data) > limits.MAX_FILE_BYTES:
                raise FileTooLarge(
                    f"the file holds more than {limits.MAX_FILE_BYTES:,} bytes; at most that "
                    "much is read from one file (split it, e.g. by settlement date)"
                )
            return data
        handle.seek(0)
        chunks, total = [], 0
        with gzip.GzipFile(fileobj=handle) as stream:
            while chunk := stream.read(1 << 22):
                total += len(chunk)
                if total > limits.MAX_FILE_BYTES:
                    raise FileTooLarge(
                        f"the file expands to more than {limits.MAX_FILE_BYTES:,} bytes; at "
                        "most that much is read from one file (split it, e.g. by date)"
                    )
                if total > limits.GZIP_RATIO_CHECKED_FROM and total > limits.MAX_GZIP_RATIO * max(
                    handle.tell(), 1
                ):
                    raise FileTooLarge(
                        f"the gzip file expands more than {limits.MAX_GZIP_RATIO} times "
                        f"({handle.tell():,} bytes read gave {total:,}); not an Elexon "
                        "data file"
                    )
                chunks.append(chunk)
        return b"".join(chunks)


def _too_many(name: str, count: int, report: ImportReport) -> bool:
    return report.reject_past_limit(
        name,
        count,
        limits.MAX_RECORDS_PER_FILE,
        f"the file holds {count:,} records; at most {limits.MAX_RECORDS_PER_FILE:,} are "
        "imported from one file (split it, e.g. by settlement date)",
    )


def read_file(path: Path, report: ImportReport, name: str | None = None) -> list[Batch]:
    """The batches of one file; problems go to `report` (nothing is raised for bad content)."""
    name = name or path.name
    try:
        data = read_bytes(path)
    except FileTooLarge as exc:
        report.reject(name, "", "", None, str(exc))
        return []
    except IsADirectoryError:
        report.reject(name, "", "", None, "is a folder, not a data file")
        return []
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
        report.reject(name, "", "", None, f"cannot read the file: {exc}")
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        report.reject(
            name, f"byte {exc.start}", "", None, "not UTF-8 text: not an Elexon data file"
        )
        return []
    return read_text(text, name, report)


def read_text(text: str, name: str, report: ImportReport) -> list[Batch]:
    head = text.lstrip()[:200]
    if not head:
        report.reject(name, "", "", None, "the file is empty")
        return []
    if head[0] in "[{":
        return _read_json(text, name, report)
    if head.startswith("HDR,"):
        return _read_legacy(text, name, report)
    first_line = head.splitlines()[0].strip().strip('"').lower()
    if first_line == CRA_TITLE:
        return _read_csv(text, name, report, skip_lines=2)
    return _read_csv(text, name, report)


# ---------------------------------------------------------------------------------------------
# JSON


def _read_json(text: str, name: str, report: ImportReport, validating=False) -> list[Batch]:
    """The batches of a JSON file. Parsed with plain ``json.loads`` first, and again with
    models.casefiles.validate.loads_json (bounded nesting, integer literals kept as text beyond
    MAX_INTEGER_DIGITS) only where the two could differ, before anything is reported."""
    try:
        document = loads_json(text) if validating else json_pieces.loads(text)
    except json.JSONDecodeError as exc:
        report.reject(
            name, f"line {exc.lineno} column {exc.colno}", "", None, f"not valid JSON: {exc.msg}"
        )
        return []
    except JsonTooDeep as exc:
        report.reject(name, "", "", None, str(exc))
        return []
    except (RecursionError, ValueError):  # too deep, or an integer beyond int()'s 4,300 digits
        if validating:
            raise
        return _read_json(text, name, report, validating=True)
    hint = None
    if isinstance(document, list):
        records, path = document, ""
    elif isinstance(document, dict):
        key = next((k for k in ("data", "rows") if k in document), None)
        if key is None or not isinstance(document[key], list):
            keys = ", ".join(sorted(map(str, document))[:8])
            report.reject(
                name,
                "",
                "",
                None,
                f'expected an Insights response {{"data": [...]}} or a list of records; '
                f"found an object with keys {keys}",
            )
            return []
        records, path = document[key], key
        metadata = document.get("metadata")  # any JSON value: a dict only is looked into
        datasets = (
            metadata.get("datasets") if isinstance(metadata, dict) and key == "data" else None
        )
        if isinstance(datasets, list) and len(datasets) == 1:
            hint = str(datasets[0])
    else:
        report.reject(name, "", "", None, "expected a JSON object or list of records")
        return []
    if not records:
        report.reject(name, path, "", None, "the file holds no records")
        return []
    if _too_many(name, len(records), report):
        return []
    if not validating and set(map(type, records)) != {dict}:  # rejections quote the values
        return _read_json(text, name, report, validating=True)
    groups = []
    for tag, indices in _json_groups(records, hint, name, path, report).items():
        keys: dict[str, str] = {}
        for index in indices[:50] + indices[-50:]:
            for key in records[index]:
                keys.setdefault(normalise(key), key)
        longest = max(map(len, map(records.__getitem__, indices)))
        for index in indices if longest > len(keys) else ():  # keys beyond those sampled
            if len(records[index]) > len(keys):
                for key in records[index]:
                    keys.setdefault(normalise(key), key)
        columns = _json_columns(records, indices, keys)
        if not validating and any(map(may_hold_huge_integer, columns.values())):
            return _read_json(text, name, report, validating=True)
        groups.append((tag, indices, keys, columns))
    batches = []
    for tag, indices, keys, columns in groups:
        dataset = _dataset_for(tag, set(keys), name, report)
        if dataset is None:
            continue
        prefix = f"{path}[" if path else "["
        batches.append(
            Batch(name, dataset, columns, lambda i, ix=indices, p=prefix: f"{p}{ix[i]}]")
        )
    return batches


def _json_groups(
    records: list, hint: str | None, name: str, path: str, report: ImportReport
) -> dict[str | None, list[int]]:
    """The indices of the records of each dataset (named by the record, else by `hint`), in
    the order they first appear; a record that is not a JSON object is rejected. Found in C
    when every record is an object of the same dataset, as in an Insights response."""
    if set(map(type, records)) == {dict}:
        try:
            tags = set(map(methodcaller("get", "dataset", hint), records))
        except TypeError:  # a dataset given as a list or object: rejected below by name
            tags = set()
        if len(tags) == 1:
            (tag,) = tags
            return {None if tag is None else str(tag): list(range(len(records)))}
    groups: dict[str | None, list[int]] = {}
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            report.reject(name, f"{path}[{index}]", "", record, "expected a record (a JSON object)")
            continue
        tag = record.get("dataset", hint)
        groups.setdefault(None if tag is None else str(tag), []).append(index)
    return groups


def _json_columns(records: list, indices: list[int], keys: dict[str, str]) -> dict[str, list]:
    """The records at `indices` as columns (normalised key -> values, None where a record
    lacks the key). Each column is read in C (map and itemgetter) when every record has every
    key, as Insights records do: 0.25 s of a GB day's BOD, against 0.45 s for a Python loop
    over its values (a zip of the rows allocates a tuple per record: no faster)."""
    rows = records if len(indices) == len(records) else [records[i] for i in indices]
    try:
        return {norm: list(map(itemgetter(raw), rows)) for norm, raw in keys.items()}
    except KeyError:  # a record without one of the keys: None there
        return {norm: [row.get(raw) for row in rows] for norm, raw in keys.items()}


def _dataset_for(tag: str | None, keys: set[str], name: str, report: ImportReport):
    if tag is not None:
        dataset = DATASETS.get(tag.upper())
        if dataset is None:
            known = ", ".join(sorted(DATASETS))
            report.reject(
                name, "", "dataset", tag, f"not a dataset the workbench imports ({known})"
            )
        return dataset
    dataset = identify(keys)
    if dataset is None:
        shown = ", ".join(sorted(keys)[:12])
        report.reject(
            name,
            "",
            "",
            None,
            f"cannot tell which Elexon dataset this is from its fields ({shown})",
        )
    return dataset


# ---------------------------------------------------------------------------------------------
# Headed CSV (Insights downloads, price series, CRA register)


def _read_csv(text: str, name: str, report: ImportReport, skip_lines: int = 0) -> list[Batch]:
    lines = text.splitlines()[skip_lines:]
    if _too_many(name, len(lines) - 1, report):
        return []
    reader = csv.reader(lines)
    try:
        rows = list(reader)
    except csv.Error as exc:  # e.g. a field beyond the csv module's 131,072 characters
        report.reject(
            name, f"line {skip_lines + reader.line_num}", "", None, f"not readable as CSV: {exc}"
        )
        return []
    if not rows:
        report.reject(name, "", "", None, "the file is empty")
        return []
    header = [h.strip() for h in rows[0]]
    keys = [normalise(h) for h in header]
    if len(set(keys)) != len(keys) or not all(keys):
        report.reject(
            name,
            f"line {skip_lines + 1}",
            "",
            ",".join(header)[:60],
            "expected a header line of distinct column names",
        )
        return []
    first = skip_lines + 2  # line number of the first record
    body = []
    line_numbers = []
    for offset, row in enumerate(rows[1:]):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            report.reject(
                name,
                f"line {first + offset}",
                "",
                ",".join(row)[:60],
                f"expected {len(header)} fields as in the header, found {len(row)}",
            )
            continue
        body.append(row)
        line_numbers.append(first + offset)
    if not body and "dataset" in keys:  # no record names its dataset: nothing to import
        report.reject(name, "", "", None, "the file holds no records")
        return []
    if "dataset" in keys:
        column = keys.index("dataset")
        tags = sorted({row[column] for row in body})
    else:
        tags = [None]
    batches = []
    for tag in tags:
        picked = [
            i for i, row in enumerate(body) if tag is None or row[keys.index("dataset")] == tag
        ]
        dataset = _dataset_for(tag, set(keys), name, report)
        if dataset is None:
            continue
        columns = {key: [_cell(body[i][c]) for i in picked] for c, key in enumerate(keys)}
        numbers = [line_numbers[i] for i in picked]
        batches.append(Batch(name, dataset, columns, lambda i, n=numbers: f"line {n[i]}"))
    if not body and batches:
        report.reject(name, "", "", None, "the file holds no records")
    return batches


def _cell(text: str) -> str | None:
    text = text.strip()
    return text if text else None  # an empty CSV field is a null


# ---------------------------------------------------------------------------------------------
# Legacy BMRS CSV: HDR, positional records, FTR


def _read_legacy(text: str, name: str, report: ImportReport) -> list[Batch]:
    lines = text.splitlines()
    if _too_many(name, len(lines) - 2, report):
        return []
    header = lines[0].split(",")
    if len(header) < 4:
        report.reject(name, "line 1", "", lines[0][:60], "expected HDR,<title>,<yyyymmdd>,<period>")
        return []
    context = {"file_date": header[2].strip(), "file_period": header[3].strip()}
    records: dict[str, list[tuple[int, list[str]]]] = {}
    trailer = None
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        kind = fields[0]
        if kind == "FTR":
            trailer = (number, fields)
            if number != len(lines):
                report.reject(
                    name, f"line {number}", "", line[:60], "records after the FTR trailer"
                )
            break
        if kind not in LEGACY_RECORD_TYPES:
            known = ", ".join(sorted(LEGACY_RECORD_TYPES))
            report.reject(name, f"line {number}", "record type", kind, f"expected one of {known}")
            continue
        records.setdefault(kind, []).append((number, fields[1:]))
    count = sum(len(v) for v in records.values())
    if trailer is None:
        report.reject(
            name,
            f"line {len(lines)}",
            "",
            None,
            "no FTR trailer: the file is truncated or is not a complete BMRS file",
        )
    else:
        stated = trailer[1][1] if len(trailer[1]) > 1 else ""
        if not stated.isdigit():
            report.reject(name, f"line {trailer[0]}", "FTR", stated, "expected a record count")
        elif int(stated) != count:
            report.notes.append(
                f"{name}: the FTR trailer counts {int(stated):,} records but the file holds "
                f"{count:,}: a partial extract of a BMRS file; the records present were imported"
            )
    if not records and trailer is not None:
        report.reject(name, "", "", None, "the file holds no records")
    batches = []
    for kind, items in records.items():
        dataset = LEGACY_RECORD_TYPES[kind]
        order = dataset.legacy
        columns: dict[str, list] = {normalise(f): [] for f in order}
        numbers = []
        for number, fields in items:
            if len(fields) != len(order):
                report.reject(
                    name,
                    f"line {number}",
                    kind,
                    ",".join(fields)[:60],
                    f"expected {len(order)} fields after the record type, found {len(fields)}",
                )
                continue
            for key, value in zip(columns, fields, strict=True):
                columns[key].append(value if value != "" else None)
            numbers.append(number)
        if numbers and dataset.target in ("physical", "bid_offer"):
            # Legacy records leave the settlement date (and for BOD the period) to the HDR line.
            for key, value in (
                ("settlementdate", context["file_date"]),
                ("settlementperiod", context["file_period"]),
            ):
                columns.setdefault(key, [value] * len(numbers))
        if numbers:
            batches.append(
                Batch(name, dataset, columns, lambda i, n=numbers: f"line {n[i]}", context)
            )
    return batches
