"""A stored run's engine settlement written as an S0142 (issue 18: `export --s0142 OUT`).

The run is settled (in memory: its stored results are not touched) and written by
`models.p114.from_settlement.write_s0142`: same framing and checksum as Elexon's, gzip when
OUT ends with `.gz`. SRH says the run's type, its run number as the SAA run number and, for a
run imported from an S0142, that file's CDCA run numbers. The file appears only complete
(models.core.atomic_write): a failure leaves any old file as it was.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from engine.settle import settle_day
from models.core.atomic_write import atomic_path
from models.db.database import SettlementDatabase
from models.p114.from_settlement import ReportRun, write_s0142
from models.published.saa_store import read_saa_report
from models.runs.inputs import load_settlement_inputs
from models.runs.run_store import get_run


def export_s0142(db: SettlementDatabase, run_id: int, path: str | Path) -> int:
    """Write run `run_id`'s settlement as an S0142 at `path`; returns the record count."""
    path = Path(path)
    with db.engine.connect() as conn:
        info = get_run(conn, run_id, light=True)
        saa = read_saa_report(conn, run_id) or {}
        result = settle_day(load_settlement_inputs(conn, run_id))
    run = ReportRun(
        info.run_type,
        saa_run_number=info.run_number,
        cdca_run_number=saa.get("saa_cdca_run_number") or 1,
        svaa_ssr_run_number=saa.get("svaa_ssr_run_number") or 0,
        created=datetime.now(UTC).replace(tzinfo=None, microsecond=0),
    )
    with atomic_path(path) as temporary:
        # the writer compresses by the name's suffix: the temporary name keeps OUT's
        named = temporary.with_name(temporary.name + path.suffix)
        try:
            count = write_s0142(named, result, run)
            os.replace(named, temporary)
        finally:
            named.unlink(missing_ok=True)
    return count
