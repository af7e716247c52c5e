"""Step traces of a settled day: one BM unit and period, one account and period, one price.

Each is an ordered list of steps (rule id and status, formula in words, named inputs with
values and where they came from, result), complete enough to redo the sums by hand. They
are read from a finished SettlementResult (the BM unit trace reruns that unit's BM stage),
so settling a day never pays for them.
"""

from __future__ import annotations

import numpy as np

from engine.accounts import r_acc_rcrc_nodenom
from engine.bm_trace import trace_bm_unit_period
from engine.errors import EngineInputError
from engine.imbalance_price import TAGGED_BY_ARBITRAGE, TAGGED_BY_DMAT, TAGGED_BY_NIV
from engine.known_gaps import (
    compensation_gap_ids,
    gap_ids_for_account,
    gap_ids_for_unit,
    is_supplier_id,
)
from engine.settle import SettlementResult
from engine.trace import Trace, TraceInput, TraceStep, step


def _f(value, places: int = 6):
    value = float(value)
    return None if np.isnan(value) else round(value, places)


def _named(trace: Trace, result: SettlementResult) -> Trace:
    """The trace, naming the rule variant its result was settled under (if any)."""
    trace.variant = result.variant
    return trace


def _settled_period_index(result: SettlementResult, period: int) -> int:
    """The zero-based index of settlement period j (`period`) in the arrays, once it was settled."""
    if period not in result.settled_periods:
        raise EngineInputError(
            f"period {period} was not settled (settled: {result.settled_periods[0]}"
            f"–{result.settled_periods[-1]})"
        )
    return period - 1


def trace_unit(result: SettlementResult, bm_unit: str, period: int) -> Trace:
    """Step trace of one BM unit in one period: BM stage, TLM and non-delivery.

    Steps: the BM stage (engine.bm_trace: R-PROF-*, R-VOL-*, R-CBM), then R-TLM-TU or
    R-TLM-SECONDARY, R-TLM-PRIMARY, R-TLM-ONESIDED where it applies, R-TLM, and R-ND,
    R-ND-ORDER, R-ND-CHARGE; without metered volumes only the stack's TLM = 1 + TLF.

    Parameters
    ----------
    result : SettlementResult
        A settled day.
    bm_unit : str
        Elexon BM unit id.
    period : int
        A settled period, 1-based.

    Returns
    -------
    Trace
        Volumes in MWh, cash in £ (CBM paid to, CND paid by the party), TLM dimensionless;
        steps resting on P376 baselining name that gap where the unit may be baselined.

    Raises
    ------
    EngineInputError
        When the period was not settled or the unit is not in the inputs.
    """
    period_index = _settled_period_index(result, period)
    inputs = result.inputs
    u = inputs.bm.unit_index(bm_unit)
    trace = trace_bm_unit_period(inputs.bm, inputs.parameters.cadl_minutes, bm_unit, period)
    units = inputs.units
    if not result.metered_available[period_index]:
        trace.add(
            step(
                "R-TLM",
                [TraceInput("TLF", float(units.tlf[u]), f"BM unit {bm_unit}")],
                _f(result.stack_tlm[u, period_index]),
                title="Stack TLM without metered volumes: 1 + TLF (indicative)",
            )
        )
        return _named(trace, result)
    qm = inputs.metered[u, period_index]
    _trace_losses(trace, result, u, period_index)
    _trace_non_delivery(trace, result, u, period_index, qm)
    return _named(trace, result)


