"""File › Fetch from Elexon…: the dialog's questions, a job with progress against the stand-in
Insights server on 127.0.0.1, cancel (nothing written), and the import report at the end."""

from __future__ import annotations

import re
from datetime import date

import pytest
from PySide6.QtCore import QDate
from sqlalchemy import text

from models.db.database import SettlementDatabase
from tests.models.fetch.insights_server import Fault, InsightsStandIn, loopback_only  # noqa: F401
from tests.views.screens import save_screens
from tests.views.window_driver import LOAD_TIMEOUT_MS, open_database
from views.fetch_dialog import FetchDialog, FetchOptions, load_fetch_options

D = date(2022, 1, 1)


@pytest.fixture(scope="module")
def server():
    with InsightsStandIn() as stand_in:
        yield stand_in


@pytest.fixture(autouse=True)
def _fresh(server):
    server.faults.clear()
    server.log.clear()


def _open_empty(qtbot, window, tmp_path):
    path = tmp_path / "fetched.sqlite"
    SettlementDatabase.create(path).close()
    assert open_database(qtbot, window, path)
    return path


def test_the_dialog_asks_what_the_command_line_does(qtbot, window, tmp_path):
    window.choose_fetch()
    dialog = window.fetch_dialog
    assert isinstance(dialog, FetchDialog) and dialog.isVisible() and dialog.isModal()
    dialog.first.setDate(QDate(2022, 1, 1))
    dialog.last.setDate(QDate(2022, 1, 2))
    for name, check in dialog.datasets.items():
        check.setChecked(name in ("PN", "BOD", "BOALF"))
    dialog.run_type.setCurrentText("R1")
    dialog.offline.setChecked(True)
    chosen = dialog.options()
    assert chosen == FetchOptions(D, date(2022, 1, 2), ("PN", "BOD", "BOALF"), "R1",
                                  chosen.base_url, offline=True)  # fmt: skip
    assert dialog.command.text() == (
        "Command line: settlement-workbench fetch --from 2022-01-01 --to 2022-01-02 "
        "--datasets PN,BOD,BOALF --run R1 --offline"
    )
    save_screens(dialog, tmp_path, "fetch_dialog")
    for check in dialog.datasets.values():
        check.setChecked(False)
    assert not dialog.buttons.buttons()[0].isEnabled()  # no dataset: nothing to fetch
    dialog.reject()


def test_fetch_shows_progress_then_the_import_report(qtbot, window, server, tmp_path):
    path = _open_empty(qtbot, window, tmp_path)
    seen: list[tuple[float, str]] = []
    window.jobs.progressed.connect(lambda f, m: seen.append((f, m)))
    for p in range(1, 49):  # slow answers (1.2 s in all): the job is seen part way
        server.faults.append(Fault(f"settlementPeriod={p}&", "slow", seconds=0.1))
    options = FetchOptions(D, D, ("PN", "BOALF"), "SF", server.url)
    window.fetch_from_elexon(options, cache_root=tmp_path / "cache", sleep=lambda s: None)
    assert window.status.text() == "Fetching from Elexon…"
    qtbot.waitUntil(lambda: 15 <= window.progress.value() < 60, timeout=LOAD_TIMEOUT_MS)
    assert window.progress.isVisible() and window.progress.format() == "%p%"
    assert re.fullmatch(
        r"Fetching from Elexon… \d+/60 req, [\d,]+ rec, [\d.]+/s.*", window.status.text()
    )
    save_screens(window, tmp_path, "fetch_progress")
    qtbot.waitUntil(
        lambda: getattr(window, "import_dialog", None) is not None, timeout=LOAD_TIMEOUT_MS
    )
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    fractions = [f for f, _ in seen]
    fractions = fractions[: fractions.index(1.0) + 1]  # then the new run is loaded: a new job
    assert fractions == sorted(fractions) and fractions[-1] >= 0.7  # requests, then the import
    assert any(m.startswith("60/60 req, ") for _, m in seen)  # 48 PN + 12 BOALF
    report = window.import_dialog
    assert report.isVisible()
    assert "2022-01-01: run 1 2022-01-01 SF" in report.text
    # The report says the run records the answers its records came from (provenance).
    assert (
        "2022-01-01: run 1 records the 60 Insights response(s) its records came from "
        "(settlement-workbench show --provenance lists them)"
    ) in report.text
    save_screens(report, tmp_path, "fetch_report")
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM settlement_run")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM fetched_response")).scalar() == 60
    assert load_fetch_options(window.settings, date(2030, 1, 1)).datasets == ("PN", "BOALF")


def test_cancel_while_fetching_writes_nothing(qtbot, window, server, tmp_path):
    path = _open_empty(qtbot, window, tmp_path)
    server.faults += [Fault(f"settlementPeriod={p}&", "slow", seconds=0.2) for p in range(1, 49)]
    window.jobs.progressed.connect(lambda f, m: window.jobs.cancel() if " req, " in m else None)
    options = FetchOptions(D, D, ("PN",), "SF", server.url)
    window.fetch_from_elexon(options, cache_root=tmp_path / "cache", sleep=lambda s: None)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert window.status.text() == "Cancelled."
    assert getattr(window, "import_dialog", None) is None
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM settlement_run")).scalar() == 0


def test_a_bad_answer_is_an_error_and_writes_nothing(qtbot, window, server, tmp_path):
    path = _open_empty(qtbot, window, tmp_path)
    server.faults.append(Fault("settlementPeriod=3&", "wrong_date", times=99))
    options = FetchOptions(D, D, ("PN",), "SF", server.url)
    window.fetch_from_elexon(options, cache_root=tmp_path / "cache", sleep=lambda s: None)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert window.status.text().startswith(
        "The job failed: /datasets/PN?settlementDate=2022-01-01&settlementPeriod=3"
    )
    assert "wrong answer: data[0] settlementDate '2021-12-31'" in window.status.text()
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM settlement_run")).scalar() == 0


def test_fetch_with_no_database_creates_one_opens_it_and_fetches_into_it(
    qtbot, window, server, tmp_path, monkeypatch, gui_thread_checkouts
):
    from PySide6.QtWidgets import QFileDialog

    path = tmp_path / "new.sqlite"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    options = FetchOptions(D, D, ("PN",), "SF", server.url)
    window.fetch_from_elexon(options, cache_root=tmp_path / "cache", sleep=lambda s: None)
    qtbot.waitUntil(lambda: window.import_dialog is not None, timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: not window.jobs.busy(), timeout=LOAD_TIMEOUT_MS)
    assert window.db.location == str(path)
    assert "2022-01-01: run 1 2022-01-01 SF" in window.import_dialog.text
    # Created, opened and fetched into in jobs: the window's own code took no connection.
    own = [f for f in gui_thread_checkouts.found if f.startswith("workbench/gui/main_window.py")]
    assert own == [], gui_thread_checkouts.report()
