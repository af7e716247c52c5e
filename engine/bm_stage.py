"""The BM stage of a settlement day: profiles → accepted volumes → BM Unit cashflows.

``run_bm_stage`` validates the inputs, then runs every step vectorised over all units,
acceptances, pairs and spot times. ``trace_bm_unit_period`` explains one BM unit and period
step by step; it reruns the same code on that unit's data only, so the bulk path keeps nothing
for traces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.accepted_volumes import AcceptedVolumes, accepted_volumes
from engine.bm_cashflow import BmCashflows, bm_cashflows
from engine.bm_inputs import BmInputs, validate_bm_inputs
from engine.piecewise import integrate_by_period
from engine.profiles import AcceptanceSpans, acceptance_spans, acceptance_spots, fpn_index


@dataclass(frozen=True, slots=True)
class BmStageResult:
    inputs: BmInputs
    period_fpn: np.ndarray  # (units, periods), MWh: R-PROF-FPN
    spans: AcceptanceSpans
    volumes: AcceptedVolumes
    cashflows: BmCashflows


def period_fpn(inputs: BmInputs) -> np.ndarray:
    """Period FPN of every unit and period: the integral of FPN_i(t) over the period (MWh)."""
    return integrate_by_period(inputs.fpn, len(inputs.bm_units), inputs.day_start, inputs.periods)


def run_bm_stage(inputs: BmInputs, cadl_minutes: float, *, validate: bool = True) -> BmStageResult:
    if validate:
        validate_bm_inputs(inputs)
    spans = acceptance_spans(inputs)
    spots = acceptance_spots(inputs, spans, fpn_index(inputs))
    volumes, _, _ = accepted_volumes(inputs, spots, spans, cadl_minutes)
    return BmStageResult(inputs, period_fpn(inputs), spans, volumes, bm_cashflows(inputs, volumes))
