"""The live run of a settlement date: open while the day's data arrives, then an ordinary run.

A date's live run is its run of type II (the BSC's interim information run, never invoiced)
in status ``loading``: the status in which a run's inputs may still be written, so each
message appends its rows to it in its own transaction (the immutability triggers of schema
0009 guard runs that are ``loaded``, and only those). One is opened by the first message of
the date; it carries forward the date's latest loaded II run, if there is one.

The day is complete, and its live run is closed, when either
- it is closed by hand (`settlement-workbench listen --close-day DATE`), or
- the clock has passed the end of the date's last settlement period (local midnight, 46, 48
  or 50 periods after the day began) plus a grace (`listen --close-after HOURS`, default 2 h:
  IRIS publishes a period's acceptances within minutes and its prices within the hour).
Closing writes the run's caches, marks it ``loaded`` and stores its results settled on its
last data (in one transaction): from then on it is immutable like any imported run. A
message for a date whose live run is closed opens the next II run of the date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, literal, select

from engine.settlement_calendar import PERIOD_SECONDS, RunType, local_midnight_utc, periods_in_day
from models.core.errors import RunNotFoundError
from models.db.dataset_cache import CACHE_MIN_ROWS, frames_from_rows, write_dataset_cache
from models.db.schema import (
    BM_DATA_TABLES,
    RUN_INPUT_TABLES,
    RunBmUnit,
    RunParty,
    RunWarning,
    StackItemResult,
    SystemPriceResult,
)
from models.live.indicative import IndicativeDay, settle_in
from models.runs.run_store import (
    RUN,
    copy_inputs,
    create_bm_dataset,
    create_run,
    finish_loading,
)

LIVE_RUN_TYPE = RunType.II
LIVE_SOURCE = "live: IRIS messages"
DEFAULT_GRACE = timedelta(hours=2)
LIVE, CLOSED = "loading", "loaded"


def day_end(day: date) -> datetime:
    """The end of the date's last settlement period (UTC, naive)."""
    end = local_midnight_utc(day) + timedelta(seconds=PERIOD_SECONDS * periods_in_day(day))
    return end.replace(tzinfo=None)


def complete(day: date, now: datetime, grace: timedelta) -> bool:
    """The day is complete once its last period ended `grace` ago (`now` is naive UTC)."""
    return now >= day_end(day) + grace


def _live_query(day: date | None = None):
    query = select(RUN.c.id).where(
        RUN.c.run_type == LIVE_RUN_TYPE.value, RUN.c.kind == "run", RUN.c.status == LIVE
    )
    return query if day is None else query.where(RUN.c.settlement_date == day)


def live_run(conn: Connection, day: date) -> int | None:
    """The date's open live run, or None."""
    return conn.execute(_live_query(day).order_by(RUN.c.id.desc())).scalar()


def open_days(conn: Connection) -> list[tuple[date, int]]:
    """(settlement date, run id) of every open live run, by date."""
    query = select(RUN.c.settlement_date, RUN.c.id).where(RUN.c.id.in_(_live_query()))
    return [(d, r) for d, r in conn.execute(query.order_by(RUN.c.settlement_date, RUN.c.id))]


def latest_loaded(conn: Connection, day: date) -> int | None:
    """The date's latest loaded II run (what a new live run carries forward)."""
    return conn.execute(
        select(RUN.c.id)
        .where(
            RUN.c.settlement_date == day,
            RUN.c.run_type == LIVE_RUN_TYPE.value,
            RUN.c.kind == "run",
            RUN.c.status == CLOSED,
        )
        .order_by(RUN.c.run_number.desc())
    ).scalar()


