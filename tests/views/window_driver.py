"""Driving the main window as a user would: open a database, import, drop files, wait."""

from __future__ import annotations

from PySide6.QtCore import QDate, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from views.import_options import ImportOptions

# Loading a run and importing real files run in a worker; a minute is far more than either takes.
LOAD_TIMEOUT_MS = 60_000


def open_database(qtbot, window, path, preload=None) -> bool:
    """Open the database at path (in a job, as the window does) and wait for what the opening
    found: True once it is the open one, False when refused (its message shown)."""
    before = window.db
    assert window.open_database(str(path), preload)
    qtbot.waitUntil(lambda: window.opening is None, timeout=LOAD_TIMEOUT_MS)
    return window.db is not None and window.db is not before


def open_demo(qtbot, window, path) -> None:
    """Open the database at path and wait until its run is shown."""
    assert open_database(qtbot, window, path)
    qtbot.waitUntil(
        lambda: window.view is not None and not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS
    )


def screenshot(window, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 10_000


def wait_idle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)


def answer(window, **choices) -> ImportOptions:
    """Answer the import's questions as a user would, then press Import."""
    dialog = window.import_options_dialog
    assert dialog.isVisible() and dialog.isModal()
    if "run_type" in choices:
        dialog.run_type.setCurrentText(choices["run_type"])
    for name in ("settlement_date", "effective_from"):
        if name in choices:
            widget = getattr(dialog, name)
            day = choices[name]
            widget.check.setChecked(day is not None)
            if day is not None:
                widget.edit.setDate(QDate(day.year, day.month, day.day))
    if "strict" in choices:
        dialog.strict.setChecked(choices["strict"])
    chosen = dialog.options()
    dialog.accept()
    return chosen


def drop(window, paths) -> None:
    """Drop the files at paths on the window, as from a file manager."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
