"""File › Go live…'s dialog (views/live_dialog.py): a folder or a broker and queue, what
`listen` would refuse said under the form with OK disabled, and the equivalent command line."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from views.live_dialog import BROKER, FOLDER, LiveDialog, LiveOptions


def ok(dialog: LiveDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_a_folder_or_a_broker_and_queue_else_ok_is_disabled(qtbot, tmp_path):
    dialog = LiveDialog(LiveOptions())
    qtbot.addWidget(dialog)
    assert dialog.from_folder.isChecked() and not dialog.broker.isEnabled()
    assert not ok(dialog).isEnabled() and "Choose the folder" in dialog.problem.text()
    dialog.folder.setText(str(tmp_path / "missing"))
    assert not ok(dialog).isEnabled() and "is not a folder" in dialog.problem.text()
    dialog.folder.setText(str(tmp_path))
    assert ok(dialog).isEnabled() and dialog.problem.text() == ""
    assert dialog.options() == LiveOptions(FOLDER, "amqp://127.0.0.1:5672", "", str(tmp_path))
    assert dialog.command.text() == f"As: settlement-workbench listen --db DB --folder {tmp_path}"
    dialog.close_days.setChecked(False)
    assert dialog.options().close_after is None
    assert dialog.command.text().endswith("--close-after never")

    dialog.from_broker.setChecked(True)
    assert dialog.broker.isEnabled() and not dialog.folder.isEnabled()
    assert not ok(dialog).isEnabled() and dialog.problem.text() == "Name the queue on the broker."
    dialog.queue.setText("bmrs")
    assert ok(dialog).isEnabled()
    dialog.broker.setText("http://x")
    assert dialog.problem.text() == "Give the broker as amqp://HOST:PORT."
    dialog.broker.setText("amqp://127.0.0.1:5672")
    options = dialog.options()
    assert (options.source, options.broker, options.queue) == (BROKER, options.broker, "bmrs")
    assert options.describe() == "amqp://127.0.0.1:5672 queue bmrs"