def open_live_run(conn: Connection, day: date) -> tuple[int, int, bool]:
    """(run id, BM dataset id, opened now) of the date's live run, opened if there is none
    (carrying the date's latest loaded II run forward: its BM data, inputs, published
    figures, warnings)."""
    found = live_run(conn, day)
    if found is not None:
        dataset = conn.execute(select(RUN.c.bm_dataset_id).where(RUN.c.id == found)).scalar()
        return found, int(dataset), False
    previous = latest_loaded(conn, day)
    dataset_id = create_bm_dataset(conn, day, {}, source=LIVE_SOURCE)
    run_id = create_run(conn, day, LIVE_RUN_TYPE, bm_dataset_id=dataset_id, source=LIVE_SOURCE)
    if previous is not None:
        _carry_forward(conn, previous, run_id, dataset_id)
    return run_id, dataset_id, True


def _copy(conn: Connection, table, key: str, source: int, target: int, where=()) -> None:
    columns = [c for c in table.columns if c.name != key]
    conn.execute(
        table.insert().from_select(
            [key, *(c.name for c in columns)],
            select(literal(target), *columns).where(table.c[key] == source, *where),
        )
    )


def _carry_forward(conn: Connection, previous: int, run_id: int, dataset_id: int) -> None:
    """The previous run's rows copied inside the database (no round trip)."""
    old_dataset = conn.execute(select(RUN.c.bm_dataset_id).where(RUN.c.id == previous)).scalar()
    for table in BM_DATA_TABLES:
        _copy(conn, table, "dataset_id", old_dataset, dataset_id)
    copy_inputs(conn, previous, run_id, RUN_INPUT_TABLES)
    for model in (SystemPriceResult, StackItemResult):
        table = model.__table__
        _copy(conn, table, "run_id", previous, run_id, (table.c.origin == "published",))
    _copy(conn, RunWarning.__table__, "run_id", previous, run_id)


def close_live_run(conn: Connection, run_id: int) -> IndicativeDay:
    """The day is complete: the live run becomes an ordinary, immutable run (parties no unit
    names any longer dropped, its BM data and inputs cached as arrays, status ``loaded``) and
    is settled on its last data, in the same transaction; the day settled.

    A listener settles its live runs spaced by their cost (models.live.stream), so the last
    messages before a close may not be settled yet, and a run closed by hand may never have
    been: closed without this settle, an immutable run kept the results of an earlier settle
    (or none) beside inputs that settle to others."""
    row = conn.execute(select(RUN.c.bm_dataset_id, RUN.c.status).where(RUN.c.id == run_id)).first()
    if row is None:
        raise RunNotFoundError(f"run {run_id} does not exist")
    party, unit = RunParty.__table__, RunBmUnit.__table__
    used = select(unit.c.lead_party_id).where(unit.c.run_id == run_id)
    conn.execute(party.delete().where(party.c.run_id == run_id, party.c.party_id.not_in(used)))
    rows = {}
    for table in BM_DATA_TABLES:
        found = conn.execute(select(table).where(table.c.dataset_id == row.bm_dataset_id))
        rows[table.name] = [dict(r) for r in found.mappings()]
    if sum(map(len, rows.values())) >= CACHE_MIN_ROWS:
        write_dataset_cache(conn, row.bm_dataset_id, frames_from_rows(rows))
    finish_loading(conn, run_id)
    # After the status: the day is told as closed (its periods no longer open). Results may
    # be written to a loaded run (schema 0009 guards its inputs, not its results).
    return settle_in(conn, run_id)


def close_day(conn: Connection, day: date) -> int:
    """Close the date's live run by hand; its id. RunNotFoundError when none is open."""
    run_id = live_run(conn, day)
    if run_id is None:
        raise RunNotFoundError(f"{day.isoformat()} has no open live run to close")
    close_live_run(conn, run_id)
    return run_id


def close_complete_days(
    conn: Connection,
    now: datetime,
    grace: timedelta,
    settled: Callable[[IndicativeDay], None] = lambda day: None,
) -> list[int]:
    """Close every open live run whose day is complete; the runs closed. `settled` is told
    each closed day as its closing settled it."""
    closed = []
    for day, run_id in open_days(conn):
        if complete(day, now, grace):
            settled(close_live_run(conn, run_id))
            closed.append(run_id)
    return closed
