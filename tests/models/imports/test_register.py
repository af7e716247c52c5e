"""Dated registers on real Elexon files (R-REG-DATED), id disagreements (R-REG-ID),
unregistered units (R-REG-UNREGISTERED), --strict, and published figures joining their run.

Hand-checked values: T_DRAXX-1's TLF is −0.0059566 in the CRA export effective 2022-06-01 and
−0.0012435 in the 2026 Insights register; T_CARR-1's (in the legacy 2022-03-19 samples) is
0.007674 and 0.0071527; 2__ACNDL001 is in the CRA export only; T_KILNS-1 has neither a P/C flag
nor a TLF in the 2026 register; SSP of 2022-01-01 period 1 is £13.51 in the long price series.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from engine.settlement_calendar import RunType
from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from models.imports.report import ImportRejected
from models.register.snapshots import list_snapshots, unit_history
from models.runs.inputs import load_settlement_inputs
from models.runs.results_store import settle_run
from models.runs.run_store import find_run, list_runs
from models.runs.run_warnings import read_run_warnings
from tests.paths import elexon

WIND_DAY = date(2022, 1, 1)
LEGACY_DAY = date(2022, 3, 19)
LEGACY = ("legacy_bmrs_csv/BOD_sample_legacy.csv", "legacy_bmrs_csv/PHYBMDATA_sample_legacy.csv")


def rows(db, sql: str, **params):
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def pn_file(path, units: dict[str, float], day: str = "2022-01-01"):
    """PN of period 1 and 2 at a flat level per unit (Insights JSON)."""
    records = [
        {
            "dataset": "PN",
            "settlementDate": day,
            "settlementPeriod": p,
            "timeFrom": f"{day}T00:{30 * (p - 1):02d}:00Z",
            "timeTo": f"{day}T{'00:30' if p == 1 else '01:00'}:00Z",
            "levelFrom": level,
            "levelTo": level,
            "bmUnit": unit,
        }
        for unit, level in units.items()
        for p in (1, 2)
    ]
    path.write_text(json.dumps({"data": records}))
    return path


@pytest.fixture
def db(tmp_path):
    with SettlementDatabase.create(tmp_path / "db.sqlite") as database:
        yield database


def test_the_cra_export_is_dated_by_its_own_column(db):
    summary = import_files(db, [elexon("reference/bmu_register_cra_2022-06.csv")])
    (written,) = summary.snapshots
    assert (written.effective_from, written.units, written.new) == (date(2022, 6, 1), 5387, True)
    assert not any("states no effective date" in n for n in summary.notes)
    # The same file again adds no snapshot.
    again = import_files(db, [elexon("reference/bmu_register_cra_2022-06.csv")])
    assert [(w.snapshot_id, w.new) for w in again.snapshots] == [(1, False)]
    with db.engine.connect() as conn:
        assert len(list_snapshots(conn)) == 1


def test_a_register_without_a_date_takes_the_given_one_or_the_import_date(db):
    register = elexon("reference/bmu_register_insights_2026.csv")
    summary = import_files(db, [register])
    assert summary.snapshots[0].effective_from == datetime.now(UTC).date()
    assert any("states no effective date" in n for n in summary.notes)
    # Re-imported undated: the same register, whatever date it was given.
    assert not import_files(db, [register]).snapshots[0].new
    dated = import_files(db, [register], effective_from=date(2026, 1, 1))
    assert dated.snapshots[0].new and dated.snapshots[0].effective_from == date(2026, 1, 1)
    assert not any("states no effective date" in n for n in dated.notes)
    assert not import_files(db, [register], effective_from=date(2026, 1, 1)).snapshots[0].new


def test_each_date_settles_with_the_snapshot_in_force(db):
    """CRA effective 2022-06-01, 2026 register given 2026-01-01: the legacy 2022-03-19 data
    comes before both (earliest used, warned); data dated 2026-02-01 uses the 2026 one."""
    import_files(
        db,
        [elexon("reference/bmu_register_cra_2022-06.csv")],
    )
    import_files(
        db,
        [elexon("reference/bmu_register_insights_2026.csv")],
        effective_from=date(2026, 1, 1),
    )
    legacy = import_files(db, [elexon(f) for f in LEGACY])
    dated = [w for w in legacy.warnings if w.rule == "R-REG-DATED"]
    # The date is the place (the register file is not part of this import).
    assert len(dated) == 1 and (dated[0].file, dated[0].location) == (
        "",
        "settlement date 2022-03-19",
    )
    assert "the earliest, snapshot 1 (effective 2022-06-01)" in dated[0].reason
    assert "bmu_register_cra_2022-06.csv" in dated[0].reason
    assert "  : 1 warning(s)" not in legacy.text()
    assert not [w for w in legacy.warnings if w.rule == "R-REG-UNREGISTERED"]  # CRA has all
    run = legacy.dates[0].run_id
    assert rows(
        db,
        "SELECT tlf, register_snapshot_id FROM run_bm_unit WHERE run_id=:r AND "
        "bm_unit_id='T_CARR-1'",
        r=run,
    ) == [(0.007674, 1)]
    later = import_files(
        db, [pn_file(db_dir(db) / "pn.json", {"T_DRAXX-1": 600.0, "T_CARR-1": 10.0}, "2026-02-01")]
    )
    assert not later.warnings
    assert rows(
        db,
        "SELECT bm_unit_id, tlf, register_snapshot_id FROM run_bm_unit WHERE run_id=:r "
        "ORDER BY bm_unit_id",
        r=later.dates[0].run_id,
    ) == [("T_CARR-1", 0.0071527, 2), ("T_DRAXX-1", -0.0012435, 2)]
    with db.engine.connect() as conn:
        history = unit_history(conn, "T_DRAXX-1")
        assert [e["tlf"] for _, e in history] == [-0.0059566, -0.0012435]
        # The unit index holds the newest snapshot's word.
        assert conn.execute(text("SELECT tlf FROM bm_unit WHERE id='T_DRAXX-1'")).scalar() == (
            -0.0012435
        )
        # 2__ACNDL001 is in the CRA export only: the index keeps it.
        assert conn.execute(text("SELECT tlf FROM bm_unit WHERE id='2__ACNDL001'")).scalar()


def db_dir(db):
    from pathlib import Path

    return Path(db.location).parent


def test_the_wind_units_23_id_pairs_agree_with_the_register(registered_db):
    """On 23 wind units the National Grid id is not the Elexon id without its prefix; each
    pair agrees with the register, so none is a warning."""
    wind = json.loads(elexon("insights_json/PN_2022-01-01.json").read_text())["data"]
    pairs = {(r["bmUnit"], r["nationalGridBmUnit"]) for r in wind}
    unusual = {(u, n) for u, n in pairs if n != u[2:]}
    assert len(pairs) == 156 and len(unusual) == 23
    assert ("T_GANW-11", "GAOFO-1") in unusual and ("2__PENEC001", "ROTHW-1") in unusual
    summary = import_files(registered_db, [elexon("insights_json/PN_2022-01-01.json")])
    assert not [w for w in summary.warnings if w.rule == "R-REG-ID"]
    # Records with only the National Grid id resolve through the register.
    only_ngc = [
        {k: v for k, v in r.items() if k != "bmUnit"}
        for r in wind
        if (r["bmUnit"], r["nationalGridBmUnit"]) in unusual
    ]
    path = db_dir(registered_db) / "PN_ngc_only.json"
    path.write_text(json.dumps({"data": only_ngc}))
    with SettlementDatabase.create(db_dir(registered_db) / "second.sqlite") as second:
        register = elexon("reference/bmu_register_insights_2026.csv")
        import_files(second, [register], effective_from=date(2021, 1, 1))
        result = import_files(second, [path])
        units = {u for (u,) in rows(second, "SELECT bm_unit_id FROM run_bm_unit")}
    assert units == {u for u, _ in unusual} and not result.warnings


def test_a_national_grid_id_only_in_another_snapshot_resolves_with_a_warning(db, tmp_path):
    """R-REG-ID: a record with only a National Grid id that the snapshot in force does not
    list resolves through another snapshot (a warning); through none, it is an error."""
    import_files(db, [elexon("reference/bmu_register_cra_2022-06.csv")])
    with db.engine.connect() as conn:
        known = conn.execute(
            text(
                "SELECT e.bm_unit_id, e.national_grid_id FROM bm_unit_register_entry e "
                "WHERE e.national_grid_id IS NOT NULL ORDER BY e.bm_unit_id LIMIT 1"
            )
        ).first()
    # A fresh snapshot effective later that does not list that unit at all.
    other = tmp_path / "register.json"
    other.write_text(
        json.dumps(
            [{"elexonBmUnit": "T_ONLY-1", "leadPartyId": "P1", "productionOrConsumptionFlag": "P"}]
        )
    )
    import_files(db, [other], effective_from=date(2023, 1, 1))
    record = {
        "dataset": "PN",
        "settlementDate": "2023-02-01",
        "settlementPeriod": 1,
        "timeFrom": "2023-02-01T00:00:00Z",
        "timeTo": "2023-02-01T00:30:00Z",
        "levelFrom": 5,
        "levelTo": 5,
        "nationalGridBmUnit": known.national_grid_id,
    }
    path = tmp_path / "pn.json"
    path.write_text(json.dumps([record]))
    summary = import_files(db, [path])
    (warning,) = [w for w in summary.warnings if w.rule == "R-REG-ID"]
    assert warning.value == known.national_grid_id and warning.location == "[0]"
    assert f"snapshot 1, effective 2022-06-01 gives it to {known.bm_unit_id}" in warning.reason
    # In force is snapshot 2, which does not list the unit: settled as unregistered.
    assert rows(db, "SELECT bm_unit_id, registered FROM run_bm_unit") == [(known.bm_unit_id, 0)]
    # Unknown to every snapshot: an error.
    record["nationalGridBmUnit"] = "NOWHERE-1"
    path.write_text(json.dumps([record]))
    with pytest.raises(ImportRejected, match="NOWHERE-1 is in no register snapshot"):
        import_files(db, [path])


def test_an_unregistered_unit_settles_with_the_defaults(registered_db, tmp_path):
    """R-REG-UNREGISTERED: party UNREGISTERED, TLF 0, own Trading Unit, P or C from the sign
    of its FPN over the day (−50 MW for an hour imports 50 MWh: C; +30 MW exports 30 MWh: P);
    T_KILNS-1 (registered, no P/C flag, no TLF) gets the defaults for what is missing."""
    path = pn_file(
        tmp_path / "pn.json", {"X_IMPORT-1": -50.0, "X_EXPORT-1": 30.0, "T_KILNS-1": 2.0}
    )
    summary = import_files(registered_db, [path])
    run_id = summary.dates[0].run_id
    assert rows(
        registered_db,
        "SELECT bm_unit_id, lead_party_id, pc_status, trading_unit, tlf, registered, "
        "register_snapshot_id FROM run_bm_unit WHERE run_id=:r ORDER BY bm_unit_id",
        r=run_id,
    ) == [
        ("T_KILNS-1", "CENKIL", "P", "T_KILNS-1", 0.0, 1, 1),
        ("X_EXPORT-1", "UNREGISTERED", "P", "X_EXPORT-1", 0.0, 0, 1),
        ("X_IMPORT-1", "UNREGISTERED", "C", "X_IMPORT-1", 0.0, 0, 1),
    ]
    by_unit = {w.value: w for w in summary.warnings if w.rule == "R-REG-UNREGISTERED"}
    assert set(by_unit) == {"T_KILNS-1", "X_EXPORT-1", "X_IMPORT-1"}
    assert "imports 50.000 MWh" in by_unit["X_IMPORT-1"].reason
    assert "exports 30.000 MWh" in by_unit["X_EXPORT-1"].reason
    assert "no production/consumption flag" in by_unit["T_KILNS-1"].reason
    assert "no TLF: TLF 0" in by_unit["T_KILNS-1"].reason
    assert (by_unit["X_IMPORT-1"].file, by_unit["X_IMPORT-1"].field) == ("pn.json", "bmUnit")
    with registered_db.engine.connect() as conn:
        stored = read_run_warnings(conn, run_id)
        party = conn.execute(text("SELECT name FROM party WHERE id='UNREGISTERED'")).scalar()
        accounts = conn.execute(
            text("SELECT account FROM energy_account WHERE party_id='UNREGISTERED'")
        ).all()
        inputs = load_settlement_inputs(conn, run_id)
    assert stored == summary.warnings  # the run lists them
    assert party == "unregistered BM units" and sorted(a for (a,) in accounts) == ["C", "P"]
    assert inputs.units.consumption.tolist() == [False, False, True]
    result = settle_run(registered_db, run_id)
    assert "UNREGISTERED" in result.inputs.parties
    failed = [c for c in result.checks if not c.ok and not c.rule.startswith("R-PRC-MIP")]
    assert not failed  # only the price lacks its market index data


def test_strict_refuses_on_warnings_and_writes_nothing(registered_db, tmp_path):
    path = pn_file(tmp_path / "pn.json", {"X_NEW-1": 1.0})
    before = [r.id for r in list_runs(registered_db.engine.connect())]
    with pytest.raises(ImportRejected) as caught:
        import_files(registered_db, [path], strict=True)
    report = caught.value.report
    assert report.strict and not report.rejections
    assert [w.value for w in report.warnings] == ["X_NEW-1"]
    assert "Import refused (--strict): 1 warning(s); nothing was written." in str(caught.value)
    assert [r.id for r in list_runs(registered_db.engine.connect())] == before
    assert not rows(registered_db, "SELECT * FROM bm_unit WHERE id='X_NEW-1'")


def test_warnings_are_carried_into_a_later_run_of_the_date(registered_db, tmp_path):
    """The later run lists the earlier run's warnings of the units it carries; the import
    reports (and --strict refuses) only its own."""
    first = import_files(registered_db, [pn_file(tmp_path / "a.json", {"X_NEW-1": 1.0})])
    second = import_files(registered_db, [pn_file(tmp_path / "b.json", {"X_NEW-2": -1.0})])
    assert second.dates[0].base_run_id == first.dates[0].run_id
    with registered_db.engine.connect() as conn:
        carried = read_run_warnings(conn, second.dates[0].run_id)
    assert [(w.file, w.value) for w in carried] == [("a.json", "X_NEW-1"), ("b.json", "X_NEW-2")]
    assert second.dates[0].warnings == 2
    assert [w.value for w in second.warnings] == ["X_NEW-2"]
    third = import_files(
        registered_db, [pn_file(tmp_path / "c.json", {"T_DRAXX-1": 5.0})], strict=True
    )
    assert third.warnings == [] and third.dates[0].warnings == 2


def test_a_register_in_force_later_settles_the_units_as_registered(db, tmp_path):
    """Data imported before its register: unregistered; once a register in force on the date
    is held, the date's next run takes every unit from it, with no warning left for them."""
    first = import_files(db, [pn_file(tmp_path / "a.json", {"T_DRAXX-1": 600.0})])
    assert [w.rule for w in first.warnings] == ["R-REG-DATED", "R-REG-UNREGISTERED"]
    registered = import_files(
        db, [elexon("reference/bmu_register_insights_2026.csv")], effective_from=date(2021, 1, 1)
    )
    assert any("in force on 1 date(s) already held (2022-01-01)" in n for n in registered.notes)
    summary = import_files(db, [pn_file(tmp_path / "b.json", {"T_CARR-1": 10.0})], strict=True)
    assert summary.warnings == []
    assert rows(
        db,
        "SELECT bm_unit_id, lead_party_id, tlf, registered, register_snapshot_id "
        "FROM run_bm_unit WHERE run_id=:r ORDER BY bm_unit_id",
        r=summary.dates[0].run_id,
    ) == [("T_CARR-1", "CARRINGT", 0.0071527, 1, 1), ("T_DRAXX-1", "DRAX", -0.0012435, 1, 1)]


