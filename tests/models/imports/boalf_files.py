"""BOALF records of one wind unit and the Insights JSON files that hold them."""

from __future__ import annotations

import json
from pathlib import Path


def boalf(number, t_from, t_to, level_from, level_to, period_from, period_to):
    """One BOALF record of T_AKGLW-3 on 2022-01-01 as the Insights API gives it."""
    return {
        "dataset": "BOALF",
        "settlementDate": "2022-01-01",
        "settlementPeriodFrom": period_from,
        "settlementPeriodTo": period_to,
        "timeFrom": t_from,
        "timeTo": t_to,
        "levelFrom": level_from,
        "levelTo": level_to,
        "acceptanceNumber": number,
        "acceptanceTime": "2022-01-01T18:19:00Z",
        "deemedBoFlag": False,
        "soFlag": True,
        "storFlag": False,
        "rrFlag": False,
        "nationalGridBmUnit": "AKGLW-3",
        "bmUnit": "T_AKGLW-3",
    }


# Three records: two levels of acceptance 1 (its header repeats, which is no duplicate) and one
# segment of acceptance 2 running past midnight (put on both dates, which is no duplicate).
RECORDS = [
    boalf(1, "2022-01-01T18:21:00Z", "2022-01-01T18:24:00Z", 42.0, 5.0, 37, 37),
    boalf(1, "2022-01-01T18:24:00Z", "2022-01-01T19:04:00Z", 5.0, 5.0, 37, 39),
    boalf(2, "2022-01-01T23:54:00Z", "2022-01-02T00:01:00Z", 3.0, 71.0, 48, 1),
]


def write_boalf(path: Path, records: list[dict]) -> Path:
    """The records as an Insights JSON file (`{"data": [...]}`) at path."""
    path.write_text(json.dumps({"data": records}))
    return path
