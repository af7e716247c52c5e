"""A title line whose new text never re-lays out the window.

A QLabel asks its parent layout for new geometry on every setText; the request climbs to the
main window, which then recomputes every dock, splitter and chart layout. Titles change on
each unit or period selection, so ours sit in a fixed-height box that places its label by
hand: the box has no layout, and a label's request stops at it.

A title made of facts (`set_facts`: the most important first) shows as many whole facts as
its width has room for, so that a narrow window (1024×640 with the docks shown) drops the
least important instead of cutting the text at the box's edge; a trailing "…" says some were
left out, and the tooltip holds them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

LEFT_OUT = " …"  # ends a title some of whose facts did not fit


@dataclass(frozen=True)
class FactLine:
    """One line of a title of several (SteadyTitle.set_fact_lines), in rich text."""

    head: str
    facts: tuple[str, ...] = ()
    separator: str = ": "  # between the head and the first fact
    joiner: str = "; "

    def text(self, count: int) -> str:
        """The head and the first `count` facts, "…" if that leaves some out."""
        if not count:
            return self.head + (LEFT_OUT if self.facts else "")
        shown = self.head + self.separator + self.joiner.join(self.facts[:count])
        return shown + (LEFT_OUT if count < len(self.facts) else "")


def _plain(text: str) -> str:
    """Rich text as a person reads it (a tooltip's)."""
    if "<" not in text:
        return text
    document = QTextDocument()
    document.setHtml(text)
    return document.toPlainText()


class SteadyTitle(QWidget):
    """A bold title of `lines` lines (rich text allowed), as wide as its place in the layout."""

    def __init__(
        self, text: str = "", lines: int = 1, word_wrap: bool = False, parent=None
    ) -> None:
        super().__init__(parent)
        self.label = QLabel(text, self)
        self.label.setWordWrap(word_wrap)
        self.label.setStyleSheet("font-weight: bold; padding: 2px;")
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(self.label.fontMetrics().lineSpacing() * lines + 8)
        self.lines = lines
        self._facts: tuple[str, tuple[str, ...], str] | None = None  # set_facts's
        self._fact_lines: tuple[FactLine, ...] | None = None  # set_fact_lines's
        self._full = ""  # the whole text of the facts

    def set_lines(self, lines: int) -> None:
        """Room for `lines` lines, the text wrapped at words (once: a new height re-lays out
        the window)."""
        height = self.label.fontMetrics().lineSpacing() * lines + 8
        self.lines = lines
        if height != self.height():
            self.label.setWordWrap(lines > 1)
            self.setFixedHeight(height)
            self._fit()

    def setText(self, text: str) -> None:  # QLabel's name, so titles read like labels
        self._facts = self._fact_lines = None
        self.label.setTextFormat(Qt.TextFormat.AutoText)
        self.label.setText(text)

    def set_facts(self, head: str, facts: Sequence[str], joiner: str = "; ") -> None:
        """`head: fact<joiner>fact…`, the facts in order of importance: those that do not fit
        the width are left out from the last (said by "…"; the tooltip has the whole text)."""
        self._facts, self._fact_lines = (head, tuple(facts), joiner), None
        self.label.setTextFormat(Qt.TextFormat.AutoText)
        self._full = head + (": " + joiner.join(facts) if facts else "")
        self.label.setToolTip(_plain(self._full))
        self._fit()

    def set_fact_lines(self, lines: Sequence[FactLine]) -> None:
        """Lines of rich text (one per line of the box, not wrapped), each `head` then its
        facts in order of importance, after `separator`, joined by `joiner`: each line shows
        as many of its facts as the width has room for, "…" ending one that left some out."""
        self._facts, self._fact_lines = None, tuple(lines)
        self.label.setWordWrap(False)
        # Measured line by line: one without a tag ("A&nbsp;&nbsp;B") is rich text too.
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self._full = "<br>".join(line.text(len(line.facts)) for line in self._fact_lines)
        self.label.setToolTip(_plain(self._full))
        self._fit()

    def text(self) -> str:
        """The whole text (of all the facts, shown or not)."""
        if self._facts is None and self._fact_lines is None:
            return self.label.text()
        return self._full

    def shown_text(self) -> str:
        """The text as shown: without the facts the width left out."""
        return self.label.text()

    def fits(self) -> bool:
        """Whether the shown text fits the box: its lines when wrapped, else its width."""
        if self.label.wordWrap():
            return self.lines_needed() <= self.lines
        return self.label.sizeHint().width() <= self.width()

    def lines_needed(self) -> int:
        """The lines the shown text takes wrapped at the box's width (the label's own
        measure, less what one line of it takes: its padding and a rich text's margins)."""
        text, width = self.label.text(), self.width()
        self.label.setText("X")
        one = self.label.heightForWidth(width)
        self.label.setText(text)
        spacing = self.label.fontMetrics().lineSpacing()
        return 1 + max(0, round((self.label.heightForWidth(width) - one) / spacing))

    def _fit(self) -> None:
        if self._fact_lines is not None:
            self._fit_lines()
            return
        if self._facts is None:
            return
        head, facts, joiner = self._facts
        self.label.ensurePolished()  # measured in the font shown (its style sheet's bold)
        for shown in range(len(facts), -1, -1):
            text = head + (": " + joiner.join(facts[:shown]) if shown else "")
            self.label.setText(text + (LEFT_OUT if shown < len(facts) else ""))
            if self.fits():
                return
        if "<" not in head and not self.label.wordWrap():  # not even the head: elided
            metrics = self.label.fontMetrics()
            padding = self.label.sizeHint().width() - metrics.horizontalAdvance(self.label.text())
            room = self.width() - padding
            self.label.setText(metrics.elidedText(head, Qt.TextElideMode.ElideRight, room))

    def _fit_lines(self) -> None:
        self.label.ensurePolished()
        shown = []
        for line in self._fact_lines:
            for count in range(len(line.facts), -1, -1):
                text = line.text(count)
                self.label.setText(text)
                if count == 0 or self.label.sizeHint().width() <= self.width():
                    shown.append(text)
                    break
        self.label.setText("<br>".join(shown))

    def resizeEvent(self, event) -> None:
        self.label.setGeometry(self.rect())
        if event.size().width() != event.oldSize().width():
            self._fit()
        super().resizeEvent(event)
