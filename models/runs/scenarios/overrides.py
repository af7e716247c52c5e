"""The edits a scenario can make, applied to a run's input frames.

Each kind of override names its target (which input) and its new value, both plain JSON, and
knows how to read the current value (for the audit trail) and how to apply the new one to
the frames the engine is built from. Base runs are never touched: overrides act on frames.

Kinds (target → new value; None removes where that makes sense):
- metered_volume {bm_unit, period} → {mwh} or None
- remove_acceptance {bm_unit, number} → None
- add_acceptance {bm_unit, number} → {time, points, so_flag, stor_flag, rr_flag, deemed_flag}
- acceptance_levels {bm_unit, number} → {points}
- acceptance_flags {bm_unit, number} → {so_flag, stor_flag, rr_flag, deemed_flag}
- bid_offer_price {bm_unit, period, pair} → {offer, bid}
- tlf {bm_unit} → {tlf}
- ecvn {seq} → {mwh} or None; a new seq adds {from_party, from_account, to_party,
  to_account, period, mwh}
- bsad {period, id} → {volume, cost, so_flag, stor_flag} or None
- mip {period} → {price}: the period's market index data become that one price
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from models.casefiles.case_file import format_time, parse_time
from models.core.errors import WorkbenchInputError

# A scenario's input tables as pandas DataFrames: the form edits are applied to.
EditableTables = dict[str, pd.DataFrame]


def as_frames(tables: dict) -> EditableTables:
    """A run's input tables (numpy columns, as read) as frames to edit."""
    return {name: pd.DataFrame(table) for name, table in tables.items()}


class OverrideError(WorkbenchInputError):
    """An override that does not fit the run (unknown unit, acceptance, period…)."""


@dataclass(frozen=True)
class Override:
    kind: str
    target: dict
    new_value: dict | None

    def describe(self) -> str:
        target = ", ".join(f"{k} {v}" for k, v in self.target.items())
        return f"{KINDS[self.kind].title}: {target}"


@dataclass(frozen=True)
class Kind:
    title: str
    read: Callable[[EditableTables, dict], dict | None]
    apply: Callable[[EditableTables, dict, dict | None], None]
    keys: tuple[str, ...]


def _mask(frame: pd.DataFrame, target: dict, columns: dict[str, str]) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for key, column in columns.items():
        mask &= frame[column] == target[key]
    return mask


def _require_unit(frames: EditableTables, unit: str) -> None:
    if unit not in set(frames["run_bm_unit"]["bm_unit_id"]):
        raise OverrideError(f"BM unit {unit} is not in the run")


# -- metered volume ------------------------------------------------------------------------

METERED = {"bm_unit": "bm_unit_id", "period": "period"}


def _read_metered(frames: EditableTables, target: dict) -> dict | None:
    _require_unit(frames, target["bm_unit"])
    frame = frames["metered_volume"]
    rows = frame[_mask(frame, target, METERED)]
    return None if rows.empty else {"mwh": float(rows["mwh"].iloc[0])}


def _apply_metered(frames: EditableTables, target: dict, value: dict | None) -> None:
    frame = frames["metered_volume"]
    frame = frame[~_mask(frame, target, METERED)]
    if value is not None:
        row = {
            "bm_unit_id": target["bm_unit"],
            "period": int(target["period"]),
            "mwh": float(value["mwh"]),
        }
        frame = pd.concat([frame, pd.DataFrame([row])], ignore_index=True)
    frames["metered_volume"] = frame.sort_values(["bm_unit_id", "period"]).reset_index(drop=True)


# -- acceptances ---------------------------------------------------------------------------

ACCEPTANCE = {"bm_unit": "bm_unit_id", "number": "number"}
FLAGS = ("so_flag", "stor_flag", "rr_flag", "deemed_flag")


