"""Which register snapshot each BM unit's data comes from, and the run's data warnings."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.runs.run_warnings import DataWarning, write_run_warnings
from tests.views.screens import save_screens
from tests.views.window_driver import LOAD_TIMEOUT_MS, open_demo
from views.column_model import MARKED

WARNINGS = [
    DataWarning(
        "R-REG-UNREGISTERED",
        "PN_2024-06-12.json",
        "data[17]",
        "bmUnit",
        "'T_NEW-1'",
        "not in the register snapshot in force (2024-01-01, #7): settled under UNREGISTERED, "
        "TLF 0, production from the sign of its FPN",
    ),
    DataWarning(
        "R-REG-ID",
        "BOD_2024-06-12.json",
        "data[3]",
        "nationalGridBmUnit",
        "'ABCD-1'",
        "the register gives ABCD-1 to T_OTHER-1; the record's own bmUnit T_ABCD-1 was used",
    ),
]


@pytest.fixture(scope="module")
def register_db(tmp_path_factory):
    """A demo database whose first run has units from two snapshots (one effective only after
    the day), one unregistered unit, one unit not from a register, and two warnings."""
    path = tmp_path_factory.mktemp("register") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=30, seed=5))
    with SettlementDatabase.open(path) as db, db.engine.begin() as conn:
        for sid, effective in ((7, date(2024, 1, 1)), (8, date(2024, 7, 1))):
            conn.execute(
                text(
                    "INSERT INTO bm_unit_register_snapshot (id, effective_from, source, "
                    "imported_at, units) VALUES (:id, :e, 'test', :t, 30)"
                ),
                {"id": sid, "e": effective.isoformat(), "t": "2024-07-02 00:00:00"},
            )
        units = conn.execute(
            text("SELECT bm_unit_id FROM run_bm_unit WHERE run_id = 1 ORDER BY bm_unit_id")
        ).scalars()
        units = list(units)
        conn.execute(text("UPDATE run_bm_unit SET register_snapshot_id = 7 WHERE run_id = 1"))
        for unit, snapshot, registered in (
            (units[1], 8, True),
            (units[2], None, False),
            (units[3], None, True),
        ):
            conn.execute(
                text(
                    "UPDATE run_bm_unit SET register_snapshot_id = :s, registered = :r "
                    "WHERE run_id = 1 AND bm_unit_id = :u"
                ),
                {"s": snapshot, "r": registered, "u": unit},
            )
        write_run_warnings(conn, 1, WARNINGS)
    return path, units


def _open_run_1(qtbot, window, path, tmp_path):
    copy = tmp_path / "db.sqlite"
    shutil.copy(path, copy)
    open_demo(qtbot, window, copy)
    if window.view.run.id != 1:
        window.load_run(1)
        qtbot.waitUntil(
            lambda: window.view.run.id == 1 and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS
        )


def test_bm_units_table_names_the_register_snapshot_of_each_unit(
    qtbot,
    window,
    register_db,
    tmp_path,
):
    path, units = register_db
    _open_run_1(qtbot, window, path, tmp_path)
    window.tabs.setCurrentWidget(window.explorer)
    table = window.explorer.units
    model = table.model
    titles = [c.title for c in model.columns]
    column = titles.index("Register")
    ids = window.view.units.bm_unit_id
    shown = {ids[r]: model.raw(r, column) for r in range(model.rowCount())}
    assert shown[units[0]] == "2024-01-01 (#7)"
    assert shown[units[1]] == "2024-07-01 (#8)"
    assert shown[units[2]] == "unregistered"
    assert shown[units[3]] == "—"

    def background(unit):
        return model.data(model.index(ids.index(unit), column), Qt.ItemDataRole.BackgroundRole)

    assert background(units[0]) is None
    assert background(units[1]) == MARKED  # no snapshot in force: the earliest was used
    assert background(units[2]) == MARKED
    assert background(units[3]) is None

    def tooltip(unit):
        return model.data(model.index(ids.index(unit), column), Qt.ItemDataRole.ToolTipRole)

    # The unregistered unit is marked in the first column too, whatever the table's width.
    first = model.index(ids.index(units[2]), 0)
    assert model.data(first, Qt.ItemDataRole.BackgroundRole) == MARKED
    assert model.data(model.index(ids.index(units[1]), 0), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(first, Qt.ItemDataRole.ToolTipRole).endswith("(R-REG-UNREGISTERED)")
    assert tooltip(units[0]) is None
    assert tooltip(units[1]).startswith("snapshot 8, effective only after the settlement day")
    assert tooltip(units[2]).endswith("(R-REG-UNREGISTERED)")
    # Sortable and filterable like every table: the unregistered unit alone matches.
    table.filter.setText("unregistered")
    assert table.proxy.rowCount() == 1
    table.filter.clear()
    assert window.explorer.select_unit(units[2])
    lines = window.explorer.title.text().split("<br>")
    assert len(lines) == 3  # the unit; its register; its acceptances
    assert lines[1] == (
        '<span style="color:#c0392b">unregistered (R-REG-UNREGISTERED): party UNREGISTERED, '
        "TLF 0</span>"
    )
    assert window.explorer.select_unit(units[1])
    assert window.explorer.title.text().split("<br>")[1] == (
        '<span style="color:#c0392b">register 2024-07-01 (#8): after the day, the earliest '
        "(R-REG-DATED)</span>"
    )
    assert window.explorer.select_unit(units[0])
    assert window.explorer.title.text().split("<br>")[1] == "register 2024-01-01 (#7)"
    assert window.explorer.select_unit(units[3])
    assert window.explorer.title.text().split("<br>")[1] == "not from a register"
    assert window.explorer.select_unit(units[2])
    save_screens(window, tmp_path, "bm_units_register_unregistered")


def test_the_runs_warnings_are_listed_and_the_status_bar_link_opens_them(
    qtbot,
    window,
    register_db,
    tmp_path,
):
    path, _ = register_db
    _open_run_1(qtbot, window, path, tmp_path)
    assert window.view.warnings == WARNINGS  # loaded with the run, in its worker
    assert window.warnings_link.isVisible()
    assert "2 data warnings" in window.warnings_link.text()
    overview = window.overview
    assert overview.tables.tabText(overview.warnings_tab) == "Data warnings (2)"
    window.tabs.setCurrentWidget(window.explorer)
    window.warnings_link.linkActivated.emit("warnings")
    assert window.tabs.currentWidget() is overview
    assert overview.tables.currentWidget() is overview.warnings
    model = overview.warnings.model
    assert [c.title for c in model.columns] == [
        "file",
        "line / JSON path",
        "field",
        "value",
        "rule",
        "assumed",
    ]
    assert [model.raw(0, c) for c in range(model.columnCount())] == [
        "PN_2024-06-12.json",
        "data[17]",
        "bmUnit",
        "'T_NEW-1'",
        "R-REG-UNREGISTERED",
        WARNINGS[0].reason,
    ]
    # Sorted by rule: R-REG-ID first; Ctrl+C copies what is selected, with its header.
    overview.warnings.view.sortByColumn(4, Qt.SortOrder.AscendingOrder)
    proxy = overview.warnings.proxy
    assert proxy.data(proxy.index(0, 4)) == "R-REG-ID"
    overview.warnings.view.selectRow(0)
    overview.warnings.copy_selection()
    from PySide6.QtGui import QGuiApplication

    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[0].split("\t")[0] == "file"
    assert copied[1].split("\t")[:3] == ["BOD_2024-06-12.json", "data[3]", "nationalGridBmUnit"]
    save_screens(window, tmp_path, "day_overview_warnings_tab")
    # Double-clicking a warning about a BM unit of the run goes to it; any other value stays.
    with qtbot.waitSignal(overview.warnings.value_activated) as activated:
        overview.warnings.view.doubleClicked.emit(proxy.index(1, 0))
    assert activated.args == ["T_NEW-1"]  # shown quoted, as read
    assert window.tabs.currentWidget() is overview  # T_NEW-1 is not a unit of this run
    unit = window.view.units.bm_unit_id[5]
    overview.warnings.value_activated.emit(unit)
    assert window.tabs.currentWidget() is window.explorer
    assert window.explorer.title.text().startswith(unit)


def test_a_run_without_warnings_hides_the_link(qtbot, window, register_db, tmp_path):
    path, _ = register_db
    _open_run_1(qtbot, window, path, tmp_path)
    window.load_run(2)
    qtbot.waitUntil(
        lambda: window.view.run.id == 2 and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS
    )
    assert window.view.warnings == []
    assert not window.warnings_link.isVisible()
    assert window.overview.tables.tabText(window.overview.warnings_tab) == "Data warnings (none)"
