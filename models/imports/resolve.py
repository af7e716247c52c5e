"""R-REG-ID: which BM unit a record is about, from `bmUnit` and/or `nationalGridBmUnit`.

The Elexon id identifies a BM unit in settlement; the National Grid id is an alias, which the
register in force on the record's date maps (the two are never derived from each other:
2__PENEC001 is ROTHW-1). A National Grid id that disagrees with that register is a warning
and the Elexon id wins; a record with only a National Grid id resolves through the snapshot
in force, else through any snapshot (a warning), else it is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from models.register.snapshots import RegisterSnapshot, in_force


@dataclass(frozen=True, slots=True)
class Resolved:
    unit: str | None  # None: unresolved, `error` says why
    error: str = ""
    warning: str = ""  # what R-REG-ID assumed, "" when the ids agree with the register


Ids = dict[str, str | None]  # Elexon id -> National Grid id or None


class UnitResolver:
    """Resolves ids with the snapshot in force on each record's date (R-REG-DATED).

    `ids`: snapshot id -> its Ids, as a mapping or a function reading them; a snapshot's ids
    are read when first needed (the snapshots in force on the import's dates, and the others
    only for a National Grid id the one in force does not list), so a database of many
    GB-sized snapshots costs an import only those it uses.
    """

    def __init__(
        self, snapshots: list[RegisterSnapshot], ids: Mapping[int, Ids] | Callable[[int], Ids]
    ):
        self.snapshots = snapshots
        self._read = ids.__getitem__ if isinstance(ids, Mapping) else ids
        self._national: dict[int, Ids] = {}
        self._elexon: dict[int, dict[str, str]] = {}
        self._in_force: dict[date, RegisterSnapshot | None] = {}
        self._memo: dict[tuple, Resolved] = {}

    @property
    def read_snapshots(self) -> set[int]:
        """The snapshots whose ids were read so far."""
        return set(self._national)

    def national_grid_of(self, snapshot_id: int) -> Ids:
        found = self._national.get(snapshot_id)
        if found is None:
            found = self._national[snapshot_id] = self._read(snapshot_id)
        return found

    def elexon_of(self, snapshot_id: int) -> dict[str, str]:
        found = self._elexon.get(snapshot_id)
        if found is None:
            units = self.national_grid_of(snapshot_id)
            found = self._elexon[snapshot_id] = {ngc: u for u, ngc in units.items() if ngc}
        return found

    def snapshot_for(self, day: date) -> RegisterSnapshot | None:
        found = self._in_force.get(day, False)
        if found is False:
            found = self._in_force[day] = in_force(self.snapshots, day)[0]
        return found

    def resolve(self, unit: str | None, ngc: str | None, day: date) -> Resolved:
        key = (unit, ngc, day if ngc is not None else None)  # without an NGC id, any day
        found = self._memo.get(key)
        if found is None:
            snapshot = self.snapshot_for(day) if ngc is not None else None
            found = self._memo[key] = self._resolve(unit, ngc, day, snapshot)
        return found

    def _resolve(
        self, unit: str | None, ngc: str | None, day: date, snapshot: RegisterSnapshot | None
    ) -> Resolved:
        if unit is None and ngc is None:
            return Resolved(None, "no BM unit id (bmUnit or nationalGridBmUnit) given")
        if ngc is None:
            return Resolved(unit)
        if snapshot is None:
            if unit is not None:
                return Resolved(unit)
            return Resolved(
                None,
                f"national grid BM unit {ngc}: the database holds no BM unit register, so its "
                "Elexon id is unknown: import a register (Insights reference or the CRA "
                "export) with this data",
            )
        in_force = f"the register in force on {day.isoformat()} ({_name(snapshot)})"
        if unit is None:
            owner = self.elexon_of(snapshot.id).get(ngc)
            if owner is not None:
                return Resolved(owner)
            for other in self._nearest_first(day):
                owner = self.elexon_of(other.id).get(ngc)
                if owner is not None:
                    return Resolved(
                        owner,
                        warning=f"{in_force} does not list national grid id {ngc}; "
                        f"{_name(other)} gives it to {owner}: assumed {owner}",
                    )
            return Resolved(
                None,
                f"national grid BM unit {ngc} is in no register snapshot, so its Elexon id is "
                "unknown: import a BM unit register that lists it",
            )
        registered = self.national_grid_of(snapshot.id).get(unit)
        owner = self.elexon_of(snapshot.id).get(ngc)
        found = []
        if registered and registered != ngc:
            found.append(f"gives {unit} the national grid id {registered}, not {ngc}")
        if owner and owner != unit:
            found.append(f"gives national grid id {ngc} to {owner}, not {unit}")
        if not found:
            return Resolved(unit)
        return Resolved(
            unit,
            warning=f"{in_force} {' and '.join(found)}: the Elexon id wins, the record is {unit}'s",
        )

    def _nearest_first(self, day: date) -> list[RegisterSnapshot]:
        """Snapshots by closeness to `day`: those effective before it, latest first, then
        those after it, earliest first."""
        before = [s for s in self.snapshots if s.effective_from <= day]
        after = [s for s in self.snapshots if s.effective_from > day]
        return [*reversed(before), *after]


def _name(snapshot: RegisterSnapshot) -> str:
    return f"snapshot {snapshot.id}, effective {snapshot.effective_from.isoformat()}"
