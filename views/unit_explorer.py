"""BM unit explorer: the unit table and, for the selected unit, linked charts and its pairs.

Top chart (MW against local time): FPN, each acceptance's levels in its own colour (RR-flagged
dashed), the bid-offer band edges around FPN (dotted), MEL (long dashes) and MIL (dash-dot)
when present. Bottom chart (MWh per period, same time axis): metered and expected volume,
accepted offer and bid volume. Each chart's key sits in its title row, clear of the data, and
lists only what the unit has; hovering shows the values at the pointer; a click on either
chart selects its period. Below: the bid-offer ladder of the selected period with its volumes
and cashflows. Right-click a chart to export it (PNG, SVG).
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from engine.settlement_calendar import LONDON
from models.runs.run_view import RunView
from models.runs.unit_summary import unit_summary
from views.charts import (
    ACCEPTANCE_COLOURS,
    COLOURS,
    Crosshair,
    LocalTimeAxis,
    fit_y,
    show_key,
    styled_plot,
)
from views.column_model import Column
from views.data_table import DataTable
from views.steady_title import FactLine, SteadyTitle

REGISTER_TIP = (
    "the BM unit register snapshot the unit's attributes came from: its effective-from date "
    "and snapshot id (R-REG-DATED); marked when it is effective only after the settlement date "
    "(none was in force, the earliest was used), or 'unregistered' when no snapshot in force "
    "lists the unit: settled under party UNREGISTERED, TLF 0 (R-REG-UNREGISTERED); "
    "'—' not from a register (a case file)"
)
# Three thin lines that must not be confused: each its own colour and dash pattern.
BAND_PEN = {"color": COLOURS["band"], "width": 1, "style": Qt.PenStyle.DotLine}
LIMIT_PENS = {
    "MEL": {"color": "#222222", "width": 1.5, "dash": [8, 4]},
    "MIL": {"color": "#1f5f8b", "width": 1.5, "dash": [6, 3, 1, 3]},
}
KEY_MARKS = {"FPN": "━", "band edges": "···", "MEL": "— —", "MIL": "—·—"}


def _profile(segments, rows) -> tuple[np.ndarray, np.ndarray]:
    """x, y of consecutive segments, with a gap (NaN) where they do not join."""
    xs, ys = [], []
    last = None
    for r in rows:
        t0, t1 = segments.time_from[r], segments.time_to[r]
        if last is not None and t0 != last:
            xs.append(np.nan)
            ys.append(np.nan)
        if last != t0:
            xs.append(t0)
            ys.append(segments.level_from[r])
        xs.append(t1)
        ys.append(segments.level_to[r])
        last = t1
    return np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)


def _same_range(a, b) -> bool:
    return b is not None and np.allclose(a, b, rtol=1e-9, atol=1e-9)


def _unit_data(view: RunView, u: int) -> tuple:
    """What the BM units view draws of unit `u` (its FPN, acceptances, pairs with their
    prices and volumes, MEL/MIL, expected volume), to tell whether a settle changed any of
    it: the table of every unit repaints after each settle, the charts only for this."""
    inputs = view.result.inputs.bm
    fpn, acc, levels, pairs = inputs.fpn, inputs.acceptances, inputs.acceptance_levels, inputs.pairs
    mine = np.flatnonzero(acc.unit == u)
    volumes = view.result.bm.volumes
    paired = pairs.unit == u
    name = inputs.bm_units[u]
    limits = view.limits
    limit_rows = [i for i, unit in enumerate(limits["bm_unit_id"]) if unit == name]
    parts = [
        np.column_stack([getattr(fpn, f)[fpn.owner == u] for f in _SEGMENT]),
        acc.number[mine],
        np.column_stack([getattr(levels, f)[np.isin(levels.owner, mine)] for f in _SEGMENT]),
        np.column_stack(
            [
                pairs.period[paired],
                pairs.pair[paired],
                pairs.offer_price[paired],
                pairs.bid_price[paired],
                volumes.qao_nj[paired],
                volumes.qab_nj[paired],
            ]
        ),
        np.asarray(view.result.non_delivery.qme[u], dtype=float),
    ]
    return (
        *(np.ascontiguousarray(p, dtype=float).tobytes() for p in parts),
        tuple(tuple(limits[c][i] for c in limits) for i in limit_rows),
    )


_SEGMENT = ("time_from", "time_to", "level_from", "level_to")


class UnitExplorer(QWidget):
    unit_selected = Signal(str)
    period_selected = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.view: RunView | None = None
        self.unit: int | None = None
        self.period = 1
        self._built = False
        self._fitted: dict = {}  # per chart, the value range last fitted to its data

    def showEvent(self, event) -> None:
        self._build()
        super().showEvent(event)

    def prepare(self) -> None:
        """Make the table and charts now, hidden (40 ms of the GUI thread; made as the view
        is first shown, 80 ms more, on a visit that also fills them)."""
        self._build()

    def _build(self) -> None:
        """The table and charts, made when first shown or given a run: the workbench opens
        on the day overview, and making them took 65 ms of every launch."""
        if self._built:
            return
        self._built = True
        self.units = DataTable("Filter BM units: id, party, type, fuel…")
        self.units.row_selected.connect(self._unit_row)
        # The unit; the register snapshot it comes from; its acceptances by colour.
        self.title = SteadyTitle(lines=3)
        self.charts = pg.GraphicsLayoutWidget()
        self.level_plot = styled_plot(
            self.charts.addPlot(
                row=0, col=0, axisItems={"bottom": LocalTimeAxis(orientation="bottom")}
            ),
            "MW",
        )
        self.volume_plot = styled_plot(
            self.charts.addPlot(
                row=1, col=0, axisItems={"bottom": LocalTimeAxis(orientation="bottom")}
            ),
            "MWh per period",
            "local time (Europe/London)",
        )
        self.volume_plot.setXLink(self.level_plot)
        # 50 values at most, drawn as step curves, which clip-to-view would cut wrongly.
        self.volume_plot.setClipToView(False)
        self.volume_plot.setDownsampling(auto=False, ds=1)
        self.charts.ci.layout.setRowStretchFactor(0, 3)
        self.charts.ci.layout.setRowStretchFactor(1, 2)
        self.crosshair = Crosshair(self.level_plot, self._describe)
        self.volume_crosshair = Crosshair(self.volume_plot, self._describe_volumes)
        # One scene for both charts: a click on either selects the period under it.
        self.volume_plot.scene().sigMouseClicked.connect(self._clicked)
        self._make_items()
        self.pairs = DataTable("Filter pairs…")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.charts)
        right.addWidget(self.pairs)
        right.setSizes([520, 180])
        box = QWidget()
        box_layout = QVBoxLayout(box)
        box_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.addWidget(self.title)
        box_layout.addWidget(right)
        splitter = QSplitter()
        splitter.addWidget(self.units)
        splitter.addWidget(box)
        splitter.setSizes([420, 860])  # the table's first columns: unit, register, party
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    ACCEPTANCE_POOL = 16  # acceptances drawn per unit (the busiest units have a dozen a day)

    def _make_items(self) -> None:
        """Chart items made once and updated with setData: re-creating items and legend
        entries on every selection costs more than drawing them."""
        lp, vp = self.level_plot, self.volume_plot
        # No names: the keys go in the title rows (show_key), a legend sat on the data.
        self.fpn_curve = lp.plot(pen=pg.mkPen(COLOURS["fpn"], width=2), connect="finite")
        self.band_curve = lp.plot(pen=pg.mkPen(**BAND_PEN), connect="finite")
        self.limit_curves = {
            kind: lp.plot(pen=pg.mkPen(**pen), connect="finite") for kind, pen in LIMIT_PENS.items()
        }
        self.acceptance_curves = [
            lp.plot(
                pen=pg.mkPen(ACCEPTANCE_COLOURS[i % len(ACCEPTANCE_COLOURS)], width=2),
                connect="finite",
            )
            for i in range(self.ACCEPTANCE_POOL)
        ]

        def steps(colour, alpha):
            c = pg.mkColor(colour)
            return vp.plot(
                [0.0, 1.0],
                [0.0],
                stepMode="center",
                fillLevel=0,
                brush=pg.mkBrush(c.red(), c.green(), c.blue(), alpha),
                pen=pg.mkPen(colour, width=1),
            )

        self.metered_curve = steps(COLOURS["metered"], 110)
        self.offer_curve = steps(COLOURS["offer"], 160)
        self.bid_curve = steps(COLOURS["bid"], 160)
        self.expected_curve = vp.plot(
            pen=pg.mkPen(COLOURS["expected"], width=2), symbol="s", symbolSize=4
        )
        show_key(
            vp,
            [
                (COLOURS["metered"], "■", "metered QM"),
                (COLOURS["offer"], "■", "accepted offers QAO"),
                (COLOURS["bid"], "■", "accepted bids QAB"),
                (COLOURS["expected"], "━■", "expected QME"),
            ],
        )
        self.period_regions = []
        for plot in (lp, vp):
            region = pg.LinearRegionItem((0, 1800), movable=False, brush=(255, 200, 0, 40))
            plot.addItem(region, ignoreBounds=True)
            self.period_regions.append(region)

    # -- data -----------------------------------------------------------------------------

    def show_run(self, view: RunView) -> None:
        self._build()
        self.view = view
        day = view.result.inputs.bm
        self.level_plot.setXRange(day.day_start, day.day_end, padding=0.01)
        self.level_plot.disableAutoRange(axis="x")
        columns = self._take_summary(view)
        self.units.set_columns(
            columns,
            highlight=view.differences.units_differing,  # CBM or CND differs from stored
            widths={
                "BM unit": 105,
                "party": 80,
                "type": 45,
                "fuel": 80,
                "P/C": 40,
                "Register": 112,
            },
        )
        if self.unit is not None and self.unit < len(view.units):
            self.units.select_source_row(self.unit)
        else:
            accepted = self._accepted
            busiest = int(np.argmax(accepted)) if len(accepted) else 0
            self.units.select_source_row(busiest)

    def follow_run(self, view: RunView) -> None:
        """The run on show settled again with more data (a live run, workbench.gui.live):
        the new values in place. The unit table keeps its selection, sort, filter and scroll
        (its cells repaint, no reset); the shown unit's charts and pairs are redrawn only when
        its own data changed, keeping the charts' zoom (the time range always; the value
        range unless it is the one last fitted to the data, which is fitted again). A run
        with other BM units than the one shown is shown anew (show_run), its unit kept."""
        old = self.view
        if not self._built or old is None or old.units.bm_unit_id != view.units.bm_unit_id:
            shown = None if old is None or self.unit is None else old.units.bm_unit_id[self.unit]
            self.unit = None
            self.show_run(view)
            if shown is not None:
                self.select_unit(shown)
            return
        self.view = view
        columns = self._take_summary(view)
        if not self.units.update_columns(columns, view.differences.units_differing):
            self.show_run(view)
            return
        if self.unit is not None and _unit_data(old, self.unit) != _unit_data(view, self.unit):
            self._draw(keep_zoom=True)
            self._fill_pairs(keep=True)

    def _take_summary(self, view: RunView) -> list[Column]:
        """What the view's unit summary gives the charts, and the unit table's columns."""
        # What the view derives from the run, made with it in the load's worker thread
        # (models.runs.unit_summary): per pair row its mean band width, MEL/MIL sorted by unit.
        summary = view.unit_summary or unit_summary(view)
        self.band_width = summary.band_width
        self.limit_ids, self.limit_rows = summary.limit_ids, summary.limit_rows
        cbm, accepted = summary.cbm, summary.accepted
        self._accepted = accepted
        u = view.units
        self.register_label, self.register_note = summary.register_label, summary.register_note
        register_marked = summary.register_marked
        return [
            # An unregistered unit is marked in its first column too, however scrolled.
            Column(
                "BM unit",
                u.bm_unit_id,
                marked=~u.registered,
                notes=[
                    "" if registered else note
                    for note, registered in zip(self.register_note, u.registered, strict=True)
                ],
            ),
            Column(
                "Register",
                self.register_label,
                "text",
                REGISTER_TIP,
                register_marked,
                self.register_note,
            ),
            Column("party", u.party),
            Column("type", u.bmu_type),
            Column("fuel", u.fuel_type),
            Column("P/C", u.pc),
            Column("TLF", u.tlf, "ratio", "transmission loss factor"),
            Column("CBM £ day", cbm, "money", "BM unit cashflow over the settled periods"),
            Column("accepted MWh", accepted, "mwh", "Σ |accepted offer and bid volume|"),
        ]

    def select_unit(self, bm_unit: str) -> bool:
        if self.view is None:
            return False
        ids = self.view.units.bm_unit_id
        if bm_unit not in ids:
            return False
        self.units.select_source_row(ids.index(bm_unit))
        return True

    def set_period(self, period: int) -> None:
        self.period = period
        self._draw_period_marker()
        self._fill_pairs()

    def _unit_row(self, row: int) -> None:
        self.unit = row
        self._draw()
        self._fill_pairs()
        if self.view is not None:
            self.unit_selected.emit(self.view.units.bm_unit_id[row])

    # -- drawing ----------------------------------------------------------------------------

    def _draw(self, keep_zoom: bool = False) -> None:
        """The unit's charts and title; `keep_zoom`: the user's ranges stay (follow_run)."""
        if self.view is None or self.unit is None:
            return
        ranges = {p: p.viewRange() for p in (self.level_plot, self.volume_plot)}
        result = self.view.result
        inputs = result.inputs.bm
        u = self.unit
        name = inputs.bm_units[u]
        units = self.view.units
        # Three lines, the least important facts of each left out first on a narrow window.
        identity = FactLine(
            f"{name}&nbsp;&nbsp;{units.name[u]}",
            (f"lead party {units.party[u]}", str(units.pc[u]), f"TLF {units.tlf[u]:+.5f}"),
            "&nbsp;&nbsp;",
            ", ",
        )
        fpn = inputs.fpn
        self.fpn_curve.setData(*_profile(fpn, np.flatnonzero(fpn.owner == u)))
        self._draw_bands(u)
        first, last = (
            np.searchsorted(self.limit_ids, name, "left"),
            np.searchsorted(self.limit_ids, name, "right"),
        )
        limits = {key: values[first:last] for key, values in self.limit_rows.items()}
        self.limits_shown = []
        for notification, curve in self.limit_curves.items():
            mine = limits["kind"] == notification
            if mine.any():
                self.limits_shown.append(notification)
            # Each segment on its own (a NaN between): consecutive MEL notices need not join.
            x, y = limits["x"][mine], limits["y"][mine]
            gap = np.full((len(x), 1), np.nan)
            curve.setData(np.hstack([x, gap]).ravel(), np.hstack([y, gap]).ravel())
        acc = inputs.acceptances
        levels = inputs.acceptance_levels
        mine = np.flatnonzero(acc.unit == u)
        mine = mine[np.argsort(acc.number[mine])]
        described = []
        for i, curve in enumerate(self.acceptance_curves):
            if i >= len(mine):
                curve.setData([], [])
                continue
            k = mine[i]
            curve.setData(*_profile(levels, np.flatnonzero(levels.owner == k)))
            style = Qt.PenStyle.DashLine if acc.rr_flag[k] else Qt.PenStyle.SolidLine
            colour = ACCEPTANCE_COLOURS[i % len(ACCEPTANCE_COLOURS)]
            curve.setPen(pg.mkPen(colour, width=2, style=style))
            flags = "".join(
                f" {f}" for f, on in (("SO", acc.so_flag[k]), ("RR", acc.rr_flag[k])) if on
            )
            described.append(f'<span style="color:{colour}">■</span>&nbsp;{acc.number[k]}{flags}')
        more = (
            f" (+{len(mine) - len(self.acceptance_curves)} not drawn)"
            if len(mine) > len(self.acceptance_curves)
            else ""
        )
        accepted = (
            FactLine("acceptances", (*described[:-1], described[-1] + more), ": ", " ")
            if described
            else FactLine("no acceptances")
        )
        self.title.set_fact_lines([identity, FactLine(self._register_line(u)), accepted])
        self._show_level_key(bool(len(mine)))
        self._draw_volumes(u)
        self._draw_period_marker()
        # The read-outs described the last data: gone until the mouse moves again.
        self.crosshair.reset()
        self.volume_crosshair.reset()
        fits = (
            (
                self.level_plot,
                [
                    self.fpn_curve,
                    self.band_curve,
                    *self.limit_curves.values(),
                    *self.acceptance_curves,
                ],
                False,
            ),
            (
                self.volume_plot,
                [self.metered_curve, self.offer_curve, self.bid_curve, self.expected_curve],
                True,
            ),
        )
        for plot, curves, include_zero in fits:
            zoomed = keep_zoom and not _same_range(ranges[plot][1], self._fitted.get(plot))
            if zoomed:
                plot.setYRange(*ranges[plot][1], padding=0)  # the user's, kept
            else:
                fit_y(plot, curves, include_zero=include_zero)
                self._fitted[plot] = plot.viewRange()[1]
            if keep_zoom:
                plot.setXRange(*ranges[plot][0], padding=0)

    def _show_level_key(self, acceptances: bool) -> None:
        """The MW chart's key: FPN, band edges (when the unit has bid-offer pairs), MEL and
        MIL only when the unit has them, acceptances (their colours are in the title)."""
        entries = [(COLOURS["fpn"], KEY_MARKS["FPN"], "FPN")]
        if len(self.band_curve.xData if self.band_curve.xData is not None else []):
            entries.append((COLOURS["band"], KEY_MARKS["band edges"], "band edges"))
        for kind in self.limits_shown:
            entries.append((LIMIT_PENS[kind]["color"], KEY_MARKS[kind], kind))
        if acceptances:
            entries.append((ACCEPTANCE_COLOURS[0], "━", "acceptances (colours in the title)"))
        self.level_key = [text for _, _, text in entries]
        show_key(self.level_plot, entries)

    def _register_line(self, u: int) -> str:
        """Where the unit's attributes came from, short enough for the title; in red when
        assumed (the table cell's tooltip says it in full)."""
        units = self.view.units
        if not units.registered[u]:
            return (
                '<span style="color:#c0392b">unregistered (R-REG-UNREGISTERED): party '
                "UNREGISTERED, TLF 0</span>"
            )
        if units.register_snapshot[u] is None:
            return "not from a register"
        if self.register_note[u]:
            return (
                f'<span style="color:#c0392b">register {self.register_label[u]}: after the day, '
                "the earliest (R-REG-DATED)</span>"
            )
        return f"register {self.register_label[u]}"

    def _draw_bands(self, u: int) -> None:
        """Cumulative band edges around FPN, per period, offer side above and bid side below."""
        inputs = self.view.result.inputs.bm
        pairs = inputs.pairs
        rows = np.flatnonzero(pairs.unit == u)
        if not len(rows):
            self.band_curve.setData([], [])
            return
        fx, fy = _profile(inputs.fpn, np.flatnonzero(inputs.fpn.owner == u))
        joined = ~np.isnan(fx)
        fx, fy = fx[joined], fy[joined]
        # Pairs in drawing order: by period, offers then bids, each outwards from FPN (|n|).
        rows = rows[pairs.pair[rows] != 0]
        period, pair = pairs.period[rows], pairs.pair[rows]
        side = np.sign(pair)
        order = np.lexsort((np.abs(pair), -side, period))
        rows, period, side = rows[order], period[order], side[order]
        # Edge of each pair: the running sum of widths within its (period, side) group.
        running = np.cumsum(self.band_width[rows])
        group_start = np.flatnonzero(
            np.r_[True, (period[1:] != period[:-1]) | (side[1:] != side[:-1])]
        )
        before = np.repeat(
            running[group_start] - self.band_width[rows][group_start],
            np.diff(np.r_[group_start, len(rows)]),
        )
        edge = running - before
        t0 = inputs.day_start + 1800.0 * (period - 1)
        at_start = np.interp(t0, fx, fy) if len(fx) else np.zeros(len(t0))
        at_end = np.interp(t0 + 1800, fx, fy) if len(fx) else np.zeros(len(t0))
        gap = np.full(len(rows), np.nan)
        xs = np.column_stack([t0, t0 + 1800, gap]).ravel()
        ys = np.column_stack([at_start + edge, at_end + edge, gap]).ravel()
        self.band_curve.setData(xs, ys)

    def _draw_volumes(self, u: int) -> None:
        """Per period: metered and expected volume, accepted offers and bids (step curves)."""
        result = self.view.result
        inputs = result.inputs
        periods = np.asarray(inputs.periods)
        columns = periods - 1  # the periods' columns in (units, periods) arrays
        edges = (inputs.bm.day_start + 1800 * np.append(columns, columns[-1] + 1)).astype(float)
        metered = result.metered_available[columns].any()
        self.metered_curve.setData(
            edges, np.nan_to_num(inputs.metered[u, columns]) if metered else np.zeros(len(columns))
        )
        pairs = inputs.bm.pairs
        volumes = result.bm.volumes
        mine = pairs.unit == u
        count = inputs.bm.periods
        qao = np.bincount(pairs.period[mine] - 1, weights=volumes.qao_nj[mine], minlength=count)[
            columns
        ]
        qab = np.bincount(pairs.period[mine] - 1, weights=volumes.qab_nj[mine], minlength=count)[
            columns
        ]
        self.offer_curve.setData(edges, qao)
        self.bid_curve.setData(edges, qab)
        self.expected_curve.setData(edges[:-1] + 900, result.non_delivery.qme[u, columns])

    def _draw_period_marker(self) -> None:
        if self.view is None:
            return
        start = self.view.result.inputs.bm.day_start + 1800 * (self.period - 1)
        for region in self.period_regions:
            region.setRegion((start, start + 1800))

    def _fill_pairs(self, keep: bool = False) -> None:
        """The selected period's pairs; `keep`: new values of the same pairs in place."""
        if self.view is None or self.unit is None:
            return
        result = self.view.result
        pairs = result.inputs.bm.pairs
        rows = np.flatnonzero((pairs.unit == self.unit) & (pairs.period == self.period))
        rows = rows[np.argsort(-pairs.pair[rows])]
        v, c = result.bm.volumes, result.bm.cashflows
        columns = [
            Column("pair", pairs.pair[rows], "int"),
            Column("PO £/MWh", pairs.offer_price[rows], "price", "offer price"),
            Column("PB £/MWh", pairs.bid_price[rows], "price", "bid price"),
            Column("QAO MWh", v.qao_nj[rows], "mwh", "accepted offer volume QAO_nij"),
            Column("QAB MWh", v.qab_nj[rows], "mwh", "accepted bid volume QAB_nij"),
            Column("CO £", c.co_nj[rows], "money", "offer cashflow QAO × PO"),
            Column("CB £", c.cb_nj[rows], "money", "bid cashflow QAB × PB"),
        ]
        if not (keep and self.pairs.update_columns(columns)):
            self.pairs.set_columns(columns)
        self.pairs.filter.setPlaceholderText(f"Pairs of period {self.period}…")

    def _describe(self, x: float) -> str:
        if self.view is None or self.unit is None:
            return ""
        local = datetime.fromtimestamp(x, UTC).astimezone(LONDON)
        inputs = self.view.result.inputs.bm
        fpn = inputs.fpn
        rows = np.flatnonzero((fpn.owner == self.unit) & (fpn.time_from <= x) & (fpn.time_to >= x))
        level = ""
        if len(rows):
            r = rows[-1]
            span = max(fpn.time_to[r] - fpn.time_from[r], 1)
            value = (
                fpn.level_from[r]
                + (fpn.level_to[r] - fpn.level_from[r]) * (x - fpn.time_from[r]) / span
            )
            level = f"  FPN {value:,.1f} MW"
        period = int((x - inputs.day_start) // 1800) + 1
        return f"{local:%H:%M} (period {period}){level}"

    def _describe_volumes(self, x: float) -> str:
        """The period under the pointer: metered, expected and accepted volumes."""
        if self.view is None or self.unit is None:
            return ""
        result = self.view.result
        inputs = result.inputs
        period = int((x - inputs.bm.day_start) // 1800) + 1
        if period not in inputs.periods:
            return ""
        point = list(inputs.periods).index(period)
        local = datetime.fromtimestamp(inputs.bm.day_start + 1800 * (period - 1), UTC)
        local = local.astimezone(LONDON)
        metered = (
            f"QM {self.metered_curve.yData[point]:,.3f}"
            if result.metered_available[period - 1]
            else "QM not metered"
        )
        # Three short lines: the chart is a third of the window's width at 1024 pixels.
        return (
            f"period {period} ({local:%H:%M})\n"
            f"{metered}  QME {result.non_delivery.qme[self.unit, period - 1]:,.3f}\n"
            f"QAO {self.offer_curve.yData[point]:,.3f}  QAB {self.bid_curve.yData[point]:,.3f} MWh"
        )

    def _clicked(self, event) -> None:
        """A click on either chart selects the period under it (as on the day overview)."""
        if self.view is None:
            return
        position = event.scenePos()
        for plot in (self.level_plot, self.volume_plot):
            if plot.vb.sceneBoundingRect().contains(position):
                x = plot.vb.mapSceneToView(position).x()
                period = int((x - self.view.result.inputs.bm.day_start) // 1800) + 1
                if 1 <= period <= self.view.result.inputs.bm.periods:
                    self.period_selected.emit(period)
                return
