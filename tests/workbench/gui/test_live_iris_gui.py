"""File › Go live… on Elexon's IRIS (Azure Service Bus) in the window: the registration read
from the window's settings, the secret typed (never kept), the listener writing real recorded
messages through the SDK's message objects from the declared double of its receiver
(tests/models/live/iris_double.py: Azure is not reachable from here, and the network but
127.0.0.1 is refused), then stopped cleanly."""

from __future__ import annotations

from tests.models.live.iris_double import Queue, refuse_the_network
from tests.models.live.recorded import DAY_FILES, messages_of, recorded
from tests.views.window_driver import open_database
from tests.workbench.gui.live_helpers import registered_database
from views.live_dialog import IRIS

CLIENT_ID = "7f3b2c1d-0a9e-4d8c-b6f5-1e2d3c4b5a69"


def test_go_live_on_iris_from_the_settings(qtbot, window, tmp_path, monkeypatch):
    refuse_the_network(monkeypatch)
    monkeypatch.delenv("IRIS_CLIENT_SECRET", raising=False)
    queue = Queue()
    monkeypatch.setattr("models.live.iris.service_bus_client", queue.client_of)
    first, second = messages_of(recorded(DAY_FILES[2]), per_message=2000)
    queue.script = [[first], [first, second]]  # `first` delivered twice: written once
    window.settings.setValue("iris/client_id", CLIENT_ID)
    window.settings.setValue("iris/queue_name", "my-queue")
    assert open_database(qtbot, window, registered_database(tmp_path / "live.sqlite"))
    controller = window.live.controller
    try:
        window.live.go_action.trigger()
        dialog = controller.dialog
        assert dialog.from_iris.isChecked()  # the settings hold a registration
        assert (dialog.client_id.text(), dialog.queue.text()) == (CLIENT_ID, "my-queue")
        assert "Type the client secret" in dialog.problem.text()
        dialog.secret.setText("s3cret-value")
        options = dialog.options()
        assert options.source == IRIS
        dialog.accept()
        qtbot.waitUntil(lambda: controller.running)
        qtbot.waitUntil(
            lambda: len(queue.completed()) == 3 and controller.written == 2, timeout=60_000
        )
        assert queue.completed() == [first.message_id, first.message_id, second.message_id]
        assert "Live: last message" in window.live.status_light.text()
    finally:
        controller.stop()
    qtbot.waitUntil(lambda: not controller.running)
    assert queue.events[-1] == "close"
    window.settings.sync()
    text = (tmp_path / "settings.ini").read_text()
    assert CLIENT_ID in text and "elexon-insights-iris" in text and "s3cret" not in text
