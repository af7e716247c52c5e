"""The workbench on a GB-scale database (issue 5): launch, selection, scrolling.

Database: GB-scale demo days (3,000 BM units each; BENCH_GUI_DAYS, default 30).
- launch: from creating the main window to the first painted chart of the first run
  (the run loads and settles in a worker), target ≤ 2 s;
- selecting another BM unit or period: until the event loop has updated and painted every
  view and the inspector, target ≤ 100 ms; baseline in the same run: a forced repaint of the
  whole window (widget.grab());
- scrolling the 3,000-row unit table a page at a time, painted, per step.
Everything is painted offscreen (QT_QPA_PLATFORM=offscreen) with widget.grab().
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings

from models.demo.generator import DemoSpec, generate_demo
from workbench.app import make_application
from workbench.main_window import MainWindow

DAYS = int(os.environ.get("BENCH_GUI_DAYS", "30"))


def _settle_events(app) -> None:
    for _ in range(3):
        app.processEvents()


def run() -> None:
    app = make_application()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gb.sqlite"
        began = time.perf_counter()
        generate_demo(path, DemoSpec(bmus=3000, days=DAYS))
        print(
            f"{DAYS} GB-scale days generated in {time.perf_counter() - began:.0f} s, "
            f"{path.stat().st_size / 1e9:.2f} GB"
        )
        settings = QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat)

        began = time.perf_counter()
        window = MainWindow(settings)
        window.resize(1500, 900)
        window.show()
        window.open_database(str(path))
        while window.view is None:
            app.processEvents()
            time.sleep(0.002)
        _settle_events(app)
        window.grab()
        launch = time.perf_counter() - began
        print(f"launch to first painted chart : {launch:6.2f} s  (target ≤ 2 s)")

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
        window.close()
