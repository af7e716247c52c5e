"""The rows a DataTable shows, in the order it shows them: one numpy array of source rows.

Sorting argsorts the column's numbers (views.column_model.ColumnTableModel.sort_ranks) and
filtering is a row mask from each column's search index (views.cell_search), made in numpy
at the first filter of a content (about 20 ms at 144,000 rows), so every keystroke, the
first included, is worked out at once on the GUI thread: the QSortFilterProxyModel this
replaces read and formatted every cell, 1.6 s per sort and 0.25 s per keystroke at 144,000
rows, and the joined row texts that followed it took half a second of Python to make.

Semantics are Qt's: a fixed string, case-insensitive, found in the text shown in any
column; sort ties keep the model's order; a model reset keeps the filter and shows the
model's order again (as a non-dynamic QSortFilterProxyModel did).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractProxyModel, QModelIndex, Qt

from views.cell_search import RowSearch
from views.column_model import ColumnTableModel

# A ColumnTableModel's cells (Qt's default for a table model: read-only, selectable).
CELL_FLAGS = (
    Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
)


class RowProxyModel(QAbstractProxyModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows = np.zeros(0, dtype=np.int64)  # source row of each shown row
        self._position = np.zeros(0, dtype=np.int64)  # shown row of each source row, or -1
        self._needle = ""
        self._search: RowSearch | None = None  # the content's, made at its first filter
        self.sort_column = -1
        self.sort_order = Qt.SortOrder.AscendingOrder

    def setSourceModel(self, model: ColumnTableModel) -> None:
        self.beginResetModel()
        super().setSourceModel(model)
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._source_reset)
        model.dataChanged.connect(self._source_changed)
        self._show(self._matching())
        self.endResetModel()

    def _source_changed(self, *_args) -> None:
        """New values in the same rows (ColumnTableModel.update_values): the search index is
        stale; a sort or filter applies again, the selection following its rows (a layout
        change, no reset); every shown cell repaints with its new value."""
        self._search = None
        if self.sort_column >= 0 or self._needle:
            self._relayout(self._ordered(self._matching()))
        if len(self._rows) and self.columnCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1)
            )

    def _source_reset(self) -> None:
        self._search = None
        self.sort_column = -1
        self._show(self._matching())
        self.endResetModel()

    # -- the mapping ------------------------------------------------------------------------

    def _show(self, rows: np.ndarray) -> None:
        self._rows = rows.astype(np.int64, copy=False)
        self._position = np.full(self.sourceModel().rowCount(), -1, dtype=np.int64)
        self._position[self._rows] = np.arange(len(self._rows))

    def source_rows(self) -> np.ndarray:
        """The source rows shown, in order (a copy)."""
        return self._rows.copy()

    def index(self, row, column, parent=None) -> QModelIndex:
        if (parent is not None and parent.isValid()) or not (0 <= row < len(self._rows)):
            return QModelIndex()
        if not 0 <= column < self.columnCount():
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, index=None) -> QModelIndex:
        return QModelIndex()

    def rowCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent=None) -> int:
        source = self.sourceModel()
        if source is None or (parent is not None and parent.isValid()):
            return 0
        return source.columnCount()

    def mapToSource(self, index: QModelIndex) -> QModelIndex:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return QModelIndex()
        return self.sourceModel().index(int(self._rows[index.row()]), index.column())

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        # Straight to the source's cell: seven roles per painted cell through mapToSource
        # cost a repaint of the table tens of milliseconds.
        row = index.row()
        if not index.isValid() or not 0 <= row < len(self._rows):
            return None
        return self.sourceModel().cell_data(int(self._rows[row]), index.column(), role)

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        # The source's flags, without Qt's way there (mapToSource, then the source): a table
        # view asks each painted cell's flags, 600 calls into Python per paint of a dialog.
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return Qt.ItemFlag.NoItemFlags
        return CELL_FLAGS

    def mapFromSource(self, index: QModelIndex) -> QModelIndex:
        if not index.isValid() or not 0 <= index.row() < len(self._position):
            return QModelIndex()
        row = int(self._position[index.row()])
        return self.createIndex(row, index.column()) if row >= 0 else QModelIndex()

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return self.sourceModel().headerData(section, orientation, role)

    # -- sorting and filtering --------------------------------------------------------------

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self._relayout(self._ordered(self._rows))

    def setFilterFixedString(self, text: str) -> None:
        self._needle = text.casefold()
        self._relayout(self._ordered(self._matching()))

    def _matching(self) -> np.ndarray:
        """The source rows whose text holds the filter, in the model's order."""
        source = self.sourceModel()
        rows = source.rowCount() if source is not None else 0
        if not self._needle:
            return np.arange(rows)
        if self._search is None:
            self._search = RowSearch(source.columns)
        return self._search.find(self._needle)

    def _ordered(self, rows: np.ndarray) -> np.ndarray:
        """`rows` by the sort column (ties in the model's order), or the model's order."""
        rows = np.sort(rows)
        if self.sort_column < 0 or self.sort_column >= self.columnCount():
            return rows
        rank = self.sourceModel().sort_ranks(self.sort_column)[rows]
        if self.sort_order == Qt.SortOrder.DescendingOrder:
            rank = -rank
        return rows[np.argsort(rank, kind="stable")]

    def _relayout(self, rows: np.ndarray) -> None:
        """Show `rows`, the selection and current row following their source rows."""
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        sources = [(int(self._rows[i.row()]), i.column()) for i in before]
        self._show(rows)
        after = []
        for row, column in sources:
            shown = int(self._position[row])
            after.append(self.createIndex(shown, column) if shown >= 0 else QModelIndex())
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
