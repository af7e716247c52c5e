"""A table's first column kept in view while the others scroll sideways (Qt's frozen-column
pattern): a second view over the same model and selection, showing only column 0, laid over
the table's left edge and scrolled with it vertically."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


class FrozenFirstColumn(QObject):
    def __init__(self, table: QTableView) -> None:
        super().__init__(table)
        self.table = table
        frozen = self.view = QTableView(table)
        frozen.setObjectName("frozen-first-column")
        frozen.setModel(table.model())
        frozen.setSelectionModel(table.selectionModel())
        frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        frozen.verticalHeader().hide()
        frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        frozen.setSelectionBehavior(table.selectionBehavior())
        frozen.setAlternatingRowColors(table.alternatingRowColors())
        frozen.verticalHeader().setDefaultSectionSize(table.verticalHeader().defaultSectionSize())
        frozen.setSortingEnabled(True)  # a click on its header sorts the table by the party
        frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        frozen.setStyleSheet("QTableView#frozen-first-column { border: none; }")
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        frozen.verticalScrollBar().valueChanged.connect(table.verticalScrollBar().setValue)
        table.verticalScrollBar().valueChanged.connect(frozen.verticalScrollBar().setValue)
        table.horizontalHeader().sectionResized.connect(self._resized)
        table.horizontalHeader().sortIndicatorChanged.connect(self._sorted)
        # A click on the frozen header sorts the table, its own header showing it.
        # (Through a Python method: setSortIndicator is no slot, and PySide printed "Cannot
        # add dynamic method" for it on every table made.)
        frozen.horizontalHeader().sortIndicatorChanged.connect(self._sort_table)
        table.model().modelReset.connect(self.refresh)
        table.model().layoutChanged.connect(self.refresh)
        table.viewport().installEventFilter(self)
        frozen.show()
        table.viewport().stackUnder(frozen)
        self.refresh()

    def refresh(self) -> None:
        model = self.table.model()
        for column in range(model.columnCount()):
            self.view.setColumnHidden(column, column != 0)
        self.view.setColumnWidth(0, self.table.columnWidth(0))
        self._place()

    def _sort_table(self, column: int, order) -> None:
        self.table.horizontalHeader().setSortIndicator(column, order)

    def _sorted(self, column: int, order) -> None:
        header = self.view.horizontalHeader()
        header.blockSignals(True)
        header.setSortIndicator(column, order)
        header.blockSignals(False)

    def _resized(self, column: int, _old: int, new: int) -> None:
        if column == 0:
            self.view.setColumnWidth(0, new)
            self._place()

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        table = self.table
        frame = table.frameWidth()
        self.view.setGeometry(
            table.verticalHeader().width() + frame,
            frame,
            table.columnWidth(0),
            table.viewport().height() + table.horizontalHeader().height(),
        )
