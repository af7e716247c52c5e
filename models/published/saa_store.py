"""The SAA's own figures of an imported S0142, stored apart from the engine's (issue 18).

`saa_columns(content)` turns an S0142's record tables into the columns of the `saa_*` tables
(schema 0008): SPI and SSD per period (`saa_system_period`), PPC per party and period
(`saa_party_period`), APD per account and period (`saa_account_period`), BP7 per BM unit and
period under its lead party (`saa_bm_unit_period`) and BO4 per pair that moved energy or
money (`saa_pair_period`).
`write_saa` stores them with a run; `read_saa` gives them back as numpy columns. SSD repeats
the system figures in every party block: the first block's are kept (SPI's where SSD has none).
"""

from __future__ import annotations

import math

import numpy as np
from sqlalchemy import Connection, select

from models.db.bulk import bulk_insert_columns
from models.db.schema import (
    SaaAccountPeriod,
    SaaBmUnitPeriod,
    SaaPairPeriod,
    SaaPartyPeriod,
    SaaReport,
    SaaSystemPeriod,
)
from models.p114.records import FlatFileContent

TABLES = {
    t.name: t
    for t in (
        SaaSystemPeriod.__table__,
        SaaPartyPeriod.__table__,
        SaaAccountPeriod.__table__,
        SaaBmUnitPeriod.__table__,
        SaaPairPeriod.__table__,
    )
}
SYSTEM_FROM_SSD = (
    "ssp",
    "sbp",
    "niv",
    "csobm",
    "total_cbm",
    "total_caei",
    "total_cnd",
    "total_qaei",
    "rcrc_denominator",
    "total_residual_cashflow",
    "total_accepted_bid_volume",
    "total_accepted_offer_volume",
    "tpabsv",
    "spa",
    "bpa",
    "lolp",
    "replacement_price",
    "bssc_costs",
    "total_information_imbalance",
)
PARTY_FROM_PPC = (
    "bssc_cost",
    "cbm",
    "caei",
    "information_imbalance",
    "cnd",
    "rcrc",
    "rr_cashflow",
    "vlp_compensation",
    "supplier_compensation",
)
ACCOUNT_FROM_APD = (
    "caei",
    "rcrc",
    "qabc",
    "qabs",
    "qaei",
    "rcrp",
    "bssc_cost",
    "information_imbalance",
)
UNIT_FROM_BP7 = (
    "cnd",
    "period_fpn",
    "qbs",
    "qii",
    "qme",
    "qm",
    "qndb",
    "qndo",
    "tlf",
    "tlm",
    "trading_unit_volume",
    "absvd",
    "settlement_expected_volume",
    "supplier_compensation_cashflow",
)


