"""Import data files into a settlement run database: all rows of all files, or nothing.

For each settlement date the files touch, the import writes a new run (of the chosen run
type) holding the imported records and, where the date already had a run of that type,
everything of that run the import does not replace. A date for which nothing new arrived
gets no new run, so importing the same files twice adds nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, select

from engine.settlement_calendar import RunType
from models.bulk import bulk_insert
from models.database import SettlementDatabase
from models.errors import WorkbenchInputError
from models.imports.assemble import (
    CARRIED_AS_ROWS,
    bm_columns,
    read_previous,
    rows_of,
    same_bm_data,
)
from models.imports.collect import (
    BM_KINDS,
    KEY_COLUMNS,
    STORED,
    Collector,
    DayRecords,
    Place,
    UnitResolver,
)
from models.imports.formats import read_file
from models.imports.register import collect_register, read_register, write_register
from models.imports.report import DatePart, ImportRejected, ImportReport, ImportSummary
from models.imports.typed import type_batch
from models.run_store import (
    create_bm_dataset_from_columns,
    create_run,
    finish_loading,
    write_inputs,
)
from models.schema import Party, SettlementRun, StackItemResult, SystemPriceResult

Progress = Callable[[float, str], None]
RUN_KEYED = (
    "metered_volume",
    "balancing_services_volume",
    "bsad_action",
    "price_adjustment",
    "market_index",
    "lolp",
)
PUBLISHED = ("published_price", "published_stack")


class ImportCancelled(WorkbenchInputError):
    """The user cancelled the import; nothing was written."""


def _no_progress(fraction: float, text: str) -> None:
    return None


@contextmanager
def _collector_paused():
    """Imports build millions of small dicts and lists that all live until the end; the
    cyclic garbage collector would rescan them again and again (a third of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_files(
    db: SettlementDatabase,
    paths: Sequence[str | Path],
    *,
    run_type: RunType = RunType.SF,
    only_date: date | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import `paths` in one transaction; raise ImportRejected (nothing written) on any problem."""
    with _collector_paused():
        return _import_files(db, paths, run_type, only_date, progress, cancelled)


def _import_files(
    db: SettlementDatabase,
    paths: Sequence[str | Path],
    run_type: RunType,
    only_date: date | None,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
) -> ImportSummary:
    progress = progress or _no_progress
    cancelled = cancelled or (lambda: False)
    report = ImportReport()
    summary = ImportSummary(files=[str(p) for p in paths])
    names = _display_names([Path(p) for p in paths])
    typed = []
    for n, path in enumerate(paths):
        progress(0.4 * n / len(paths), f"Reading {names[n]}")
        for batch in read_file(Path(path), report, names[n]):
            typed.append(type_batch(batch, report))
            summary.records[batch.dataset.name] += batch.size
        _check_cancel(cancelled)
    progress(0.4, "Checking records")
    register_batches = [t for t in typed if t.dataset.target == "register"]
    new_units, new_parties = collect_register(register_batches, report)
    with db.engine.connect() as conn:
        register = read_register(conn)
    register.update(new_units)
    resolver = UnitResolver({u: row["national_grid_id"] for u, row in register.items()})
    collector = Collector(report, resolver, only_date)
    for batch in typed:
        if batch.dataset.target != "register":
            collector.add(batch)
    _check_cancel(cancelled)
    if report.rejected:
        raise ImportRejected(report)
    summary.register_units = len(new_units)
    with db.engine.begin() as conn:
        write_register(conn, new_units, new_parties)
        days = []
        for day in sorted(collector.days):
            if day in collector.anchored or _latest_run(conn, day, run_type) is not None:
                days.append(day)
            else:
                summary.notes.append(
                    f"segments running past midnight into {day.isoformat()} were not stored: "
                    "that date has no data of its own in this import"
                )
        for n, day in enumerate(days):
            progress(0.5 + 0.5 * n / max(1, len(days)), f"Writing {day.isoformat()}")
            part = _write_day(
                conn, day, collector.days[day], run_type, register, report, summary.files
            )
            summary.dates.append(part)
            _check_cancel(cancelled)
        if report.rejected:
            raise ImportRejected(report)  # rolls the transaction back
    progress(1.0, "Imported")
    if collector.outside_date:
        summary.notes.append(
            f"{collector.outside_date:,} record(s) outside {only_date} were left out (--date)"
        )
    summary.notes += [
        f"{count:,} {reason} were left out" for reason, count in collector.skipped.items()
    ]
    summary.notes += report.notes
    return summary


def _check_cancel(cancelled: Callable[[], bool]) -> None:
    if cancelled():
        raise ImportCancelled("import cancelled: nothing was written")


def _display_names(paths: list[Path]) -> list[str]:
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        return [str(p) for p in paths]
    return names


def _latest_run(conn: Connection, day: date, run_type: RunType) -> int | None:
    run = SettlementRun.__table__
    return conn.execute(
        select(run.c.id)
        .where(
            run.c.settlement_date == day,
            run.c.run_type == run_type.value,
            run.c.kind == "run",
            run.c.status == "loaded",
        )
        .order_by(run.c.run_number.desc())
    ).scalar()


def _unit_rows(
    units: dict[str, Place],
    previous_units: dict[str, dict],
    register: dict[str, dict],
    report: ImportReport,
) -> list[dict]:
    rows = []
    for unit, where in sorted(units.items()):
        if unit in previous_units:
            rows.append(previous_units[unit])
            continue
        file, location = where.file, where.location
        entry = register.get(unit)
        if entry is None:
            report.reject(
                file,
                location,
                "bmUnit",
                unit,
                "not in the BM unit register: import a register (Insights reference or the "
                "CRA export) with this data or before it",
            )
            continue
        missing = [
            name
            for name, column in (
                ("lead party", "lead_party_id"),
                ("production/consumption flag", "pc_status"),
                ("TLF", "tlf"),
            )
            if entry[column] is None
        ]
        if missing:
            report.reject(
                file,
                location,
                "bmUnit",
                unit,
                f"the register gives no {' and no '.join(missing)} for this unit, which "
                "settlement needs",
            )
            continue
        rows.append(
            {
                "bm_unit_id": unit,
                "lead_party_id": entry["lead_party_id"],
                "pc_status": entry["pc_status"],
                "trading_unit": entry["trading_unit"] or unit,
                "tlf": float(entry["tlf"]),
                "interconnector": bool(entry["interconnector"]),
            }
        )
    return rows


def _write_day(
    conn: Connection,
    day: date,
    records: DayRecords,
    run_type: RunType,
    register: dict[str, dict],
    report: ImportReport,
    files: list[str],
) -> DatePart:
    previous_id = _latest_run(conn, day, run_type)
    if previous_id is not None:
        previous_run, old, carried = read_previous(conn, previous_id)
    else:
        previous_run, old, carried = None, {}, {}
    merged = {t: {**old.get(t, {}), **records.tables.get(t, {})} for t in KEY_COLUMNS}
    units = dict(records.units)
    for table in (*BM_KINDS, "metered_volume", "balancing_services_volume"):
        for key in merged[table]:
            unit = key[1] if table == "physical_notification" else key[0]
            units.setdefault(unit, STORED)
    previous_units = {r["bm_unit_id"]: r for r in carried.get("run_bm_unit", [])}
    unit_rows = _unit_rows(units, previous_units, register, report)
    label = f"{day.isoformat()} {run_type.value}"
    if previous_id is not None and all(merged[t] == old.get(t, {}) for t in KEY_COLUMNS):
        return DatePart(day.isoformat(), None, label, previous_id)
    dataset_columns = bm_columns(merged, records.where, report)
    if report.rejected:
        return DatePart(day.isoformat(), None, label, previous_id)
    source = "import: " + ", ".join(Path(f).name for f in files)
    if previous_run is not None and same_bm_data(old, merged):
        dataset_id = previous_run["bm_dataset_id"]
    else:
        dataset_id = create_bm_dataset_from_columns(conn, day, dataset_columns, source=source[:500])
    run_id = create_run(conn, day, run_type, bm_dataset_id=dataset_id, source=source[:500])
    parties = sorted({r["lead_party_id"] for r in unit_rows})
    names = dict(conn.execute(select(Party.id, Party.name).where(Party.id.in_(parties))).all())
    inputs = {t: rows_of(t, merged[t]) for t in RUN_KEYED}
    inputs |= {t: carried.get(t, []) for t in CARRIED_AS_ROWS}
    inputs["run_bm_unit"] = unit_rows
    inputs["run_party"] = [{"party_id": p, "name": names.get(p, "")} for p in parties]
    written = write_inputs(conn, run_id, inputs)
    prices = [
        r | {"origin": "published"} for r in rows_of("published_price", merged["published_price"])
    ]
    bulk_insert(conn, SystemPriceResult.__table__, prices, {"run_id": run_id})
    stack = [
        r | {"origin": "published"} for r in rows_of("published_stack", merged["published_stack"])
    ]
    bulk_insert(conn, StackItemResult.__table__, stack, {"run_id": run_id})
    finish_loading(conn, run_id)
    counts = {
        t: len(c["time_from" if "time_from" in c else "number"])
        for t, c in dataset_columns.items()
        if c and c.get("bm_unit_id")
    }
    counts |= {t: n for t, n in written.items() if n}
    counts |= {"published prices": len(prices)} if prices else {}
    counts |= {"published stack items": len(stack)} if stack else {}
    return DatePart(day.isoformat(), run_id, label, previous_id, counts)
