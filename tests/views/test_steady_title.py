"""A steady title: new text, however long, moves nothing around it (a QLabel in its place
would), and its label fills the box it has."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from views.steady_title import SteadyTitle

LONG = "<b>T_B-2</b> " + "a title that wraps onto many lines " * 12


def column(qtbot, title: QWidget) -> tuple[QWidget, QLabel]:
    box = QWidget()
    layout = QVBoxLayout(box)
    below = QLabel("the chart below")
    layout.addWidget(title)
    layout.addWidget(below)
    layout.addStretch()
    qtbot.addWidget(box)
    box.resize(300, 400)
    box.show()
    qtbot.waitExposed(box)
    return box, below


def test_new_text_moves_nothing_around_it(qtbot):
    title = SteadyTitle("Unit T_A-1", lines=2, word_wrap=True)
    _, below = column(qtbot, title)
    before = (title.geometry(), below.geometry())
    title.setText(LONG)
    QApplication.processEvents()
    assert (title.geometry(), below.geometry()) == before
    assert title.text() == LONG
    assert title.label.geometry() == title.rect()


def test_a_plain_label_in_its_place_would_push_the_chart_down(qtbot):
    # The same layout with a QLabel: its request for more height moves what lies below, which
    # is what the steady title is for.
    label = QLabel("Unit T_A-1")
    label.setWordWrap(True)
    _, below = column(qtbot, label)
    top = below.geometry().top()
    label.setText(LONG)
    QApplication.processEvents()
    assert below.geometry().top() > top


def test_two_lines_are_taller_than_one_and_the_width_follows_the_layout(qtbot):
    one, two = SteadyTitle("a"), SteadyTitle("a", lines=2)
    qtbot.addWidget(one)
    qtbot.addWidget(two)
    assert two.height() - one.height() == one.label.fontMetrics().lineSpacing()
    one.show()
    qtbot.waitExposed(one)
    one.resize(500, one.height())
    QApplication.processEvents()
    assert one.label.geometry() == one.rect() and one.label.width() == 500


def test_facts_that_do_not_fit_are_left_out_from_the_last_and_nothing_moves(qtbot):
    title = SteadyTitle()
    box, below = column(qtbot, title)
    before = (title.geometry(), below.geometry())
    facts = ["CSOBM £286,109.18", "SSP £-82.46 to £131.73", "48 periods"]
    title.set_facts("2024-06-12 II", facts)
    whole = "2024-06-12 II: CSOBM £286,109.18; SSP £-82.46 to £131.73; 48 periods"
    assert title.text() == whole and title.label.toolTip() == whole
    assert title.shown_text() == "2024-06-12 II: CSOBM £286,109.18 …"  # 300 px wide
    assert title.fits() and (title.geometry(), below.geometry()) == before
    box.resize(700, 400)
    QApplication.processEvents()
    assert title.shown_text() == whole and title.fits()
    box.resize(60, 400)
    QApplication.processEvents()
    assert title.shown_text().endswith("…") and title.fits()  # even the head, elided
    title.setText("plain again")
    assert title.text() == title.shown_text() == "plain again"


def test_wrapped_facts_fill_their_lines(qtbot):
    title = SteadyTitle(lines=2, word_wrap=True)
    box, _ = column(qtbot, title)
    title.set_facts(
        "<b>BM unit T_A-1, period 3</b>", ["3 steps", "2 resting on assumed rules"], ", "
    )
    assert title.shown_text() == title.text() and title.lines_needed() <= 2
    box.resize(140, 400)
    QApplication.processEvents()
    assert title.shown_text() == "<b>BM unit T_A-1, period 3</b> …" and title.fits()
