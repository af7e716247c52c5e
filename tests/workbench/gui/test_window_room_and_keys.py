"""Issue 20, the analyst's desk on a laptop: a focus mode, charts that keep room for their
data at 1024×640, a key for every view, dock and filter box, and the README and rulebook
opened from Help. Keys are pressed as a user would (the window's shortcuts, not slots)."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDockWidget, QToolBar

from tests.views.window_driver import open_demo, screenshot
from views.chart_room import LEAST_DATA_HEIGHT
from workbench.gui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
# Measured on this demo before the charts kept their room: at 1600×1000 the overview's price
# and NIV data areas were 192 and 106 px high, the BM unit charts' 317 and 146.
WIDE_BEFORE = {"price": 192, "niv": 106, "level": 317, "volume": 146}


def _press(qtbot, window, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window, key, modifiers)
    if modifiers & SHIFT:
        # QTest's click with Ctrl+Shift leaves the application believing Shift is held; the
        # next test's selectRow would then extend a selection from no anchor (and select none).
        qtbot.keyRelease(window, Qt.Key.Key_Shift)
    qtbot.wait(30)


def _active(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def _docks(window) -> list[QDockWidget]:
    return window.findChildren(QDockWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)


def _layout(window) -> dict:
    """Each dock's and toolbar's visibility and, shown, its place."""
    bars = window.findChildren(QToolBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return {
        w.objectName(): (w.isVisible(), w.geometry().getRect() if w.isVisible() else None)
        for w in (*_docks(window), *bars)
    }


def _data_heights(window) -> dict[str, float]:
    """The data areas (ViewBox) of the overview's and the BM units view's charts, in px, as
    drawn once each view is shown."""
    heights = {}
    for view, plots in (
        (window.overview, {"price": "price_plot", "niv": "niv_plot"}),
        (window.explorer, {"level": "level_plot", "volume": "volume_plot"}),
    ):
        window.tabs.setCurrentWidget(view)
        QApplication.processEvents()  # the charts' layout, arranged as the view shows
        window.grab()  # laid out and drawn
        for name, attr in plots.items():
            heights[name] = getattr(view, attr).vb.sceneBoundingRect().height()
    window.tabs.setCurrentWidget(window.overview)
    return heights


def _resize(qtbot, window, width: int, height: int) -> None:
    window.resize(width, height)
    qtbot.waitUntil(lambda: window.width() == width and window.height() == height)
    qtbot.wait(150)  # the chart rooms arrange after the resize


def test_focus_mode_gives_the_view_the_window_and_puts_every_dock_back(
    qtbot, window, demo_path, tmp_path
):
    open_demo(qtbot, window, demo_path)
    _active(qtbot, window)
    window.disputes.cases_dock.show()  # a bottom dock as well as the side ones
    qtbot.wait(30)
    before = _layout(window)
    assert sum(shown for shown, _ in before.values()) >= 5  # Runs, Scenario, Inspector, cases, bar
    _press(qtbot, window, Qt.Key.Key_F11)
    assert window.focus_action.isChecked()
    assert not any(shown for shown, _ in _layout(window).values())
    assert window.centralWidget().width() == window.width()
    screenshot(window, tmp_path, "focus_mode")
    _press(qtbot, window, Qt.Key.Key_F11)
    assert not window.focus_action.isChecked()
    assert _layout(window) == before
    # Closed in focus mode, the window opens next time with its docks, not without them.
    _press(qtbot, window, Qt.Key.Key_F11)
    window.close()
    again = MainWindow(window.settings)
    qtbot.addWidget(again)
    again.resize(1500, 900)
    again.show()
    qtbot.wait(30)
    assert again.runs_dock.isVisible() and again.inspector_dock.isVisible()
    assert again.toolbar.isVisible() and not again.focus_action.isChecked()
    again.close()


def test_at_1024_by_640_every_chart_keeps_120_px_of_data_docks_shown(
    qtbot, window, demo_path, tmp_path
):
    """With the Runs, Scenario and Inspector docks shown (the harder case: focus mode only
    adds the toolbar's height), each of the four charts' data areas is at least 120 px high
    at 1024×640 (43/43 and 118/74 px before), and the charts fit their pane's width; at
    1600×1000 none lost height, the tables are shown, and back at 1600×1000 they come back."""
    open_demo(qtbot, window, demo_path)
    _resize(qtbot, window, 1600, 1000)
    wide = _data_heights(window)
    for name, before in WIDE_BEFORE.items():
        assert wide[name] >= before - 1, (name, wide[name])
    parties = window.overview.tables
    assert parties.height() >= parties.minimumSizeHint().height()
    _resize(qtbot, window, 1024, 640)
    assert window.runs_dock.isVisible() and window.inspector_dock.isVisible()
    assert window.disputes.scenario_dock.isVisible()
    narrow = _data_heights(window)
    assert min(narrow.values()) >= LEAST_DATA_HEIGHT, narrow
    # The BM unit charts fit their pane (their one-line keys held them 570 px wide in 322,
    # the day's second half off the side): the keys wrap instead.
    for view in (window.explorer, window.overview):
        window.tabs.setCurrentWidget(view)
        QApplication.processEvents()
        assert view.charts.ci.geometry().width() <= view.charts.viewport().width() + 1
    screenshot(window, tmp_path, "overview_1024x640")
    window.set_focus_mode(True)
    qtbot.wait(150)
    focused = _data_heights(window)
    assert min(focused.values()) >= LEAST_DATA_HEIGHT, focused
    window.set_focus_mode(False)
    qtbot.wait(150)
    # The tables gave way; Ctrl+F (their filter box asked for) brings them back.
    _active(qtbot, window)
    assert window.overview.tables.height() == 0
    _press(qtbot, window, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is window.overview.parties.filter
    assert parties.height() >= parties.minimumSizeHint().height()
    _resize(qtbot, window, 1600, 1000)
    again = _data_heights(window)
    for name, before in WIDE_BEFORE.items():
        assert again[name] >= before - 1, (name, again[name])
    assert parties.height() >= parties.minimumSizeHint().height()


def test_every_view_dock_and_filter_box_has_its_key_and_no_key_is_taken_twice(
    qtbot, window, demo_path
):
    open_demo(qtbot, window, demo_path)
    _active(qtbot, window)
    views = [
        window.overview,
        window.explorer,
        window.stack,
        window.disputes.comparison,
        window.reconciliation.view,
    ]
    for number, view in reversed(list(enumerate(views, start=1))):
        _press(qtbot, window, getattr(Qt.Key, f"Key_{number}"), CTRL)
        assert window.tabs.currentWidget() is view, number
    _press(qtbot, window, Qt.Key.Key_6, CTRL)  # the Impact tab, made when first asked for
    assert window.impact.view is not None and window.tabs.currentWidget() is window.impact.view
    assert window.tabs.tabText(5) == "Impact"
    # Ctrl+F: the view's table's filter box; in the BM units view, the one last used.
    _press(qtbot, window, Qt.Key.Key_1, CTRL)
    _press(qtbot, window, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is window.overview.parties.filter
    _press(qtbot, window, Qt.Key.Key_2, CTRL)
    _press(qtbot, window, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is window.explorer.units.filter
    window.explorer.pairs.view.setFocus()
    _press(qtbot, window, Qt.Key.Key_F, CTRL)
    assert QApplication.focusWidget() is window.explorer.pairs.filter
    # Each dock closes and opens again by its key.
    for dock, key in (
        (window.runs_dock, Qt.Key.Key_R),
        (window.disputes.scenario_dock, Qt.Key.Key_S),
        (window.inspector_dock, Qt.Key.Key_I),
        (window.disputes.cases_dock, Qt.Key.Key_D),
    ):
        shown = dock.isVisible()
        _press(qtbot, window, key, CTRL | SHIFT)
        assert dock.isVisible() is not shown, dock.windowTitle()
        _press(qtbot, window, key, CTRL | SHIFT)
        assert dock.isVisible() is shown, dock.windowTitle()
    # No two of the window's menu entries answer the same key (one would never be reached).
    # (A table's context menu shows Ctrl+C too: the table takes that key itself.)
    keys = Counter(k.toString() for a in _menu_entries(window.menuBar()) for k in a.shortcuts())
    assert len(keys) >= 20 and [k for k, n in keys.items() if n > 1] == []
    assert QApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier


def _menu_entries(menu) -> list[QAction]:
    entries = []
    for action in menu.actions():
        entries.append(action)
        if action.menu() is not None:
            entries.extend(_menu_entries(action.menu()))
    return entries


def test_help_opens_the_readme_and_the_rulebook_in_the_desktops_viewer(
    qtbot, window, monkeypatch, tmp_path
):
    import views.help_dialogs as help_dialogs

    opened: list[QUrl] = []
    monkeypatch.setattr(
        help_dialogs.QDesktopServices, "openUrl", lambda url: opened.append(url) or True
    )
    readme, rulebook = help_dialogs.README, help_dialogs.RULEBOOK
    assert readme.is_file() and rulebook.is_file()
    assert (readme.name, rulebook.name) == ("README.md", "SETTLEMENT_RULES.md")
    entries = {a.text(): a for a in window.help_menu.actions()}
    entries["&README"].trigger()
    entries["Settlement &rulebook"].trigger()
    guide = window.show_guide()
    for button in guide.document_buttons:
        button.click()
    files = [QUrl.fromLocalFile(str(readme)), QUrl.fromLocalFile(str(rulebook))]
    assert opened == files * 2
    assert [b.text() for b in guide.document_buttons] == ["Open the README", "Open the rulebook"]
    guide.close()
    # A document not there: one line saying where it was looked for, nothing opened.
    monkeypatch.setattr(help_dialogs, "RULEBOOK", tmp_path / "SETTLEMENT_RULES.md")
    monkeypatch.setattr(
        "workbench.gui.main_window.RULEBOOK", tmp_path / "SETTLEMENT_RULES.md", raising=True
    )
    window.open_rulebook()
    assert window.status.text() == (
        f"Cannot open the rulebook: SETTLEMENT_RULES.md is not at {tmp_path}."
    )
    assert len(opened) == 4
    window._last_error.close()