def test_published_prices_join_the_run_of_their_date(registered_db, tmp_path):
    """Issue 15 item 5: prices for a date that has an SF run are added to it (no SF #2);
    the same prices again add nothing; a different price for a stored period is an error."""
    pn = import_files(registered_db, [elexon("insights_json/PN_2022-01-01.json")])
    run_id = pn.dates[0].run_id
    series = elexon("system_prices/sspsbpniv_2019-04-08_2022-05-25.csv")
    summary = import_files(registered_db, [series], only_date=WIND_DAY)
    (part,) = summary.dates
    assert (part.run_id, part.attached, part.records) == (run_id, True, {"published prices": 48})
    with registered_db.engine.connect() as conn:
        assert [r.run_number for r in list_runs(conn) if r.settlement_date == WIND_DAY] == [1]
    assert rows(
        registered_db,
        "SELECT ssp, niv FROM system_price_result WHERE run_id=:r AND origin='published' "
        "AND period=1",
        r=run_id,
    ) == [(13.51, -661.3817)]
    again = import_files(registered_db, [series], only_date=WIND_DAY)
    assert again.dates[0].run_id is None and not again.dates[0].attached
    changed = tmp_path / "prices.json"
    price = {"settlementDate": "2022-01-01", "settlementPeriod": 1, "systemSellPrice": 14.0}
    changed.write_text(json.dumps([price | {"systemBuyPrice": 14.0, "priceDerivationCode": "N"}]))
    with pytest.raises(ImportRejected) as caught:
        import_files(registered_db, [changed])
    (problem,) = caught.value.report.rejections
    assert (problem.file, problem.location, problem.field, problem.value) == (
        "prices.json",
        "[0]",
        "ssp",
        "14.0",
    )
    assert "stored in run 2022-01-01 SF" in problem.reason and "ssp = 13.51" in problem.reason
    # Published figures with new BM data still make a new run, carrying them.
    boalf = import_files(registered_db, [elexon("insights_json/BOALF_2022-01-01.json")])
    new_run = boalf.dates[0].run_id
    assert new_run != run_id and not boalf.dates[0].attached
    assert rows(
        registered_db,
        "SELECT count(*) FROM system_price_result WHERE run_id=:r AND origin='published'",
        r=new_run,
    ) == [(48,)]
    with registered_db.engine.connect() as conn:
        assert find_run(conn, WIND_DAY, RunType.SF).id == new_run