def _trace_losses(trace: Trace, result: SettlementResult, u: int, period_index: int) -> None:
    """R-TLM-TU (or R-TLM-SECONDARY), R-TLM-PRIMARY, R-TLM-ONESIDED where it applies, R-TLM."""
    inputs = result.inputs
    units = inputs.units
    bm_unit = inputs.bm.bm_units[u]
    period = period_index + 1
    qm = inputs.metered[u, period_index]
    losses = result.losses
    delivering = bool(losses.delivering[u, period_index])
    secondary = bool(losses.secondary[u])
    if secondary:
        trace.add(
            step(
                "R-TLM-SECONDARY",
                [TraceInput("QM", _f(qm), f"metered volume {bm_unit} period {period}")],
                "TLMO+ (QM > 0)" if delivering else "TLMO− (QM ≤ 0)",
                title="Secondary BM unit: its own metered volume chooses the offset",
            )
        )
    else:
        trace.add(
            step(
                "R-TLM-TU",
                [TraceInput("trading unit code", int(units.trading_unit[u]), f"BM unit {bm_unit}")],
                "delivering" if delivering else "offtaking",
            )
        )
    trace.add(
        step(
            "R-TLM-PRIMARY",
            [
                TraceInput("secondary BM unit (V__)", secondary, f"BM unit {bm_unit}"),
                TraceInput(
                    "secondary BM units left out", int(losses.secondary.sum()), "BM unit ids"
                ),
                TraceInput(
                    "Σ delivering primary non-IC QM",
                    _f(losses.delivered[period_index]),
                    f"period {period}",
                ),
                TraceInput(
                    "Σ offtaking primary non-IC QM",
                    _f(losses.offtaken[period_index]),
                    f"period {period}",
                ),
            ],
            _f(losses.losses[period_index]),
            unit="MWh",
            title="Losses L over primary BM units",
        )
    )
    if losses.one_sided[period_index]:
        trace.add(
            step(
                "R-TLM-ONESIDED",
                [
                    TraceInput(
                        "Σ delivering primary non-IC QM",
                        _f(losses.delivered[period_index]),
                        f"period {period}",
                    ),
                    TraceInput(
                        "Σ offtaking primary non-IC QM",
                        _f(losses.offtaken[period_index]),
                        f"period {period}",
                    ),
                ],
                "incomplete metering: TLMO+ = TLMO− = 0, the R-TLM check does not apply",
            )
        )
    trace.add(
        step(
            "R-TLM",
            [
                TraceInput("QM", _f(qm), f"metered volume {bm_unit} period {period}"),
                TraceInput("TLF", float(units.tlf[u]), f"BM unit {bm_unit}"),
                TraceInput("interconnector", bool(units.interconnector[u]), f"BM unit {bm_unit}"),
                TraceInput("L (losses), MWh", _f(losses.losses[period_index]), "R-TLM-PRIMARY"),
                TraceInput("TLMO+", _f(losses.tlmo_plus[period_index], 9), f"period {period}"),
                TraceInput("TLMO−", _f(losses.tlmo_minus[period_index], 9), f"period {period}"),
            ],
            _f(result.tlm[u, period_index], 9),
            title="Transmission loss multiplier TLM_ij",
        )
    )


def _trace_non_delivery(
    trace: Trace, result: SettlementResult, u: int, period_index: int, qm
) -> None:
    """R-ND (QME, QII, QNDO, QNDB), R-ND-ORDER (allocation) and R-ND-CHARGE (CND)."""
    inputs = result.inputs
    bm_unit = inputs.bm.bm_units[u]
    period = period_index + 1
    gaps = gap_ids_for_unit(result.known_gaps, bm_unit)
    nd = result.non_delivery
    pairs = inputs.bm.pairs
    rows = np.flatnonzero((pairs.unit == u) & (pairs.period == period))
    allocation = [
        (
            int(pairs.pair[r]),
            _f(nd.qndo_pair[r]),
            _f(nd.qndb_pair[r]),
            float(pairs.offer_price[r]),
            float(pairs.bid_price[r]),
        )
        for r in rows
        if nd.qndo_pair[r] != 0 or nd.qndb_pair[r] != 0
    ]
    trace.add(
        step(
            "R-ND",
            [
                TraceInput("Period FPN", _f(result.bm.period_fpn[u, period_index]), "R-PROF-FPN"),
                TraceInput("QME", _f(nd.qme[u, period_index]), "Period FPN + Σ_n (QAO + QAB)"),
                TraceInput("QM", _f(qm), f"metered volume {bm_unit} period {period}"),
                TraceInput("QII = QM − QME", _f(nd.qii[u, period_index]), "charged at 0 £/MWh"),
            ],
            {"QNDO": _f(nd.qndo[u, period_index]), "QNDB": _f(nd.qndb[u, period_index])},
            unit="MWh",
            title="Expected volume and non-delivered volumes (shortfall QME − QM)",
            gaps=gaps,
        )
    )
    trace.add(
        step(
            "R-ND-ORDER",
            [
                TraceInput(
                    "QNDO, QNDB",
                    (_f(nd.qndo[u, period_index]), _f(nd.qndb[u, period_index])),
                    "R-ND",
                )
            ],
            allocation,
            title="Allocation to pairs (pair, QNDO, QNDB, PO, PB): dearest offers, cheapest "
            "bids first",
        )
    )
    trace.add(
        step(
            "R-ND-CHARGE",
            [
                TraceInput("allocation (pair, QNDO, QNDB, PO, PB)", allocation, "R-ND-ORDER"),
                TraceInput(
                    "SBP = SSP", _f(result.prices.ssp[period_index]), f"period {period} price"
                ),
            ],
            _f(nd.cnd[u, period_index]),
            unit="£",
            title="Non-delivery charge CND_ij (paid by the party)",
            gaps=gaps,
        )
    )


