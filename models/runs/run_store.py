"""Settlement runs and BM datasets in a database: create, bulk-load, list, find, delete.

A run's inputs are written once, inside the transaction that creates it, and the run is then
``loaded``: from then on its inputs never change (RunImmutableError). The BM data a run settles
with lives in a BM dataset, written once when it is created and shared by the runs of the date
that use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, Table, func, literal, select

from engine.settlement_calendar import RunType
from models.core.errors import RunImmutableError, RunNotFoundError
from models.core.period_list import decode_periods, encode_periods
from models.db.bulk import bulk_insert, bulk_insert_columns
from models.db.dataset_cache import (
    CACHE_MIN_ROWS,
    frames_from_rows,
    payload_from_columns,
    write_dataset_cache,
    write_run_cache,
)
from models.db.schema import (
    BM_DATA_TABLES,
    RUN_INPUT_TABLES,
    RUN_RESULT_TABLES,
    Acceptance,
    BidOfferSegment,
    BmDataset,
    MeteredVolume,
    RunBmUnit,
    RunParty,
    RunWarning,
    SettlementRun,
)

RUN = SettlementRun.__table__
DATASET = BmDataset.__table__
INPUT_TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in RUN_INPUT_TABLES}
BM_TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in BM_DATA_TABLES}


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class RunInfo:
    """A run's identity and metadata, with counts of its main inputs."""

    id: int
    settlement_date: date
    run_type: str
    run_number: int
    kind: str
    base_run_id: int | None
    bm_dataset_id: int
    name: str
    source: str
    created_at: datetime
    status: str
    periods: tuple[int, ...] | None
    bm_units: int = 0
    parties: int = 0
    acceptances: int = 0
    bid_offer_records: int = 0
    metered_volumes: int = 0

    @property
    def label(self) -> str:
        text = f"{self.settlement_date.isoformat()} {self.run_type}"
        if self.run_number != 1:
            text += f" #{self.run_number}"
        if self.kind == "scenario":
            text += f" scenario {self.name!r}"
        return text

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "settlement_date": self.settlement_date.isoformat(),
            "run_type": self.run_type,
            "run_number": self.run_number,
            "kind": self.kind,
            "base_run_id": self.base_run_id,
            "bm_dataset_id": self.bm_dataset_id,
            "name": self.name,
            "source": self.source,
            "created_at": self.created_at.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z"),
            "status": self.status,
            "periods": list(self.periods) if self.periods else None,
            "bm_units": self.bm_units,
            "parties": self.parties,
            "acceptances": self.acceptances,
            "bid_offer_records": self.bid_offer_records,
            "metered_volumes": self.metered_volumes,
        }


def _new_dataset(conn: Connection, settlement_date: date, source: str) -> int:
    values = {"settlement_date": settlement_date, "source": source, "created_at": _utc_now()}
    return int(conn.execute(DATASET.insert().values(**values)).inserted_primary_key[0])


def create_bm_dataset(
    conn: Connection, settlement_date: date, rows: Mapping[str, list[dict]], *, source: str
) -> int:
    """Write a day's BM data, keyed by table name (rows without dataset_id); return its id."""
    unknown = set(rows) - set(BM_TABLES_BY_NAME)
    if unknown:
        raise KeyError(f"not BM data tables: {', '.join(sorted(unknown))}")
    dataset_id = _new_dataset(conn, settlement_date, source)
    for table in BM_DATA_TABLES:
        bulk_insert(conn, table, rows.get(table.name, ()), {"dataset_id": dataset_id})
    if sum(len(r) for r in rows.values()) >= CACHE_MIN_ROWS:
        write_dataset_cache(conn, dataset_id, frames_from_rows(rows))
    return dataset_id


def create_bm_dataset_from_columns(
    conn: Connection, settlement_date: date, tables: Mapping[str, dict[str, list]], *, source: str
) -> int:
    """As `create_bm_dataset`, for tables given as columns (the importers' bulk path)."""
    dataset_id = _new_dataset(conn, settlement_date, source)
    for table in BM_DATA_TABLES:
        if tables.get(table.name):
            bulk_insert_columns(conn, table, tables[table.name], {"dataset_id": dataset_id})
    if sum(len(next(iter(c.values()), ())) for c in tables.values()) >= CACHE_MIN_ROWS:
        write_dataset_cache(conn, dataset_id, payload_from_columns(tables))
    return dataset_id


