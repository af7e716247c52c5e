"""File › Open database…: a settlement database file (chosen as before) or a team database
on a PostgreSQL or MariaDB server, by its SQLAlchemy URL; and the password a server asks
for, typed for this opening only (never stored: see workbench.gui.server_open).

The dialogs only say what the analyst chose; the window opens the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

DATABASE_FILTER = "Settlement databases (*.sqlite *.db);;All files (*)"
URL_HINT = (
    "e.g. postgresql+psycopg://analyst@db-host:5432/settlement or "
    "mysql+pymysql://analyst@db-host:3306/settlement. Leave the password out: it is asked for "
    "when the server wants one, and never stored."
)


@dataclass(frozen=True)
class DatabaseChoice:
    """What to open: a file's path, or a server URL (as typed: it may carry a password)."""

    location: str
    server: bool


class OpenDatabaseDialog(QDialog):
    """File or server URL. `file` and `url` start filled with the last ones opened."""

    def __init__(self, file: str = "", url: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open settlement database")
        self.setModal(True)
        self.file_choice = QRadioButton("&File")
        self.server_choice = QRadioButton("&Server URL")
        self.choices = QButtonGroup(self)
        self.choices.addButton(self.file_choice)
        self.choices.addButton(self.server_choice)
        self.file = QLineEdit(file, placeholderText="a settlement database file (.sqlite)")
        self.browse = QPushButton("&Browse…")
        self.url = QLineEdit(url, placeholderText="postgresql+psycopg://USER@HOST:PORT/DATABASE")
        self.url.setMinimumWidth(420)
        hint = QLabel(URL_HINT, wordWrap=True)
        hint.setEnabled(False)  # shown greyed: a note, not a field
        self.hint = hint
        grid = QGridLayout()
        grid.addWidget(self.file_choice, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(self.browse)
        grid.addLayout(row, 0, 1)
        grid.addWidget(self.server_choice, 1, 0)
        grid.addWidget(self.url, 1, 1)
        grid.addWidget(hint, 2, 1)
        grid.setColumnStretch(1, 1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        (self.server_choice if url and not file else self.file_choice).setChecked(True)
        self.browse.clicked.connect(self._browse)
        self.file.textEdited.connect(lambda _: self.file_choice.setChecked(True))
        self.url.textEdited.connect(lambda _: self.server_choice.setChecked(True))
        for signal in (self.file.textChanged, self.url.textChanged, self.choices.buttonToggled):
            signal.connect(self._update)
        self._update()

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open settlement database", self.file.text(), DATABASE_FILTER
        )
        if path:
            self.file.setText(path)
            self.file_choice.setChecked(True)

    def choice(self) -> DatabaseChoice:
        if self.server_choice.isChecked():
            return DatabaseChoice(self.url.text().strip(), server=True)
        return DatabaseChoice(self.file.text().strip(), server=False)

    def _update(self, *_args) -> None:
        chosen = self.choice()
        usable = bool(chosen.location) and (not chosen.server or "://" in chosen.location)
        self.buttons.button(QDialogButtonBox.StandardButton.Open).setEnabled(usable)


class PasswordDialog(QDialog):
    """The password the server asks for: typed hidden, kept for this opening only."""

    def __init__(self, where: str, reason: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Password for the team database")
        self.setModal(True)
        self.where = QLabel(f"The server asks for a password to open\n{where}")
        self.where.setWordWrap(True)
        self.reason = QLabel(reason, wordWrap=True)
        self.reason.setEnabled(False)
        self.reason.setVisible(bool(reason))
        self.password = QLineEdit(echoMode=QLineEdit.EchoMode.Password)
        self.password.setMinimumWidth(320)
        note = QLabel("Used for this opening only: it is not stored in the settings or the "
                      "recent files, so reopening asks again.", wordWrap=True)  # fmt: skip
        note.setEnabled(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.reason)
        row = QHBoxLayout()
        row.addWidget(QLabel("&Password:", buddy=self.password))
        row.addWidget(self.password, 1)
        layout.addLayout(row)
        layout.addWidget(note)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.password.setFocus()

    def typed(self) -> str:
        return self.password.text()

    def done(self, result: int) -> None:
        super().done(result)
        if result != QDialog.DialogCode.Accepted:
            self.password.clear()
