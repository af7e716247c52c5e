"""Conversion between case documents (settlement-case/1) and stored runs, both directions.

Profiles are points in a case file and segments in the database: points p0, p1, … pN become the
segments (p0→p1), (p1→p2), …, and contiguous segments become points again, so the round trip
run → case → run preserves every input exactly (times are whole seconds, levels floats).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Table, select

from engine.settlement_calendar import RunType, period_start_utc, periods_in_day
from models.casefiles.case_file import CASE_FORMAT, PROFILE_KEYS, format_time, parse_time
from models.core.errors import RunNotFoundError
from models.core.period_list import decode_periods
from models.db.database import SettlementDatabase
from models.db.schema import (
    BM_DATA_TABLES,
    RUN_INPUT_TABLES,
    BmUnit,
    EnergyAccount,
    Party,
    SettlementRun,
)
from models.runs.run_store import create_bm_dataset, create_run, finish_loading, write_inputs

NOTIFICATION_OF_KEY = {"fpn": "FPN", "qpn": "QPN", "mel": "MEL", "mil": "MIL"}
KEY_OF_NOTIFICATION = {v: k for k, v in NOTIFICATION_OF_KEY.items()}


def _segments(points: Sequence[Sequence]) -> list[dict]:
    times = [parse_time(t) for t, _ in points]
    levels = [float(level) for _, level in points]
    return [
        {
            "seq": s,
            "time_from": times[s],
            "level_from": levels[s],
            "time_to": times[s + 1],
            "level_to": levels[s + 1],
        }
        for s in range(len(points) - 1)
    ]


def _points(segments: Iterable[dict]) -> list[list]:
    segments = list(segments)
    points = [[format_time(segments[0]["time_from"]), segments[0]["level_from"]]]
    points += [[format_time(s["time_to"]), s["level_to"]] for s in segments]
    return points


def case_to_rows(case: dict) -> tuple[dict[str, list[dict]], dict[str, list[dict]]]:
    """(BM data rows, run input rows), keyed by table name, of a validated case."""
    # A BM data table appears only when the case has records for it (defaultdict on append).
    bm: dict[str, list[dict]] = defaultdict(list)
    _add_notification_rows(bm, case)
    _add_bid_offer_rows(bm, case)
    _add_acceptance_rows(bm, case)
    rows = {**_reference_rows(case), **_volume_rows(case), **_price_input_rows(case)}
    return dict(bm), rows


def _reference_rows(case: dict) -> dict[str, list[dict]]:
    """run_party, run_bm_unit and run_parameter rows: who and what the run settles."""
    return {
        "run_party": [{"party_id": p["id"], "name": p.get("name", "")} for p in case["parties"]],
        "run_bm_unit": [
            {
                "bm_unit_id": u["id"],
                "lead_party_id": u["lead_party"],
                "pc_status": u["pc_status"],
                "trading_unit": u.get("trading_unit", u["id"]),
                "tlf": float(u["tlf"]),
                "interconnector": bool(u.get("interconnector", False)),
                # A case file states its units' attributes itself: from no register snapshot.
                "register_snapshot_id": None,
                "registered": True,
            }
            for u in case["bm_units"]
        ],
        "run_parameter": [
            {"name": k, "value": float(v)} for k, v in case.get("parameters", {}).items()
        ],
    }


def _add_notification_rows(bm: dict[str, list[dict]], case: dict) -> None:
    """FPN, QPN, MEL and MIL profiles as physical_notification segments; a unit's profiles of
    one kind are numbered in the order the case lists them."""
    for key in PROFILE_KEYS:
        profile_count: dict[str, int] = defaultdict(int)
        for record in case.get(key, []):
            unit = record["bm_unit"]
            profile = profile_count[unit]
            profile_count[unit] += 1
            for segment in _segments(record["points"]):
                bm["physical_notification"].append(
                    {
                        "notification": NOTIFICATION_OF_KEY[key],
                        "bm_unit_id": unit,
                        "profile": profile,
                        **segment,
                    }
                )


def _add_bid_offer_rows(bm: dict[str, list[dict]], case: dict) -> None:
    """Each bid-offer pair's band as segments, its prices on every segment."""
    for pair in case.get("bid_offer", []):
        ident = {"bm_unit_id": pair["bm_unit"], "period": pair["period"], "pair": pair["pair"]}
        prices = {"offer_price": float(pair["offer"]), "bid_price": float(pair["bid"])}
        bm["bid_offer"] += [{**ident, **s, **prices} for s in _segments(pair["points"])]