def next_run_number(conn: Connection, settlement_date: date, run_type: RunType) -> int:
    current = conn.execute(
        select(func.max(RUN.c.run_number)).where(
            RUN.c.settlement_date == settlement_date,
            RUN.c.run_type == run_type.value,
            RUN.c.kind == "run",
        )
    ).scalar()
    return (current or 0) + 1


def create_run(
    conn: Connection,
    settlement_date: date,
    run_type: RunType,
    *,
    bm_dataset_id: int,
    source: str,
    run_number: int | None = None,
    periods: Sequence[int] | None = None,
    notes: str | None = None,
) -> int:
    """Insert a run in status ``loading`` and return its id (call inside a transaction)."""
    dataset_date = conn.execute(
        select(DATASET.c.settlement_date).where(DATASET.c.id == bm_dataset_id)
    ).scalar()
    if dataset_date != settlement_date:
        raise ValueError(
            f"BM dataset {bm_dataset_id} is for {dataset_date}, not {settlement_date.isoformat()}"
        )
    if run_number is None:
        run_number = next_run_number(conn, settlement_date, run_type)
    result = conn.execute(
        RUN.insert().values(
            settlement_date=settlement_date,
            run_type=run_type.value,
            run_number=run_number,
            kind="run",
            bm_dataset_id=bm_dataset_id,
            name="",
            source=source,
            created_at=_utc_now(),
            status="loading",
            periods=encode_periods(periods),
            notes=notes,
        )
    )
    return int(result.inserted_primary_key[0])


def _require_loading(conn: Connection, run_id: int) -> None:
    status = conn.execute(select(RUN.c.status).where(RUN.c.id == run_id)).scalar()
    if status is None:
        raise RunNotFoundError(f"run {run_id} does not exist")
    if status != "loading":
        raise RunImmutableError(
            f"run {run_id} is {status}: its inputs cannot change; make a scenario instead"
        )


def write_inputs(
    conn: Connection, run_id: int, rows: Mapping[str, Iterable[dict]]
) -> dict[str, int]:
    """Bulk-insert input rows, keyed by table name, into a run that is still loading.

    Each row is a dict of column values without ``run_id``. Returns rows written per table.
    """
    _require_loading(conn, run_id)
    unknown = set(rows) - set(INPUT_TABLES_BY_NAME)
    if unknown:
        raise KeyError(f"not run input tables: {', '.join(sorted(unknown))}")
    return {
        table.name: bulk_insert(conn, table, rows[table.name], {"run_id": run_id})
        for table in RUN_INPUT_TABLES
        if table.name in rows
    }


def copy_inputs(
    conn: Connection, source_run_id: int, target_run_id: int, tables: Iterable[Table]
) -> None:
    """Copy the rows of `tables` from one run to another inside the database (no round trip)."""
    _require_loading(conn, target_run_id)
    for table in tables:
        columns = [c for c in table.columns if c.name != "run_id"]
        conn.execute(
            table.insert().from_select(
                ["run_id", *(c.name for c in columns)],
                select(literal(target_run_id), *columns).where(table.c.run_id == source_run_id),
            )
        )


def finish_loading(conn: Connection, run_id: int) -> None:
    """Mark a run loaded: from now on its inputs are immutable (and cached as arrays)."""
    _require_loading(conn, run_id)
    write_run_cache(conn, run_id)
    conn.execute(RUN.update().where(RUN.c.id == run_id).values(status="loaded"))


def delete_run(conn: Connection, run_id: int) -> None:
    """Delete a run with its inputs and results, and its BM dataset if no other run uses it."""
    children = conn.execute(select(func.count()).where(RUN.c.base_run_id == run_id)).scalar()
    if children:
        raise RunImmutableError(f"run {run_id} is the base of {children} scenario(s)")
    dataset_id = conn.execute(select(RUN.c.bm_dataset_id).where(RUN.c.id == run_id)).scalar()
    if dataset_id is None:
        raise RunNotFoundError(f"run {run_id} does not exist")
    conn.execute(RUN.update().where(RUN.c.id == run_id).values(status="deleting"))
    for table in (*RUN_RESULT_TABLES, *reversed(RUN_INPUT_TABLES), RunWarning.__table__):
        conn.execute(table.delete().where(table.c.run_id == run_id))
    conn.execute(RUN.delete().where(RUN.c.id == run_id))
    users = conn.execute(select(func.count()).where(RUN.c.bm_dataset_id == dataset_id)).scalar()
    if not users:
        for table in reversed(BM_DATA_TABLES):
            conn.execute(table.delete().where(table.c.dataset_id == dataset_id))
        conn.execute(DATASET.delete().where(DATASET.c.id == dataset_id))