def trace_account(result: SettlementResult, party: str, account: str, period: int) -> Trace:
    """Step trace of one energy account in one period: QCE, QABC, QABS, imbalance and RCRC.

    Steps R-ACC-QCE, R-ACC-QABC, R-ACC-QABS, R-ACC-QAEI, R-ACC-RCRC-NODENOM where it
    applies, R-ACC-RCRC; without metered volumes only R-ACC-QABC.

    Parameters
    ----------
    result : SettlementResult
        A settled day.
    party : str
        Party id.
    account : str
        ``P`` (Production) or ``C`` (Consumption).
    period : int
        A settled period, 1-based.

    Returns
    -------
    Trace
        Volumes in MWh, CAEI in £ paid by and RCRC in £ paid to the party; steps name the
        known gaps (VLP accounts, P415, the NETSO's accounts) the account depends on.

    Raises
    ------
    EngineInputError
        When the period was not settled or the run has no such account.
    """
    period_index = _settled_period_index(result, period)
    a = _account_row(result, party, account)
    trace = Trace(f"energy account {party} {account}, period {period}")
    if not result.metered_available[period_index]:
        trace.add(
            step(
                "R-ACC-QABC",
                [],
                _f(result.qabc[a, period_index]),
                unit="MWh",
                title="Contract volume (no metered volumes: imbalance not settled)",
            )
        )
        return _named(trace, result)
    led = np.flatnonzero(result.inputs.units.lead_account == a)
    names = result.inputs.bm.bm_units
    secondary_led = bool(result.losses.secondary[led].any())
    supplier_led = any(is_supplier_id(names[u]) for u in led)
    gaps = gap_ids_for_account(result.known_gaps, secondary_led, supplier_led)
    own_gaps = compensation_gap_ids(result.known_gaps, secondary_led, supplier_led)
    trace.add(
        step(
            "R-ACC-QCE",
            _credited_energy_inputs(result, a, period_index, led),
            _f(result.qce[a, period_index]),
            unit="MWh",
            gaps=own_gaps,
        )
    )
    trace.add(_contract_volume_step(result, a, period_index))
    trace.add(_bm_volume_step(result, a, period_index, led))
    trace.add(_imbalance_step(result, a, period_index, own_gaps))
    for rcrc_step in _rcrc_steps(result, a, period_index, gaps):
        trace.add(rcrc_step)
    return _named(trace, result)


def _account_row(result: SettlementResult, party: str, account: str) -> int:
    """The energy account's row: each party's P account, then its C account."""
    inputs = result.inputs
    if party not in inputs.parties or account not in ("P", "C"):
        raise EngineInputError(f"no energy account {party} {account} in the run")
    return inputs.parties.index(party) * 2 + "PC".index(account)


def _credited_energy_inputs(
    result: SettlementResult, a: int, period_index: int, led: np.ndarray
) -> list[TraceInput]:
    """R-ACC-QCE's inputs: QM × TLM of each unit the account leads, the MVRNs moved to it
    and those moved away from it."""
    inputs = result.inputs
    units = inputs.units
    names = inputs.bm.bm_units
    metered = np.nan_to_num(inputs.metered[:, period_index])
    tlm = result.tlm[:, period_index]
    contributions = [
        TraceInput(
            f"{names[u]}: QM × TLM", f"{metered[u]:.6f} × {tlm[u]:.9f}", f"BM unit {names[u]}"
        )
        for u in led
    ]
    r = inputs.reallocations
    moved_to = np.flatnonzero(r.to_account == a)
    for m in moved_to:
        contributions.append(
            TraceInput(
                f"MVRN from {names[r.unit[m]]}",
                f"({r.fixed_mwh[m]:g} + {r.percentage[m]:g}% × (QM − Σ fixed)) × TLM",
                "MVRN",
            )
        )
    moved_from = [m for m in range(len(r.unit)) if units.lead_account[r.unit[m]] == a]
    for m in moved_from:
        contributions.append(
            TraceInput(
                f"less MVRN of {names[r.unit[m]]} to {inputs.account_name(int(r.to_account[m]))}",
                f"({r.fixed_mwh[m]:g} + {r.percentage[m]:g}% × (QM − Σ fixed)) × TLM",
                "MVRN",
            )
        )
    return contributions


