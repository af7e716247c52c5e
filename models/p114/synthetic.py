"""A full-size synthetic S0142 for the reader benchmark (and a small one for tests).

The default spec matches the real 2026-02-17 R3 file's shape (S0142_LAYOUT.md §1): ~7,600 BM
units, ~480 parties, 48 periods, every record type, ~1.45 million records. Values are
random but typed as the layout says, deterministic for a seed; they are not a settlement
(no balance holds between them): `from_settlement` writes real engine results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np

from engine.settlement_calendar import periods_in_day
from models.p114.framing import FileHeader
from models.p114.layout import S0142_RECORDS
from models.p114.records import FlatFileContent
from models.p114.tree_builder import TreeBuilder
from models.p114.writer import write_flat_file


@dataclass(frozen=True)
class SyntheticSpec:
    settlement_date: date = date(2026, 2, 17)
    parties: int = 480
    bm_units: int = 7_600
    version: str = "013"
    seed: int = 142
    bsad_per_period: float = 3.6  # 175 a day
    trading_units: int = 49
    limit_units: int = 2_400  # units with MEL and MIL pairs in every period
    rate_units: int = 600  # units with run-up/run-down rates
    offer_units: int = 60  # units with bid-offer pairs and acceptances


@dataclass(frozen=True)
class _SyntheticRegister:
    """The synthetic day's BM units and parties (unit arrays of shape (bm_units,))."""

    unit_ids: np.ndarray
    parties: np.ndarray
    lead: np.ndarray  # lead party of each unit, sorted: units in party order
    tu_names: np.ndarray
    trading_unit: np.ndarray  # a trading unit name, or DEFAULT__A
    tlf: np.ndarray


def synthetic_s0142(spec: SyntheticSpec = SyntheticSpec()) -> FlatFileContent:
    # One generator drawn from in a fixed order: the same spec gives the same file.
    rng = np.random.default_rng(spec.seed)
    periods = periods_in_day(spec.settlement_date)
    register = _synthetic_register(rng, spec)
    b = TreeBuilder()
    b.add("SRH")
    bsad_counts = rng.poisson(spec.bsad_per_period, periods)
    _add_system_records(b, rng, spec, periods, bsad_counts)
    bp7_unit = _add_party_records(b, spec, periods, register.lead, bsad_counts)
    version = spec.version
    columns = _values(b, rng, spec, periods, register, np.array(bp7_unit, dtype=np.int64))
    header = FileHeader(
        f"S0142{version}",
        "D",
        datetime(2026, 9, 22, 22, 44, 32),
        "SA",
        "UKDC",
        "PB",
        "PORTAL",
        41697,
        "OPER",
    )
    return b.content(
        "synthetic S0142",
        header,
        lambda code: S0142_RECORDS[code].fields_of(version),
        columns,
        S0142_RECORDS,
    )


def _synthetic_register(rng, spec: SyntheticSpec) -> _SyntheticRegister:
    """Unit ids (7 in 10 supplier 2__ units), parties, lead parties, trading units (1 unit in
    10 in one), TLFs."""
    units = spec.bm_units
    unit_ids = np.array(
        [
            f"2__{chr(65 + i % 26)}SYN{i:03d}"[:11] if i % 10 < 7 else f"T_SYN-{i:04d}"
            for i in range(units)
        ]
    )
    parties = np.array([f"SYNP{i:04d}" for i in range(spec.parties)])
    lead = np.sort(rng.integers(0, spec.parties, units))  # units in party order
    tu_names = np.array([f"Synthetic Trading Unit {i:02d}" for i in range(spec.trading_units)])
    unit_tu = np.where(
        rng.random(units) < 0.1,
        rng.integers(0, spec.trading_units, units),
        -1,
    )
    trading_unit = np.where(unit_tu >= 0, tu_names[np.maximum(unit_tu, 0)], "DEFAULT__A")
    tlf = np.round(rng.uniform(-0.03, 0.03, units), 7)
    return _SyntheticRegister(unit_ids, parties, lead, tu_names, trading_unit, tlf)


