"""File › Go live…: where the live data comes from, as `settlement-workbench listen` asks it:
an AMQP 1.0 broker (amqp://HOST:PORT) and its queue, or the folder Elexon's IRIS client
writes. A choice the command line would refuse is said under the form and OK stays disabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

BROKER, FOLDER = "broker", "folder"
CLOSE_AFTER_HOURS = 2.0  # as `listen --close-after`'s default


@dataclass(frozen=True)
class LiveOptions:
    """Where to listen: `source` BROKER (`broker` URL and `queue`) or FOLDER (`folder`);
    `close_after`: hours after a day's last period its live run closes (None: never)."""

    source: str = FOLDER
    broker: str = "amqp://127.0.0.1:5672"
    queue: str = ""
    folder: str = ""
    close_after: float | None = CLOSE_AFTER_HOURS

    def problem(self) -> str | None:
        """Why `listen` would refuse these choices, or None."""
        if self.source == FOLDER:
            if not self.folder.strip():
                return "Choose the folder the IRIS client writes."
            if not Path(self.folder).is_dir():
                return f"{self.folder} is not a folder."
            return None
        try:
            parts = urlsplit(self.broker.strip())
            port = parts.port
        except ValueError:
            return f"{self.broker!r} is not a broker address (amqp://HOST:PORT)."
        if parts.scheme not in ("amqp", "amqps") or not parts.hostname or port is None:
            return "Give the broker as amqp://HOST:PORT."
        if not self.queue.strip():
            return "Name the queue on the broker."
        return None

    @property
    def shown_broker(self) -> str:
        """The broker's address without its password (the status bar and light show it)."""
        try:
            parts = urlsplit(self.broker)
            if parts.password is None:
                return self.broker
            netloc = f"{parts.username}@{parts.hostname}"
            netloc += "" if parts.port is None else f":{parts.port}"
        except ValueError:
            return self.broker
        return parts._replace(netloc=netloc).geturl()

    def describe(self) -> str:
        if self.source == FOLDER:
            return f"folder {self.folder}"
        return f"{self.shown_broker} queue {self.queue}"

    def command_line(self) -> str:
        source = (
            f"--folder {self.folder}"
            if self.source == FOLDER
            else f"--broker {self.broker} --queue {self.queue}"
        )
        close = "" if self.close_after == CLOSE_AFTER_HOURS else " --close-after never"
        return f"settlement-workbench listen --db DB {source}{close}"


class LiveDialog(QDialog):
    def __init__(self, options: LiveOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Go live")
        self.setModal(True)
        self.from_folder = QRadioButton("Folder the IRIS client writes")
        self.from_broker = QRadioButton("AMQP 1.0 broker")
        self.folder = QLineEdit(options.folder)
        self.folder.setPlaceholderText("one folder per dataset, one JSON file per message")
        self.browse = QPushButton("Browse…")
        self.browse.clicked.connect(self._browse)
        self.broker = QLineEdit(options.broker)
        self.queue = QLineEdit(options.queue)
        self.queue.setPlaceholderText("queue name")
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(self.browse)
        form = QFormLayout()
        form.addRow(self.from_folder)
        form.addRow("Folder", folder_row)
        form.addRow(self.from_broker)
        form.addRow("Broker", self.broker)
        form.addRow("Queue", self.queue)
        self.close_days = QCheckBox(
            f"Close a day's live run {CLOSE_AFTER_HOURS:g} h after its last period "
            "(off: a replayed past day stays one open run)"
        )
        self.close_days.setChecked(options.close_after is not None)
        form.addRow(self.close_days)
        note = QLabel(
            "Each message is written into the live run of its settlement date and the day is "
            "settled as data arrives: indicative prices, without metered volumes."
        )
        note.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020")
        self.command = QLabel()
        self.command.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Go live")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.command)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(560)
        (self.from_folder if options.source == FOLDER else self.from_broker).setChecked(True)
        for widget in (self.folder, self.broker, self.queue):
            widget.textChanged.connect(self._check)
        self.from_folder.toggled.connect(self._check)
        self.close_days.toggled.connect(self._check)
        self._check()

    def options(self) -> LiveOptions:
        return LiveOptions(
            source=FOLDER if self.from_folder.isChecked() else BROKER,
            broker=self.broker.text().strip(),
            queue=self.queue.text().strip(),
            folder=self.folder.text().strip(),
            close_after=CLOSE_AFTER_HOURS if self.close_days.isChecked() else None,
        )

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "The IRIS client's folder")
        if chosen:
            self.folder.setText(chosen)

    def _check(self) -> None:
        folder = self.from_folder.isChecked()
        for widget in (self.folder, self.browse):
            widget.setEnabled(folder)
        for widget in (self.broker, self.queue):
            widget.setEnabled(not folder)
        options = self.options()
        problem = options.problem()
        self.problem.setText(problem or "")
        self.command.setText(f"As: {options.command_line()}")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)