def _add_acceptance_rows(bm: dict[str, list[dict]], case: dict) -> None:
    """Each acceptance's row (time and flags) and its levels as segments."""
    for acceptance in case.get("acceptances", []):
        ident = {"bm_unit_id": acceptance["bm_unit"], "number": acceptance["number"]}
        bm["acceptance"].append(
            {
                **ident,
                "acceptance_time": parse_time(acceptance["time"]),
                "so_flag": acceptance.get("so_flag", False),
                "stor_flag": acceptance.get("stor_flag", False),
                "rr_flag": acceptance.get("rr_flag", False),
                "deemed_flag": acceptance.get("deemed", False),
            }
        )
        bm["acceptance_level"] += [{**ident, **s} for s in _segments(acceptance["points"])]


def _volume_rows(case: dict) -> dict[str, list[dict]]:
    """metered_volume, balancing_services_volume, ecvn and mvrn rows (ECVNs and MVRNs
    numbered in the case's order)."""
    rows: dict[str, list[dict]] = {}
    for key, table in (
        ("metered_volumes", "metered_volume"),
        ("balancing_services_volume", "balancing_services_volume"),
    ):
        rows[table] = [
            {"bm_unit_id": r["bm_unit"], "period": r["period"], "mwh": float(r["mwh"])}
            for r in case.get(key, [])
        ]
    rows["ecvn"] = [
        {
            "seq": i,
            "period": e["period"],
            "from_party_id": e["from_party"],
            "from_account": e["from_account"],
            "to_party_id": e["to_party"],
            "to_account": e["to_account"],
            "mwh": float(e["mwh"]),
        }
        for i, e in enumerate(case.get("ecvns", []))
    ]
    rows["mvrn"] = [
        {
            "seq": i,
            "bm_unit_id": m["bm_unit"],
            "to_party_id": m["to_party"],
            "to_account": m["to_account"],
            "fixed_mwh": float(m.get("fixed_mwh", 0.0)),
            "percentage": float(m.get("percentage", 0.0)),
        }
        for i, m in enumerate(case.get("mvrns", []))
    ]
    return rows


def _price_input_rows(case: dict) -> dict[str, list[dict]]:
    """bsad_action, market_index, lolp and price_adjustment rows, optional values defaulted."""
    rows: dict[str, list[dict]] = {}
    rows["bsad_action"] = [
        {
            "period": b["period"],
            "id": b["id"],
            "volume": float(b["volume"]),
            "cost": None if b.get("cost") is None else float(b["cost"]),
            "so_flag": b.get("so_flag", False),
            "stor_flag": b.get("stor_flag", False),
            "party_id": b.get("party"),
            "asset_id": b.get("asset"),
            "service": b.get("service"),
        }
        for b in case.get("bsad", [])
    ]
    rows["market_index"] = [
        {
            "period": m["period"],
            "provider": m["provider"],
            "price": float(m["price"]),
            "volume": float(m["volume"]),
        }
        for m in case.get("market_index", [])
    ]
    rows["lolp"] = [
        {
            "period": r["period"],
            "lolp": float(r["lolp"]),
            "stor_window": r.get("stor_window", False),
            "derated_margin": r.get("derated_margin"),
        }
        for r in case.get("lolp", [])
    ]
    rows["price_adjustment"] = [
        {"period": r["period"], "bpa": float(r.get("bpa", 0.0)), "spa": float(r.get("spa", 0.0))}
        for r in case.get("price_adjustment", [])
    ]
    return rows


