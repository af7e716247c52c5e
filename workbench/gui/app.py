"""Start the desktop application: QApplication, palette, error hook, main window."""

from __future__ import annotations

import gc
import sys
import traceback

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from resources import resource_path


def dark_scheme() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_palette(app: QApplication) -> None:
    """Fusion style; light or dark following the system; charts to match."""
    app.setStyle("Fusion")
    if dark_scheme():
        palette = QPalette()
        for role, colour in (
            (QPalette.ColorRole.Window, "#2b2b2b"),
            (QPalette.ColorRole.WindowText, "#e6e6e6"),
            (QPalette.ColorRole.Base, "#1e1e1e"),
            (QPalette.ColorRole.AlternateBase, "#262626"),
            (QPalette.ColorRole.Text, "#e6e6e6"),
            (QPalette.ColorRole.Button, "#333333"),
            (QPalette.ColorRole.ButtonText, "#e6e6e6"),
            (QPalette.ColorRole.Highlight, "#3d6fb6"),
            (QPalette.ColorRole.HighlightedText, "#ffffff"),
        ):
            palette.setColor(role, QColor(colour))
        app.setPalette(palette)
        pg.setConfigOptions(background="#1e1e1e", foreground="#dddddd")
    else:
        pg.setConfigOptions(background="w", foreground="#333333")


def install_error_hook(parent_getter) -> None:
    """Unexpected errors show a readable dialog with the details folded, not a crash."""

    def hook(kind, value, tb) -> None:
        from models.db.database import database_failure

        window = parent_getter()
        db = getattr(window, "db", None)
        line = database_failure(value, getattr(db, "location", None))
        if line is not None:  # locked, read-only, full or damaged: one line, no SQL
            sys.__stderr__.write(line + "\n")
            if window is not None:
                window.show_error("Database problem", line)
            return
        details = "".join(traceback.format_exception(kind, value, tb))
        sys.__stderr__.write(details)
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "Something went wrong",
            f"{kind.__name__}: {value}\n\n"
            "The workbench is still running; your data was not changed.",
            parent=parent_getter(),
        )
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = hook


GIL_SWITCH_SECONDS = 0.001


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or sys.argv[:1])
        # What the imports made lives as long as the process: keep it out of every garbage
        # collection (a full one, as each background job starts, then takes 1 ms, not 120).
        gc.freeze()
        # A worker thread (a load, an import, a settle) hands the GIL back to the GUI thread
        # after 1 ms, not Python's 5: the GUI thread waits for it at each call into Python,
        # and a paint makes hundreds (a table's row texts, once made in a thread, held the
        # GUI thread 190-280 ms with 5; the filter's search is now numpy on the GUI thread).
        sys.setswitchinterval(GIL_SWITCH_SECONDS)
    app.setApplicationName("Settlement Workbench")
    app.setOrganizationName("Settlement Workbench")
    app.setWindowIcon(QIcon(str(resource_path("settlement-workbench.svg"))))
    apply_palette(app)
    return app


def open_main_window(path: str | None = None, settings=None, preload=None, note: str | None = None):
    """The main window, shown, and opening `path` (whose run `preload` may be loading);
    `note`: a message for the status bar (why the last database did not reopen)."""
    from workbench.gui.main_window import MainWindow

    window = MainWindow(settings)
    window.show()
    if note:
        window.status.setText(note)
    if path:
        window.open_database(path, preload)
    return window


def run_gui(
    path: str | None = None, smoke_test: bool = False, preload=None, note: str | None = None
) -> int:
    """Open the main window (on a database). With `smoke_test` it exits once the database's
    first run is loaded, printing what it showed: 0 when it loaded, 1 when it did not.
    `preload`: the database's opening, started before these imports (see workbench.gui.preload);
    `note`: shown in the status bar (workbench.gui.recent_files.last_database)."""
    if path and preload is None:
        from workbench.gui import preload as preloading

        preload = preloading.start(path)
    app = make_application()
    window = None
    install_error_hook(lambda: window)  # errors while opening are shown too
    window = open_main_window(path, preload=preload, note=note)
    try:
        return _smoke_test(app, window) if smoke_test else app.exec()
    finally:
        _delete(window)


def _smoke_test(app: QApplication, window) -> int:
    from PySide6.QtCore import QElapsedTimer

    clock = QElapsedTimer()
    clock.start()
    idle_since = None
    # Wait for the loaded run; a job's result reaches the window just after the job ends, so
    # only give up after the jobs have been idle for a moment without a run to show.
    while window.view is None and clock.elapsed() < 120_000:
        app.processEvents()
        if window.jobs.busy():
            idle_since = None
        elif idle_since is None:
            idle_since = clock.elapsed()
        elif clock.elapsed() - idle_since > 2000:
            break
    window.jobs.wait_all()
    loaded = window.view is not None
    print(window.status.text())
    window.close()
    return 0 if loaded else 1


def _delete(window) -> None:
    """Delete the window now, while the application exists. Left to the interpreter's exit
    (the error hook's closure holds it), its Qt objects could be destroyed after the
    QApplication, and the process then crashed (SIGSEGV) after a clean run, now and then."""
    sys.excepthook = sys.__excepthook__
    shiboken6.delete(window)
