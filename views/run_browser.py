"""Run browser: settlement dates → runs (II … DF) and scenarios, with their metadata."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engine.settlement_calendar import periods_in_day
from models.live.live_run import LIVE_SOURCE
from models.runs.run_store import RunInfo

RUN_ROLE = Qt.ItemDataRole.UserRole + 3


class RunBrowser(QWidget):
    run_chosen = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.shown: list[RunInfo] = []  # the runs listed, as last given
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["run", "units", "acceptances", "source"])
        self.tree.setColumnWidth(0, 150)
        self.tree.itemActivated.connect(self._chosen)
        self.tree.itemClicked.connect(self._chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.tree)

    def show_runs(self, runs: list[RunInfo]) -> None:
        self.shown = list(runs)
        self.tree.clear()
        dates: dict = {}
        for run in runs:
            parent = dates.get(run.settlement_date)
            if parent is None:
                count = periods_in_day(run.settlement_date)
                parent = QTreeWidgetItem(
                    [f"{run.settlement_date:%a %d %b %Y}", "", "", f"{count} periods"]
                )
                dates[run.settlement_date] = parent
                self.tree.addTopLevelItem(parent)
            label = run.run_type + (f" #{run.run_number}" if run.run_number != 1 else "")
            if run.kind == "run" and run.status == "loading" and run.source == LIVE_SOURCE:
                label += " live"  # open: its data still arriving (models.live.live_run)
            counts = [f"{run.bm_units:,}", f"{run.acceptances:,}"]
            if run.kind == "scenario":
                label = f"scenario {run.name}"
                counts = ["", ""]  # a scenario's inputs are its base run's plus its edits
            item = QTreeWidgetItem([label, *counts, run.source])
            item.setData(0, RUN_ROLE, run.id)
            created = f"created {run.created_at:%Y-%m-%d %H:%M} UTC, {run.status}"
            item.setToolTip(0, f"run {run.id}: {run.label}\n{created}\n{run.parties:,} parties")
            parent.addChild(item)
        self.tree.expandAll()

    def select_run(self, run_id: int) -> None:
        for i in range(self.tree.topLevelItemCount()):
            parent = self.tree.topLevelItem(i)
            for j in range(parent.childCount()):
                if parent.child(j).data(0, RUN_ROLE) == run_id:
                    self.tree.setCurrentItem(parent.child(j))

    def _chosen(self, item: QTreeWidgetItem, _column: int) -> None:
        run_id = item.data(0, RUN_ROLE)
        if run_id is not None:
            self.run_chosen.emit(int(run_id))
