"""The SAA's own figures of an imported S0142, stored apart from the engine's (issue 18).

`saa_columns(content)` turns an S0142's record tables into the columns of the `saa_*` tables
(schema 0008, 0011): SPI and SSD per period (`saa_system_period`), PPC per party and period
(`saa_party_period`), APD per account and period (`saa_account_period`), BP7 per BM unit and
period under its lead party (`saa_bm_unit_period`), BO4 per pair that moved energy or money
(`saa_pair_period`), APB per BM unit credited to an account in a period
(`saa_account_bm_unit_period`) and MVR per party account a BM unit's volume is reallocated to
(`saa_bm_unit_mvr`).
`write_saa` stores them with a run, as rows and as one columnar cache (models/db/saa_cache.py);
`read_saa` gives them back as numpy columns, from the cache where the run has one. SSD repeats
the system figures in every party block: the first block's are kept (SPI's where SSD has none).
"""

from __future__ import annotations

import math

import numpy as np
from sqlalchemy import Connection, select

from models.db.bulk import bulk_insert_columns
from models.db.saa_cache import CACHED as TABLES
from models.db.saa_cache import (
    SaaFigures,
    canonical,
    read_saa_cache,
    read_saa_rows,
    write_saa_cache,
)
from models.db.schema import SaaReport
from models.p114.errors import LayoutError
from models.p114.records import FlatFileContent, RecordTable

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
    apb = t["APB"]
    apb_apd = apb.parent
    credited = {
        "party_id": bph.columns["bsc_party_id"][sp7.parent[apd.parent[apb_apd]]],
        "account": apd.columns["account"][apb_apd],
        "period": sp7.columns["settlement_period"][apd.parent[apb_apd]],
        "bm_unit_id": apb.columns["bm_unit_id"],
        **{key: apb.columns[key] for key in REALLOCATION},
    }
    _refuse_repeats(apb, credited, ("party_id", "account", "period", "bm_unit_id"), "APD")
    mvr = t["MVR"]
    mvr_bp7 = mvr.parent
    reallocated = {
        "bm_unit_id": bp7.columns["bm_unit_id"][mvr_bp7],
        "period": sp7.columns["settlement_period"][bp7.parent[mvr_bp7]],
        "party_id": mvr.columns["party"],
        "account": mvr.columns["account"],
        **{key: mvr.columns[key] for key in REALLOCATION},
    }
    _refuse_repeats(mvr, reallocated, ("bm_unit_id", "period", "party_id", "account"), "BP7")
    return {
        "saa_system_period": system,
        "saa_party_period": party,
        "saa_account_period": account,
        "saa_bm_unit_period": unit,
        "saa_pair_period": pair,
        "saa_account_bm_unit_period": credited,
        "saa_bm_unit_mvr": reallocated,
    }


REALLOCATION = ("qce", "fixed_reallocation", "percentage_reallocation")


def _refuse_repeats(records: RecordTable, columns: dict, keys: tuple[str, ...], parent: str):
    """Refuse two records of one key (an APB repeating a BM unit under its APD, an MVR a
    party's account under its BP7): the SAA's figures would be ambiguous, and the second
    would break the table's key."""
    if len(records) < 2:
        return
    ranks = [np.unique(np.asarray(columns[k]), return_inverse=True)[1].reshape(-1) for k in keys]
    order = np.lexsort(ranks[::-1])
    same = np.ones(len(order) - 1, dtype=bool)
    for rank in ranks:
        same &= rank[order[1:]] == rank[order[:-1]]
    if same.any():
        first, second = sorted((order[np.argmax(same)], order[np.argmax(same) + 1]))
        key = ", ".join(f"{k} {columns[k][second]}" for k in keys)
        raise LayoutError(
            f"{records.code} record at line {records.line[second]} repeats {key} of the "
            f"{records.code} at line {records.line[first]} under the same {parent}: one "
            f"{records.code} per key was expected"
        )


def _plain(values: np.ndarray) -> list:
    """Python values for the driver: NaN (an absent optional field) becomes NULL."""
    out = values.tolist()
    if values.dtype.kind == "f" and np.isnan(values).any():
        return [None if math.isnan(v) else v for v in out]
    return out


def write_saa(conn: Connection, run_id: int, report: dict, columns: dict) -> dict[str, int]:
    """Store the report row and the SAA's figures with run `run_id`, as rows (in key order:
    clustered tables take them fastest so) and as the run's cache; rows per table."""
    conn.execute(SaaReport.__table__.insert().values(run_id=run_id, **report))
    figures = canonical(columns)
    written = {
        name: bulk_insert_columns(
            conn,
            TABLES[name],
            {key: _plain(v) for key, v in values.items()},
            {"run_id": run_id},
        )
        for name, values in figures.items()
    }
    write_saa_cache(conn, run_id, figures)
    return written


def read_saa_report(conn: Connection, run_id: int) -> dict | None:
    table = SaaReport.__table__
    row = conn.execute(select(table).where(table.c.run_id == run_id)).mappings().first()
    return dict(row) if row is not None else None


def read_saa(conn: Connection, run_id: int) -> SaaFigures:
    """The SAA's figures of a run as numpy columns by table name (models/db/saa_cache.py's
    canonical form: NULL → NaN, rows in key order), from its cache where it has one (one
    row), else from its rows."""
    cached = read_saa_cache(conn, run_id)
    return cached if cached is not None else read_saa_rows(conn, run_id)