def saa_columns(content: FlatFileContent) -> dict[str, dict[str, np.ndarray]]:
    """The saa_* tables' columns (without run_id) from an S0142's record tables."""
    t = content.tables
    spi, sp7, bph = t["SPI"], t["SP7"], t["BPH"]
    periods = spi.columns["settlement_period"]
    system = {"period": periods}
    ssd = t["SSD"]
    first_block = np.flatnonzero(sp7.parent[ssd.parent] == 0) if len(bph) else np.array([], int)
    for key in SYSTEM_FROM_SSD:
        if len(first_block) == len(periods) and key in ssd.columns:
            system[key] = ssd.columns[key][first_block]
        elif key in spi.columns:
            system[key] = spi.columns[key]
        else:
            system[key] = np.full(len(periods), np.nan)
    ppc = t["PPC"]
    party = {
        "party_id": bph.columns["bsc_party_id"][sp7.parent[ppc.parent]],
        "period": sp7.columns["settlement_period"][ppc.parent],
        **{key: ppc.columns[key] for key in PARTY_FROM_PPC},
    }
    apd = t["APD"]
    account = {
        "party_id": bph.columns["bsc_party_id"][sp7.parent[apd.parent]],
        "account": apd.columns["account"],
        "period": sp7.columns["settlement_period"][apd.parent],
        "qce": apd.columns["qace"],
        **{key: apd.columns[key] for key in ACCOUNT_FROM_APD},
    }
    bp7 = t["BP7"]
    unit = {
        "bm_unit_id": bp7.columns["bm_unit_id"],
        "period": sp7.columns["settlement_period"][bp7.parent],
        "party_id": bph.columns["bsc_party_id"][sp7.parent[bp7.parent]],
        "trading_unit": bp7.columns["trading_unit"],
        **{key: bp7.columns[key] for key in UNIT_FROM_BP7},
    }
    bo4, bpi = t["BO4"], t["BPI"]
    # BO4 of a pair with no accepted volume and no cashflow is kept as its absence (most
    # pairs of a GB day: 95 %); a reconciliation reads an absent pair as zero
    moved = np.zeros(len(bo4), dtype=bool)
    for key in ("qab", "qao", "cb", "co"):
        moved |= np.nan_to_num(bo4.columns[key]) != 0
    under_bpi = (bo4.parent_code == "BPI") & moved
    rows = bo4.parent[under_bpi]
    pair = {
        "bm_unit_id": bpi.columns["bm_unit_id"][rows],
        "period": spi.columns["settlement_period"][bpi.parent[rows]],
        "pair": bo4.columns["pair"][under_bpi],
        **{key: bo4.columns[key][under_bpi] for key in ("qab", "qao", "cb", "co")},
    }
    return {
        "saa_system_period": system,
        "saa_party_period": party,
        "saa_account_period": account,
        "saa_bm_unit_period": unit,
        "saa_pair_period": pair,
    }


def _plain(values: np.ndarray) -> list:
    """Python values for the driver: NaN (an absent optional field) becomes NULL."""
    out = values.tolist()
    if values.dtype.kind == "f" and np.isnan(values).any():
        return [None if math.isnan(v) else v for v in out]
    return out


def write_saa(conn: Connection, run_id: int, report: dict, columns: dict) -> dict[str, int]:
    """Store the report row and the SAA's figures with run `run_id`; rows per table."""
    conn.execute(SaaReport.__table__.insert().values(run_id=run_id, **report))
    return {
        name: bulk_insert_columns(
            conn,
            TABLES[name],
            {key: _plain(np.asarray(v)) for key, v in values.items()},
            {"run_id": run_id},
        )
        for name, values in columns.items()
    }


def read_saa_report(conn: Connection, run_id: int) -> dict | None:
    table = SaaReport.__table__
    row = conn.execute(select(table).where(table.c.run_id == run_id)).mappings().first()
    return dict(row) if row is not None else None


def read_saa(conn: Connection, run_id: int) -> dict[str, dict[str, np.ndarray]]:
    """The SAA's figures of a run as numpy columns (NULL → NaN), by table name."""
    out = {}
    for name, table in TABLES.items():
        names = [c.name for c in table.columns if c.name != "run_id"]
        # the driver's tuples, not SQLAlchemy rows: a GB-scale day has a million of them
        quote = conn.dialect.identifier_preparer.quote
        quoted = ", ".join(quote(n) for n in names)
        # In key order on every backend: PostgreSQL returns a table's rows as they were written.
        order = ", ".join(quote(c.name) for c in table.primary_key.columns)
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        rows = conn.exec_driver_sql(
            f"SELECT {quoted} FROM {table.name} WHERE run_id = {mark} ORDER BY {order}",
            (run_id,),
        ).fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
        out[name] = {
            n: _array(values, table.c[n].type.python_type)
            for n, values in zip(names, columns, strict=True)
        }
    return out


def _array(values: tuple, kind: type) -> np.ndarray:
    if kind is float:
        return np.array(values, dtype=np.float64)  # NULL (None) becomes NaN
    if kind is int:
        return np.array(values, dtype=np.int64)
    return np.array(values, dtype=str)
