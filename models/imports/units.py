"""The BM units of an imported run: attributes from the register in force, or assumed.

R-REG-DATED: a date's units take their lead party, P/C status, Trading Unit and TLF from the
snapshot in force on it. R-REG-UNREGISTERED: a unit that snapshot does not list is settled as
unregistered: party UNREGISTERED, TLF 0, production or consumption from the sign of its FPN
over the day, its own Trading Unit, registered = False. A listed unit the register gives no
lead party, P/C flag or TLF gets the same defaults for what is missing. Each such unit is one
warning, kept with the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from engine.settlement_calendar import PERIOD_SECONDS, local_midnight_utc, periods_in_day
from models.imports.collect import STORED, Place
from models.register.snapshots import UNREGISTERED_PARTY, RegisterSnapshot
from models.runs.run_warnings import DataWarning

DATED, UNREGISTERED = "R-REG-DATED", "R-REG-UNREGISTERED"


@dataclass(frozen=True)
class InForce:
    """The register a date settles with (R-REG-DATED)."""

    day: date
    snapshot: RegisterSnapshot | None
    earliest: bool  # no snapshot is effective on or before the date: the earliest is used
    entries: dict[str, dict]

    @property
    def snapshot_id(self) -> int | None:
        return self.snapshot.id if self.snapshot else None

    def warning(self) -> DataWarning | None:
        if self.snapshot is None:
            return DataWarning(
                DATED,
                "",
                "",
                "settlementDate",
                self.day.isoformat(),
                "the database holds no BM unit register: every BM unit of the date is settled "
                "as unregistered (import a register with --effective-from, or the CRA export)",
            )
        if self.earliest:
            s = self.snapshot
            # The date is the place: the snapshot's file need not be part of this import.
            return DataWarning(
                DATED,
                "",
                f"settlement date {self.day.isoformat()}",
                "settlementDate",
                self.day.isoformat(),
                f"no register snapshot is effective on or before {self.day.isoformat()}: the "
                f"earliest, snapshot {s.id} (effective {s.effective_from.isoformat()}), was used "
                f"({s.source})",
            )
        return None


def fpn_energy(physical: dict[tuple, dict], units: set[str], day: date) -> dict[str, float]:
    """MW·s of each unit's FPN within the settlement day (segments cut at its edges)."""
    start = int(local_midnight_utc(day).timestamp())
    end = start + PERIOD_SECONDS * periods_in_day(day)
    energy = dict.fromkeys(units, 0.0)
    for (kind, unit, t0), values in physical.items():
        if kind != "FPN" or unit not in energy:
            continue
        t1, l0, l1 = values["time_to"], values["level_from"], values["level_to"]
        a, b = max(t0, start), min(t1, end)
        if b <= a:
            continue
        slope = (l1 - l0) / (t1 - t0)
        energy[unit] += (l0 + slope * (a - t0) + l0 + slope * (b - t0)) / 2 * (b - a)
    return energy


def _pc_from_fpn(energy: float | None) -> tuple[str, str]:
    """R-REG-UNREGISTERED: P when the unit's FPN over the day exports (or is zero), else C."""
    if energy is None or energy == 0:
        return "P", "production (its FPN over the day is zero or absent)"
    mwh = energy / 3600
    if energy > 0:
        return "P", f"production (its FPN over the day exports {mwh:,.3f} MWh)"
    return "C", f"consumption (its FPN over the day imports {-mwh:,.3f} MWh)"


def _kept(previous: dict | None, in_force: InForce) -> bool:
    """A carried-forward unit keeps its row when it came from no register at all while
    registered (a case file's unit), or from the snapshot still in force with the register's
    own P/C flag. An unregistered unit, or a registered one whose P/C came from its FPN, is
    derived again: its FPN over the day changes as the date's PN arrive
    (R-REG-UNREGISTERED)."""
    if previous is None:
        return False
    snapshot = previous.get("register_snapshot_id")
    registered = previous.get("registered", True)
    if snapshot is None and registered:
        return True
    if snapshot != in_force.snapshot_id or not registered:
        return False
    entry = in_force.entries.get(previous["bm_unit_id"])
    return entry is not None and entry["pc_status"] is not None


def register_changed(previous_units: dict[str, dict], in_force: InForce) -> bool:
    """R-REG-DATED: some unit of the date's previous run was taken from another register than
    the one now in force (so a new run must take them from it)."""
    for row in previous_units.values():
        snapshot = row.get("register_snapshot_id")
        if snapshot is None and row.get("registered", True):
            continue  # not from a register at all (a case file's unit)
        if snapshot != in_force.snapshot_id:
            return True
    return False


def is_interconnector_id(unit: str) -> bool:
    """An unregistered unit is an interconnector BM unit when its Elexon id says so (`I_…`,
    rulebook §1): interconnector units have TLM = 1 whatever TLF a register gives (R-TLM,
    confirmed), so an unknown `I_` unit must not share the losses of GB units."""
    return unit.startswith("I_")


