"""Importing Elexon's settlement reports (P114 S0142, C0421) as runs (issue 18).

An S0142 becomes a new run of its SRH run type (N0202) for its settlement date, inside the
import's one transaction:

- its inputs go to the run's ordinary input tables, so the engine can settle it: metered
  volumes (BP7 QM), TLF (BP7) and lead party (BPH) of each BM unit, balancing services volumes
  (BP7 QBS), BSAD (DB1), LoLP (SPI), price adjustments (SSD SPA/BPA) and market index data
  (MD1, where the file has it);
- the SAA's own figures go to the `saa_*` tables (models/published/saa_store.py), with the
  file's name, SHA-256, AAA header and SRH run numbers in `saa_report`;
- what an S0142 does not carry is carried forward from the date's latest run (of the same run
  type, else of any): the BM data (PN, BOD, BOALF: the run shares its BM dataset), P/C status
  and trading unit of each BM unit, ECVNs, MVRNs and parameter overrides; a market index or
  LoLP the file lacks too. A BM unit the file settles that the run lacks (a supplier unit,
  2__, which Insights BM data rarely names) is taken from the file as for a date with no run,
  with a warning that the run holds no BM data for it. A date with no run yet becomes a run
  with empty BM data, its units from the file, and a warning that says so
  (models/imports/p114_without_bm.py); the date's BM data imported first (or in the same
  import) makes it a full run.

A C0421 replaces the metered volumes of the BM units it lists in a new run carried forward
from the date's latest run of its run type, and flags its estimated volumes
(`metered_volume_estimate`).
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
from sqlalchemy import Connection, select

from engine.settlement_calendar import RunType
from models.db.bulk import bulk_insert
from models.db.schema import RUN_INPUT_TABLES, MeteredVolumeEstimate, SettlementRun
from models.imports.assemble import _keyed, rows_of
from models.imports.collect import KEY_COLUMNS
from models.imports.p114_without_bm import run_without_bm_data, units_from_file
from models.imports.report import DatePart, ImportReport
from models.p114.c0421_reader import read_c0421, signed_volumes
from models.p114.errors import P114Error
from models.p114.framing import GZIP_MAGIC, open_binary
from models.p114.recognise import p114_flow
from models.p114.records import FlatFileContent
from models.p114.s0142_reader import read_s0142
from models.published.saa_store import saa_columns, write_saa
from models.register.snapshots import ensure_parties
from models.runs.run_store import create_run, finish_loading, write_inputs
from models.runs.run_warnings import DataWarning, write_run_warnings

HEAD = 64
CARRIED = ("run_parameter", "ecvn", "mvrn")


def p114_file_flow(path: Path) -> str | None:
    """ "S0142" / "C0421" when the file (gzip or plain) starts with that flow's AAA header,
    judged on its first bytes before any text decoding; None otherwise or if unreadable."""
    try:
        with Path(path).open("rb") as handle:
            head = handle.read(HEAD)
            if head[:2] == GZIP_MAGIC:
                handle.seek(0)
                with gzip.GzipFile(fileobj=handle) as stream:
                    head = stream.read(HEAD)
    except (OSError, EOFError, gzip.BadGzipFile):
        return None
    return p114_flow(head)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _reason(message: str, name: str) -> str:
    """A reader's message without its leading file name (the rejection names the file)."""
    for prefix in (f"{name}: ", f"{name} "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _previous_run(conn: Connection, day, run_type: RunType) -> int | None:
    """The date's latest loaded run of `run_type`, else its latest loaded run of any type."""
    run = SettlementRun.__table__
    base = select(run.c.id).where(
        run.c.settlement_date == day, run.c.kind == "run", run.c.status == "loaded"
    )
    same = conn.execute(
        base.where(run.c.run_type == run_type.value).order_by(run.c.run_number.desc())
    ).scalar()
    if same is not None:
        return same
    return conn.execute(base.order_by(run.c.created_at.desc(), run.c.id.desc())).scalar()


def import_p114(
    conn: Connection, path: Path, name: str, flow: str, report: ImportReport
) -> tuple[DatePart | None, int, list[DataWarning]]:
    """Read and store one P114 file as a new run: (what was written, records read, the
    warnings written with the run). Problems go to `report` (nothing written, None)."""
    try:
        content = read_s0142(path, name) if flow == "S0142" else read_c0421(path, name)
    except P114Error as exc:
        report.reject(name, "", "", None, _reason(str(exc), name))
        return None, 0, []
    if flow == "S0142":
        part, warnings = _store_s0142(conn, path, name, content, report)
        return part, content.records, warnings
    return _store_c0421(conn, path, name, content, report), content.records, []


def _base(conn, day, run_type: RunType, name: str, report: ImportReport):
    previous_id = _previous_run(conn, day, run_type)
    if previous_id is None:
        report.reject(
            name,
            "",
            "settlement_date",
            day.isoformat(),
            "no run of this date holds its BM data (PN, BOD, BOALF) and unit attributes: "
            "import the date's Insights data first, or in the same import before this file",
        )
        return None
    return previous_id, *_read_previous(conn, previous_id)


def _read_previous(conn: Connection, run_id: int) -> tuple[dict, dict, dict[str, list[dict]]]:
    """(run row, keyed records, rows carried as they are) of the run a P114 file extends:
    `assemble.read_previous` without the BM data (the new run shares the dataset) and with
    the driver's tuples (a GB-scale day's metered volumes are 365,000 rows)."""
    run_table = SettlementRun.__table__
    run = conn.execute(select(run_table).where(run_table.c.id == run_id)).mappings().first()
    tables = {}
    for table in RUN_INPUT_TABLES:
        names = [c.name for c in table.columns if c.name != "run_id"]
        quoted = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        rows = conn.exec_driver_sql(
            f"SELECT {quoted} FROM {table.name} WHERE run_id = {mark}", (run_id,)
        ).fetchall()
        booleans = [n for n in names if table.c[n].type.python_type is bool]
        tables[table.name] = [dict(zip(names, row, strict=True)) for row in rows]
        for row in tables[table.name] if booleans else ():
            for n in booleans:
                row[n] = None if row[n] is None else bool(row[n])
    keyed = {t: _keyed(t, tables[t]) for t in KEY_COLUMNS if t in tables}
    carried = {t: tables[t] for t in (*CARRIED, "run_bm_unit", "run_party")}
    return dict(run), keyed, carried


def _store_s0142(
    conn, path, name, content: FlatFileContent, report
) -> tuple[DatePart | None, list[DataWarning]]:
    srh = content.first("SRH")
    day, run_type = srh["settlement_date"], RunType(srh["run_type"])
    previous_id = _previous_run(conn, day, run_type)
    warnings: list[DataWarning] = []
    if previous_id is None:
        previous_run, old, carried, warnings = run_without_bm_data(conn, day, content, name)
    else:
        previous_run, old, carried = _read_previous(conn, previous_id)
    flag = content.header.test_flag
    if flag != "OPER":  # S0142_LAYOUT.md §5: any other Test Data Flag marks test data
        warnings.insert(
            0,
            DataWarning(
                "",
                name,
                "line 1",
                "AAA test_data_flag",
                flag,
                "the AAA header marks the file as test data (operational files say OPER): "
                "its figures are not a settlement run's",
            ),
        )
    t = content.tables
    bp7, sp7, bph = t["BP7"], t["SP7"], t["BPH"]
    unit_ids = bp7.columns["bm_unit_id"]
    periods = sp7.columns["settlement_period"][bp7.parent]
    parties = bph.columns["bsc_party_id"][sp7.parent[bp7.parent]]
    units = {r["bm_unit_id"]: dict(r) for r in carried["run_bm_unit"]}
    first: dict[str, int] = {}  # each unit's first BP7 row
    for row, unit in enumerate(unit_ids.tolist()):
        first.setdefault(unit, row)
    unknown = [u for u in first if u not in units]
    if unknown:  # e.g. supplier units (2__), which Insights BM data does not name
        rows, unit_warnings = units_from_file(conn, day, content, name, set(unknown))
        units.update((r["bm_unit_id"], r) for r in rows)
        shown = ", ".join(unknown[:3]) + (", …" if len(unknown) > 3 else "")
        where = f"line {bp7.line[first[unknown[0]]]}"
        reason = (
            f"{len(unknown):,} BM unit(s) of the file are not in run {previous_id} of {day} "
            f"({shown}): the run takes them from the file (lead party, TLF, Trading Unit; "
            "P/C status from the register in force, else their APB account, else their "
            "metered volume) and holds no BM data (PN, BOD, BOALF) for them"
        )
        warnings += [DataWarning("", name, where, "BP7 bm_unit_id", unknown[0], reason)]
        warnings += unit_warnings
    for unit, row in first.items():
        units[unit]["tlf"] = float(bp7.columns["tlf"][row])
        units[unit]["lead_party_id"] = str(parties[row])
    metered = {**old.get("metered_volume", {})}
    for unit, period, mwh in zip(
        unit_ids.tolist(), periods.tolist(), bp7.columns["qm"].tolist(), strict=True
    ):
        metered[(unit, period)] = {"mwh": mwh}
    qbs = bp7.columns["qbs"]
    services = {
        (u, p): {"mwh": v}
        for u, p, v in zip(unit_ids.tolist(), periods.tolist(), qbs.tolist(), strict=True)
        if v != 0.0
    }
    system = saa_columns(content)
    inputs = {
        "metered_volume": rows_of("metered_volume", metered),
        "balancing_services_volume": rows_of("balancing_services_volume", services),
        "bsad_action": _bsad_rows(content),
        "lolp": _lolp_rows(content) or rows_of("lolp", old.get("lolp", {})),
        "market_index": _market_index_rows(content)
        or rows_of("market_index", old.get("market_index", {})),
        "price_adjustment": _price_adjustment_rows(system["saa_system_period"])
        or rows_of("price_adjustment", old.get("price_adjustment", {})),
        **{table: carried.get(table, []) for table in CARRIED},
    }
    party_ids = sorted(
        {r["lead_party_id"] for r in units.values()} | set(bph.columns["bsc_party_id"])
    )
    names = {r["party_id"]: r["name"] for r in carried["run_party"]}
    ensure_parties(conn, {p: "" for p in party_ids if p not in names})
    inputs["run_bm_unit"] = list(units.values())
    inputs["run_party"] = [{"party_id": p, "name": names.get(p, "")} for p in party_ids]
    run_id = create_run(
        conn,
        day,
        run_type,
        bm_dataset_id=previous_run["bm_dataset_id"],
        source=f"import: {Path(name).name} (S0142)"[:500],
    )
    written = write_inputs(conn, run_id, inputs)
    stored = write_run_warnings(conn, run_id, warnings)
    finish_loading(conn, run_id)
    saa = write_saa(conn, run_id, _report_row(path, name, content, srh, run_type), system)
    label = f"{day.isoformat()} {run_type.value}"
    counts = {k: n for k, n in written.items() if n} | {k: n for k, n in saa.items() if n}
    part = DatePart(day.isoformat(), run_id, label, previous_id, counts, warnings=stored)
    return part, warnings


def _report_row(path, name, content: FlatFileContent, srh: dict, run_type: RunType) -> dict:
    header = content.header
    return {
        "flow": header.flow,
        "version": header.version,
        "file_name": Path(name).name[:500],
        "file_sha256": _sha256(path),
        "created": header.created,
        "from_participant": header.from_participant,
        "sequence": header.sequence,
        "test_flag": header.test_flag,
        "run_type": run_type.value,
        "saa_run_number": srh.get("saa_run_number"),
        "saa_cdca_run_number": srh.get("saa_cdca_run_number", srh.get("cdca_run_number")),
        "svaa_cdca_run_number": srh.get("svaa_cdca_run_number"),
        "svaa_ssr_run_number": srh.get("svaa_ssr_run_number"),
        "record_count": content.records,
        "checksum": _trailer_checksum(path),
    }


def _trailer_checksum(path: Path) -> int:
    """The ZZZ record's checksum (already verified by the reader): the file's last record."""
    tail = b""
    with open_binary(Path(path)) as handle:
        while block := handle.read(1 << 22):
            tail = (tail + block)[-4096:]
    last = [line for line in tail.splitlines() if line.strip()][-1]
    return int(last.split(b"|")[2])


def _optional(value: float):
    return None if np.isnan(value) else float(value)


def _bsad_rows(content: FlatFileContent) -> list[dict]:
    db1, spi = content.tables["DB1"], content.tables["SPI"]
    c = db1.columns
    stor = c["stor_flag"]
    return [
        {
            "period": int(spi.columns["settlement_period"][db1.parent[i]]),
            "id": str(int(c["bsaa_id"][i])),
            "volume": float(c["volume"][i]),
            "cost": _optional(c["cost"][i]),
            "so_flag": bool(c["so_flag"][i]),
            "stor_flag": bool(stor[i] == 1.0),
            "party_id": c["party"][i] or None,
            "asset_id": c["asset"][i] or None,
            "service": c["service_type"][i] or None,
        }
        for i in range(len(db1))
    ]


def _lolp_rows(content: FlatFileContent) -> list[dict]:
    spi = content.tables["SPI"].columns
    if np.isnan(spi["lolp"]).any():
        return []
    return [
        {
            "period": int(p),
            "lolp": float(v),
            "stor_window": bool(w == 1.0),
            "derated_margin": _optional(m),
        }
        for p, v, w, m in zip(
            spi["settlement_period"],
            spi["lolp"],
            spi["stor_window"],
            spi["derated_margin"],
            strict=True,
        )
    ]


def _market_index_rows(content: FlatFileContent) -> list[dict]:
    md1, spi = content.tables["MD1"], content.tables["SPI"]
    c = md1.columns
    return [
        {
            "period": int(spi.columns["settlement_period"][md1.parent[i]]),
            "provider": str(c["provider"][i]),
            "price": float(c["price"][i]),
            "volume": float(c["volume"][i]),
        }
        for i in range(len(md1))
        if not (np.isnan(c["price"][i]) or np.isnan(c["volume"][i]))
    ]


def _price_adjustment_rows(system: dict) -> list[dict]:
    if np.isnan(system["spa"]).any() or np.isnan(system["bpa"]).any():
        return []
    return [
        {"period": int(p), "bpa": float(b), "spa": float(s)}
        for p, b, s in zip(system["period"], system["bpa"], system["spa"], strict=True)
    ]


def _store_c0421(conn, path, name, content: FlatFileContent, report) -> DatePart | None:
    volumes = signed_volumes(content)
    days = sorted(set(volumes["settlement_date"].tolist()))
    abv = content.table("ABV").columns
    if len(days) != 1 or len(set(abv["run_type"].tolist())) != 1:
        report.reject(
            name,
            "",
            "ABV",
            ", ".join(str(d) for d in days),
            "a C0421 is imported for one settlement date and run type at a time",
        )
        return None
    day, run_type = days[0], RunType(str(abv["run_type"][0]))
    based = _base(conn, day, run_type, name, report)
    if based is None:
        return None
    previous_id, previous_run, old, carried = based
    known = {r["bm_unit_id"] for r in carried["run_bm_unit"]}
    metered = {**old.get("metered_volume", {})}
    estimates = []
    for unit, period, mwh, estimate in zip(
        volumes["bm_unit_id"].tolist(),
        volumes["period"].tolist(),
        volumes["qm"].tolist(),
        volumes["estimate"].tolist(),
        strict=True,
    ):
        if unit not in known:
            report.reject(
                name,
                "",
                "ABV bm_unit_id",
                unit,
                f"BM unit not in run {previous_id} of {day}: import the date's register first",
            )
            return None
        metered[(unit, period)] = {"mwh": mwh}
        if estimate:
            estimates.append({"bm_unit_id": unit, "period": period})
    inputs = {
        table: rows_of(table, old.get(table, {}))
        for table in (
            "balancing_services_volume",
            "bsad_action",
            "lolp",
            "market_index",
            "price_adjustment",
        )
    }
    inputs |= {table: carried.get(table, []) for table in (*CARRIED, "run_bm_unit", "run_party")}
    inputs["metered_volume"] = rows_of("metered_volume", metered)
    run_id = create_run(
        conn,
        day,
        run_type,
        bm_dataset_id=previous_run["bm_dataset_id"],
        source=f"import: {Path(name).name} (C0421)"[:500],
    )
    written = write_inputs(conn, run_id, inputs)
    finish_loading(conn, run_id)
    bulk_insert(conn, MeteredVolumeEstimate.__table__, estimates, {"run_id": run_id})
    counts = {k: n for k, n in written.items() if n}
    counts |= {"estimated metered volumes": len(estimates)} if estimates else {}
    label = f"{day.isoformat()} {run_type.value}"
    return DatePart(day.isoformat(), run_id, label, previous_id, counts)
