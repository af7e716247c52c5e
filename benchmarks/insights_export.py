"""Write a stored run's BM data as Insights API JSON files (PN, MELS, MILS, BOD, BOALF), the
shape Elexon publishes, so imports can be measured on GB-scale data of known content: a whole
day, or one settlement period as a whole-market period download holds it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from models.db.database import SettlementDatabase
from models.imports.calendar_index import CalendarIndex
from models.runs.case_store import read_run_rows

DATASET_OF = {"FPN": "PN", "MEL": "MELS", "MIL": "MILS", "QPN": "QPN"}


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_insights_json(
    db: SettlementDatabase,
    run_id: int,
    folder: Path,
    period: int | None = None,
    limits_from_pn: bool = False,
) -> list[Path]:
    """The run's BM data as one Insights JSON file per dataset; with `period`, only what that
    period's download holds: PN, MELS, MILS and BOD of the period and every acceptance
    segment overlapping it (as the legacy PHYSICAL BM DATA file of a period does).

    `limits_from_pn`: the demo gives few units a MEL and none a MIL, while a real period has
    one of each for nearly every PN segment; each PN segment without one gets a MEL at the
    larger of its levels and 0, and a MIL at the smaller, as a unit able to do just its PN."""
    with db.engine.connect() as conn:
        run, tables = read_run_rows(conn, run_id)
        ngc = dict(conn.exec_driver_sql("SELECT id, national_grid_id FROM bm_unit").all())
    calendar = CalendarIndex()
    day = run["settlement_date"].isoformat()
    files: dict[str, list[dict]] = {}
    if period is not None:
        start = calendar.start(run["settlement_date"], period)
        tables = _of_period(tables, period, start, start + 1800)
    if limits_from_pn:
        tables = {**tables, "physical_notification": _with_limits(tables["physical_notification"])}
    for r in tables["physical_notification"]:
        period_date, segment_period = calendar.period_of(r["time_from"])
        files.setdefault(DATASET_OF[r["notification"]], []).append(
            {
                "dataset": DATASET_OF[r["notification"]],
                "settlementDate": period_date.isoformat(),
                "settlementPeriod": segment_period,
                "timeFrom": _iso(r["time_from"]),
                "timeTo": _iso(r["time_to"]),
                "levelFrom": r["level_from"],
                "levelTo": r["level_to"],
                "nationalGridBmUnit": ngc.get(r["bm_unit_id"]),
                "bmUnit": r["bm_unit_id"],
            }
        )
    for r in tables["bid_offer"]:
        files.setdefault("BOD", []).append(
            {
                "dataset": "BOD",
                "settlementDate": day,
                "settlementPeriod": r["period"],
                "timeFrom": _iso(r["time_from"]),
                "levelFrom": r["level_from"],
                "timeTo": _iso(r["time_to"]),
                "levelTo": r["level_to"],
                "pairId": r["pair"],
                "offer": r["offer_price"],
                "bid": r["bid_price"],
                "nationalGridBmUnit": ngc.get(r["bm_unit_id"]),
                "bmUnit": r["bm_unit_id"],
            }
        )
    headers = {(a["bm_unit_id"], a["number"]): a for a in tables["acceptance"]}
    for r in tables["acceptance_level"]:
        a = headers[(r["bm_unit_id"], r["number"])]
        start_date, start_period = calendar.period_of(r["time_from"])
        files.setdefault("BOALF", []).append(
            {
                "dataset": "BOALF",
                "settlementDate": start_date.isoformat(),
                "settlementPeriodFrom": start_period,
                "settlementPeriodTo": calendar.period_of(r["time_to"])[1],
                "timeFrom": _iso(r["time_from"]),
                "timeTo": _iso(r["time_to"]),
                "levelFrom": r["level_from"],
                "levelTo": r["level_to"],
                "acceptanceNumber": r["number"],
                "acceptanceTime": _iso(a["acceptance_time"]),
                "deemedBoFlag": bool(a["deemed_flag"]),
                "soFlag": bool(a["so_flag"]),
                "storFlag": bool(a["stor_flag"]),
                "rrFlag": bool(a["rr_flag"]),
                "nationalGridBmUnit": ngc.get(r["bm_unit_id"]),
                "bmUnit": r["bm_unit_id"],
            }
        )
    paths = []
    suffix = day if period is None else f"{day}_{period:02d}"
    for name, records in files.items():
        path = folder / f"{name}_{suffix}.json"
        path.write_text(json.dumps({"data": records}))
        paths.append(path)
    return paths


def _with_limits(notifications: list[dict]) -> list[dict]:
    present = {(r["notification"], r["bm_unit_id"], r["time_from"]) for r in notifications}
    added = []
    for r in notifications:
        if r["notification"] != "FPN":
            continue
        high, low = (
            max(r["level_from"], r["level_to"], 0.0),
            min(r["level_from"], r["level_to"], 0.0),
        )
        for kind, level in (("MEL", high), ("MIL", low)):
            if (kind, r["bm_unit_id"], r["time_from"]) not in present:
                added.append(r | {"notification": kind, "level_from": level, "level_to": level})
    return notifications + added


def _of_period(tables: dict, period: int, start: int, end: int) -> dict:
    def overlaps(r: dict) -> bool:
        return r["time_from"] < end and r["time_to"] > start

    return {
        **tables,
        "physical_notification": [
            r for r in tables["physical_notification"] if start <= r["time_from"] < end
        ],
        "bid_offer": [r for r in tables["bid_offer"] if r["period"] == period],
        "acceptance_level": [r for r in tables["acceptance_level"] if overlaps(r)],
    }


def write_register_csv(db: SettlementDatabase, path: Path) -> Path:
    """The database's BM unit register in the Insights reference CSV layout."""
    import csv

    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT u.id, u.national_grid_id, u.name, u.fuel_type, p.name, u.lead_party_id, "
            "u.bmu_type, u.pc_status, u.generation_capacity, u.demand_capacity, u.tlf, "
            "u.gsp_group, u.interconnector_id FROM bm_unit u "
            "LEFT JOIN party p ON p.id = u.lead_party_id"
        ).all()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "elexonBmUnit",
                "nationalGridBmUnit",
                "bmUnitName",
                "fuelType",
                "leadPartyName",
                "leadPartyId",
                "bmUnitType",
                "productionOrConsumptionFlag",
                "generationCapacity",
                "demandCapacity",
                "transmissionLossFactor",
                "gspGroupId",
                "interconnectorId",
            ]
        )
        writer.writerows(["" if v is None else v for v in row] for row in rows)
    return path
