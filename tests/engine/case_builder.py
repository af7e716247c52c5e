"""Build small case documents in tests: period 27 of 2024-06-12 (12:00–12:30Z) and after."""

from __future__ import annotations

from models.casefiles.case_file import validate_case

DATE = "2024-06-12"


def t(minute: int) -> str:
    """Minutes after 12:00Z as an ISO time."""
    hours, minutes = divmod(12 * 60 + minute, 60)
    return f"{DATE}T{hours:02d}:{minutes:02d}Z"


def case(**sections) -> dict:
    document = {
        "format": "settlement-case/1",
        "settlement_date": DATE,
        "periods": sections.pop("periods", [27]),
        "parameters": sections.pop("parameters", {"par": 1.0}),
        "parties": [],
        "bm_units": [],
        "fpn": [],
        "bid_offer": [],
        "acceptances": [],
        "metered_volumes": [],
        "ecvns": [],
        "mvrns": [],
        "bsad": [],
        "market_index": [{"period": p, "provider": "APXMIDP", "price": 50.0, "volume": 100.0}
                         for p in range(20, 35)],
        "lolp": [],
        "price_adjustment": [],
    }  # fmt: skip
    document.update(sections)
    return validate_case(document)


def unit(id_, party, pc="P", tlf=0.0, **kw) -> dict:
    return {"id": id_, "lead_party": party, "pc_status": pc, "tlf": tlf, **kw}


def flat(unit_id, level, start=0, end=30) -> dict:
    return {"bm_unit": unit_id, "points": [[t(start), level], [t(end), level]]}


def pair(unit_id, period, n, offer, bid, width) -> dict:
    start = (period - 27) * 30
    return {"bm_unit": unit_id, "period": period, "pair": n, "offer": offer, "bid": bid,
            "points": [[t(start), width], [t(start + 30), width]]}  # fmt: skip


def accept(unit_id, number, level, start=0, end=30) -> dict:
    return {"bm_unit": unit_id, "number": number, "time": t(start),
            "points": [[t(start), level], [t(end), level]]}  # fmt: skip


def metered(unit_id, mwh, period=27) -> dict:
    return {"bm_unit": unit_id, "period": period, "mwh": mwh}
