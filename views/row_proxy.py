"""The rows a DataTable shows, in the order it shows them: one numpy array of source rows.

Sorting argsorts the column's numbers (views.column_model.ColumnTableModel.sort_ranks) and
filtering is a mask of "text in row" over each row's cell texts (views.row_texts), made once
per content: the QSortFilterProxyModel this replaces read and formatted every cell, 1.6 s
per sort and 0.25 s per keystroke at 144,000 rows. A big table makes its texts in a thread
when the filter box takes the focus or at the first typed letter (half a second at 144,000
rows), the typed filter applying when they are made; a longer filter than the last one
(another letter typed) searches only the rows the last one found.

Semantics are Qt's: a fixed string, case-insensitive, found in the text shown in any
column; sort ties keep the model's order; a model reset keeps the filter and shows the
model's order again (as a non-dynamic QSortFilterProxyModel did).
"""

from __future__ import annotations

import operator
from itertools import repeat

import numpy as np
from PySide6.QtCore import QAbstractProxyModel, QModelIndex, Qt, Signal

from views.column_model import ColumnTableModel
from views.row_texts import TextsBuild, row_texts

BACKGROUND_ROWS = 10_000  # above it the row texts are made in a thread (~35 ms here)


class RowProxyModel(QAbstractProxyModel):
    """`filter_pending(True)`: a typed filter waits for the rows' texts (shown when made)."""

    filter_pending = Signal(bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows = np.zeros(0, dtype=np.int64)  # source row of each shown row
        self._position = np.zeros(0, dtype=np.int64)  # shown row of each source row, or -1
        self._needle = ""
        self._texts: np.ndarray | None = None  # each source row's cells, case-folded
        self._build: TextsBuild | None = None  # the texts being made in a thread
        self._found: tuple[str, np.ndarray] | None = None  # the last filter and its rows
        self._pending = False  # the needle waits for the texts
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
        """New values in the same rows (ColumnTableModel.update_values): the texts made for
        filtering are stale; a sort or filter applies again, the selection following its
        rows (a layout change, no reset); every shown cell repaints with its new value."""
        self._forget_texts()
        if self.sort_column >= 0 or self._needle:
            if self._needle and self._large():
                self._wait_for_texts()  # the new texts in a thread, as after a reset
            else:
                self._relayout(self._ordered(self._matching()))
        if len(self._rows) and self.columnCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1)
            )

    def _source_reset(self) -> None:
        self._forget_texts()
        self.sort_column = -1
        if self._needle and self._large():
            # A big table's new texts are made in a thread: no rows until they are.
            self._show(np.zeros(0, dtype=np.int64))
            self._wait_for_texts()
        else:
            self._set_pending(False)
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
        """Filter now (Qt's call): the rows' texts are made here if they are not yet."""
        self._needle = text.casefold()
        self._set_pending(False)
        self._relayout(self._ordered(self._matching()))

    def filter_typed(self, text: str) -> None:
        """The filter a user typed: now if the rows' texts are made (or the table is small),
        else as soon as a thread has made them, the rows shown meanwhile staying."""
        needle = text.casefold()
        if not needle or self._texts is not None or not self._large():
            self.setFilterFixedString(text)
            return
        self._needle = needle
        self._wait_for_texts()

    def prepare_filter(self) -> None:
        """Start making a big table's row texts in a thread (the filter box has the focus)."""
        if self._texts is None and self._build is None and self._large():
            self._build = TextsBuild(self.sourceModel().columns, self)
            self._build.built.connect(self._texts_built)
            self._build.start()

    @property
    def pending(self) -> bool:
        """A typed filter waits for the rows' texts."""
        return self._pending

    def _wait_for_texts(self) -> None:
        self._set_pending(True)
        self.prepare_filter()

    def _set_pending(self, pending: bool) -> None:
        if pending != self._pending:
            self._pending = pending
            self.filter_pending.emit(pending)

    def _texts_built(self, texts: np.ndarray) -> None:
        self._drop_build()
        self._texts = texts
        if self._pending:
            self._set_pending(False)
            self._relayout(self._ordered(self._matching()))

    def _drop_build(self) -> None:
        if self._build is not None:
            self._build.cancel()
            self._build.deleteLater()
            self._build = None

    def _forget_texts(self) -> None:
        self._drop_build()
        self._texts = None
        self._found = None

    def _large(self) -> bool:
        source = self.sourceModel()
        return source is not None and source.rowCount() > BACKGROUND_ROWS

    def _row_texts(self) -> np.ndarray:
        """The rows' texts now: the thread's when it is making them, else made here."""
        if self._texts is None and self._build is not None:
            self._texts = self._build.wait()
            self._drop_build()
        if self._texts is None:
            self._texts = row_texts(self.sourceModel().columns)
        return self._texts

    def _matching(self) -> np.ndarray:
        """The source rows whose text holds the filter, in the model's order."""
        source = self.sourceModel()
        rows = source.rowCount() if source is not None else 0
        if not self._needle:
            return np.arange(rows)
        needle, texts = self._needle, self._row_texts()
        candidates = None  # every row; or, one letter more typed, those the last filter found
        if self._found is not None and self._found[0] in needle:
            candidates = self._found[1]
            texts = texts[candidates]
        # `in` on each row's text (operator.contains): 6 times np.char.find's speed.
        hits = np.fromiter(map(operator.contains, texts, repeat(needle)), bool, len(texts))
        found = np.flatnonzero(hits) if candidates is None else candidates[hits]
        self._found = (needle, found)
        return found

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
