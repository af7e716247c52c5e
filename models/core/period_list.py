"""A list of settlement periods as the database stores it: period numbers joined by commas,
"27,28,29", and NULL for "every period of the day" (runs, scenarios, dispute cases).

The order is kept as given (nothing is sorted or de-duplicated here); an empty list is stored
as NULL, because a run of no periods does not exist: it means the whole day.
"""

from __future__ import annotations

from collections.abc import Iterable


def encode_periods(periods: Iterable[int] | None) -> str | None:
    """(27, 28) → "27,28"; None or an empty list → None (every period)."""
    return ",".join(str(p) for p in periods) if periods else None


def decode_periods(text: str | None) -> tuple[int, ...] | None:
    """The stored text read back: "27,28" → (27, 28); None or "" → None (every period)."""
    return tuple(int(p) for p in text.split(",")) if text else None
