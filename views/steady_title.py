"""A title line whose new text never re-lays out the window.

A QLabel asks its parent layout for new geometry on every setText; the request climbs to the
main window, which then recomputes every dock, splitter and chart layout. Titles change on
each unit or period selection, so ours sit in a fixed-height box that places its label by
hand: the box has no layout, and a label's request stops at it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


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

    def set_lines(self, lines: int) -> None:
        """Room for `lines` lines, the text wrapped at words (once: a new height re-lays out
        the window)."""
        height = self.label.fontMetrics().lineSpacing() * lines + 8
        if height != self.height():
            self.label.setWordWrap(lines > 1)
            self.setFixedHeight(height)

    def setText(self, text: str) -> None:  # QLabel's name, so titles read like labels
        self.label.setText(text)

    def text(self) -> str:
        return self.label.text()

    def resizeEvent(self, event) -> None:
        self.label.setGeometry(self.rect())
        super().resizeEvent(event)
