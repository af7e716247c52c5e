"""File › Import data files… from its controller, built bare as the window builds it: the
questions, the import in a job (progress, cancel: nothing written), the report dialog; a real
Elexon register and wind PN file, and a file that is no Elexon dataset."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from PySide6.QtCore import QSettings
from sqlalchemy import text

from engine.settlement_calendar import RunType
from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from tests.paths import elexon
from views.import_options import ImportOptions, load_import_options, save_import_options
from views.run_browser import RunBrowser
from views.selection import Selection
from workbench.gui.import_controller import JOB, ImportController
from workbench.gui.jobs import JobRunner

CRA_REGISTER = "reference/bmu_register_cra_2022-06.csv"
WIND_PN = "insights_json/PN_2022-01-01.json"
WIND_BOALF = "insights_json/BOALF_2022-01-01.json"
PRICES = "system_prices/sspsbpniv_2019-04-08_2022-05-25.csv"
DAY = date(2022, 1, 1)
TIMEOUT_MS = 60_000


class Room:
    """The controller with what the window gives it; what it asked of the window, recorded."""

    def __init__(self, qtbot, told, tmp_path, db=None) -> None:
        self.selection = Selection(database=db)
        self.jobs = JobRunner()
        self.runs = RunBrowser()
        qtbot.addWidget(self.runs)
        self.settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        self.loaded: list[int] = []
        self.opened: list[str] = []
        self.progress: list[tuple[float, str]] = []
        self.jobs.progressed.connect(lambda f, m: self.progress.append((f, m)))
        self.controller = ImportController(
            self.selection,
            self.jobs,
            told.feedback(),
            self.settings,
            self.runs,
            self.open_database,
            self.loaded.append,
        )

    def open_database(self, path: str) -> bool:
        self.opened.append(path)
        self.selection.database = SettlementDatabase.open(path)
        return True

    def close(self) -> None:
        self.jobs.cancel()
        self.jobs.wait_all()
        for dialog in (self.controller.report_dialog, self.controller.options_dialog):
            if dialog is not None:
                dialog.close()
        if self.selection.database is not None:
            self.selection.database.close()


@pytest.fixture
def empty(tmp_path):
    path = tmp_path / "db.sqlite"
    SettlementDatabase.create(path).close()
    return path


@pytest.fixture
def room(qtbot, told, tmp_path, empty):
    made = Room(qtbot, told, tmp_path, SettlementDatabase.open(empty))
    yield made
    made.close()


def counts(path) -> tuple[int, int]:
    """(runs, register snapshots) in the database at `path`."""
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        runs = conn.execute(text("SELECT count(*) FROM settlement_run")).scalar()
        snapshots = conn.execute(text("SELECT count(*) FROM bm_unit_register_snapshot")).scalar()
    return runs, snapshots


def wait_idle(qtbot, room) -> None:
    qtbot.waitUntil(lambda: not room.jobs.busy(), timeout=TIMEOUT_MS)


def test_real_files_import_in_a_job_with_progress_then_the_report(
    qtbot, room, told, empty, monkeypatch
):
    from models.imports import loader

    threads = []
    real = loader.import_files

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(loader, "import_files", recorded)
    options = ImportOptions(run_type="SF", settlement_date=DAY)
    job = room.controller.import_files([str(elexon(CRA_REGISTER)), str(elexon(WIND_PN))],
                                       options=options)  # fmt: skip
    assert job is not None and room.jobs.busy()
    wait_idle(qtbot, room)
    assert threads and threads[0] is not threading.main_thread()  # never on the GUI thread
    fractions = [f for f, _ in room.progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 2
    report = room.controller.report_dialog
    assert report.isVisible() and report.windowTitle() == "Import finished"
    assert report.warnings.model.rowCount() == 1  # R-REG-DATED: the register is of 2022-06
    assert report.runs.model.raw(0, 1) == "2022-01-01 SF"
    assert told.status[-1].startswith("Imported ") and "1 new run" in told.status[-1]
    assert not told.errors
    # The Runs panel is refilled from the job's list and the run written is loaded.
    assert [r.label for r in room.runs.shown] == ["2022-01-01 SF"]
    assert room.loaded == [room.runs.shown[0].id]
    assert counts(empty) == (1, 1)
    assert load_import_options(room.settings) == options  # the next import starts from them


def test_a_bad_file_is_refused_in_one_clear_line_and_nothing_is_written(
    qtbot, room, told, empty, tmp_path
):
    notes = tmp_path / "notes.csv"
    notes.write_text("hello,world\n1,2\n")
    room.controller.import_files([str(elexon(CRA_REGISTER)), str(notes)], options=ImportOptions())
    wait_idle(qtbot, room)
    report = room.controller.report_dialog
    assert report.windowTitle() == "Import rejected"
    errors = report.errors.model
    assert errors.rowCount() == 1
    assert errors.raw(0, 0) == "notes.csv"
    reason = "cannot tell which Elexon dataset this is from its fields (hello, world)"
    assert errors.raw(0, 4) == reason
    assert told.status == ["Import rejected: 1 error; nothing was written."]
    assert not told.errors and not room.loaded and room.runs.shown == []
    assert counts(empty) == (0, 0)  # the register, good on its own, is not written either


def test_cancelled_nothing_is_written(qtbot, room, told, empty):
    room.jobs.progressed.connect(lambda f, m: room.jobs.cancel())
    room.controller.import_files([str(elexon(CRA_REGISTER)), str(elexon(WIND_PN))],
                                 options=ImportOptions(settlement_date=DAY))  # fmt: skip
    wait_idle(qtbot, room)
    assert told.status == ["Import cancelled: nothing was written."]
    assert room.controller.report_dialog is None and not room.loaded and not told.errors
    assert counts(empty) == (0, 0)


def test_the_questions_list_the_runs_shown_and_start_the_job(qtbot, room, told, empty):
    room.controller.import_files([str(elexon(CRA_REGISTER)), str(elexon(WIND_PN))],
                                 options=ImportOptions(settlement_date=DAY))  # fmt: skip
    wait_idle(qtbot, room)
    shown = list(room.runs.shown)
    room.controller.import_files([str(elexon(WIND_PN))])
    dialog = room.controller.options_dialog
    assert JOB not in room.jobs.jobs  # the questions first (the date's runs are being read)
    assert dialog.runs == shown  # the Runs panel's, not a query on the GUI thread
    assert dialog.options() == ImportOptions(settlement_date=DAY)  # the last choices
    dialog.run_type.setCurrentText("R1")
    dialog.accept()
    assert room.jobs.busy()
    wait_idle(qtbot, room)
    assert [r.label for r in room.runs.shown] == ["2022-01-01 SF", "2022-01-01 R1"]
    assert counts(empty) == (2, 1)


def test_with_no_database_open_a_new_one_is_made_in_a_job_then_imported_into(qtbot, told, tmp_path):
    room = Room(qtbot, told, tmp_path)
    try:
        new = tmp_path / "new.sqlite"
        job = room.controller.import_files(
            [str(elexon("system_prices/disebsp_2026-03-29.json"))], str(new), ImportOptions()
        )
        assert job is not None and room.opened == []  # made in the job, opened after it
        wait_idle(qtbot, room)
        assert room.opened == [str(new)]
        assert room.controller.report_dialog.windowTitle() == "Import finished"
        assert not told.errors
    finally:
        room.close()


def test_prices_alone_attach_to_the_run_chosen_in_the_questions(
    qtbot, room, told, empty, gui_thread_checkouts
):
    """Issue 20 item 8: 2022-01-01 has SF #1, SF #2 and R1; the questions list them (read in
    a job), default to the newest SF run and say so; the analyst picks SF #1 and the real
    SSP/SBP/NIV series attaches to it, not to SF #2. Picking R1 makes the import R1's; going
    back to SF puts the default back."""
    db = room.selection.database
    first = import_files(db, [elexon(WIND_PN)]).dates[0].run_id
    second = import_files(db, [elexon(WIND_BOALF)], only_date=DAY).dates[0].run_id
    r1 = import_files(db, [elexon(WIND_PN)], run_type=RunType.R1).dates[0].run_id
    save_import_options(room.settings, ImportOptions("SF", DAY))
    dialog = room.controller.ask([str(elexon(PRICES))])
    picker = dialog.attach
    qtbot.waitUntil(lambda: picker.count() == 4, timeout=TIMEOUT_MS)
    assert picker.isEnabled() and picker.currentIndex() == 0
    assert picker.itemText(0) == f"the newest SF run (the default): 2022-01-01 SF #2, run {second}"
    listed = [picker.itemData(i) for i in range(1, 4)]
    assert listed == [r1, second, first]  # newest first
    assert picker.itemText(3).startswith(f"run {first} · SF · created 20")
    assert picker.itemText(3).endswith(" UTC · 2022-01-01 SF")
    assert dialog.options().attach_to is None
    assert dialog.hint.text().startswith("2022-01-01 SF #2 exists")
    picker.setCurrentIndex(picker.findData(r1))
    assert dialog.run_type.currentText() == "R1" and dialog.options().attach_to == r1
    dialog.run_type.setCurrentText("SF")
    assert picker.currentIndex() == 0 and dialog.options().attach_to is None
    picker.setCurrentIndex(picker.findData(first))
    assert dialog.options() == ImportOptions("SF", DAY, attach_to=first)
    assert dialog.command.text() == (
        f"settlement-workbench import --run SF --date 2022-01-01 --attach-to-run {first} FILES…"
    )
    assert dialog.hint.text().startswith(
        f"2022-01-01 SF (run {first}) chosen, not the newest SF run 2022-01-01 SF #2"
    )
    dialog.accept()
    wait_idle(qtbot, room)
    report = room.controller.report_dialog
    assert report.runs.model.raw(0, 2) == first
    assert report.runs.model.raw(0, 4) == "published figures attached to this existing run"
    assert room.loaded == [first]
    with db.engine.connect() as conn:
        priced = conn.execute(
            text(
                "SELECT run_id, count(*) FROM system_price_result WHERE origin='published' "
                "GROUP BY run_id"
            )
        ).all()
    assert priced == [(first, 48)]
    assert not told.errors
    assert not gui_thread_checkouts, gui_thread_checkouts.report()
    assert load_import_options(room.settings).attach_to is None  # a run id is not remembered


class _Opening:
    """The window's DatabaseOpening, as the controller sees it: a database under way."""

    def __init__(self, location: str) -> None:
        self.under_way: str | None = location
        self.waiting: list = []

    def after_open(self, then) -> None:
        self.waiting.append(then)


