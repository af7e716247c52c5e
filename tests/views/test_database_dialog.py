"""The Open database dialog (a file or a server URL) and the password dialog (issue 21)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from tests.views.screens import save_screens
from views.database_dialog import DatabaseChoice, OpenDatabaseDialog, PasswordDialog

URL = "postgresql+psycopg://analyst@127.0.0.1:5432/settlement"


def _open_button(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Open)


def test_a_file_or_a_server_url(qtbot, tmp_path):
    dialog = OpenDatabaseDialog(str(tmp_path / "demo.sqlite"), URL)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.file_choice.isChecked()  # the last file first, as Ctrl+O opened before
    assert dialog.choice() == DatabaseChoice(str(tmp_path / "demo.sqlite"), server=False)
    dialog.url.textEdited.emit(URL)  # typing in the URL field chooses the server
    assert dialog.server_choice.isChecked()
    assert dialog.choice() == DatabaseChoice(URL, server=True)
    save_screens(dialog, tmp_path, "open_database_dialog")
    dialog.url.setText("not a url")
    assert not _open_button(dialog).isEnabled()
    dialog.url.setText(f"  {URL} ")
    assert _open_button(dialog).isEnabled() and dialog.choice().location == URL
    dialog.file_choice.setChecked(True)
    dialog.file.setText("")
    assert not _open_button(dialog).isEnabled()


def test_only_a_url_remembered_chooses_the_server(qtbot):
    dialog = OpenDatabaseDialog("", URL)
    qtbot.addWidget(dialog)
    assert dialog.server_choice.isChecked() and _open_button(dialog).isEnabled()
    empty = OpenDatabaseDialog()
    qtbot.addWidget(empty)
    assert empty.file_choice.isChecked() and not _open_button(empty).isEnabled()


def test_the_password_is_typed_hidden_and_forgotten_on_cancel(qtbot, tmp_path):
    dialog = PasswordDialog(URL, "fe_sendauth: no password supplied")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    assert URL in dialog.where.text() and dialog.reason.isVisible()
    dialog.password.setText("secret")
    assert dialog.typed() == "secret"
    save_screens(dialog, tmp_path, "password_dialog")
    dialog.reject()
    assert dialog.typed() == ""
    quiet = PasswordDialog(URL)
    qtbot.addWidget(quiet)
    quiet.show()
    assert not quiet.reason.isVisible()
