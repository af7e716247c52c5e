"""From cached answers to one all-or-nothing import per settlement date.

For each date, the answers of each dataset are joined into one Insights JSON file
(`{"data": [...]}`, records in request order) named `fetch-<manifest>-<DATASET>.json` and the
files are handed to `models.imports.loader.import_files`, the importer of downloaded files.
The manifest (in the cache, named by its sha256) lists every answer the date's files were
built from: URL, parameters, time fetched and sha256. The run's `source` names the files, and
so the manifest; the import also records, in its transaction, every answer a run's records
came from (`models.fetch.provenance`, the `fetched_response` table).

Two adaptations, each adding what the request already says to records that do not say it:
- LOLPDRM answers state each forecast's publish time but not its horizon, which the importer
  uses to keep the 1-hour-ahead forecast settlement uses; it is added as `forecastHorizon`,
  the whole hours from `publishingPeriodCommencingTime` (else `publishTime`) to the period's
  `startTime`;
- settlement stack items do not say which stack they are in (the URL does: bid or offer);
  it is added as `bidOffer`, so that an item of zero volume and no pair is still placed.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from engine.settlement_calendar import RunType
from models.db.database import SettlementDatabase
from models.fetch.cache import Entry, ResponseCache
from models.fetch.client import FetchError
from models.fetch.endpoints import ENDPOINTS, Request
from models.fetch.fetcher import cached_records
from models.fetch.provenance import StagedAnswer, record_provenance
from models.imports.loader import import_files
from models.imports.report import ImportSummary

_LOCATION = re.compile(r"data\[(\d+)\]")


@dataclass
class StagedDay:
    day: date
    manifest: str  # sha256 of the manifest in the cache
    files: dict[str, list[dict]]  # dataset -> records
    register_from: date | None  # the date the register answer was fetched
    # dataset -> its answers, in file order
    parts: dict[str, list[StagedAnswer]] = field(default_factory=dict)

    def answers(self) -> list[StagedAnswer]:
        """Every answer of the date's files, file by file in order."""
        return [answer for parts in self.parts.values() for answer in parts]

    def origin(self, file: str, location: str) -> str | None:
        """Which answer a record of a staged file (`fetch-…-PN.json`, `data[399]`) came from:
        'record 12 of /datasets/PN?… (answer 3f2a…)', else None."""
        match = _LOCATION.fullmatch(location or "")
        dataset = file.rsplit("-", 1)[-1].removesuffix(".json")
        if match is None or dataset not in self.parts:
            return None
        index = int(match.group(1))
        for part in self.parts[dataset]:
            if part.first <= index < part.first + part.records:
                return (
                    f"record {index - part.first} of {part.request.label} "
                    f"(cached answer {part.entry.sha256[:12]})"
                )
        return None


@dataclass
class DayResult:
    day: date
    manifest: str
    summary: ImportSummary | None  # None: no records for this date
    files: list[str] = field(default_factory=list)


def _with_horizon(record: dict) -> dict:
    """A LOLPDRM record with its forecast horizon: whole hours from the half hour its
    publication commenced (publishingPeriodCommencingTime, exact), else from its publishTime
    (rounded: a forecast is published within minutes), to its period's startTime. A record
    tagged LOLPDM (the IRIS name) is tagged LOLPDRM, the name the importer knows."""
    if str(record.get("dataset", "")).upper() == "LOLPDM":
        record = record | {"dataset": "LOLPDRM"}
    published = record.get("publishingPeriodCommencingTime") or record.get("publishTime")
    start = record.get("startTime")
    if "forecastHorizon" in record or not published or not start:
        return record
    try:
        hours = (_instant(start) - _instant(published)).total_seconds() / 3600
    except ValueError:
        return record
    return record | {"forecastHorizon": round(hours)}


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def stage_day(
    day: date,
    requests: list[Request],
    entries: dict[Request, Entry],
    cache: ResponseCache,
    base_url: str,
) -> StagedDay:
    """The date's records per dataset, checked; raises FetchError for an empty day where
    every settlement day has data."""
    mine = [r for r in requests if r.day == day or r.day is None]
    by_dataset: dict[str, list[Request]] = {}
    for request in mine:
        by_dataset.setdefault(request.dataset, []).append(request)
    files: dict[str, list[dict]] = {}
    parts: dict[str, list[StagedAnswer]] = {}
    answers = []
    register_from = None
    for dataset, chunk in by_dataset.items():
        records: list[dict] = []
        for request in chunk:
            entry = entries[request]
            got = cached_records(cache, request, entry)
            if dataset == "LOLPDRM":
                got = [_with_horizon(r) for r in got]
            elif dataset == "ISPSTACK":
                side = request.path.split("/")[-3]  # .../stack/all/{bid|offer}/{date}/{period}
                got = [r if r.get("bidOffer") else r | {"bidOffer": side} for r in got]
            parts.setdefault(dataset, []).append(
                StagedAnswer(request, entry, len(records), len(got))
            )
            records += got
            answers.append(entry.as_json() | {"dataset": dataset, "records": len(got)})
            if dataset == "REGISTER":
                register_from = date.fromisoformat(entry.fetched_at[:10])
        if not records and ENDPOINTS[dataset].must_exist:
            raise FetchError(
                f"{dataset} {day.isoformat()}: every answer ({len(chunk)} request(s), e.g. "
                f"{chunk[0].label}) is empty, but every settlement day has {dataset} records; "
                "nothing was imported"
            )
        if records:
            files[dataset] = records
    manifest = cache.write_manifest(
        {"settlement_date": day.isoformat(), "base_url": base_url, "answers": answers}
    )
    return StagedDay(day, manifest, files, register_from, parts)


def import_day(
    db: SettlementDatabase,
    staged: StagedDay,
    run_type: RunType,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> DayResult:
    """One transaction: every record of the date, or nothing (ImportRejected)."""
    if not staged.files:
        return DayResult(staged.day, staged.manifest, None)
    with tempfile.TemporaryDirectory(prefix="swb-fetch-") as folder:
        paths = []
        for dataset, records in staged.files.items():
            path = Path(folder) / f"fetch-{staged.manifest[:12]}-{dataset}.json"
            path.write_text(json.dumps({"data": records}), encoding="utf-8")
            paths.append(path)
        summary = import_files(
            db,
            paths,
            run_type=run_type,
            only_date=staged.day,
            effective_from=staged.register_from,
            progress=progress,
            cancelled=cancelled,
            before_commit=lambda conn, summary: record_provenance(
                conn, staged.day, staged.answers(), summary
            ),
        )
    return DayResult(staged.day, staged.manifest, summary, [p.name for p in paths])
