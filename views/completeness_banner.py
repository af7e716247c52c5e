"""The completeness banner: one or two lines above the day overview's charts saying which
inputs of a full settlement the run lacks and what that costs (models.runs.completeness), with
the whole report in the tooltip and behind *Details*.

The banner has a fixed height and elides its lines to its width, so a new run's text never
re-lays out the window (as views.steady_title); only opening the details does.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.runs.completeness import Completeness

INCOMPLETE_STYLE = "background: #fff4d6; border: 1px solid #e0b84c; border-radius: 3px;"
COMPLETE_STYLE = "background: #e8f4e8; border: 1px solid #8fc28f; border-radius: 3px;"


class _ElidedLines(QWidget):
    """Up to two lines of plain text, each cut with … to the widget's width; the compact
    lines instead where the full first line would be cut."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._lines: list[str] = []
        self._compact: list[str] = []
        self.labels = [QLabel(self), QLabel(self)]
        bold = QFont(self.font())
        bold.setBold(True)
        self.labels[0].setFont(bold)
        for label in self.labels:
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setStyleSheet("background: transparent; border: none;")
        spacing = self.fontMetrics().lineSpacing()
        self.setFixedHeight(2 * spacing + 4)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def set_lines(self, lines: list[str], compact: list[str] | None = None) -> None:
        self._lines = lines[:2]
        self._compact = (compact or lines)[:2]
        self._place()

    def text(self) -> str:
        """What is shown, elided as it is."""
        return "\n".join(label.text() for label in self.labels if label.text())

    def resizeEvent(self, event) -> None:
        self._place()
        super().resizeEvent(event)

    def _fits(self, lines: list[str]) -> bool:
        """The first (the main) line fits whole; the second may be cut."""
        return not lines or self.labels[0].fontMetrics().horizontalAdvance(lines[0]) <= self.width()

    def _place(self) -> None:
        spacing = self.fontMetrics().lineSpacing()
        lines = self._lines if self._fits(self._lines) else self._compact
        for row, label in enumerate(self.labels):
            line = lines[row] if row < len(lines) else ""
            label.setGeometry(0, 2 + row * spacing, self.width(), spacing)
            label.setText(
                label.fontMetrics().elidedText(line, Qt.TextElideMode.ElideRight, self.width())
            )


class CompletenessBanner(QFrame):
    """What the loaded run lacks for a full settlement; hidden until a run is shown."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("completenessBanner")
        self.lines = _ElidedLines()
        self.details_button = QToolButton()
        self.details_button.setText("Details")
        self.details_button.setCheckable(True)
        self.details_button.setToolTip("Every gap, the periods it concerns and what it does")
        self.details_button.toggled.connect(self._toggle_details)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.details.setMaximumHeight(180)
        self.details.hide()
        row = QHBoxLayout()
        row.setContentsMargins(6, 2, 4, 2)
        row.addWidget(self.lines, 1)
        row.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(row)
        layout.addWidget(self.details)
        self.completeness: Completeness | None = None
        self.hide()

    def show_completeness(self, completeness: Completeness | None) -> None:
        self.completeness = completeness
        if completeness is None:
            self.hide()
            return
        self.lines.set_lines(
            completeness.banner().splitlines(), completeness.banner(compact=True).splitlines()
        )
        report = completeness.text()
        self.setToolTip(report)
        self.details.setPlainText(report)
        style = COMPLETE_STYLE if completeness.complete else INCOMPLETE_STYLE
        self.setStyleSheet(f"#completenessBanner {{ {style} }}")
        self.show()

    def resizeEvent(self, event) -> None:
        # Narrow (docks wide open): the button gives its room to the text.
        self.details_button.setText("Details" if event.size().width() > 480 else "▾")
        super().resizeEvent(event)

    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
