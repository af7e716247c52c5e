"""BM unit register imports (Insights reference, legacy CRA export): one snapshot per file.

R-REG-DATED: each register file is a snapshot with the date it is effective from: the CRA
export's own `Effective From` column, else the date given at import, else the import date
(said in a note). Within one file a unit has one set of values; two files may disagree (they
are two snapshots), which is normal.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Connection

from models.imports.report import ImportReport
from models.imports.typed import TypedBatch
from models.register.snapshots import (
    REGISTER_COLUMNS,
    RegisterSnapshot,
    ensure_parties,
    insert_snapshot,
    refresh_unit_index,
    same_snapshot,
)

__all__ = [
    "REGISTER_COLUMNS",
    "RegisterFile",
    "WrittenRegister",
    "collect_registers",
    "decide_dates",
    "write_registers",
]


@dataclass
class RegisterFile:
    """One register file's units and lead parties, and the date it is effective from."""

    file: str
    units: dict[str, dict] = field(default_factory=dict)
    parties: dict[str, str] = field(default_factory=dict)
    stated_dates: Counter = field(default_factory=Counter)  # the file's own effective dates
    effective_from: date | None = None  # decided by `decide_dates`
    dated_by: str = ""  # "file", "--effective-from" or "import date"


def collect_registers(batches: list[TypedBatch], report: ImportReport) -> list[RegisterFile]:
    """The register files of an import, in the order given, each checked record by record."""
    files: dict[str, RegisterFile] = {}
    where: dict[tuple[str, str], str] = {}
    skipped = Counter()
    for batch in batches:
        name = batch.batch.file
        register = files.setdefault(name, RegisterFile(name))
        v = batch.values
        dates = v.get("effective_from", [None] * batch.size)
        for i in range(batch.size):
            if not batch.ok[i]:
                continue
            unit = v["bm_unit"][i]
            if unit is None:
                skipped[name] += 1
                continue
            pc = v["pc_flag"][i]
            if pc is not None and pc not in ("P", "C"):
                batch.reject(report, i, "productionOrConsumptionFlag", pc, "expected P or C")
                continue
            bmu_type = v["bmu_type"][i]
            if bmu_type is not None and len(bmu_type) > 2:
                batch.reject(report, i, "bmUnitType", bmu_type, "expected a one-letter type")
                continue
            interconnector_id = v["interconnector_id"][i]
            row = {
                "national_grid_id": v["national_grid_bm_unit"][i],
                "name": v["name"][i] or "",
                "bmu_type": bmu_type,
                "fuel_type": v.get("fuel_type", [None] * batch.size)[i],
                "lead_party_id": v["lead_party_id"][i],
                "pc_status": pc,
                "trading_unit": v.get("trading_unit", [None] * batch.size)[i],
                "tlf": v["tlf"][i],
                "gsp_group": v["gsp_group"][i],
                "interconnector": bool(interconnector_id) or bmu_type == "I",
                "interconnector_id": interconnector_id,
                "generation_capacity": v["generation_capacity"][i],
                "demand_capacity": v["demand_capacity"][i],
            }
            units = register.units
            if unit in units and units[unit] != row:
                changed = next(k for k in row if row[k] != units[unit][k])
                batch.reject(
                    report,
                    i,
                    changed,
                    row[changed],
                    f"{unit} is already registered by {where[(name, unit)]} of the same file "
                    f"with {changed} = {units[unit][changed]}: one register gives a unit once",
                )
                continue
            units[unit] = row
            where[(name, unit)] = batch.batch.locate(i)
            if dates[i] is not None:
                register.stated_dates[dates[i]] += 1
            party = v["lead_party_id"][i]
            if party:
                register.parties.setdefault(party, v["lead_party_name"][i] or "")
    for file, count in skipped.items():
        report.notes.append(
            f"{file}: {count} register row(s) without an Elexon BM unit id were skipped "
            "(they cannot be matched to settlement data)"
        )
    return [r for r in files.values() if r.units]


def decide_dates(registers: list[RegisterFile], given: date | None, report: ImportReport) -> None:
    """R-REG-DATED: the file's own effective date, else `given` (--effective-from), else
    today (UTC), each said in a note where it is not the file's own."""
    today = datetime.now(UTC).date()
    for register in registers:
        if register.stated_dates:
            # A CRA export states one date on every row; should rows differ, the export as a
            # whole describes the register from its latest date on.
            register.effective_from = max(register.stated_dates)
            register.dated_by = "Effective From column"
            if len(register.stated_dates) > 1:
                shown = ", ".join(d.isoformat() for d in sorted(register.stated_dates))
                report.notes.append(
                    f"{register.file}: rows are effective from several dates ({shown}); "
                    f"the snapshot is taken as effective from the latest, "
                    f"{register.effective_from.isoformat()}"
                )
            if given is not None and given != register.effective_from:
                report.notes.append(
                    f"{register.file}: effective from {register.effective_from.isoformat()} "
                    f"as its Effective From column says; --effective-from {given.isoformat()} "
                    "applies to registers without one"
                )
        elif given is not None:
            register.effective_from, register.dated_by = given, "--effective-from"
        else:
            register.effective_from, register.dated_by = today, "import date"
            report.notes.append(
                f"{register.file}: the register states no effective date; taken as effective "
                f"from today, {today.isoformat()} (give --effective-from DATE to date it)"
            )


@dataclass(frozen=True)
class WrittenRegister:
    """What became of one register file: a new snapshot, or an identical one already held."""

    file: str
    snapshot_id: int
    effective_from: date
    units: int
    new: bool


def write_registers(conn: Connection, registers: list[RegisterFile]) -> list[WrittenRegister]:
    """Store each register file as a snapshot (unless an identical one is held) and refresh
    the unit index; lead parties are added or renamed."""
    written = []
    for register in registers:
        ensure_parties(conn, register.parties)
        # A file dated only by the import date is the same register imported again if its
        # entries equal a held snapshot's, whatever date that one was given.
        match_date = None if register.dated_by == "import date" else register.effective_from
        existing: RegisterSnapshot | None = same_snapshot(conn, register.units, match_date)
        if existing is not None:
            written.append(
                WrittenRegister(
                    register.file, existing.id, existing.effective_from, existing.units, False
                )
            )
            continue
        source = f"{register.file} (effective date: {register.dated_by})"
        snapshot_id = insert_snapshot(conn, register.effective_from, source, register.units)
        written.append(
            WrittenRegister(
                register.file, snapshot_id, register.effective_from, len(register.units), True
            )
        )
    if any(w.new for w in written):
        refresh_unit_index(conn, [w.snapshot_id for w in written if w.new])
    return written
