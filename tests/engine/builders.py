"""Small helpers to write engine inputs by hand in tests: times as minutes after a base."""

from __future__ import annotations

from datetime import date, datetime

from engine.bm_inputs import BmInputs, bm_inputs_from_records
from engine.settlement_calendar import local_midnight_utc, period_start_utc

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
