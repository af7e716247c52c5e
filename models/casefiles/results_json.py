"""Settlement results as tables and as the settlement-result/1 document of CASE_FORMAT.md.

One mapping serves both: `result_frames` turns a SettlementResult into columns of the result
tables; `document_from_frames` builds the JSON document from such columns, whether they
come straight from the engine (`case run`) or back from the database (`show`), so the two
print the same document. Values are full-precision floats; a quantity that is not available
(metered volumes absent) is null, never 0. Rulebook v2: each check carries its `status` (null,
or "not applicable"), `system[]` the period's `unallocated_residual` (R-ACC-RCRC-NODENOM),
and the document the `known_gaps` (rulebook §15) its results depend on.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

import numpy as np

from engine import ENGINE_VERSION, RULEBOOK_VERSION
from engine.imbalance_price import TAGGED_BY_NAMES
from engine.known_gaps import GapUse, gaps_affecting
from engine.settle import SettlementResult
from engine.settlement_calendar import settlement_period

RESULT_FORMAT = "settlement-result/1"
# A table as lists (column name → values), the form JSON documents and bulk inserts take; the
# numpy form of the same concept is models.core.table.Table.
ListTable = dict[str, list]


def number(value) -> float | None:
    """A plain float, None for NaN or None; −0.0 becomes 0.0."""
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value + 0.0


def _floats(values) -> list:
    return [number(v) for v in np.asarray(values, dtype=float).tolist()]


def stack_item_columns(result: SettlementResult, settled) -> ListTable:
    """The stack items of the `settled` periods with every published stack column."""
    items, stack = result.items, result.stack
    rows = np.flatnonzero(np.isin(items.period, settled))
    bsad = items.acceptance[rows] < 0
    return {
        "origin": ["engine"] * len(rows),
        "period": items.period[rows].tolist(),
        "side": np.where(items.side[rows] > 0, "buy", "sell").tolist(),
        "sequence": stack.sequence[rows].tolist(),
        "item_id": [str(x) for x in items.item_id[rows]],
        "source": items.source[rows].tolist(),
        "acceptance": [
            None if b else int(a) for a, b in zip(items.acceptance[rows], bsad, strict=True)
        ],
        "pair": [None if b else int(p) for p, b in zip(items.pair[rows], bsad, strict=True)],
        "so_flag": items.so_flag[rows].tolist(),
        "cadl_flag": items.cadl_flag[rows].tolist(),
        "stor_flag": items.stor_flag[rows].tolist(),
        "repriced": stack.repriced[rows].tolist(),
        "first_stage_flag": stack.first_stage_flag[rows].tolist(),
        "second_stage_flag": stack.second_stage_flag[rows].tolist(),
        "tagged_by": [TAGGED_BY_NAMES[t] or None for t in stack.tagged_by[rows]],
        "stack_price": _floats(stack.stack_price[rows]),
        "reserve_scarcity_price": _floats(stack.reserve_scarcity_price[rows]),
        "original_price": _floats(items.price[rows]),
        "volume": _floats(items.volume[rows]),
        "dmat_adjusted_volume": _floats(stack.dmat_adjusted_volume[rows]),
        "arbitrage_adjusted_volume": _floats(stack.arbitrage_adjusted_volume[rows]),
        "niv_adjusted_volume": _floats(stack.niv_adjusted_volume[rows]),
        "par_adjusted_volume": _floats(stack.par_adjusted_volume[rows]),
        "final_price": _floats(stack.final_price[rows]),
        "tlm": _floats(items.tlm[rows]),
        "tlm_adjusted_volume": _floats(stack.tlm_adjusted_volume[rows]),
        "tlm_adjusted_cost": _floats(stack.tlm_adjusted_cost[rows]),
    }


def result_frames(result: SettlementResult) -> dict[str, ListTable]:
    """Columns of each result table (without run_id) for the settled periods."""
    settled = np.asarray(result.inputs.periods, dtype=np.int64)
    return {
        "system_price_result": _system_price_columns(result, settled),
        "stack_item_result": stack_item_columns(result, settled),
        "bm_unit_period_result": _bm_unit_period_columns(result, settled),
        "pair_period_result": _pair_period_columns(result, settled),
        "acceptance_period_result": _acceptance_period_columns(result, settled),
        "account_period_result": _account_period_columns(result, settled),
        "party_result": _party_columns(result),
        "system_period_result": _system_period_columns(result, settled),
        "check_result": _check_columns(result),
    }


def _system_price_columns(result: SettlementResult, settled: np.ndarray) -> ListTable:
    inputs, prices = result.inputs, result.prices
    k = settled - 1
    rsvp = inputs.period_inputs.lolp * inputs.parameters.voll
    return {
        "origin": ["engine"] * len(settled),
        "period": settled.tolist(),
        "ssp": _floats(prices.ssp[k]),
        "sbp": _floats(prices.sbp[k]),
        "niv": _floats(prices.niv[k]),
        "price_source": prices.price_source[k].tolist(),
        "replacement_price": _floats(prices.replacement_price[k]),
        "replacement_reference_volume": _floats(prices.replacement_reference_volume[k]),
        "mip": _floats(prices.mip[k]),
        "bpa": _floats(inputs.period_inputs.bpa[k]),
        "spa": _floats(inputs.period_inputs.spa[k]),
        "reserve_scarcity_price": _floats(rsvp[k]),
        "main_price": _floats(prices.main_price[k]),
        "price_adjustment": _floats(prices.price_adjustment[k]),
        "metered_volumes": result.metered_available[k].tolist(),
    }


def _bm_unit_period_columns(result: SettlementResult, settled: np.ndarray) -> ListTable:
    """One row per BM unit × settled period, units in input order; QM null where the
    period has no metered volumes."""
    inputs = result.inputs
    units = len(inputs.bm.bm_units)
    unit = np.repeat(np.arange(units), len(settled))
    period = np.tile(settled, units)
    cell = (unit, period - 1)
    nd = result.non_delivery
    qm = np.where(result.metered_available[period - 1], inputs.metered[cell], np.nan)
    return {
        "bm_unit_id": [inputs.bm.bm_units[u] for u in unit],
        "period": period.tolist(),
        "period_fpn": _floats(result.bm.period_fpn[cell]),
        "qm": _floats(qm),
        "tlm": _floats(result.tlm[cell]),
        "stack_tlm": _floats(result.stack_tlm[cell]),
        "qme": _floats(nd.qme[cell]),
        "qii": _floats(nd.qii[cell]),
        "qndo": _floats(nd.qndo[cell]),
        "qndb": _floats(nd.qndb[cell]),
        "cnd": _floats(nd.cnd[cell]),
        "cbm": _floats(result.bm.cashflows.cbm[cell]),
    }


def _pair_period_columns(result: SettlementResult, settled: np.ndarray) -> ListTable:
    bm = result.inputs.bm
    pairs, volumes, cash = bm.pairs, result.bm.volumes, result.bm.cashflows
    pair_rows = np.flatnonzero(np.isin(pairs.period, settled))
    return {
        "bm_unit_id": [bm.bm_units[u] for u in pairs.unit[pair_rows]],
        "period": pairs.period[pair_rows].tolist(),
        "pair": pairs.pair[pair_rows].tolist(),
        "offer_price": _floats(pairs.offer_price[pair_rows]),
        "bid_price": _floats(pairs.bid_price[pair_rows]),
        "qao": _floats(volumes.qao_nj[pair_rows]),
        "qab": _floats(volumes.qab_nj[pair_rows]),
        "co": _floats(cash.co_nj[pair_rows]),
        "cb": _floats(cash.cb_nj[pair_rows]),
    }


def _acceptance_period_columns(result: SettlementResult, settled: np.ndarray) -> ListTable:
    bm = result.inputs.bm
    acc, volumes = bm.acceptances, result.bm.volumes
    vol_rows = np.flatnonzero(np.isin(volumes.period, settled))
    owner = volumes.acceptance[vol_rows]
    return {
        "bm_unit_id": [bm.bm_units[u] for u in acc.unit[owner]],
        "period": volumes.period[vol_rows].tolist(),
        "number": acc.number[owner].tolist(),
        "pair": volumes.pair[vol_rows].tolist(),
        "qao": _floats(volumes.qao[vol_rows]),
        "qab": _floats(volumes.qab[vol_rows]),
        "cashflow": _floats(result.bm.cashflows.cashflow_knj[vol_rows]),
        "cadl_flag": volumes.cadl_flag[owner].tolist(),
    }


def _account_period_columns(result: SettlementResult, settled: np.ndarray) -> ListTable:
    """One row per energy account (each party's P, then C) × settled period; RCRP null where
    the period has no metered volumes."""
    inputs = result.inputs
    accounts = inputs.accounts
    account = np.repeat(np.arange(accounts), len(settled))
    period = np.tile(settled, accounts)
    cell = (account, period - 1)
    imb = result.imbalance
    return {
        "party_id": [inputs.parties[a // 2] for a in account],
        "account": ["PC"[a % 2] for a in account],
        "period": period.tolist(),
        "qce": _floats(result.qce[cell]),
        "qabs": _floats(result.qabs[cell]),
        "qabc": _floats(result.qabc[cell]),
        "qaei": _floats(imb.qaei[cell]),
        "caei": _floats(imb.caei[cell]),
        "rcrp": _floats(np.where(result.metered_available[period - 1], imb.rcrp[cell], np.nan)),
        "rcrc": _floats(imb.rcrc[cell]),
    }


def _party_columns(result: SettlementResult) -> ListTable:
    totals = result.parties
    return {
        "party_id": list(result.inputs.parties),
        "cbm": _floats(totals.cbm),
        "cnd": _floats(totals.cnd),
        "caei": _floats(totals.caei),
        "rcrc": _floats(totals.rcrc),
        "net": _floats(totals.net),
    }


def _system_period_columns(result: SettlementResult, settled: np.ndarray) -> ListTable:
    """One row per settled period; the losses null where it has no metered volumes."""
    k = settled - 1
    metered, losses = result.metered_available, result.losses
    return {
        "period": settled.tolist(),
        "csobm": _floats(result.csobm[k]),
        "trc": _floats(result.imbalance.trc[k]),
        "cash_balance_error": _floats(result.cash_balance_error[k]),
        "cbm": _floats(result.bm.cashflows.total_system_bm_cashflow[k]),
        "losses": _floats(np.where(metered[k], losses.losses[k], np.nan)),
        "tlmo_plus": _floats(np.where(metered[k], losses.tlmo_plus[k], np.nan)),
        "tlmo_minus": _floats(np.where(metered[k], losses.tlmo_minus[k], np.nan)),
        "unallocated_residual": _floats(result.unallocated_residual[k]),
    }


def _check_columns(result: SettlementResult) -> ListTable:
    return {
        "seq": list(range(len(result.checks))),
        "rule": [c.rule for c in result.checks],
        "period": [c.period for c in result.checks],
        "ok": [bool(c.ok) for c in result.checks],
        "detail": [c.detail for c in result.checks],
        "status": [c.status for c in result.checks],
    }


def _records(columns: ListTable) -> list[dict]:
    names = list(columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _bool(value) -> bool:
    return bool(value)


def known_gaps_from_frames(
    settlement_date: date, frames: dict[str, ListTable], rr_flagged_acceptances: int
) -> tuple[GapUse, ...]:
    """The known gaps of stored results, decided from the same facts as the engine's: the
    date, the BM units, the BSAD items of the stack, whether any period was metered, and the
    number of RR-flagged acceptances (which the result tables do not hold)."""
    return gaps_affecting(
        settlement_date,
        sorted(set(frames["bm_unit_period_result"]["bm_unit_id"])),
        rr_flagged_acceptances=rr_flagged_acceptances,
        bsad_actions=sum(1 for s in frames["stack_item_result"]["source"] if s == "bsad"),
        metered=any(bool(m) for m in frames["system_price_result"]["metered_volumes"]),
    )


def document_from_frames(
    settlement_date: date, frames: dict[str, ListTable], known_gaps: tuple[GapUse, ...] = ()
) -> dict:
    """The settlement-result/1 document from result-table columns (engine or database)."""
    return {
        "format": RESULT_FORMAT,
        "settlement_date": settlement_date.isoformat(),
        "engine": {"version": ENGINE_VERSION, "rulebook": RULEBOOK_VERSION},
        "rulebook": RULEBOOK_VERSION,
        "known_gaps": [g.as_json() for g in known_gaps],
        "periods": _period_entries(settlement_date, frames),
        "bm_units": _bm_unit_entries(frames),
        "accounts": _account_entries(frames),
        "parties": _party_entries(frames),
        "system": _system_entries(frames),
        "checks": _check_entries(frames),
    }


def _numbers(record: dict, keys: tuple[str, ...]) -> dict:
    return {key: number(record[key]) for key in keys}


def _period_entries(settlement_date: date, frames: dict[str, ListTable]) -> list[dict]:
    """periods[]: each period's prices, by period, with its stack (buys, then sells, each by
    rank)."""
    stack_by_period: dict[int, list[dict]] = defaultdict(list)
    for r in _records(frames["stack_item_result"]):
        stack_by_period[int(r["period"])].append(r)
    periods = []
    for r in sorted(_records(frames["system_price_result"]), key=lambda r: r["period"]):
        j = int(r["period"])
        stack = sorted(stack_by_period[j], key=lambda s: (s["side"] != "buy", s["sequence"]))
        periods.append(
            {
                "period": j,
                "start": settlement_period(settlement_date, j).start_utc.strftime(
                    "%Y-%m-%dT%H:%M:%SZ"
                ),
                "ssp": number(r["ssp"]),
                "sbp": number(r["sbp"]),
                "niv": number(r["niv"]),
                "price_source": r["price_source"],
                "replacement_price": number(r["replacement_price"]),
                "replacement_reference_volume": number(r["replacement_reference_volume"]),
                "mip": number(r["mip"]),
                "price_adjustment": number(r["price_adjustment"]),
                "metered_volumes": _bool(r["metered_volumes"]),
                "stack": [_stack_entry(s) for s in stack],
            }
        )
    return periods


def _stack_entry(s: dict) -> dict:
    """One stack item: its identity and flags, then its price and volume after each stage."""
    return {
        "side": s["side"],
        "sequence": int(s["sequence"]),
        "id": s["item_id"],
        "source": s["source"],
        "acceptance": None if s["acceptance"] is None else int(s["acceptance"]),
        "pair": None if s["pair"] is None else int(s["pair"]),
        "so_flag": _bool(s["so_flag"]),
        "cadl_flag": _bool(s["cadl_flag"]),
        "stor_flag": _bool(s["stor_flag"]),
        "first_stage_flag": _bool(s["first_stage_flag"]),
        "second_stage_flag": _bool(s["second_stage_flag"]),
        "repriced": _bool(s["repriced"]),
        **_numbers(
            s,
            (
                "reserve_scarcity_price",
                "original_price",
                "stack_price",
                "volume",
                "dmat_adjusted_volume",
                "arbitrage_adjusted_volume",
                "niv_adjusted_volume",
                "par_adjusted_volume",
                "final_price",
                "tlm",
                "tlm_adjusted_volume",
                "tlm_adjusted_cost",
            ),
        ),
        "tagged_by": s["tagged_by"],
    }


def _by_unit_and_period(columns: ListTable) -> dict[tuple, list[dict]]:
    grouped: dict[tuple, list] = defaultdict(list)
    for r in _records(columns):
        grouped[(r["bm_unit_id"], int(r["period"]))].append(r)
    return grouped


def _bm_unit_entries(frames: dict[str, ListTable]) -> list[dict]:
    """bm_units[]: each unit × period, by unit then period, with its pairs (by pair number)
    and its acceptances' volumes (by acceptance number, then pair)."""
    pairs = _by_unit_and_period(frames["pair_period_result"])
    acceptances = _by_unit_and_period(frames["acceptance_period_result"])
    entries = []
    for r in sorted(
        _records(frames["bm_unit_period_result"]), key=lambda r: (r["bm_unit_id"], r["period"])
    ):
        key = (r["bm_unit_id"], int(r["period"]))
        entries.append(
            {
                "bm_unit": r["bm_unit_id"],
                "period": int(r["period"]),
                **_numbers(
                    r,
                    (
                        "period_fpn",
                        "qm",
                        "tlm",
                        "stack_tlm",
                        "qme",
                        "qii",
                        "qndo",
                        "qndb",
                        "cnd",
                        "cbm",
                    ),
                ),
                "pairs": [_pair_entry(p) for p in sorted(pairs[key], key=lambda p: p["pair"])],
                "acceptances": [
                    _acceptance_entry(a)
                    for a in sorted(acceptances[key], key=lambda a: (a["number"], a["pair"]))
                ],
            }
        )
    return entries