def _add_system_records(b: TreeBuilder, rng, spec: SyntheticSpec, periods: int, bsad_counts):
    """SPI per period with its MD1, DB1, TRA and BPI records; each BPI with MEL/MIL (the
    first limit_units), rates (the first rate_units) and BO4/BO3/BO6/BO7 (the first
    offer_units)."""
    limit, rates, offers = spec.limit_units, spec.rate_units, spec.offer_units
    mel_counts = rng.integers(1, 3, (periods, limit))
    acceptances = rng.integers(0, 3, (periods, offers))
    for j in range(periods):
        b.add("SPI")
        for _ in range(2):
            b.add("MD1", "SPI")
        for _ in range(bsad_counts[j]):
            b.add("DB1", "SPI")
        for _ in range(spec.trading_units):
            b.add("TRA", "SPI")
        for u in range(spec.bm_units):
            b.add("BPI", "SPI")
            if u < limit:
                for _ in range(mel_counts[j, u]):
                    b.add("MEL", "BPI")
                for _ in range(mel_counts[j, u]):
                    b.add("MIL", "BPI")
            if u < rates:
                b.add("RUE", "BPI")
                if u % 2:
                    b.add("RUI", "BPI")
                b.add("RDE", "BPI")
                if u % 2:
                    b.add("RDI", "BPI")
            if u < offers:
                b.add("BO4", "BPI")
                for k in range(acceptances[j, u]):
                    b.add("BO3", "BPI")
                    if k == 0 and u % 7 == 0:
                        b.add("BO6", "BO3")
                        b.add("BO7", "BO3")


def _add_party_records(
    b: TreeBuilder, spec: SyntheticSpec, periods: int, lead: np.ndarray, bsad_counts
) -> list[int]:
    """BPH and APC per party, then SP7 per period with PPC, SSD (two MD2), DB2, APD (C for
    even parties only) with APB, and BP7 per lead unit (MVR on every 5th); returns the unit
    of each BP7."""
    first_unit = np.searchsorted(lead, np.arange(spec.parties + 1))
    bp7_unit: list[int] = []
    for p in range(spec.parties):
        b.add("BPH")
        b.add("APC", "BPH")
        own = range(first_unit[p], first_unit[p + 1])
        for j in range(periods):
            b.add("SP7", "BPH")
            b.add("PPC", "SP7")
            b.add("SSD", "SP7")
            b.add("MD2", "SSD")
            b.add("MD2", "SSD")
            for _ in range(bsad_counts[j]):
                b.add("DB2", "SP7")
            for account in "PC":
                if account == "C" and p % 2:
                    continue
                b.add("APD", "SP7")
                for _unit in own[:2] if account == "P" else own[2:3]:
                    b.add("APB", "APD")
            for u in own:
                b.add("BP7", "SP7")
                bp7_unit.append(u)
                if u % 5 == 0:
                    b.add("MVR", "BP7")
    return bp7_unit


def _volumes(rng, n: int, scale: float) -> np.ndarray:
    return np.round(rng.normal(0.0, scale, n), 3)


def _money(rng, n: int, scale: float) -> np.ndarray:
    return np.round(rng.normal(0.0, scale, n), 2)


def _values(b, rng, spec, periods, register: _SyntheticRegister, bp7_unit) -> dict:
    """Each record type's columns. The order of the draws from `rng` is the file's: the
    same spec gives the same values."""
    day = spec.settlement_date
    srh = {
        "settlement_date": [day],
        "run_type": "R3",
        "saa_run_number": 1,
        "saa_cdca_run_number": 2,
        "svaa_cdca_settlement_date": [day],
        "svaa_cdca_run_number": 2,
        "svaa_ssr_run_number": 166705,
        "bsc_party_id": "NGC",
    }
    prices = np.round(rng.uniform(20, 150, periods), 5)
    qm = _volumes(rng, len(register.unit_ids) * periods, 20.0)
    return {
        "SRH": srh,
        "SPI": _spi(rng, periods, prices),
        "MD1": _market_index_data(rng, periods),
        "DB1": _bsad(rng, b.count("DB1")),
        "TRA": {
            "trading_unit": np.tile(register.tu_names, periods),
            "trading_unit_volume": _volumes(rng, b.count("TRA"), 40),
        },
        **_bm_unit_values(b, rng, day, periods, register, qm),
        **_party_values(b, rng, day, periods, register, bp7_unit, prices, srh),
    }


