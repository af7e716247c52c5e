"""The charts as drawn, against their reference images (tests/views/image_regression.py):
the day overview, the BM unit charts and the price stack of one demo day, each in a view of
1600x1000 and of 1024x640 pixels (the sizes the workbench is checked at, tests/views/
screens.py). Then the check itself: a period one later, a pen of another colour, a missing
series, a key without its mark or a wider value range fails it; glyphs drawn with another
hinting (as on a machine with other fonts) do not.

The data is fixed: the demo day of seed 5 (models.demo), its II run; the unit is the one
with the most accepted volume, the period of the unit charts 30; the stack's periods are
10 (a £9,999 offer drawn to the edge, its price written there) and 22 (second-stage
flagged items, a replacement price next to the main price). The comparison charts compare
its SF run with the II run; the impact charts are of PAR 50 on the II run.
"""

from __future__ import annotations

import re

import pyqtgraph as pg
import pytest
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.runs.run_view import load_run_view
from tests.views import image_regression
from tests.views.image_regression import assert_matches_reference
from tests.views.screens import SIZES
from views.comparison_view import ComparisonView
from views.day_overview import DayOverview
from views.impact_view import ImpactView
from views.stack_view import StackView
from views.unit_explorer import UnitExplorer

BUSIEST_UNIT = "T_CNQPS-4"  # the most accepted volume of the demo day (seed 5)
UNIT_PERIOD = 30
SMALL = SIZES[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("chart-images") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=30, seed=5))
    return path


@pytest.fixture(scope="module")
def run_view(demo):
    with SettlementDatabase.open(demo) as db:
        return load_run_view(db, 1)  # the II run


@pytest.fixture(scope="module")
def sf_run_view(demo):
    with SettlementDatabase.open(demo) as db:
        return load_run_view(db, 2)  # the SF run


def _shown(qtbot, widget, size):
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    return widget


def day_overview(qtbot, run_view, size) -> DayOverview:
    overview = _shown(qtbot, DayOverview(), size)
    # As the workbench fills it (workbench.gui.main_window.MainWindow.ensure_shown).
    overview.show_result(
        run_view.result,
        run_view.label,
        run_view.published_prices,
        differences=run_view.differences,
    )
    overview.show_warnings(run_view.warnings)
    overview.show_completeness(run_view.completeness)
    return overview


def unit_explorer(qtbot, run_view, size) -> UnitExplorer:
    explorer = _shown(qtbot, UnitExplorer(), size)
    explorer.show_run(run_view)
    assert explorer.select_unit(BUSIEST_UNIT)
    explorer.set_period(UNIT_PERIOD)
    return explorer


def price_stack(qtbot, run_view, size, period: int) -> StackView:
    stack = _shown(qtbot, StackView(), size)
    stack.show_run(run_view)
    stack.set_period(period)
    return stack


def comparison_view(qtbot, run_view, sf_run_view, size) -> ComparisonView:
    from models.disputes.compare import compare

    view = _shown(qtbot, ComparisonView(), size)
    c = compare(run_view.result, sf_run_view.result, run_view.label, sf_run_view.label)
    view.show_comparison(c, run_view.result.inputs.bm.settlement_date)
    return view


def impact_view(qtbot, run_view, size) -> ImpactView:
    from engine.settle import settle_day_and_variant
    from engine.variants import VARIANTS
    from models.impact.day import run_impact
    from models.impact.report import impact_report

    variant = VARIANTS["par-50"]
    base, varied = settle_day_and_variant(run_view.result.inputs, variant)
    impact = run_impact(1, run_view.label, "II", base, varied)
    day = run_view.result.inputs.bm.settlement_date
    view = _shown(qtbot, ImpactView(), size)
    view.show_report(impact_report(variant, day, day, [impact], []))
    return view


def _name(chart: str, size) -> str:
    return f"{chart}_{size[0]}x{size[1]}"


def _ids(size) -> str:
    return f"{size[0]}x{size[1]}"


# -- the charts --------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES, ids=_ids)
def test_day_overview_charts(qtbot, run_view, size):
    overview = day_overview(qtbot, run_view, size)
    plots = [overview.price_plot, overview.niv_plot]
    assert_matches_reference(overview.charts, plots, _name("day_overview", size))