def _acceptance_rows(frames: EditableTables, target: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    acceptances = frames["acceptance"]
    levels = frames["acceptance_level"]
    return (
        acceptances[_mask(acceptances, target, ACCEPTANCE)],
        levels[_mask(levels, target, ACCEPTANCE)].sort_values("seq"),
    )


def _read_acceptance(frames: EditableTables, target: dict) -> dict | None:
    header, levels = _acceptance_rows(frames, target)
    if header.empty:
        return None
    row = header.iloc[0]
    points = [[format_time(int(levels["time_from"].iloc[0])), float(levels["level_from"].iloc[0])]]
    points += [
        [format_time(int(t)), float(v)]
        for t, v in zip(levels["time_to"], levels["level_to"], strict=True)
    ]
    return {
        "time": format_time(int(row["acceptance_time"])),
        "points": points,
        **{f: bool(row[f]) for f in FLAGS},
    }


def _read_existing_acceptance(frames: EditableTables, target: dict) -> dict:
    _require_unit(frames, target["bm_unit"])
    value = _read_acceptance(frames, target)
    if value is None:
        raise OverrideError(f"{target['bm_unit']} has no acceptance {target['number']}")
    return value


def _drop_acceptance(frames: EditableTables, target: dict) -> None:
    for table in ("acceptance", "acceptance_level"):
        frame = frames[table]
        frames[table] = frame[~_mask(frame, target, ACCEPTANCE)].reset_index(drop=True)


def _put_acceptance(frames: EditableTables, target: dict, value: dict) -> None:
    points = value["points"]
    if len(points) < 2:
        raise OverrideError("an acceptance needs at least two points (time, MW)")
    times = [parse_time(t) for t, _ in points]
    if any(b < a for a, b in itertools.pairwise(times)):
        raise OverrideError("acceptance points must run forward in time")
    header = {
        "bm_unit_id": target["bm_unit"],
        "number": int(target["number"]),
        "acceptance_time": parse_time(value["time"]),
        **{f: bool(value.get(f, False)) for f in FLAGS},
    }
    levels = [
        {
            "bm_unit_id": target["bm_unit"],
            "number": int(target["number"]),
            "seq": s,
            "time_from": times[s],
            "level_from": float(points[s][1]),
            "time_to": times[s + 1],
            "level_to": float(points[s + 1][1]),
        }
        for s in range(len(points) - 1)
    ]
    frames["acceptance"] = (
        pd.concat([frames["acceptance"], pd.DataFrame([header])], ignore_index=True)
        .sort_values(["bm_unit_id", "number"])
        .reset_index(drop=True)
    )
    frames["acceptance_level"] = (
        pd.concat([frames["acceptance_level"], pd.DataFrame(levels)], ignore_index=True)
        .sort_values(["bm_unit_id", "number", "seq"])
        .reset_index(drop=True)
    )


def _apply_remove_acceptance(frames: EditableTables, target: dict, value) -> None:
    _drop_acceptance(frames, target)


def _apply_add_acceptance(frames: EditableTables, target: dict, value: dict | None) -> None:
    _drop_acceptance(frames, target)
    if value is not None:
        _put_acceptance(frames, target, value)


def _read_new_acceptance(frames: EditableTables, target: dict) -> dict | None:
    _require_unit(frames, target["bm_unit"])
    if _read_acceptance(frames, target) is not None:
        raise OverrideError(
            f"{target['bm_unit']} already has acceptance {target['number']}: edit its levels"
        )
    return None


def _apply_levels(frames: EditableTables, target: dict, value: dict | None) -> None:
    current = _read_existing_acceptance(frames, target)
    _drop_acceptance(frames, target)
    _put_acceptance(frames, target, {**current, "points": value["points"]})


def _read_levels(frames: EditableTables, target: dict) -> dict:
    return {"points": _read_existing_acceptance(frames, target)["points"]}


def _read_flags(frames: EditableTables, target: dict) -> dict:
    current = _read_existing_acceptance(frames, target)
    return {f: current[f] for f in FLAGS}


def _apply_flags(frames: EditableTables, target: dict, value: dict | None) -> None:
    frame = frames["acceptance"].copy()
    mask = _mask(frame, target, ACCEPTANCE)
    for flag in FLAGS:
        if flag in value:
            frame[flag] = frame[flag].astype(bool)  # stored as 0/1 in some databases
            frame.loc[mask, flag] = bool(value[flag])
    frames["acceptance"] = frame


# -- prices, TLF, contracts, BSAD, MIP -----------------------------------------------------

PAIR = {"bm_unit": "bm_unit_id", "period": "period", "pair": "pair"}


def _read_prices(frames: EditableTables, target: dict) -> dict:
    frame = frames["bid_offer"]
    rows = frame[_mask(frame, target, PAIR)]
    if rows.empty:
        raise OverrideError(
            f"{target['bm_unit']} has no pair {target['pair']} in period {target['period']}"
        )
    return {"offer": float(rows["offer_price"].iloc[0]), "bid": float(rows["bid_price"].iloc[0])}


def _apply_prices(frames: EditableTables, target: dict, value: dict | None) -> None:
    if value["bid"] > value["offer"]:
        raise OverrideError("a pair's bid price cannot exceed its offer price")
    frame = frames["bid_offer"].copy()
    mask = _mask(frame, target, PAIR)
    frame.loc[mask, "offer_price"] = float(value["offer"])
    frame.loc[mask, "bid_price"] = float(value["bid"])
    frames["bid_offer"] = frame


def _read_tlf(frames: EditableTables, target: dict) -> dict:
    _require_unit(frames, target["bm_unit"])
    frame = frames["run_bm_unit"]
    return {"tlf": float(frame.loc[frame["bm_unit_id"] == target["bm_unit"], "tlf"].iloc[0])}


def _apply_tlf(frames: EditableTables, target: dict, value: dict | None) -> None:
    frame = frames["run_bm_unit"].copy()
    frame.loc[frame["bm_unit_id"] == target["bm_unit"], "tlf"] = float(value["tlf"])
    frames["run_bm_unit"] = frame


ECVN_FIELDS = ("from_party_id", "from_account", "to_party_id", "to_account", "period", "mwh")


def _read_ecvn(frames: EditableTables, target: dict) -> dict | None:
    frame = frames["ecvn"]
    rows = frame[frame["seq"] == target["seq"]]
    if rows.empty:
        return None
    row = rows.iloc[0]
    return {
        "from_party": row["from_party_id"],
        "from_account": row["from_account"],
        "to_party": row["to_party_id"],
        "to_account": row["to_account"],
        "period": int(row["period"]),
        "mwh": float(row["mwh"]),
    }


def _apply_ecvn(frames: EditableTables, target: dict, value: dict | None) -> None:
    current = _read_ecvn(frames, target)
    frame = frames["ecvn"]
    frame = frame[frame["seq"] != target["seq"]]
    if value is not None:
        merged = {**(current or {}), **value}
        missing = [
            k
            for k in ("from_party", "from_account", "to_party", "to_account", "period", "mwh")
            if k not in merged
        ]
        if missing:
            raise OverrideError(f"a new ECVN needs {', '.join(missing)}")
        row = {
            "seq": int(target["seq"]),
            "period": int(merged["period"]),
            "from_party_id": merged["from_party"],
            "from_account": merged["from_account"],
            "to_party_id": merged["to_party"],
            "to_account": merged["to_account"],
            "mwh": float(merged["mwh"]),
        }
        frame = pd.concat([frame, pd.DataFrame([row])], ignore_index=True)
    frames["ecvn"] = frame.sort_values("seq").reset_index(drop=True)


BSAD = {"period": "period", "id": "id"}


def _read_bsad(frames: EditableTables, target: dict) -> dict | None:
    frame = frames["bsad_action"]
    rows = frame[_mask(frame, target, BSAD)]
    if rows.empty:
        return None
    row = rows.iloc[0]
    cost = row["cost"]
    return {
        "volume": float(row["volume"]),
        "cost": None if pd.isna(cost) else float(cost),
        "so_flag": bool(row["so_flag"]),
        "stor_flag": bool(row["stor_flag"]),
    }


def _apply_bsad(frames: EditableTables, target: dict, value: dict | None) -> None:
    current = _read_bsad(frames, target) or {}
    frame = frames["bsad_action"]
    frame = frame[~_mask(frame, target, BSAD)]
    if value is not None:
        merged = {"so_flag": False, "stor_flag": False, **current, **value}
        row = {
            "period": int(target["period"]),
            "id": str(target["id"]),
            "volume": float(merged["volume"]),
            "cost": None if merged.get("cost") is None else float(merged["cost"]),
            "so_flag": bool(merged["so_flag"]),
            "stor_flag": bool(merged["stor_flag"]),
            "party_id": None,
            "asset_id": None,
            "service": "scenario",
        }
        frame = pd.concat([frame, pd.DataFrame([row])], ignore_index=True)
    frames["bsad_action"] = frame.sort_values(["period", "id"]).reset_index(drop=True)


def _read_mip(frames: EditableTables, target: dict) -> dict | None:
    frame = frames["market_index"]
    rows = frame[frame["period"] == target["period"]]
    volume = float(rows["volume"].sum())
    if rows.empty or volume <= 0:
        return None
    return {"price": float((rows["price"] * rows["volume"]).sum() / volume)}


def _apply_mip(frames: EditableTables, target: dict, value: dict | None) -> None:
    frame = frames["market_index"]
    frame = frame[frame["period"] != target["period"]]
    if value is not None:
        row = {
            "period": int(target["period"]),
            "provider": "scenario",
            "price": float(value["price"]),
            "volume": 1.0,
        }
        frame = pd.concat([frame, pd.DataFrame([row])], ignore_index=True)
    frames["market_index"] = frame.sort_values(["period", "provider"]).reset_index(drop=True)


KINDS: dict[str, Kind] = {
    "metered_volume": Kind("Metered volume", _read_metered, _apply_metered, ("bm_unit", "period")),
    "remove_acceptance": Kind(
        "Remove acceptance",
        _read_existing_acceptance,
        _apply_remove_acceptance,
        ("bm_unit", "number"),
    ),
    "add_acceptance": Kind(
        "Add acceptance", _read_new_acceptance, _apply_add_acceptance, ("bm_unit", "number")
    ),
    "acceptance_levels": Kind(
        "Acceptance levels", _read_levels, _apply_levels, ("bm_unit", "number")
    ),
    "acceptance_flags": Kind("Acceptance flags", _read_flags, _apply_flags, ("bm_unit", "number")),
    "bid_offer_price": Kind(
        "Bid-offer prices", _read_prices, _apply_prices, ("bm_unit", "period", "pair")
    ),
    "tlf": Kind("TLF", _read_tlf, _apply_tlf, ("bm_unit",)),
    "ecvn": Kind("ECVN", _read_ecvn, _apply_ecvn, ("seq",)),
    "bsad": Kind("BSAD action", _read_bsad, _apply_bsad, ("period", "id")),
    "mip": Kind("Market index price", _read_mip, _apply_mip, ("period",)),
}


def check_target(kind: str, target: dict) -> None:
    if kind not in KINDS:
        raise OverrideError(f"unknown override {kind!r}; expected one of {', '.join(KINDS)}")
    missing = [k for k in KINDS[kind].keys if k not in target]
    if missing:
        raise OverrideError(f"{kind} needs {', '.join(missing)}")


def read_value(frames: EditableTables, kind: str, target: dict) -> dict | None:
    check_target(kind, target)
    return KINDS[kind].read(frames, target)


def apply_override(frames: EditableTables, kind: str, target: dict, new_value: dict | None) -> None:
    check_target(kind, target)
    KINDS[kind].apply(frames, target, new_value)