def test_a_date_without_bm_units_gets_no_register_warning(db):
    """R-REG-DATED is about BM units: plain prices in a database without any register import
    without a warning, so --strict accepts them (DISEBSP of 2026-03-29, 46 periods)."""
    summary = import_files(db, [elexon("system_prices/disebsp_2026-03-29.json")], strict=True)
    assert summary.warnings == []
    (part,) = summary.dates
    assert part.records == {"published prices": 46}


def test_the_same_data_again_after_a_new_register_takes_its_units_from_it(db, tmp_path):
    """R-REG-DATED: the register imported after the data; the same file again is a new run
    carrying everything forward, its units from the snapshot now in force (T_DRAXX-1's TLF
    −0.0012435 in the 2026 register); a third import of it adds nothing."""
    path = pn_file(tmp_path / "a.json", {"T_DRAXX-1": 600.0})
    first = import_files(db, [path])
    import_files(
        db, [elexon("reference/bmu_register_insights_2026.csv")], effective_from=date(2021, 1, 1)
    )
    again = import_files(db, [path])
    (part,) = again.dates
    assert part.run_id is not None and part.base_run_id == first.dates[0].run_id
    assert rows(
        db,
        "SELECT bm_unit_id, lead_party_id, tlf, registered, register_snapshot_id "
        "FROM run_bm_unit WHERE run_id=:r",
        r=part.run_id,
    ) == [("T_DRAXX-1", "DRAX", -0.0012435, 1, 1)]
    assert rows(db, "SELECT count(*) FROM run_warning WHERE run_id=:r", r=part.run_id) == [(0,)]
    third = import_files(db, [path])
    assert third.dates[0].run_id is None