def unit_warning_of(warning: DataWarning) -> str | None:
    """The unit a per-unit warning concerns (field bmUnit), else None."""
    return warning.value if warning.field == "bmUnit" else None


def _where(place: Place, carried: list[DataWarning]) -> tuple[str, str]:
    """Where a unit's warning points: its record in this import, else (a unit carried forward
    and derived again) where its earlier warning pointed."""
    if place is STORED and carried:
        return carried[0].file, carried[0].location
    return place.file, place.location


def _unregistered(file: str, location: str, unit: str, reason: str) -> DataWarning:
    """An UNREGISTERED warning on a unit's bmUnit."""
    return DataWarning(UNREGISTERED, file, location, "bmUnit", unit, reason)


def unit_rows(
    units: dict[str, Place],
    previous_units: dict[str, dict],
    previous_warnings: list[DataWarning],
    in_force: InForce,
    physical: dict[tuple, dict],
) -> tuple[list[dict], list[DataWarning]]:
    """(run_bm_unit rows, their warnings) of a date's units, in unit order."""
    carried = _warnings_by_unit(previous_warnings)
    entries = in_force.entries
    derived = [u for u in units if not _kept(previous_units.get(u), in_force)]
    needs_fpn = {u for u in derived if u not in entries or entries[u]["pc_status"] is None}
    energy = fpn_energy(physical, needs_fpn, in_force.day) if needs_fpn else {}
    rows, warnings = [], []
    for unit in sorted(units):
        previous = previous_units.get(unit)
        if _kept(previous, in_force):
            rows.append(previous)
            warnings += carried.get(unit, [])
            continue
        file, location = _where(units[unit], carried.get(unit, []))
        entry = entries.get(unit)
        if entry is None:
            row, reason = _unlisted_unit_row(unit, energy.get(unit), in_force)
        else:
            row, reason = _listed_unit_row(unit, entry, energy.get(unit), in_force)
        rows.append(row)
        if reason is not None:
            warnings.append(_unregistered(file, location, unit, reason))
    return rows, warnings


def _warnings_by_unit(warnings: list[DataWarning]) -> dict[str, list[DataWarning]]:
    """The per-unit warnings of the previous run, by unit, in their order."""
    carried: dict[str, list[DataWarning]] = {}
    for w in warnings:
        unit = unit_warning_of(w)
        if unit is not None:
            carried.setdefault(unit, []).append(w)
    return carried


def _register_named(in_force: InForce) -> str:
    """The register in force, as a warning names it."""
    if in_force.snapshot:
        return f"snapshot {in_force.snapshot.id}, effective {in_force.snapshot.effective_from}"
    return "no register"


def _unlisted_unit_row(unit: str, energy: float | None, in_force: InForce) -> tuple[dict, str]:
    """R-REG-UNREGISTERED: the row of a unit the register does not list, and why."""
    pc, why = _pc_from_fpn(energy)
    interconnector = is_interconnector_id(unit)
    if interconnector:
        why += "; an interconnector BM unit by its I_ id, so TLM 1 (R-TLM)"
    row = {
        "bm_unit_id": unit,
        "lead_party_id": UNREGISTERED_PARTY,
        "pc_status": pc,
        "trading_unit": unit,
        "tlf": 0.0,
        "interconnector": interconnector,
        "register_snapshot_id": in_force.snapshot_id,
        "registered": False,
    }
    reason = (
        f"not in the register in force ({_register_named(in_force)}): settled as unregistered "
        f"under party {UNREGISTERED_PARTY}, TLF 0, its own Trading Unit, {why}"
    )
    return row, reason


def _listed_unit_row(
    unit: str, entry: dict, energy: float | None, in_force: InForce
) -> tuple[dict, str | None]:
    """R-REG-DATED: the row of a unit the register lists, the defaults of unregistered units
    for what it leaves out, and a reason naming them (None when nothing was assumed)."""
    assumed = []
    party = entry["lead_party_id"]
    if party is None:
        party = UNREGISTERED_PARTY
        assumed.append(f"no lead party: party {UNREGISTERED_PARTY}")
    pc = entry["pc_status"]
    if pc is None:
        pc, why = _pc_from_fpn(energy)
        assumed.append(f"no production/consumption flag: {why}")
    tlf = entry["tlf"]
    if tlf is None:
        tlf = 0.0
        assumed.append("no TLF: TLF 0")
    row = {
        "bm_unit_id": unit,
        "lead_party_id": party,
        "pc_status": pc,
        "trading_unit": entry["trading_unit"] or unit,
        "tlf": float(tlf),
        "interconnector": bool(entry["interconnector"]),
        "register_snapshot_id": in_force.snapshot_id,
        "registered": True,
    }
    if not assumed:
        return row, None
    reason = (
        f"the register in force ({_register_named(in_force)}) gives {'; '.join(assumed)} "
        "(the defaults of unregistered units)"
    )
    return row, reason
