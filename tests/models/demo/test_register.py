"""The register the demo draws its units from: each unit classified into a kind by its id
prefix (rulebook §1: I_ interconnector, 2__ supplier base, V__ secondary), else by its fuel,
else by its name; rows read as the 2026 Insights register gives them."""

from __future__ import annotations

import pytest

from models.demo.register import classify, register_units


@pytest.mark.parametrize(
    ("unit_id", "fuel", "name", "kind"),
    [
        ("I_IED-FRANCE", "", "", "interconnector"),
        ("T_IFA2-1", "INTIFA2", "", "interconnector"),  # an interconnector by its fuel type
        ("2__AANGE001", "", "2__AANGE001", "supplier"),
        ("V__AFLEX001", "", "", "vlp"),
        ("T_WBURB-1", "CCGT", "West Burton B Unit 1", "ccgt"),
        ("T_DRAXX-1", "BIOMASS", "T_DRAXX-1", "biomass"),
        ("T_RATS-1", "COAL", "", "biomass"),  # coal behaves as biomass in the demo
        ("T_DINO-1", "PS", "", "pumped_storage"),
        ("T_FFES-1", "NPSHYD", "", "hydro"),
        ("E_PILLB-1", "", "Pillswood BESS", "battery"),
        ("E_ARNKB-2", "OTHER", "Arnish Battery storage", "battery"),
        ("E_BROCK-1", "", "Brockloch Rig", "embedded"),
    ],
)
def test_a_unit_is_classified_by_prefix_then_fuel_then_name(unit_id, fuel, name, kind):
    assert classify(unit_id, fuel, name) == kind


def test_the_packaged_register_is_read_whole_and_by_id():
    units = register_units()
    assert len(units) == 2871  # of 2,872 rows, those with an Elexon id and a lead party
    assert [u.id for u in units] == sorted(u.id for u in units)
    drax = next(u for u in units if u.id == "T_DRAXX-1")
    # The register's row: T_DRAXX-1,DRAXX-1,T_DRAXX-1,BIOMASS,Drax Power Ltd,DRAX,T,C,665.248,
    # 0.000,-0.0012435,,,,…
    assert (drax.national_grid_id, drax.lead_party_id, drax.pc_status) == ("DRAXX-1", "DRAX", "C")
    assert (drax.generation_capacity, drax.demand_capacity, drax.tlf) == (665.248, 0.0, -0.0012435)
    assert drax.kind == "biomass"
    assert all(u.pc_status == "C" for u in units if u.kind == "supplier")
