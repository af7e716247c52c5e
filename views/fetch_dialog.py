"""File › Fetch from Elexon…: what a fetch asks before it starts, as `settlement-workbench
fetch` does: the dates, the datasets, the run type, the Insights base URL, offline and
refresh. The last choices are remembered in the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from engine.settlement_calendar import RunType
from models.fetch.endpoints import DEFAULT_BASE_URL, DEFAULT_DATASETS

RUN_TYPES = tuple(t.value for t in RunType)
TITLES = {
    "PN": "PN: physical notifications",
    "QPN": "QPN: quiescent notifications",
    "MELS": "MELS: maximum export limits",
    "MILS": "MILS: maximum import limits",
    "BOD": "BOD: bid-offer data",
    "BOALF": "BOALF: acceptances",
    "DISBSAD": "DISBSAD: balancing services",
    "NETBSAD": "NETBSAD: price adjustments",
    "MID": "MID: market index",
    "LOLPDRM": "LOLPDRM: loss of load probability",
    "DISEBSP": "DISEBSP: system prices",
    "ISPSTACK": "ISPSTACK: settlement stack",
    "REGISTER": "REGISTER: BM unit register",
}
KEY = "fetch/"


@dataclass(frozen=True)
class FetchOptions:
    first: date
    last: date
    datasets: tuple[str, ...] = DEFAULT_DATASETS
    run_type: str = "SF"
    base_url: str = DEFAULT_BASE_URL
    offline: bool = False
    refresh: bool = False

    def command_line(self) -> str:
        """The same choices as `settlement-workbench fetch` options."""
        words = ["--from", self.first.isoformat()]
        if self.last != self.first:
            words += ["--to", self.last.isoformat()]
        if self.datasets != DEFAULT_DATASETS:
            words += ["--datasets", ",".join(self.datasets)]
        words += ["--run", self.run_type]
        if self.base_url != DEFAULT_BASE_URL:
            words += ["--base-url", self.base_url]
        words += ["--offline"] if self.offline else []
        words += ["--refresh"] if self.refresh else []
        return " ".join(words)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def load_fetch_options(settings: QSettings, today: date) -> FetchOptions:
    def text(name: str, default: str) -> str:
        value = settings.value(KEY + name)
        return str(value) if value not in (None, "") else default

    try:
        first = date.fromisoformat(text("first", ""))
    except ValueError:
        first = today
    try:
        last = max(first, date.fromisoformat(text("last", "")))
    except ValueError:
        last = first
    datasets = tuple(d for d in text("datasets", "").split(",") if d in DEFAULT_DATASETS)
    run_type = text("run_type", "SF")
    return FetchOptions(
        first,
        last,
        datasets or DEFAULT_DATASETS,
        run_type if run_type in RUN_TYPES else "SF",
        text("base_url", DEFAULT_BASE_URL),
        text("offline", "false") == "true",
    )


def save_fetch_options(settings: QSettings, options: FetchOptions) -> None:
    settings.setValue(KEY + "first", options.first.isoformat())
    settings.setValue(KEY + "last", options.last.isoformat())
    settings.setValue(KEY + "datasets", ",".join(options.datasets))
    settings.setValue(KEY + "run_type", options.run_type)
    settings.setValue(KEY + "base_url", options.base_url)
    settings.setValue(KEY + "offline", "true" if options.offline else "false")


class FetchDialog(QDialog):
    """Window-modal; `accepted` means fetch with `options()`."""

    def __init__(self, options: FetchOptions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Fetch from Elexon")
        self.setModal(True)
        form = QFormLayout()
        self.first = QDateEdit(_qdate(options.first))
        self.last = QDateEdit(_qdate(options.last))
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.first.dateChanged.connect(self._keep_order)
        form.addRow("From settlement date", self.first)
        form.addRow("To settlement date", self.last)
        self.run_type = QComboBox()
        self.run_type.addItems(RUN_TYPES)
        self.run_type.setCurrentText(options.run_type)
        form.addRow("Run type", self.run_type)
        self.base_url = QLineEdit(options.base_url)
        self.base_url.setToolTip("The Insights API, or a proxy standing in for it")
        form.addRow("Insights API", self.base_url)
        self.offline = QCheckBox("Offline: use only answers already in the cache")
        self.offline.setChecked(options.offline)
        self.refresh = QCheckBox("Refresh: ask again for answers already in the cache")
        self.refresh.setChecked(options.refresh)
        self.offline.toggled.connect(lambda on: self.refresh.setEnabled(not on))
        form.addRow(self.offline)
        form.addRow(self.refresh)
        box = QGroupBox("Datasets")
        grid = QGridLayout(box)
        self.datasets: dict[str, QCheckBox] = {}
        for n, name in enumerate(DEFAULT_DATASETS):
            check = QCheckBox(TITLES[name])
            check.setChecked(name in options.datasets)
            check.toggled.connect(self._update)
            self.datasets[name] = check
            grid.addWidget(check, n // 2, n % 2)
        self.command = QLabel()
        self.command.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Fetch")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(box)
        layout.addWidget(self.command)
        layout.addWidget(
            QLabel("Contains BMRS data © Elexon Limited copyright and database right 2026.")
        )
        layout.addWidget(self.buttons)
        for signal in (
            self.first.dateChanged,
            self.last.dateChanged,
            self.run_type.currentTextChanged,
            self.base_url.textChanged,
            self.offline.toggled,
            self.refresh.toggled,
        ):
            signal.connect(self._update)
        self._update()

    def _keep_order(self) -> None:
        if self.last.date() < self.first.date():
            self.last.setDate(self.first.date())

    def options(self) -> FetchOptions:
        first, last = _day(self.first.date()), _day(self.last.date())
        return FetchOptions(
            first,
            max(first, last),
            tuple(n for n, c in self.datasets.items() if c.isChecked()),
            self.run_type.currentText(),
            self.base_url.text().strip() or DEFAULT_BASE_URL,
            self.offline.isChecked(),
            self.refresh.isChecked() and not self.offline.isChecked(),
        )

    def _update(self, *_args) -> None:
        options = self.options()
        ok = bool(options.datasets) and _day(self.last.date()) >= _day(self.first.date())
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ok)
        self.command.setText(f"Command line: settlement-workbench fetch {options.command_line()}")
