"""What an import asks before it starts, as the command line does: the run type
(`--run`), one settlement date only (`--date`), the run prices attach to (`--attach-to-run`:
the date's newest of the type unless another of its runs is chosen), the effective-from date of
a register that carries none (`--effective-from`, R-REG-DATED) and strict (`--strict`: any
warning refuses the import). The last choices are remembered in the settings, but the run
chosen: a run id belongs to one database, and the default is asked for afresh each time.

The dialog reads no database: it asks for the chosen date's runs (`runs_wanted`) and the
controller lists them in a job, then gives them to `show_date_runs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from engine.settlement_calendar import RunType
from models.runs.run_store import RunInfo

RUN_TYPES = tuple(t.value for t in RunType)  # II < SF < R1 < R2 < R3 < RF < DF
SHOWN_FILES = 6
KEYS = {
    "run_type": "import/run_type",
    "settlement_date": "import/settlement_date",
    "effective_from": "import/effective_from",
    "strict": "import/strict",
}


@dataclass(frozen=True)
class ImportOptions:
    run_type: str = "SF"
    settlement_date: date | None = None  # None: every date in the files
    effective_from: date | None = None  # for registers without their own effective-from date
    strict: bool = False
    attach_to: int | None = None  # the run prices attach to; None: the newest of the type

    def command_line(self) -> str:
        """The same choices as `settlement-workbench import` options."""
        words = ["--run", self.run_type]
        if self.settlement_date is not None:
            words += ["--date", self.settlement_date.isoformat()]
        if self.effective_from is not None:
            words += ["--effective-from", self.effective_from.isoformat()]
        if self.attach_to is not None:
            words += ["--attach-to-run", str(self.attach_to)]
        if self.strict:
            words.append("--strict")
        return " ".join(words)


def _date_setting(settings: QSettings, key: str) -> date | None:
    value = settings.value(key, "")
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:  # a hand-edited settings file: forget it, never fail
        return None


def load_import_options(settings: QSettings) -> ImportOptions:
    """The choices of the last import (the defaults the first time)."""
    run_type = str(settings.value(KEYS["run_type"], "SF"))
    return ImportOptions(
        run_type=run_type if run_type in RUN_TYPES else "SF",
        settlement_date=_date_setting(settings, KEYS["settlement_date"]),
        effective_from=_date_setting(settings, KEYS["effective_from"]),
        strict=settings.value(KEYS["strict"], False, type=bool),
    )


def save_import_options(settings: QSettings, options: ImportOptions) -> None:
    settings.setValue(KEYS["run_type"], options.run_type)
    for name in ("settlement_date", "effective_from"):
        value = getattr(options, name)
        settings.setValue(KEYS[name], value.isoformat() if value else "")
    settings.setValue(KEYS["strict"], options.strict)


def run_hint(options: ImportOptions, runs: Sequence[RunInfo]) -> str:
    """What the import will do with runs, in words, for the chosen type and date."""
    kind = options.run_type
    if options.settlement_date is None:
        return (
            f"Each settlement date in the files gets a new {kind} run; system prices or a "
            f"published stack alone are attached to that date's latest {kind} run where it has one."
        )
    day = options.settlement_date.isoformat()
    same = [
        r
        for r in runs
        if r.kind == "run" and r.run_type == kind and r.settlement_date == options.settlement_date
    ]
    if not same:
        return f"{day} has no {kind} run yet: the import makes {day} {kind}."
    latest = max(same, key=lambda r: r.run_number)
    chosen = next((r for r in runs if r.id == options.attach_to), None)
    if chosen is not None and chosen.id != latest.id:
        return (
            f"{chosen.label} (run {chosen.id}) chosen, not the newest {kind} run "
            f"{latest.label}: system prices or a published stack alone are attached to it; "
            f"other data makes a new run, {kind} #{latest.run_number + 1}, carrying the rest of "
            f"{chosen.label} forward."
        )
    return (
        f"{latest.label} exists: system prices or a published stack alone are attached to it; "
        f"other data makes a new run, {kind} #{latest.run_number + 1}, carrying the rest of "
        f"{latest.label} forward."
    )


def attachable(runs: Sequence[RunInfo], day: date) -> list[RunInfo]:
    """The runs of `day` prices can attach to: loaded settlement runs (no scenario, no run
    still being written), newest first."""
    same = [
        r for r in runs if r.settlement_date == day and r.kind == "run" and r.status == "loaded"
    ]
    return sorted(same, key=lambda r: r.created_at, reverse=True)


def run_choice_text(run: RunInfo) -> str:
    """One run in the picker: its id, type, created time (UTC, as stored) and label."""
    return (
        f"run {run.id} · {run.run_type} · created {run.created_at:%Y-%m-%d %H:%M} UTC · {run.label}"
    )


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class _OptionalDate(QWidget):
    """A check box that enables a date (yyyy-MM-dd, calendar popup)."""

    def __init__(self, text: str, value: date | None, fallback: date, tip: str) -> None:
        super().__init__()
        self.check = QCheckBox(text)
        self.check.setToolTip(tip)
        self.edit = QDateEdit(_qdate(value or fallback))
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setCalendarPopup(True)
        self.edit.setToolTip(tip)
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        self.check.toggled.connect(self.edit.setEnabled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addStretch(1)

    def value(self) -> date | None:
        return _pydate(self.edit.date()) if self.check.isChecked() else None


class ImportOptionsDialog(QDialog):
    """Window-modal (`open()`): accepted, `options()` are the choices to import with.

    `runs` are the Runs panel's (the hint's until the chosen date's own arrive); with
    `lists_runs`, a ticked date's runs are asked for by `runs_wanted(date)` and shown in the
    run picker once given to `show_date_runs`; without (no database open) nothing is asked."""

    runs_wanted = Signal(object)  # a settlement date whose runs the picker needs

    def __init__(
        self,
        paths: Sequence[str],
        options: ImportOptions,
        runs: Sequence[RunInfo] = (),
        default_day: date | None = None,
        parent=None,
        lists_runs: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import Elexon data files")
        self.runs = list(runs)
        self.lists_runs = lists_runs
        self.date_runs: dict[date, list[RunInfo]] = {}  # the runs listed per date, as given
        self.asked: date | None = None  # the date whose runs were asked for last
        self._wanted = options.attach_to  # a run to select once its date's runs arrive
        self._filling = False
        fallback = default_day or date.today()
        names = [Path(p).name for p in paths]
        listed = ", ".join(names[:SHOWN_FILES]) + (
            f" and {len(names) - SHOWN_FILES} more" if len(names) > SHOWN_FILES else ""
        )
        files = QLabel(f"<b>{len(names)} file(s)</b>: {listed}")
        files.setWordWrap(True)
        files.setToolTip("\n".join(str(p) for p in paths))
        self.run_type = QComboBox()
        self.run_type.addItems(RUN_TYPES)
        self.run_type.setCurrentText(options.run_type)
        self.run_type.setToolTip(
            "The settlement run the data is for: II interim information, SF initial, R1–R3 "
            "reconciliations, RF final, DF dispute final"
        )
        self.settlement_date = _OptionalDate(
            "only this settlement date",
            options.settlement_date,
            fallback,
            "Import only the records of this settlement date; the others are left out (and "
            "counted in the report). Unticked: every date in the files.",
        )
        self.effective_from = _OptionalDate(
            "for registers without one",
            options.effective_from,
            fallback,
            "The date from which a BM unit register that carries no effective-from date of its "
            "own (an Insights reference download) is in force (R-REG-DATED); the CRA export's "
            "own column is used where it has one.",
        )
        self.attach = QComboBox()
        self.attach.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.attach.setToolTip(
            "The run system prices or a published stack alone are attached to (and the run "
            "that other data imported with them carries forward in a new run). By default the "
            "newest run of the type on the date; any loaded run of the date can be chosen, "
            "which sets the run type to its own."
        )
        self.strict = QCheckBox("strict: refuse the import on any warning (nothing is written)")
        self.strict.setChecked(options.strict)
        self.strict.setToolTip(
            "Without it, data quirks the rulebook allows (units the register does not list, "
            "id disagreements) are imported and listed as warnings with the run."
        )
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text); padding: 2px;")
        self.command = QLabel()
        self.command.setStyleSheet("color: palette(placeholder-text); padding: 2px;")
        self.command.setToolTip("The same import from the command line")
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("Run type", self.run_type)
        form.addRow("Settlement date", self.settlement_date)
        form.addRow("Attach prices to", self.attach)
        form.addRow("Register effective from", self.effective_from)
        form.addRow("", self.strict)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(files)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.command)
        layout.addStretch(1)
        layout.addWidget(buttons)
        for changed in (
            self.run_type.currentTextChanged,
            self.settlement_date.check.toggled,
            self.settlement_date.edit.dateChanged,
        ):
            changed.connect(self._fill_attach)
        self.attach.currentIndexChanged.connect(self._attach_chosen)
        for changed in (
            self.run_type.currentTextChanged,
            self.settlement_date.check.toggled,
            self.settlement_date.edit.dateChanged,
            self.attach.currentIndexChanged,
            self.effective_from.check.toggled,
            self.effective_from.edit.dateChanged,
            self.strict.toggled,
        ):
            changed.connect(self._describe)
        self._fill_attach()
        self._describe()
        self.resize(640, self.sizeHint().height())

    def options(self) -> ImportOptions:
        day = self.settlement_date.value()
        chosen = self.attach.currentData() if day is not None else None
        return ImportOptions(
            run_type=self.run_type.currentText(),
            settlement_date=day,
            effective_from=self.effective_from.value(),
            strict=self.strict.isChecked(),
            attach_to=chosen,
        )

    def ask_for_runs(self) -> None:
        """Ask again for the chosen date's runs (once something listens to `runs_wanted`)."""
        self.asked = None
        self._fill_attach()

    def show_date_runs(self, day: date, runs: Sequence[RunInfo]) -> None:
        """The runs of `day`, read in a job: listed in the picker if it is still the date."""
        self.date_runs[day] = list(runs)
        if self.settlement_date.value() == day:
            self._fill_attach()
            self._describe()

    def _fill_attach(self, *_args) -> None:
        """The picker's entries for the date and run type: the default (the newest run of the
        type) first, then each run of the date; the run chosen stays chosen while it fits."""
        if self._filling:
            return
        day = self.settlement_date.value()
        kind = self.run_type.currentText()
        kept = self.attach.currentData() if self._wanted is None else self._wanted
        ask = None
        self._filling = True
        self.attach.blockSignals(True)
        try:
            self.attach.clear()
            runs = self.date_runs.get(day) if day is not None else None
            if day is None:
                self.attach.addItem(
                    f"the newest {kind} run of each date (choose a date to pick one)"
                )
            elif runs is None:
                self.attach.addItem(self._not_listed(day, kind))
                if self.lists_runs and self.asked != day:
                    self.asked = ask = day
            else:
                self._add_choices(day, kind, attachable(runs, day), kept)
            self.attach.setEnabled(self.attach.count() > 1)
        finally:
            self.attach.blockSignals(False)
            self._filling = False
        if ask is not None:  # once filled: runs given at once (not in a job) fill it again
            self.runs_wanted.emit(ask)

    def _not_listed(self, day: date, kind: str) -> str:
        if not self.lists_runs:
            return f"the newest {kind} run of {day.isoformat()} (no database open to list its runs)"
        return f"the newest {kind} run of {day.isoformat()} (reading the date's runs…)"

    def _add_choices(self, day: date, kind: str, runs: list[RunInfo], kept) -> None:
        same = [r for r in runs if r.run_type == kind]
        newest = max(same, key=lambda r: r.run_number) if same else None
        if newest is None:
            default = f"the newest {kind} run (the default): {day.isoformat()} has none yet"
        else:
            default = f"the newest {kind} run (the default): {newest.label}, run {newest.id}"
        self.attach.addItem(default, None)
        for run in runs:
            self.attach.addItem(run_choice_text(run), run.id)
        # A run of another type than the one now chosen is no longer the choice: the type
        # was changed after it (choosing a run sets the type to its own).
        fits = any(r.id == kept and r.run_type == kind for r in runs)
        index = self.attach.findData(kept) if fits else 0
        self.attach.setCurrentIndex(max(index, 0))
        if self._wanted is not None:
            self._wanted = None  # given once; the user's own choices follow

    def _attach_chosen(self, index: int) -> None:
        """A run chosen: the import is of its type (the command line refuses another)."""
        if self._filling:
            return
        run_id = self.attach.itemData(index)
        day = self.settlement_date.value()
        run = next((r for r in self.date_runs.get(day, []) if r.id == run_id), None)
        if run is not None and run.run_type != self.run_type.currentText():
            self.run_type.setCurrentText(run.run_type)

    def _describe(self, *_args) -> None:
        options = self.options()
        listed = self.date_runs.get(options.settlement_date) if options.settlement_date else None
        self.hint.setText(run_hint(options, self.runs if listed is None else listed))
        self.command.setText(f"settlement-workbench import {options.command_line()} FILES…")
