"""The filter's search, a column at a time: the rows it finds are those whose text, as
format_value shows each cell, holds the needle case-insensitively, for every kind of
column, the numbers numpy formats included (ties, "-0.00", NaN, infinities, huge values)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from views.cell_search import CodedIndex, FixedPointIndex, RowSearch, column_index
from views.column_model import FORMATS, Column, format_value

EDGES = [0.0, -0.0, -0.001, 0.005, 0.015, 0.125, 1.005, 1.115, 2.675, -2.675, 999.995,
         -999.995, 0.5, 1.5, 2.5, -0.5, -1234.5, 999999.5, 123456789.125, 1e15, -4.5e15,
         1e20, np.nan, np.inf, -np.inf]  # fmt: skip


def _texts(column: Column) -> list[str]:
    """Each cell as the table shows it, case-folded: what the filter must search."""
    values = column.values.tolist() if isinstance(column.values, np.ndarray) else column.values
    return [format_value(v, column.kind).casefold() for v in values]


def _found(column: Column, needle: str) -> list[int]:
    return np.flatnonzero(column_index(column).find(needle)).tolist()


def _needles(texts: list[str]) -> set[str]:
    """Every piece of a few texts, and some found nowhere."""
    pieces = {"", "-", ",", ".", "0", "00", "n/a", "inf", "zz", "1,0", ".5", "-0"}
    for text in texts[:: max(len(texts) // 5, 1)]:
        pieces |= {text[i:j] for i in range(len(text)) for j in range(i + 1, len(text) + 1)}
    return pieces


@pytest.mark.parametrize("kind", [k for k, pattern in FORMATS.items() if pattern])
def test_a_number_column_is_found_by_the_text_python_shows(kind):
    rng = np.random.default_rng(9)
    tied = np.round(rng.normal(0, 100, 3000), 3) + 0.0005  # every value near a rounding tie
    for values in (
        np.array(EDGES),
        rng.normal(0, 500, 3000),
        rng.normal(0, 1e7, 3000),
        tied,
        rng.integers(-(10**6), 10**6, 3000),
        np.array([0, 7, -7, 999, 1000, -1000, 10**15, -(10**17)]),
        rng.normal(0, 100, 300).astype(np.float32),
        np.zeros(0),
    ):
        column = Column("x", values, kind)
        assert isinstance(column_index(column), FixedPointIndex)
        texts = _texts(column)
        for needle in _needles(texts):
            expected = [row for row, text in enumerate(texts) if needle in text]
            assert _found(column, needle) == expected, (kind, values.dtype, needle)


def test_text_columns_are_found_case_insensitively_each_value_as_shown():
    columns = [
        Column("BM unit", ["T_DRAXX-1", None, "E_Grove", "T_DRAXX-1"]),
        Column("units", np.array(["Ab", "aB", "ß", "x"])),  # ß case-folds to ss
        Column("mixed", [1, 1.0, True, None], "text"),  # equal, shown apart: 1, 1.0, True
        Column("day", [dt.date(2026, 12, 1), None, dt.date(2026, 1, 2), dt.date(2026, 12, 1)]),
        Column("SO", np.array([True, False, True, False]), "bool"),
        Column("n as text", np.array([1.5, 2.0, np.nan, 7.0]), "text"),
    ]
    for column in columns:
        assert isinstance(column_index(column), CodedIndex)
        texts = _texts(column)
        for needle in _needles(texts) | {"t_draxx", "SS".casefold(), "1.0", "true", "yes", "12-"}:
            assert _found(column, needle) == [r for r, t in enumerate(texts) if needle in t]


def test_a_row_is_found_by_any_of_its_cells_never_by_text_across_two():
    search = RowSearch(
        [
            Column("party", ["b", "A", "c"]),
            Column("net Δ £", np.array([-5.0, 3.0, np.nan]), "money"),
        ]
    )
    assert search.find("a").tolist() == [1, 2]  # "A", and "n/a" of NaN
    assert search.find("b-5").tolist() == []  # "b" then "-5.00": two cells
    assert search.find("5.00").tolist() == [0]
    assert RowSearch([]).find("a").tolist() == []
