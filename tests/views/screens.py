"""Screenshots of a screen at the two sizes the workbench is checked at (1600×1000, 1024×640).

Into `tmp_path`, or into $WORKBENCH_SCREENS when set (to look at them: every screen changed is
checked by eye for truncation and overlaps)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QApplication

SIZES = ((1600, 1000), (1024, 640))


def save_screens(widget, tmp_path: Path, name: str) -> list[Path]:
    folder = Path(os.environ.get("WORKBENCH_SCREENS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    before = widget.size()
    paths = []
    for width, height in SIZES:
        widget.resize(width, height)
        QApplication.processEvents()
        path = folder / f"{name}_{width}x{height}.png"
        assert widget.grab().save(str(path))
        assert path.stat().st_size > 5_000
        paths.append(path)
    widget.resize(before)
    QApplication.processEvents()
    return paths
