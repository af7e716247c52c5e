"""Exports without a window: the run's workbook in a job, and no pack of a comparison that
is missing or out of date."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from models.disputes.comparison_key import ComparisonKey
from views.selection import Compared
from workbench.gui.export_controller import ExportController
from workbench.gui.jobs import JobRunner

TIMEOUT_MS = 60_000


@pytest.fixture
def controller(qtbot, selection, told):
    jobs = JobRunner()
    reasons = []
    c = ExportController(
        selection,
        jobs,
        told.feedback(),
        selected_case=lambda: None,
        current_table=lambda: None,
        verify_comparison=lambda: reasons.pop() if reasons else None,
    )
    c.reasons = reasons
    yield c
    jobs.wait_all()


def test_the_run_is_written_in_a_job(qtbot, controller, told, tmp_path):
    path = tmp_path / "run.xlsx"
    with qtbot.waitSignal(controller.jobs.finished, timeout=TIMEOUT_MS):
        controller.export_run(str(path))
    qtbot.waitUntil(lambda: bool(told.status), timeout=TIMEOUT_MS)
    assert told.status == [f"Wrote {path}"]
    assert load_workbook(path).sheetnames[:2] == ["Prices", "Parties"]


def test_no_pack_of_a_missing_or_stale_comparison(controller, selection, told, tmp_path):
    path = tmp_path / "pack.xlsx"
    controller.export_comparison(str(path))
    assert told.status == ["Compare two runs first (F6, or Compare with another run)."]
    key = ComparisonKey(selection.database.location, 1, 1, ())
    selection.comparison = Compared(key, "compare again")
    controller.reasons.append("another database was opened since")
    controller.export_comparison(str(path))
    assert told.status[-1] == (
        "Not exported: the comparison on show is out of date (another database was opened "
        "since); Settle and compare (F6) first."
    )
    assert not path.exists() and not controller.jobs.busy()


def test_nothing_to_export_is_said(controller, told):
    controller.export_case_pack()
    controller.export_table()
    assert told.status == ["No dispute case to export.", "Click in a table first."]
