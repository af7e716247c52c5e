"""Which settlement periods of a date hold any settlement input at all.

A period with no FPN, no bid-offer data, no acceptance, no stack item (accepted volume or
BSAD), no metered volume, no contract or balancing services volume and no market index data
has nothing to price: its price is unavailable, and its R-PRC-MIP check is "not applicable"
rather than failed (engine.settle). Acceptance levels alone (a BOALF segment of a
neighbouring period running into it) give no accepted volume without FPN and bid-offer data,
so they leave nothing to price either. Any other input, even a level or volume of 0, makes
the period one that holds data; then a price needing MIP_j without it is a failure.
"""

from __future__ import annotations

import numpy as np

from engine.bm_inputs import Segments
from engine.settlement_calendar import PERIOD_SECONDS
from engine.settlement_inputs import SettlementInputs
from engine.stack_items import StackItems


def segment_periods(segments: Segments, day_start: int, periods: int) -> np.ndarray:
    """Which periods of the day some segment overlaps (a point segment: its own period).

    A segment [t0, t1] overlaps period j = [s, s + 30 min) when t0 < s + 30 min and t1 > s;
    one ending exactly at a period's start does not reach into it.

    Parameters
    ----------
    segments : Segments
        Profile segments, times in epoch seconds (UTC).
    day_start : int
        Start of period 1, epoch seconds (R-CAL).
    periods : int
        Number of periods of the day (46, 48 or 50).

    Returns
    -------
    numpy.ndarray of bool, shape (periods,)
        True where some segment overlaps the period.
    """
    touched = np.zeros(periods + 1, dtype=np.int64)
    if len(segments):
        offset_from = segments.time_from - day_start
        offset_to = segments.time_to - day_start
        first = np.floor_divide(offset_from, PERIOD_SECONDS)
        # The last period reached: the one holding t1 − ε; a point segment stays in its own.
        last = np.where(
            offset_to > offset_from, -np.floor_divide(-offset_to, PERIOD_SECONDS) - 1, first
        )
        first, last = np.clip(first, 0, periods), np.clip(last, -1, periods - 1)
        keep = first <= last
        np.add.at(touched, first[keep], 1)
        np.add.at(touched, last[keep] + 1, -1)
    return np.cumsum(touched)[:periods] > 0


INPUT_NAMES = (
    "FPN",
    "bid-offer data",
    "acceptance",
    "stack item",
    "BSAD",
    "metered volume",
    "contract volume",
    "balancing services volume",
    "market index data",
)


def period_inputs_present(inputs: SettlementInputs, items: StackItems) -> dict[str, np.ndarray]:
    """The periods holding each kind of settlement input, named as in INPUT_NAMES.

    Parameters
    ----------
    inputs : SettlementInputs
        The day's inputs.
    items : StackItems
        The day's stack items (accepted volumes and BSAD).

    Returns
    -------
    dict of str to numpy.ndarray of bool, shape (periods,)
        Per name of INPUT_NAMES, True in the periods holding any of it (a level or volume of
        0 counts; a balancing services volume counts only when non-zero).
    """
    bm = inputs.bm
    periods = bm.periods

    def in_periods(period: np.ndarray) -> np.ndarray:
        mask = np.zeros(periods, dtype=bool)
        period = np.asarray(period, dtype=np.int64)
        mask[period[(period >= 1) & (period <= periods)] - 1] = True
        return mask

    present = {
        "FPN": segment_periods(bm.fpn, bm.day_start, periods),
        "bid-offer data": in_periods(bm.pairs.period),
        "acceptance": segment_periods(bm.acceptance_levels, bm.day_start, periods),
        "stack item": in_periods(items.period),
        "BSAD": in_periods(inputs.bsad.period),
        "metered volume": ~np.isnan(inputs.metered).all(axis=0),
        "contract volume": in_periods(inputs.contracts.period),
        "balancing services volume": (inputs.balancing_services != 0).any(axis=0),
        "market index data": ~np.isnan(inputs.period_inputs.mip),
    }
    return present


def nothing_to_price(held: list[str]) -> bool:
    """Whether a period holding these inputs has nothing to price (R-PRC-MIP not applicable).

    Parameters
    ----------
    held : list of str
        The names of the inputs the period holds (held_in).

    Returns
    -------
    bool
        True when it holds none at all, or only acceptance levels (module docstring).
    """
    return not set(held) - {"acceptance"}


def held_in(present: dict[str, np.ndarray], period: int) -> list[str]:
    """The names of the inputs one period holds, in INPUT_NAMES order.

    Parameters
    ----------
    present : dict of str to numpy.ndarray of bool, shape (periods,)
        As period_inputs_present returns it.
    period : int
        Settlement period j, 1-based.

    Returns
    -------
    list of str
        The names whose mask is True in the period.
    """
    return [name for name, mask in present.items() if mask[period - 1]]
