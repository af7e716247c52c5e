"""The completeness banner of the day overview: computed with the run's load (in the worker),
two elided lines above the charts, the whole report in the tooltip and behind Details, and
never '£nan' where a price is unavailable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from tests.models.runs.completeness_case import completeness_case
from tests.views.window_driver import open_demo

SCREENS = os.environ.get("COMPLETENESS_SCREENS")  # a folder: keep the screenshots there


def _screenshot(main_window, tmp_path, name: str) -> None:
    """The overview with its banner, laid out and painted, as a PNG (kept if SCREENS)."""
    folder = Path(SCREENS) if SCREENS else tmp_path
    size = f"{main_window.width()}x{main_window.height()}"
    path = folder / f"completeness_{name}_{size}.png"
    assert main_window.grab().save(str(path))
    assert path.stat().st_size > 10_000


@pytest.fixture
def case_db(tmp_path):
    path = tmp_path / "case.sqlite"
    with SettlementDatabase.create(path) as db:
        import_case(db, completeness_case())
    return path


def test_the_banner_says_what_the_run_lacks_and_why_a_price_is_unavailable(
    qtbot,
    window,
    case_db,
):
    open_demo(qtbot, window, case_db)
    banner = window.overview.banner
    assert window.view.completeness is not None  # computed in the load job, with the run
    assert banner.isVisible()
    completeness = window.view.completeness
    full, compact = completeness.banner(), completeness.banner(compact=True)
    assert full.splitlines()[0].startswith("Incomplete: no LoLP/DRM")
    assert full.splitlines()[1].startswith("Price unavailable in 1 period(s) (28)")
    # Whichever fits the overview's width, unelided (the compact lines are short).
    assert banner.lines.text() in (full, compact)
    report = completeness.text()
    assert banner.toolTip() == report and "price unavailable in period(s) 28" in report
    assert not banner.details.isVisible()
    banner.details_button.click()
    assert banner.details.isVisible() and banner.details.toPlainText() == report
    assert banner.height() > banner.lines.height()
    banner.details_button.click()
    assert not banner.details.isVisible()
    title = window.overview.title.text()
    assert "nan" not in title.lower()
    assert "SSP £" in title and "(unavailable in 1 period(s))" in title
    window.tabs.setCurrentWidget(window.stack)
    window.period.setValue(28)
    stack_title = window.stack.title.text()
    assert stack_title.startswith("Period 28: SSP = SBP unavailable: NIV is 0 MWh")
    assert "nan" not in stack_title.lower()


def test_lines_are_elided_to_a_narrow_window_and_keep_their_height(
    qtbot,
    window,
    case_db,
    tmp_path,
):
    window.resize(1600, 1000)
    open_demo(qtbot, window, case_db)
    banner = window.overview.banner
    height = banner.height()
    _screenshot(window, tmp_path, "case")
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() <= 1024)
    _screenshot(window, tmp_path, "case")
    narrow = banner.lines.text().splitlines()
    compact = window.view.completeness.banner(compact=True).splitlines()
    # Too narrow for the full lines: the compact ones, cut with … only if even they do not fit.
    assert len(narrow) == 2
    for shown, line in zip(narrow, compact, strict=True):
        assert shown == line or (shown.endswith("…") and line.startswith(shown[:-1]))
    assert narrow[0].startswith("Incomplete")
    assert banner.height() == height
    for label in banner.lines.labels:
        assert label.fontMetrics().horizontalAdvance(label.text()) <= banner.lines.width()


def test_a_demo_run_is_complete_for_settlement(qtbot, window, demo_path):
    open_demo(qtbot, window, demo_path)
    completeness = window.view.completeness
    assert completeness.complete
    full, compact = completeness.banner(), completeness.banner(compact=True)
    assert full.startswith(
        "Complete: every input of a full settlement is present in the 48 periods (no published "
        "prices; some periods lack BSAD)."
    )
    assert compact.startswith("Complete for settlement.")
    assert window.overview.banner.lines.text() in (full, compact)
    assert "#e8f4e8" in window.overview.banner.styleSheet()  # the complete colour