def _pn_later(path, units: dict[str, float]):
    """PN of periods 3 and 4 of 2022-01-01 at a flat level per unit."""
    records = [
        {
            "dataset": "PN",
            "settlementDate": "2022-01-01",
            "settlementPeriod": p,
            "timeFrom": f"2022-01-01T{'01:00' if p == 3 else '01:30'}:00Z",
            "timeTo": f"2022-01-01T{'01:30' if p == 3 else '02:00'}:00Z",
            "levelFrom": level,
            "levelTo": level,
            "bmUnit": unit,
        }
        for unit, level in units.items()
        for p in (3, 4)
    ]
    path.write_text(json.dumps({"data": records}))
    return path


def test_unregistered_units_are_derived_again_from_the_merged_pn(registered_db, tmp_path):
    """R-REG-UNREGISTERED: −50 MW in periods 1-2 imports 50 MWh (C); +75 MW in periods 3-4
    exports 75 MWh, so over the day it exports 25 MWh: P, and the warning says so. T_KILNS-1
    (registered, no P/C flag) likewise: +2 MW for an hour, then −6 MW: imports 4 MWh, C."""
    first = import_files(
        registered_db, [pn_file(tmp_path / "a.json", {"X_IMPORT-1": -50.0, "T_KILNS-1": 2.0})]
    )
    second = import_files(
        registered_db,
        [_pn_later(tmp_path / "b.json", {"X_IMPORT-1": 75.0, "T_KILNS-1": -6.0})],
    )
    run_id = second.dates[0].run_id
    assert second.dates[0].base_run_id == first.dates[0].run_id
    assert rows(
        registered_db,
        "SELECT bm_unit_id, pc_status, registered FROM run_bm_unit WHERE run_id=:r "
        "ORDER BY bm_unit_id",
        r=run_id,
    ) == [("T_KILNS-1", "C", 1), ("X_IMPORT-1", "P", 0)]
    with registered_db.engine.connect() as conn:
        stored = {w.value: w for w in read_run_warnings(conn, run_id)}
    assert "exports 25.000 MWh" in stored["X_IMPORT-1"].reason
    assert "imports 50.000 MWh" not in stored["X_IMPORT-1"].reason
    assert "imports 4.000 MWh" in stored["T_KILNS-1"].reason
    assert len(stored) == 2  # the stale ones are not carried beside them
    assert stored["X_IMPORT-1"].file == "b.json"


