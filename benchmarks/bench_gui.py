"""The workbench on a GB-scale database (issue 5): launch, selection, scrolling.

Database: GB-scale demo days (3,000 BM units each; BENCH_GUI_DAYS, default 30). It is written
to a temporary folder, or kept at BENCH_GUI_DB (written there when missing, so that repeated
runs skip the seven minutes of generating 30 days).
- launch, target ≤ 2 s: a new process launched as `settlement-workbench PATH` is (the run
  starts loading in a thread before Qt is imported, the window is built meanwhile), until
  every chart in front has been painted once with the run. Reported from the process start,
  and from the moment its QApplication exists; baseline in the same run: a new process that
  only imports the libraries the launch uses (Qt's widgets, pyqtgraph, numpy, SQLAlchemy
  Core). Our modules are byte-compiled first, as an installed package's are
  (this machine sets PYTHONDONTWRITEBYTECODE, which would otherwise compile them at every
  launch);
- selecting another BM unit or period: until the event loop has updated and painted every
  view and the inspector, target ≤ 100 ms; baseline in the same run: a forced repaint of the
  whole window (widget.grab());
- scrolling the 3,000-row unit table a page at a time, painted, per step.
Everything is painted offscreen (QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DAYS = int(os.environ.get("BENCH_GUI_DAYS", "30"))


def _settle_events(app) -> None:
    for _ in range(3):
        app.processEvents()


def _settings(settings_path: Path):
    from PySide6.QtCore import QSettings

    return QSettings(str(settings_path), QSettings.Format.IniFormat)


def first_paint(app, path: Path, settings_path: Path | None, started=None):
    """Launch on `path` as `settlement-workbench PATH` does (the run starts loading, then the
    window is built) and wait for the first run's painted chart. Without `settings_path`, the
    user's settings (as the command line)."""
    from PySide6.QtCore import QEventLoop

    from workbench.gui import preload
    from workbench.gui.app import open_main_window

    settings = _settings(settings_path) if settings_path else preload.default_settings()
    started = started or preload.start(str(path), settings)
    # The event loop runs as in the application (no polling, which would take the GIL from
    # the loading thread every few milliseconds) until the run shows.
    loop = QEventLoop()
    window = open_main_window(None, settings)
    window.resize(1500, 900)
    window.run_shown.connect(loop.quit)
    window.open_database(str(path), started)
    loop.exec()
    # Then until every chart of the view in front has been painted once with the run: the
    # paint is part of the event processing in which its paint event arrives.
    watches = [_first_paint_watch(c.viewport()) for c in _charts(window.tabs.currentWidget())]
    deadline = time.perf_counter() + 30
    while not all(w.painted for w in watches) and time.perf_counter() < deadline:
        app.processEvents()
    return window


def _charts(widget) -> list:
    import pyqtgraph as pg

    return [c for c in widget.findChildren(pg.GraphicsView) if c.isVisible()]


def _first_paint_watch(widget):
    """An event filter on `widget` whose `painted` turns true at its first paint event."""
    from PySide6.QtCore import QEvent, QObject

    class FirstPaint(QObject):
        painted = False

        def eventFilter(self, watched, event) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    watch = FirstPaint(widget)  # a child of the widget: lives as long as it does
    widget.installEventFilter(watch)
    return watch


def _child(path: str, spawned: str) -> None:
    """In a new process, as the command line does it: the database starts opening before Qt
    and pyqtgraph are imported; the settings are the user's (the parent gives each launch a
    settings folder of its own, XDG_CONFIG_HOME). Prints the seconds from `spawned` (the
    parent's clock) and from the QApplication's creation to the first painted chart."""
    from workbench.gui import preload

    started = preload.start(path)
    from workbench.gui.app import make_application

    app = make_application()
    app_ready = time.time()
    window = first_paint(app, Path(path), None, started)
    painted = time.time()
    print(f"{painted - float(spawned):.3f} {painted - app_ready:.3f}")
    window.close()


def _process_launch(path: Path, settings_folder: Path) -> tuple[float, float]:
    """(seconds from the process start, seconds from its QApplication) to the first chart."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(settings_folder)}
    started = time.time()
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_gui", str(path), str(started)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    total, after_app = out.strip().splitlines()[-1].split()
    return float(total), float(after_app)


def _compile_our_modules() -> None:
    import compileall

    root = Path(__file__).resolve().parent.parent
    for package in ("engine", "models", "views", "workbench", "resources", "benchmarks"):
        compileall.compile_dir(root / package, quiet=1)


def _bare_imports() -> float:
    """Baseline: a new process importing only the libraries the launch uses."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import PySide6.QtWidgets, pyqtgraph, sqlalchemy"], check=True
    )
    return time.perf_counter() - started


