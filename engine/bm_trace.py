"""Step trace of the BM stage for one BM unit and period, complete enough to redo by hand.

It reruns profiles and volumes for that unit only, keeping the spot-time values the bulk path
discards, and lists: the FPN and Period FPN, the bid-offer pairs with their band edges, any
RR-flagged acceptance left out (with the known gap of Replacement Reserve cashflows), each
acceptance's levels against the level it replaces, the per-pair qABO values at each spot time
with QAO_knj and QAB_knj, the CADL flags, the pair totals and the cashflows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.accepted_volumes import (
    AcceptedVolumes,
    PairSpotValues,
    SpotContributions,
    accepted_volumes,
)
from engine.bm_cashflow import BmCashflows, bm_cashflows
from engine.bm_inputs import BmInputs
from engine.bm_stage import period_fpn
from engine.known_gaps import RR_CASHFLOWS
from engine.profiles import (
    FROM_FPN,
    AcceptanceSpans,
    AcceptanceSpots,
    acceptance_spans,
    acceptance_spots,
    fpn_index,
)
from engine.settlement_calendar import PERIOD_SECONDS, from_epoch_seconds
from engine.trace import Trace, TraceInput, TraceStep, step

_UNIT = 0  # the traced unit's row: the only unit left in its restricted inputs


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


@dataclass(frozen=True, slots=True)
class _TracedPeriod:
    """The traced unit's own inputs (the unit is row _UNIT of them) and period j's window."""

    inputs: BmInputs
    bm_unit: str
    period: int
    start: int  # epoch s, the period's start
    end: int  # epoch s, the period's end

    @staticmethod
    def of(inputs: BmInputs, bm_unit: str, period: int) -> _TracedPeriod:
        start = inputs.day_start + PERIOD_SECONDS * (period - 1)
        return _TracedPeriod(inputs, bm_unit, period, start, start + PERIOD_SECONDS)


@dataclass(frozen=True, slots=True)
class _RerunVolumes:
    """R-PROF and R-VOL rerun for the unit, keeping the spot-time values the bulk path drops."""

    spots: AcceptanceSpots
    volumes: AcceptedVolumes
    contributions: SpotContributions
    kept: PairSpotValues | None
    cashflows: BmCashflows


def _fpn_step(at: _TracedPeriod) -> TraceStep:
    """R-PROF-FPN: the FPN segments touching the period and the Period FPN they integrate to."""
    fpn = at.inputs.fpn
    mine = np.flatnonzero(
        (fpn.owner == _UNIT) & (fpn.time_to >= at.start) & (fpn.time_from <= at.end)
    )
    return step(
        "R-PROF-FPN",
        [
            TraceInput(
                "FPN segments (from, MW, to, MW)",
                _segment_list(fpn, mine) or "none: deemed 0 MW",
                f"FPN {at.bm_unit}",
            )
        ],
        _round(period_fpn(at.inputs)[_UNIT, at.period - 1]),
        unit="MWh",
        title="Period FPN",
    )


def _pair_rows_of_period(at: _TracedPeriod) -> np.ndarray:
    """Rows of the unit's bid-offer pairs in the period, by pair number."""
    pairs = at.inputs.pairs
    pair_rows = np.flatnonzero((pairs.unit == _UNIT) & (pairs.period == at.period))
    return pair_rows[np.argsort(pairs.pair[pair_rows])]


def _bid_offer_step(at: _TracedPeriod, pair_rows: np.ndarray) -> TraceStep:
    """R-PROF-BOD: each pair's prices and band widths qBO_n(t)."""
    pairs, bands = at.inputs.pairs, at.inputs.bands
    band_inputs = []
    for row in pair_rows:
        widths = _segment_list(bands, np.flatnonzero(bands.owner == row))
        n = int(pairs.pair[row])
        prices = f"PO {pairs.offer_price[row]:g}, PB {pairs.bid_price[row]:g}"
        band_inputs.append(
            TraceInput(
                f"pair {n}: {prices}, qBO (from, MW, to, MW)",
                widths,
                f"BOD {at.bm_unit} pair {n} period {at.period}",
            )
        )
    return step(
        "R-PROF-BOD",
        band_inputs,
        [int(pairs.pair[r]) for r in pair_rows],
        title="Bid-offer pairs of the period",
    )


