"""An engine settlement of one day as an S0142: the shadow SAA report (issue 18).

Written from a `SettlementResult` of every period of the day, all with metered volumes
(an S0142's BP7 metered volume and SSP/SBP are mandatory). Records and where their values
come from (rulebook names):

- SRH: the date and the run's type and numbers, as given.
- SPI per period: SBP, SSP (prices), TPABSV (Σ QBS), total accepted bid and offer volumes
  (Σ QAB, Σ QAO), replacement price and its volume, LoLP, VoLL, reserve scarcity price.
- DB1 / DB2 per BSAD action of the period: id (its position in the day, 1…), cost, volume,
  SO and STOR flags.
- BPI per BM unit and period (system level): FPN, QM, TLM; BO4 under it per bid-offer pair:
  prices, QAB, QAO, CB, CO.
- BPH, APC per party: day CBM, CAEI, CND, RCRC. SP7 per period, PPC the period's charges,
  SSD the system data (CSOBM, SBP, SSP, Σ CBM, Σ CAEI, Σ CND, accepted volumes, NIV, Σ QAEI,
  RCRC denominator Σ CE, TRC, SPA, BPA, TPABSV, LoLP, VoLL), APD for the P and C accounts
  (CAEI, RCRC, QABC, QABS, QAEI, QCE, RCRP), BP7 for the party's lead units (CND, FPN, QBS,
  QII, QME, QM, QNDB, QNDO, TLF, TLM, trading unit and its Σ QM, ABSVD = QBS).

Not modelled by the engine (rulebook §15) and written as 0 where mandatory, absent where
optional: BSSC costs, information imbalance, the tagged / repriced / originally-priced
splits, SO imbalances, compensation (P415/P444) and RR fields, the SPI positions whose IDD
item is unknown, and MD1/MD2, TRA, MEL/MIL, rates, BO3/BO6/BO7, APB, MVR (0-* records, not
written). The price derivation code's valid set is not in the sources: `N` is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from engine.settle import SettlementResult
from engine.settlement_calendar import periods_in_day
from models.p114.errors import P114Error
from models.p114.framing import FileHeader
from models.p114.layout import S0142_RECORDS
from models.p114.records import FlatFileContent
from models.p114.tree_builder import TreeBuilder
from models.p114.writer import write_flat_file


class NotWritableError(P114Error):
    """A settlement that an S0142 cannot carry (missing periods or mandatory values)."""


@dataclass(frozen=True)
class ReportRun:
    """What SRH says about the run: its type and numbers (N0202, N0304, N0385, N0384, N0211)."""

    run_type: str
    saa_run_number: int = 1
    cdca_run_number: int = 1
    svaa_ssr_run_number: int = 0
    created: datetime = datetime(2000, 1, 1)
    from_participant: str = "SWBENCH"
    sequence: int = 1
    test_flag: str = "OPER"
    version: str = "013"


def s0142_from_settlement(result: SettlementResult, run: ReportRun) -> FlatFileContent:
    inputs = result.inputs
    day = inputs.bm.settlement_date
    periods = periods_in_day(day)
    _check_writable(result, periods)
    bsad = inputs.bsad
    bsad_of = [np.flatnonzero(bsad.period == j) for j in range(1, periods + 1)]
    b = TreeBuilder()
    b.add("SRH")
    bo4_rows, db1_rows = _add_system_records(b, inputs, periods, bsad_of)
    db2_rows, bp7_cells = _add_party_records(b, inputs, periods, bsad_of)
    columns = _columns(
        result,
        run,
        periods,
        np.array(bo4_rows, dtype=np.int64),
        db1_rows,
        db2_rows,
        np.array(bp7_cells, dtype=np.int64).reshape(-1, 2),
    )
    header = FileHeader(
        f"S0142{run.version}",
        "D",
        run.created,
        "SA",
        run.from_participant,
        "PB",
        "PORTAL",
        run.sequence,
        run.test_flag,
    )
    return b.content(
        f"S0142 of {day} {run.run_type}",
        header,
        lambda code: S0142_RECORDS[code].fields_of(run.version),
        columns,
        S0142_RECORDS,
    )


def _check_writable(result: SettlementResult, periods: int) -> None:
    """NotWritableError unless the settlement has every period of the day, all metered."""
    inputs = result.inputs
    day = inputs.bm.settlement_date
    if tuple(inputs.periods) != tuple(range(1, periods + 1)):
        raise NotWritableError(
            f"an S0142 holds every period of {day}; this settlement has periods "
            f"{inputs.periods[0]}-{inputs.periods[-1]} of {periods}"
        )
    if not result.metered_available.all():
        missing = np.flatnonzero(~result.metered_available) + 1
        raise NotWritableError(
            f"an S0142 needs every BM unit's metered volume; periods {missing.tolist()} of "
            f"{day} have none"
        )


def _add_system_records(
    b: TreeBuilder, inputs, periods: int, bsad_of: list[np.ndarray]
) -> tuple[list[int], list[int]]:
    """SPI per period with its DB1 (BSAD actions) and BPI (BM units) with their BO4 (pairs,
    by pair number); returns the pair rows of the BO4s and the BSAD rows of the DB1s, in
    record order."""
    pairs = inputs.bm.pairs
    pair_order = np.lexsort((pairs.pair, pairs.unit, pairs.period))
    pair_rows = {}
    for row in pair_order:
        pair_rows.setdefault((int(pairs.period[row]), int(pairs.unit[row])), []).append(row)
    bo4_rows: list[int] = []
    db1_rows: list[int] = []
    for j in range(1, periods + 1):
        b.add("SPI")
        for action in bsad_of[j - 1]:
            b.add("DB1", "SPI")
            db1_rows.append(action)
        for u in range(len(inputs.bm.bm_units)):
            b.add("BPI", "SPI")
            for row in pair_rows.get((j, u), ()):
                b.add("BO4", "BPI")
                bo4_rows.append(row)
    return bo4_rows, db1_rows


def _add_party_records(
    b: TreeBuilder, inputs, periods: int, bsad_of: list[np.ndarray]
) -> tuple[list[int], list[tuple[int, int]]]:
    """BPH and APC per party, then SP7 per period with PPC, SSD, DB2 (BSAD actions), the two
    APD (P, C) and BP7 (the party's lead units); returns the BSAD rows of the DB2s and the
    (unit, period) of the BP7s, in record order."""
    lead = inputs.units.lead_party
    db2_rows: list[int] = []
    bp7_cells: list[tuple[int, int]] = []
    for p in range(len(inputs.parties)):
        b.add("BPH")
        b.add("APC", "BPH")
        own = np.flatnonzero(lead == p)
        for j in range(1, periods + 1):
            b.add("SP7", "BPH")
            b.add("PPC", "SP7")
            b.add("SSD", "SP7")
            for action in bsad_of[j - 1]:
                b.add("DB2", "SP7")
                db2_rows.append(action)
            b.add("APD", "SP7")
            b.add("APD", "SP7")
            for u in own:
                b.add("BP7", "SP7")
                bp7_cells.append((int(u), j))
    return db2_rows, bp7_cells


@dataclass(frozen=True)
class _PeriodTotals:
    """System totals of each period that SPI and SSD both carry (shape (periods,))."""

    qab: np.ndarray  # Σ QAB, MWh
    qao: np.ndarray  # Σ QAO, MWh
    tpabsv: np.ndarray  # Σ QBS, MWh
    lolp: np.ndarray
    voll: float  # £/MWh
    reserve_scarcity_price: np.ndarray  # LoLP × VoLL, £/MWh

    @staticmethod
    def of(result: SettlementResult, periods: int) -> _PeriodTotals:
        inputs = result.inputs
        pair_period = inputs.bm.pairs.period - 1
        volumes = result.bm.volumes
        lolp = inputs.period_inputs.lolp
        voll = float(inputs.parameters.voll)
        return _PeriodTotals(
            qab=np.bincount(pair_period, volumes.qab_nj, periods),
            qao=np.bincount(pair_period, volumes.qao_nj, periods),
            tpabsv=inputs.balancing_services.sum(axis=0),
            lolp=lolp,
            voll=voll,
            reserve_scarcity_price=lolp * voll,
        )


def _columns(result, run, periods, bo4_rows, db1_rows, db2_rows, bp7_cells) -> dict:
    """Each record type's columns, its rows in record order."""
    inputs = result.inputs
    units = np.array(inputs.bm.bm_units)
    n_parties = len(inputs.parties)
    totals = _PeriodTotals.of(result, periods)
    srh = _run_columns(inputs.bm.settlement_date, run)
    return {
        "SRH": {**srh, "bsc_party_id": "NGC"},
        "SPI": _spi_columns(result, periods, totals),
        "DB1": _bsad(inputs.bsad, db1_rows),
        "BPI": _bpi_columns(result, periods, units),
        "BO4": _bo4_columns(result, bo4_rows),
        "BPH": {**srh, "bsc_party_id": np.array(inputs.parties)},
        "APC": {
            "cbm": result.parties.cbm,
            "caei": result.parties.caei,
            "cnd": result.parties.cnd,
            "rcrc": result.parties.rcrc,
        },
        "SP7": {"settlement_period": np.tile(np.arange(periods) + 1, n_parties)},
        "PPC": _ppc_columns(result, periods),
        "SSD": _ssd_columns(result, periods, totals),
        "DB2": _bsad(inputs.bsad, db2_rows),
        "APD": _apd_columns(result, periods),
        "BP7": _bp7_columns(result, units, bp7_cells),
    }


def _run_columns(day, run: ReportRun) -> dict:
    """SRH's and BPH's date and run numbers."""
    return {
        "settlement_date": day,
        "run_type": run.run_type,
        "saa_run_number": run.saa_run_number,
        "saa_cdca_run_number": run.cdca_run_number,
        "svaa_cdca_settlement_date": day,
        "svaa_cdca_run_number": run.cdca_run_number,
        "svaa_ssr_run_number": run.svaa_ssr_run_number,
    }


def _spi_columns(result: SettlementResult, periods: int, totals: _PeriodTotals) -> dict:
    prices = result.prices
    return {
        "settlement_period": np.arange(periods) + 1,
        "sbp": prices.sbp,
        "ssp": prices.ssp,
        "price_derivation_code": "N",
        "tpabsv": totals.tpabsv,
        "total_niv_tagged_volume": 0.0,
        "total_accepted_bid_volume": totals.qab,
        "total_accepted_offer_volume": totals.qao,
        "replacement_price": prices.replacement_price,
        "replacement_price_volume": prices.replacement_reference_volume,
        "lolp": totals.lolp,
        "voll": totals.voll,
        "reserve_scarcity_price": totals.reserve_scarcity_price,
    }


def _bpi_columns(result: SettlementResult, periods: int, units: np.ndarray) -> dict:
    """BPI: unit-major within each period."""
    inputs = result.inputs
    bpi_unit = np.tile(np.arange(len(units)), periods)
    bpi_period = np.repeat(np.arange(periods), len(units))
    return {
        "bm_unit_id": units[bpi_unit],
        "period_fpn": result.bm.period_fpn[bpi_unit, bpi_period],
        "qm": inputs.metered[bpi_unit, bpi_period],
        "tlm": result.tlm[bpi_unit, bpi_period],
        "absvd": inputs.balancing_services[bpi_unit, bpi_period],
    }


def _bo4_columns(result: SettlementResult, bo4_rows: np.ndarray) -> dict:
    pairs, volumes, cash = result.inputs.bm.pairs, result.bm.volumes, result.bm.cashflows
    return {
        "pair": pairs.pair[bo4_rows],
        "bid_price": pairs.bid_price[bo4_rows],
        "offer_price": pairs.offer_price[bo4_rows],
        "qab": volumes.qab_nj[bo4_rows],
        "qao": volumes.qao_nj[bo4_rows],
        "cb": cash.cb_nj[bo4_rows],
        "co": cash.co_nj[bo4_rows],
    }


def _ppc_columns(result: SettlementResult, periods: int) -> dict:
    """PPC: each party's charges of each period (rows party-major)."""
    n_parties = len(result.inputs.parties)
    imb = result.imbalance
    caei = imb.caei.reshape(n_parties, 2, periods)
    rcrc = imb.rcrc.reshape(n_parties, 2, periods)
    return {
        "cbm": result.party_period_cbm.reshape(-1),
        "caei": caei.sum(axis=1).reshape(-1),
        "cnd": result.party_period_cnd.reshape(-1),
        "rcrc": rcrc.sum(axis=1).reshape(-1),
    }


def _ssd_columns(result: SettlementResult, periods: int, totals: _PeriodTotals) -> dict:
    """SSD: the system data of each period, repeated under every party."""
    inputs = result.inputs
    prices, imb = result.prices, result.imbalance
    system_caei, system_cnd = imb.caei.sum(axis=0), result.non_delivery.cnd.sum(axis=0)
    ssd_period = np.tile(np.arange(periods), len(inputs.parties))
    return {
        "csobm": result.csobm[ssd_period],
        "sbp": prices.sbp[ssd_period],
        "ssp": prices.ssp[ssd_period],
        "price_derivation_code": "N",
        "total_cbm": result.bm.cashflows.total_system_bm_cashflow[ssd_period],
        "total_caei": system_caei[ssd_period],
        "total_cnd": system_cnd[ssd_period],
        "total_accepted_bid_volume": totals.qab[ssd_period],
        "priced_bid_volume": totals.qab[ssd_period],
        "total_accepted_offer_volume": totals.qao[ssd_period],
        "priced_offer_volume": totals.qao[ssd_period],
        "niv": prices.niv[ssd_period],
        "total_qaei": imb.qaei.sum(axis=0)[ssd_period],
        "rcrc_denominator": imb.rcrc_denominator[ssd_period],
        "total_residual_cashflow": imb.trc[ssd_period],
        "spa": inputs.period_inputs.spa[ssd_period],
        "bpa": inputs.period_inputs.bpa[ssd_period],
        "tpabsv": totals.tpabsv[ssd_period],
        "lolp": totals.lolp[ssd_period],
        "voll": totals.voll,
        "reserve_scarcity_price": totals.reserve_scarcity_price[ssd_period],
    }


def _apd_columns(result: SettlementResult, periods: int) -> dict:
    """APD: P then C for each party and period."""
    n_parties = len(result.inputs.parties)
    imb = result.imbalance
    account = np.tile([0, 1], n_parties * periods)
    apd_party = np.repeat(np.arange(n_parties), 2 * periods)
    apd_period = np.tile(np.repeat(np.arange(periods), 2), n_parties)
    cell = (apd_party * 2 + account, apd_period)
    return {
        "account": np.array(["P", "C"])[account],
        "caei": imb.caei[cell],
        "rcrc": imb.rcrc[cell],
        "qabc": result.qabc[cell],
        "qabs": result.qabs[cell],
        "qaei": imb.qaei[cell],
        "qace": result.qce[cell],
        "rcrp": imb.rcrp[cell],
    }


def _trading_unit_volumes(inputs) -> np.ndarray:
    """Σ QM of each unit's trading unit, per unit and period."""
    qm = inputs.metered
    tu_code = inputs.units.trading_unit
    tu_volume = np.zeros_like(qm)
    for code in np.unique(tu_code):
        members = tu_code == code
        tu_volume[members] = qm[members].sum(axis=0)
    return tu_volume


def _bp7_columns(result: SettlementResult, units: np.ndarray, bp7_cells: np.ndarray) -> dict:
    """BP7: each (lead unit, period) of the party."""
    inputs = result.inputs
    nd, qbs = result.non_delivery, inputs.balancing_services
    trading_unit = np.array([f"TU {code}" for code in inputs.units.trading_unit])
    tu_volume = _trading_unit_volumes(inputs)
    unit, period = bp7_cells[:, 0], bp7_cells[:, 1] - 1
    return {
        "bm_unit_id": units[unit],
        "cnd": nd.cnd[unit, period],
        "period_fpn": result.bm.period_fpn[unit, period],
        "qbs": qbs[unit, period],
        "qii": nd.qii[unit, period],
        "qme": nd.qme[unit, period],
        "qm": inputs.metered[unit, period],
        "qndb": nd.qndb[unit, period],
        "qndo": nd.qndo[unit, period],
        "tlf": inputs.units.tlf[unit],
        "tlm": result.tlm[unit, period],
        "trading_unit": trading_unit[unit],
        "trading_unit_volume": tu_volume[unit, period],
        "absvd": qbs[unit, period],
    }


def _bsad(bsad, rows: list[int]) -> dict:
    rows = np.array(rows, dtype=np.int64)
    return {
        "bsaa_id": rows + 1,
        "cost": bsad.cost[rows],
        "volume": bsad.volume[rows],
        "so_flag": bsad.so_flag[rows].astype(bool),
        "stor_flag": bsad.stor_flag[rows].astype(float),
    }


def write_s0142(path: Path, result: SettlementResult, run: ReportRun, **options) -> int:
    """Write the settlement as an S0142 (gzip if `path` ends with .gz); returns its records."""
    content = s0142_from_settlement(result, run)
    try:
        count, _ = write_flat_file(
            path, content, lambda code: S0142_RECORDS[code].fields_of(run.version), **options
        )
    except ValueError as exc:
        Path(path).unlink(missing_ok=True)
        raise NotWritableError(
            f"{path}: the settlement cannot be written as an S0142: {exc}"
        ) from None
    return count