@pytest.mark.parametrize("size", SIZES, ids=_ids)
def test_bm_unit_charts(qtbot, run_view, size):
    explorer = unit_explorer(qtbot, run_view, size)
    plots = [explorer.level_plot, explorer.volume_plot]
    assert_matches_reference(explorer.charts, plots, _name("bm_unit", size))


@pytest.mark.parametrize("period", [10, 22])
@pytest.mark.parametrize("size", SIZES, ids=_ids)
def test_price_stack_chart(qtbot, run_view, size, period):
    stack = price_stack(qtbot, run_view, size, period)
    name = _name(f"price_stack_period_{period}", size)
    assert_matches_reference(stack.chart, [stack.plot], name)


@pytest.mark.parametrize("size", SIZES, ids=_ids)
def test_comparison_charts(qtbot, run_view, sf_run_view, size):
    view = comparison_view(qtbot, run_view, sf_run_view, size)
    plots = [view.party_plot, view.period_plot]
    assert_matches_reference(view.charts, plots, _name("comparison", size))


@pytest.mark.parametrize("size", SIZES, ids=_ids)
def test_impact_charts(qtbot, run_view, size):
    view = impact_view(qtbot, run_view, size)
    plots = [view.histogram, view.party_plot, view.series]
    assert_matches_reference(view.charts, plots, _name("impact", size))


# -- the comparison fails on a change, not on font noise --------------------------------


def _fails(view, plots, name, tmp_path) -> str:
    with pytest.raises(AssertionError) as failure:
        assert_matches_reference(view, plots, name, tmp_path, may_update=False)
    message = str(failure.value)
    assert f"chart {name} differs from tests/views/reference_images/{name}.png" in message
    assert str(tmp_path) in message
    for kind in ("actual", "reference", "diff"):
        assert (tmp_path / f"{name}.{kind}.png").is_file()
    return message


def test_a_period_later_fails(qtbot, run_view, tmp_path):
    stack = price_stack(qtbot, run_view, SMALL, 23)
    _fails(stack.chart, [stack.plot], _name("price_stack_period_22", SMALL), tmp_path)
    explorer = unit_explorer(qtbot, run_view, SMALL)
    explorer.set_period(UNIT_PERIOD + 1)  # the period marker one period on
    plots = [explorer.level_plot, explorer.volume_plot]
    _fails(explorer.charts, plots, _name("bm_unit", SMALL), tmp_path)


def test_a_pen_of_another_colour_fails(qtbot, run_view, tmp_path):
    overview = day_overview(qtbot, run_view, SMALL)
    (price,) = overview.price_plot.listDataItems()
    price.setPen(pg.mkPen("#1f77b4", width=2))  # the FPN blue for the SSP orange
    plots = [overview.price_plot, overview.niv_plot]
    _fails(overview.charts, plots, _name("day_overview", SMALL), tmp_path)


def test_a_missing_series_fails(qtbot, run_view, tmp_path):
    explorer = unit_explorer(qtbot, run_view, SMALL)
    explorer.band_curve.setData([], [])  # the bid-offer band edges
    plots = [explorer.level_plot, explorer.volume_plot]
    message = _fails(explorer.charts, plots, _name("bm_unit", SMALL), tmp_path)
    plot_pixels = re.search(r": ([\d,]+) plot-area pixels", message)
    assert plot_pixels is not None and int(plot_pixels.group(1).replace(",", "")) > 8


def test_a_changed_key_fails(qtbot, run_view, tmp_path):
    if not image_regression.glyphs_as_in_reference(_name("day_overview", SMALL)):
        pytest.skip("glyphs are drawn otherwise here than in the references: text by squares")
    overview = day_overview(qtbot, run_view, SMALL)
    overview.price_plot.setTitle("engine SSP = SBP", size="8pt", justify="left")  # no ●
    plots = [overview.price_plot, overview.niv_plot]
    message = _fails(overview.charts, plots, _name("day_overview", SMALL), tmp_path)
    text_pixels = re.search(r": 0 plot-area pixels and ([\d,]+) text pixels", message)
    assert text_pixels is not None and int(text_pixels.group(1).replace(",", "")) > 8