def _contract_volume_step(result: SettlementResult, a: int, period_index: int) -> TraceStep:
    """R-ACC-QABC: the period's ECVNs sold from and bought into the account."""
    inputs = result.inputs
    c = inputs.contracts
    in_period = c.period == period_index + 1
    sold = [
        (inputs.account_name(int(c.to_account[i])), float(c.mwh[i]))
        for i in np.flatnonzero(in_period & (c.from_account == a))
    ]
    bought = [
        (inputs.account_name(int(c.from_account[i])), float(c.mwh[i]))
        for i in np.flatnonzero(in_period & (c.to_account == a))
    ]
    return step(
        "R-ACC-QABC",
        [
            TraceInput("sold to (account, MWh)", sold, "ECVN"),
            TraceInput("bought from (account, MWh)", bought, "ECVN"),
        ],
        _f(result.qabc[a, period_index]),
        unit="MWh",
    )


def _bm_volume_step(
    result: SettlementResult, a: int, period_index: int, led: np.ndarray
) -> TraceStep:
    """R-ACC-QABS: −TLM × (accepted + balancing services volume) of each unit it leads."""
    inputs = result.inputs
    names = inputs.bm.bm_units
    tlm = result.tlm[:, period_index]
    accepted = result.non_delivery.qme[:, period_index] - result.bm.period_fpn[:, period_index]
    services = inputs.balancing_services[:, period_index]
    return step(
        "R-ACC-QABS",
        [
            TraceInput(
                f"{names[u]}: −TLM × (Σ QAO + QAB + QBS)",
                f"−{tlm[u]:.9f} × ({accepted[u]:.6f} + {services[u]:g})",
                f"BM unit {names[u]}",
            )
            for u in led
        ],
        _f(result.qabs[a, period_index]),
        unit="MWh",
    )


def _imbalance_step(
    result: SettlementResult, a: int, period_index: int, gaps: tuple[str, ...]
) -> TraceStep:
    """R-ACC-QAEI: QAEI = QCE + QABS − QABC and its charge CAEI at the period's price."""
    imb = result.imbalance
    return step(
        "R-ACC-QAEI",
        [
            TraceInput("QCE", _f(result.qce[a, period_index]), "R-ACC-QCE"),
            TraceInput("QABS", _f(result.qabs[a, period_index]), "R-ACC-QABS"),
            TraceInput("QABC", _f(result.qabc[a, period_index]), "R-ACC-QABC"),
            TraceInput("QAEI = QCE + QABS − QABC", _f(imb.qaei[a, period_index]), ""),
            TraceInput(
                "SSP = SBP", _f(result.prices.ssp[period_index]), f"period {period_index + 1} price"
            ),
        ],
        _f(imb.caei[a, period_index]),
        unit="£",
        title="Energy imbalance charge CAEI_a (paid by the party)",
        gaps=gaps,
    )