def _acceptances_touching(at: _TracedPeriod, spans: AcceptanceSpans) -> np.ndarray:
    """Rows of the unit's acceptances whose span touches the period, by acceptance number."""
    acceptances = at.inputs.acceptances
    touching = np.flatnonzero(
        (acceptances.unit == _UNIT) & (spans.first <= at.end) & (spans.last >= at.start)
    )
    return touching[np.argsort(acceptances.number[touching])]


def _rr_excluded_step(at: _TracedPeriod, touching: np.ndarray) -> TraceStep | None:
    """R-PROF-RR: the RR-flagged acceptances left out, or None when there are none."""
    acceptances = at.inputs.acceptances
    excluded = [int(acceptances.number[k]) for k in touching if acceptances.rr_flag[k]]
    if not excluded:
        return None
    return step(
        "R-PROF-RR",
        [TraceInput("RR-flagged acceptances", excluded, f"BOALF {at.bm_unit}")],
        "left out of bid-offer volumes",
        gaps=(RR_CASHFLOWS,),  # their Replacement Reserve cashflows are not modelled
    )


def _rerun_volumes(at: _TracedPeriod, spans: AcceptanceSpans, cadl_minutes: float) -> _RerunVolumes:
    inputs = at.inputs
    spots = acceptance_spots(inputs, spans, fpn_index(inputs), units=np.array([_UNIT]))
    volumes, contributions, kept = accepted_volumes(
        inputs, spots, spans, cadl_minutes, keep_spot_values=True
    )
    return _RerunVolumes(spots, volumes, contributions, kept, bm_cashflows(inputs, volumes))


def _acceptance_steps(
    at: _TracedPeriod, rerun: _RerunVolumes, spans: AcceptanceSpans, cadl_minutes: float, k: int
) -> list[TraceStep]:
    """The steps of one acceptance k (not RR-flagged): its levels, the level it replaces, its
    volume in each pair, its CADL flag."""
    spots = rerun.spots
    rows = np.flatnonzero(
        (spots.acceptance == k) & (spots.time >= at.start) & (spots.time <= at.end)
    )
    return [
        _acceptance_levels_step(at, spots, rows, k),
        _carried_level_step(at, spots, rows, k),
        *_pair_volume_steps(at, rerun, k),
        _cadl_step(at, rerun.volumes, spans, cadl_minutes, k),
    ]


def _acceptance_number(at: _TracedPeriod, k: int) -> int:
    return int(at.inputs.acceptances.number[k])


def _acceptance_levels_step(
    at: _TracedPeriod, spots: AcceptanceSpots, rows: np.ndarray, k: int
) -> TraceStep:
    """R-PROF-BOA: the acceptance's time, levels and flags, and qA_k(t) at the spot times."""
    acceptances, levels = at.inputs.acceptances, at.inputs.acceptance_levels
    number = _acceptance_number(at, k)
    source = f"BOALF {at.bm_unit} {number}"
    own_points = _segment_list(levels, np.flatnonzero(levels.owner == k))
    flags = {
        "so": bool(acceptances.so_flag[k]),
        "stor": bool(acceptances.stor_flag[k]),
        "deemed": bool(acceptances.deemed_flag[k]),
    }
    return step(
        "R-PROF-BOA",
        [
            TraceInput(
                "acceptance time", from_epoch_seconds(int(acceptances.time[k])).isoformat(), source
            ),
            TraceInput("levels (from, MW, to, MW)", own_points, source),
            TraceInput("flags", flags, source),
        ],
        _series(spots.time[rows], spots.level[rows]),
        unit="MW",
        title=f"Acceptance {number}: qA_k(t) at the period's spot times",
    )


