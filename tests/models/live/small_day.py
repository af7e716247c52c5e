"""A small hand-checked live day: 2022-01-01, one registered wind BM unit (E_BETHW-1, TLF
−0.0323359 in the 2026 Insights register, so TLM = 1 + TLF = 0.9676641 in the stack without
metered volumes) at an FPN of 10 MW over periods 17-20, as the messages IRIS would push.
PAR is 1 MWh and DMAT 0.1 MWh on the date (engine.parameters, R-PAR); no flags, BPA = SPA = 0.

- P17: offer acceptance 1 ramps from the FPN to 30 MW in 10 minutes, holds 10, ramps back in
  10: QAO = 20 MW × (5 + 10 + 5) min = 20 × 20/60 = 6.6667 MWh at pair 1's offer (£80/MWh,
  20 MW wide), TLM 0.9676641; a BSAD buy of 0.5 MWh for £50 (£100/MWh, TLM 1).
  NIV = 6.6667 + 0.5 = +7.1667 MWh (short: the buy stack, R-PRC-NIV). PAR keeps the most
  expensive 1 MWh (R-PRC-PAR): 0.5 of the BSAD action, 0.5 of the acceptance, so
  SSP = (0.5 × 100 + 0.5 × 0.9676641 × 80) / (0.5 + 0.5 × 0.9676641) £/MWh (R-PRC-MAIN).
- P18: bid acceptance 2 ramps to 0 MW the same way: QAB = −10 MW × 20/60 h = −3.3333 MWh at
  pair −1's bid (£30/MWh): NIV = −3.3333 MWh (long: the sell stack), SSP = £30/MWh.
- P19: no acceptance, MID £55/MWh: NIV = 0, so SSP = MIP_19 = £55/MWh (R-PRC-NIV, R-PRC-MIP).
- P20: FPN only, no market index data: no price (R-PRC-MIP needs MIP_20).
A DISEBSP message then brings a published SSP for P17, which sits beside the indicative one.
"""

from __future__ import annotations

import json

from models.live.handler import Message

DAY = "2022-01-01"
UNIT, NGC = "E_BETHW-1", "BETHW-1"
TLM = 1 - 0.0323359
P17_SSP = (0.5 * 100 + 0.5 * TLM * 80) / (0.5 + 0.5 * TLM)
P17_NIV, P18_SSP, P18_NIV, P19_SSP = 20 * 20 / 60 + 0.5, 30.0, -10 * 20 / 60, 55.0
PUBLISHED_P17 = 86.5  # a DISEBSP figure standing for Elexon's, to sit beside the indicative


def _start(period: int, minute: int = 0) -> str:
    minutes = (period - 1) * 30 + minute
    return f"{DAY}T{minutes // 60:02d}:{minutes % 60:02d}:00Z"


def _unit(record: dict) -> dict:
    return {**record, "nationalGridBmUnit": NGC, "bmUnit": UNIT}


def pn() -> list[dict]:
    return [
        _unit({
            "dataset": "PN", "settlementDate": DAY, "settlementPeriod": p,
            "timeFrom": _start(p), "timeTo": _start(p + 1), "levelFrom": 10.0, "levelTo": 10.0,
        })
        for p in (17, 18, 19, 20)
    ]  # fmt: skip


def bod() -> list[dict]:
    return [
        _unit({
            "dataset": "BOD", "settlementDate": DAY, "settlementPeriod": p,
            "timeFrom": _start(p), "timeTo": _start(p + 1), "levelFrom": width,
            "levelTo": width, "pairId": pair, "offer": offer, "bid": bid,
        })
        for p in (17, 18)
        for pair, width, offer, bid in ((1, 20.0, 80.0, 70.0), (-1, -10.0, 35.0, 30.0))
    ]  # fmt: skip


def boalf(number: int, period: int, level: float) -> list[dict]:
    """Acceptance `number`: from the FPN (10 MW) to `level` in the period's first 10 minutes,
    held 10 minutes, back to the FPN in the last 10 (no level reaches another period)."""
    points = ((0, 10.0, 10, level), (10, level, 20, level), (20, level, 30, 10.0))
    return [
        _unit({
            "dataset": "BOALF", "settlementDate": DAY, "settlementPeriodFrom": period,
            "settlementPeriodTo": period, "timeFrom": _start(period, a),
            "timeTo": _start(period, b),
            "levelFrom": low, "levelTo": high, "acceptanceNumber": number,
            "acceptanceTime": _start(period - 1, 25), "deemedBoFlag": False,
            "soFlag": False, "storFlag": False, "rrFlag": False,
        })
        for a, low, b, high in points
    ]  # fmt: skip


def mid() -> list[dict]:
    return [
        {"dataset": "MID", "settlementDate": DAY, "settlementPeriod": p,
         "dataProvider": "APXMIDP", "price": 55.0, "volume": 100.0}
        for p in (17, 18, 19)
    ]  # fmt: skip


def disbsad() -> list[dict]:
    return [
        {"dataset": "DISBSAD", "settlementDate": DAY, "settlementPeriod": 17, "id": 1,
         "cost": 50.0, "volume": 0.5, "soFlag": False, "storFlag": False,
         "partyId": "NGESO", "assetId": "BSAD-1", "isTendered": True, "service": "Energy"}
    ]  # fmt: skip


def disebsp() -> list[dict]:
    return [
        {"dataset": "DISEBSP", "settlementDate": DAY, "settlementPeriod": 17,
         "startTime": _start(17), "createdDateTime": "2022-01-01T09:15:00Z",
         "systemSellPrice": PUBLISHED_P17, "systemBuyPrice": PUBLISHED_P17,
         "bsadDefaulted": False, "priceDerivationCode": "N", "reserveScarcityPrice": 0,
         "netImbalanceVolume": 7.2, "sellPriceAdjustment": 0, "buyPriceAdjustment": 0,
         "replacementPrice": None, "replacementPriceReferenceVolume": None}
    ]  # fmt: skip


def messages() -> list[Message]:
    """The day as IRIS would push it, one publication a message, in order."""
    bodies = [
        ("PN", pn()), ("BOD", bod()), ("MID", mid()), ("BOALF", boalf(1, 17, 30.0)),
        ("DISBSAD", disbsad()), ("BOALF", boalf(2, 18, 0.0)), ("DISEBSP", disebsp()),
    ]  # fmt: skip
    return [
        Message(dataset, f"{dataset}-{n}", json.dumps(records))
        for n, (dataset, records) in enumerate(bodies)
    ]
