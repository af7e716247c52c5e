"""The loaded run's views following the selection: day overview, BM units, price stack and
the inspector.

Each view fills with a newly loaded run when it is first shown (the first paint of a
GB-scale run needs only the one in front, and a run loaded behind the BM units view does not
redraw the hidden overview on the GUI thread), then follows the selection's period and BM
unit; the inspector traces what is selected in the view in front. Clicks in the views (a
period, a unit, a stored-result difference, an inspector input) set the selection.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QTimer

from engine.errors import EngineInputError
from engine.settlement_trace import trace_account, trace_price, trace_unit
from models.core.errors import WorkbenchInputError
from views.selection import Selection


class RunViews:
    """`status(text)`: the status bar's line (a trace that cannot be made says why);
    `remember(what, value)`: keep the period or unit shown for the database's next opening.
    Connect to the selection's period after any view that may refuse a period (the period box
    of fewer periods): the selection then tells these views only the period that stands."""

    def __init__(
        self,
        selection: Selection,
        tabs,
        overview,
        explorer,
        stack,
        inspector,
        status: Callable[[str], None],
        remember: Callable[[str, object], None],
    ) -> None:
        self.selection, self.tabs = selection, tabs
        self.overview, self.explorer, self.stack, self.inspector = (
            overview,
            explorer,
            stack,
            inspector,
        )
        self.status, self.remember = status, remember
        self._stale: set = set()  # views not yet showing the loaded run
        self._pending_unit: str | None = None
        self._inspected: tuple | None = None  # (result, subject) the inspector shows
        selection.events.period.connect(self._period_changed)
        selection.events.bm_unit.connect(self._unit_changed)
        overview.period_clicked.connect(self._select_period)
        overview.parties.row_selected.connect(lambda _row: self.update_inspector())
        overview.difference_activated.connect(self.show_difference)
        explorer.period_selected.connect(self._select_period)
        explorer.unit_selected.connect(self._select_unit)
        inspector.navigate.connect(self.navigate)
        tabs.currentChanged.connect(self._tab_changed)

    def run_loaded(self, unit: str | None = None) -> None:
        """The selection's run is new: every view is stale, the one in front fills now;
        `unit`: the BM unit the BM units view selects when it fills (the last one shown)."""
        self._stale = {self.overview, self.explorer, self.stack}
        self._pending_unit = unit
        self.ensure_shown(self.tabs.currentWidget())
        # The BM units view's table and charts, made hidden once the run shows (their making
        # on the view's first visit held the GUI thread twice as long, beside its filling).
        QTimer.singleShot(0, self.explorer, self.explorer.prepare)

    def run_updated(self, view) -> None:
        """The run on show settled again with more data (a live run): `view` becomes the
        selection's run, the BM units view takes it in place (UnitExplorer.follow_run), the
        price stack refills (now if in front, else when next shown). The day overview is
        drawn by the live day itself (workbench.gui.live_controller)."""
        self.selection.run = view
        if self.explorer not in self._stale:
            self.explorer.follow_run(view)
        if self.tabs.currentWidget() is self.stack and self.stack not in self._stale:
            self.stack.show_run(view)
            self.stack.set_period(self.selection.period)
        else:
            self._stale.add(self.stack)
        self.update_inspector()

    def ensure_shown(self, widget) -> None:
        """Fill the overview, BM unit or stack view with the loaded run if it is not yet."""
        view = self.selection.run
        if view is None or widget not in self._stale:
            return
        self._stale.discard(widget)
        if widget is self.overview:
            self.overview.show_result(
                view.result, view.label, view.published_prices, differences=view.differences
            )
            self.overview.show_warnings(view.warnings)
            self.overview.show_completeness(view.completeness)
        elif widget is self.explorer:
            self.explorer.show_run(view)
            if self._pending_unit is not None:
                self.explorer.select_unit(self._pending_unit)
                self._pending_unit = None
            self.explorer.set_period(self.selection.period)
        elif widget is self.stack:
            self.stack.show_run(view)
            self.stack.set_period(self.selection.period)

    def _tab_changed(self, _index: int) -> None:
        self.ensure_shown(self.tabs.currentWidget())
        self.update_inspector()

    def _select_period(self, period: int) -> None:
        self.selection.period = period

    def _select_unit(self, unit: str) -> None:
        self.selection.bm_unit = unit

    def _period_changed(self, period: int) -> None:
        self.remember("period", period)
        if self.explorer not in self._stale:
            self.explorer.set_period(period)
        if self.stack not in self._stale:
            self.stack.set_period(period)
        self.update_inspector()

    def _unit_changed(self, unit: str | None) -> None:
        """The selection's BM unit: in the BM units view (if it shows the run) and traced."""
        if unit is None:
            return
        self.remember("unit", unit)
        explorer = self.explorer
        if explorer not in self._stale and explorer.view is not None:
            row = explorer.unit  # its own choice (the usual case): nothing to select
            shown = None if row is None else explorer.view.units.bm_unit_id[row]
            if shown != unit:
                explorer.select_unit(unit)
        self.update_inspector()

    def _inspected_subject(self) -> tuple | None:
        """What the inspector should trace now: (kind, what, period), or None."""
        selection = self.selection
        view, period, unit = selection.run, selection.period, selection.bm_unit
        if view is None or period not in view.result.inputs.periods:
            return None
        current = self.tabs.currentWidget()
        if current is self.overview:
            index = self.overview.parties.view.currentIndex()
            if index.isValid():
                row = self.overview.parties.proxy.mapToSource(index).row()
                return ("account", view.result.inputs.parties[row], period)
            return ("price", None, period)
        if current is self.explorer and unit is not None:
            return ("unit", unit, period)
        if current is self.explorer:
            return None
        return ("price", None, period)

    def update_inspector(self) -> None:
        subject = self._inspected_subject()
        # A new run shows its unit (which updates the inspector) and then updates it again:
        # trace each subject of each result once.
        if subject is None:
            return
        result = self.selection.run.result
        shown = self._inspected
        if shown is not None and shown[0] is result and shown[1] == subject:
            return
        kind, what, period = subject
        try:
            if kind == "account":
                trace = trace_account(result, what, "P", period)
            elif kind == "unit":
                trace = trace_unit(result, what, period)
            else:
                trace = trace_price(result, period)
        except (EngineInputError, WorkbenchInputError) as exc:
            self.status(str(exc))
            return
        self._inspected = (result, subject)
        self.inspector.show_trace(
            trace, result.known_gaps, result.inputs.bm.settlement_date, period
        )

    def show_difference(self, kind: str, key: str) -> None:
        """Go to a value that differs from the stored results: its period, unit or party."""
        view = self.selection.run
        if view is None:
            return
        if kind == "period":
            self.selection.period = int(key)
        elif kind == "BM unit":
            self.ensure_shown(self.explorer)
            if self.explorer.select_unit(key):
                self.tabs.setCurrentWidget(self.explorer)
        elif kind == "party":
            # Its row in the party charges (the inspector follows it), the list staying shown.
            self.overview.parties.select_source_row(list(view.result.inputs.parties).index(key))

    def navigate(self, source: str) -> None:
        """Select what an inspector input came from: a BM unit (and period)."""
        if self.selection.run is None:
            return
        period = re.search(r"period (\d+)", source)
        if period:
            self.selection.period = int(period.group(1))
        self.ensure_shown(self.explorer)
        for word in source.replace(",", " ").split():
            if self.explorer.select_unit(word):
                self.tabs.setCurrentWidget(self.explorer)
                break
