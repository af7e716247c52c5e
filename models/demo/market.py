"""One synthetic settlement day of a GB-like market, as arrays and input rows.

Shapes are plausible rather than historical: a two-peak demand curve, CCGTs following it, wind
from an autoregressive capacity factor, storage charging at night and discharging at the peaks,
supplier base units taking the demand. Acceptances raise or lower units from their FPN, some
are SO-flagged, some are shorter than CADL, some reverse an earlier one. Metered volumes deviate
from the instructed profile by a kind-dependent error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from engine.settlement_calendar import local_midnight_utc, periods_in_day, settlement_periods
from models.demo.units import DemoUnit

PRODUCERS_ONLY = {"ccgt", "wind", "nuclear", "biomass", "ocgt", "hydro", "embedded"}
METER_ERROR = {  # relative standard deviation of metered against instructed volume
    "wind": 0.05,
    "supplier": 0.03,
    "battery": 0.03,
    "vlp": 0.05,
    "embedded": 0.03,
}
ACCEPTANCE_WEIGHT = {
    "ccgt": 3.0,
    "pumped_storage": 3.0,
    "battery": 2.0,
    "wind": 1.5,
    "ocgt": 1.5,
    "biomass": 1.5,
    "interconnector": 0.7,
    "hydro": 1.0,
    "nuclear": 0.3,
    "vlp": 0.5,
    "embedded": 0.5,
}
# (offer price of pair +1, step per further pair, bid price of pair -1, step) £/MWh
PRICE_LADDER = {
    "ccgt": (95.0, 12.0, 62.0, -8.0),
    "wind": (9999.0, 0.0, -45.0, -35.0),
    "nuclear": (150.0, 20.0, -60.0, -40.0),
    "biomass": (120.0, 15.0, 45.0, -10.0),
    "ocgt": (160.0, 30.0, 30.0, -10.0),
    "pumped_storage": (115.0, 15.0, 40.0, -8.0),
    "hydro": (90.0, 10.0, 15.0, -5.0),
    "battery": (110.0, 20.0, 35.0, -10.0),
    "interconnector": (100.0, 10.0, 55.0, -10.0),
    "vlp": (130.0, 25.0, 20.0, -10.0),
    "embedded": (120.0, 20.0, 25.0, -10.0),
}
CADL_SHORT_MINUTES = (3, 9)  # short acceptances last 3 to 9 minutes, under CADL (10 min)


@dataclass
class DemoDay:
    """Everything generated for one settlement date (shared by its runs except metering)."""

    settlement_date: date
    units: list[DemoUnit]
    periods: int
    start: int  # epoch seconds of period 1
    local_hours: np.ndarray  # local clock hour at each period boundary, (P + 1,)
    fpn: np.ndarray  # MW at each period boundary, (U, P + 1)
    instructed_volume: np.ndarray  # MWh per period following FPN and acceptances, (U, P)
    fpn_volume: np.ndarray  # period FPN, MWh, (U, P)
    bid_offer: list[dict] = field(default_factory=list)
    acceptances: list[dict] = field(default_factory=list)
    acceptance_levels: list[dict] = field(default_factory=list)


def _local_hours(settlement_date: date) -> np.ndarray:
    periods = settlement_periods(settlement_date)
    hours = [p.start_local.hour + p.start_local.minute / 60 for p in periods]
    return np.array([*hours, 24.0])


def demand_shape(hours: np.ndarray) -> np.ndarray:
    """Relative GB demand by local hour: night trough ~0.55, morning and evening peaks ~1."""
    return (
        0.55
        + 0.3 * np.exp(-(((hours - 18.0) / 2.5) ** 2))
        + 0.22 * np.exp(-(((hours - 9.5) / 3.5) ** 2))
    )


def _fpn_row(unit: DemoUnit, hours: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    cap, kind = unit.capacity, unit.kind
    demand = demand_shape(hours)
    n = len(hours)
    if kind == "ccgt":
        if rng.random() < 0.2:
            return np.zeros(n)
        level = 0.45 + 0.5 * (demand - 0.55) / 0.45 + rng.normal(0, 0.03, n)
        return cap * np.clip(level, 0.4, 0.95)
    if kind == "wind":
        factor = np.empty(n)
        factor[0] = rng.uniform(0.1, 0.8)
        for j in range(1, n):
            factor[j] = 0.93 * factor[j - 1] + 0.07 * 0.45 + rng.normal(0, 0.04)
        return cap * np.clip(factor, 0.02, 0.95)
    if kind == "nuclear":
        return np.full(n, 0.9 * cap)
    if kind == "biomass":
        return cap * np.clip(0.8 + rng.normal(0, 0.01, n), 0.5, 1.0)
    if kind == "ocgt":
        running = (hours >= 16.5) & (hours < 19.5) & (rng.random() < 0.5)
        return np.where(running, 0.8 * cap, 0.0)
    if kind in ("pumped_storage", "battery"):
        charge = ((hours >= 1) & (hours < 5)) | ((kind == "battery") & (hours >= 12) & (hours < 14))
        discharge = ((hours >= 7) & (hours < 9)) | ((hours >= 17) & (hours < 20))
        return np.where(charge, -0.8 * cap, np.where(discharge, 0.85 * cap, 0.0))
    if kind == "hydro":
        return np.full(n, 0.5 * cap)
    if kind == "interconnector":
        sign = 1.0 if unit.register.pc_status == "P" else -1.0
        return sign * cap * np.clip(0.6 + rng.normal(0, 0.05, n), 0.2, 1.0)
    if kind == "supplier":
        return -cap * demand
    if kind == "vlp":
        return cap * rng.uniform(-0.3, 0.3) * np.ones(n)
    # embedded
    if unit.register.pc_status == "C":
        return -0.5 * cap * demand
    return cap * np.clip(0.5 + rng.normal(0, 0.05, n), 0.1, 1.0)


def _fpn(units: list[DemoUnit], hours: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    fpn = np.vstack([_fpn_row(u, hours, rng) for u in units])
    supplier = np.array([u.kind == "supplier" for u in units])
    others = fpn[~supplier]
    # As in GB, storage charging and exports never out-consume generation: cap them at half
    # of it, so supplier base units always take most of the energy.
    generation = np.where(others > 0, others, 0).sum(axis=0)
    consumption = -np.where(others < 0, others, 0).sum(axis=0)
    scale = np.where(
        consumption > 0.5 * generation, 0.5 * generation / np.maximum(consumption, 1e-9), 1.0
    )
    fpn[~supplier] = np.where(others < 0, others * scale, others)
    # Supplier base units take what the rest of the market produces (less ~2 % losses).
    net = fpn[~supplier].sum(axis=0) - 0.02 * generation
    taken = -fpn[supplier].sum(axis=0)
    fpn[supplier] *= np.where(taken > 0, np.maximum(net, 0) / taken, 0.0)
    return np.round(fpn)


def _minute_profile(boundary_levels: np.ndarray, periods: int) -> np.ndarray:
    minutes = np.arange(periods * 30 + 1)
    return np.interp(minutes, np.arange(periods + 1) * 30, boundary_levels)


def period_volumes(minute_levels: np.ndarray, periods: int) -> np.ndarray:
    """Trapezium rule over whole-minute levels, MW·min → MWh, per period: (..., P)."""
    segments = (minute_levels[..., :-1] + minute_levels[..., 1:]) / 2.0
    return segments.reshape(*segments.shape[:-1], periods, 30).sum(axis=-1) / 60.0


def _ladder(unit: DemoUnit, rng: np.random.Generator) -> list[tuple[int, float, float, float]]:
    """(pair, base band width MW, offer £, bid £) for each pair of a unit."""
    total = int(rng.choice(np.arange(2, 11), p=_PAIR_COUNT_WEIGHTS))
    offers = int(rng.integers(1, min(total, 6)))
    offers = min(max(offers, total - 6), 6)
    bids = total - offers
    storage = unit.kind in ("pumped_storage", "battery")
    room = unit.capacity * (1.6 if storage else rng.uniform(0.25, 0.6))
    offer0, offer_step, bid0, bid_step = PRICE_LADDER[unit.kind]
    jitter = rng.normal(0, 4)
    ladder = []
    for n in range(1, offers + 1):
        offer = offer0 if offer0 >= 9999 else offer0 + jitter + offer_step * (n - 1)
        bid = (offer - rng.uniform(2, 20)) if offer < 9999 else bid0 + jitter
        ladder.append((n, room / offers, round(offer, 2), round(min(bid, offer), 2)))
    for m in range(1, bids + 1):
        bid = bid0 + jitter + bid_step * (m - 1)
        offer = bid + rng.uniform(2, 20)
        ladder.append((-m, -room / bids, round(offer, 2), round(bid, 2)))
    return ladder


_PAIR_COUNT_WEIGHTS = np.array([0.2, 0.15, 0.2, 0.15, 0.1, 0.07, 0.05, 0.05, 0.03])


def generate_day(settlement_date: date, units: list[DemoUnit], rng: np.random.Generator) -> DemoDay:
    """Profiles, bid-offer data and acceptances of one day; metered volumes come per run."""
    periods = periods_in_day(settlement_date)
    start = int(local_midnight_utc(settlement_date).timestamp())
    hours = _local_hours(settlement_date)
    fpn = _fpn(units, hours, rng)
    fpn_minutes = np.vstack([_minute_profile(row, periods) for row in fpn])
    day = DemoDay(
        settlement_date=settlement_date,
        units=units,
        periods=periods,
        start=start,
        local_hours=hours,
        fpn=fpn,
        instructed_volume=np.zeros((len(units), periods)),
        fpn_volume=period_volumes(fpn_minutes, periods),
    )
    bod_units = [i for i, u in enumerate(units) if u.has_bid_offer]
    weights = np.array([ACCEPTANCE_WEIGHT[units[i].kind] for i in bod_units])
    # About two acceptances per BM unit in the market, as on a busy GB day.
    rate = 2.0 * len(units) * weights / weights.sum() if len(bod_units) else weights
    instructed = fpn_minutes.copy()
    for position, i in enumerate(bod_units):
        ladder = _ladder(units[i], rng)
        _add_bid_offer(day, units[i], ladder, rng)
        count = int(rng.poisson(rate[position]))
        if count:
            _add_acceptances(day, units[i], ladder, count, fpn_minutes[i], instructed[i], rng)
    day.instructed_volume = period_volumes(instructed, periods)
    return day


def _add_bid_offer(day: DemoDay, unit: DemoUnit, ladder, rng: np.random.Generator) -> None:
    """One BOD record per pair per period: a flat band with prices jittered by period."""
    count = len(ladder)
    pairs = np.array([n for n, _, _, _ in ladder])
    widths = np.array([w for _, w, _, _ in ladder])
    offers = np.array([o for _, _, o, _ in ladder])
    bids = np.array([b for _, _, _, b in ladder])
    levels = np.round(widths * rng.uniform(0.9, 1.1, size=(day.periods, count)))
    noise = np.round(rng.normal(0, 1.0, size=(day.periods, count)), 2)
    unavailable = offers >= 9999  # the 9999 marker stays as published
    offer = np.where(unavailable, offers, np.round(offers + noise, 2))
    bid = np.round(np.minimum(bids + noise, offer), 2)
    starts = (day.start + 1800 * np.arange(day.periods)).tolist()
    levels_l, offer_l, bid_l, pairs_l = (
        levels.tolist(),
        offer.tolist(),
        bid.tolist(),
        pairs.tolist(),
    )
    day.bid_offer += [
        {
            "bm_unit_id": unit.id,
            "period": j + 1,
            "pair": pairs_l[p],
            "seq": 0,
            "time_from": starts[j],
            "level_from": levels_l[j][p],
            "time_to": starts[j] + 1800,
            "level_to": levels_l[j][p],
            "offer_price": offer_l[j][p],
            "bid_price": bid_l[j][p],
        }
        for j in range(day.periods)
        for p in range(count)
    ]


def _add_acceptances(
    day: DemoDay,
    unit: DemoUnit,
    ladder,
    count: int,
    fpn_minutes: np.ndarray,
    instructed: np.ndarray,
    rng: np.random.Generator,
) -> None:
    last_minute = day.periods * 30
    starts = np.sort(rng.integers(5, last_minute - 40, size=count))
    number = 0
    previous_end = -1
    # Each draw from `rng` is made in the same order: the same seed gives the same demo.
    for s in starts.tolist():
        s = int(s)
        current = instructed[s]
        if s < previous_end - 12 and rng.random() < 0.5:
            level, points = _reversal(s, current, previous_end, fpn_minutes)
        else:
            drawn = _new_instruction(unit, ladder, s, current, last_minute, fpn_minutes, rng)
            if drawn is None:
                continue
            level, points = drawn
        if abs(level - current) < 1:
            continue
        number += 1
        minutes = np.array([m for m, _ in points])
        levels = np.array([float(round(v)) for _, v in points])
        span = np.arange(minutes[0], minutes[-1] + 1)
        instructed[span] = np.interp(span, minutes, levels)  # later acceptances override
        previous_end = max(previous_end, int(minutes[-1]))
        _record_acceptance(day, unit, number, s, minutes, levels, rng)


def _reversal(s: int, current: float, previous_end: int, fpn_minutes: np.ndarray):
    """(level, points) of a reversal: back toward FPN part-way through the earlier
    acceptance, to its end."""
    fpn_s = fpn_minutes[s]
    level = round(fpn_s + 0.35 * (current - fpn_s))
    end = previous_end
    ramp = 3
    return level, [(s, current), (s + ramp, level), (end - 2, level), (end, fpn_minutes[end])]


def _new_instruction(
    unit: DemoUnit,
    ladder,
    s: int,
    current: float,
    last_minute: int,
    fpn_minutes: np.ndarray,
    rng: np.random.Generator,
):
    """(level, points) of an acceptance up into the offers or down into the bids from minute
    s: now and then shorter than CADL, else 20 minutes to 4 hours; None when too short for
    its ramps."""
    fpn_s = fpn_minutes[s]
    offer_room = sum(w for n, w, _, _ in ladder if n > 0)
    bid_room = -sum(w for n, w, _, _ in ladder if n < 0)
    # NESO does not accept offers priced at the 9999 "not available" marker.
    can_offer = any(o < 9999 for n, _, o, _ in ladder if n > 0)
    raise_output = can_offer and rng.random() < 0.5
    # Mostly part of the submitted bands; now and then beyond the last one.
    share = rng.uniform(1.0, 1.2) if rng.random() < 0.05 else rng.uniform(0.1, 0.6)
    delta = share * offer_room if raise_output else -share * bid_room
    level = fpn_s + delta
    if unit.kind in PRODUCERS_ONLY:
        level = min(max(level, 0.0), 1.05 * unit.capacity)
    level = round(level)
    if rng.random() < 0.06:
        duration = int(rng.integers(*CADL_SHORT_MINUTES))
        end = min(s + duration, last_minute)
        return level, [(s, current), (s + 1, level), (end, fpn_minutes[end])]
    # Spanning 1 to 8 periods, most of them under an hour and a half.
    duration = int(rng.integers(20, 90) if rng.random() < 0.7 else rng.integers(90, 240))
    end = min(s + duration, last_minute)
    ramp = int(rng.integers(2, 8))
    if end - s <= 2 * ramp:
        return None
    return level, [(s, current), (s + ramp, level), (end - ramp, level), (end, fpn_minutes[end])]


def _record_acceptance(
    day: DemoDay,
    unit: DemoUnit,
    number: int,
    s: int,
    minutes: np.ndarray,
    levels: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """The acceptance's BOALF row (issued 1 to 4 minutes before minute s, flags drawn) and
    its level segments."""
    stor_capable = unit.kind in ("ocgt", "embedded", "vlp", "battery")
    stor = stor_capable and rng.random() < 0.1
    day.acceptances.append(
        {
            "bm_unit_id": unit.id,
            "number": number,
            "acceptance_time": day.start + 60 * (s - int(rng.integers(1, 5))),
            "so_flag": bool(rng.random() < 0.2),
            "stor_flag": bool(stor),
            "rr_flag": bool(rng.random() < 0.01),
            "deemed_flag": False,
        }
    )
    for seq in range(len(minutes) - 1):
        day.acceptance_levels.append(
            {
                "bm_unit_id": unit.id,
                "number": number,
                "seq": seq,
                "time_from": day.start + 60 * int(minutes[seq]),
                "level_from": float(levels[seq]),
                "time_to": day.start + 60 * int(minutes[seq + 1]),
                "level_to": float(levels[seq + 1]),
            }
        )


def metered_volumes(
    day: DemoDay, rng: np.random.Generator, revise_share: float, previous: np.ndarray | None
) -> np.ndarray:
    """Metered volumes QM (U, P), MWh to 3 dp.

    Without `previous`: every unit deviates from its instructed volume by its meter error.
    With it: a share of units is re-metered (a revision between runs), the rest kept.
    """
    sigma = np.array([METER_ERROR.get(u.kind, 0.01) for u in day.units])[:, None]
    fresh = day.instructed_volume * (1 + rng.normal(0, 1, day.instructed_volume.shape) * sigma)
    fresh += rng.normal(0, 0.05, fresh.shape)  # small absolute error, so idle units read ≈ 0
    if previous is None:
        qm = fresh
    else:
        revised = rng.random(len(day.units)) < revise_share
        qm = np.where(revised[:, None], fresh, previous)
    supplier = np.array([u.kind == "supplier" for u in day.units])
    if supplier.any():
        # Suppliers' meters take the demand that balances the rest less ~2 % of generation
        # (the losses), so Σ QM is about 2 % of what is generated, as on a GB day.
        others = qm[~supplier]
        generation = np.where(others > 0, others, 0).sum(axis=0)
        # Acceptances can turn storage into a big consumer; as for FPNs, keep non-supplier
        # consumption within half of generation so the market stays GB-like.
        consumption = -np.where(others < 0, others, 0).sum(axis=0)
        limit = 0.5 * generation
        scale = np.where(consumption > limit, limit / np.maximum(consumption, 1e-9), 1.0)
        others = np.where(others < 0, others * scale, others)
        qm[~supplier] = others
        demand = np.maximum(others.sum(axis=0) - 0.02 * generation, 0.0)
        weights = -day.fpn_volume[supplier] * rng.uniform(0.97, 1.03, (supplier.sum(), 1))
        total = weights.sum(axis=0)
        share = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0)
        qm[supplier] = -demand * share
    return np.round(qm, 3)
