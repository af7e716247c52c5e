"""Copying from a table (Ctrl+C) gives numbers a spreadsheet can add, under a header row."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from views.column_model import Column
from views.data_table import DataTable


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
