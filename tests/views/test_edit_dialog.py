"""The dialog of one scenario edit: a number or one choice, and a reason, without which OK
stays disabled (every edit is kept in the audit trail with why)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from views.edit_dialog import EditDialog


def ok_button(dialog: EditDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_a_number_starts_at_the_current_value_and_ok_needs_a_reason(qtbot):
    dialog = EditDialog("Metered volume", "T_GEN-1, period 27", value=74.0, decimals=3)
    qtbot.addWidget(dialog)
    assert dialog.choice is None and dialog.value == 74.0
    assert not ok_button(dialog).isEnabled()
    dialog.reason.setText("   ")  # blanks are no reason
    assert not ok_button(dialog).isEnabled()
    dialog.reason.setText("meter reading corrected by the MOA")
    assert ok_button(dialog).isEnabled()
    dialog.number.setValue(73.1234)
    assert dialog.value == 73.123  # three decimals kept
    dialog.reason.clear()
    assert not ok_button(dialog).isEnabled()


def test_large_and_negative_values_are_accepted(qtbot):
    dialog = EditDialog("ECVN", "GEN P to SUP C", value=-250000.5, decimals=1)
    qtbot.addWidget(dialog)
    assert dialog.value == -250000.5


def test_a_choice_gives_the_text_chosen(qtbot):
    dialog = EditDialog("Flag", "acceptance 2", choices=["so_flag", "stor_flag"])
    qtbot.addWidget(dialog)
    assert dialog.number is None and dialog.value == "so_flag"
    dialog.choice.setCurrentIndex(1)
    assert dialog.value == "stor_flag"


def test_ok_accepts_and_cancel_rejects(qtbot):
    dialog = EditDialog("TLF", "T_GEN-1", value=-0.01)
    qtbot.addWidget(dialog)
    dialog.reason.setText("register correction")
    ok_button(dialog).click()
    assert dialog.result() == EditDialog.DialogCode.Accepted
    other = EditDialog("TLF", "T_GEN-1", value=-0.01)
    qtbot.addWidget(other)
    other.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    assert other.result() == EditDialog.DialogCode.Rejected
