"""Dated BM unit register snapshots (R-REG-DATED): store, find the one in force, history.

Each imported register is a snapshot with the date it is effective from. A settlement date
uses the latest snapshot effective on or before it; before every snapshot, the earliest (and
the caller warns). Snapshots disagreeing with each other is normal: registers change. The
`bm_unit` table stays the index of every unit the database knows (the target of run_bm_unit's
foreign key), holding the newest snapshot's word on each unit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, bindparam, select

from models.db.bulk import bulk_insert
from models.db.schema import (
    BmUnit,
    BmUnitRegisterEntry,
    BmUnitRegisterSnapshot,
    EnergyAccount,
    Party,
    RunBmUnit,
    SettlementRun,
)

SNAPSHOT = BmUnitRegisterSnapshot.__table__
ENTRY = BmUnitRegisterEntry.__table__
UNIT = BmUnit.__table__
PARTY = Party.__table__
REGISTER_COLUMNS = (
    "national_grid_id",
    "name",
    "bmu_type",
    "fuel_type",
    "lead_party_id",
    "pc_status",
    "trading_unit",
    "tlf",
    "gsp_group",
    "interconnector",
    "interconnector_id",
    "generation_capacity",
    "demand_capacity",
)
# R-REG-UNREGISTERED: the reserved party whose accounts carry the units no register lists.
UNREGISTERED_PARTY = "UNREGISTERED"
UNREGISTERED_NAME = "unregistered BM units"


@dataclass(frozen=True)
class RegisterSnapshot:
    """One imported register: in force from `effective_from` until the next snapshot's date."""

    id: int
    effective_from: date
    source: str
    imported_at: datetime  # UTC
    units: int

    @property
    def label(self) -> str:
        return f"snapshot {self.id} (effective {self.effective_from.isoformat()}, {self.source})"

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "effective_from": self.effective_from.isoformat(),
            "source": self.source,
            "imported_at": self.imported_at.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z"),
            "units": self.units,
        }


def _snapshot(row) -> RegisterSnapshot:
    return RegisterSnapshot(row.id, row.effective_from, row.source, row.imported_at, row.units)


def list_snapshots(conn: Connection) -> list[RegisterSnapshot]:
    """Every snapshot, by effective-from date, then id."""
    rows = conn.execute(select(SNAPSHOT).order_by(SNAPSHOT.c.effective_from, SNAPSHOT.c.id))
    return [_snapshot(r) for r in rows]


def in_force(snapshots: list[RegisterSnapshot], day: date) -> tuple[RegisterSnapshot | None, bool]:
    """R-REG-DATED over `snapshots` (ordered as list_snapshots): the latest effective on or
    before `day` (of two on one date, the later import); else the earliest, flagged True."""
    if not snapshots:
        return None, False
    chosen = None
    for snapshot in snapshots:
        if snapshot.effective_from <= day:
            chosen = snapshot
    if chosen is None:
        return snapshots[0], True
    return chosen, False


def snapshot_in_force(conn: Connection, day: date) -> tuple[RegisterSnapshot | None, bool]:
    """R-REG-DATED: the latest snapshot effective on or before `day`; if none is, the earliest,
    with True ("earliest used, warn"); (None, False) when the database has no snapshot."""
    return in_force(list_snapshots(conn), day)


def register_entries(conn: Connection, snapshot_id: int) -> dict[str, dict]:
    """A snapshot's units: unit id -> its register columns."""
    rows = conn.execute(
        select(ENTRY.c.bm_unit_id, *(ENTRY.c[c] for c in REGISTER_COLUMNS)).where(
            ENTRY.c.snapshot_id == snapshot_id
        )
    ).all()
    return {row[0]: dict(zip(REGISTER_COLUMNS, row[1:], strict=True)) for row in rows}


def unit_history(conn: Connection, unit_id: str) -> list[tuple[RegisterSnapshot, dict | None]]:
    """The unit as each snapshot gives it (None where a snapshot does not list it), in
    list_snapshots order."""
    rows = conn.execute(
        select(ENTRY.c.snapshot_id, *(ENTRY.c[c] for c in REGISTER_COLUMNS)).where(
            ENTRY.c.bm_unit_id == unit_id
        )
    ).all()
    found = {row[0]: dict(zip(REGISTER_COLUMNS, row[1:], strict=True)) for row in rows}
    return [(s, found.get(s.id)) for s in list_snapshots(conn)]