def _pair_entry(p: dict) -> dict:
    return {
        "pair": int(p["pair"]),
        "po": number(p["offer_price"]),
        "pb": number(p["bid_price"]),
        "qao": number(p["qao"]),
        "qab": number(p["qab"]),
        "co": number(p["co"]),
        "cb": number(p["cb"]),
    }


def _acceptance_entry(a: dict) -> dict:
    return {
        "number": int(a["number"]),
        "pair": int(a["pair"]),
        "qao": number(a["qao"]),
        "qab": number(a["qab"]),
        "cashflow": number(a["cashflow"]),
        "cadl_flag": _bool(a["cadl_flag"]),
    }


def _account_entries(frames: dict[str, ListTable]) -> list[dict]:
    """accounts[]: each energy account × period, by party, account, period."""
    return [
        {
            "party": r["party_id"],
            "account": r["account"],
            "period": int(r["period"]),
            **_numbers(r, ("qce", "qabs", "qabc", "qaei", "caei", "rcrp", "rcrc")),
        }
        for r in sorted(
            _records(frames["account_period_result"]),
            key=lambda r: (r["party_id"], r["account"], r["period"]),
        )
    ]


def _party_entries(frames: dict[str, ListTable]) -> list[dict]:
    """parties[]: each party's totals of the day, by party."""
    return [
        {"party": r["party_id"], **_numbers(r, ("cbm", "cnd", "caei", "rcrc", "net"))}
        for r in sorted(_records(frames["party_result"]), key=lambda r: r["party_id"])
    ]


def _system_entries(frames: dict[str, ListTable]) -> list[dict]:
    """system[]: each period's system totals, by period."""
    keys = (
        "csobm",
        "cbm",
        "trc",
        "cash_balance_error",
        "losses",
        "tlmo_plus",
        "tlmo_minus",
        "unallocated_residual",
    )
    return [
        {"period": int(r["period"]), **_numbers(r, keys)}
        for r in sorted(_records(frames["system_period_result"]), key=lambda r: r["period"])
    ]


def _check_entries(frames: dict[str, ListTable]) -> list[dict]:
    """checks[]: in the order the engine ran them."""
    return [
        {
            "rule": r["rule"],
            "period": None if r["period"] is None else int(r["period"]),
            "ok": _bool(r["ok"]),
            "status": r.get("status"),
            "detail": r["detail"],
        }
        for r in sorted(_records(frames["check_result"]), key=lambda r: r["seq"])
    ]


def result_document(result: SettlementResult) -> dict:
    return document_from_frames(
        result.inputs.bm.settlement_date, result_frames(result), result.known_gaps
    )
