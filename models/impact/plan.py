"""Which runs an impact assessment settles: of each date of a range and each run type asked for,
the latest loaded settlement run (the one in force; not scenarios), grouped by date: one task
per date. One run per date and type, so that a run type's £ totals count each day once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.engine import Connection

from engine.settlement_calendar import RunType
from models.core.errors import WorkbenchInputError
from models.runs.run_store import list_runs

# A range longer than this is refused: 20 years of days is more than any history held.
MAX_DAYS = 366 * 20


@dataclass(frozen=True, slots=True)
class DayTask:
    """One task: the runs of one settlement date.

    Attributes
    ----------
    settlement_date : date
    run_ids : tuple of int
        The latest run of each type, in run type order.
    labels : tuple of str
        Their labels, e.g. ``2024-06-12 SF``.
    """

    settlement_date: date
    run_ids: tuple[int, ...]
    labels: tuple[str, ...]


def impact_plan(
    conn: Connection,
    date_from: date,
    date_to: date,
    run_types: tuple[RunType, ...] = (),
) -> list[DayTask]:
    """The dates of the range that have runs to settle, each with its runs.

    Parameters
    ----------
    conn : Connection
        The settlement database.
    date_from, date_to : date
        First and last settlement date, inclusive.
    run_types : tuple of RunType, default ()
        Only runs of these types; every type when empty.

    Returns
    -------
    list of DayTask
        By date.

    Raises
    ------
    WorkbenchInputError
        When date_to is before date_from, the range is longer than MAX_DAYS, or the range
        holds no loaded run of the types asked for (the message says which dates have runs).
    """
    if date_to < date_from:
        raise WorkbenchInputError(
            f"--to {date_to.isoformat()} is before --from {date_from.isoformat()}; "
            "expected a range from the first date to the last"
        )
    if (date_to - date_from).days + 1 > MAX_DAYS:
        raise WorkbenchInputError(f"the range is longer than {MAX_DAYS:,} days; split it")
    wanted = {t.value for t in run_types}
    runs = [
        r
        for r in list_runs(conn, light=True)
        if r.kind == "run" and r.status == "loaded" and (not wanted or r.run_type in wanted)
    ]
    by_date: dict[date, dict[str, object]] = {}
    for r in runs:  # list_runs orders by run number: the latest of a type comes last
        if date_from <= r.settlement_date <= date_to:
            by_date.setdefault(r.settlement_date, {})[r.run_type] = r
    if not by_date:
        types = "/".join(sorted(wanted, key=lambda t: RunType(t).rank)) + " " if wanted else ""
        held = sorted({r.settlement_date for r in runs})
        where = f"{held[0].isoformat()} to {held[-1].isoformat()}" if held else "none"
        raise WorkbenchInputError(
            f"no {types}run from {date_from.isoformat()} to {date_to.isoformat()}; "
            f"the database has such runs from {where}"
            if held
            else f"no {types}run from {date_from.isoformat()} to {date_to.isoformat()}; "
            "the database has no such run"
        )
    tasks = []
    for d, latest in sorted(by_date.items()):
        day = sorted(latest.values(), key=lambda r: RunType(r.run_type).rank)
        tasks.append(DayTask(d, tuple(r.id for r in day), tuple(r.label for r in day)))
    return tasks