def _spi(rng, periods: int, prices: np.ndarray) -> dict:
    spi_period = np.arange(1, periods + 1)
    return {
        "settlement_period": spi_period,
        "sbp": prices,
        "ssp": prices,
        "price_derivation_code": np.where(spi_period % 3 == 0, "P", "N"),
        "field_5": [
            f"{v:.3f}".rstrip("0").rstrip(".") for v in rng.uniform(-18000, -16000, periods)
        ],
        "field_6": [f"{v:.3f}".rstrip("0").rstrip(".") for v in rng.uniform(16000, 18000, periods)],
        "tpabsv": _volumes(rng, periods, 50),
        "field_8": "0",
        "field_9": "0",
        "total_niv_tagged_volume": _volumes(rng, periods, 300),
        "field_12": "T",
        "field_13": "10",
        "field_14": "0.1",
        "field_18": "0",
        "field_22": "0",
        "total_accepted_bid_volume": -np.abs(_volumes(rng, periods, 500)),
        "total_accepted_offer_volume": np.abs(_volumes(rng, periods, 500)),
        "voll": 6000.0,
        "supplier_sourcing_cost": np.where(spi_period == 1, 87.21, np.nan),
    }


def _market_index_data(rng, count: int) -> dict:
    """MD1 or MD2: two providers (APX, N2EX) under each of `count` parents."""
    return {
        "provider": np.tile(["APXMIDP", "N2EXMIDP"], count),
        "liquidity_threshold": 25.0,
        "price": np.round(rng.uniform(40, 120, 2 * count), 2),
        "volume": np.round(rng.uniform(0, 3000, 2 * count), 3),
    }


def _bm_unit_values(b, rng, day, periods, register: _SyntheticRegister, qm) -> dict:
    """BPI (unit-major within each period), MEL, MIL, rates, BO4, BO3, BO6 and BO7."""
    n = b.count
    bpi_unit = np.tile(np.arange(len(register.unit_ids)), periods)
    return {
        "BPI": {
            "bm_unit_id": register.unit_ids[bpi_unit],
            "field_2": register.trading_unit[bpi_unit],
            "period_fpn": _volumes(rng, n("BPI"), 20.0),
            "qm": qm,
            "tlm": np.round(1 + register.tlf[bpi_unit], 7),
            "absvd": np.where(bpi_unit % 9 == 0, _volumes(rng, n("BPI"), 2.0), 0.0),
        },
        "MEL": _limits(rng, n("MEL"), 1),
        "MIL": _limits(rng, n("MIL"), -1),
        **{code: _rates(rng, n(code)) for code in ("RUE", "RUI", "RDE", "RDI")},
        "BO4": {
            "pair": rng.choice([-2, -1, 1, 2], n("BO4")),
            "bid_price": np.round(rng.uniform(-50, 50, n("BO4")), 5),
            "offer_price": np.round(rng.uniform(60, 200, n("BO4")), 5),
            "qab": -np.abs(_volumes(rng, n("BO4"), 10)),
            "qao": np.abs(_volumes(rng, n("BO4"), 10)),
            "cb": _money(rng, n("BO4"), 500),
            "co": _money(rng, n("BO4"), 500),
        },
        "BO3": {
            "acceptance_number": rng.integers(1, 99999, n("BO3")).astype(float),
            "acceptance_time": np.datetime64(f"{day.isoformat()}T00:38:00", "s")
            + rng.integers(0, 86000, n("BO3")).astype("timedelta64[s]"),
            "cadl_flag": rng.random(n("BO3")) < 0.1,
            "so_flag": (rng.random(n("BO3")) < 0.5).astype(float),
        },
        "BO6": {
            "time_from": rng.integers(-5, 10, n("BO6")),
            "volume_from": _volumes(rng, n("BO6"), 30),
            "time_to": rng.integers(10, 30, n("BO6")),
            "volume_to": _volumes(rng, n("BO6"), 30),
        },
        "BO7": {
            "pair": rng.choice([-1, 1], n("BO7")),
            "offer_volume": np.abs(_volumes(rng, n("BO7"), 5)),
        },
    }


