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
    """What the BM stage computed for a settlement day: Period FPN, volumes and cashflows.

    Attributes
    ----------
    inputs : BmInputs
        The inputs the stage ran on.
    period_fpn : numpy.ndarray of float, shape (units, periods)
        Period FPN, MWh, export positive (R-PROF-FPN).
    spans : AcceptanceSpans
        First and last spot time of each acceptance (the R-VOL-CADL duration basis).
    volumes : AcceptedVolumes
        QAO/QAB, MWh, offers ≥ 0 and bids ≤ 0 (R-VOL-*).
    cashflows : BmCashflows
        CO, CB, C_knij and CBM, £, positive = paid to the party (R-CBM).
    """

    inputs: BmInputs
    period_fpn: np.ndarray
    spans: AcceptanceSpans
    volumes: AcceptedVolumes
    cashflows: BmCashflows


def period_fpn(inputs: BmInputs) -> np.ndarray:
    """Period FPN of every unit and period: the integral of FPN_i(t) over the period (R-PROF-FPN).

    Parameters
    ----------
    inputs : BmInputs
        The day's BM data; FPN segments in MW, export positive.

    Returns
    -------
    numpy.ndarray of float, shape (units, periods)
        Period FPN, MWh, export positive; 0 where a unit has no FPN in the period.
    """
    return integrate_by_period(inputs.fpn, len(inputs.bm_units), inputs.day_start, inputs.periods)


def run_bm_stage(inputs: BmInputs, cadl_minutes: float, *, validate: bool = True) -> BmStageResult:
    """Profiles, accepted volumes and BM Unit cashflows of the whole day (R-PROF, R-VOL, R-CBM).

    Parameters
    ----------
    inputs : BmInputs
        The day's BM data (times epoch seconds UTC, levels MW export positive, prices £/MWh).
    cadl_minutes : float
        CADL, minutes: an acceptance shorter than this is CADL-flagged (R-VOL-CADL).
    validate : bool, default True
        Validate the inputs first (validate_bm_inputs); settle_day has done it already.

    Returns
    -------
    BmStageResult
        Period FPN (MWh), accepted volumes (MWh, offers ≥ 0, bids ≤ 0) and cashflows (£,
        positive = paid to the party).

    Raises
    ------
    EngineInputError
        When `validate` and the inputs break a rule of the format.
    """
    if validate:
        validate_bm_inputs(inputs)
    spans = acceptance_spans(inputs)
    spots = acceptance_spots(inputs, spans, fpn_index(inputs))
    volumes, _, _ = accepted_volumes(inputs, spots, spans, cadl_minutes)
    return BmStageResult(inputs, period_fpn(inputs), spans, volumes, bm_cashflows(inputs, volumes))
