"""Import data files into a settlement run database: all rows of all files, or nothing.

For each settlement date the files touch, the import writes a new run (of the chosen run
type) holding the imported records and, where the date already had a run of that type,
everything of that run the import does not replace. A date for which nothing new arrived
gets no new run, so importing the same files twice adds nothing, even at the same moment
from two workbenches: the one that loses the race for the date's run number is made again.
Published figures alone (system prices, the published stack) join the date's latest run of
the type instead, or the run the analyst chose (`attach_to`, `import --attach-to-run`), which
is also the run a new one carries forward when other data comes with them.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection, select

from engine.settlement_calendar import RunType
from models.core import limits
from models.core.errors import RunNotFoundError, WorkbenchInputError
from models.db.bulk import bulk_insert
from models.db.database import SettlementDatabase
from models.db.races import lost_a_race, made_again
from models.db.schema import (
    Party,
    SettlementRun,
    StackItemResult,
    SystemPriceResult,
)
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
)
from models.imports.formats import read_file
from models.imports.p114_import import import_p114, p114_file_flow
from models.imports.register import collect_registers, decide_dates, write_registers
from models.imports.report import DatePart, ImportRejected, ImportReport, ImportSummary
from models.imports.resolve import UnitResolver
from models.imports.typed import type_batch
from models.imports.units import InForce, register_changed
from models.imports.units import unit_rows as assumed_unit_rows
from models.register.snapshots import (
    UNREGISTERED_PARTY,
    ensure_units,
    ensure_unregistered_party,
    in_force,
    list_snapshots,
    national_grid_ids,
    register_entries,
)
from models.runs.run_store import (
    RunInfo,
    create_bm_dataset_from_columns,
    create_run,
    finish_loading,
    get_run,
    next_run_number,
    write_inputs,
)
from models.runs.run_warnings import DataWarning, read_run_warnings, write_run_warnings

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
ID_RULE = "R-REG-ID"
RACED_NOTE = (
    "another import wrote to the database at the same moment: this import was made again "
    "after it, on what it had written"
)


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
    run_type: RunType | None = None,
    only_date: date | None = None,
    effective_from: date | None = None,
    strict: bool = False,
    attach_to: int | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    before_commit: Callable[[Connection, ImportSummary], None] | None = None,
) -> ImportSummary:
    """Import `paths` in one transaction; raise ImportRejected (nothing written) on any error,
    or with `strict` on any warning too. `run_type` defaults to SF. `effective_from` dates
    register files that state no effective date of their own (R-REG-DATED). `attach_to` names
    the run the import builds on instead of the date's latest of the type (attach_target):
    published figures alone join it, other data makes a new run carrying it forward; the import
    is then of its date and type. `before_commit` writes what belongs with the runs written (a
    fetch's provenance) in their transaction, once nothing was refused."""
    base_id = None
    if attach_to is not None:
        with db.engine.connect() as conn:
            base = attach_target(conn, attach_to, paths, run_type, only_date)
        base_id, run_type, only_date = base.id, RunType(base.run_type), base.settlement_date
    kind = run_type or RunType.SF

    def attempt(number: int) -> ImportSummary:
        summary = _import_files(
            db, paths, kind, only_date, effective_from, strict, progress, cancelled,
            before_commit, base_id,
        )  # fmt: skip
        if number > 1:
            summary.notes.append(RACED_NOTE)
        return summary

    # Another import committing a date's run (or a unit, a register snapshot) this one was
    # writing too: made again, it sees that import's runs and follows the usual rules.
    with _collector_paused():
        return made_again(attempt, lost_a_race)


def attach_target(
    conn: Connection,
    run_id: int,
    paths: Sequence[str | Path],
    run_type: RunType | None,
    only_date: date | None,
) -> RunInfo:
    """The run an import is asked to attach to (`--attach-to-run`), or a one-line
    WorkbenchInputError: it must exist, be a loaded settlement run (not a scenario, not one
    being written or deleted), and agree with the run type and date given, if any."""
    try:
        run = get_run(conn, run_id, light=True)
    except RunNotFoundError:
        raise RunNotFoundError(
            f"cannot attach to run {run_id}: there is no run {run_id} in this database"
        ) from None
    refused = f"cannot attach to run {run_id} ({run.label})"
    if run.kind != "run":
        raise WorkbenchInputError(
            f"{refused}: it is a scenario; published figures join a settlement run, such as "
            f"its base run {run.base_run_id}"
        )
    if run.status != "loaded":
        raise WorkbenchInputError(f"{refused}: it is {run.status}, not a loaded run")
    if only_date is not None and only_date != run.settlement_date:
        raise WorkbenchInputError(
            f"{refused}: it is a run of {run.settlement_date.isoformat()}, not of "
            f"{only_date.isoformat()} (--date)"
        )
    if run_type is not None and run_type.value != run.run_type:
        raise WorkbenchInputError(
            f"{refused}: it is {_article(run.run_type)} {run.run_type} run, not "
            f"{run_type.value} (--run); give "
            f"--run {run.run_type} or leave --run out"
        )
    reports = [Path(p).name for p in paths if p114_file_flow(Path(p))]
    if reports:
        raise WorkbenchInputError(
            f"{refused}: P114 settlement reports ({', '.join(reports[:3])}) make runs of their "
            "own; import them without a run to attach to"
        )
    return run


def _import_files(
    db: SettlementDatabase,
    paths: Sequence[str | Path],
    run_type: RunType,
    only_date: date | None,
    effective_from: date | None,
    strict: bool,
    progress: Progress | None,
    cancelled: Callable[[], bool] | None,
    before_commit: Callable[[Connection, ImportSummary], None] | None = None,
    base_id: int | None = None,
) -> ImportSummary:
    progress = progress or _no_progress
    cancelled = cancelled or (lambda: False)
    report = ImportReport()
    summary = ImportSummary(files=[str(p) for p in paths])
    names = _display_names([Path(p) for p in paths])
    # P114 settlement reports (S0142, C0421), told by their first bytes, have their own path
    p114 = {n: flow for n, p in enumerate(paths) if (flow := p114_file_flow(Path(p)))}
    typed = _read_and_type(paths, names, p114, report, summary, progress, cancelled)
    progress(0.4, "Checking records")
    registers = _dated_registers(typed, effective_from, report)
    # One transaction: the import's registers are written first, so that its data resolves
    # with them; any rejection rolls everything back.
    with db.engine.begin() as conn:
        summary.snapshots = write_registers(conn, registers)
        summary.register_units = sum(w.units for w in summary.snapshots if w.new)
        register = _Register(conn)
        summary.notes += _runs_with_a_new_snapshot(conn, register, summary.snapshots)
        collector = Collector(report, register.resolver, only_date)
        for batch in typed:
            if batch.dataset.target != "register":
                collector.add(batch)
        summary.duplicates = collector.duplicates
        _check_cancel(cancelled)
        if report.rejected:
            raise ImportRejected(report)
        days = _days_to_write(conn, collector, run_type, summary)
        warnings: list[DataWarning] = []
        for n, day in enumerate(days):
            progress(0.5 + 0.5 * n / max(1, len(days)), f"Writing {day.isoformat()}")
            part, day_warnings = _write_day(
                conn, day, collector, run_type, register, report, summary.files, base_id
            )
            summary.dates.append(part)
            warnings += day_warnings
            _check_cancel(cancelled)
        for n, flow in p114.items():  # after the other files: a run carries their BM data
            progress(0.9, f"Reading {names[n]}")
            part, records, p114_warnings = import_p114(conn, Path(paths[n]), names[n], flow, report)
            summary.records[flow] += records
            warnings += p114_warnings  # listed like a day's, and refused by --strict
            if part is not None:
                summary.dates.append(part)
            _check_cancel(cancelled)
        summary.notes += register.without_trading_units()
        summary.warnings = report.warnings = list(dict.fromkeys(warnings))
        if report.rejected:
            raise ImportRejected(report)  # rolls the transaction back
        if strict and report.warnings:
            report.strict = True
            raise ImportRejected(report)
        if before_commit is not None:
            before_commit(conn, summary)
    progress(1.0, "Imported")
    summary.notes += _left_out_notes(
        collector, only_date, "--date" if base_id is None else f"the date of run {base_id}"
    )
    summary.notes += report.notes
    return summary


def _read_and_type(paths, names, p114, report, summary, progress, cancelled) -> list:
    """Every batch of the files that are not P114 reports, read and typed, with the
    records read counted per dataset in `summary`."""
    typed = []
    for n, path in enumerate(paths):
        progress(0.4 * n / len(paths), f"Reading {names[n]}")
        if n in p114:
            continue
        for batch in read_file(Path(path), report, names[n]):
            summary.records[batch.dataset.name] += batch.size
            if _too_many_acceptances(summary.records["BOALF"], names[n], report):
                raise ImportRejected(report)  # before typing: nothing held any longer
            typed.append(type_batch(batch, report))
        _check_cancel(cancelled)
    return typed


def _dated_registers(typed: list, effective_from: date | None, report: ImportReport) -> list:
    """The import's register files, each with its effective date (R-REG-DATED); rejects the
    import when a problem was found so far."""
    registers = collect_registers([t for t in typed if t.dataset.target == "register"], report)
    decide_dates(registers, effective_from, report)
    if effective_from is not None and not registers:
        report.notes.append(
            f"--effective-from {effective_from.isoformat()} was not used: it dates register "
            "files, and this import has none"
        )
    if report.rejected:
        raise ImportRejected(report)
    return registers


def _days_to_write(
    conn: Connection, collector: Collector, run_type: RunType, summary: ImportSummary
) -> list[date]:
    """The dates to write, in order: those with data of their own in this import, or with a
    run already; a date reached only by segments running past midnight gets a note."""
    days = []
    for day in sorted(collector.days):
        if day in collector.anchored or _latest_run(conn, day, run_type) is not None:
            days.append(day)
        else:
            summary.notes.append(
                f"segments running past midnight into {day.isoformat()} were not stored: "
                "that date has no data of its own in this import"
            )
    return days


def _left_out_notes(collector: Collector, only_date: date | None, why: str) -> list[str]:
    """Notes counting the records left out: outside the one date (`why`: --date, or the run
    attached to), and skipped by reason."""
    notes = []
    if collector.outside_date:
        notes.append(
            f"{collector.outside_date:,} record(s) outside {only_date} were left out ({why})"
        )
    notes += [f"{count:,} {reason} were left out" for reason, count in collector.skipped.items()]
    return notes


def _runs_with_a_new_snapshot(conn: Connection, register: _Register, written) -> list[str]:
    """A note naming the dates whose runs were loaded with another register than the one now
    in force (runs are immutable: the date's next import takes its units from it)."""
    new = {w.snapshot_id for w in written if w.new}
    if not new:
        return []
    run = SettlementRun.__table__
    days = conn.execute(select(run.c.settlement_date).where(run.c.kind == "run").distinct())
    older = [s for s in register.snapshots if s.id not in new]
    changed = sorted(
        day for (day,) in days if in_force(register.snapshots, day)[0] != in_force(older, day)[0]
    )
    if not changed:
        return []
    shown = ", ".join(d.isoformat() for d in changed[:10]) + (" …" if len(changed) > 10 else "")
    return [
        f"the new register snapshot is in force on {len(changed)} date(s) already held "
        f"({shown}); their runs keep the register they were loaded with, and the date's next "
        "import (the same files again will do) writes a new run taking its units from the "
        "snapshot now in force"
    ]


class _Register:
    """The register snapshots of the database (the import's own included): their list read
    once, each one's entries and National Grid ids only when a date or record needs them."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.snapshots = list_snapshots(conn)
        # Each snapshot's National Grid ids are read when a record first needs them.
        self.resolver = UnitResolver(self.snapshots, lambda s: national_grid_ids(conn, s))
        self._entries: dict[int, dict[str, dict]] = {}
        self.used: set[int] = set()  # snapshots the import's new runs took units from

    def without_trading_units(self) -> list[str]:
        """One note per snapshot used that gives no Trading Unit at all (the Insights
        register): each unit is then its own, which R-TLM's delivering/offtaking split sees."""
        notes = []
        for snapshot in self.snapshots:
            entries = self._entries.get(snapshot.id)
            if snapshot.id not in self.used or not entries:
                continue
            if all(e["trading_unit"] is None for e in entries.values()):
                notes.append(
                    f"register {snapshot.label} gives no Trading Units: each BM unit is its own "
                    "Trading Unit, which changes which units are delivering/offtaking (R-TLM); "
                    "the CRA export gives them"
                )
        return notes

    def in_force(self, day: date) -> InForce:
        snapshot, earliest = in_force(self.snapshots, day)
        if snapshot is None:
            return InForce(day, None, False, {})
        if snapshot.id not in self._entries:
            self._entries[snapshot.id] = register_entries(self.conn, snapshot.id)
        return InForce(day, snapshot, earliest, self._entries[snapshot.id])


def _too_many_acceptances(count: int, name: str, report: ImportReport) -> bool:
    """Refuse an import past `limits.MAX_ACCEPTANCE_RECORDS_PER_IMPORT` acceptance records,
    naming the file that took it past and the count so far."""
    return report.reject_past_limit(
        name,
        count,
        limits.MAX_ACCEPTANCE_RECORDS_PER_IMPORT,
        f"this import holds {count:,} acceptance (BOALF) records up to this file; at most "
        f"{limits.MAX_ACCEPTANCE_RECORDS_PER_IMPORT:,} are imported at once (a GB day has "
        "3,000 to 10,000 acceptances): import fewer dates at a time",
    )


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


def _id_warnings(collector: Collector, records: DayRecords) -> list[DataWarning]:
    """R-REG-ID warnings of a date's records: one per file, unit and National Grid id."""
    out = []
    for key in records.id_warnings:
        file, _, ngc, reason = key
        place, count = collector.id_warnings[key]
        more = f" ({count:,} records of this file)" if count > 1 else ""
        out.append(
            DataWarning(ID_RULE, file, place.location, "nationalGridBmUnit", ngc, reason + more)
        )
    return out


# Two publications of one figure may differ in precision (the legacy SSP/SBP/NIV file gives
# NIV to 4 dp, DISEBSP in full): they agree within half a unit of the last decimal the coarser
# shows, and never more loosely than this (£0.005/MWh or 0.005 MWh).
PUBLISHED_TOLERANCE = 0.005


def _decimals(value: float) -> int:
    """Decimals the shortest repr of `value` shows (13.51 → 2, -1194.7878 → 4, 14.0 → 1)."""
    mantissa, _, exponent = repr(float(value)).lower().partition("e")
    digits = len(mantissa.partition(".")[2])
    return max(0, digits - int(exponent or 0))


def same_figure(a: float, b: float) -> bool:
    """One published figure at two precisions: within half a unit of the coarser's last
    decimal (capped at PUBLISHED_TOLERANCE); float noise aside."""
    if a == b:
        return True
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    shown = min(_decimals(a), _decimals(b))
    tolerance = min(0.5 * 10.0**-shown, PUBLISHED_TOLERANCE)
    return abs(a - b) <= tolerance * (1 + 1e-9) + 1e-12 * max(abs(a), abs(b))


def _same_published(stored: dict, new: dict) -> str | None:
    """The first field where a newly imported published figure differs from the stored one
    (both given), else None."""
    for name, value in new.items():
        old = stored.get(name)
        if value is None or old is None:
            continue
        if isinstance(value, float) or isinstance(old, float):
            if not same_figure(float(value), float(old)):
                return name
        elif value != old:
            return name
    return None


def _published_conflicts(
    records: DayRecords, old: dict, previous_label: str, report: ImportReport
) -> tuple[dict[str, dict], dict[str, set]]:
    """Published figures (system prices, stack) are immutable: one already stored for a
    period stays; a different value for it is an error naming both. Returns (the new ones, the
    keys of stored ones this import completes): a stored row agreeing with the new one gets the
    fields it lacks (None) from it, the figures it has stay as stored."""
    fresh: dict[str, dict] = {}
    filled: dict[str, set] = {}
    for table in PUBLISHED:
        stored = old.get(table, {})
        fresh[table], filled[table] = {}, set()
        for key, row in records.tables.get(table, {}).items():
            if key not in stored:
                fresh[table][key] = row
                continue
            changed = _same_published(stored[key], row)
            if changed is None:
                lacking = {
                    n: v for n, v in row.items() if v is not None and stored[key].get(n) is None
                }
                if lacking:
                    fresh[table][key] = stored[key] | lacking
                    filled[table].add(key)
                continue
            where = records.where[(table, key)]
            shown = ", ".join(f"{n}={v}" for n, v in zip(KEY_COLUMNS[table], key, strict=True))
            report.reject(
                where.file,
                where.location,
                changed,
                row[changed],
                f"conflicts with the published figure stored in run {previous_label} "
                f"({table.replace('_', ' ')} {shown}), which has {changed} = "
                f"{stored[key][changed]}: published figures are never replaced",
            )
    return fresh, filled


def _complete_published(
    conn: Connection, run_id: int, fresh: dict[str, dict], filled: dict[str, set]
) -> dict[str, int]:
    """Issue 15 item 5: published figures join the run they were published for: new periods
    are added, stored ones get the fields they lacked (their own figures stay)."""
    tables = {"published_price": SystemPriceResult, "published_stack": StackItemResult}
    for table, keys in filled.items():
        target = tables[table].__table__
        for key in keys:
            where = [target.c[c] == v for c, v in zip(KEY_COLUMNS[table], key, strict=True)]
            conn.execute(
                target.update()
                .where(target.c.run_id == run_id, target.c.origin == "published", *where)
                .values({c: v for c, v in fresh[table][key].items() if c not in KEY_COLUMNS[table]})
            )
    new = {t: {k: r for k, r in fresh[t].items() if k not in filled[t]} for t in PUBLISHED}
    counts = _write_published(conn, run_id, new)
    completed = sum(len(k) for k in filled.values())
    return counts | ({"published figures completed": completed} if completed else {})


def _write_published(conn: Connection, run_id: int, fresh: dict[str, dict]) -> dict[str, int]:
    prices = [
        r | {"origin": "published"} for r in rows_of("published_price", fresh["published_price"])
    ]
    bulk_insert(conn, SystemPriceResult.__table__, prices, {"run_id": run_id})
    stack = [
        r | {"origin": "published"} for r in rows_of("published_stack", fresh["published_stack"])
    ]
    bulk_insert(conn, StackItemResult.__table__, stack, {"run_id": run_id})
    counts = {"published prices": len(prices)} if prices else {}
    return counts | ({"published stack items": len(stack)} if stack else {})


def _write_day(
    conn: Connection,
    day: date,
    collector: Collector,
    run_type: RunType,
    register: _Register,
    report: ImportReport,
    files: list[str],
    base_id: int | None = None,
) -> tuple[DatePart, list[DataWarning]]:
    """The date's part of the import, built on `base_id` when one was chosen (attach_target),
    else on the date's latest run of the type."""
    records = collector.days[day]
    label = f"{day.isoformat()} {run_type.value}"
    # The run number is read before the run it follows: should another import commit a run of
    # the date in between, this one's insert meets its key and the import is made again
    # (import_files), instead of writing a second run of what the other just wrote.
    run_number = next_run_number(conn, day, run_type)
    previous = _PreviousRun.read(
        conn, base_id if base_id is not None else _latest_run(conn, day, run_type)
    )
    previous_id, old = previous.run_id, previous.tables
    fresh, filled = _published_conflicts(records, old, previous.label, report)
    merged = {
        t: {**old.get(t, {}), **(fresh[t] if t in PUBLISHED else records.tables.get(t, {}))}
        for t in KEY_COLUMNS
    }
    changed = [t for t in KEY_COLUMNS if merged[t] != old.get(t, {})]
    previous_units = {r["bm_unit_id"]: r for r in previous.carried.get("run_bm_unit", [])}
    in_force = register.in_force(day)
    # R-REG-DATED: a register in force on the date other than the one the previous run's units
    # were taken from is a change too: a new run carries everything forward with its units
    # taken from the snapshot now in force (runs are immutable, so the old one stays).
    restated = register_changed(previous_units, in_force)
    if report.rejected or (previous_id is not None and not changed and not restated):
        return DatePart(day.isoformat(), None, label, previous_id), []
    if previous_id is not None and not restated and set(changed) <= set(PUBLISHED):
        # Issue 15 item 5: published figures only: they join the run they were published for.
        counts = _complete_published(conn, previous_id, fresh, filled)
        attached = previous.label  # the run's own label: "#2" when it is not the first
        return DatePart(day.isoformat(), previous_id, attached, None, counts, attached=True), []
    unit_rows, unit_warnings = assumed_unit_rows(
        _units_of_day(records, merged),
        previous_units,
        previous.warnings,
        in_force,
        merged["physical_notification"],
    )
    if unit_rows and in_force.snapshot is not None:
        register.used.add(in_force.snapshot.id)
    # R-REG-DATED concerns BM units: a date holding none (prices only) has nothing to warn of.
    dated = in_force.warning() if unit_rows else None
    warnings = [w for w in (dated,) if w is not None] + unit_warnings
    warnings += [w for w in previous.warnings if w.rule == ID_RULE]
    warnings += _id_warnings(collector, records)
    dataset_columns = bm_columns(merged, records.where, report)
    if report.rejected:
        return DatePart(day.isoformat(), None, label, previous_id), []
    run_id, counts = _store_run(
        conn, day, run_type, previous, merged, dataset_columns, unit_rows, files, run_number
    )
    stored_warnings = write_run_warnings(conn, run_id, warnings)
    part = DatePart(day.isoformat(), run_id, label, previous_id, counts, warnings=stored_warnings)
    # The import's own warnings (reported, and refused by --strict): those the date's previous
    # run did not already list; carried ones are written with the new run all the same.
    listed = set(previous.warnings)
    return part, [w for w in warnings if w not in listed]


@dataclass(frozen=True)
class _PreviousRun:
    """The date's latest run of the run type, or nothing (run_id None, empty tables)."""

    run_id: int | None
    row: dict | None  # its settlement_run row
    tables: dict  # its keyed records by table
    carried: dict  # its rows of the tables carried as rows
    warnings: list[DataWarning]
    label: str

    @staticmethod
    def read(conn: Connection, run_id: int | None) -> _PreviousRun:
        if run_id is None:
            return _PreviousRun(None, None, {}, {}, [], "")
        row, tables, carried = read_previous(conn, run_id)
        return _PreviousRun(
            run_id,
            row,
            tables,
            carried,
            read_run_warnings(conn, run_id),
            get_run(conn, run_id, light=True).label,
        )


def _units_of_day(records: DayRecords, merged: dict) -> dict:
    """The units the date's records name, each where it came from (STORED when only the
    records carried forward from the previous run name it)."""
    units = dict(records.units)
    for table in (*BM_KINDS, "metered_volume", "balancing_services_volume"):
        for key in merged[table]:
            unit = key[1] if table == "physical_notification" else key[0]
            units.setdefault(unit, STORED)
    return units


def _store_run(
    conn: Connection,
    day: date,
    run_type: RunType,
    previous: _PreviousRun,
    merged: dict,
    dataset_columns: dict,
    unit_rows: list[dict],
    files: list[str],
    run_number: int,
) -> tuple[int, dict[str, int]]:
    """Write the new run (reusing the previous run's BM dataset when its BM data is the
    same), its parties and units, inputs and published figures; (run id, rows per table)."""
    source = "import: " + ", ".join(Path(f).name for f in files)
    if previous.row is not None and same_bm_data(previous.tables, merged):
        dataset_id = previous.row["bm_dataset_id"]
    else:
        dataset_id = create_bm_dataset_from_columns(conn, day, dataset_columns, source=source[:500])
    run_id = create_run(
        conn, day, run_type, bm_dataset_id=dataset_id, source=source[:500], run_number=run_number
    )
    parties = sorted({r["lead_party_id"] for r in unit_rows})
    if UNREGISTERED_PARTY in parties:
        ensure_unregistered_party(conn)
    ensure_units(conn, [r["bm_unit_id"] for r in unit_rows if not r["registered"]])
    names = dict(conn.execute(select(Party.id, Party.name).where(Party.id.in_(parties))).all())
    inputs = {t: rows_of(t, merged[t]) for t in RUN_KEYED}
    inputs |= {t: previous.carried.get(t, []) for t in CARRIED_AS_ROWS}
    inputs["run_bm_unit"] = unit_rows
    inputs["run_party"] = [{"party_id": p, "name": names.get(p, "")} for p in parties]
    written = write_inputs(conn, run_id, inputs)
    published = _write_published(conn, run_id, {t: merged[t] for t in PUBLISHED})
    finish_loading(conn, run_id)
    counts = {
        t: len(c["time_from" if "time_from" in c else "number"])
        for t, c in dataset_columns.items()
        if c and c.get("bm_unit_id")
    }
    counts |= {t: n for t, n in written.items() if n}
    counts |= published
    return run_id, counts


def _article(run_type: str) -> str:
    """ "an" before a run type said with a vowel sound (an SF, an R1, an RF), else "a"."""
    return "an" if run_type[:1] in "AEFHILMNORSX" else "a"
