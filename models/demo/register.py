"""The BM unit register the demo draws its units from, each unit classified into a kind.

Kinds decide how a unit behaves in the demo (FPN shape, bid-offer prices, acceptances):
ccgt, wind, nuclear, biomass, ocgt, pumped_storage, hydro, battery, interconnector,
supplier (``2__`` base units, negative metered volume), vlp (``V__``) and embedded (the rest).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

REGISTER_FILE = "bmu_register_insights_2026.csv"

FUEL_KINDS = {
    "CCGT": "ccgt",
    "WIND": "wind",
    "NUCLEAR": "nuclear",
    "BIOMASS": "biomass",
    "COAL": "biomass",
    "OCGT": "ocgt",
    "PS": "pumped_storage",
    "NPSHYD": "hydro",
}
BATTERY_NAME = re.compile(r"batt|bess|storage", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class RegisterUnit:
    id: str
    national_grid_id: str
    name: str
    fuel_type: str
    bmu_type: str
    lead_party_id: str
    lead_party_name: str
    pc_status: str
    generation_capacity: float
    demand_capacity: float
    tlf: float
    gsp_group: str
    interconnector_id: str
    kind: str


def classify(unit_id: str, fuel: str, name: str) -> str:
    if unit_id.startswith("I_") or fuel.startswith("INT"):
        return "interconnector"
    if unit_id.startswith("2__"):
        return "supplier"
    if unit_id.startswith("V__"):
        return "vlp"
    if fuel in FUEL_KINDS:
        return FUEL_KINDS[fuel]
    if BATTERY_NAME.search(name):
        return "battery"
    return "embedded"


def _number(text: str) -> float:
    return float(text) if text.strip() else 0.0


@cache
def register_units() -> tuple[RegisterUnit, ...]:
    """Every usable row of the packaged register (rows without an Elexon id are skipped)."""
    text = resources.files("models.demo").joinpath(REGISTER_FILE).read_text(encoding="utf-8")
    units = []
    for row in csv.DictReader(text.splitlines()):
        unit_id = row["elexonBmUnit"].strip()
        if not unit_id or not row["leadPartyId"].strip():
            continue
        kind = classify(unit_id, row["fuelType"].strip(), row["bmUnitName"])
        pc = row["productionOrConsumptionFlag"].strip() or ("C" if kind == "supplier" else "P")
        units.append(
            RegisterUnit(
                id=unit_id,
                national_grid_id=row["nationalGridBmUnit"].strip(),
                name=row["bmUnitName"].strip(),
                fuel_type=row["fuelType"].strip(),
                bmu_type=row["bmUnitType"].strip(),
                lead_party_id=row["leadPartyId"].strip(),
                lead_party_name=row["leadPartyName"].strip(),
                pc_status=pc,
                generation_capacity=_number(row["generationCapacity"]),
                demand_capacity=_number(row["demandCapacity"]),
                tlf=_number(row["transmissionLossFactor"]),
                gsp_group=row["gspGroupId"].strip(),
                interconnector_id=row["interconnectorId"].strip(),
                kind=kind,
            )
        )
    return tuple(sorted(units, key=lambda u: u.id))