def ensure_reference_data(conn: Connection, case: dict) -> None:
    """Add the case's parties, energy accounts and BM units to the register where missing."""
    party = Party.__table__
    known = set(conn.execute(select(party.c.id)).scalars())
    new_parties = [p for p in case["parties"] if p["id"] not in known]
    if new_parties:
        conn.execute(
            party.insert(), [{"id": p["id"], "name": p.get("name", "")} for p in new_parties]
        )
        conn.execute(
            EnergyAccount.__table__.insert(),
            [{"party_id": p["id"], "account": a} for p in new_parties for a in ("P", "C")],
        )
    unit = BmUnit.__table__
    known_units = set(conn.execute(select(unit.c.id)).scalars())
    new_units = [u for u in case["bm_units"] if u["id"] not in known_units]
    if new_units:
        conn.execute(
            unit.insert(),
            [
                {
                    "id": u["id"],
                    "name": "",
                    "lead_party_id": u["lead_party"],
                    "pc_status": u["pc_status"],
                    "trading_unit": u.get("trading_unit", u["id"]),
                    "tlf": u["tlf"],
                    "interconnector": u.get("interconnector", False),
                }
                for u in new_units
            ],
        )


def import_case(
    db: SettlementDatabase,
    case: dict,
    run_type: RunType = RunType.SF,
    *,
    run_number: int | None = None,
    source: str = "case file",
) -> int:
    """Store a validated case as a new loaded run, in one transaction; return the run id."""
    settlement_date = date.fromisoformat(case["settlement_date"])
    bm_rows, run_rows = case_to_rows(case)
    with db.engine.begin() as conn:
        ensure_reference_data(conn, case)
        dataset_id = create_bm_dataset(conn, settlement_date, bm_rows, source=source)
        run_id = create_run(
            conn,
            settlement_date,
            run_type,
            bm_dataset_id=dataset_id,
            source=source,
            run_number=run_number,
            periods=case.get("periods"),
            notes=json.dumps(case["notes"]) if "notes" in case else None,
        )
        write_inputs(conn, run_id, run_rows)
        finish_loading(conn, run_id)
    return run_id


def _read(conn: Connection, table: Table, key: str, value: int) -> list[dict]:
    query = select(table).where(table.c[key] == value).order_by(*table.primary_key.columns)
    return [dict(row) for row in conn.execute(query).mappings()]


def read_run_rows(conn: Connection, run_id: int) -> tuple[dict, dict[str, list[dict]]]:
    """(run row, input rows by table name, BM data included) of a stored run."""
    run = (
        conn.execute(select(SettlementRun.__table__).where(SettlementRun.__table__.c.id == run_id))
        .mappings()
        .first()
    )
    if run is None:
        raise RunNotFoundError(f"run {run_id} does not exist")
    tables = {t.name: _read(conn, t, "run_id", run_id) for t in RUN_INPUT_TABLES}
    for table in BM_DATA_TABLES:
        tables[table.name] = _read(conn, table, "dataset_id", run["bm_dataset_id"])
    return dict(run), tables


def export_case(db: SettlementDatabase, run_id: int, periods: Sequence[int] | None = None) -> dict:
    """The case document of a stored run, optionally cut down to some periods."""
    with db.engine.connect() as conn:
        run, tables = read_run_rows(conn, run_id)
    settlement_date: date = run["settlement_date"]
    stored = decode_periods(run["periods"])
    stored_periods = None if stored is None else list(stored)
    return rows_to_case(settlement_date, tables, stored_periods, run["notes"], periods)


def _without_nulls(record: dict, keep: Sequence[str] = ()) -> dict:
    """Optional keys are left out when null, so a hand-written case round-trips as written."""
    return {k: v for k, v in record.items() if v is not None or k in keep}


@dataclass(frozen=True, slots=True)
class _PeriodCut:
    """What a case cut down to some periods keeps: the rows of those periods and the profiles
    (segments, in time order) that overlap their window; everything when `wanted` is None."""

    wanted: frozenset[int] | None = None
    window_start: int = 0  # epoch s, the first wanted period's start
    window_end: int = 0  # epoch s, the last wanted period's end

    def keeps_row(self, row: dict) -> bool:
        return self.wanted is None or row["period"] in self.wanted

    def keeps_profile(self, segments: list[dict]) -> bool:
        return self.wanted is None or (
            segments[0]["time_from"] <= self.window_end
            and segments[-1]["time_to"] >= self.window_start
        )


