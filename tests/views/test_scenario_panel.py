"""The scenario dock: what the shown run is (nothing, a settlement run that never changes, or a
scenario on a base run), which buttons apply, and the audit trail as a table."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtGui import QUndoCommand, QUndoStack

from models.runs.scenarios.store import AuditRecord
from views.scenario_panel import ScenarioPanel


def buttons(panel: ScenarioPanel) -> tuple[bool, bool, bool]:
    return (
        panel.new_button.isEnabled(),
        panel.compare_button.isEnabled(),
        panel.export_button.isEnabled(),
    )


def test_nothing_loaded_offers_nothing(qtbot):
    panel = ScenarioPanel()
    qtbot.addWidget(panel)
    assert panel.title.text() == "No run loaded."
    assert buttons(panel) == (False, False, False)


def test_a_settlement_run_offers_a_new_scenario_only(qtbot):
    panel = ScenarioPanel()
    qtbot.addWidget(panel)
    panel.show_state("2024-06-12 SF", None)
    assert "is a settlement run: it never changes" in panel.title.text()
    assert buttons(panel) == (True, False, False)


def test_a_scenario_shows_its_edits_and_offers_compare_and_export(qtbot):
    panel = ScenarioPanel()
    qtbot.addWidget(panel)
    stack = QUndoStack()
    stack.push(QUndoCommand("remove acceptance 2 of T_GEN-1"))
    panel.show_state("what if", stack, base="2024-06-12 SF")
    assert "Scenario on 2024-06-12 SF" in panel.title.text()
    assert buttons(panel) == (False, True, True)
    assert panel.history.stack() is stack
    # The same stack shown again is not set again (QUndoView would undo or redo on it).
    panel.show_state("what if", stack, base="2024-06-12 SF")
    assert stack.index() == 1 and panel.history.stack() is stack


def test_the_audit_trail_is_a_table_row_per_record(qtbot):
    panel = ScenarioPanel()
    qtbot.addWidget(panel)
    at = datetime(2026, 12, 2, 4, 44, 21)
    panel.show_audit(
        [
            AuditRecord(1, "edit", 1, "Remove acceptance: bm_unit T_GEN-1, number 2", '{"k": 2}',
                        None, "analyst", at, "instructed after the gate"),
            AuditRecord(2, "undo", 1, "Remove acceptance: bm_unit T_GEN-1, number 2", None, None,
                        "analyst", at, "", "analyst@10.0.0.7", "jsmith"),
        ]
    )  # fmt: skip
    model = panel.audit.proxy
    assert model.rowCount() == 2 and model.columnCount() == 9
    # Who wrote it: the OS and database users (none recorded before schema 0013).
    assert [model.index(r, c).data() for r in (0, 1) for c in (7, 8)] == [
        "", "", "jsmith", "analyst@10.0.0.7"
    ]  # fmt: skip
    assert [model.index(0, c).data() for c in (0, 1, 2, 6)] == [
        "2026-12-02 04:44:21", "analyst", "edit", "instructed after the gate"
    ]  # fmt: skip
    assert model.index(1, 4).data() == ""  # no old value: an empty cell, not "None"
