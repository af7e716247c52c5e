"""Step trace of the BM stage for one BM unit and period, complete enough to redo by hand.

It reruns profiles and volumes for that unit only, keeping the spot-time values the bulk path
discards, and lists: the FPN and Period FPN, the bid-offer pairs with their band edges, any
RR-flagged acceptance left out (with the known gap of Replacement Reserve cashflows), each
acceptance's levels against the level it replaces, the per-pair qABO values at each spot time
with QAO_knj and QAB_knj, the CADL flags, the pair totals and the cashflows.
"""

from __future__ import annotations

import numpy as np

from engine.accepted_volumes import accepted_volumes
from engine.bm_cashflow import bm_cashflows
from engine.bm_inputs import BmInputs
from engine.bm_stage import period_fpn
from engine.known_gaps import RR_CASHFLOWS
from engine.profiles import FROM_FPN, acceptance_spans, acceptance_spots, fpn_index
from engine.settlement_calendar import PERIOD_SECONDS, from_epoch_seconds
from engine.trace import Trace, TraceInput, step


def _hhmm(seconds: int) -> str:
    return from_epoch_seconds(int(seconds)).strftime("%H:%MZ")


def _round(value: float, places: int = 6) -> float:
    return round(float(value), places)


def _segment_list(segments, rows) -> list[tuple[str, float, str, float]]:
    """(from, MW, to, MW) of the given segment rows, times as HH:MMZ."""
    return [
        (
            _hhmm(segments.time_from[r]),
            float(segments.level_from[r]),
            _hhmm(segments.time_to[r]),
            float(segments.level_to[r]),
        )
        for r in rows
    ]


def _series(times, values) -> list[tuple[str, float]]:
    return [(_hhmm(t), _round(v)) for t, v in zip(times, values, strict=True)]


def _cashflow_sum(volumes, pairs, cashflows, row: int) -> str:
    return (
        f"{volumes.qao_nj[row]:.6f} × {pairs.offer_price[row]:g} + "
        f"{volumes.qab_nj[row]:.6f} × {pairs.bid_price[row]:g} = "
        f"{cashflows.co_nj[row] + cashflows.cb_nj[row]:.2f}"
    )