def _rcrc_steps(
    result: SettlementResult, a: int, period_index: int, gaps: tuple[str, ...]
) -> list[TraceStep]:
    """R-ACC-RCRC-NODENOM when the period has no RCRC denominator (or a residual), then
    R-ACC-RCRC: the account's share RCRP_a of TRC_j."""
    imb = result.imbalance
    rcrc_inputs = [
        TraceInput(
            "CE_a (signed credited energy)", _f(result.rcrc_basis[a, period_index]), "R-ACC-QCE"
        ),
        TraceInput("Σ_b CE_b", _f(imb.rcrc_denominator[period_index]), "all accounts"),
        TraceInput("RCRP_a", _f(imb.rcrp[a, period_index], 9), "CE_a / Σ CE_b"),
        TraceInput("TRC_j = Σ CAEI", _f(imb.trc[period_index]), f"period {period_index + 1}"),
    ]
    steps = []
    if (
        imb.unallocated_residual[period_index] != 0
        or r_acc_rcrc_nodenom(imb.rcrc_denominator[period_index : period_index + 1])[0]
    ):
        steps.append(
            step(
                "R-ACC-RCRC-NODENOM",
                rcrc_inputs[1:2] + rcrc_inputs[3:],  # the denominator and what goes unallocated
                _f(imb.unallocated_residual[period_index]),
                unit="£",
                title="No RCRC denominator: RCRP = 0, TRC_j unallocated",
                gaps=gaps,
            )
        )
    steps.append(
        step(
            "R-ACC-RCRC",
            rcrc_inputs,
            _f(imb.rcrc[a, period_index]),
            unit="£",
            title="Residual cashflow reallocation RCRC_a (paid to the party)",
            gaps=gaps,
        )
    )
    return steps


def trace_price(result: SettlementResult, period: int) -> Trace:
    """Step trace of the imbalance price of one period, stage by stage (R-PRC-*).

    Steps R-PRC-MIP, R-PRC-STOR, R-PRC-DMAT, R-PRC-ARB, R-PRC-NIV, R-PRC-FLAG, R-PRC-NIVTAG,
    R-PRC-REPL, R-PRC-PAR and R-PRC-MAIN, each with the items it tagged or kept.

    Parameters
    ----------
    result : SettlementResult
        A settled day.
    period : int
        A settled period, 1-based.

    Returns
    -------
    Trace
        Prices in £/MWh, volumes in MWh (buy > 0, sell < 0), NIV > 0 short.

    Raises
    ------
    EngineInputError
        When the period was not settled.
    """
    period_index = _settled_period_index(result, period)
    mine = np.flatnonzero(result.items.period == period)
    trace = Trace(f"imbalance price, period {period}")
    trace.add(
        step(
            "R-PRC-MIP",
            [TraceInput("market index data", "volume-weighted", "MID")],
            _f(result.prices.mip[period_index]),
            unit="£/MWh",
        )
    )
    trace.add(_reserve_scarcity_step(result, mine, period_index))
    trace.add(
        step(
            "R-PRC-DMAT",
            [TraceInput("DMAT, MWh", result.inputs.parameters.dmat, "R-PAR")],
            _tagged_items(result, mine, TAGGED_BY_DMAT),
            title="Items tagged out by DMAT (id, acceptance, pair, MWh, £/MWh)",
        )
    )
    trace.add(
        step(
            "R-PRC-ARB",
            [],
            _tagged_items(result, mine, TAGGED_BY_ARBITRAGE),
            title="Items tagged out by arbitrage (id, acceptance, pair, MWh, £/MWh)",
        )
    )
    trace.add(_niv_step(result, mine, period_index))
    trace.add(_flagging_step(result, mine))
    trace.add(
        step(
            "R-PRC-NIVTAG",
            [],
            _tagged_items(result, mine, TAGGED_BY_NIV),
            title="Items tagged out by NIV tagging (id, acceptance, pair, MWh, £/MWh)",
        )
    )
    trace.add(_replacement_price_step(result, mine, period_index))
    kept = mine[result.stack.par_adjusted_volume[mine] != 0]
    trace.add(_par_step(result, kept))
    trace.add(_main_price_step(result, kept, period_index))
    return _named(trace, result)


def _tagged_items(result: SettlementResult, mine: np.ndarray, code: int) -> list:
    """(id, acceptance, pair, MWh, £/MWh) of the period's items tagged out by stage `code`."""
    items, stack = result.items, result.stack
    rows = mine[stack.tagged_by[mine] == code]
    return [
        (
            str(items.item_id[i]),
            int(items.acceptance[i]),
            int(items.pair[i]),
            _f(items.volume[i]),
            _f(items.price[i]),
        )
        for i in rows
    ]


