"""File › Go live…: where the live data comes from, as `settlement-workbench listen` asks it:
an AMQP 1.0 broker (amqp://HOST:PORT) and its queue, the folder Elexon's IRIS client writes,
or IRIS itself on Azure Service Bus (client id, secret, queue, namespace, tenant: the secret
is typed, or taken from IRIS_CLIENT_SECRET, and never kept). A choice the command line would
refuse is said under the form and OK stays disabled.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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

from models.core.errors import WorkbenchInputError
from models.live.iris import ELEXON_NAMESPACE, ELEXON_TENANT_ID, IrisConfig

BROKER, FOLDER, IRIS = "broker", "folder", "iris"
CLOSE_AFTER_HOURS = 2.0  # as `listen --close-after`'s default


@dataclass(frozen=True)
class LiveOptions:
    """Where to listen: `source` BROKER (`broker` URL and `queue`), FOLDER (`folder`) or IRIS
    (`queue` and the `iris_…` fields; the secret is never shown nor kept); `close_after`:
    hours after a day's last period its live run closes (None: never)."""

    source: str = FOLDER
    broker: str = "amqp://127.0.0.1:5672"
    queue: str = ""
    folder: str = ""
    close_after: float | None = CLOSE_AFTER_HOURS
    iris_client_id: str = ""
    iris_namespace: str = ELEXON_NAMESPACE
    iris_tenant: str = ELEXON_TENANT_ID
    iris_secret: str = field(default="", repr=False)

    def iris_config(self) -> IrisConfig:
        """The IRIS configuration of these choices, checked (WorkbenchInputError)."""
        return IrisConfig(
            client_id=self.iris_client_id.strip(),
            queue_name=self.queue.strip(),
            client_secret=self.iris_secret,
            service_bus_namespace=self.iris_namespace.strip(),
            tenant_id=self.iris_tenant.strip(),
        ).checked()

    def problem(self) -> str | None:
        """Why `listen` would refuse these choices, or None."""
        if self.source == IRIS:
            missing = (
                (self.iris_client_id, "Give the client id of the IRIS registration."),
                (self.queue, "Name the IRIS queue."),
                (self.iris_secret, "Type the client secret (it is never kept)."),
                (self.iris_namespace, "Name the Service Bus namespace."),
                (self.iris_tenant, "Give the tenant id."),
            )
            for value, problem in missing:
                if not value.strip():
                    return problem
            try:
                self.iris_config()
            except WorkbenchInputError as exc:
                text = str(exc).removeprefix("IRIS: ")
                return f"{text[:1].upper()}{text[1:]}."
            return None
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
        if self.source == IRIS:
            return f"IRIS queue {self.queue} ({self.iris_namespace})"
        return f"{self.shown_broker} queue {self.queue}"

    def command_line(self) -> str:
        if self.source == IRIS:
            source = f"--iris --iris-client-id {self.iris_client_id} --queue {self.queue}"
            if self.iris_namespace != ELEXON_NAMESPACE:
                source += f" --iris-namespace {self.iris_namespace}"
            if self.iris_tenant != ELEXON_TENANT_ID:
                source += f" --iris-tenant {self.iris_tenant}"
        elif self.source == FOLDER:
            source = f"--folder {self.folder}"
        else:
            source = f"--broker {self.broker} --queue {self.queue}"
        close = "" if self.close_after == CLOSE_AFTER_HOURS else " --close-after never"
        return f"settlement-workbench listen --db DB {source}{close}"


class LiveDialog(QDialog):
    def __init__(self, options: LiveOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Go live")
        self.setModal(True)
        self.from_folder = QRadioButton("Folder the IRIS client writes")
        self.from_broker = QRadioButton("AMQP 1.0 broker")
        self.from_iris = QRadioButton("Elexon IRIS (Azure Service Bus)")
        self.client_id = QLineEdit(options.iris_client_id)
        self.client_id.setPlaceholderText("client id (GUID) from the IRIS registration")
        self.secret = QLineEdit(options.iris_secret)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setPlaceholderText("client secret (never kept; or set IRIS_CLIENT_SECRET)")
        self.namespace = QLineEdit(options.iris_namespace)
        self.tenant = QLineEdit(options.iris_tenant)
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
        form.addRow(self.from_iris)
        form.addRow("Client id", self.client_id)
        form.addRow("Client secret", self.secret)
        form.addRow("Namespace", self.namespace)
        form.addRow("Tenant", self.tenant)
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
        chosen = {FOLDER: self.from_folder, IRIS: self.from_iris}.get(options.source)
        (chosen or self.from_broker).setChecked(True)
        for widget in (self.folder, self.broker, self.queue, *self._iris_fields()):
            widget.textChanged.connect(self._check)
        self.from_folder.toggled.connect(self._check)
        self.from_iris.toggled.connect(self._check)
        self.close_days.toggled.connect(self._check)
        self._check()

    def _iris_fields(self) -> tuple[QLineEdit, ...]:
        return (self.client_id, self.secret, self.namespace, self.tenant)

    def options(self) -> LiveOptions:
        source = BROKER
        if self.from_folder.isChecked():
            source = FOLDER
        elif self.from_iris.isChecked():
            source = IRIS
        return LiveOptions(
            source=source,
            broker=self.broker.text().strip(),
            queue=self.queue.text().strip(),
            folder=self.folder.text().strip(),
            close_after=CLOSE_AFTER_HOURS if self.close_days.isChecked() else None,
            iris_client_id=self.client_id.text().strip(),
            iris_namespace=self.namespace.text().strip(),
            iris_tenant=self.tenant.text().strip(),
            iris_secret=self.secret.text(),
        )

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "The IRIS client's folder")
        if chosen:
            self.folder.setText(chosen)

    def _check(self) -> None:
        folder, iris = self.from_folder.isChecked(), self.from_iris.isChecked()
        for widget in (self.folder, self.browse):
            widget.setEnabled(folder)
        self.broker.setEnabled(not folder and not iris)
        self.queue.setEnabled(not folder)
        for widget in self._iris_fields():
            widget.setEnabled(iris)
        options = self.options()
        problem = options.problem()
        self.problem.setText(problem or "")
        self.command.setText(f"As: {options.command_line()}")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)
