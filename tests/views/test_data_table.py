"""Copying from a table (Ctrl+C) gives numbers a spreadsheet can add, under a header row; the
filter applies typed text when the keys pause (or on Enter), at once; the export writes the
rows shown, in a thread."""

from __future__ import annotations

import threading

import numpy as np
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from views.column_model import Column
from views.data_table import TYPING_PAUSE_MS, DataTable


def _table(qtbot) -> DataTable:
    table = DataTable()
    qtbot.addWidget(table)
    table.set_columns(
        [
            Column("party", ["GEN\tA", "SUP B"]),
            Column("CBM £", np.array([1535.74, -1234567.891]), "money"),
            Column("volume", np.array([12345.6789, np.nan]), "mwh"),
            Column("n", np.array([1200, 3]), "int"),
            Column("SO", np.array([True, False]), "bool"),
            Column("£/MWh", np.array([9999.0, -99999.0]), "price"),
        ]
    )
    return table


def test_ctrl_c_copies_the_selection_as_numbers_under_a_header(qtbot):
    table = _table(qtbot)
    table.show()
    table.view.setFocus()
    table.view.setCurrentIndex(table.proxy.index(0, 1))
    QTest.keyClick(table.view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    # Ctrl+C on the view: QTableView's own copy took one formatted cell ("1,535.74").
    QTest.keyClick(table.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().split("\n")
    assert lines == [
        "party\tCBM £\tvolume\tn\tSO\t£/MWh",
        "GEN A\t1535.74\t12345.679\t1200\tyes\t9999.00",
        "SUP B\t-1234567.89\t\t3\t\t-99999.00",
    ]
    # Sorted by size of charge, the copy follows the order shown.
    table.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    table.view.selectAll()
    table.copy_selection()
    rows = QGuiApplication.clipboard().text().split("\n")[1:]
    assert [r.split("\t")[1] for r in rows] == ["-1234567.89", "1535.74"]
    # The numbers add up as a spreadsheet would add them.
    assert sum(float(r.split("\t")[1]) for r in rows) == -1234567.89 + 1535.74


def test_typed_filter_text_applies_when_the_keys_pause_and_set_text_at_once(qtbot):
    table = _table(qtbot)
    table.show()
    qtbot.waitExposed(table)
    relayouts = []
    table.proxy.layoutChanged.connect(lambda: relayouts.append(table.proxy.rowCount()))
    QTest.keyClicks(table.filter, "sup")
    assert table.proxy.rowCount() == 2 and not relayouts  # nothing at each letter
    qtbot.waitUntil(lambda: relayouts == [1], timeout=2000)  # once, after the pause
    qtbot.wait(TYPING_PAUSE_MS + 50)
    assert relayouts == [1] and table.proxy.index(0, 0).data() == "SUP B"
    QTest.keyClick(table.filter, Qt.Key.Key_Backspace)
    QTest.keyClick(table.filter, Qt.Key.Key_Return)  # Enter: at once
    assert relayouts == [1, 1] and table.filter.text() == "su"
    table.filter.setText("gen")  # set by the program: at once
    assert relayouts == [1, 1, 1] and table.proxy.index(0, 0).data() == "GEN\tA"
    qtbot.wait(TYPING_PAUSE_MS + 50)
    assert len(relayouts) == 3  # and no pending pause applies an older text later


def test_a_typed_filter_shows_its_rows_when_the_keys_pause_no_thread_waited_for(qtbot):
    table = _table(qtbot)
    table.show()
    threads = threading.active_count()
    QTest.keyClicks(table.filter, "gen")
    QTest.keyClick(table.filter, Qt.Key.Key_Return)
    assert table.proxy.rowCount() == 1 and table.proxy.index(0, 0).data() == "GEN\tA"
    assert threading.active_count() == threads


def test_the_export_writes_the_rows_shown_when_asked_numbers_as_numbers(qtbot, tmp_path):
    table = _table(qtbot)
    table.view.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # n: 3, then 1200
    write = table.export_writer()
    table.filter.setText("gen")  # later: not in the workbook
    path = tmp_path / "table.xlsx"
    worker = threading.Thread(target=write, args=(path,))  # as the export job writes it
    worker.start()
    worker.join()
    sheet = load_workbook(path).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["party", "CBM £", "volume", "n", "SO", "£/MWh"]
    assert [r[0] for r in rows[1:]] == ["SUP B", "GEN\tA"]
    assert rows[1][1] == -1234567.891 and rows[1][3] == 3 and rows[2][5] == 9999.0


def test_new_values_of_the_same_rows_update_in_place_keeping_selection_sort_and_filter(qtbot):
    table = DataTable()
    qtbot.addWidget(table)
    units = ["A-1", "B-1", "C-1", "D-1"]
    table.set_columns([Column("unit", units), Column("MWh", np.array([4.0, 3.0, 2.0, 1.0]), "mwh")])
    table.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    table.filter.setText("-1")
    table.select_source_row(1)  # B-1, shown third
    assert table.proxy.source_rows().tolist() == [3, 2, 1, 0]
    resets, changed = [], []
    table.proxy.modelReset.connect(lambda: resets.append(1))
    table.proxy.dataChanged.connect(lambda a, b: changed.append((a.row(), b.row())))
    assert table.update_columns(
        [Column("unit", units), Column("MWh", np.array([1.0, 9.0, 2.0, 3.0]), "mwh")]
    )
    assert resets == [] and changed == [(0, 3)]
    assert table.proxy.source_rows().tolist() == [0, 2, 3, 1]  # sorted again by the new values
    current = table.proxy.mapToSource(table.view.currentIndex()).row()
    assert current == 1 and table.proxy.data(table.view.currentIndex()) == "B-1"
    assert table.proxy.data(table.proxy.index(3, 1)) == "9.000"
    table.filter.setText("C")  # the filter's texts were made again from the new values
    assert table.proxy.source_rows().tolist() == [2]
    # Other rows or columns: not in place (the caller sets the columns anew).
    assert not table.update_columns([Column("unit", units[:3]), Column("MWh", np.ones(3))])
    assert not table.update_columns([Column("BM unit", units), Column("MWh", np.ones(4))])
    assert table.model.columns[1].values[1] == 9.0
