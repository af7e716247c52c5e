"""Tools › Modification impact…: what an impact assessment asks before it starts, as
`settlement-workbench impact` does: the date range, the rule variant (a registered one, or
parameter values as --set P=V), the run types, and where the days run (this process, a process
pool, a local Dask cluster of N workers, or an existing Dask scheduler). A choice that the
command line would refuse is said under the form and OK stays disabled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
)

from engine.settlement_calendar import RunType
from engine.variants import VARIANTS, VariantError, variant_from_settings

SETTINGS_CHOICE = "Parameter values (--set)…"
WHERE = (
    ("serial", "This process"),
    ("processes", "Process pool on this machine"),
    ("workers", "Local Dask cluster (127.0.0.1)"),
    ("scheduler", "Existing Dask scheduler"),
)
MAX_WORKERS = 256


@dataclass(frozen=True)
class ImpactOptions:
    """An impact assessment's choices.

    Attributes
    ----------
    first, last : date
        The range, inclusive.
    variant : str
        A registered variant's name, or "" when `settings` say the parameters.
    settings : tuple of str
        ``P=V`` parameter values (--set), when no variant is named.
    run_types : tuple of str
        Only these run types; every type when empty.
    where : str
        "serial", "processes", "workers" or "scheduler".
    workers : int
        Processes of the pool or workers of the local cluster.
    scheduler : str
        tcp://host:port, for "scheduler".
    """

    first: date
    last: date
    variant: str = "par-50"
    settings: tuple[str, ...] = ()
    run_types: tuple[str, ...] = ()
    where: str = "serial"
    workers: int = 2
    scheduler: str = ""

    def command_line(self) -> str:
        """The same choices as `settlement-workbench impact` options."""
        words = ["--from", self.first.isoformat(), "--to", self.last.isoformat()]
        if self.variant:
            words += ["--variant", self.variant]
        for setting in self.settings:
            words += ["--set", setting]
        if self.run_types:
            words += ["--runs", ",".join(self.run_types)]
        if self.where in ("processes", "workers"):
            words += [f"--{self.where}", str(self.workers)]
        elif self.where == "scheduler":
            words += ["--scheduler", self.scheduler]
        return " ".join(words)

    def problem(self) -> str | None:
        """Why the command line would refuse these choices (None when it would not)."""
        from models.impact.cluster import scheduler_address_error

        if self.last < self.first:
            return f"the last date {self.last.isoformat()} is before the first"
        if not self.variant:
            if not self.settings:
                return "give parameter values, e.g. PAR=50"
            try:
                variant_from_settings(self.settings)
            except VariantError as exc:
                return str(exc)
        for run_type in self.run_types:
            if run_type not in {t.value for t in RunType}:
                names = ", ".join(t.value for t in RunType)
                return f"{run_type!r} is not a run type; expected some of {names}"
        if self.where == "scheduler":
            return scheduler_address_error(self.scheduler)
        return None


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in text.replace(",", " ").split() if w)


class ImpactDialog(QDialog):
    """The form; `options()` is what it says when accepted."""

    def __init__(self, options: ImpactOptions, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Modification impact")
        self.first = QDateEdit(_qdate(options.first), calendarPopup=True)
        self.last = QDateEdit(_qdate(options.last), calendarPopup=True)
        for edit in (self.first, self.last):
            edit.setDisplayFormat("yyyy-MM-dd")
        self.variant = QComboBox()
        for name, variant in VARIANTS.items():
            self.variant.addItem(name, name)
            self.variant.setItemData(
                self.variant.count() - 1, variant.description, Qt.ItemDataRole.ToolTipRole
            )
        self.variant.addItem(SETTINGS_CHOICE, "")
        self.settings = QLineEdit(" ".join(options.settings))
        self.settings.setPlaceholderText("e.g. PAR=50 DMAT=2 (PAR, RPAR, DMAT, CADL, VoLL, α)")
        self.run_types = QLineEdit(",".join(options.run_types))
        self.run_types.setPlaceholderText("every run type; or e.g. SF,R1")
        self.where = QComboBox()
        for key, title in WHERE:
            self.where.addItem(title, key)
        self.workers = QSpinBox(minimum=1, maximum=MAX_WORKERS, value=options.workers)
        self.scheduler = QLineEdit(options.scheduler)
        self.scheduler.setPlaceholderText("tcp://host:8786")
        self.description = QLabel(wordWrap=True)
        self.problem_label = QLabel(wordWrap=True)
        self.problem_label.setStyleSheet("color: #b00000;")
        self.command = QLabel(wordWrap=True)
        self.command.setStyleSheet("color: #555;")

        form = QFormLayout()
        form.addRow("From", self.first)
        form.addRow("To", self.last)
        form.addRow("Rule variant", self.variant)
        form.addRow("", self.description)
        form.addRow("Parameters", self.settings)
        form.addRow("Run types", self.run_types)
        form.addRow("Run on", self.where)
        form.addRow("Workers", self.workers)
        form.addRow("Scheduler", self.scheduler)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Assess")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.command)
        layout.addWidget(self.buttons)

        index = self.variant.findData(options.variant)
        self.variant.setCurrentIndex(index if index >= 0 else self.variant.count() - 1)
        self.where.setCurrentIndex(max(0, self.where.findData(options.where)))
        for signal in (
            self.first.dateChanged,
            self.last.dateChanged,
            self.variant.currentIndexChanged,
            self.settings.textChanged,
            self.run_types.textChanged,
            self.where.currentIndexChanged,
            self.workers.valueChanged,
            self.scheduler.textChanged,
        ):
            signal.connect(self._update)
        self._update()

    def options(self) -> ImpactOptions:
        variant = self.variant.currentData() or ""
        return ImpactOptions(
            first=_day(self.first.date()),
            last=_day(self.last.date()),
            variant=variant,
            settings=() if variant else _words(self.settings.text()),
            run_types=tuple(w.upper() for w in _words(self.run_types.text())),
            where=self.where.currentData(),
            workers=self.workers.value(),
            scheduler=self.scheduler.text().strip(),
        )

    def _update(self) -> None:
        options = self.options()
        named = bool(options.variant)
        self.settings.setEnabled(not named)
        self.workers.setEnabled(options.where in ("processes", "workers"))
        self.scheduler.setEnabled(options.where == "scheduler")
        if named:
            variant = VARIANTS[options.variant]
            rules = ", ".join(variant.rule_ids) or "no rule"
            self.description.setText(f"{variant.description} (changes {rules})")
        else:
            self.description.setText("The rulebook's rules with these parameter values.")
        problem = options.problem()
        self.problem_label.setText(problem or "")
        self.problem_label.setVisible(problem is not None)
        self.command.setText(f"settlement-workbench impact … {options.command_line()}")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(problem is None)
