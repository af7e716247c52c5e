"""Each row's text as shown, case-folded, cells apart: made at once or in a thread that a
new content cancels."""

from __future__ import annotations

import time

import numpy as np

from views import row_texts
from views.column_model import Column
from views.row_texts import SEPARATOR, TextsBuild


def _columns() -> list[Column]:
    return [
        Column("BM unit", ["T_DRAXX-1", None, "E_Grove"]),
        Column("CBM £", np.array([1535.746, np.nan, -0.001]), "money"),
        Column("n", np.array([1200, 3, 7]), "int"),
        Column("SO", np.array([True, False, True]), "bool"),
    ]


EXPECTED = [
    SEPARATOR.join(["t_draxx-1", "1,535.75", "1,200", "yes"]),
    SEPARATOR.join(["n/a", "n/a", "3", ""]),
    SEPARATOR.join(["e_grove", "0.00", "7", "yes"]),  # -0.001 shows as 0.00, never -0.00
]


def test_each_rows_cells_as_shown_case_folded_in_chunks_of_rows(monkeypatch):
    assert row_texts.row_texts(_columns()).tolist() == EXPECTED
    monkeypatch.setattr(row_texts, "CHUNK", 2)  # two chunks: rows 0-1, then row 2
    assert row_texts.row_texts(_columns()).tolist() == EXPECTED
    assert row_texts.row_texts([]).tolist() == []


def test_a_cancelled_making_gives_nothing(monkeypatch):
    looks = []
    monkeypatch.setattr(row_texts, "CHUNK", 1)

    def cancelled() -> bool:
        looks.append(1)
        return len(looks) > 2  # cancelled before the third row

    assert row_texts.row_texts(_columns(), cancelled) is None
    assert len(looks) == 3


def test_a_build_hands_the_texts_to_the_gui_thread(qtbot):
    build = TextsBuild(_columns())
    with qtbot.waitSignal(build.built, timeout=5000) as got:
        build.start()
    assert got.args[0].tolist() == EXPECTED
    assert not build.running


def test_a_cancelled_build_stops_at_its_next_chunk_and_never_says_it_is_built(qtbot, monkeypatch):
    monkeypatch.setattr(row_texts, "CHUNK", 1)
    chunks = []
    original = row_texts.column_texts

    def slow_texts(column):  # a row at a time, slowly: the cancel comes during the build
        chunks.append(1)
        time.sleep(0.002)
        return original(column)

    monkeypatch.setattr(row_texts, "column_texts", slow_texts)
    build = TextsBuild([Column("n", np.arange(200), "int")])
    built = []
    build.built.connect(built.append)
    build.start()
    qtbot.waitUntil(lambda: len(chunks) >= 3, timeout=5000)
    build.cancel()
    assert build.wait() is None
    qtbot.wait(50)  # the GUI thread's timer would have collected a result by now
    assert not built and not build.running
    assert len(chunks) < 200  # stopped at its next chunk, not after the 200 rows
