"""The frozen first column: only column 0, as wide as the table's, over its left edge; it
scrolls with the table, follows a resize of the column and sorts the table from its header."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView

from views.frozen_column import FrozenFirstColumn


def frozen_table(qtbot) -> tuple[QTableView, FrozenFirstColumn]:
    model = QStandardItemModel(60, 4)
    for row in range(60):
        model.setItem(row, 0, QStandardItem(f"PARTY-{row:02d}"))
        for column in range(1, 4):
            item = QStandardItem()
            item.setData(float(row * column), Qt.ItemDataRole.DisplayRole)
            model.setItem(row, column, item)
    table = QTableView()
    table.setModel(model)
    table.setSortingEnabled(True)
    frozen = FrozenFirstColumn(table)
    qtbot.addWidget(table)
    table.resize(300, 200)
    table.show()
    qtbot.waitExposed(table)
    QApplication.processEvents()  # both views laid out, their scroll ranges set
    return table, frozen


def test_only_the_first_column_shows_over_the_tables_left_edge(qtbot):
    table, frozen = frozen_table(qtbot)
    assert [frozen.view.isColumnHidden(c) for c in range(4)] == [False, True, True, True]
    assert frozen.view.geometry().width() == table.columnWidth(0)
    assert frozen.view.geometry().left() == table.verticalHeader().width() + table.frameWidth()


def test_it_follows_a_resize_of_the_first_column_and_the_tables_scrolling(qtbot):
    table, frozen = frozen_table(qtbot)
    table.setColumnWidth(0, 140)
    assert frozen.view.columnWidth(0) == 140 and frozen.view.geometry().width() == 140
    table.verticalScrollBar().setValue(120)
    QApplication.processEvents()
    assert frozen.view.verticalScrollBar().value() == 120
    frozen.view.verticalScrollBar().setValue(40)
    assert table.verticalScrollBar().value() == 40


def test_a_click_on_its_header_sorts_the_table(qtbot):
    table, frozen = frozen_table(qtbot)
    frozen.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
    QApplication.processEvents()
    assert table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert table.model().index(0, 0).data() == "PARTY-59"
    # Sorting the table by another column shows on the frozen header too.
    table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert frozen.view.horizontalHeader().sortIndicatorSection() == 2
