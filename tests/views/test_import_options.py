"""The questions an import asks first (run type, date, register effective-from, strict)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, QSettings

from models.runs.run_store import RunInfo
from views.import_options import (
    RUN_TYPES,
    ImportOptions,
    ImportOptionsDialog,
    load_import_options,
    run_hint,
    save_import_options,
)


def _run(run_type: str, number: int, day: date = date(2022, 3, 19), kind: str = "run"):
    return RunInfo(
        id=number,
        settlement_date=day,
        run_type=run_type,
        run_number=number,
        kind=kind,
        base_run_id=None,
        bm_dataset_id=1,
        name="",
        source="import",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        status="loaded",
        periods=None,
    )


def _settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_run_types_are_the_calendars_in_order():
    assert RUN_TYPES == ("II", "SF", "R1", "R2", "R3", "RF", "DF")


def test_choices_are_remembered_and_a_bad_setting_is_forgotten(tmp_path):
    settings = _settings(tmp_path)
    assert load_import_options(settings) == ImportOptions("SF", None, None, False)
    chosen = ImportOptions("R2", date(2022, 3, 19), date(2022, 6, 1), True)
    save_import_options(settings, chosen)
    settings.sync()
    assert load_import_options(_settings(tmp_path)) == chosen
    save_import_options(settings, ImportOptions("II"))
    assert load_import_options(settings) == ImportOptions("II", None, None, False)
    settings.setValue("import/run_type", "XX")
    settings.setValue("import/settlement_date", "19/03/2022")
    assert load_import_options(settings) == ImportOptions("SF", None, None, False)


def test_the_command_line_equivalent():
    assert ImportOptions().command_line() == "--run SF"
    assert (
        ImportOptions("RF", date(2022, 3, 19), date(2022, 6, 1), True).command_line()
        == "--run RF --date 2022-03-19 --effective-from 2022-06-01 --strict"
    )


def test_the_hint_says_which_run_the_data_goes_to():
    runs = [_run("SF", 1), _run("SF", 2), _run("R1", 1), _run("SF", 9, kind="scenario")]
    day = date(2022, 3, 19)
    assert run_hint(ImportOptions("SF", day), runs) == (
        "2022-03-19 SF #2 exists: system prices or a published stack alone are attached to it; "
        "other data makes a new run, SF #3, carrying the rest of 2022-03-19 SF #2 forward."
    )
    assert run_hint(ImportOptions("R2", day), runs) == (
        "2022-03-19 has no R2 run yet: the import makes 2022-03-19 R2."
    )
    assert run_hint(ImportOptions("SF", date(2022, 3, 20)), runs).startswith(
        "2022-03-20 has no SF run yet"
    )
    assert run_hint(ImportOptions("R1"), runs).startswith(
        "Each settlement date in the files gets a new R1 run"
    )


def test_the_dialog_shows_the_last_choices_and_returns_the_new_ones(qtbot):
    last = ImportOptions("R1", None, date(2022, 6, 1), True)
    dialog = ImportOptionsDialog(
        ["/data/PN_2022-03-19.json", "/data/sspsbpniv.csv"],
        last,
        [_run("R1", 1)],
        default_day=date(2022, 3, 19),
    )
    qtbot.addWidget(dialog)
    assert dialog.options() == last
    assert not dialog.settlement_date.edit.isEnabled()
    # Unticked, the settlement date starts on the day shown, ready to tick.
    assert dialog.settlement_date.edit.date() == QDate(2022, 3, 19)
    assert dialog.command.text() == (
        "settlement-workbench import --run R1 --effective-from 2022-06-01 --strict FILES…"
    )
    assert "PN_2022-03-19.json, sspsbpniv.csv" in dialog.findChildren(type(dialog.hint))[0].text()
    dialog.settlement_date.check.setChecked(True)
    assert dialog.settlement_date.edit.isEnabled()
    assert dialog.hint.text().startswith("2022-03-19 R1 exists")
    dialog.run_type.setCurrentText("DF")
    dialog.effective_from.check.setChecked(False)
    dialog.strict.setChecked(False)
    assert dialog.options() == ImportOptions("DF", date(2022, 3, 19), None, False)
    assert dialog.command.text() == "settlement-workbench import --run DF --date 2022-03-19 FILES…"
    assert dialog.hint.text() == "2022-03-19 has no DF run yet: the import makes 2022-03-19 DF."


def test_the_run_picker_asks_for_the_dates_runs_and_lists_only_attachable_ones(qtbot):
    """Issue 20 item 8: ticking a date asks for its runs once; the picker lists the loaded
    settlement runs of that date (no scenario), the default first; with no database open it
    says so and offers nothing to pick."""
    day = date(2022, 3, 19)
    runs = [_run("SF", 1), _run("SF", 2), _run("R1", 3), _run("SF", 9, kind="scenario")]
    runs.append(_run("SF", 4, day=date(2022, 3, 20)))
    dialog = ImportOptionsDialog(["/data/sspsbpniv.csv"], ImportOptions("SF"), lists_runs=True)
    qtbot.addWidget(dialog)
    asked = []
    dialog.runs_wanted.connect(
        lambda wanted: (asked.append(wanted), dialog.show_date_runs(wanted, runs))
    )
    assert not dialog.attach.isEnabled() and asked == []  # no date: nothing to ask
    dialog.settlement_date.edit.setDate(QDate(2022, 3, 19))
    dialog.settlement_date.check.setChecked(True)
    assert asked == [day]
    assert [dialog.attach.itemData(i) for i in range(dialog.attach.count())] == [None, 1, 2, 3]
    assert dialog.attach.itemText(0) == "the newest SF run (the default): 2022-03-19 SF #2, run 2"
    assert dialog.attach.itemText(1) == "run 1 · SF · created 2026-01-01 00:00 UTC · 2022-03-19 SF"
    dialog.attach.setCurrentIndex(3)
    assert dialog.options() == ImportOptions("R1", day, attach_to=3)
    dialog.run_type.setCurrentText("DF")  # another type: back to the default
    assert dialog.options() == ImportOptions("DF", day)
    assert dialog.attach.itemText(0) == "the newest DF run (the default): 2022-03-19 has none yet"
    closed = ImportOptionsDialog(["/data/sspsbpniv.csv"], ImportOptions("SF", day))
    qtbot.addWidget(closed)
    assert not closed.attach.isEnabled() and closed.options().attach_to is None
    assert closed.attach.currentText() == (
        "the newest SF run of 2022-03-19 (no database open to list its runs)"
    )
