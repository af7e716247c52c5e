"""Published system prices (imported with a run) against the engine's, period by period."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select

from models.db.schema import SystemPriceResult

PRICE_TOLERANCE = 0.005  # £/MWh: published prices are to the penny
NIV_TOLERANCE = 0.0005  # MWh: published NIV to 3 dp (Elexon's own figures can differ ~1 MWh)


@dataclass(frozen=True, slots=True)
class PublishedPrice:
    period: int
    ssp: float | None
    sbp: float | None
    niv: float | None


def read_published_prices(conn: Connection, run_id: int) -> dict[int, PublishedPrice]:
    table = SystemPriceResult.__table__
    rows = conn.execute(
        select(table.c.period, table.c.ssp, table.c.sbp, table.c.niv).where(
            table.c.run_id == run_id, table.c.origin == "published"
        )
    ).all()
    return {r.period: PublishedPrice(r.period, r.ssp, r.sbp, r.niv) for r in rows}


def _number(value) -> float | None:
    return None if value is None or math.isnan(float(value)) else float(value)


def _difference(engine: float | None, published: float | None) -> float | None:
    if engine is None or published is None or math.isnan(engine) or math.isnan(published):
        return None
    return engine - published


def price_comparison(
    published: dict[int, PublishedPrice],
    periods: Sequence[int],
    ssp: Sequence[float],
    sbp: Sequence[float],
    niv: Sequence[float],
) -> list[dict]:
    """Per period the engine figure, the published one and engine − published (None if either
    is missing); `differs` when SSP, SBP or NIV disagree beyond the published precision."""
    rows = []
    # An unavailable engine price (NaN) is None here: JSON null, never NaN.
    engine = {int(p): (_number(s), _number(b), _number(n)) for p, s, b, n in
              zip(periods, ssp, sbp, niv, strict=True)}  # fmt: skip
    for period in sorted(set(engine) | set(published)):
        mine = engine.get(period, (None, None, None))
        theirs = published.get(period, PublishedPrice(period, None, None, None))
        row = {"period": period}
        differs = False
        for n, name, tolerance in ((0, "ssp", PRICE_TOLERANCE), (1, "sbp", PRICE_TOLERANCE),
                                   (2, "niv", NIV_TOLERANCE)):  # fmt: skip
            value = getattr(theirs, name)
            delta = _difference(mine[n], value)
            row |= {f"engine_{name}": mine[n], f"published_{name}": value,
                    f"{name}_difference": delta}  # fmt: skip
            differs |= delta is not None and abs(delta) > tolerance
        row["differs"] = differs
        rows.append(row)
    return rows
