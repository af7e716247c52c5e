"""File › Import and dropped data files: the import's questions (run type, date, register
effective-from, strict), a worker with progress, then a report dialog; real Elexon data."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

from PySide6.QtCore import Qt
from sqlalchemy import text

from models.db.database import SettlementDatabase
from tests.paths import elexon
from tests.views.screens import save_screens
from tests.views.window_driver import (
    LOAD_TIMEOUT_MS,
    answer,
    drop,
    open_database,
    screenshot,
    wait_idle,
)
from views.column_model import MARKED
from views.import_options import ImportOptions, load_import_options

CRA_REGISTER = "reference/bmu_register_cra_2022-06.csv"  # effective 2022-06-01, its own column
WIND_PN = "insights_json/PN_2022-01-01.json"
PRICES = "system_prices/sspsbpniv_2019-04-08_2022-05-25.csv"


def empty_database(qtbot, window, tmp_path):
    path = tmp_path / "db.sqlite"
    SettlementDatabase.create(path).close()
    assert open_database(qtbot, window, path)
    return path


def test_import_into_a_new_database_shows_the_summary_and_the_run(qtbot, window, tmp_path):
    mid = tmp_path / "MID.json"
    mid.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "dataset": "MID",
                        "settlementDate": "2026-03-29",
                        "settlementPeriod": p,
                        "dataProvider": "APXMIDP",
                        "price": 70.0,
                        "volume": 500.0,
                    }
                    for p in range(1, 47)
                ]
            }
        )
    )
    files = [str(elexon("system_prices/disebsp_2026-03-29.json")), str(mid)]
    window.import_data_files(files, database=str(tmp_path / "new.sqlite"))
    assert not window.jobs.busy()  # the questions first
    answer(window)
    assert window.jobs.busy() or window.import_dialog is not None
    wait_idle(qtbot, window)
    qtbot.waitUntil(
        lambda: window.view is not None and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS
    )
    dialog = window.import_dialog
    assert dialog.windowTitle() == "Import finished"
    assert "DISEBSP           46 record(s)" in dialog.text
    assert window.view.run.settlement_date.isoformat() == "2026-03-29"
    # No BM data: every period prices at MIP £70; the published prices differ, highlighted.
    comparison = window.overview.comparison
    assert comparison.proxy.rowCount() == 46
    assert window.overview.tables.tabText(1) == "Published prices (46 differ)"
    window.overview.tables.setCurrentIndex(1)
    screenshot(window, tmp_path, "published_prices")
    dialog.grab().save(str(tmp_path / "import_summary.png"))
    dialog.close()


def test_dropped_bad_file_is_rejected_with_a_report_table(qtbot, window, tmp_path):
    db_path = empty_database(qtbot, window, tmp_path)
    before = db_path.read_bytes()
    bad = tmp_path / "BOD.json"
    bad.write_text(
        json.dumps(
            [
                {
                    "dataset": "BOD",
                    "settlementDate": "2022-01-01",
                    "settlementPeriod": 99,
                    "timeFrom": "2022-01-01T00:00:00Z",
                    "timeTo": "2022-01-01T00:30:00Z",
                    "levelFrom": 1,
                    "levelTo": "x",
                    "pairId": 1,
                    "offer": 1,
                    "bid": 0,
                    "bmUnit": "T_NOPE-1",
                }
            ]
        )
    )
    drop(window, [bad])
    answer(window)
    wait_idle(qtbot, window)
    dialog = window.import_dialog
    assert dialog.windowTitle() == "Import rejected"
    model = dialog.errors.model
    assert model.rowCount() == 1
    assert [model.raw(0, c) for c in range(4)] == ["BOD.json", "[0]", "levelTo", "'x'"]
    assert window.status.text() == "Import rejected: 1 error; nothing was written."
    window.close()
    assert db_path.read_bytes() == before
    save_screens(dialog, tmp_path, "import_report_errors")


def test_the_questions_go_to_the_importer_and_come_back_next_time(
    qtbot,
    window,
    tmp_path,
    monkeypatch,
):
    from models.imports.report import ImportSummary

    calls = []

    def fake_import(db, paths, **options):
        calls.append((list(paths), options))
        return ImportSummary(files=list(paths), records=Counter(), dates=[])

    monkeypatch.setattr("models.imports.loader.import_files", fake_import)
    empty_database(qtbot, window, tmp_path)
    files = [str(tmp_path / "PN.json"), str(tmp_path / "register.csv")]
    window.import_data_files(files)
    dialog = window.import_options_dialog
    assert dialog.options() == ImportOptions()  # the first time: SF, every date, not strict
    chosen = answer(
        window,
        run_type="R1",
        settlement_date=date(2022, 3, 19),
        effective_from=date(2022, 2, 1),
        strict=True,
    )
    wait_idle(qtbot, window)
    assert len(calls) == 1
    paths, options = calls[0]
    assert paths == files
    assert options["run_type"].value == "R1"
    assert options["only_date"] == date(2022, 3, 19)
    assert options["effective_from"] == date(2022, 2, 1)
    assert options["strict"] is True
    assert load_import_options(window.settings) == chosen
    # Cancelled, nothing is imported; the next import starts from the last choices.
    window.import_data_files(files)
    assert window.import_options_dialog.options() == chosen
    window.import_options_dialog.reject()
    wait_idle(qtbot, window)
    assert len(calls) == 1


def test_real_register_and_wind_data_then_published_prices_attached(
    qtbot,
    window,
    tmp_path,
):
    """The CRA register of 2022-06 with the wind PN of 2022-01-01: imported with an
    R-REG-DATED warning (no snapshot in force on the day: the earliest was used); then the
    day's published prices, attached to that run rather than making a new one."""
    db_path = empty_database(qtbot, window, tmp_path)
    drop(window, [elexon(CRA_REGISTER), elexon(WIND_PN)])
    answer(window, run_type="SF", settlement_date=date(2022, 1, 1), strict=False)
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: window.view is not None, timeout=LOAD_TIMEOUT_MS)
    wait_idle(qtbot, window)
    report = window.import_dialog
    assert report.windowTitle() == "Import finished"
    assert report.tabs.currentWidget() is report.warnings
    warnings = report.warnings.model
    assert warnings.rowCount() == 1
    assert warnings.raw(0, 4) == "R-REG-DATED"
    assert "the earliest" in warnings.raw(0, 5)
    runs = report.runs.model
    assert [runs.raw(0, c) for c in (0, 1, 4)] == ["2022-01-01", "2022-01-01 SF", "new run"]
    assert window.warnings_link.text().endswith("⚠ 1 data warning</a>")
    save_screens(report, tmp_path, "import_report_warnings")
    report.close()
    # The run shows its warning and where each unit's register data came from.
    view = window.view
    assert len(view.warnings) == 1 and view.warnings[0].rule == "R-REG-DATED"
    assert window.warnings_link.isVisible()
    window.show_run_warnings()
    assert window.overview.warnings.model.rowCount() == 1
    save_screens(window, tmp_path, "day_overview_data_warnings")
    window.tabs.setCurrentWidget(window.explorer)
    units = window.explorer.units.model
    column = [c.title for c in units.columns].index("Register")
    labels = {units.raw(r, column) for r in range(units.rowCount())}
    assert labels == {"2022-06-01 (#1)"}  # marked: effective after the day
    background = units.data(units.index(0, column), Qt.ItemDataRole.BackgroundRole)
    assert background == MARKED
    save_screens(window, tmp_path, "bm_units_register_column")
    run_id = view.run.id
    # The day's published prices, from the long SSP/SBP/NIV file: the dialog starts from the
    # last choices (SF, 2022-01-01), and the prices go to the existing run.
    drop(window, [elexon(PRICES)])
    assert window.import_options_dialog.options().settlement_date == date(2022, 1, 1)
    save_screens(window.import_options_dialog, tmp_path, "import_options")
    answer(window)
    wait_idle(qtbot, window)
    qtbot.waitUntil(
        lambda: window.view is not None and bool(window.view.published_prices),
        timeout=LOAD_TIMEOUT_MS,
    )
    wait_idle(qtbot, window)
    report = window.import_dialog
    assert report.runs.model.raw(0, 4) == "published figures attached to this existing run"
    assert report.runs.model.raw(0, 2) == run_id
    assert report.headline.text() == (
        "Imported 54,864 record(s) from 1 file: published figures attached to 2022-01-01 SF "
        "(run 1). No warnings."
    )
    assert window.view.run.id == run_id
    assert len(window.view.published_prices) == 48
    save_screens(report, tmp_path, "import_report_attached")
    report.close()
    with SettlementDatabase.open(db_path) as db, db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM settlement_run")).scalar() == 1


def test_a_strict_import_refuses_the_warnings_and_writes_nothing(qtbot, window, tmp_path):
    db_path = empty_database(qtbot, window, tmp_path)
    drop(window, [elexon(CRA_REGISTER), elexon(WIND_PN)])
    answer(window, settlement_date=date(2022, 1, 1), strict=True)
    wait_idle(qtbot, window)
    report = window.import_dialog
    assert report.windowTitle() == "Import rejected"
    assert report.errors.model.rowCount() == 0
    assert report.warnings.model.rowCount() == 1
    assert report.tabs.currentWidget() is report.warnings
    assert report.headline.text().startswith(
        "Nothing was written: a strict import refuses any warning (1 warning found)."
    )
    assert window.status.text() == "Import rejected: 1 warning (strict); nothing was written."
    save_screens(report, tmp_path, "import_report_strict")
    report.close()
    with SettlementDatabase.open(db_path) as db, db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM settlement_run")).scalar() == 0
        assert conn.execute(text("SELECT count(*) FROM bm_unit_register_snapshot")).scalar() == 0
