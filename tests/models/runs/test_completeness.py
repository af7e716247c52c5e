"""Completeness of a run, checked by hand on a small case: two units, periods 27 and 28.

Period 27 has every settlement input but LoLP (FPN, metered volumes, a BSAD action, market
index data, MEL); period 28 has only FPN, and no acceptance, so its NIV is 0 and its price
needs MIP, which it does not have: its price is unavailable, and the report says why.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from engine.settle import settle_day
from models.casefiles.case_file import validate_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from models.runs.completeness import (
    BSAD,
    INPUTS,
    LOLP,
    MEL_MIL,
    METERED,
    MID,
    PN,
    PUBLISHED,
    period_ranges,
    run_completeness,
    why_no_price,
)
from models.runs.inputs import load_settlement_inputs
from models.runs.results_store import settle_run
from models.runs.run_warnings import DataWarning, write_run_warnings
from tests.engine.case_builder import flat, metered
from tests.models.runs.completeness_case import completeness_case


@pytest.fixture
def db(tmp_path):
    with SettlementDatabase.create(tmp_path / "c.sqlite") as database:
        yield database


def test_per_period_inputs_present_and_missing(db):
    run_id = import_case(db, completeness_case())
    with db.engine.connect() as conn:
        result = settle_day(load_settlement_inputs(conn, run_id))
        report = run_completeness(conn, run_id, result)
    p27, p28 = report.periods
    assert (p27.period, p28.period) == (27, 28)
    assert p27.present == (PN, METERED, BSAD, MID, MEL_MIL)
    assert p27.missing == (LOLP, PUBLISHED)
    assert p28.present == (PN,)
    assert p28.missing == (METERED, BSAD, MID, LOLP, MEL_MIL, PUBLISHED)
    assert (p27.units, p27.fpn_units, p27.metered_units, p27.bsad_actions) == (2, 2, 2, 1)
    assert (p28.fpn_units, p28.metered_units, p28.bsad_actions, p28.mel_mil_units) == (2, 0, 0, 0)
    assert p27.mel_mil_units == 1
    # Period 27: 20 MWh accepted offer + 5 MWh BSAD, a price; period 28: NIV 0, no MIP.
    assert p27.price_unavailable is None
    assert math.isnan(result.prices.ssp[27]) and result.prices.niv[27] == 0
    assert p28.price_unavailable == why_no_price(0.0, None, 0)
    assert "NIV is 0 MWh" in p28.price_unavailable and "no market index data" in (
        p28.price_unavailable
    )
    assert report.price_unavailable == {28: p28.price_unavailable}
    assert not report.complete and report.settled


def test_gaps_name_their_periods_and_effects(db):
    run_id = import_case(db, completeness_case())
    with db.engine.connect() as conn:
        report = run_completeness(conn, run_id, settle_day(load_settlement_inputs(conn, run_id)))
    gaps = {g.what: g for g in report.gaps}
    assert set(gaps) == {
        "no metered volumes in some periods",
        "no BSAD in some periods (none may have been taken)",
        "no market index (MID) in some periods",
        "no LoLP/DRM",
        "no MEL/MIL in some periods",
        "no published prices",
        "system price unavailable",
    }
    assert gaps["no metered volumes in some periods"].periods == (28,)
    assert "TLM, QME, QNDO/QNDB, CND, credited energy, CAEI and RCRC" in (
        gaps["no metered volumes in some periods"].effect
    )
    assert "TLM = 1 + TLF" in gaps["no metered volumes in some periods"].effect
    assert gaps["no LoLP/DRM"].periods == (27, 28)
    assert "STOR actions are not repriced" in gaps["no LoLP/DRM"].effect
    assert "no effect on settlement" in gaps["no MEL/MIL in some periods"].effect
    assert not gaps["no MEL/MIL in some periods"].settlement
    assert not gaps["no published prices"].settlement
    assert gaps["system price unavailable"].periods == (28,)
    # Rulebook §15 as the engine reports it: 2024 is after P376; a BSAD action with metered
    # volumes leaves the NETSO's own energy accounts out of TRC.
    known = [g.what.split(":")[0] for g in report.known_gaps]
    assert known == ["GAP-P376-BASELINING", "GAP-NETSO-ENERGY-ACCOUNTS"]
    assert "1 BSAD action(s)" in report.known_gaps[1].effect
    # Register coverage: the case's two units are the database's register.
    assert report.register.line() == "PN for 2 of 2 registered units; fuel types present: unknown"
    assert report.register.unregistered == () and report.register.without_pn == 0


def test_stored_results_give_the_same_report_as_the_result(db):
    run_id = import_case(db, completeness_case())
    with db.engine.connect() as conn:
        before = run_completeness(conn, run_id)  # never settled: inputs only
    result = settle_run(db, run_id)
    with db.engine.connect() as conn:
        stored = run_completeness(conn, run_id)
        live = run_completeness(conn, run_id, result)
    assert not before.settled and before.price_unavailable == {}
    assert [p.missing for p in before.periods] == [p.missing for p in live.periods]
    assert stored.as_json() == live.as_json()


def test_json_text_and_banner_never_show_nan(db):
    run_id = import_case(db, completeness_case())
    result = settle_run(db, run_id)
    with db.engine.connect() as conn:
        warning = DataWarning("R-REG-ID", "f.json", "data[1]", "nationalGridBmUnit", "X", "y")
        write_run_warnings(conn, run_id, [warning])
        conn.commit()
        report = run_completeness(conn, run_id, result)
    document = json.dumps(report.as_json(), allow_nan=False)
    assert "nan" not in document.lower() and "nan" not in report.text().lower()
    assert report.as_json()["price_unavailable"] == [
        {"period": 28, "reason": report.periods[1].price_unavailable}
    ]
    assert report.warnings == 1 and "run warnings: 1" in report.text()
    banner = report.banner().splitlines()
    assert len(banner) == 2
    assert banner[0] == (
        "Incomplete: no LoLP/DRM, published prices; some periods lack metered volumes, BSAD, "
        "MID, MEL/MIL."
    )
    assert report.banner(compact=True).splitlines() == [
        "Incomplete: 2 missing; 4 partly.",
        "1 price(s) unavailable; 2 known gap(s) of the rulebook; 1 import warning(s).",
    ]
    assert banner[1] == (
        "Price unavailable in 1 period(s) (28): needs MIP, no market index data; "
        "2 known gap(s) of the rulebook; 1 import warning(s)."
    )
    assert "price unavailable in period(s) 28: NIV is 0 MWh" in report.text()


def _snapshot(conn, snapshot_id: int, effective: str, units: dict[str, str], tu: bool = True):
    """A register snapshot listing `units` (unit id → fuel type)."""
    conn.execute(
        text(
            "INSERT INTO bm_unit_register_snapshot (id, effective_from, source, imported_at, "
            "units) VALUES (:i, :e, :s, '2025-01-02 00:00:00', :n)"
        ),
        {"i": snapshot_id, "e": effective, "s": f"reg{snapshot_id}.csv", "n": len(units)},
    )
    for unit_id, fuel in units.items():
        conn.execute(
            text(
                "INSERT INTO bm_unit_register_entry (snapshot_id, bm_unit_id, name, "
                "fuel_type, trading_unit, interconnector) VALUES (:s, :u, '', :f, :t, 0)"
            ),
            {"s": snapshot_id, "u": unit_id, "f": fuel, "t": f"TU_{unit_id}" if tu else None},
        )


def test_unregistered_units_and_registered_units_without_pn(db):
    """G1 marked unregistered (R-REG-UNREGISTERED); a third registered unit, T_CCGT-1, has no
    PN: informational (the stored register does not say which units must submit PN)."""
    run_id = import_case(db, completeness_case())
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE run_bm_unit SET registered = 0 WHERE bm_unit_id = 'G1'"))
        _snapshot(conn, 5, "2020-01-01", {"D1": "WIND", "T_CCGT-1": "CCGT"})
        conn.execute(text("UPDATE run_bm_unit SET register_snapshot_id = 5"))
    with db.engine.connect() as conn:
        report = run_completeness(conn, run_id)
    register = report.register
    assert register.unregistered == ("G1",)
    assert (register.register_units, register.with_pn, register.without_pn) == (2, 1, 1)
    assert register.fuel_types_missing == {"CCGT": 1}
    assert register.fuel_types_present == {"WIND": 1, "unknown": 1}
    gaps = {g.what.split(":")[0]: g for g in report.gaps}
    assert (
        "TLF 0 under the party UNREGISTERED"
        in gaps["1 BM unit(s) not in the register in force (R-REG-UNREGISTERED)"].effect
    )
    (pn_gap,) = [g for g in report.gaps if g.what.startswith("no PN for 1 of 2 registered")]
    assert not pn_gap.settlement and "FPN Flag is not kept" in pn_gap.effect
    assert not any(g.what.startswith("the register gives no Trading Units") for g in report.gaps)


def test_the_register_the_run_used_not_the_one_in_force_today(db):
    """R-REG-DATED: the run's units came from snapshot 5; snapshot 6, imported later, is in
    force on the date now: the report describes snapshot 5 (2 units, not 3)."""
    run_id = import_case(db, completeness_case())
    with db.engine.begin() as conn:
        _snapshot(conn, 5, "2020-01-01", {"G1": "CCGT", "D1": "WIND"})
        _snapshot(conn, 6, "2021-01-01", {"G1": "CCGT", "D1": "WIND", "T_NEW-1": "NPSHYD"})
        conn.execute(text("UPDATE run_bm_unit SET register_snapshot_id = 5"))
    with db.engine.connect() as conn:
        report = run_completeness(conn, run_id)
    assert report.register.register == "snapshot 5, effective from 2020-01-01 (reg5.csv)"
    assert (report.register.register_units, report.register.without_pn) == (2, 0)
    with db.engine.begin() as conn:  # a run naming no snapshot: the date's
        conn.execute(text("UPDATE run_bm_unit SET register_snapshot_id = NULL"))
    with db.engine.connect() as conn:
        report = run_completeness(conn, run_id)
    assert report.register.register.startswith("snapshot 6, effective from 2021-01-01")
    assert (report.register.register_units, report.register.without_pn) == (3, 1)


def test_without_a_register_only_the_runs_registered_units_count(db):
    """No snapshot: the unit index (which holds unregistered units too) is no register; the
    report says so and counts the run's registered units only (D1: G1 is unregistered, and
    T_CCGT-1 of the index is in no run)."""
    run_id = import_case(db, completeness_case())
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE run_bm_unit SET registered = 0 WHERE bm_unit_id = 'G1'"))
        conn.execute(
            text(
                "INSERT INTO bm_unit (id, name, fuel_type, lead_party_id, pc_status, "
                "trading_unit, tlf, interconnector) "
                "VALUES ('T_CCGT-1', '', 'CCGT', 'GEN', 'P', 'T_CCGT-1', 0.01, 0)"
            )
        )
        conn.execute(text("UPDATE bm_unit SET fuel_type = 'WIND' WHERE id = 'D1'"))
    with db.engine.connect() as conn:
        report = run_completeness(conn, run_id)
    register = report.register
    assert register.register.startswith("no register")
    assert (register.register_units, register.with_pn, register.without_pn) == (1, 1, 0)
    assert register.fuel_types_present == {"WIND": 1, "unknown": 1}


def test_a_register_without_trading_units_is_an_informational_gap(db):
    """The Insights register gives no Trading Units: each unit is its own (R-TLM)."""
    run_id = import_case(db, completeness_case())
    with db.engine.begin() as conn:
        _snapshot(conn, 5, "2020-01-01", {"G1": "CCGT", "D1": "WIND"}, tu=False)
        conn.execute(text("UPDATE run_bm_unit SET register_snapshot_id = 5"))
    with db.engine.connect() as conn:
        report = run_completeness(conn, run_id)
    (gap,) = [g for g in report.gaps if g.what.startswith("the register gives no Trading")]
    assert gap.what == (
        "the register gives no Trading Units: each unit is its own, which changes which units "
        "are delivering/offtaking (R-TLM)"
    )
    assert not gap.settlement and gap.periods == (27, 28)


def test_why_no_price_names_market_index_data_without_volume(db):
    """Period 28 holds a MID record of volume 0: it has MID records, but no MIP_j."""
    document = completeness_case()
    document["market_index"].append(
        {"period": 28, "provider": "APXMIDP", "price": 50.0, "volume": 0.0}
    )
    run_id = import_case(db, document)
    result = settle_run(db, run_id)
    with db.engine.connect() as conn:
        report = run_completeness(conn, run_id, result)
    p28 = report.periods[1]
    assert p28.price_unavailable == why_no_price(0.0, None, 1)
    assert "the period's 1 market index data record(s) have no volume" in p28.price_unavailable
    assert "needs MIP, market index data without volume" in report.banner()


def test_period_ranges():
    assert period_ranges([5, 1, 2, 3, 7, 8]) == "1-3, 5, 7-8"
    assert period_ranges([]) == ""
    assert period_ranges([48]) == "48"


def test_one_sided_metering_is_named_from_the_not_applicable_check(db):
    """Only delivering metered volume in period 27 (R-TLM-ONESIDED): the R-TLM check does not
    apply, and the report names the period, live and from the stored check results."""
    document = completeness_case()
    document["metered_volumes"] = [metered("G1", 60.0), metered("D1", 0.0)]
    run_id = import_case(db, document)
    result = settle_run(db, run_id)
    with db.engine.connect() as conn:
        live = run_completeness(conn, run_id, result)
        stored = run_completeness(conn, run_id)
    check = next(c for c in result.checks if c.rule == "R-TLM" and c.period == 27)
    assert check.ok and check.status == "not applicable"
    for report in (live, stored):
        p27, p28 = report.periods
        assert p27.one_sided == check.detail and p28.one_sided is None
        gap = next(g for g in report.gaps if g.what == "one-sided metering (R-TLM-ONESIDED)")
        assert gap.periods == (27,) and "R-TLM check is not applicable" in gap.effect
        assert "; one-sided metering in 1 period(s);" in report.banner()


def test_a_register_snapshot_of_a_later_date_is_named(db):
    """R-REG-DATED: the only snapshot is effective after the day, so the earliest is used."""
    run_id = import_case(db, completeness_case())
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO bm_unit_register_snapshot (id, effective_from, source, imported_at, "
                "units) VALUES (5, '2025-01-01', 'cra.csv', '2025-01-02 00:00:00', 2)"
            )
        )
        for unit_id, fuel in (("G1", "WIND"), ("D1", "")):
            conn.execute(
                text(
                    "INSERT INTO bm_unit_register_entry (snapshot_id, bm_unit_id, name, "
                    "fuel_type, interconnector) VALUES (5, :u, '', :f, 0)"
                ),
                {"u": unit_id, "f": fuel},
            )
    with db.engine.connect() as conn:
        report = run_completeness(conn, run_id)
    assert report.register.register == (
        "snapshot 5, effective from 2025-01-01 (cra.csv); no snapshot was in force on the "
        "date, the earliest is used"
    )
    assert report.register.fuel_types_present == {"WIND": 1, "unknown": 1}
    gap = next(g for g in report.gaps if g.what.startswith("no register snapshot in force"))
    assert gap.what == (
        "no register snapshot in force on the date: the earliest, effective 2025-01-01, is "
        "used (R-REG-DATED)"
    )
    assert gap.settlement and gap.periods == (27, 28)


FLAGS = st.fixed_dictionaries(
    {name: st.booleans() for name in ("metered", "mid", "bsad", "lolp", "mel")}
)


@given(st.lists(FLAGS, min_size=4, max_size=4))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_present_and_missing_are_exactly_what_each_period_holds(flags):
    """Periods 27-30, each with any mix of inputs: the report lists exactly those as present,
    the rest as missing, and a price is unavailable exactly where the engine has none."""
    periods = [27, 28, 29, 30]
    on = {p: f for p, f in zip(periods, flags, strict=True)}
    document = completeness_case()
    document["periods"] = periods
    document["fpn"] = [flat("G1", 100.0, 0, 120), flat("D1", -100.0, 0, 120)]
    start = {p: (p - 27) * 30 for p in periods}
    document["mel"] = [flat("G1", 150.0, start[p], start[p] + 30) for p in periods if on[p]["mel"]]
    document["metered_volumes"] = [
        metered(u, v, p)
        for p in periods
        if on[p]["metered"]
        for u, v in (("G1", 60.0), ("D1", -60.0))
    ]
    document["bsad"] = [
        {"period": p, "id": f"B{p}", "volume": 5.0, "cost": 300.0} for p in periods if on[p]["bsad"]
    ]
    document["market_index"] = [
        {"period": p, "provider": "APXMIDP", "price": 50.0, "volume": 100.0}
        for p in periods
        if on[p]["mid"]
    ]
    document["lolp"] = [{"period": p, "lolp": 0.001} for p in periods if on[p]["lolp"]]
    names = {"metered": METERED, "bsad": BSAD, "mid": MID, "lolp": LOLP, "mel": MEL_MIL}
    with (
        tempfile.TemporaryDirectory() as folder,
        SettlementDatabase.create(Path(folder) / "p.sqlite") as database,
    ):
        run_id = import_case(database, validate_case(document))
        result = settle_run(database, run_id)
        with database.engine.connect() as conn:
            report = run_completeness(conn, run_id, result)
            stored = run_completeness(conn, run_id)
    assert stored.as_json() == report.as_json()
    json.dumps(report.as_json(), allow_nan=False)
    for row in report.periods:
        having = {names[k] for k, v in on[row.period].items() if v} | {PN}
        assert set(row.present) == having
        assert set(row.missing) == set(INPUTS) - having
        assert (row.price_unavailable is not None) == bool(
            np.isnan(result.prices.ssp[row.period - 1])
        )
        if row.price_unavailable:
            assert not on[row.period]["mid"]