def _reserve_scarcity_step(
    result: SettlementResult, mine: np.ndarray, period_index: int
) -> TraceStep:
    """R-PRC-STOR: RSVP = LoLP × VoLL and the STOR items in the window, (id, price, stack
    price)."""
    items, stack = result.items, result.stack
    rsvp = float(result.inputs.period_inputs.lolp[period_index]) * result.inputs.parameters.voll
    stor_rows = mine[~np.isnan(stack.reserve_scarcity_price[mine])]
    return step(
        "R-PRC-STOR",
        [
            TraceInput("LoLP × VoLL", _f(rsvp), "LoLP, R-PAR"),
            TraceInput("STOR items in window", len(stor_rows), "stack"),
        ],
        [(str(items.item_id[i]), _f(items.price[i]), _f(stack.stack_price[i])) for i in stor_rows],
    )


def _niv_step(result: SettlementResult, mine: np.ndarray, period_index: int) -> TraceStep:
    """R-PRC-NIV: the volumes left after arbitrage, buy and sell, and NIV."""
    items, stack = result.items, result.stack
    buy = mine[items.side[mine] > 0]
    sell = mine[items.side[mine] < 0]
    return step(
        "R-PRC-NIV",
        [
            TraceInput("Σ remaining buy", _f(stack.arbitrage_adjusted_volume[buy].sum()), "stack"),
            TraceInput(
                "Σ remaining sell", _f(stack.arbitrage_adjusted_volume[sell].sum()), "stack"
            ),
        ],
        _f(result.prices.niv[period_index]),
        unit="MWh",
    )


def _flagging_step(result: SettlementResult, mine: np.ndarray) -> TraceStep:
    """R-PRC-FLAG: how many items were flagged at the first stage, unflagged at the second,
    and are second-stage flagged."""
    stack = result.stack
    return step(
        "R-PRC-FLAG",
        [
            TraceInput(
                "first-stage flagged", int(stack.first_stage_flag[mine].sum()), "SO, CADL, unpriced"
            ),
            TraceInput(
                "unflagged at the second stage",
                int((stack.first_stage_flag & ~stack.second_stage_flag)[mine].sum()),
                "",
            ),
        ],
        int(stack.second_stage_flag[mine].sum()),
        title="Second-stage flagged items",
    )


def _replacement_price_step(
    result: SettlementResult, mine: np.ndarray, period_index: int
) -> TraceStep:
    """R-PRC-REPL: the replacement price over RPAR and how many items it repriced."""
    prices = result.prices
    return step(
        "R-PRC-REPL",
        [
            TraceInput("RPAR, MWh", result.inputs.parameters.rpar, "R-PAR"),
            TraceInput(
                "reference volume", _f(prices.replacement_reference_volume[period_index]), ""
            ),
            TraceInput("repriced items", int(result.stack.repriced[mine].sum()), ""),
        ],
        _f(prices.replacement_price[period_index]),
        unit="£/MWh",
    )


def _par_step(result: SettlementResult, kept: np.ndarray) -> TraceStep:
    """R-PRC-PAR: the items left in the PAR volume, with their final price and TLM."""
    items, stack = result.items, result.stack
    return step(
        "R-PRC-PAR",
        [TraceInput("PAR, MWh", result.inputs.parameters.par, "R-PAR")],
        [
            (
                str(items.item_id[i]),
                int(items.acceptance[i]),
                int(items.pair[i]),
                _f(stack.par_adjusted_volume[i]),
                _f(stack.final_price[i]),
                _f(items.tlm[i], 9),
            )
            for i in kept
        ],
        title="PAR-tagged items (id, acceptance, pair, MWh, final £/MWh, TLM)",
    )


def _main_price_step(result: SettlementResult, kept: np.ndarray, period_index: int) -> TraceStep:
    """R-PRC-MAIN: the PAR items' TLM-adjusted cost over volume, the adjustment and SSP = SBP."""
    stack, prices = result.stack, result.prices
    return step(
        "R-PRC-MAIN",
        [
            TraceInput("Σ TLM-adjusted cost", _f(stack.tlm_adjusted_cost[kept].sum()), "PAR items"),
            TraceInput(
                "Σ TLM-adjusted volume", _f(stack.tlm_adjusted_volume[kept].sum()), "PAR items"
            ),
            TraceInput("main price", _f(prices.main_price[period_index]), ""),
            TraceInput("BPA or SPA", _f(prices.price_adjustment[period_index]), "price adjustment"),
            TraceInput("price source", prices.price_source[period_index], ""),
        ],
        _f(prices.ssp[period_index]),
        unit="£/MWh",
        title="System price SSP = SBP",
    )
