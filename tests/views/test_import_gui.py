"""File › Import and dropped data files: a worker with progress, then a report dialog."""

from __future__ import annotations

import json

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.models.imports.conftest import elexon
from tests.views.test_main_window import LOAD_TIMEOUT_MS, screenshot, window  # noqa: F401


def wait_idle(qtbot, window) -> None:  # noqa: F811
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)


def test_import_into_a_new_database_shows_the_summary_and_the_run(qtbot, window, tmp_path):  # noqa: F811
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


def test_dropped_bad_file_is_rejected_with_a_report_table(qtbot, window, tmp_path):  # noqa: F811
    db_path = tmp_path / "db.sqlite"
    from models.database import SettlementDatabase

    SettlementDatabase.create(db_path).close()
    assert window.open_database(str(db_path))
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
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(bad))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    wait_idle(qtbot, window)
    dialog = window.import_dialog
    assert dialog.windowTitle() == "Import rejected"
    model = dialog.table.model
    assert model.rowCount() == 1
    assert [model.raw(0, c) for c in range(4)] == ["BOD.json", "[0]", "levelTo", "'x'"]
    assert "Import rejected: 1 problem(s)" in window.status.text()
    window.close()
    assert db_path.read_bytes() == before
    dialog.grab().save(str(tmp_path / "import_rejected.png"))
