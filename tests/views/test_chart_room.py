"""A ChartRoom's splitter of stacked charts over a table: the table gives way, collapses on a
short splitter and comes back at its height; the charts go compact only while short."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTableWidget

from views.chart_room import COLLAPSED_TIP, ChartRoom


def _room(qtbot):
    charts = pg.GraphicsLayoutWidget()
    upper = charts.addPlot(row=0, col=0, title="upper")
    lower = charts.addPlot(row=1, col=0, title="lower")
    lower.setXLink(upper)
    charts.ci.layout.setRowStretchFactor(0, 3)
    charts.ci.layout.setRowStretchFactor(1, 2)
    splitter = QSplitter(Qt.Orientation.Vertical)
    splitter.addWidget(charts)
    splitter.addWidget(QTableWidget(20, 3))
    splitter.setSizes([420, 300])
    qtbot.addWidget(splitter)
    splitter.resize(500, 1000)
    splitter.show()
    qtbot.wait(20)
    return splitter, ChartRoom(charts, [upper, lower]), upper, lower


def _settled(qtbot, splitter, height: int) -> list[int]:
    splitter.resize(500, height)
    qtbot.wait(30)
    return splitter.sizes()


def test_the_tables_give_way_collapse_and_come_back(qtbot):
    splitter, room, upper, _lower = _room(qtbot)
    need = room.need()
    tall = _settled(qtbot, splitter, 1000)
    assert tall[0] >= need and tall[1] > 0 and not room.compact
    table = splitter.widget(1)
    least = table.minimumSizeHint().height()
    middle = _settled(qtbot, splitter, need + least + 40)
    assert middle[0] >= need and middle[1] >= least  # given way, still shown
    short = _settled(qtbot, splitter, need + least - 40)
    assert short[1] == 0 and splitter.handle(1).toolTip() == COLLAPSED_TIP
    assert not room.compact  # the charts have their need without the table
    shorter = _settled(qtbot, splitter, need - 60)
    assert shorter[1] == 0 and room.compact
    assert not upper.getAxis("bottom").style["showValues"]
    back = _settled(qtbot, splitter, 1000)
    assert back[1] >= least and back[0] >= need and not room.compact
    assert upper.getAxis("bottom").style["showValues"]
    assert splitter.handle(1).toolTip() == ""


def test_a_collapsed_table_asked_for_comes_back_at_its_least_height(qtbot):
    splitter, room, _upper, _lower = _room(qtbot)
    assert _settled(qtbot, splitter, room.need() - 20)[1] == 0
    room.show_tables()
    qtbot.wait(20)
    assert splitter.sizes()[1] >= splitter.widget(1).minimumSizeHint().height()