def _count(table: Table, label: str):
    key = (
        table.c.run_id == RUN.c.id
        if "run_id" in table.c
        else (table.c.dataset_id == RUN.c.bm_dataset_id)
    )
    return select(func.count()).where(key).correlate(RUN).scalar_subquery().label(label)


def list_runs(
    conn: Connection, settlement_date: date | None = None, *, light: bool = False
) -> list[RunInfo]:
    """All runs (or a date's runs), by date, then run type order, then run number.

    `light` leaves out the counts of bid-offer records and metered volumes (0), which read
    hundreds of thousands of index entries per GB-scale run.
    """
    query = _runs_query(light)
    if settlement_date is not None:
        query = query.where(RUN.c.settlement_date == settlement_date)
    runs = [_run_info(row) for row in conn.execute(query).mappings()]
    return sorted(
        runs,
        key=lambda r: (r.settlement_date, RunType(r.run_type).rank, r.run_number, r.kind, r.id),
    )


def _runs_query(light: bool):
    """Runs with their counts (see list_runs for `light`)."""
    heavy = (
        (literal(0).label("bid_offer_records"), literal(0).label("metered_volumes"))
        if light
        else (
            _count(BidOfferSegment.__table__, "bid_offer_records"),
            _count(MeteredVolume.__table__, "metered_volumes"),
        )
    )
    return select(
        RUN,
        _count(RunBmUnit.__table__, "bm_units"),
        _count(RunParty.__table__, "parties"),
        _count(Acceptance.__table__, "acceptances"),
        *heavy,
    )


def _run_info(row: Mapping) -> RunInfo:
    periods = decode_periods(row["periods"])
    return RunInfo(
        id=row["id"],
        settlement_date=row["settlement_date"],
        run_type=row["run_type"],
        run_number=row["run_number"],
        kind=row["kind"],
        base_run_id=row["base_run_id"],
        bm_dataset_id=row["bm_dataset_id"],
        name=row["name"],
        source=row["source"],
        created_at=row["created_at"],
        status=row["status"],
        periods=periods,
        bm_units=row["bm_units"],
        parties=row["parties"],
        acceptances=row["acceptances"],
        bid_offer_records=row["bid_offer_records"],
        metered_volumes=row["metered_volumes"],
    )


def run_row(conn: Connection, run_id: int):
    """The run's settlement_run row (a mapping), or RunNotFoundError."""
    row = conn.execute(select(RUN).where(RUN.c.id == run_id)).mappings().first()
    if row is None:
        raise RunNotFoundError(f"run {run_id} does not exist")
    return row


def get_run(conn: Connection, run_id: int, *, light: bool = False) -> RunInfo:
    # One run's row and counts, not every run's (80 ms on a 30-day GB-scale database).
    row = conn.execute(_runs_query(light).where(RUN.c.id == run_id)).mappings().first()
    if row is None:
        raise RunNotFoundError(f"run {run_id} does not exist")
    return _run_info(row)


def find_run(
    conn: Connection, settlement_date: date, run_type: RunType, run_number: int | None = None
) -> RunInfo:
    """The run of that date and type: the given run number, else the latest one."""
    runs = list_runs(conn, settlement_date)
    candidates = [r for r in runs if r.run_type == run_type.value and r.kind == "run"]
    if run_number is not None:
        candidates = [r for r in candidates if r.run_number == run_number]
    if not candidates:
        present = sorted({f"{r.run_type}#{r.run_number}" for r in runs})
        number = f" #{run_number}" if run_number is not None else ""
        raise RunNotFoundError(
            f"no {run_type.value}{number} run for {settlement_date.isoformat()}; "
            f"runs of that date: {', '.join(present) or 'none'}"
        )
    return candidates[-1]
