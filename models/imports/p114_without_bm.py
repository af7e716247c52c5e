"""An S0142 for a date no run holds yet: a run of its own, with empty BM data (issue 18).

An S0142 carries metered volumes, TLF, lead parties, Trading Units, BSAD, MID and the SAA's
results, but no BM data (PN, BOD, BOALF), no ECVNs and no register flags. Refusing it would
leave the analyst unable to see the SAA's figures until Insights data arrives; guessing BM
data would be wrong. So the run gets an empty BM dataset of its own, every BM unit's
attributes come from the file (P/C status from the register in force where it lists the unit,
else from the APB records' account, else from the sign of its metered volume over the day),
and warnings say what is missing and what that does; the completeness report lists the
missing PN for every period. Importing the date's BM data later, then the S0142 again,
gives the full run.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from sqlalchemy import Connection

from models.imports.units import is_interconnector_id
from models.p114.records import FlatFileContent
from models.register.snapshots import ensure_units, register_entries, snapshot_in_force
from models.runs.run_store import create_bm_dataset
from models.runs.run_warnings import DataWarning

NO_BM_DATA = (
    "no run of this date holds BM data (PN, BOD, BOALF) and an S0142 carries none: the run "
    "settles without FPNs, bid-offer pairs or acceptances, so its CBM, accepted volumes, QME, "
    "non-delivery, QABS, imbalance and system prices are not the SAA's and reconcile as "
    "differences; nor does an S0142 carry ECVNs or MVRNs (contract volumes QABC are 0). "
    "Import the date's Insights BM data, then this S0142 again, for a full run"
)


def run_without_bm_data(
    conn: Connection, day: date, content: FlatFileContent, name: str
) -> tuple[dict, dict, dict[str, list[dict]], list[DataWarning]]:
    """(run row, keyed records, carried rows, warnings), as `_read_previous` gives for a run
    to extend: a new empty BM dataset, no records to carry and the units of the file."""
    dataset_id = create_bm_dataset(
        conn, day, {}, source=f"none: {name} (S0142) carries no BM data"[:500]
    )
    units, warnings = units_from_file(conn, day, content, name)
    where = f"line {int(content.table('SRH').line[0])}"
    first = DataWarning("", name, where, "SRH settlement_date", day.isoformat(), NO_BM_DATA)
    warnings.insert(0, first)
    carried = {"run_parameter": [], "ecvn": [], "mvrn": [], "run_bm_unit": units, "run_party": []}
    return {"bm_dataset_id": dataset_id}, {}, carried, warnings


def units_from_file(
    conn: Connection,
    day: date,
    content: FlatFileContent,
    name: str,
    only: set[str] | None = None,
) -> tuple[list[dict], list[DataWarning]]:
    """A run_bm_unit row per BP7 unit (those in `only` if given; lead party and TLF are set
    from BP7 by the caller), with its warnings; the units are added to the unit table."""
    rows, warnings = _unit_rows(conn, day, content, name, only)
    ensure_units(conn, [u["bm_unit_id"] for u in rows])
    return rows, warnings


def _unit_rows(
    conn: Connection, day: date, content: FlatFileContent, name: str, only: set[str] | None
) -> tuple[list[dict], list[DataWarning]]:
    snapshot, _ = snapshot_in_force(conn, day)
    entries = register_entries(conn, snapshot.id) if snapshot else {}
    bp7, apb, apd = (content.table(c) for c in ("BP7", "APB", "APD"))
    account_of = {}  # the account an APB record lists the unit in: its P/C status
    for unit, parent in zip(apb.columns["bm_unit_id"].tolist(), apb.parent.tolist(), strict=True):
        account_of.setdefault(unit, str(apd.columns["account"][parent]))
    ids = bp7.columns["bm_unit_id"]
    qm = np.nan_to_num(np.asarray(bp7.columns["qm"], dtype=np.float64))
    rows, warnings = [], []
    for unit in dict.fromkeys(ids.tolist()):
        if only is not None and unit not in only:
            continue
        at = np.flatnonzero(ids == unit)
        first = int(at[0])
        entry = entries.get(unit) or {}
        pc = entry.get("pc_status") or account_of.get(unit)
        if pc is None:
            mwh = float(qm[at].sum())
            pc = "C" if mwh < 0 else "P"
            warnings.append(
                DataWarning(
                    "",
                    name,
                    f"line {int(bp7.line[first])}",
                    "BP7 bm_unit_id",
                    unit,
                    "no register entry or APB record gives its production/consumption status: "
                    f"{'consumption' if pc == 'C' else 'production'} from its metered volume "
                    f"over the day ({mwh:,.3f} MWh)",
                )
            )
        interconnector = entry.get("interconnector")
        rows.append(
            {
                "bm_unit_id": unit,
                "lead_party_id": "",  # from BPH, by the caller
                "pc_status": pc,
                "trading_unit": str(bp7.columns["trading_unit"][first]) or unit,
                "tlf": 0.0,  # from BP7, by the caller
                "interconnector": bool(
                    is_interconnector_id(unit) if interconnector is None else interconnector
                ),
                "register_snapshot_id": snapshot.id if unit in entries else None,
                "registered": True,  # the SAA settled it under its lead party
            }
        )
    return rows, warnings
