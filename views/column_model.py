"""A Qt table model over columns of numpy arrays: numbers stay numbers until painted.

`data()` formats the one cell asked for (DisplayRole) and returns the raw value for sorting
(SORT_ROLE), so a table of 144,000 rows costs nothing up front. Sorting and filtering work
on whole columns (sort_ranks; views.cell_search) through views.row_proxy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
HIGHLIGHT = QColor(255, 200, 80, 90)  # rows that differ from stored results
MARKED = QColor(235, 90, 90, 70)  # cells a column flags (e.g. an unregistered BM unit)
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)  # numbers
SERVED_ROLES = frozenset(
    (
        Qt.ItemDataRole.DisplayRole,
        SORT_ROLE,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.BackgroundRole,
    )
)

FORMATS = {
    "text": None,
    "int": "{:,.0f}",
    "id": "{:.0f}",  # a number that names something (acceptance, pair): no separators
    "money": "{:,.2f}",
    "mwh": "{:,.3f}",
    "mw": "{:,.1f}",
    "price": "{:,.2f}",
    "ratio": "{:.7f}",
    "value": "{:,.3f}",  # £, £/MWh or MWh side by side: to a tenth of a penny or a kWh
    "bool": None,
}


@dataclass(frozen=True, slots=True)
class Column:
    """A column: title, values (numpy array or list), kind of number, tooltip for the header;
    `marked` (one bool per row) flags cells of this column in their own colour, `notes` (one
    text per row, "" for none) are their tooltips; `by_size`: sorts by magnitude (|Δ|), the
    largest change first whatever its sign."""

    title: str
    values: Sequence | np.ndarray
    kind: str = "text"
    tooltip: str = ""
    marked: Sequence[bool] | np.ndarray | None = None
    notes: Sequence[str] | None = None
    by_size: bool = False


class ColumnTableModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[Column] = (), parent=None) -> None:
        super().__init__(parent)
        self._columns: list[Column] = list(columns)
        self._rows = len(self._columns[0].values) if self._columns else 0
        self._highlight: np.ndarray | None = None
        self._ranks: dict[int, np.ndarray] = {}  # per column, made when first sorted by

    def set_columns(self, columns: Sequence[Column], highlight: np.ndarray | None = None) -> None:
        """New columns; `highlight` marks rows (rows,) or cells (rows, columns) that differ."""
        self.beginResetModel()
        self._columns = list(columns)
        self._rows = len(self._columns[0].values) if self._columns else 0
        self._highlight = highlight
        self._ranks: dict[int, np.ndarray] = {}
        self.endResetModel()

    def update_values(self, columns: Sequence[Column], highlight: np.ndarray | None = None) -> bool:
        """New values of the same rows and columns (the same titles and row count), in place:
        one dataChanged, no reset, so a view keeps its selection, current row and scroll (a
        live run settled again). False, and nothing changed, when the shape is not the same."""
        rows = len(columns[0].values) if columns else 0
        titles = [c.title for c in columns]
        if rows != self._rows or titles != [c.title for c in self._columns]:
            return False
        self._columns = list(columns)
        self._highlight = highlight
        self._ranks = {}
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, len(columns) - 1))
        return True

    @property
    def columns(self) -> list[Column]:
        return list(self._columns)

    def rowCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else self._rows

    def columnCount(self, parent=None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._columns)

    def raw(self, row: int, column: int):
        value = self._columns[column].values[row]
        return value.item() if isinstance(value, np.generic) else value

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        return self.cell_data(index.row(), index.column(), role)

    def cell_data(self, row: int, column: int, role):
        """data() of one cell by row and column (the proxy's way in, without an index). The
        role is looked at first: a delegate asks seven per painted cell, most of them for
        nothing, and reading the value for each made a repaint cost 40 ms."""
        if role not in SERVED_ROLES:
            return None
        spec = self._columns[column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return None if spec.kind in ("text", "bool") else RIGHT
        if role == Qt.ItemDataRole.BackgroundRole:
            if spec.marked is not None and spec.marked[row]:
                return MARKED
            return HIGHLIGHT if self.highlighted(row, column) else None
        value = self.raw(row, column)
        if role == Qt.ItemDataRole.DisplayRole:
            return format_value(value, spec.kind)
        if role == SORT_ROLE:
            if value is None or (isinstance(value, float) and math.isnan(value)):
                return -math.inf
            if spec.by_size and isinstance(value, int | float):
                return abs(value)
            return value
        # The tooltip: the cell's note, else a float in full or a long text whole on hover.
        if spec.notes and spec.notes[row]:
            return spec.notes[row]
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, str) and len(value) > 24:
            return value  # longer than most columns are wide
        return None

    def sort_ranks(self, column: int) -> np.ndarray:
        """Each row's rank in the column's SORT_ROLE order (equal values, equal ranks): an
        argsort of the numbers, not a comparison of cells one by one."""
        if column not in self._ranks:
            self._ranks[column] = _ranks(self._columns[column])
        return self._ranks[column]

    def highlighted(self, row: int, column: int) -> bool:
        """Rows (a 1-D mask) or single cells (a rows × columns mask) that differ."""
        mask = self._highlight
        if mask is None:
            return False
        return bool(mask[row] if mask.ndim == 1 else mask[row, column])

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].title
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._columns[section].tooltip or self._columns[section].title
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None


def _ranks(column: Column) -> np.ndarray:
    """Dense ranks of SORT_ROLE: None and NaN lowest (-inf), |value| for a by_size column."""
    values = column.values
    array = values if isinstance(values, np.ndarray) else None
    if array is None and all(
        v is None or (isinstance(v, int | float | np.number) and not isinstance(v, str))
        for v in values
    ):
        array = np.array([np.nan if v is None else v for v in values], dtype=float)
    if array is not None and array.dtype.kind in "biuf":
        keys = array.astype(float)
        if column.by_size:
            keys = np.abs(keys)
        keys[np.isnan(keys)] = -np.inf
        return np.unique(keys, return_inverse=True)[1].reshape(-1).astype(np.int64)
    listed = values.tolist() if isinstance(values, np.ndarray) else list(values)
    missing = np.array([v is None for v in listed], dtype=bool)
    if all(v is None or isinstance(v, str) for v in listed):
        # Text: numpy's sort of the strings (by code point, as Python's), missing first.
        texts = np.array(["" if v is None else v for v in listed], dtype=str)
        ranks = np.unique(texts, return_inverse=True)[1].reshape(-1).astype(np.int64) + 1
        ranks[missing] = 0
        return ranks
    # Dates and the like: Python's own comparison, missing values first.
    keys = [
        (0, "") if v is None or (isinstance(v, float) and math.isnan(v)) else (1, v)
        for v in (values.tolist() if isinstance(values, np.ndarray) else values)
    ]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    ranks = np.zeros(len(keys), dtype=np.int64)
    rank = 0
    for previous, row in zip([None, *order[:-1]], order, strict=True):
        if previous is not None and keys[row] != keys[previous]:
            rank += 1
        ranks[row] = rank
    return ranks


def copy_value(value, kind: str) -> str:
    """A cell as a spreadsheet reads it: numbers at the column's precision without thousands
    separators ("1535.74", never "1,535.74": a spreadsheet takes that for text), missing
    values empty, no tab or line break inside a cell (they would split it)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if kind == "bool":
        return "yes" if value else ""
    pattern = FORMATS.get(kind)
    if pattern is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return pattern.replace(",", "").format(value)
    return " ".join(str(value).split())


def format_value(value, kind: str) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if kind == "bool":
        return "yes" if value else ""
    pattern = FORMATS.get(kind)
    if pattern is None:
        return str(value)
    text = pattern.format(value)
    if text.startswith("-") and not text.strip("-0.,"):
        return text[1:]  # a tiny negative rounds to zero: "0.00", never "-0.00"
    return text
