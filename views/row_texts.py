"""Each row's text as a table shows it, case-folded: what the filter box searches.

Made once per content, a column at a time (views.column_model.column_texts), then joined row
by row. At 144,000 rows that is half a second of Python, so a big table makes them in a
thread of its own (TextsBuild) while the GUI thread goes on painting; a small one makes
them at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from views.column_model import Column, column_texts

SEPARATOR = "\x00"  # between a row's cells: a typed filter never spans two of them
CHUNK = 4096  # rows made between two looks at `cancelled` (a few ms)
POLL_MS = 10  # how often the GUI thread looks whether a build has finished


def row_texts(columns: Sequence[Column], cancelled: Callable[[], bool] = lambda: False):
    """Each row's cells as shown, joined by SEPARATOR and case-folded, as an object array
    (picked out by a row mask without copying the strings); None once `cancelled()`.

    A chunk of rows at a time, each column's texts made for the chunk: a whole column's
    formatting is one C call (map of str.format) that would hold the GIL, and with it the
    GUI thread, for a tenth of a second."""
    rows = len(columns[0].values) if columns else 0
    texts = np.empty(rows, dtype=object)
    for start in range(0, rows, CHUNK):
        if cancelled():
            return None
        part = [column_texts(replace(c, values=c.values[start : start + CHUNK])) for c in columns]
        texts[start : start + CHUNK] = [
            SEPARATOR.join(row).casefold() for row in zip(*part, strict=True)
        ]
    return texts


class _Work:
    """The thread's side: plain Python, nothing of Qt (the QObject may be gone before it)."""

    def __init__(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)  # the content of now: a reset later does not change it
        self.stop = threading.Event()
        self.texts: np.ndarray | None = None

    def __call__(self) -> None:
        self.texts = row_texts(self.columns, self.stop.is_set)
        self.columns = []


class TextsBuild(QObject):
    """row_texts of `columns` in a worker thread; `built(texts)` on the GUI thread when done.

    The thread touches no Qt object: it leaves its answer in a plain object, and a timer of
    the GUI thread collects it (a signal emitted from the thread would need this QObject to
    outlive the thread, which a closed table's does not). `cancel()` stops the thread at its
    next chunk, and `built` is then never emitted."""

    built = Signal(object)

    def __init__(self, columns: Sequence[Column], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = _Work(columns)
        self._thread = threading.Thread(target=self._work, name="row-texts")
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._collect)

    def start(self) -> None:
        self._thread.start()
        self._poll.start()

    def _collect(self) -> None:
        if self._thread.is_alive():
            return
        self._poll.stop()
        if not self._work.stop.is_set() and self._work.texts is not None:
            self.built.emit(self._work.texts)

    def cancel(self) -> None:
        self._work.stop.set()
        self._poll.stop()

    def wait(self) -> np.ndarray | None:
        """The texts, after waiting for the thread (None if cancelled); `built` is then not
        emitted."""
        self._poll.stop()
        self._thread.join()
        return None if self._work.stop.is_set() else self._work.texts

    @property
    def running(self) -> bool:
        return self._poll.isActive()
