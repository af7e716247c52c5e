"""Every sample format in shared/data/elexon imports, with hand-checked values."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from engine.settlement_calendar import RunType
from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from models.imports.report import ImportRejected
from models.runs.run_store import find_run, list_runs
from tests.paths import elexon

D = date(2022, 1, 1)


def scalar(db, sql: str, **params):
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()


def rows(db, sql: str, **params):
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def test_wind_insights_json_counts_and_values(registered_db):
    summary = import_files(
        registered_db,
        [elexon(f"insights_json/{n}_2022-01-01.json") for n in ("PN", "BOD", "BOALF")],
    )
    assert summary.records == {"PN": 9027, "BOD": 14964, "BOALF": 3720}
    assert [p.settlement_date for p in summary.dates] == ["2022-01-01"]
    with registered_db.engine.connect() as conn:
        run = find_run(conn, D, RunType.SF)
    assert run.bm_units == 156  # PN and BOD cover 156 wind units
    dataset = run.bm_dataset_id
    # Every BOD record is one stored segment; acceptances as published (3,089 over both days).
    assert (
        scalar(registered_db, "SELECT count(*) FROM bid_offer WHERE dataset_id=:d", d=dataset)
        == 14964
    )
    assert (
        scalar(
            registered_db, "SELECT count(*) FROM acceptance_level WHERE dataset_id=:d", d=dataset
        )
        == 3720
    )
    # Hand-checked against the file: 2__PENEC001 (ROTHW-1) pair +1 in period 1.
    assert rows(
        registered_db,
        "SELECT level_from, level_to, offer_price, bid_price, time_from, time_to FROM bid_offer "
        "WHERE dataset_id=:d AND bm_unit_id='2__PENEC001' AND period=1 AND pair=1",
        d=dataset,
    ) == [(51.0, 51.0, 9999.0, -158.0, 1640995200, 1640997000)]
    # The first BOALF record: acceptance 34221 of 2__PSTAT001 (CAIRW-2), 18:21–18:24Z, 42 → 5 MW.
    assert rows(
        registered_db,
        "SELECT a.acceptance_time, a.so_flag, l.level_from, l.level_to FROM acceptance a "
        "JOIN acceptance_level l USING (dataset_id, bm_unit_id, number) WHERE a.dataset_id=:d "
        "AND a.bm_unit_id='2__PSTAT001' AND a.number=34221 AND l.seq=0",
        d=dataset,
    ) == [(1641061140, 1, 42.0, 5.0)]


def test_boalf_past_midnight_joins_the_next_day_when_imported_with_it(registered_db):
    files = [
        elexon(f"insights_json/{n}_2022-01-0{d}.json") for n in ("PN", "BOALF") for d in (1, 2)
    ]
    summary = import_files(registered_db, files)
    assert [p.settlement_date for p in summary.dates] == ["2022-01-01", "2022-01-02"]
    with registered_db.engine.connect() as conn:
        second = find_run(conn, date(2022, 1, 2), RunType.SF)
    # 23 segments of 2022-01-01's file end after midnight (counted in the file by hand: timeTo
    # > 2022-01-02T00:00Z); their tails belong to 2022-01-02 too. One ending at 00:00 does not.
    started_before = scalar(
        registered_db,
        "SELECT count(*) FROM acceptance_level WHERE dataset_id=:d AND time_from < 1641081600",
        d=second.bm_dataset_id,
    )
    assert started_before == 23


def test_id_mapping_uses_the_register_never_the_id_text(registered_db, tmp_path):
    record = (
        '{"dataset": "PN", "settlementDate": "2022-01-01", "settlementPeriod": 1, '
        '"timeFrom": "2022-01-01T00:00:00Z", "timeTo": "2022-01-01T00:30:00Z", '
        '"levelFrom": 1, "levelTo": 1, %s}'
    )
    only_ngc = tmp_path / "ngc.json"
    only_ngc.write_text("[" + record % '"nationalGridBmUnit": "ROTHW-1"' + "]")
    import_files(registered_db, [only_ngc])
    assert scalar(registered_db, "SELECT bm_unit_id FROM run_bm_unit") == "2__PENEC001"
    # R-REG-ID: a National Grid id disagreeing with the register is a warning; the Elexon id
    # wins. E_BURBO is BURBW-1 in the register, and ROTHW-1 is 2__PENEC001's.
    wrong = tmp_path / "wrong.json"
    wrong.write_text("[" + record % '"bmUnit": "E_BURBO", "nationalGridBmUnit": "ROTHW-1"' + "]")
    with pytest.raises(ImportRejected) as caught:
        import_files(registered_db, [wrong], strict=True)
    assert not caught.value.report.rejections
    summary = import_files(registered_db, [wrong])
    (warning,) = [w for w in summary.warnings if w.rule == "R-REG-ID"]
    assert (warning.file, warning.location, warning.field, warning.value) == (
        "wrong.json",
        "[0]",
        "nationalGridBmUnit",
        "ROTHW-1",
    )
    assert "gives E_BURBO the national grid id BURBW-1, not ROTHW-1" in warning.reason
    assert "gives national grid id ROTHW-1 to 2__PENEC001, not E_BURBO" in warning.reason
    run_id = summary.dates[0].run_id
    assert (
        scalar(
            registered_db,
            "SELECT group_concat(bm_unit_id) FROM run_bm_unit WHERE run_id=:r",
            r=run_id,
        )
        == "2__PENEC001,E_BURBO"
    )


def test_forty_six_period_day_of_published_prices(registered_db):
    import_files(registered_db, [elexon("system_prices/disebsp_2026-03-29.json")])
    periods = rows(
        registered_db,
        "SELECT period, ssp, niv FROM system_price_result WHERE origin='published' ORDER BY period",
    )
    assert [p for p, _, _ in periods] == list(range(1, 47))
    assert periods[0] == (1, 69.02, pytest.approx(-60.90822958791209))


def test_period_47_of_a_46_period_day_is_rejected(registered_db, tmp_path):
    bad = tmp_path / "prices.json"
    bad.write_text(
        '{"data": [{"settlementDate": "2026-03-29", "settlementPeriod": 47, '
        '"systemSellPrice": 1, "systemBuyPrice": 1, "priceDerivationCode": "P"}]}'
    )
    with pytest.raises(ImportRejected) as caught:
        import_files(registered_db, [bad])
    (problem,) = caught.value.report.rejections
    assert problem.field == "settlementPeriod" and problem.value == "47"
    assert "periods 1 to 46" in problem.reason


def test_insights_website_csv_download(registered_db):
    summary = import_files(registered_db, [elexon("system_prices/insights_download_excerpt.csv")])
    assert summary.records == {"DISEBSP": 3}
    assert rows(
        registered_db,
        "SELECT period, ssp, sbp, niv, replacement_price FROM system_price_result ORDER BY period",
    )[0] == (33, 95.5, 95.5, pytest.approx(-93.779844482683984), None)


def test_long_price_series_with_clock_change_days(tmp_path):
    series = elexon("system_prices/sspsbpniv_2019-04-08_2022-05-25.csv")
    with SettlementDatabase.create(tmp_path / "p.sqlite") as db:
        for day, count in ((date(2020, 3, 29), 46), (date(2019, 10, 27), 50)):
            summary = import_files(db, [series], only_date=day)
            assert summary.dates[0].records["published prices"] == count
        assert [r.settlement_date for r in list_runs(db.engine.connect())] == [
            date(2019, 10, 27),
            date(2020, 3, 29),
        ]
        assert rows(
            db,
            "SELECT ssp, niv FROM system_price_result r JOIN settlement_run s "
            "ON s.id = r.run_id WHERE s.settlement_date = '2019-10-27' AND period = 50",
        )


def test_legacy_bmrs_files_with_the_cra_register(tmp_path):
    files = [
        elexon("reference/bmu_register_cra_2022-06.csv"),
        elexon("legacy_bmrs_csv/BOD_sample_legacy.csv"),
        elexon("legacy_bmrs_csv/PHYBMDATA_sample_legacy.csv"),
    ]
    with SettlementDatabase.create(tmp_path / "l.sqlite") as db:
        summary = import_files(db, files)
        assert summary.records == {
            "CRA": 5387,
            "BOD": 39,
            "PN": 24,
            "QPN": 5,
            "MELS": 5,
            "MILS": 5,
            "BOALF": 5,
        }
        # The FTR counts are the full files': the samples are partial, said so, not hidden.
        assert any("2,562" in note for note in summary.notes)
        # 8th field bid, 9th offer: 2__AFLEX001 pair 1 bids 270.28 and offers 394.00.
        assert rows(
            db,
            "SELECT bid_price, offer_price, level_from FROM bid_offer "
            "WHERE bm_unit_id='2__AFLEX001' AND pair=1",
        ) == [(270.28, 394.0, 1.0)]
        kinds = dict(
            rows(
                db, "SELECT notification, count(*) FROM physical_notification GROUP BY notification"
            )
        )
        assert kinds == {"FPN": 24, "QPN": 5, "MEL": 5, "MIL": 5}
        assert scalar(db, "SELECT count(*) FROM acceptance WHERE so_flag") == 2
        # The CRA register's TLF (no leading zero in the file) and P/C status.
        assert rows(db, "SELECT tlf, pc_status FROM bm_unit WHERE id='2__AALAB000'") == [
            (0.002616, "C")
        ]


def test_legacy_file_without_trailer_is_rejected(tmp_path, registered_db):
    text_ = elexon("legacy_bmrs_csv/BOD_sample_legacy.csv").read_text()
    cut = tmp_path / "cut.csv"
    cut.write_text(text_[: text_.rindex("FTR")])
    with pytest.raises(ImportRejected, match="no FTR trailer"):
        import_files(registered_db, [cut])


def test_disbsad_download_wrapper_and_flags(registered_db):
    summary = import_files(registered_db, [elexon("bsad/disbsad_2025-12-01.json")])
    assert summary.records == {"DISBSAD": 155}
    assert rows(
        registered_db,
        "SELECT volume, cost, so_flag, party_id, service FROM bsad_action "
        "WHERE period = 48 AND id = '1'",
    ) == [(-25.0, -1185.0, 0, "Norlys Energy Trading A/S", "Energy")]


def test_same_files_twice_add_nothing(registered_db):
    files = [elexon("insights_json/PN_2022-01-01.json"), elexon("bsad/disbsad_2025-12-01.json")]
    import_files(registered_db, files)
    before = [r.id for r in list_runs(registered_db.engine.connect())]
    summary = import_files(registered_db, files)
    assert [p.run_id for p in summary.dates] == [None, None]
    assert [r.id for r in list_runs(registered_db.engine.connect())] == before


def test_a_later_import_carries_the_earlier_data_forward(registered_db):
    import_files(registered_db, [elexon("insights_json/PN_2022-01-01.json")])
    summary = import_files(registered_db, [elexon("insights_json/BOD_2022-01-01.json")])
    (part,) = summary.dates
    with registered_db.engine.connect() as conn:
        runs = [r for r in list_runs(conn) if r.settlement_date == D]
    assert [r.run_number for r in runs] == [1, 2] and part.base_run_id == runs[0].id
    new = runs[1].bm_dataset_id
    assert (
        scalar(
            registered_db, "SELECT count(*) FROM physical_notification WHERE dataset_id=:d", d=new
        )
        == 9027
    )
    assert (
        scalar(registered_db, "SELECT count(*) FROM bid_offer WHERE dataset_id=:d", d=new) == 14964
    )
    old = runs[0].bm_dataset_id  # the first run is untouched
    assert scalar(registered_db, "SELECT count(*) FROM bid_offer WHERE dataset_id=:d", d=old) == 0


def test_conflicting_records_name_both_places(registered_db, tmp_path):
    pn = elexon("insights_json/PN_2022-01-01.json").read_text()
    changed = tmp_path / "PN_changed.json"
    changed.write_text(
        pn.replace('"levelFrom": 2.0, "levelTo": 3.0', '"levelFrom": 2.5, "levelTo": 3.0', 1)
    )
    with pytest.raises(ImportRejected) as caught:
        import_files(registered_db, [elexon("insights_json/PN_2022-01-01.json"), changed])
    (problem,) = caught.value.report.rejections
    assert problem.file == "PN_changed.json" and problem.location == "data[0]"
    assert problem.field == "level_from" and "PN_2022-01-01.json, data[0]" in problem.reason


def test_units_missing_from_the_register_are_imported_with_a_warning(tmp_path):
    """R-REG-UNREGISTERED: without any register every unit is settled as unregistered, one
    warning per unit (not per record), and the missing register itself is a warning."""
    with SettlementDatabase.create(tmp_path / "empty.sqlite") as db:
        with pytest.raises(ImportRejected) as caught:
            import_files(db, [elexon("insights_json/BOALF_2022-01-01.json")], strict=True)
        assert len(caught.value.report.warnings) == 81 and not caught.value.report.rejections
        assert not list_runs(db.engine.connect())
        summary = import_files(db, [elexon("insights_json/BOALF_2022-01-01.json")])
        warnings = summary.warnings
        assert [w.rule for w in warnings] == ["R-REG-DATED"] + ["R-REG-UNREGISTERED"] * 80
        assert "holds no BM unit register" in warnings[0].reason
        assert len({w.value for w in warnings[1:]}) == 80  # one per unit
        assert "settled as unregistered under party UNREGISTERED" in warnings[1].reason
        (run,) = list_runs(db.engine.connect())
        assert rows(
            db,
            "SELECT count(*), min(lead_party_id), max(tlf), sum(registered), "
            "count(register_snapshot_id) FROM run_bm_unit WHERE run_id=:r",
            r=run.id,
        ) == [(80, "UNREGISTERED", 0.0, 0, 0)]
        assert scalar(db, "SELECT count(*) FROM run_warning WHERE run_id=:r", r=run.id) == 81


def test_published_stack_sides_from_volume_sign(registered_db, tmp_path):
    item = (
        '{"settlementDate": "2022-01-01", "settlementPeriod": 5, "sequenceNumber": %d, '
        '"id": "T_X", "volume": %s, "dmatAdjustedVolume": 1, "arbitrageAdjustedVolume": 1, '
        '"nivAdjustedVolume": 1, "parAdjustedVolume": 1, "transmissionLossMultiplier": 1, '
        '"tlmAdjustedVolume": 1, "tlmAdjustedCost": 1, "repricedIndicator": false}'
    )
    stack = tmp_path / "stack.json"
    stack.write_text("[" + item % (1, "5.0") + "," + item % (1, "-2.0") + "]")
    import_files(registered_db, [stack])
    assert rows(registered_db, "SELECT side, volume FROM stack_item_result ORDER BY side") == [
        ("buy", 5.0),
        ("sell", -2.0),
    ]
    zero = tmp_path / "zero.json"
    zero.write_text("[" + item % (2, "0") + "]")
    with pytest.raises(ImportRejected, match="buy stack from the sell stack"):
        import_files(registered_db, [zero])
