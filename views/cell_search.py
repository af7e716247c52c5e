"""Which rows show a typed text in some cell: the filter box's search, a column at a time.

Qt's filter (a fixed string, case-insensitive, in the text a cell shows) over each column's
own index, made once per content and in numpy, not over one joined text per row, which took
half a second of Python to make at 144,000 rows (too long for the GUI thread, and a thread
making it held the GUI thread up waiting for the GIL):
- a number column formatted as fixed point ("{:,.2f}" and the like) is a matrix of its
  cells' characters, one row of bytes per character position, made with integer arithmetic
  on the whole column; a typed text is found by comparing those rows with its characters.
  The few cells whose text numpy cannot be sure to make as Python does (NaN, infinities,
  magnitudes past 2**52, a value whose rounding is within a hair of a tie) keep Python's
  text;
- any other column is its distinct texts and each row's code among them (a BM unit column
  of 144,000 rows has 3,000 texts to search).
A text never spans two cells, as the cells of a row are searched apart.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Sequence
from itertools import repeat

import numpy as np

from views.column_model import FORMATS, Column, format_value

FIXED_POINT = re.compile(r"\{:(,?)\.(\d)f\}")  # the FORMATS a matrix can make
NUMBER_CHARACTERS = frozenset("0123456789,.-")  # all a fixed-point text holds
EXACT = 2.0**52  # below it a double has a fractional part to round, and int64 holds it


class CodedIndex:
    """Distinct case-folded texts and each row's code among them."""

    def __init__(self, texts: Sequence[str], codes: np.ndarray) -> None:
        self.texts = list(texts)
        self.codes = codes

    def find(self, needle: str) -> np.ndarray:
        """A bool per row: the row's text holds `needle` (case-folded)."""
        found = map(operator.contains, self.texts, repeat(needle))
        return np.fromiter(found, bool, len(self.texts))[self.codes]

    @classmethod
    def of_texts(cls, texts: Sequence[str]) -> CodedIndex:
        """Each row's text as shown (not yet case-folded)."""
        distinct = {text: code for code, text in enumerate(dict.fromkeys(texts))}
        codes = np.fromiter(map(distinct.__getitem__, texts), np.intp, len(texts))
        return cls([text.casefold() for text in distinct], codes)


class FixedPointIndex:
    """A number column's texts as a (width, rows) matrix of bytes, right-aligned, NUL
    before each text; `rows` those whose `texts` Python made (their matrix text, a zero,
    is never used: their own texts decide)."""

    def __init__(self, matrix: np.ndarray, rows: np.ndarray, texts: list[str]) -> None:
        self.matrix = matrix
        self.python = CodedIndex(texts, np.arange(len(texts)))  # the rows Python made
        self.python_rows = rows

    def find(self, needle: str) -> np.ndarray:
        width, rows = self.matrix.shape
        if not needle:
            return np.ones(rows, dtype=bool)  # in every text, as Qt's empty filter
        hits = np.zeros(rows, dtype=bool)
        if set(needle) <= NUMBER_CHARACTERS and len(needle) <= width:
            wanted = needle.encode("ascii")
            for start in range(width - len(wanted) + 1):
                here = self.matrix[start] == wanted[0]
                for offset in range(1, len(wanted)):
                    here &= self.matrix[start + offset] == wanted[offset]
                hits |= here
        hits[self.python_rows] = self.python.find(needle)
        return hits


def column_index(column: Column) -> CodedIndex | FixedPointIndex:
    """The search index of one column's texts as views.column_model.format_value shows them."""
    values, kind = column.values, column.kind
    pattern = FORMATS.get(kind)
    if isinstance(values, np.ndarray) and values.dtype.kind in "biuf":
        if kind == "bool":
            return CodedIndex(["", "yes"], values.astype(bool).astype(np.intp))
        fixed = FIXED_POINT.fullmatch(pattern or "")
        if fixed and values.dtype.kind != "b":
            return fixed_point_index(values, kind, int(fixed.group(2)), bool(fixed.group(1)))
    elif not isinstance(values, np.ndarray) or values.dtype.kind in "OUS":
        listed = values.tolist() if isinstance(values, np.ndarray) else list(values)
        try:
            distinct = dict.fromkeys(listed)
        except TypeError:  # unhashable values
            distinct = {}
        # Texts (and None): format_value of each distinct one, as equal strings show alike.
        # Values of other types that are equal may show apart (1 and 1.0, a datetime in two
        # zones): those columns have each cell formatted.
        if distinct and all(type(value) is str or value is None for value in distinct):
            code = {value: number for number, value in enumerate(distinct)}
            codes = np.fromiter(map(code.__getitem__, listed), np.intp, len(listed))
            return CodedIndex([format_value(v, kind).casefold() for v in code], codes)
    # Dates, mixed types, a number column shown as text: format_value of every cell.
    listed = values.tolist() if isinstance(values, np.ndarray) else values
    return CodedIndex.of_texts([format_value(value, kind) for value in listed])