def test_a_run_chosen_among_the_database_befores_runs_is_never_attached_to_in_the_next(
    qtbot, room, told, tmp_path
):
    """Another database was opening when the questions were answered among the runs of the
    one open; the import waits for it, then is refused: run 1 there is not the run chosen."""
    before = room.selection.database
    chosen = import_files(before, [elexon(WIND_PN)]).dates[0].run_id
    after_path = tmp_path / "next.sqlite"
    after = SettlementDatabase.create(after_path)
    try:
        same_id = import_files(after, [elexon(WIND_PN)]).dates[0].run_id
        assert same_id == chosen  # the same id, another run
        room.controller.opening = opening = _Opening(str(after_path))
        options = ImportOptions("SF", DAY, attach_to=chosen)
        assert room.controller.import_files([str(elexon(PRICES))], options=options) is None
        assert len(opening.waiting) == 1  # held back while the next database opens
        room.selection.database, opening.under_way = after, None  # shown
        for then in opening.waiting:
            then()
        wait_idle(qtbot, room)
        ((title, message),) = told.errors
        assert title == "Not imported"
        assert message.startswith(f"run {chosen} to attach prices to was chosen among the runs")
        assert str(after_path) in message
        with after.engine.connect() as conn:
            priced = conn.execute(text("SELECT count(*) FROM system_price_result")).scalar()
        assert priced == 0 and room.loaded == []
    finally:
        room.selection.database = before
        after.close()
