"""The dispute cases dock and its new-case dialog: the raise-by date counts from the run
concerned (its settlement calendar day, R-DSP-RUNDATE), never from the day of loading."""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate

from models.disputes.dispute_cases import DisputeCase
from tests.views.screens import save_screens
from views.dispute_case_panel import DisputeCasePanel, NewDisputeCaseDialog


def test_the_new_case_dialog_starts_at_the_runs_calendar_day(qtbot, tmp_path):
    dialog = NewDisputeCaseDialog(["GEN", "SUP"], "2024-06-12 SF", None, date(2024, 6, 12), "SF")
    qtbot.addWidget(dialog)
    assert dialog.chosen_run_date() == date(2024, 7, 4)  # 16 working days after
    assert dialog.deadline.text().startswith("Thu 01 Aug 2024")  # + 20 working days
    assert "16 working days" in dialog.run_date.toolTip()
    dialog.run_date.setDate(QDate(2024, 7, 5))  # the analyst knows it ran a day late
    assert dialog.deadline.text().startswith("Fri 02 Aug 2024")
    dialog.category.setCurrentIndex(dialog.category.findData("profile"))
    assert dialog.deadline.text().startswith("Mon 17 Jun 2024")  # 3 days after the day
    dialog.reference.setText("TD-9")
    assert dialog.values()["run_date"] == date(2024, 7, 5)


def test_a_df_runs_date_is_asked_for(qtbot):
    dialog = NewDisputeCaseDialog(["GEN"], "2024-06-12 DF", None, date(2024, 6, 12), "DF")
    qtbot.addWidget(dialog)
    assert "ad hoc" in dialog.run_date.toolTip()
    assert dialog.chosen_run_date() > date(2025, 7, 1)  # no earlier than RF (292 days)


def test_the_case_list_shows_run_date_and_raise_by(qtbot, tmp_path):
    panel = DisputeCasePanel()
    qtbot.addWidget(panel)
    case = DisputeCase(
        1,
        "TD-1",
        "GEN",
        (date(2024, 6, 12),),
        None,
        1,
        "general",
        "acceptance 2 never instructed",
        "open",
        date(2024, 7, 4),
        datetime(2026, 12, 1),
        (2,),
        "SF",
    )
    panel.show_cases([case])
    titles = [c.title for c in panel.table.model.columns]
    row = {t: panel.table.proxy.index(0, i).data() for i, t in enumerate(titles)}
    assert (row["raise by"], row["run date"]) == ("2024-08-01", "2024-07-04")
    panel.show()
    save_screens(panel, tmp_path, "case_panel")
    dialog = NewDisputeCaseDialog(["GEN", "SUP"], "2024-06-12 SF", None, date(2024, 6, 12), "SF")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.grab().save(str(tmp_path / "new_case_dialog.png"))