def test_strict_refusal_text_and_an_unused_effective_from(db, tmp_path):
    """--strict: the text says the warnings refused the import, not that they were imported
    as the rules say; a warning of no file (R-REG-DATED) is not counted under an empty name;
    --effective-from without a register file is said in a note."""
    path = pn_file(tmp_path / "pn.json", {"X_NEW-1": 1.0})
    with pytest.raises(ImportRejected) as caught:
        import_files(db, [path], strict=True, effective_from=date(2021, 1, 1))
    text = str(caught.value)
    assert text.startswith("Import refused (--strict): 2 warning(s); nothing was written.")
    assert "imported as the rules say" not in text
    assert "  pn.json: 1 warning(s)" in text and "  : 1 warning(s)" not in text
    assert caught.value.report.as_json()["warnings_by_file"] == {"pn.json": 1}
    summary = import_files(db, [path], effective_from=date(2021, 1, 1))
    assert any("--effective-from 2021-01-01 was not used" in n for n in summary.notes)
    assert "imported as the rules say" in summary.text()


def test_a_register_without_trading_units_is_said_once_per_snapshot_used(registered_db, tmp_path):
    """The 2026 Insights register gives no Trading Units: one note for the snapshot used,
    whatever the number of dates; the CRA export gives them, so no note."""
    summary = import_files(
        registered_db,
        [
            pn_file(tmp_path / "a.json", {"T_DRAXX-1": 1.0}),
            pn_file(tmp_path / "b.json", {"T_DRAXX-1": 1.0}, day="2022-01-02"),
        ],
    )
    assert len(summary.dates) == 2
    notes = [n for n in summary.notes if "gives no Trading Units" in n]
    assert notes == [
        "register snapshot 1 (effective 2019-01-01, bmu_register_insights_2026.csv (effective "
        "date: --effective-from)) gives no Trading Units: each BM unit is its own Trading Unit, "
        "which changes which units are delivering/offtaking (R-TLM); the CRA export gives them"
    ]
    assert not [
        n for n in import_files(registered_db, [tmp_path / "a.json"]).notes if "Trading Units" in n
    ]  # fmt: skip  (nothing new: no run, no note)


