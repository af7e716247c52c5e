"""Writing sheets the way a reviewer wants them: real numbers with real formats, frozen
headers, filters, sensible widths, and no text that Excel could take for a formula.

Sheets are written in openpyxl's write-only mode (rows streamed, constant memory), so a
144,000-row sheet costs seconds, not minutes.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMATS = {
    "gbp": '"£"#,##0.00;[Red]-"£"#,##0.00',
    "mwh": "#,##0.000",
    "price": '"£"#,##0.00',
    "tlm": "0.0000000",
    "int": "0",
    "text": "@",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm:ss",
    "ratio": "0.000000",
}
WIDTHS = {
    "gbp": 15,
    "mwh": 13,
    "price": 12,
    "tlm": 12,
    "int": 8,
    "text": 18,
    "date": 12,
    "datetime": 20,
    "ratio": 11,
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMERIC = {"gbp", "mwh", "price", "tlm", "int", "ratio"}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


@dataclass(frozen=True)
class Col:
    """A column: header, kind (a key of FORMATS) and optional width override."""

    title: str
    kind: str = "text"
    width: float | None = None


def is_risky_text(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


# What an Excel cell cannot hold (openpyxl raises IllegalCharacterError on the first): C0
# controls other than tab, line feed and carriage return, and lone UTF-16 surrogates.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_SHEET_TITLE_BAD = re.compile(r"[\\/*?:\[\]]")


def _visible(match: re.Match) -> str:
    char = match.group()
    # A control as its Unicode control picture (U+0007 → ␇): the reader sees it was there.
    return chr(0x2400 + ord(char)) if char < " " else "\ufffd"


def clean_text(value: str) -> str:
    """Text an Excel cell can hold: any text a user can type is exported, never refused."""
    return _UNSTORABLE.sub(_visible, value) if _UNSTORABLE.search(value) else value


def sheet_title(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of \\ / * ? : [ ]."""
    return clean_text(_SHEET_TITLE_BAD.sub("_", title))[:31] or "Sheet"


class SheetWriter:
    """One write-only sheet with a header row: typed cells, frozen header, filter."""

    def __init__(
        self,
        workbook: Workbook,
        title: str,
        columns: Sequence[Col],
        *,
        freeze: bool = True,
        notes: Sequence[str] = (),
        blank_zero: bool = False,
    ) -> None:
        self.sheet = workbook.create_sheet(sheet_title(title))
        self.columns = list(columns)
        for n, column in enumerate(self.columns, start=1):
            width = column.width or max(WIDTHS.get(column.kind, 14), len(column.title) + 3)
            self.sheet.column_dimensions[get_column_letter(n)].width = width
        self.header_row = len(notes) + 1
        if freeze:  # before any row: write-only sheets take it from the start
            self.sheet.freeze_panes = f"A{self.header_row + 1}"
        for note in notes:  # context lines above the table
            self.sheet.append([self._text(note)])
        self.sheet.append([self._header(c.title) for c in self.columns])
        self.rows = 0
        # Delta tables leave "no change" cells empty: easier to read, and a third of the
        # cells of a 144,000-row sheet are never written.
        self.blank_zero = blank_zero
        # One styled cell per numeric column, re-used row after row: write-only sheets write
        # a row as it is appended, and building a styled cell per value costs 5× the writing.
        self._templates = [
            self._styled(None, c.kind) if c.kind in NUMERIC else None for c in self.columns
        ]

    def _header(self, title: str) -> Cell:
        cell = WriteOnlyCell(self.sheet, value=clean_text(title))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        return cell

    def _text(self, value: str) -> Cell:
        value = clean_text(value)
        cell = WriteOnlyCell(self.sheet, value=value)
        if is_risky_text(value):
            cell.data_type = "s"  # a string, never a formula
            cell.quotePrefix = True  # and Excel shows it as typed
        return cell

    def cell(self, value: object, kind: str) -> object:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, str):
            return self._text(value) if is_risky_text(value) else clean_text(value)
        if isinstance(value, (bool,)):
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        number_format = FORMATS.get(kind)
        if number_format and kind != "text":
            cell.number_format = number_format
        return cell

    def _styled(self, value, kind: str) -> Cell:
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = FORMATS[kind]
        return cell

    def formula(self, text: str, kind: str = "gbp") -> Cell:
        """A formula written on purpose (check formulas for the reviewer)."""
        cell = WriteOnlyCell(self.sheet, value=text)
        cell.number_format = FORMATS.get(kind, "General")
        return cell

    def append(self, values: Sequence[object]) -> None:
        row = []
        for v, c, template in zip(values, self.columns, self._templates, strict=True):
            if template is not None and type(v) in (float, int) and v == v:  # not NaN
                if v == 0 and self.blank_zero:
                    row.append(None)
                    continue
                # The value is a plain int or float: set it as Cell.value would, minus the
                # type dispatch that dominates the cost of a 100,000-row sheet.
                template._value = v
                template.data_type = "n"
                row.append(template)
            elif isinstance(v, Cell):
                row.append(v)
            else:
                row.append(self.cell(v, c.kind))
        self.sheet.append(row)
        self.rows += 1

    def extend(self, rows: Iterable[Sequence[object]]) -> None:
        for row in rows:
            self.append(row)

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @property
    def last_data_row(self) -> int:
        return self.header_row + self.rows

    def column_range(self, index: int) -> str:
        letter = get_column_letter(index + 1)
        return (
            f"{letter}{self.first_data_row}:{letter}{max(self.last_data_row, self.first_data_row)}"
        )

    def finish(self, autofilter: bool = True) -> None:
        if autofilter and self.rows:
            last = get_column_letter(len(self.columns))
            self.sheet.auto_filter.ref = f"A{self.header_row}:{last}{self.last_data_row}"


def plain(value: object) -> object:
    """numpy scalars and dates as plain Python values for openpyxl."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return value
    return value


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def save_workbook(workbook: Workbook, path) -> None:
    """Save atomically (models.core.atomic_write): a failed export leaves any old file as it was."""
    from models.core.atomic_write import atomic_path

    with atomic_path(path) as temporary:
        try:
            with open(temporary, "xb") as handle:  # fails first in a read-only folder
                workbook.save(handle)
        except BaseException:
            _close_sheets(workbook)
            raise


def _close_sheets(workbook: Workbook) -> None:
    """Finish the streams of write-only sheets that were not saved, so that none is left to
    the garbage collector (which would print lxml's complaints on stderr)."""
    for sheet in workbook.worksheets:
        # Already saved, or the stream is beyond repair: nothing of it is kept anyway.
        with contextlib.suppress(Exception):
            sheet.close()


def write_table(path, title: str, columns: Sequence[Col], rows: Iterable[Sequence]) -> None:
    """A single-sheet workbook of one table (exports of any table view)."""
    workbook = new_workbook()
    sheet = SheetWriter(workbook, title, columns)
    sheet.extend([plain(v) for v in row] for row in rows)
    sheet.finish()
    save_workbook(workbook, path)