def trace_bm_unit_period(inputs: BmInputs, cadl_minutes: float, bm_unit: str, period: int) -> Trace:
    # Units are independent in R-PROF and R-VOL: trace on the unit's own data only.
    inputs = inputs.restricted_to([inputs.unit_index(bm_unit)])
    unit = 0
    start = inputs.day_start + PERIOD_SECONDS * (period - 1)
    end = start + PERIOD_SECONDS
    trace = Trace(f"BM unit {bm_unit}, period {period}")

    # R-PROF-FPN
    fpn = inputs.fpn
    mine = np.flatnonzero((fpn.owner == unit) & (fpn.time_to >= start) & (fpn.time_from <= end))
    points = [
        (
            _hhmm(fpn.time_from[r]),
            float(fpn.level_from[r]),
            _hhmm(fpn.time_to[r]),
            float(fpn.level_to[r]),
        )
        for r in mine
    ]
    trace.add(
        step(
            "R-PROF-FPN",
            [
                TraceInput(
                    "FPN segments (from, MW, to, MW)",
                    points or "none: deemed 0 MW",
                    f"FPN {bm_unit}",
                )
            ],
            _round(period_fpn(inputs)[unit, period - 1]),
            unit="MWh",
            title="Period FPN",
        )
    )

    # R-PROF-BOD
    pairs = inputs.pairs
    pair_rows = np.flatnonzero((pairs.unit == unit) & (pairs.period == period))
    pair_rows = pair_rows[np.argsort(pairs.pair[pair_rows])]
    bands = inputs.bands
    band_inputs = []
    for row in pair_rows:
        segs = np.flatnonzero(bands.owner == row)
        widths = _segment_list(bands, segs)
        n = int(pairs.pair[row])
        prices = f"PO {pairs.offer_price[row]:g}, PB {pairs.bid_price[row]:g}"
        band_inputs.append(
            TraceInput(
                f"pair {n}: {prices}, qBO (from, MW, to, MW)",
                widths,
                f"BOD {bm_unit} pair {n} period {period}",
            )
        )
    trace.add(
        step(
            "R-PROF-BOD",
            band_inputs,
            [int(pairs.pair[r]) for r in pair_rows],
            title="Bid-offer pairs of the period",
        )
    )

    # Acceptances touching the period
    acceptances = inputs.acceptances
    spans = acceptance_spans(inputs)
    touching = np.flatnonzero(
        (acceptances.unit == unit) & (spans.first <= end) & (spans.last >= start)
    )
    touching = touching[np.argsort(acceptances.number[touching])]
    excluded = [int(acceptances.number[k]) for k in touching if acceptances.rr_flag[k]]
    if excluded:
        trace.add(
            step(
                "R-PROF-RR",
                [TraceInput("RR-flagged acceptances", excluded, f"BOALF {bm_unit}")],
                "left out of bid-offer volumes",
                gaps=(RR_CASHFLOWS,),  # their Replacement Reserve cashflows are not modelled
            )
        )

    spots = acceptance_spots(inputs, spans, fpn_index(inputs), units=np.array([unit]))
    volumes, contributions, kept = accepted_volumes(
        inputs, spots, spans, cadl_minutes, keep_spot_values=True
    )
    cashflows = bm_cashflows(inputs, volumes)
    in_period = contributions.period == period
    for k in touching:
        if acceptances.rr_flag[k]:
            continue
        number = int(acceptances.number[k])
        rows = np.flatnonzero((spots.acceptance == k) & (spots.time >= start) & (spots.time <= end))
        sources = sorted({int(s) for s in spots.previous_source[rows]})
        replaced = [
            "FPN" if s == FROM_FPN else f"acceptance {int(acceptances.number[s])}" for s in sources
        ]
        levels = inputs.acceptance_levels
        own_points = _segment_list(levels, np.flatnonzero(levels.owner == k))
        trace.add(
            step(
                "R-PROF-BOA",
                [
                    TraceInput(
                        "acceptance time",
                        from_epoch_seconds(int(acceptances.time[k])).isoformat(),
                        f"BOALF {bm_unit} {number}",
                    ),
                    TraceInput(
                        "levels (from, MW, to, MW)", own_points, f"BOALF {bm_unit} {number}"
                    ),
                    TraceInput(
                        "flags",
                        {
                            "so": bool(acceptances.so_flag[k]),
                            "stor": bool(acceptances.stor_flag[k]),
                            "deemed": bool(acceptances.deemed_flag[k]),
                        },
                        f"BOALF {bm_unit} {number}",
                    ),
                ],
                [
                    (_hhmm(t), _round(v))
                    for t, v in zip(spots.time[rows], spots.level[rows], strict=True)
                ],
                unit="MW",
                title=f"Acceptance {number}: qA_k(t) at the period's spot times",
            )
        )
        trace.add(
            step(
                "R-PROF-CARRY",
                [
                    TraceInput("replaces", replaced, "acceptance order by number"),
                    TraceInput(
                        "FPN(t)",
                        [
                            (_hhmm(t), _round(v))
                            for t, v in zip(spots.time[rows], spots.fpn[rows], strict=True)
                        ],
                        f"FPN {bm_unit}",
                    ),
                ],
                [
                    (_hhmm(t), _round(v))
                    for t, v in zip(spots.time[rows], spots.previous_level[rows], strict=True)
                ],
                unit="MW",
                title=f"Acceptance {number}: level it replaces, qA_(k−1)(t)",
            )
        )
        mine_rows = np.flatnonzero(in_period & (spots.acceptance[contributions.spot] == k))
        spot_times = spots.time[contributions.spot[mine_rows]]
        for n in sorted(kept.qabo if kept else []):
            series = np.zeros(31)
            series[(spot_times - start) // 60] = kept.qabo[n][mine_rows]
            hit = (volumes.acceptance == k) & (volumes.period == period) & (volumes.pair == n)
            qao = float(volumes.qao[hit].sum())
            qab = float(volumes.qab[hit].sum())
            if qao == 0 and qab == 0:
                continue
            lower = kept.lower[n][mine_rows]
            upper = kept.upper[n][mine_rows]
            trace.add(
                step(
                    "R-VOL-INT",
                    [
                        TraceInput(
                            "band edges [L_n, U_n] at the first spot",
                            (_round(lower[0]), _round(upper[0])),
                            f"BOD {bm_unit} period {period}",
                        ),
                        TraceInput(
                            "qABO_kn(t), MW, spot times 0..30",
                            [_round(v) for v in series],
                            "R-VOL-PAIR",
                        ),
                    ],
                    {"QAO_knj": _round(qao, 9), "QAB_knj": _round(qab, 9)},
                    unit="MWh",
                    title=f"Acceptance {number}, pair {n}: accepted volume in the period",
                )
            )
        trace.add(
            step(
                "R-VOL-CADL",
                [
                    TraceInput(
                        "duration, minutes",
                        float(spans.duration_minutes[k]),
                        f"BOALF {bm_unit} {number}",
                    ),
                    TraceInput("CADL, minutes", cadl_minutes, "R-PAR"),
                ],
                bool(volumes.cadl_flag[k]),
                title=f"Acceptance {number}: CADL flag",
            )
        )
    for row in pair_rows:
        n = int(pairs.pair[row])
        trace.add(
            step(
                "R-VOL-SUM",
                [
                    TraceInput(
                        "QAO_knj, QAB_knj of each acceptance",
                        [
                            (int(acceptances.number[a]), _round(o, 9), _round(b, 9))
                            for a, o, b in zip(
                                volumes.acceptance[volumes.pair_row == row],
                                volumes.qao[volumes.pair_row == row],
                                volumes.qab[volumes.pair_row == row],
                                strict=True,
                            )
                        ],
                        "R-VOL-INT",
                    )
                ],
                {
                    "QAO_nj": _round(volumes.qao_nj[row], 9),
                    "QAB_nj": _round(volumes.qab_nj[row], 9),
                },
                unit="MWh",
                title=f"Pair {n}: volumes of the period",
            )
        )
    trace.add(
        step(
            "R-CBM",
            [
                TraceInput(
                    f"pair {int(pairs.pair[r])}: QAO × PO + QAB × PB",
                    _cashflow_sum(volumes, pairs, cashflows, r),
                    f"BOD {bm_unit} pair {int(pairs.pair[r])}",
                )
                for r in pair_rows
            ],
            _round(cashflows.cbm[unit, period - 1], 6),
            unit="£",
        )
    )
    return trace