def _period_cut(settlement_date: date, periods: Sequence[int] | None) -> _PeriodCut:
    """The cut to `periods` (none: the whole day); RunNotFoundError for a period the day
    does not have."""
    if not periods:
        return _PeriodCut()
    count = periods_in_day(settlement_date)
    bad = [p for p in periods if not 1 <= p <= count]
    if bad:
        raise RunNotFoundError(
            f"period(s) {', '.join(map(str, bad))} do not exist on {settlement_date} (1 to {count})"
        )
    wanted = frozenset(periods)
    return _PeriodCut(
        wanted,
        int(period_start_utc(settlement_date, min(wanted)).timestamp()),
        int(period_start_utc(settlement_date, max(wanted)).timestamp()) + 1800,
    )


def rows_to_case(
    settlement_date: date,
    tables: dict[str, list[dict]],
    stored_periods: list[int] | None = None,
    notes: str | None = None,
    periods: Sequence[int] | None = None,
) -> dict:
    """Build a case document from input rows (as read from a run)."""
    cut = _period_cut(settlement_date, periods)
    # Keys in one fixed order: a run always gives the same case file, byte for byte.
    case: dict = {"format": CASE_FORMAT, "settlement_date": settlement_date.isoformat()}
    if periods:
        case["periods"] = sorted(set(periods))
    elif stored_periods:
        case["periods"] = stored_periods
    parameters = {r["name"]: r["value"] for r in tables["run_parameter"]}
    if parameters:
        case["parameters"] = parameters
    case["parties"] = [{"id": r["party_id"], "name": r["name"]} for r in tables["run_party"]]
    case["bm_units"] = _bm_unit_entries(tables)
    case.update(_notification_entries(tables, cut))
    case["bid_offer"] = _bid_offer_entries(tables, cut)
    case["acceptances"] = _acceptance_entries(tables, cut)
    case.update(_volume_entries(tables, cut))
    case.update(_price_input_entries(tables, cut))
    if notes is not None:
        case["notes"] = json.loads(notes)
    return case


def _bm_unit_entries(tables: dict[str, list[dict]]) -> list[dict]:
    return [
        {
            "id": r["bm_unit_id"],
            "lead_party": r["lead_party_id"],
            "pc_status": r["pc_status"],
            "trading_unit": r["trading_unit"],
            "tlf": r["tlf"],
            "interconnector": bool(r["interconnector"]),
        }
        for r in tables["run_bm_unit"]
    ]


def _notification_entries(tables: dict[str, list[dict]], cut: _PeriodCut) -> dict[str, list]:
    """The fpn, qpn, mel and mil lists: each stored profile as points. A kind without
    profiles is left out, except fpn, which the format requires."""
    profiles: dict[tuple, list[dict]] = defaultdict(list)
    for r in tables["physical_notification"]:
        profiles[(r["notification"], r["bm_unit_id"], r["profile"])].append(r)
    entries_of_key = {}
    for key in PROFILE_KEYS:
        notification = NOTIFICATION_OF_KEY[key]
        entries = [
            {"bm_unit": unit, "points": _points(segments)}
            for (kind, unit, _), segments in profiles.items()
            if kind == notification and cut.keeps_profile(segments)
        ]
        if entries or key == "fpn":
            entries_of_key[key] = entries
    return entries_of_key


def _bid_offer_entries(tables: dict[str, list[dict]], cut: _PeriodCut) -> list[dict]:
    """Each pair of a kept period: its prices (stored on every segment) and its band points."""
    pairs: dict[tuple, list[dict]] = defaultdict(list)
    for r in tables["bid_offer"]:
        if cut.keeps_row(r):
            pairs[(r["bm_unit_id"], r["period"], r["pair"])].append(r)
    return [
        {
            "bm_unit": unit,
            "period": period,
            "pair": pair,
            "offer": segments[0]["offer_price"],
            "bid": segments[0]["bid_price"],
            "points": _points(segments),
        }
        for (unit, period, pair), segments in pairs.items()
    ]


