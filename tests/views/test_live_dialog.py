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


def test_iris_asks_for_the_registration_and_never_shows_the_secret(qtbot):
    from views.live_dialog import IRIS

    dialog = LiveDialog(LiveOptions())
    qtbot.addWidget(dialog)
    dialog.from_iris.setChecked(True)
    assert dialog.client_id.isEnabled() and dialog.queue.isEnabled()
    assert not dialog.broker.isEnabled() and not dialog.folder.isEnabled()
    assert dialog.secret.echoMode() == dialog.secret.EchoMode.Password
    assert dialog.namespace.text() == "elexon-insights-iris"
    assert dialog.problem.text() == "Give the client id of the IRIS registration."
    dialog.client_id.setText("my-app")
    assert dialog.problem.text() == "Name the IRIS queue."
    dialog.queue.setText("my-queue")
    assert dialog.problem.text() == "Type the client secret (it is never kept)."
    dialog.secret.setText("s3cret")
    assert not ok(dialog).isEnabled()
    assert dialog.problem.text().startswith("Client_id 'my-app' is not an Entra ID GUID")
    dialog.client_id.setText("7f3b2c1d-0a9e-4d8c-b6f5-1e2d3c4b5a69")
    assert ok(dialog).isEnabled() and dialog.problem.text() == ""
    options = dialog.options()
    assert (options.source, options.iris_secret) == (IRIS, "s3cret")
    assert "s3cret" not in repr(options) and "s3cret" not in dialog.command.text()
    assert dialog.command.text() == (
        "As: settlement-workbench listen --db DB --iris "
        "--iris-client-id 7f3b2c1d-0a9e-4d8c-b6f5-1e2d3c4b5a69 --queue my-queue"
    )
    assert options.describe() == "IRIS queue my-queue (elexon-insights-iris)"
    dialog.namespace.setText("x")
    assert "is not a Service Bus namespace" in dialog.problem.text()