def _carried_level_step(
    at: _TracedPeriod, spots: AcceptanceSpots, rows: np.ndarray, k: int
) -> TraceStep:
    """R-PROF-CARRY: what the acceptance replaces (FPN or earlier acceptances) and qA_(k−1)(t)."""
    acceptances = at.inputs.acceptances
    sources = sorted({int(s) for s in spots.previous_source[rows]})
    replaced = [
        "FPN" if s == FROM_FPN else f"acceptance {int(acceptances.number[s])}" for s in sources
    ]
    return step(
        "R-PROF-CARRY",
        [
            TraceInput("replaces", replaced, "acceptance order by number"),
            TraceInput("FPN(t)", _series(spots.time[rows], spots.fpn[rows]), f"FPN {at.bm_unit}"),
        ],
        _series(spots.time[rows], spots.previous_level[rows]),
        unit="MW",
        title=f"Acceptance {_acceptance_number(at, k)}: level it replaces, qA_(k−1)(t)",
    )


def _pair_volume_steps(at: _TracedPeriod, rerun: _RerunVolumes, k: int) -> list[TraceStep]:
    """R-VOL-INT: for each pair n where acceptance k has volume in the period, its band edges,
    qABO_kn(t) at the 31 spot times and the integrated QAO_knj, QAB_knj."""
    spots, volumes, contributions, kept = (
        rerun.spots,
        rerun.volumes,
        rerun.contributions,
        rerun.kept,
    )
    mine_rows = np.flatnonzero(
        (contributions.period == at.period) & (spots.acceptance[contributions.spot] == k)
    )
    spot_times = spots.time[contributions.spot[mine_rows]]
    number = _acceptance_number(at, k)
    steps = []
    for n in sorted(kept.qabo if kept else []):
        series = np.zeros(31)
        series[(spot_times - at.start) // 60] = kept.qabo[n][mine_rows]
        hit = (volumes.acceptance == k) & (volumes.period == at.period) & (volumes.pair == n)
        qao = float(volumes.qao[hit].sum())
        qab = float(volumes.qab[hit].sum())
        if qao == 0 and qab == 0:
            continue
        lower = kept.lower[n][mine_rows]
        upper = kept.upper[n][mine_rows]
        steps.append(
            step(
                "R-VOL-INT",
                [
                    TraceInput(
                        "band edges [L_n, U_n] at the first spot",
                        (_round(lower[0]), _round(upper[0])),
                        f"BOD {at.bm_unit} period {at.period}",
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
    return steps


def _cadl_step(
    at: _TracedPeriod,
    volumes: AcceptedVolumes,
    spans: AcceptanceSpans,
    cadl_minutes: float,
    k: int,
) -> TraceStep:
    """R-VOL-CADL: the acceptance's duration against CADL, and its flag."""
    number = _acceptance_number(at, k)
    return step(
        "R-VOL-CADL",
        [
            TraceInput(
                "duration, minutes",
                float(spans.duration_minutes[k]),
                f"BOALF {at.bm_unit} {number}",
            ),
            TraceInput("CADL, minutes", cadl_minutes, "R-PAR"),
        ],
        bool(volumes.cadl_flag[k]),
        title=f"Acceptance {number}: CADL flag",
    )


def _pair_sum_step(at: _TracedPeriod, volumes: AcceptedVolumes, row: int) -> TraceStep:
    """R-VOL-SUM: a pair's QAO_nj, QAB_nj as the sum of its acceptances' volumes."""
    acceptances = at.inputs.acceptances
    of_pair = volumes.pair_row == row
    return step(
        "R-VOL-SUM",
        [
            TraceInput(
                "QAO_knj, QAB_knj of each acceptance",
                [
                    (int(acceptances.number[a]), _round(o, 9), _round(b, 9))
                    for a, o, b in zip(
                        volumes.acceptance[of_pair],
                        volumes.qao[of_pair],
                        volumes.qab[of_pair],
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
        title=f"Pair {int(at.inputs.pairs.pair[row])}: volumes of the period",
    )


def _cbm_step(at: _TracedPeriod, rerun: _RerunVolumes, pair_rows: np.ndarray) -> TraceStep:
    """R-CBM: each pair's QAO × PO + QAB × PB written out, and CBM_ij."""
    pairs = at.inputs.pairs
    return step(
        "R-CBM",
        [
            TraceInput(
                f"pair {int(pairs.pair[r])}: QAO × PO + QAB × PB",
                _cashflow_sum(rerun.volumes, pairs, rerun.cashflows, r),
                f"BOD {at.bm_unit} pair {int(pairs.pair[r])}",
            )
            for r in pair_rows
        ],
        _round(rerun.cashflows.cbm[_UNIT, at.period - 1], 6),
        unit="£",
    )


def trace_bm_unit_period(inputs: BmInputs, cadl_minutes: float, bm_unit: str, period: int) -> Trace:
    """Step trace of the BM stage (R-PROF, R-VOL, R-CBM) for one BM Unit i and period j.

    Parameters
    ----------
    inputs : BmInputs
        The settlement day's BM data (FPN, bid-offer pairs, acceptances); only BM Unit
        `bm_unit`'s rows are used.
    cadl_minutes : float
        CADL, minutes (R-PAR): an acceptance shorter than this is CADL-flagged (R-VOL-CADL).
    bm_unit : str
        The BM Unit i, e.g. "T_GEN-1"; EngineInputError if it is not in `inputs`.
    period : int
        The settlement period j, 1-based (1 … 46, 48 or 50 on the day).

    Returns
    -------
    Trace
        Steps in calculation order, each result with its unit:

        - R-PROF-FPN: the Period FPN FPN_ij, MWh (positive = export).
        - R-PROF-BOD: the pair numbers n of period j (offers n > 0, bids n < 0).
        - R-PROF-RR (only if any): the RR-flagged acceptances left out of bid-offer volumes.
        - per acceptance k, by number: R-PROF-BOA, qA_k(t) in MW at the period's spot times
          (31 at most, one a minute); R-PROF-CARRY, the level it replaces, qA_(k−1)(t) in MW;
          R-VOL-INT, for each pair n with volume, {"QAO_knj", "QAB_knj"} in MWh
          (QAO_knj ≥ 0 offer volume, QAB_knj ≤ 0 bid volume); R-VOL-CADL, its CADL flag.
        - R-VOL-SUM per pair n: {"QAO_nj", "QAB_nj"}, MWh, summed over the acceptances.
        - R-CBM: CBM_ij = Σ_n (QAO_nj × PO_n + QAB_nj × PB_n), £, positive = paid to the party.

        Volumes are rounded to 9 decimal places, levels and CBM_ij to 6.
    """
    # Units are independent in R-PROF and R-VOL: trace on the unit's own data only.
    at = _TracedPeriod.of(inputs.restricted_to([inputs.unit_index(bm_unit)]), bm_unit, period)
    trace = Trace(f"BM unit {bm_unit}, period {period}")
    trace.add(_fpn_step(at))
    pair_rows = _pair_rows_of_period(at)
    trace.add(_bid_offer_step(at, pair_rows))
    spans = acceptance_spans(at.inputs)
    touching = _acceptances_touching(at, spans)
    rr_step = _rr_excluded_step(at, touching)
    if rr_step is not None:
        trace.add(rr_step)
    volumes = _rerun_volumes(at, spans, cadl_minutes)
    for k in touching:
        if not at.inputs.acceptances.rr_flag[k]:
            for acceptance_step in _acceptance_steps(at, volumes, spans, cadl_minutes, k):
                trace.add(acceptance_step)
    for row in pair_rows:
        trace.add(_pair_sum_step(at, volumes.volumes, row))
    trace.add(_cbm_step(at, volumes, pair_rows))
    return trace