def test_the_cra_export_gives_trading_units(db, tmp_path):
    import_files(db, [elexon("reference/bmu_register_cra_2022-06.csv")])
    summary = import_files(db, [pn_file(tmp_path / "a.json", {"T_DRAXX-1": 1.0}, "2022-12-01")])
    assert summary.dates[0].run_id is not None
    assert not [n for n in summary.notes if "Trading Units" in n]


def test_the_same_published_figure_at_a_coarser_precision_completes_the_stored_one(db, tmp_path):
    """NIV −1194.7878 (4 dp, as the legacy SSP/SBP/NIV file gives it), then −1194.787812345
    in full with the fields the first lacked: the same figure (within half a unit of the 4th
    decimal), so no error; the stored NIV stays, the missing fields are filled, in the same
    run. −1194.80 is another figure (0.0122 away, more than £/MWh 0.005): refused."""
    base = {"settlementDate": "2022-03-19", "settlementPeriod": 27, "priceDerivationCode": "N"}
    base |= {"systemSellPrice": -90.32, "systemBuyPrice": -90.32}
    coarse = tmp_path / "coarse.json"
    coarse.write_text(json.dumps([base | {"netImbalanceVolume": -1194.7878}]))
    first = import_files(db, [coarse])
    run_id = first.dates[0].run_id
    full = tmp_path / "full.json"
    extra = {"reserveScarcityPrice": 0, "sellPriceAdjustment": 1.25, "buyPriceAdjustment": 0.5}
    full.write_text(json.dumps([base | {"netImbalanceVolume": -1194.787812345} | extra]))
    second = import_files(db, [full])
    (part,) = second.dates
    assert (part.run_id, part.attached) == (run_id, True)
    assert part.records == {"published figures completed": 1}
    assert rows(
        db,
        "SELECT ssp, sbp, niv, spa, bpa, reserve_scarcity_price FROM system_price_result "
        "WHERE run_id=:r AND origin='published'",
        r=run_id,
    ) == [(-90.32, -90.32, -1194.7878, 1.25, 0.5, 0.0)]
    assert import_files(db, [full]).dates[0].run_id is None  # complete now: nothing new
    other = tmp_path / "other.json"
    other.write_text(json.dumps([base | {"netImbalanceVolume": -1194.80}]))
    with pytest.raises(ImportRejected, match=r"which has niv = -1194\.7878"):
        import_files(db, [other])


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (-1194.7878, -1194.787812345, True),
        (-1194.7878, -1194.78785, True),  # half a unit of the 4th decimal
        (-1194.7878, -1194.7879, False),
        (13.51, 13.514, True),
        (13.51, 13.516, False),
        (14.0, 13.51, False),
        (14.0, 14.004, True),  # 1 dp shown, but never looser than 0.005
        (14.0, 14.006, False),
        (1e-5, 0.0, True),
    ],
)
def test_same_figure_at_two_precisions(a, b, same):
    from models.imports.loader import same_figure

    assert same_figure(a, b) is same and same_figure(b, a) is same
