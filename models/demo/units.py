"""Choosing the demo's BM units from the register, in proportions like the GB market."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.demo.register import RegisterUnit, register_units

# Share of each kind in a demo of N units; every kind appears at least once.
KIND_SHARES = {
    "supplier": 0.28,
    "interconnector": 0.14,
    "wind": 0.13,
    "embedded": 0.14,
    "ccgt": 0.06,
    "battery": 0.07,
    "vlp": 0.05,
    "biomass": 0.03,
    "ocgt": 0.03,
    "hydro": 0.03,
    "nuclear": 0.02,
    "pumped_storage": 0.02,
}
# Typical capacities (MW) where the register gives none.
DEFAULT_CAPACITY = {
    "ccgt": (400, 900),
    "wind": (20, 600),
    "nuclear": (600, 1200),
    "biomass": (300, 650),
    "ocgt": (20, 150),
    "pumped_storage": (200, 450),
    "hydro": (10, 100),
    "battery": (10, 100),
    "interconnector": (50, 500),
    "supplier": (50, 800),
    "vlp": (5, 30),
    "embedded": (5, 50),
}


@dataclass(frozen=True, slots=True)
class DemoUnit:
    """A BM unit as the demo uses it: register facts plus its capacity and trading unit."""

    register: RegisterUnit
    capacity: float  # MW, > 0: generation for producers, demand size for consumers
    trading_unit: str

    @property
    def id(self) -> str:
        return self.register.id

    @property
    def kind(self) -> str:
        return self.register.kind

    @property
    def has_bid_offer(self) -> bool:
        return self.kind != "supplier"


def _synthetic(index: int, like: RegisterUnit) -> RegisterUnit:
    """An extra embedded unit for demos larger than the register (named DEMO, never real)."""
    return RegisterUnit(
        id=f"E_DEMO{index:05d}",
        national_grid_id=f"DEMO{index:05d}",
        name=f"Synthetic demo unit {index}",
        fuel_type="",
        bmu_type="E",
        lead_party_id=like.lead_party_id,
        lead_party_name=like.lead_party_name,
        pc_status="P",
        generation_capacity=0.0,
        demand_capacity=0.0,
        tlf=like.tlf,
        gsp_group=like.gsp_group,
        interconnector_id="",
        kind="embedded",
    )


def choose_units(count: int, rng: np.random.Generator) -> list[DemoUnit]:
    """`count` units, at least one of each kind, deterministic for a given generator state."""
    if count < len(KIND_SHARES):
        raise ValueError(f"a demo needs at least {len(KIND_SHARES)} BM units (one of each kind)")
    pools = {kind: [u for u in register_units() if u.kind == kind] for kind in KIND_SHARES}
    wanted = {k: max(1, round(share * count)) for k, share in KIND_SHARES.items()}
    chosen: list[RegisterUnit] = []
    for kind, pool in pools.items():
        take = min(wanted[kind], len(pool))
        picks = rng.choice(len(pool), size=take, replace=False)
        chosen += [pool[i] for i in sorted(picks)]
    chosen_ids = {u.id for u in chosen}
    spare = [u for u in register_units() if u.id not in chosen_ids]
    order = rng.permutation(len(spare))
    while len(chosen) < count and len(order):
        chosen.append(spare[order[0]])
        order = order[1:]
    index = 1
    while len(chosen) < count:
        chosen.append(_synthetic(index, chosen[int(rng.integers(len(chosen)))]))
        index += 1
    chosen = sorted(chosen[:count], key=lambda u: u.id)
    return [_demo_unit(u, rng) for u in chosen]


def _demo_unit(unit: RegisterUnit, rng: np.random.Generator) -> DemoUnit:
    low, high = DEFAULT_CAPACITY[unit.kind]
    registered = unit.generation_capacity if unit.pc_status == "P" else -unit.demand_capacity
    if unit.kind == "supplier" or not low / 2 <= registered <= 2 * high:
        capacity = float(rng.uniform(low, high))
    else:
        capacity = registered
    # Embedded units of one party in one GSP group trade as one Trading Unit, as base units do.
    if unit.kind == "embedded" and unit.gsp_group:
        trading_unit = f"TU_{unit.lead_party_id}_{unit.gsp_group.strip('_')}"
    else:
        trading_unit = unit.id
    return DemoUnit(unit, round(capacity, 1), trading_unit)