@dataclass(frozen=True)
class UnitInRun:
    """Which snapshot a run settled a unit with (None: not from a register, e.g. a case file)."""

    run_id: int
    run_label: str
    settlement_date: date
    register_snapshot_id: int | None
    registered: bool

    def as_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "run": self.run_label,
            "settlement_date": self.settlement_date.isoformat(),
            "register_snapshot_id": self.register_snapshot_id,
            "registered": self.registered,
        }


def unit_runs(conn: Connection, unit_id: str) -> list[UnitInRun]:
    """The runs holding the unit, with the snapshot each used, by date and run id."""
    run_unit = RunBmUnit.__table__
    run = SettlementRun.__table__
    rows = conn.execute(
        select(
            run.c.id,
            run.c.settlement_date,
            run.c.run_type,
            run.c.run_number,
            run_unit.c.register_snapshot_id,
            run_unit.c.registered,
        )
        .join(run, run.c.id == run_unit.c.run_id)
        .where(run_unit.c.bm_unit_id == unit_id)
        .order_by(run.c.settlement_date, run.c.id)
    ).all()
    return [
        UnitInRun(
            r.id,
            f"{r.settlement_date.isoformat()} {r.run_type}"
            + (f" #{r.run_number}" if r.run_number != 1 else ""),
            r.settlement_date,
            r.register_snapshot_id,
            bool(r.registered),
        )
        for r in rows
    ]


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def insert_snapshot(
    conn: Connection, effective_from: date, source: str, entries: dict[str, dict]
) -> int:
    """Write one snapshot with its entries (unit id -> register columns); return its id."""
    snapshot_id = int(
        conn.execute(
            SNAPSHOT.insert().values(
                effective_from=effective_from,
                source=source[:500],
                imported_at=_utc_now(),
                units=len(entries),
            )
        ).inserted_primary_key[0]
    )
    rows = [
        {"bm_unit_id": unit, **{c: row[c] for c in REGISTER_COLUMNS}}
        for unit, row in entries.items()
    ]
    bulk_insert(conn, ENTRY, rows, {"snapshot_id": snapshot_id})
    return snapshot_id


def entries_hash(entries: dict[str, dict]) -> str:
    """A digest of a snapshot's entries (unit id → register columns), the same for equal
    entries however they were read (numbers as floats, flags as bools)."""

    def canonical(value):
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return value
        return float(value)

    digest = hashlib.sha256()
    for unit in sorted(entries):
        row = entries[unit]
        digest.update(repr((unit, *(canonical(row[c]) for c in REGISTER_COLUMNS))).encode())
    return digest.hexdigest()


SAMPLE_UNITS = 64