def test_a_wider_value_range_fails(qtbot, run_view, tmp_path):
    overview = day_overview(qtbot, run_view, SMALL)
    (_, _), (low, high) = overview.price_plot.vb.viewRange()
    overview.price_plot.setYRange(low, high + 0.05 * (high - low), padding=0)
    plots = [overview.price_plot, overview.niv_plot]
    _fails(overview.charts, plots, _name("day_overview", SMALL), tmp_path)


def test_a_chart_of_another_size_fails(qtbot, run_view, tmp_path):
    explorer = unit_explorer(qtbot, run_view, (SMALL[0] - 24, SMALL[1]))  # a narrower view
    plots = [explorer.level_plot, explorer.volume_plot]
    with pytest.raises(AssertionError, match=r"is \d+x415 pixels, its reference .* 671x415"):
        assert_matches_reference(explorer.charts, plots, _name("bm_unit", SMALL), tmp_path)
    assert (tmp_path / "bm_unit_1024x640.actual.png").is_file()


def test_references_are_rewritten_only_on_purpose(qtbot, run_view, tmp_path, monkeypatch):
    """Without the variable a missing reference fails; with it, a missing or differing one
    is written and the test skipped, a matching one left as it is."""
    monkeypatch.setattr(image_regression, "REFERENCES", tmp_path)
    stack = price_stack(qtbot, run_view, SMALL, 22)
    monkeypatch.delenv(image_regression.UPDATE_VARIABLE, raising=False)
    with pytest.raises(AssertionError, match=r"no reference image .*price_stack_new\.png: if"):
        assert_matches_reference(stack.chart, [stack.plot], "price_stack_new")
    assert not (tmp_path / "price_stack_new.png").exists()
    monkeypatch.setenv(image_regression.UPDATE_VARIABLE, "1")
    with pytest.raises(pytest.skip.Exception, match=r"wrote .*price_stack_new\.png"):
        assert_matches_reference(stack.chart, [stack.plot], "price_stack_new")
    written = (tmp_path / "price_stack_new.png").stat().st_mtime_ns
    assert_matches_reference(stack.chart, [stack.plot], "price_stack_new")  # matches: kept
    assert (tmp_path / "price_stack_new.png").stat().st_mtime_ns == written
    stack.set_period(23)
    with pytest.raises(pytest.skip.Exception):
        assert_matches_reference(stack.chart, [stack.plot], "price_stack_new")
    monkeypatch.delenv(image_regression.UPDATE_VARIABLE)
    assert_matches_reference(stack.chart, [stack.plot], "price_stack_new")  # period 23 now


@pytest.mark.parametrize(
    "hinting",
    [QFont.HintingPreference.PreferFullHinting, QFont.HintingPreference.PreferNoHinting],
    ids=["full hinting", "no hinting"],
)
def test_text_drawn_with_another_hinting_still_matches(qtbot, run_view, hinting, tmp_path):
    """Glyphs differ from machine to machine (fontconfig's hinting, FreeType's version):
    the same charts with every glyph drawn otherwise still match their references."""
    app = QApplication.instance()
    before = app.font()
    font = QFont(before)
    font.setHintingPreference(hinting)
    app.setFont(font)
    try:
        explorer = unit_explorer(qtbot, run_view, SMALL)
        plots = [explorer.level_plot, explorer.volume_plot]
        assert_matches_reference(
            explorer.charts, plots, _name("bm_unit", SMALL), tmp_path, may_update=False
        )
        stack = price_stack(qtbot, run_view, SMALL, 10)
        name = _name("price_stack_period_10", SMALL)
        assert_matches_reference(stack.chart, [stack.plot], name, tmp_path, may_update=False)
        # Text compared by squares here, the plot areas still pixel by pixel.
        explorer.set_period(UNIT_PERIOD + 1)
        message = _fails(explorer.charts, plots, _name("bm_unit", SMALL), tmp_path)
        assert "rendered otherwise than the reference: glyphs" in message
    finally:
        app.setFont(before)