def _acceptance_entries(tables: dict[str, list[dict]], cut: _PeriodCut) -> list[dict]:
    """Each acceptance whose levels overlap the kept window, with its flags and level points."""
    acceptance_levels: dict[tuple, list[dict]] = defaultdict(list)
    for r in tables["acceptance_level"]:
        acceptance_levels[(r["bm_unit_id"], r["number"])].append(r)
    return [
        {
            "bm_unit": r["bm_unit_id"],
            "number": r["number"],
            "time": format_time(r["acceptance_time"]),
            "so_flag": bool(r["so_flag"]),
            "stor_flag": bool(r["stor_flag"]),
            "rr_flag": bool(r["rr_flag"]),
            "deemed": bool(r["deemed_flag"]),
            "points": _points(segments),
        }
        for r in tables["acceptance"]
        if cut.keeps_profile(segments := acceptance_levels[(r["bm_unit_id"], r["number"])])
    ]


def _volume_entries(tables: dict[str, list[dict]], cut: _PeriodCut) -> dict[str, list]:
    """metered_volumes, ecvns, mvrns (not per period: all kept), in the format's order."""
    return {
        "metered_volumes": [
            {"bm_unit": r["bm_unit_id"], "period": r["period"], "mwh": r["mwh"]}
            for r in tables["metered_volume"]
            if cut.keeps_row(r)
        ],
        "ecvns": [
            {
                "from_party": r["from_party_id"],
                "from_account": r["from_account"],
                "to_party": r["to_party_id"],
                "to_account": r["to_account"],
                "period": r["period"],
                "mwh": r["mwh"],
            }
            for r in tables["ecvn"]
            if cut.keeps_row(r)
        ],
        "mvrns": [
            {
                "bm_unit": r["bm_unit_id"],
                "to_party": r["to_party_id"],
                "to_account": r["to_account"],
                "fixed_mwh": r["fixed_mwh"],
                "percentage": r["percentage"],
            }
            for r in tables["mvrn"]
        ],
    }


def _price_input_entries(tables: dict[str, list[dict]], cut: _PeriodCut) -> dict[str, list]:
    """The imbalance price inputs of the kept periods: bsad, balancing_services_volume,
    market_index, lolp and price_adjustment, in the format's order."""
    return {
        "bsad": [
            _without_nulls(
                {
                    "id": r["id"],
                    "period": r["period"],
                    "volume": r["volume"],
                    "cost": r["cost"],
                    "so_flag": bool(r["so_flag"]),
                    "stor_flag": bool(r["stor_flag"]),
                    "party": r["party_id"],
                    "asset": r["asset_id"],
                    "service": r["service"],
                },
                keep=("cost",),  # a null cost means an unpriced action
            )
            for r in tables["bsad_action"]
            if cut.keeps_row(r)
        ],
        "balancing_services_volume": [
            {"bm_unit": r["bm_unit_id"], "period": r["period"], "mwh": r["mwh"]}
            for r in tables["balancing_services_volume"]
            if cut.keeps_row(r)
        ],
        "market_index": [
            {
                "period": r["period"],
                "provider": r["provider"],
                "price": r["price"],
                "volume": r["volume"],
            }
            for r in tables["market_index"]
            if cut.keeps_row(r)
        ],
        "lolp": [
            _without_nulls(
                {
                    "period": r["period"],
                    "lolp": r["lolp"],
                    "stor_window": bool(r["stor_window"]),
                    "derated_margin": r["derated_margin"],
                }
            )
            for r in tables["lolp"]
            if cut.keeps_row(r)
        ],
        "price_adjustment": [
            {"period": r["period"], "bpa": r["bpa"], "spa": r["spa"]}
            for r in tables["price_adjustment"]
            if cut.keeps_row(r)
        ],
    }
