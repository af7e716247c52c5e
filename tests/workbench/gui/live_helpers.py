"""What the live GUI tests share: when a widget was painted, and a database holding only the
register in force on the recorded and hand-built live days."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from PySide6.QtCore import QEvent, QObject

from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from tests.paths import ELEXON_DATA


class Paints(QObject):
    """When a widget was painted (time.perf_counter())."""

    def __init__(self, widget) -> None:
        super().__init__(widget)
        self.times: list[float] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.times.append(time.perf_counter())
        return False


def registered_database(path: Path) -> Path:
    """A new database at `path` holding the 2026 Insights register, effective 2019-01-01 so
    that it is in force on the live days (E_BETHW-1's TLF, the recorded wind units')."""
    with SettlementDatabase.create(path) as db:
        register = ELEXON_DATA / "reference" / "bmu_register_insights_2026.csv"
        import_files(db, [register], effective_from=date(2019, 1, 1))
    return path