def _database(folder: str) -> Path:
    from models.demo.generator import DemoSpec, generate_demo

    kept = os.environ.get("BENCH_GUI_DB")
    path = Path(kept) if kept else Path(folder) / "gb.sqlite"
    if path.exists():
        print(f"database kept at {path}, {path.stat().st_size / 1e9:.2f} GB")
        return path
    began = time.perf_counter()
    generate_demo(path, DemoSpec(bmus=3000, days=DAYS))
    print(
        f"{DAYS} GB-scale days generated in {time.perf_counter() - began:.0f} s, "
        f"{path.stat().st_size / 1e9:.2f} GB"
    )
    return path


def run() -> None:
    from workbench.gui.app import make_application

    app = make_application()
    with tempfile.TemporaryDirectory() as folder:
        path = _database(folder)
        settings_path = Path(folder) / "settings.ini"
        _compile_our_modules()
        launches = [_process_launch(path, Path(folder) / f"settings{i}") for i in range(5)]
        total = [t for t, _ in launches]
        after_app = [a for _, a in launches]
        bare = statistics.median(_bare_imports() for _ in range(3))
        print(
            f"launch to first painted chart : median {statistics.median(total):6.2f} s, "
            f"max {max(total):.2f} s over 5 new processes (target ≤ 2 s); "
            f"{statistics.median(total) / bare:.1f}x the baseline"
        )
        print(
            f"  of which after QApplication : median {statistics.median(after_app):6.2f} s, "
            f"max {max(after_app):.2f} s"
        )
        print(
            f"  baseline: a new process importing Qt's widgets, pyqtgraph, numpy, SQLAlchemy: "
            f"{bare:.2f} s"
        )
        window = first_paint(app, path, settings_path)

        def timed(action) -> float:
            # Until the event loop has updated and painted every view (offscreen backing store).
            start = time.perf_counter()
            action()
            _settle_events(app)
            return time.perf_counter() - start

        repaint = statistics.median(timed(window.grab) for _ in range(5))
        window.tabs.setCurrentWidget(window.explorer)
        units = window.view.result.inputs.bm.bm_units
        picks = [units[i] for i in range(0, len(units), len(units) // 12)][:12]
        unit_times = [timed(lambda u=u: window.explorer.select_unit(u)) for u in picks]
        period_times = [
            timed(lambda p=p: window.period.setValue(p)) for p in (10, 20, 30, 40, 17, 33)
        ]
        print(f"plain repaint (baseline)      : {repaint * 1e3:6.1f} ms")
        unit_median, period_median = statistics.median(unit_times), statistics.median(period_times)
        print(
            f"select another BM unit        : median {unit_median * 1e3:6.1f} ms, "
            f"max {max(unit_times) * 1e3:6.1f} ms (target ≤ 100 ms); "
            f"{unit_median / repaint:.1f}x a repaint"
        )
        print(
            f"select another period         : median {period_median * 1e3:6.1f} ms, "
            f"max {max(period_times) * 1e3:6.1f} ms; {period_median / repaint:.1f}x a repaint"
        )
        table = window.explorer.units.view
        bar = table.verticalScrollBar()
        page = max(1, bar.pageStep())
        steps = [timed(lambda v=v: bar.setValue(v)) for v in range(0, bar.maximum(), page)]
        print(
            f"scroll 3,000 rows, per page   : median {statistics.median(steps) * 1e3:6.1f} ms, "
            f"max {max(steps) * 1e3:6.1f} ms over {len(steps)} pages"
        )
        _responsiveness_while_loading(window)
        window.close()


def _responsiveness_while_loading(window) -> None:
    """Load and settle another run in its worker while a 5 ms timer ticks on the GUI thread:
    the longest gap between ticks is the longest the window could not answer the user."""
    from PySide6.QtCore import QEventLoop, QTimer

    shown = window.view.run
    runs = _runs(window)
    # Another day if there is one (a one-day database: another run of the day).
    other = next(
        (r.id for r in runs if r.settlement_date != shown.settlement_date),
        next(r.id for r in runs if r.id != shown.id),
    )
    ticks: list[float] = []
    timer = QTimer(interval=5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QEventLoop()
    window.run_shown.connect(loop.quit)
    began = time.perf_counter()
    timer.start()
    window.load_run(other)
    loop.exec()
    timer.stop()
    window.run_shown.disconnect(loop.quit)
    gaps = sorted(b - a for a, b in zip([began, *ticks], ticks, strict=False))
    print(
        f"GUI thread while another run loads ({time.perf_counter() - began:.2f} s): longest "
        f"stall {gaps[-1] * 1e3:.0f} ms, 99th percentile {gaps[int(len(gaps) * 0.99)] * 1e3:.0f} "
        f"ms between 5 ms timer ticks"
    )


def _runs(window):
    from models.runs.run_store import list_runs

    with window.db.engine.connect() as conn:
        return list_runs(conn, light=True)


if __name__ == "__main__":
    _child(*sys.argv[1:3])
