"""Provenance of fetched runs: which Insights response each stored record came from.

A fetch asks for disjoint chunks: one dataset over one settlement date's periods (PN, QPN and
the stack one period each, the BM datasets windows of periods, prices the whole date), so the
dataset, date and settlement period of a stored record name the one response it came from.
The import writes, in its own transaction, one `fetched_response` row per response of the
date (`record_provenance`): what it covered, where its records lie in the staged file, and its
body's sha256, URL, parameters and time fetched as the raw-response cache records them.

A run that carries records forward from the date's previous run (a fetch of other datasets,
or of other periods) carries their provenance with them: the previous run's rows for the
spans this fetch did not ask for again, marked with the run they were fetched for. Published
figures that only join the date's existing run (system prices, the stack) add their responses
to that run's rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, func, insert, select

from models.db.schema import FetchedResponse
from models.fetch.cache import Entry
from models.fetch.endpoints import Request
from models.imports.report import ImportSummary

TABLE = FetchedResponse.__table__
# Datasets whose records may join the date's existing run instead of making a new one.
PUBLISHED_DATASETS = frozenset({"DISEBSP", "ISPSTACK"})


@dataclass(frozen=True)
class StagedAnswer:
    """One cached answer of a staged file: its records are data[first:first + records]."""

    request: Request
    entry: Entry
    first: int
    records: int


@dataclass(frozen=True)
class FetchedResponseRow:
    """A response a run's records came from, as `fetched_response` holds it."""

    number: int
    dataset: str
    settlement_date: date | None
    period_from: int | None  # None: the whole date (LOLPDRM, the register)
    period_to: int | None
    first_record: int
    records: int
    sha256: str
    url: str
    params: dict[str, str]
    fetched_at: datetime  # UTC
    carried_from_run_id: int | None

    def covers(self, dataset: str, period: int | None) -> bool:
        """Whether a record of `dataset` in settlement `period` of the date came from it."""
        if dataset != self.dataset:
            return False
        if self.period_from is None or period is None:
            return True
        return self.period_from <= period <= self.period_to

    @property
    def span(self) -> str:
        day = self.settlement_date.isoformat() if self.settlement_date else "current"
        if self.period_from is None:
            return day
        if self.period_from == self.period_to:
            return f"{day} SP{self.period_from}"
        return f"{day} SP{self.period_from}-{self.period_to}"

    def as_json(self) -> dict:
        return {
            "number": self.number,
            "dataset": self.dataset,
            "settlement_date": self.settlement_date and self.settlement_date.isoformat(),
            "period_from": self.period_from,
            "period_to": self.period_to,
            "first_record": self.first_record,
            "records": self.records,
            "sha256": self.sha256,
            "url": self.url,
            "params": self.params,
            "fetched_at": self.fetched_at.isoformat(timespec="seconds") + "Z",
            "carried_from_run_id": self.carried_from_run_id,
        }


def _fetched_at(text: str) -> datetime:
    # The cache writes UTC with its offset; the database keeps naive UTC, as everywhere.
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


def _row(answer: StagedAnswer) -> dict:
    request, entry = answer.request, answer.entry
    first, last = request.periods if request.periods is not None else (None, None)
    return {
        "dataset": request.dataset,
        "settlement_date": request.day,
        "period_from": first,
        "period_to": last,
        "first_record": answer.first,
        "records": answer.records,
        "sha256": entry.sha256,
        "url": entry.url[:500],
        "params": json.dumps(entry.params),
        "fetched_at": _fetched_at(entry.fetched_at),
        "carried_from_run_id": None,
    }


def _overlaps(old: FetchedResponseRow, new: dict) -> bool:
    if old.dataset != new["dataset"]:
        return False
    if old.period_from is None or new["period_from"] is None:
        return True
    return old.period_from <= new["period_to"] and new["period_from"] <= old.period_to


def read_provenance(conn: Connection, run_id: int) -> list[FetchedResponseRow]:
    """The responses a run's records came from, in the order they were recorded."""
    rows = conn.execute(
        select(TABLE).where(TABLE.c.run_id == run_id).order_by(TABLE.c.number)
    ).mappings()
    return [
        FetchedResponseRow(**{k: v for k, v in r.items() if k not in ("run_id", "params")},
                           params=json.loads(r["params"]))
        for r in rows
    ]  # fmt: skip


def response_of(
    rows: list[FetchedResponseRow], dataset: str, period: int | None
) -> FetchedResponseRow | None:
    """The response a stored record of `dataset` (Insights name: PN, BOD, ISPSTACK...) in
    settlement `period` came from, or None (the run holds it from a file import)."""
    return next((r for r in rows if r.covers(dataset, period)), None)


def record_provenance(
    conn: Connection, day: date, answers: list[StagedAnswer], summary: ImportSummary
) -> None:
    """Write the date's responses with the run the import wrote for it (inside the import's
    transaction, so a refused import records nothing), and say so in the summary's notes."""
    for part in summary.dates:
        if part.run_id is None or part.settlement_date != day.isoformat():
            continue
        chosen = [
            a for a in answers if not part.attached or a.request.dataset in PUBLISHED_DATASETS
        ]
        rows = [_row(a) for a in chosen]
        carried: list[dict] = []
        start = 0
        if part.attached:
            start = conn.execute(
                select(func.coalesce(func.max(TABLE.c.number) + 1, 0)).where(
                    TABLE.c.run_id == part.run_id
                )
            ).scalar()
        elif part.base_run_id is not None:
            for old in read_provenance(conn, part.base_run_id):
                if not any(_overlaps(old, new) for new in rows):
                    carried.append(
                        old.as_json()
                        | {
                            "settlement_date": old.settlement_date,
                            "params": json.dumps(old.params),
                            "fetched_at": old.fetched_at,
                            "carried_from_run_id": old.carried_from_run_id or part.base_run_id,
                        }
                    )
        written = [
            r | {"run_id": part.run_id, "number": start + n}
            for n, r in enumerate([*rows, *carried])
        ]
        if written:
            conn.execute(insert(TABLE), written)
        more = f" and {len(carried):,} carried forward with its records" if carried else ""
        summary.notes.append(
            f"{day.isoformat()}: run {part.run_id} records the {len(rows):,} Insights "
            f"response(s) its records came from{more} (settlement-workbench show --provenance "
            "lists them)"
        )
