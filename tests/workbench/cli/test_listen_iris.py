"""`settlement-workbench listen --iris`: Elexon's IRIS on Azure Service Bus, configured by the
options and the workbench settings, the secret from IRIS_CLIENT_SECRET only; the SDK's client
replaced by the declared double of tests/models/live/iris_double.py (Azure is not reachable
from here, and the tests refuse any address but 127.0.0.1)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from models.db.database import SettlementDatabase
from tests.models.live.iris_double import Queue, refuse_the_network
from tests.models.live.recorded import DAY_FILES, messages_of, recorded
from tests.workbench.cli.running import one_line, run

CLIENT_ID = "7f3b2c1d-0a9e-4d8c-b6f5-1e2d3c4b5a69"


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "live.sqlite"
    SettlementDatabase.create(path).close()
    return path


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """The workbench settings in tmp_path; no secret in the environment; no network."""
    refuse_the_network(monkeypatch)
    kept = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    monkeypatch.setattr("workbench.cli.listen._user_settings", lambda: kept)
    monkeypatch.delenv("IRIS_CLIENT_SECRET", raising=False)
    return kept


@pytest.fixture
def queue(monkeypatch):
    """The IRIS queue: the SDK's client of it made by the double."""
    double = Queue()
    monkeypatch.setattr("models.live.iris.service_bus_client", double.client_of)
    return double


def test_listen_to_iris_remembers_all_but_the_secret(capsys, db_path, settings, queue, monkeypatch):
    monkeypatch.setenv("IRIS_CLIENT_SECRET", "s3cret-value")
    first, second = messages_of(recorded(DAY_FILES[2]), per_message=2000)
    queue.script = [[first], [first, second]]
    argv = ["listen", "--db", str(db_path), "--iris", "--until-idle", "0.5", "--no-settle"]
    code, out, err = run(
        capsys, *argv, "--iris-client-id", CLIENT_ID, "--queue", "my-queue", "--remember-iris"
    )
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == (
        "idle: 2 written, 1 repeated (nothing written), 0 dead-lettered, "
        "0 skipped (datasets not imported)"
    )
    assert out.splitlines()[0] == (
        "connected: receiving from my-queue on elexon-insights-iris.servicebus.windows.net"
    )
    assert queue.completed() == [first.message_id, first.message_id, second.message_id]
    settings.sync()
    text = (db_path.parent / "settings.ini").read_text()
    assert CLIENT_ID in text and "my-queue" in text and "elexon-insights-iris" in text
    assert "s3cret" not in text

    queue.script = [[second]]  # again, configured by the settings alone: a redelivery
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "idle: 0 written, 1 repeated" in out
    assert queue.clients == 2


@pytest.mark.parametrize(
    ("argv", "secret", "says"),
    [
        (
            ["--iris", "--queue", "q"],
            "s",
            "IRIS: no client_id (give listen --iris --iris-client-id",
        ),
        (
            ["--iris", "--iris-client-id", CLIENT_ID, "--queue", "q"],
            None,
            "IRIS: no client secret (set IRIS_CLIENT_SECRET",
        ),
        (
            ["--iris", "--iris-client-id", "app", "--queue", "q"],
            "s",
            "client_id 'app' is not an Entra ID GUID",
        ),
        (["--folder", ".", "--iris-tenant", CLIENT_ID], "s", "--iris-tenant goes with --iris"),
        (["--iris", "--iris-client-id", CLIENT_ID], "s", "IRIS: no queue_name"),
    ],
)
def test_a_bad_iris_configuration_is_one_line(
    capsys, db_path, settings, queue, monkeypatch, argv, secret, says
):
    if secret is not None:
        monkeypatch.setenv("IRIS_CLIENT_SECRET", secret)
    code, _, err = run(capsys, "listen", "--db", str(db_path), *argv)
    assert code == 2
    assert says in one_line(err)
    assert queue.clients == 0  # refused before anything connects


def test_a_secret_in_the_settings_is_refused(capsys, db_path, settings, queue, monkeypatch):
    monkeypatch.setenv("IRIS_CLIENT_SECRET", "s")
    settings.setValue("iris/client_id", CLIENT_ID)
    settings.setValue("iris/queue_name", "q")
    settings.setValue("iris/client_secret", "in clear text")
    code, _, err = run(capsys, "listen", "--db", str(db_path), "--iris")
    assert code == 2
    assert "hold iris/client_secret in clear text" in one_line(err)
    assert queue.clients == 0
