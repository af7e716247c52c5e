"""A sortable, filterable, copyable table over a ColumnTableModel."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from views.column_model import ColumnTableModel, copy_value
from views.row_proxy import RowProxyModel

EXPORT_KINDS = {  # a column's kind: the workbook's number format (models.exports.xlsx)
    "money": "gbp",
    "mwh": "mwh",
    "price": "price",
    "ratio": "tlm",
    "int": "int",
    "id": "int",
    "mw": "mwh",
    "value": "mwh",
    "text": "text",
    "bool": "text",
}
TYPING_PAUSE_MS = 150  # a typed filter applies once the keys pause this long (or on Enter)


def take_copy_key(event, copy_requested) -> bool:
    """Ctrl+C (the platform's copy key) emits `copy_requested` and is taken: a view's own copy
    wins over any shortcut and puts only one cell on the clipboard."""
    if not event.matches(QKeySequence.StandardKey.Copy):
        return False
    copy_requested.emit()
    event.accept()
    return True


class CopyingTableView(QTableView):
    """A table view whose Ctrl+C copies the whole selection: QTableView's own copy (which
    wins over any shortcut) put one formatted cell on the clipboard ("1,535.74")."""

    copy_requested = Signal()

    def keyPressEvent(self, event) -> None:
        if not take_copy_key(event, self.copy_requested):
            super().keyPressEvent(event)


class DataTable(QWidget):
    """Filter box above a table view; Ctrl+C copies the selection as tab-separated text.

    Typed filter text applies when the keys pause (TYPING_PAUSE_MS) or on Enter, not at
    every letter; text set by the program (setText, clear) applies at once."""

    row_selected = Signal(int)  # source-model row

    def __init__(self, placeholder: str = "Filter…", parent=None) -> None:
        super().__init__(parent)
        self.model = ColumnTableModel()
        # Sorts and filters on the numpy columns (views.row_proxy), when asked (header click),
        # not again after every model reset.
        self.proxy = RowProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.filter = QLineEdit(placeholderText=placeholder, clearButtonEnabled=True)
        # Precise: a coarse timer may end the pause 5% early or late (the wait it measures).
        self._typing = QTimer(
            self, singleShot=True, interval=TYPING_PAUSE_MS, timerType=Qt.TimerType.PreciseTimer
        )
        self._typing.timeout.connect(self._apply_typed)
        self._typed = False  # the text changing now was typed (textEdited comes first)
        self.filter.textEdited.connect(self._edited)
        self.filter.textChanged.connect(self._text_changed)
        self.filter.returnPressed.connect(self._apply_typed)
        self.view = CopyingTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.copy_requested.connect(self.copy_selection)
        # Right-click: copy the selection, or select everything (Ctrl+C, Ctrl+A by keyboard).
        copy = QAction("Copy (with header)", self.view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)  # shown in the menu; the view takes the key
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        select_all = QAction("Select all", self.view)
        select_all.triggered.connect(self.view.selectAll)
        self.view.addActions([copy, select_all])
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.filter)
        layout.addWidget(self.view)

    def _edited(self, _text: str) -> None:
        self._typed = True

    def _text_changed(self, text: str) -> None:
        if self._typed:
            self._typed = False
            self._typing.start()  # restarted by each key
            return
        self._typing.stop()
        self.proxy.setFilterFixedString(text)

    def _apply_typed(self) -> None:
        self._typing.stop()
        self.proxy.setFilterFixedString(self.filter.text())

    def set_columns(self, columns, highlight=None, widths: dict[str, int] | None = None) -> None:
        first = self.model.columnCount() == 0
        self.model.set_columns(columns, highlight)
        header = self.view.horizontalHeader()
        for i, column in enumerate(columns):
            # Widths from the title and kind, never resizeColumnsToContents on big tables.
            least = 115 if column.kind == "money" else 95 if column.kind in ("mwh", "ratio") else 70
            width = (widths or {}).get(column.title, max(least, 9 * len(column.title) + 24))
            header.resizeSection(i, width)
        if first:
            self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # the model's own order

    def update_columns(self, columns, highlight=None) -> bool:
        """New values of the same rows and columns in place (ColumnTableModel.update_values):
        the selection, sort, filter, column widths and scroll stay. False when the rows or
        columns are not the same (set_columns then)."""
        return self.model.update_values(columns, highlight)

    def _current_changed(self, current, _previous) -> None:
        if current.isValid():
            self.row_selected.emit(self.proxy.mapToSource(current).row())

    def select_source_row(self, row: int) -> None:
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.view.setCurrentIndex(index)
            self.view.scrollTo(index)

    def export_xlsx(self, path) -> None:
        """The table as shown (filtered and sorted) to a one-sheet workbook, numbers as numbers."""
        self.export_writer()(path)

    def export_writer(self):
        """`write(path)`: export_xlsx of the table as shown now, touching no Qt object, so that
        a worker can write the workbook (on the GUI thread it held the window a second per
        10,000 rows); the rows are taken now, a later sort or filter does not change them."""
        from models.exports.xlsx import Col, write_table

        columns, rows = self.model.columns, self.proxy.source_rows()
        sheet = [Col(c.title, EXPORT_KINDS.get(c.kind, "text")) for c in columns]

        def write(path) -> None:
            cells = [_picked(c.values, rows) for c in columns]
            write_table(path, "Table", sheet, zip(*cells, strict=True))

        return write

    def copy_selection(self) -> None:
        """The selected cells as tab-separated text under their column titles, numbers as a
        spreadsheet can add them (views.column_model.copy_value)."""
        indexes = sorted(
            self.view.selectionModel().selectedIndexes(), key=lambda i: (i.row(), i.column())
        )
        if not indexes:
            return
        columns = self.model.columns
        rows: dict[int, list[str]] = {}
        for index in indexes:
            source = self.proxy.mapToSource(index)
            kind = columns[source.column()].kind
            value = self.model.raw(source.row(), source.column())
            rows.setdefault(index.row(), []).append(copy_value(value, kind))
        header = "\t".join(columns[c].title for c in sorted({i.column() for i in indexes}))
        text = "\n".join([header, *("\t".join(cells) for cells in rows.values())])
        QGuiApplication.clipboard().setText(text)


def _picked(values, rows: np.ndarray) -> list:
    """values[rows] as Python values (numpy's scalars made plain, as ColumnTableModel.raw)."""
    if isinstance(values, np.ndarray):
        return values[rows].tolist()
    return [v.item() if isinstance(v, np.generic) else v for v in map(values.__getitem__, rows)]
