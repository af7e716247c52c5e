"""A live message's records appended to the live run of their settlement date, in the caller's
transaction: the cost is that of the message, not of the day it joins.

The records are read, typed and checked by the import framework (models.imports: formats,
typed, collect), as a file of them would be, then written where they belong:
- BM data (PN, QPN, MELS, MILS, BOD, BOALF): only the groups the message touches are read back
  and written again (a unit's notification of one kind, a unit's pair in a period, one
  acceptance with its levels): a record replaces the stored one with its key, the group is
  renumbered (profiles, seq) and checked for overlaps as an import would;
- per-period inputs (DISBSAD, MID, LoLP, price adjustments): replaced key by key;
- published figures (DISEBSP, stack): added beside the run's own, never replaced (an import's
  rule, models.imports.loader);
- the BM units the message names: their run_bm_unit rows derived again from the register in
  force and, for a unit the register leaves something out of, its FPN over the day
  (R-REG-DATED, R-REG-UNREGISTERED), with their warnings.
The same records imported as files make the same run: the live tests compare them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, func, select, tuple_

from models.core import limits
from models.db.bulk import bulk_insert, bulk_insert_columns
from models.db.schema import (
    Party,
    RunBmUnit,
    RunParty,
    RunWarning,
    StackItemResult,
    SystemPriceResult,
)
from models.imports.assemble import PUBLISHED_STACK_COLUMNS, bm_columns, rows_of
from models.imports.collect import KEY_COLUMNS, PUBLISHED_PRICE_COLUMNS, Collector, DayRecords
from models.imports.formats import read_text
from models.imports.loader import _complete_published, _id_warnings, _published_conflicts
from models.imports.report import ImportRejected, ImportReport
from models.imports.resolve import UnitResolver
from models.imports.typed import TypedBatch, type_batch
from models.imports.units import InForce, unit_rows
from models.live.live_run import latest_loaded, live_run, open_live_run
from models.register.snapshots import (
    UNREGISTERED_PARTY,
    RegisterSnapshot,
    ensure_units,
    ensure_unregistered_party,
    in_force,
    list_snapshots,
    national_grid_ids,
    register_entries,
)
from models.runs.run_store import BM_TABLES_BY_NAME, INPUT_TABLES_BY_NAME, delete_run
from models.runs.run_warnings import DataWarning

# The rows a BM record's group holds: rewritten together when one of them arrives.
GROUPS = {
    "physical_notification": ("notification", "bm_unit_id"),  # profiles and seq over the day
    "bid_offer": ("bm_unit_id", "period", "pair"),
    "acceptance": ("bm_unit_id", "number"),
    "acceptance_level": ("bm_unit_id", "number"),
}
# Deleted levels first (their header's delete would cascade), written headers first.
DELETE_ORDER = ("acceptance_level", "acceptance", "bid_offer", "physical_notification")
RUN_KEYED = (
    "metered_volume",
    "balancing_services_volume",
    "bsad_action",
    "price_adjustment",
    "market_index",
    "lolp",
)
PUBLISHED = {"published_price": PUBLISHED_PRICE_COLUMNS, "published_stack": PUBLISHED_STACK_COLUMNS}
IGNORED = {"run_id", "dataset_id", "seq", "profile"}
CHUNK = 300  # keys per IN (…) list: well inside every backend's limit of bound parameters
UNIT_FIELD = "bmUnit"  # the field of a per-unit warning (models.imports.units)


@dataclass
class RegisterCache:
    """The register snapshots' National Grid ids and entries, read once per listener: a
    snapshot never changes once written (a new register is a new snapshot)."""

    ids: dict[RegisterSnapshot, dict] = field(default_factory=dict)
    entries: dict[RegisterSnapshot, dict] = field(default_factory=dict)

    def resolver(self, conn: Connection, snapshots: list[RegisterSnapshot]) -> UnitResolver:
        by_id = {s.id: s for s in snapshots}

        def ids(snapshot_id: int) -> dict:
            snapshot = by_id[snapshot_id]
            if snapshot not in self.ids:
                self.ids[snapshot] = national_grid_ids(conn, snapshot_id)
            return self.ids[snapshot]

        return UnitResolver(snapshots, ids)

    def in_force(self, conn: Connection, snapshots: list[RegisterSnapshot], day: date) -> InForce:
        snapshot, earliest = in_force(snapshots, day)
        if snapshot is None:
            return InForce(day, None, False, {})
        if snapshot not in self.entries:
            self.entries[snapshot] = register_entries(conn, snapshot.id)
        return InForce(day, snapshot, earliest, self.entries[snapshot])


@dataclass(frozen=True)
class Appended:
    """What a message came to: the live runs written to, records read, datasets they were."""

    run_ids: tuple[int, ...]
    records: int
    datasets: frozenset[str]


def read_message(name: str, body: str, report: ImportReport) -> list[TypedBatch]:
    """The message's body read and typed as a file of the import framework named `name` (its
    formats tell the dataset from the records), within the size of a file; problems go to
    `report`."""
    size = len(body.encode("utf-8"))
    if size > limits.MAX_FILE_BYTES:
        report.reject(
            name, "", "", None,
            f"the message holds {size:,} bytes; at most {limits.MAX_FILE_BYTES:,} are read "
            "from one message",
        )  # fmt: skip
        return []
    return [type_batch(b, report) for b in read_text(body.lstrip("\ufeff"), name, report)]


def append_message(
    conn: Connection, name: str, body: str, cache: RegisterCache, check=None
) -> Appended:
    """Append a message's records to their dates' live runs (opened when needed); raise
    ImportRejected (the caller's transaction then rolls back) naming what is wrong. `check`,
    given the typed batches before anything is written, may refuse them by raising."""
    report = ImportReport()
    typed = read_message(name, body, report)
    if report.rejected:
        raise ImportRejected(report)
    if check is not None:
        check(typed)
    snapshots = list_snapshots(conn)
    collector = Collector(report, cache.resolver(conn, snapshots))
    for batch in typed:
        collector.add(batch)
    if report.rejected:
        raise ImportRejected(report)
    runs = []
    for day in sorted(collector.days):
        if day not in collector.anchored and not _has_run(conn, day):
            continue  # only the ends of segments past midnight: as an import, not stored
        records = collector.days[day]
        run_id, opened = _published_only_run(conn, day, records), False
        changed = False
        if run_id is None:
            run_id, dataset_id, opened = open_live_run(conn, day)
            changed |= _append_bm(conn, dataset_id, records, report)
            changed |= _append_run_keyed(conn, run_id, records)
            in_force = cache.in_force(conn, snapshots, day)
            changed |= _append_units(conn, run_id, dataset_id, records, in_force)
            _append_warnings(conn, run_id, _id_warnings(collector, records))
        changed |= _append_published(conn, run_id, records, report)
        if opened and not changed:
            # Nothing new for a closed day (a late repeat under another id): no new run.
            delete_run(conn, run_id)
        elif changed:
            runs.append(run_id)
    return Appended(
        tuple(runs), sum(b.batch.size for b in typed), frozenset(b.dataset.name for b in typed)
    )


def _has_run(conn: Connection, day: date) -> bool:
    return live_run(conn, day) is not None or latest_loaded(conn, day) is not None


def _published_only_run(conn: Connection, day: date, records: DayRecords) -> int | None:
    """A message of published figures only, for a date without an open live run, joins the
    date's closed II run (published figures join the run they were published for, as an
    import's do): no new run for them. None otherwise."""
    if any(records.tables.get(t) for t in KEY_COLUMNS if t not in PUBLISHED):
        return None
    return None if live_run(conn, day) is not None else latest_loaded(conn, day)


def _chunks(items: Iterable) -> Iterable[list]:
    items = sorted(items)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _matching(table, columns: tuple[str, ...], keys: list[tuple]):
    if len(columns) == 1:
        return table.c[columns[0]].in_([k[0] for k in keys])
    return tuple_(*(table.c[c] for c in columns)).in_(keys)


def _stored(conn: Connection, table, owner: str, owner_id: int, groups, group_columns) -> dict:
    """The stored records of `groups` (values of `group_columns`) keyed as collect keys them."""
    keys = KEY_COLUMNS[table.name]
    values = [c.name for c in table.columns if c.name not in keys and c.name not in IGNORED]
    out = {}
    for chunk in _chunks(groups):
        query = select(*(table.c[c] for c in (*keys, *values))).where(
            table.c[owner] == owner_id, _matching(table, group_columns, chunk)
        )
        for row in conn.execute(query):
            out[tuple(row[: len(keys)])] = dict(zip(values, row[len(keys) :], strict=True))
    return out


def _delete(conn: Connection, table, owner: str, owner_id: int, groups, group_columns) -> None:
    for chunk in _chunks(groups):
        conn.execute(
            table.delete().where(table.c[owner] == owner_id, _matching(table, group_columns, chunk))
        )


def _append_bm(conn: Connection, dataset_id: int, records: DayRecords, report) -> bool:
    """The touched groups of each BM table, read back, merged, renumbered and rewritten;
    whether anything changed."""
    groups = {
        name: {key[: len(columns)] for key in records.tables.get(name, {})}
        for name, columns in GROUPS.items()
    }
    # An acceptance's header and levels are rewritten together (deleting a header cascades).
    both = groups["acceptance"] | groups["acceptance_level"]
    groups["acceptance"] = groups["acceptance_level"] = both
    stored, merged = {}, {}
    for name, touched in groups.items():
        if touched:
            table = BM_TABLES_BY_NAME[name]
            stored[name] = _stored(conn, table, "dataset_id", dataset_id, touched, GROUPS[name])
            merged[name] = stored[name] | records.tables.get(name, {})
    changed = {name for name in merged if merged[name] != stored[name]}
    if changed & {"acceptance", "acceptance_level"}:
        changed |= {"acceptance", "acceptance_level"}
    if not changed:
        return False
    columns = bm_columns({name: merged[name] for name in changed}, records.where, report)
    if report.rejected:  # an overlapping profile, mixed prices of a pair
        raise ImportRejected(report)
    for name in DELETE_ORDER:
        if name in changed:
            table = BM_TABLES_BY_NAME[name]
            _delete(conn, table, "dataset_id", dataset_id, groups[name], GROUPS[name])
    for name in reversed(DELETE_ORDER):
        if name in changed:
            table = BM_TABLES_BY_NAME[name]
            bulk_insert_columns(conn, table, columns[name], {"dataset_id": dataset_id})
    return True


def _append_run_keyed(conn: Connection, run_id: int, records: DayRecords) -> bool:
    """Per-period inputs, replaced key by key; whether any changed."""
    written = False
    for name in RUN_KEYED:
        new = records.tables.get(name)
        if not new:
            continue
        table, keys = INPUT_TABLES_BY_NAME[name], KEY_COLUMNS[name]
        stored = _stored(conn, table, "run_id", run_id, set(new), keys)
        changed = {key: row for key, row in new.items() if stored.get(key) != row}
        _delete(conn, table, "run_id", run_id, [k for k in changed if k in stored], keys)
        written |= bulk_insert(conn, table, rows_of(name, changed), {"run_id": run_id}) > 0
    return written


def _append_published(conn: Connection, run_id: int, records: DayRecords, report) -> bool:
    """Published figures beside the run's own: new periods added, a stored one completed with
    the fields it lacked, a different figure for a stored one refused (as an import does);
    whether any was written."""
    periods = {key[0] for table in PUBLISHED for key in records.tables.get(table, {})}
    if not periods:
        return False
    old = {}
    for name, model in (
        ("published_price", SystemPriceResult),
        ("published_stack", StackItemResult),
    ):
        table, keys = model.__table__, KEY_COLUMNS[name]
        query = select(*(table.c[c] for c in (*keys, *PUBLISHED[name]))).where(
            table.c.run_id == run_id, table.c.origin == "published", table.c.period.in_(periods)
        )
        old[name] = {
            tuple(r[: len(keys)]): dict(zip(PUBLISHED[name], r[len(keys) :], strict=True))
            for r in conn.execute(query)
        }
    fresh, filled = _published_conflicts(records, old, f"run {run_id}", report)
    if report.rejected:
        raise ImportRejected(report)
    return bool(_complete_published(conn, run_id, fresh, filled))


def _append_units(
    conn: Connection, run_id: int, dataset_id: int, records: DayRecords, in_force: InForce
) -> bool:
    """The run_bm_unit rows of the units the message names, derived again (their FPN may have
    changed), their parties, and their per-unit warnings; whether a row changed."""
    units = records.units
    if not units:
        return False
    unit_table = RunBmUnit.__table__
    listed = [(u,) for u in units]
    previous = {}
    for chunk in _chunks(listed):
        query = (
            select(unit_table)
            .where(unit_table.c.run_id == run_id)
            .where(unit_table.c.bm_unit_id.in_([u for (u,) in chunk]))
        )
        for row in conn.execute(query).mappings():
            previous[row["bm_unit_id"]] = {k: v for k, v in row.items() if k != "run_id"}
    carried = _unit_warnings(conn, run_id, listed)
    physical = _stored(
        conn,
        BM_TABLES_BY_NAME["physical_notification"],
        "dataset_id",
        dataset_id,
        [("FPN", u) for u in units],
        GROUPS["physical_notification"],
    )
    rows, warnings = unit_rows(units, previous, [w for _, w in carried], in_force, physical)
    changed = [r for r in rows if previous.get(r["bm_unit_id"]) != r]
    if changed:
        _write_units(
            conn,
            run_id,
            changed,
            [(r["bm_unit_id"],) for r in changed if r["bm_unit_id"] in previous],
        )
    warning_table = RunWarning.__table__
    if carried:
        conn.execute(
            warning_table.delete().where(
                warning_table.c.run_id == run_id,
                warning_table.c.seq.in_([seq for seq, _ in carried]),
            )
        )
    dated = in_force.warning()
    _append_warnings(conn, run_id, ([dated] if dated else []) + warnings)
    return bool(changed)


def _write_units(conn: Connection, run_id: int, rows: list[dict], replaced: list[tuple]) -> None:
    unit_table, party_table = RunBmUnit.__table__, RunParty.__table__
    _delete(conn, unit_table, "run_id", run_id, replaced, ("bm_unit_id",))
    parties = sorted({r["lead_party_id"] for r in rows})
    if UNREGISTERED_PARTY in parties:
        ensure_unregistered_party(conn)
    unregistered = [r["bm_unit_id"] for r in rows if not r["registered"]]
    if unregistered:
        ensure_units(conn, unregistered)
    bulk_insert(conn, unit_table, rows, {"run_id": run_id})
    present = set(
        conn.execute(
            select(party_table.c.party_id).where(
                party_table.c.run_id == run_id, party_table.c.party_id.in_(parties)
            )
        ).scalars()
    )
    missing = [p for p in parties if p not in present]
    if missing:
        names = dict(conn.execute(select(Party.id, Party.name).where(Party.id.in_(missing))).all())
        new = [{"party_id": p, "name": names.get(p, "")} for p in missing]
        bulk_insert(conn, party_table, new, {"run_id": run_id})


def _unit_warnings(
    conn: Connection, run_id: int, units: list[tuple]
) -> list[tuple[int, DataWarning]]:
    """(seq, warning) of the run's per-unit warnings of `units`."""
    table = RunWarning.__table__
    columns = _warning_columns(table)
    out = []
    for chunk in _chunks(units):
        query = select(table.c.seq, *columns).where(
            table.c.run_id == run_id,
            table.c.field == UNIT_FIELD,
            table.c.value.in_([u for (u,) in chunk]),
        )
        out += [(row[0], DataWarning(*row[1:])) for row in conn.execute(query)]
    return sorted(out, key=lambda item: item[0])


def _warning_columns(table) -> tuple:
    """A run_warning row's columns in DataWarning's order."""
    return tuple(table.c[n] for n in ("rule", "file", "location", "field", "value", "reason"))


def _append_warnings(conn: Connection, run_id: int, warnings: list[DataWarning]) -> None:
    """Warnings the run does not list yet, after those it does."""
    if not warnings:
        return
    table = RunWarning.__table__
    rules = {w.rule for w in warnings}
    stored = conn.execute(
        select(*_warning_columns(table)).where(table.c.run_id == run_id, table.c.rule.in_(rules))
    )
    known = {DataWarning(*row) for row in stored}
    new = [w for w in dict.fromkeys(warnings) if w not in known]
    if not new:
        return
    last = conn.execute(select(func.max(table.c.seq)).where(table.c.run_id == run_id)).scalar()
    rows = [
        {
            "seq": seq,
            "rule": w.rule,
            "file": w.file[:500],
            "location": w.location[:200],
            "field": w.field[:64],
            "value": w.value,
            "reason": w.reason,
        }
        for seq, w in enumerate(new, start=(last or 0) + 1)
    ]
    bulk_insert(conn, table, rows, {"run_id": run_id})