def same_snapshot(
    conn: Connection, entries: dict[str, dict], effective_from: date | None
) -> RegisterSnapshot | None:
    """An existing snapshot holding exactly `entries` and effective from `effective_from`
    (any date when None: a file without a date of its own imported again). Only snapshots of
    that date and unit count are candidates; one query over a sample of units (every n-th)
    sets aside those that differ there, and the rest are compared by the hash of their
    entries."""
    query = select(SNAPSHOT).where(SNAPSHOT.c.units == len(entries))
    if effective_from is not None:
        query = query.where(SNAPSHOT.c.effective_from == effective_from)
    candidates = conn.execute(query.order_by(SNAPSHOT.c.effective_from, SNAPSHOT.c.id)).all()
    if not candidates:
        return None
    units = sorted(entries)
    sample = units[:: max(1, len(units) // SAMPLE_UNITS)]
    held: dict[int, dict[str, dict]] = {row.id: {} for row in candidates}
    for row in conn.execute(
        select(
            ENTRY.c.snapshot_id, ENTRY.c.bm_unit_id, *(ENTRY.c[c] for c in REGISTER_COLUMNS)
        ).where(ENTRY.c.snapshot_id.in_(list(held)), ENTRY.c.bm_unit_id.in_(sample))
    ).all():
        held[row[0]][row[1]] = dict(zip(REGISTER_COLUMNS, row[2:], strict=True))
    wanted_sample = entries_hash({u: entries[u] for u in sample})
    wanted = None
    for row in candidates:
        if entries_hash(held[row.id]) != wanted_sample:
            continue
        wanted = wanted or entries_hash(entries)
        if entries_hash(register_entries(conn, row.id)) == wanted:
            return _snapshot(row)
    return None


def ensure_parties(conn: Connection, parties: dict[str, str]) -> None:
    """Add missing parties (id -> name) with their P and C energy accounts; rename those whose
    name the newer source gives differently."""
    known = dict(conn.execute(select(PARTY.c.id, PARTY.c.name)).all())
    new = [{"id": p, "name": n} for p, n in parties.items() if p not in known]
    if new:
        conn.execute(PARTY.insert(), new)
        conn.execute(
            EnergyAccount.__table__.insert(),
            [{"party_id": p["id"], "account": a} for p in new for a in ("P", "C")],
        )
    renamed = [
        {"pid": p, "pname": n} for p, n in parties.items() if p in known and n and known[p] != n
    ]
    if renamed:
        conn.execute(
            PARTY.update().where(PARTY.c.id == bindparam("pid")).values(name=bindparam("pname")),
            renamed,
        )


def ensure_unregistered_party(conn: Connection) -> None:
    """R-REG-UNREGISTERED: the reserved party, created on demand with its P and C accounts."""
    exists = conn.execute(select(PARTY.c.id).where(PARTY.c.id == UNREGISTERED_PARTY)).first()
    if exists is None:
        ensure_parties(conn, {UNREGISTERED_PARTY: UNREGISTERED_NAME})


def refresh_unit_index(conn: Connection, new: list[int] | None = None) -> None:
    """bm_unit holds each unit as the newest snapshot listing it gives it (latest effective
    date, then latest import); units no snapshot lists (unregistered, case files) keep theirs.
    `new`: the snapshots just written; only their units can change, and only a snapshot
    ranked at or after the earliest of them can outrank it, so one query over those (a GB
    register's 5,000 units, not every snapshot's) finds each unit's newest word."""
    snapshots = list_snapshots(conn)
    if new is None:
        candidates, listed = [s.id for s in snapshots], None
    else:
        ranks = [n for n, s in enumerate(snapshots) if s.id in set(new)]
        if not ranks:
            return
        candidates, listed = [s.id for s in snapshots[min(ranks) :]], list(new)
    rank = {snapshot_id: n for n, snapshot_id in enumerate(candidates)}
    query = select(ENTRY.c.snapshot_id, ENTRY.c.bm_unit_id, *(ENTRY.c[c] for c in REGISTER_COLUMNS))
    query = query.where(ENTRY.c.snapshot_id.in_(candidates))
    if listed is not None:
        units = select(ENTRY.c.bm_unit_id).where(ENTRY.c.snapshot_id.in_(listed))
        query = query.where(ENTRY.c.bm_unit_id.in_(units))
    newest: dict[str, dict] = {}
    chosen: dict[str, int] = {}
    for row in conn.execute(query).all():
        if rank[row[0]] >= chosen.get(row[1], -1):
            chosen[row[1]] = rank[row[0]]
            newest[row[1]] = dict(zip(REGISTER_COLUMNS, row[2:], strict=True))
    known = {
        row[0]: dict(zip(REGISTER_COLUMNS, row[1:], strict=True))
        for row in conn.execute(select(UNIT.c.id, *(UNIT.c[c] for c in REGISTER_COLUMNS))).all()
    }
    parties = set(conn.execute(select(PARTY.c.id)).scalars())
    missing_parties = {
        row["lead_party_id"]: ""
        for row in newest.values()
        if row["lead_party_id"] and row["lead_party_id"] not in parties
    }
    if missing_parties:
        ensure_parties(conn, missing_parties)
    inserts = [{"id": u, **row} for u, row in newest.items() if u not in known]
    # Bound names differ from the column names, which SQLAlchemy reserves for the SET clause.
    updates = [
        {"uid": u, **{f"v_{c}": v for c, v in row.items()}}
        for u, row in newest.items()
        if u in known and known[u] != row
    ]
    bulk_insert(conn, UNIT, inserts)
    if updates:
        conn.execute(
            UNIT.update()
            .where(UNIT.c.id == bindparam("uid"))
            .values({c: bindparam(f"v_{c}") for c in REGISTER_COLUMNS}),
            updates,
        )


def national_grid_ids(conn: Connection, snapshot_id: int) -> dict[str, str | None]:
    """A snapshot's units: Elexon id -> National Grid id (None where it gives none)."""
    return dict(
        conn.execute(
            select(ENTRY.c.bm_unit_id, ENTRY.c.national_grid_id).where(
                ENTRY.c.snapshot_id == snapshot_id
            )
        ).all()
    )


def ensure_units(conn: Connection, units: list[str]) -> None:
    """Index rows for units no snapshot lists (R-REG-UNREGISTERED), so that runs can hold them."""
    known = set(conn.execute(select(UNIT.c.id)).scalars())
    new = [u for u in dict.fromkeys(units) if u not in known]
    if new:
        conn.execute(UNIT.insert(), [{"id": u, "name": "", "interconnector": False} for u in new])
