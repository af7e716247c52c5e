"""What the BM units view derives from a loaded run before it can show a unit: each unit's
day CBM and accepted volume, the register snapshot it came from (R-REG-DATED,
R-REG-UNREGISTERED), each pair row's mean band width, and the MEL/MIL segments sorted by
unit. Made with the run (runs.run_view.load_run_view, in the load's worker thread): on a
GB-scale run it took 20-25 ms of the GUI thread at the view's first showing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LATER = "effective only after the settlement day: no snapshot was in force, the earliest was used"
UNREGISTERED = "no register snapshot in force lists this unit: settled under party UNREGISTERED"


@dataclass(frozen=True)
class UnitSummary:
    cbm: np.ndarray  # £ per unit over the settled periods
    accepted: np.ndarray  # MWh per unit: Σ accepted offer − bid volume
    band_width: np.ndarray  # per pair row: the mean level of its band segments (0: none)
    limit_ids: np.ndarray  # MEL/MIL segments' BM unit ids, sorted (each unit one slice)
    limit_rows: dict[str, np.ndarray]  # their kind, x (from, to) and y (from, to), same order
    register_label: list[str]  # per unit: "2022-06-01 (#2)", "unregistered", "—"…
    register_marked: np.ndarray  # bool: unregistered, or a snapshot effective after the day
    register_note: list[str]  # why it is marked ("" when not)


def register_labels(view) -> tuple[list[str], np.ndarray, list[str]]:
    """Per BM unit: which register snapshot its data comes from, whether to mark it
    (unregistered, or a snapshot effective only after the day) and why (R-REG-DATED,
    R-REG-UNREGISTERED)."""
    units = view.units
    day = view.run.settlement_date
    labels, notes = [], []
    marked = np.zeros(len(units), dtype=bool)
    for u, snapshot in enumerate(units.register_snapshot):
        note = ""
        if not units.registered[u]:
            label, note = "unregistered", f"{UNREGISTERED}, TLF 0 (R-REG-UNREGISTERED)"
        elif snapshot is None:
            label = "—"
        elif snapshot not in view.register_snapshots:
            label = f"#{snapshot}"
        else:
            effective = view.register_snapshots[snapshot]
            label = f"{effective.isoformat()} (#{snapshot})"
            if effective > day:
                note = f"snapshot {snapshot}, {LATER} (R-REG-DATED)"
        labels.append(label)
        notes.append(note)
        marked[u] = bool(note)
    return labels, marked, notes


def unit_summary(view) -> UnitSummary:
    """Of a runs.run_view.RunView (not imported: it imports this module)."""
    result = view.result
    day = result.inputs.bm
    bands, count = day.bands, len(day.pairs)
    segments = np.bincount(bands.owner, minlength=count)
    band_width = np.bincount(bands.owner, weights=bands.level_from, minlength=count) / np.maximum(
        segments, 1
    )
    limits = view.limits
    unit_ids = np.asarray(limits["bm_unit_id"], dtype=str)
    order = np.argsort(unit_ids, kind="stable")
    limit_rows = {
        "kind": np.asarray(limits["notification"], dtype=str)[order],
        "x": np.column_stack([limits["time_from"], limits["time_to"]]).astype(float)[order],
        "y": np.column_stack([limits["level_from"], limits["level_to"]]).astype(float)[order],
    }
    volumes = result.bm.volumes
    unit_of = day.acceptances.unit[volumes.acceptance]
    accepted = np.bincount(unit_of, weights=volumes.qao - volumes.qab, minlength=len(view.units))
    labels, marked, notes = register_labels(view)
    return UnitSummary(
        cbm=np.nansum(result.bm.cashflows.cbm, axis=1),
        accepted=accepted,
        band_width=band_width,
        limit_ids=unit_ids[order],
        limit_rows=limit_rows,
        register_label=labels,
        register_marked=marked,
        register_note=notes,
    )
