"""Small helpers to write engine inputs by hand in tests: times as minutes after a base."""

from __future__ import annotations

import json
from datetime import date, datetime

from engine.bm_inputs import BmInputs, bm_inputs_from_records
from engine.settlement_calendar import local_midnight_utc, period_start_utc
from tests.paths import CASES

DAY = date(2024, 6, 12)
DAY_START = int(local_midnight_utc(DAY).timestamp())
P27 = int(period_start_utc(DAY, 27).timestamp())  # 12:00Z


def at(minutes: float, base: int = P27) -> int:
    return int(base + 60 * minutes)


def pts(*pairs: tuple[float, float], base: int = P27) -> list[tuple[int, float]]:
    return [(at(m, base), level) for m, level in pairs]


def iso(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def inputs(
    units: list[str],
    fpn: dict,
    bid_offer: list[dict],
    acceptances: list[dict],
    day: date = DAY,
) -> BmInputs:
    return bm_inputs_from_records(day, units, fpn, bid_offer, acceptances)


def pair(unit: str, period: int, n: int, offer: float, bid: float, points) -> dict:
    return {
        "bm_unit": unit,
        "period": period,
        "pair": n,
        "offer": offer,
        "bid": bid,
        "points": points,
    }


def acceptance(unit: str, number: int, points, **flags) -> dict:
    return {"bm_unit": unit, "number": number, "time": points[0][0], "points": points, **flags}


def worked_example_inputs(rr_on_second: bool = False) -> BmInputs:
    """The BM inputs of the rulebook's worked example (tests/cases/worked_example.json);
    rr_on_second flags acceptance 2 as RR."""
    case = json.loads((CASES / "worked_example.json").read_text())

    def points(p):
        return [(iso(t), level) for t, level in p]

    return inputs(
        [u["id"] for u in case["bm_units"]],
        {f["bm_unit"]: points(f["points"]) for f in case["fpn"]},
        [{**b, "points": points(b["points"])} for b in case["bid_offer"]],
        [
            {
                **a,
                "time": iso(a["time"]),
                "points": points(a["points"]),
                "rr_flag": rr_on_second and a["number"] == 2,
            }
            for a in case["acceptances"]
        ],
    )