def fixed_point_index(values: np.ndarray, kind: str, decimals: int, grouped: bool):
    """`values` (ints or floats) as "{:,.<decimals>f}" (grouped) or "{:.<decimals>f}" shows
    them, "-0.00" shown as "0.00" (format_value's rule). A few numpy passes over the column
    per character position, in the narrowest integers that hold it (a few ms a column)."""
    numbers = values.astype(np.float64)
    size = np.abs(numbers) * 10.0**decimals
    with np.errstate(invalid="ignore"):
        python = ~(size < EXACT)  # NaN, infinite or too big for an exact int64
        if values.dtype.kind == "f" and decimals:
            # The product rounded to a double may sit on the other side of a tie than the
            # exact value (within 4 units in its last place, size * 2**-50); Python rounds
            # the exact one (half to even), so these rows are Python's.
            python |= np.abs(size - np.floor(size) - 0.5) <= size * 2.0**-50
    size[python] = 0.0
    scaled = np.rint(size).astype(np.int64)
    unit = 10**decimals
    whole = scaled // unit
    largest = int(whole.max(initial=0))
    if largest < 2**31:
        whole = whole.astype(np.int32)
    digits = len(str(largest))
    point = decimals + 1 if decimals else 0
    width = 1 + digits + (digits - 1) // 3 * grouped + point  # sign, whole, point, decimals
    matrix = np.zeros((width, len(values)), dtype=np.uint8)
    position = width - 1
    fraction = (scaled - whole * unit).astype(np.int32)  # decimals ≤ 9: fits
    for _ in range(decimals):
        tens = fraction // 10
        matrix[position] = fraction - tens * 10
        matrix[position] += 48
        fraction = tens
        position -= 1
    if decimals:
        matrix[position] = ord(".")
        position -= 1
    length = np.full(len(values), point + 1, dtype=np.uint8)  # each text's, but its sign
    rest = whole
    for place in range(digits):
        tens = rest // 10
        character = matrix[position - (grouped and place > 0 and place % 3 == 0)]
        character[:] = rest - tens * 10
        character += 48
        if place:
            shown = whole >= 10**place
            character *= shown  # NUL before the first digit
            length += shown
            if grouped and place % 3 == 0:
                matrix[position] = shown * ord(",")
                length += shown
                position -= 1
        rest = tens
        position -= 1
    negative = np.flatnonzero((numbers < 0) & (scaled != 0))
    matrix[width - 1 - length[negative].astype(np.intp), negative] = ord("-")
    rows = np.flatnonzero(python)
    texts = [format_value(value, kind).casefold() for value in values[rows].tolist()]
    return FixedPointIndex(matrix, rows, texts)


class RowSearch:
    """The rows of `columns` whose text in some column holds a needle; a column's index made
    when first searched, kept for the content's life."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self.rows = len(self.columns[0].values) if self.columns else 0
        self._indexes: dict[int, CodedIndex | FixedPointIndex] = {}

    def index(self, column: int) -> CodedIndex | FixedPointIndex:
        if column not in self._indexes:
            self._indexes[column] = column_index(self.columns[column])
        return self._indexes[column]

    def find(self, needle: str) -> np.ndarray:
        """The matching rows' numbers, ascending; `needle` already case-folded."""
        hits = np.zeros(self.rows, dtype=bool)
        for column in range(len(self.columns)):
            hits |= self.index(column).find(needle)
        return np.flatnonzero(hits)
