"""R-REG-UNREGISTERED defaults: FPN energy over the settlement day and the P/C it implies."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from engine.settlement_calendar import local_midnight_utc
from models.imports.collect import STORED
from models.imports.units import InForce, fpn_energy, unit_rows

DAY = date(2022, 3, 27)  # a 46-period day: the clock goes forward
START = int(local_midnight_utc(DAY).timestamp())
END = START + 46 * 1800


def test_energy_is_cut_at_the_day_edges():
    # 100 MW from 23:00 the day before to 01:00 of the day (UTC, GMT then): one hour in it;
    # a ramp 0 → 60 MW over the last hour of the day and the first of the next: 15 MWh in it.
    physical = {
        ("FPN", "U", START - 3600): {
            "time_to": START + 3600,
            "level_from": 100.0,
            "level_to": 100.0,
        },
        ("FPN", "V", END - 3600): {"time_to": END + 3600, "level_from": 0.0, "level_to": 60.0},
        ("QPN", "V", START): {"time_to": END, "level_from": -500.0, "level_to": -500.0},
    }
    energy = fpn_energy(physical, {"U", "V", "W"}, DAY)
    assert energy == {"U": 100.0 * 3600, "V": 15.0 * 3600, "W": 0.0}


@given(
    levels=st.lists(
        st.floats(min_value=-1000, max_value=1000, allow_nan=False).map(lambda x: round(x, 3)),
        min_size=1,
        max_size=46,
    )
)
def test_pc_follows_the_sign_of_the_days_fpn(levels):
    physical = {
        ("FPN", "X", START + 1800 * j): {
            "time_to": START + 1800 * (j + 1),
            "level_from": level,
            "level_to": level,
        }
        for j, level in enumerate(levels)
    }
    mwh = sum(level / 2 for level in levels)
    rows, warnings = unit_rows({"X": STORED}, {}, [], InForce(DAY, None, False, {}), physical)
    (row,) = rows
    if mwh > 1e-6:  # exports over the day: production
        assert row["pc_status"] == "P"
    elif mwh < -1e-6:  # imports: consumption
        assert row["pc_status"] == "C"
    assert (row["lead_party_id"], row["tlf"], row["trading_unit"], row["registered"]) == (
        "UNREGISTERED",
        0.0,
        "X",
        False,
    )
    assert [w.value for w in warnings] == ["X"]


def test_an_unregistered_interconnector_unit_keeps_tlm_one():
    # I_IFDENSC1 is in the real 2022-03-19 BM data but in neither register: an interconnector
    # unit by its id, so TLM 1 (R-TLM); a GB unit beside it is not one.
    physical = {
        ("FPN", "I_IFDENSC1", START): {"time_to": END, "level_from": -900.0, "level_to": -900.0},
        ("FPN", "T_NEW-1", START): {"time_to": END, "level_from": 50.0, "level_to": 50.0},
    }
    units = {"I_IFDENSC1": STORED, "T_NEW-1": STORED}
    rows, warnings = unit_rows(units, {}, [], InForce(DAY, None, False, {}), physical)
    by_unit = {r["bm_unit_id"]: r for r in rows}
    assert by_unit["I_IFDENSC1"]["interconnector"] is True
    assert by_unit["I_IFDENSC1"]["pc_status"] == "C"  # imports over the day
    assert by_unit["T_NEW-1"]["interconnector"] is False
    (ic_warning,) = [w for w in warnings if w.value == "I_IFDENSC1"]
    assert "interconnector BM unit" in ic_warning.reason
