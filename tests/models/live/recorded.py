"""Real recorded Elexon files (../shared/data/elexon, BMRS data © Elexon Limited copyright and
database right 2026, used under the BMRS open data licence; see its README) cut into the
messages IRIS would have pushed: one dataset each, a JSON list of Insights records."""

from __future__ import annotations

import json
from pathlib import Path

from models.live.handler import Message
from tests.paths import ELEXON_DATA

# 2022-01-01, wind BM units: acceptances, physical notifications and bid-offer data.
DAY_FILES = (
    "insights_json/PN_2022-01-01.json",
    "insights_json/BOD_2022-01-01.json",
    "insights_json/BOALF_2022-01-01.json",
)


def recorded(name: str) -> Path:
    return Path(ELEXON_DATA) / name


def messages_of(path: Path, per_message: int) -> list[Message]:
    """The records of an Insights file, `per_message` at a time, in the file's order."""
    document = json.loads(path.read_text())
    records = document["data"] if isinstance(document, dict) else document
    dataset = records[0]["dataset"]
    return [
        Message(dataset, f"{path.stem}#{start}", json.dumps(records[start : start + per_message]))
        for start in range(0, len(records), per_message)
    ]
