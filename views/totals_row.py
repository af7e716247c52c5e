"""A totals row pinned under a DataTable (issue 20: "a totals row on party charges").

The row is a one-row table of its own under the table's view, not a row of the table's
model: sorting and filtering never move it (it stays last, in place) and the table's copy
and export keep one row per party, so that a spreadsheet's own SUM of them is not doubled.
Its columns follow the table's widths and horizontal scroll; with `frozen_first` its first
cell (the label) stays in view as the table's frozen party column does. It is bold, on the
header's colour, and Ctrl+C on it copies it under the column titles.

Each money column shows the sum over all the table's rows, whatever the filter shows (the
label says "all N"): the day's totals are what a cash-balance check reads. An n/a cell (NaN)
is left out of the sum and the total cell is marked, its tooltip saying how many were left
out: the parties that have a value still add up to something an analyst can check against
another source; with no value at all the total is n/a, never a £0.00 that was not computed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QFont, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from views.column_model import Column, ColumnTableModel, copy_value
from views.data_table import CopyingTableView

TOTALLED_KINDS = frozenset({"money"})  # sums that mean something: £ of parties


def column_total(values) -> tuple[float, int]:
    """(the sum of the values that are available, how many are n/a); the sum is NaN when
    none is available."""
    array = np.asarray(values, dtype=float)
    missing = int(np.isnan(array).sum())
    if missing == len(array):
        return float("nan"), missing
    return float(np.nansum(array)), missing


class FooterView(CopyingTableView):
    """The totals' view: no headers or scroll bars of its own, its data area as wide as the
    table's (`right_margin`: the table's vertical scroll bar), so that the same horizontal
    scroll value shows the same columns."""

    def __init__(self) -> None:
        super().__init__()
        self.right_margin = 0

    def updateGeometries(self) -> None:  # Qt's name
        super().updateGeometries()  # sets the margins for the (hidden) headers: 0
        self.setViewportMargins(0, 0, self.right_margin, 0)


class TotalsRow(QObject):
    """The totals of `table` (a views.data_table.DataTable), added under its view.

    `noun`: what a row is ("parties"), for the label; `notes(columns, totals)`: a tooltip
    per column title for the total cells (e.g. what the sum should balance to)."""

    def __init__(
        self,
        table,
        noun: str = "rows",
        frozen_first: bool = False,
        notes: Callable[[list[Column], dict[str, float]], dict[str, str]] | None = None,
    ) -> None:
        super().__init__(table)
        self.table = table
        self.noun = noun
        self.notes = notes
        self.totals: dict[str, float] = {}  # by column title, as shown
        self.model = ColumnTableModel(parent=self)
        view = self.view = FooterView()
        view.setObjectName("totals-row")
        view.setModel(self.model)
        self._style(view)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setHorizontalScrollMode(table.view.horizontalScrollMode())
        view.copy_requested.connect(self.copy)
        copy = QAction("Copy totals (with header)", view)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy)
        view.addAction(copy)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.frozen: QTableView | None = None
        if frozen_first:
            self.frozen = QTableView(view)
            self.frozen.setObjectName("totals-row-frozen")
            self.frozen.setModel(self.model)
            self.frozen.setSelectionModel(view.selectionModel())
            self._style(self.frozen)
            self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self.frozen.setStyleSheet("QTableView#totals-row-frozen { border: none; }")
            view.viewport().stackUnder(self.frozen)
        # Under the view, last in the table's layout (its filter box, then its view).
        table.layout().addWidget(view)
        header = table.view.horizontalHeader()
        header.sectionResized.connect(self._resized)
        table.view.horizontalScrollBar().valueChanged.connect(self._scrolled)
        view.horizontalScrollBar().rangeChanged.connect(lambda *_: self._scrolled())
        table.model.modelReset.connect(self.refresh)
        # update_columns (a live run's new values of the same rows): one dataChanged.
        table.model.dataChanged.connect(lambda *_: self.refresh())
        table.view.verticalScrollBar().installEventFilter(self)  # shown or hidden: the margin
        view.viewport().installEventFilter(self)
        self.refresh()

    @staticmethod
    def _style(view: QTableView) -> None:
        """Bold, on the colour of the header (light or dark palette), one row high."""
        view.horizontalHeader().hide()
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(22)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        font = QFont(view.font())
        font.setBold(True)
        view.setFont(font)
        palette = view.palette()
        palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Button))
        view.setPalette(palette)

    def refresh(self) -> None:
        """The totals of the table's columns now."""
        columns = self.table.model.columns
        rows = self.table.model.rowCount()
        sums = {c.title: column_total(c.values) for c in columns[1:] if c.kind in TOTALLED_KINDS}
        self.totals = {title: total for title, (total, _) in sums.items()}
        notes = self.notes(columns, self.totals) if self.notes and columns else {}
        footer: list[Column] = []
        for i, column in enumerate(columns):
            if i == 0:
                tip = f"the sum over all {rows:,} {self.noun}, whatever the filter shows"
                label = f"Total ({rows:,})"  # narrow: a party column is ~90 px
                footer.append(Column(column.title, [label], notes=[tip]))
                continue
            if column.title not in sums:
                footer.append(Column(column.title, [""]))  # a sum of it would mean nothing
                continue
            total, missing = sums[column.title]
            partial = bool(missing) and bool(np.isfinite(total))
            note = notes.get(column.title, "")
            if partial:
                note = (
                    f"the sum of the {rows - missing:,} {self.noun} with a value; "
                    f"{missing:,} n/a left out" + (f"\n{note}" if note else "")
                )
            elif missing:
                note = f"n/a: none of the {rows:,} {self.noun} has a value"
            footer.append(
                Column(column.title, np.array([total]), column.kind, marked=[partial], notes=[note])
            )
        self.model.set_columns(footer)
        self.view.setVisible(bool(columns))
        self._fit()

    def _fit(self) -> None:
        view = self.view
        view.setFixedHeight(view.verticalHeader().defaultSectionSize() + 2 * view.frameWidth())
        header = self.table.view.horizontalHeader()
        for i in range(self.model.columnCount()):
            view.setColumnWidth(i, header.sectionSize(i))
        self._margin()
        self._place_frozen()
        self._scrolled()

    def _resized(self, column: int, _old: int, new: int) -> None:
        if column < self.model.columnCount():
            self.view.setColumnWidth(column, new)
            if column == 0:
                self._place_frozen()

    def _margin(self) -> None:
        bar = self.table.view.verticalScrollBar()
        margin = bar.width() if bar.isVisibleTo(self.table.view) else 0
        if margin != self.view.right_margin:
            self.view.right_margin = margin
            self.view.updateGeometries()

    def _scrolled(self, *_args) -> None:
        self.view.horizontalScrollBar().setValue(self.table.view.horizontalScrollBar().value())

    def _place_frozen(self) -> None:
        if self.frozen is None:
            return
        for column in range(self.model.columnCount()):
            self.frozen.setColumnHidden(column, column != 0)
        width = self.table.view.columnWidth(0)
        self.frozen.setColumnWidth(0, width)
        frame = self.view.frameWidth()
        self.frozen.setGeometry(frame, frame, width, self.view.viewport().height())

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.Show, QEvent.Type.Hide) and watched is not self.view.viewport():
            self._margin()
        elif kind == QEvent.Type.Resize and watched is self.view.viewport():
            self._place_frozen()
            self._scrolled()
        return False

    def copy(self) -> None:
        """The totals row under the column titles, numbers as a spreadsheet adds them."""
        columns = self.model.columns
        if not columns:
            return
        cells = [copy_value(self.model.raw(0, i), c.kind) for i, c in enumerate(columns)]
        header = "\t".join(c.title for c in columns)
        QGuiApplication.clipboard().setText(f"{header}\n" + "\t".join(cells))
