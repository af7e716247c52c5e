"""The hand-checked case of the completeness tests: two units, periods 27 and 28.

Period 27 has every settlement input but LoLP (FPN, metered volumes, a BSAD action, market
index data, MEL); period 28 has only FPN, and no acceptance, so its NIV is 0 and its price
needs MIP, which it does not have: its price is unavailable. Used by the completeness tests
of the runs, the Completeness sheet and the banner of the day overview.
"""

from __future__ import annotations

from tests.engine.case_builder import accept, case, flat, metered, pair, unit


def completeness_case() -> dict:
    return case(
        periods=[27, 28],
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("G1", "GEN"), unit("D1", "SUP", pc="C")],
        fpn=[flat("G1", 100.0, 0, 60), flat("D1", -100.0, 0, 60)],
        mel=[flat("G1", 150.0, 0, 30)],
        bid_offer=[pair("G1", 27, 1, 80.0, 40.0, 50.0)],
        acceptances=[accept("G1", 1, 120.0)],
        metered_volumes=[metered("G1", 60.0), metered("D1", -60.0)],
        bsad=[{"period": 27, "id": "B1", "volume": 5.0, "cost": 300.0}],
        market_index=[{"period": 27, "provider": "APXMIDP", "price": 50.0, "volume": 100.0}],
    )