def _party_values(
    b, rng, day, periods, register: _SyntheticRegister, bp7_unit, prices, srh: dict
) -> dict:
    """BPH, APC, SP7, PPC, SSD, MD2, DB2, APD, APB, BP7 and MVR."""
    n = b.count
    sp7_count = n("SP7")
    unit_ids, parties = register.unit_ids, register.parties
    return {
        "BPH": {
            **srh,
            "settlement_date": day,
            "svaa_cdca_settlement_date": day,
            "bsc_party_id": parties,
        },
        "APC": _cashflows(rng, n("APC"), 20000) | {"so_cashflow": 0.0},
        "SP7": {"settlement_period": np.tile(np.arange(1, periods + 1), len(parties))},
        "PPC": _cashflows(rng, sp7_count, 500),
        "SSD": _ssd(rng, sp7_count, periods, prices),
        "MD2": _market_index_data(rng, sp7_count),
        "DB2": _bsad(rng, n("DB2")),
        "APD": {
            "account": np.array(["P", "C"])[_apd_account(b)],
            "caei": _money(rng, n("APD"), 3000),
            "rcrc": _money(rng, n("APD"), 30),
            "qabc": _volumes(rng, n("APD"), 100),
            "qabs": _volumes(rng, n("APD"), 1),
            "qaei": _volumes(rng, n("APD"), 30),
            "qace": _volumes(rng, n("APD"), 100),
            "rcrp": np.round(rng.uniform(0, 0.01, n("APD")), 7),
        },
        "APB": {
            # each APD's (one or two) APB name different units, as a real file's do
            "bm_unit_id": unit_ids[np.arange(n("APB")) % len(unit_ids)],
            "qce": _volumes(rng, n("APB"), 20),
            "fixed_reallocation": 0.0,
            "percentage_reallocation": np.round(rng.uniform(0, 100, n("APB")), 5),
        },
        "BP7": _bp7(rng, bp7_unit, unit_ids, register.trading_unit, register.tlf, len(unit_ids)),
        "MVR": {
            "party": parties[rng.integers(0, len(parties), n("MVR"))],
            "account": np.where(rng.random(n("MVR")) < 0.5, "P", "C"),
            "qce": _volumes(rng, n("MVR"), 20),
            "fixed_reallocation": 0.0,
            "percentage_reallocation": np.round(rng.uniform(0, 100, n("MVR")), 5),
        },
    }


def _apd_account(b: TreeBuilder) -> np.ndarray:
    """0 (P) or 1 (C) per APD: the second APD of an SP7 is C, a lone one P."""
    parent = np.array(b.parents["APD"])
    second = np.zeros(len(parent), dtype=np.int64)
    second[1:] = parent[1:] == parent[:-1]
    return second


def _bsad(rng, n: int) -> dict:
    volume = _volumes(rng, n, 40)
    return {
        "bsaa_id": np.arange(1, n + 1) % 9999,
        "cost": np.where(rng.random(n) < 0.9, _money(rng, n, 4000), np.nan),
        "volume": volume,
        "tagged_volume": volume,
        "repriced_volume": 0.0,
        "original_volume": volume,
        "so_flag": rng.random(n) < 0.5,
        "stor_flag": np.zeros(n),
        "party": np.where(rng.random(n) < 0.5, "BKW Energie AG", ""),
        "asset": np.where(rng.random(n) < 0.5, "IND-MFTE1", ""),
        "tendered_status": np.where(rng.random(n) < 0.5, "Tendered", "Non-tendered"),
        "service_type": np.where(rng.random(n) < 0.5, "Energy", "System"),
    }


def _limits(rng, n: int, sign: int) -> dict:
    value = sign * np.round(rng.uniform(0, 900, n), 3)
    return {"time_from": 0, "value_from": value, "time_to": 30, "value_to": value}


def _rates(rng, n: int) -> dict:
    return {
        "rate_1": np.round(rng.uniform(1, 50, n), 1),
        "elbow_2": np.where(rng.random(n) < 0.3, np.round(rng.uniform(0, 500, n)), np.nan),
    }


