"""BM unit register imports (Insights reference, legacy CRA export) and register lookups."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Connection, bindparam, select

from models.imports.report import ImportReport
from models.imports.typed import TypedBatch
from models.schema import BmUnit, EnergyAccount, Party

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


def read_register(conn: Connection) -> dict[str, dict]:
    """The database's BM unit register: unit id -> its columns."""
    rows = conn.execute(select(UNIT)).mappings()
    return {row["id"]: {c: row[c] for c in REGISTER_COLUMNS} for row in rows}


def collect_register(
    batches: list[TypedBatch], report: ImportReport
) -> tuple[dict[str, dict], dict[str, str]]:
    """(unit id -> register columns, party id -> name) from register batches."""
    units: dict[str, dict] = {}
    where: dict[str, str] = {}
    parties: dict[str, str] = {}
    skipped = Counter()
    for batch in batches:
        v = batch.values
        for i in range(batch.size):
            if not batch.ok[i]:
                continue
            unit = v["bm_unit"][i]
            if unit is None:
                skipped[batch.batch.file] += 1
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
            location = f"{batch.batch.file}, {batch.batch.locate(i)}"
            if unit in units and units[unit] != row:
                changed = next(k for k in row if row[k] != units[unit][k])
                batch.reject(
                    report,
                    i,
                    changed,
                    row[changed],
                    f"{unit} is already registered by {where[unit]} with {changed} = "
                    f"{units[unit][changed]}: import one register at a time",
                )
                continue
            units[unit], where[unit] = row, location
            party = v["lead_party_id"][i]
            if party:
                parties.setdefault(party, v["lead_party_name"][i] or "")
    for file, count in skipped.items():
        report.notes.append(
            f"{file}: {count} register row(s) without an Elexon BM unit id were skipped "
            "(they cannot be matched to settlement data)"
        )
    return units, parties


def _differs(stored: dict, row: dict) -> bool:
    return any(stored[c] != row[c] for c in REGISTER_COLUMNS)


def write_register(conn: Connection, units: dict[str, dict], parties: dict[str, str]) -> None:
    """Add or update register entries (the newest import wins) and their lead parties."""
    known_parties = dict(conn.execute(select(PARTY.c.id, PARTY.c.name)).all())
    new_parties = [{"id": p, "name": n} for p, n in parties.items() if p not in known_parties]
    if new_parties:
        conn.execute(PARTY.insert(), new_parties)
        conn.execute(
            EnergyAccount.__table__.insert(),
            [{"party_id": p["id"], "account": a} for p in new_parties for a in ("P", "C")],
        )
    renamed = [
        {"pid": p, "pname": n}
        for p, n in parties.items()
        if p in known_parties and n and known_parties[p] != n
    ]
    if renamed:
        conn.execute(
            PARTY.update().where(PARTY.c.id == bindparam("pid")).values(name=bindparam("pname")),
            renamed,
        )
    known_units = read_register(conn)
    inserts = [{"id": u, **row} for u, row in units.items() if u not in known_units]
    # Bound names differ from the column names, which SQLAlchemy reserves for the SET clause.
    updates = [
        {"uid": u, **{f"v_{c}": v for c, v in row.items()}}
        for u, row in units.items()
        if u in known_units and _differs(known_units[u], row)
    ]
    if inserts:
        conn.execute(UNIT.insert(), inserts)
    if updates:
        conn.execute(
            UNIT.update()
            .where(UNIT.c.id == bindparam("uid"))
            .values({c: bindparam(f"v_{c}") for c in REGISTER_COLUMNS}),
            updates,
        )