def _cashflows(rng, n: int, scale: float) -> dict:
    return {
        "bssc_cost": 0.0,
        "cbm": _money(rng, n, scale),
        "caei": _money(rng, n, scale),
        "information_imbalance": 0.0,
        "cnd": -np.abs(_money(rng, n, scale / 20)),
        "rcrc": _money(rng, n, scale / 50),
    }


def _ssd(rng, n: int, periods: int, prices: np.ndarray) -> dict:
    period = np.tile(np.arange(periods), n // periods)
    system = {
        "csobm": _money(rng, periods, 50000)[period],
        "sbp": prices[period],
        "ssp": prices[period],
        "price_derivation_code": np.where((period + 1) % 3 == 0, "P", "N"),
        "total_cbm": _money(rng, periods, 50000)[period],
        "total_caei": _money(rng, periods, 50000)[period],
        "total_cnd": -np.abs(_money(rng, periods, 500))[period],
        "total_accepted_bid_volume": -np.abs(_volumes(rng, periods, 500))[period],
        "priced_bid_volume": -np.abs(_volumes(rng, periods, 400))[period],
        "total_ecv": np.abs(_volumes(rng, periods, 30000))[period],
        "total_accepted_offer_volume": np.abs(_volumes(rng, periods, 500))[period],
        "niv": _volumes(rng, periods, 300)[period],
        "total_niv_tagged_volume": _volumes(rng, periods, 300)[period],
        "priced_offer_volume": np.abs(_volumes(rng, periods, 400))[period],
        "total_qaei": _volumes(rng, periods, 300)[period],
        "rcrc_denominator": np.abs(_volumes(rng, periods, 30000))[period],
        "total_residual_cashflow": _money(rng, periods, 5000)[period],
        "tpabsv": _volumes(rng, periods, 50)[period],
        "so_consumption_imbalance": _volumes(rng, periods, 50)[period],
        "tagged_bid_volume": -np.abs(_volumes(rng, periods, 400))[period],
        "tagged_offer_volume": np.abs(_volumes(rng, periods, 400))[period],
        "stor_window": (period % 2).astype(float),
        "lolp": np.round(rng.uniform(0, 1e-4, periods), 9)[period],
        "derated_margin": np.round(rng.uniform(3000, 9000, periods), 7)[period],
        "voll": 6000.0,
        "compensation_volume": np.where(period == 0, 12.5, np.nan),
    }
    return system


def _bp7(rng, unit, unit_ids, trading_unit, tlf, units) -> dict:
    n = len(unit)
    qm = _volumes(rng, n, 20)
    supplier = np.char.startswith(unit_ids[unit].astype(str), "2__")
    tlm = np.round(1 + tlf[unit], 7)
    return {
        "bm_unit_id": unit_ids[unit],
        "information_imbalance": 0.0,
        "cnd": np.where(rng.random(n) < 0.02, -np.abs(_money(rng, n, 50)), 0.0),
        "period_fpn": _volumes(rng, n, 20),
        "qbs": 0.0,
        "qii": _volumes(rng, n, 2),
        "qme": _volumes(rng, n, 20),
        "qm": qm,
        "qndb": 0.0,
        "qndo": np.where(rng.random(n) < 0.02, -np.abs(_volumes(rng, n, 3)), 0.0),
        "tlf": tlf[unit],
        "tlm": tlm,
        "trading_unit": trading_unit[unit],
        "trading_unit_volume": qm,
        "absvd": 0.0,
        "supplier_non_bm_absvd": 0.0,
        "settlement_expected_volume": np.where(supplier, np.nan, _volumes(rng, n, 20)),
        "final_demand": np.where(supplier, -np.abs(qm), np.nan),
        "supplier_compensation_cashflow": np.where(supplier, 0.0, np.nan),
    }


def write_synthetic_s0142(path: Path, spec: SyntheticSpec = SyntheticSpec(), **options) -> int:
    """Write the synthetic S0142 to `path` (gzip if it ends with .gz); returns its records."""
    content = synthetic_s0142(spec)
    count, _ = write_flat_file(
        path, content, lambda code: S0142_RECORDS[code].fields_of(spec.version), **options
    )
    return count
