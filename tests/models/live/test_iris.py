"""IRIS on Azure Service Bus (models.live.iris): real recorded Elexon messages, made as the
SDK's own ServiceBusReceivedMessage objects, through the handler the other sources use;
completed only after the commit, a redelivery writing nothing twice, a poison message
dead-lettered and completed, a failed commit abandoned; the receive loop against a declared
double of the SDK's receiver (tests/models/live/iris_double.py): reconnects with a growing
delay, refusals in one line, a clean stop. Nothing here reaches beyond 127.0.0.1."""

from __future__ import annotations

import json

import pytest
from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
from azure.servicebus.exceptions import (
    MessageLockLostError,
    MessagingEntityNotFoundError,
    ServiceBusAuthenticationError,
    ServiceBusCommunicationError,
    ServiceBusConnectionError,
)
from sqlalchemy import event, select

from models.core.errors import WorkbenchInputError
from models.db.schema import LiveDeadLetter, LiveMessage
from models.live import iris
from models.live.handler import DEAD, REPEATED, SKIPPED, WRITTEN, Message
from models.live.iris import IrisConfig, config_from, listen_iris, message_of, remember
from models.live.stream import Stream
from tests.models.live.iris_double import Queue, received, refuse_the_network
from tests.models.live.recorded import DAY_FILES, messages_of, recorded

CLIENT_ID = "7f3b2c1d-0a9e-4d8c-b6f5-1e2d3c4b5a69"
CONFIG = IrisConfig(client_id=CLIENT_ID, queue_name="iris.test-queue", client_secret="s3cret")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    refuse_the_network(monkeypatch)


@pytest.fixture
def boalf():
    """Two real BOALF messages of 2022-01-01 (2,000 and 1,720 acceptances)."""
    return messages_of(recorded(DAY_FILES[2]), per_message=2000)


def stream_of(db, **options) -> Stream:
    return Stream(db, settle=False, **options)


def ids(db, table) -> list[str]:
    with db.engine.connect() as conn:
        return list(conn.execute(select(table.message_id).order_by(table.received_at)).scalars())


def test_the_sdk_message_reads_as_the_subject_the_id_and_the_json_body(boalf):
    first = boalf[0]
    message = received(first, receiver=object())
    assert message.application_properties == {
        b"source_file_name": f"{first.message_id}.json".encode()
    }
    assert message_of(message) == first  # dataset BOALF from the subject, the id, the body
    assert len(json.loads(message_of(message).body)) == 2000
    with_bom = received(first, object(), body=b"\xef\xbb\xbf" + first.body.encode())
    assert message_of(with_bom).body == first.body
    # No subject: no dataset (the handler dead-letters it). No id cannot be made: the SDK
    # gives a message sent without one a GUID.
    assert message_of(received(Message("", "x", "[]"), object())).dataset == ""


def test_iris_messages_go_through_the_handler_and_are_completed_after_commit(registered_db, boalf):
    first, second = boalf
    poison = Message("BOALF", "poison-1", '[{"dataset": "BOALF", "levelFrom": ')  # cut short
    fuel = Message("FUELINST", "fuel-1", '[{"dataset": "FUELINST", "generation": 1}]')
    queue = Queue(script=[[first, second], [first, poison, fuel]])  # `first` delivered again

    def committed_before_complete(message_id: str) -> None:
        # Another connection sees the message's row (or dead letter) when it is completed.
        seen = ids(registered_db, LiveMessage) + ids(registered_db, LiveDeadLetter)
        if message_id != "fuel-1":  # skipped: nothing written, nothing to see
            assert message_id in seen, f"{message_id} completed before its commit"

    queue.on_complete = committed_before_complete
    told = []
    stream = stream_of(registered_db, until_idle=0.5, on_outcome=lambda m, o: told.append(o.status))
    listen_iris(CONFIG, stream, client_of=queue.client_of)

    assert told == [WRITTEN, WRITTEN, REPEATED, DEAD, SKIPPED]
    assert queue.completed() == [m.message_id for m in (first, second, first, poison, fuel)]
    assert queue.abandoned() == []
    assert ids(registered_db, LiveMessage) == [first.message_id, second.message_id]
    with registered_db.engine.connect() as conn:
        letter = conn.execute(select(LiveDeadLetter.message_id, LiveDeadLetter.reason)).one()
    assert letter.message_id == "poison-1" and "not valid JSON" in letter.reason
    assert (queue.clients, queue.events[0], queue.events[-1]) == (1, "open", "close")


def test_a_failed_commit_abandons_the_message_and_stops_and_its_redelivery_is_written_once(
    registered_db, boalf
):
    first, second = boalf
    queue = Queue(script=[[first, second]])

    commits = []

    def refuse(conn) -> None:  # the commit of `second`'s transaction (the second) fails
        commits.append(conn)
        if len(commits) == 2:
            raise RuntimeError("disk I/O error")

    event.listen(registered_db.engine, "commit", refuse)
    with pytest.raises(RuntimeError, match="disk I/O error"):
        listen_iris(CONFIG, stream_of(registered_db), client_of=queue.client_of)
    event.remove(registered_db.engine, "commit", refuse)
    assert queue.completed() == [first.message_id]
    assert queue.abandoned() == [second.message_id]  # not completed: delivered again
    assert ids(registered_db, LiveMessage) == [first.message_id]  # rolled back
    assert queue.events[-1] == "close"

    queue.script = [[second, first]]  # the redelivery, and `first` once more
    listen_iris(CONFIG, stream_of(registered_db, until_idle=0.3), client_of=queue.client_of)
    assert ids(registered_db, LiveMessage) == [first.message_id, second.message_id]
    assert queue.completed()[1:] == [second.message_id, first.message_id]


def test_a_lost_connection_is_made_again_with_a_growing_delay(registered_db, boalf, monkeypatch):
    monkeypatch.setattr(iris, "RECONNECT_FIRST_SECONDS", 0.01)
    first, second = boalf
    gone = ServiceBusConnectionError(message="the connection was closed")
    queue = Queue(
        script=[[first], gone, [second]],
        opens=[],  # set below: the reconnections' opens fail twice before one works
    )
    connections = []
    stream = stream_of(
        registered_db,
        until_idle=0.5,
        on_connection=lambda up, detail: connections.append((up, detail)),
    )

    def fail_opens_after_the_loss(message_id: str) -> None:
        if message_id == first.message_id:
            queue.opens[:] = [
                ServiceRequestError("Failed to resolve login.microsoftonline.com"),
                gone,
            ]

    queue.on_complete = fail_opens_after_the_loss
    listen_iris(CONFIG, stream, client_of=queue.client_of)

    assert ids(registered_db, LiveMessage) == [first.message_id, second.message_id]
    assert queue.clients == 4  # the first, two failed reconnections, the one that worked
    where = "receiving from iris.test-queue on elexon-insights-iris.servicebus.windows.net"
    assert connections == [
        (True, where),
        (False, "the connection was closed; reconnecting in 0.01 s, attempt 1"),
        (False, "Failed to resolve login.microsoftonline.com; reconnecting in 0.02 s, attempt 2"),
        (False, "the connection was closed; reconnecting in 0.04 s, attempt 3"),
        (True, where),
    ]


def test_after_a_reconnection_the_delay_starts_short_again(registered_db, boalf, monkeypatch):
    monkeypatch.setattr(iris, "RECONNECT_FIRST_SECONDS", 0.01)
    first, second = boalf
    gone = ServiceBusConnectionError(message="gone")
    no_route = ServiceBusCommunicationError(message="no route to host")
    queue = Queue(script=[gone, no_route, [first], gone, [second]])
    delays = []
    stream = stream_of(
        registered_db,
        until_idle=0.5,
        on_connection=lambda up, d: delays.append(d) if not up else None,
    )
    listen_iris(CONFIG, stream, client_of=queue.client_of)
    assert [d.split("in ")[1] for d in delays] == [
        "0.01 s, attempt 1",
        "0.02 s, attempt 2",
        "0.01 s, attempt 1",
    ]
    assert queue.completed() == [first.message_id, second.message_id]


@pytest.mark.parametrize(
    "refusal",
    [
        ClientAuthenticationError("AADSTS7000215: Invalid client secret provided."),
        ServiceBusAuthenticationError(
            message="Unauthorized access. 'Listen' claim(s) are required."
        ),
        MessagingEntityNotFoundError(message="The messaging entity could not be found."),
    ],
)
def test_a_refusal_by_the_service_is_one_line_and_no_retry(registered_db, refusal):
    queue = Queue(opens=[refusal])
    with pytest.raises(WorkbenchInputError) as raised:
        listen_iris(CONFIG, stream_of(registered_db), client_of=queue.client_of)
    line = str(raised.value)
    assert "\n" not in line and queue.clients == 1
    assert line.startswith(
        "IRIS refused iris.test-queue on elexon-insights-iris.servicebus.windows.net: "
    )
    assert str(refusal).splitlines()[0].split(" Error condition")[0] in line


def test_a_stop_during_a_batch_gives_the_rest_back_and_closes(registered_db, boalf):
    first, second = boalf
    third = Message("BOALF", "third", second.body)
    queue = Queue(script=[[first, second, third]])
    stream = stream_of(registered_db)
    stream.on_outcome = lambda m, o: stream.stop.set()  # Ctrl+C while `first` is written
    listen_iris(CONFIG, stream, client_of=queue.client_of)
    assert queue.completed() == [first.message_id]  # committed before the stop: completed
    assert queue.abandoned() == [second.message_id, "third"]
    assert ids(registered_db, LiveMessage) == [first.message_id]
    assert queue.events[-1] == "close"


def test_a_lock_lost_before_the_complete_is_redelivered_and_writes_nothing(registered_db, boalf):
    first, second = boalf
    queue = Queue(script=[[first], [first, second]])
    queue.complete_fails[first.message_id] = MessageLockLostError(
        message="The lock supplied is invalid."
    )
    stream = stream_of(registered_db, until_idle=0.4)
    listen_iris(CONFIG, stream, client_of=queue.client_of)
    assert stream.counts == {WRITTEN: 2, REPEATED: 1}
    assert queue.completed() == [first.message_id, second.message_id]
    assert ids(registered_db, LiveMessage) == [first.message_id, second.message_id]


class Settings(dict):
    """The two QSettings calls config_from and remember use, on a dict."""

    def value(self, key, default=None):
        return self.get(key, default)

    def setValue(self, key, value):  # QSettings' name
        self[key] = value

    def remove(self, key):
        self.pop(key, None)


def test_the_configuration_comes_from_the_settings_under_the_options_and_never_keeps_the_secret():
    settings = Settings({"iris/client_id": CLIENT_ID, "iris/queue_name": "kept-queue"})
    config = config_from(settings, "s3cret", queue_name="given-queue", tenant_id=None)
    assert (config.client_id, config.queue_name, config.tenant_id) == (
        CLIENT_ID,
        "given-queue",
        iris.ELEXON_TENANT_ID,
    )
    assert config.fully_qualified_namespace == "elexon-insights-iris.servicebus.windows.net"
    assert "s3cret" not in repr(config)
    remember(settings, config)
    assert "s3cret" not in repr(dict(settings))
    assert settings["iris/queue_name"] == "given-queue"
    assert settings["iris/service_bus_namespace"] == "elexon-insights-iris"


@pytest.mark.parametrize(
    "settings, secret, given, says",
    [
        ({}, "s", {"queue_name": "q"}, "IRIS: no client_id (give listen --iris --iris-client-id"),
        ({"iris/client_id": CLIENT_ID}, "s", {}, "IRIS: no queue_name (give listen --iris --queue"),
        (
            {"iris/client_id": CLIENT_ID},
            "",
            {"queue_name": "q"},
            "no client secret (set IRIS_CLIENT_SECRET",
        ),
        (
            {},
            "s",
            {"client_id": "my-app", "queue_name": "q"},
            "client_id 'my-app' is not an Entra ID GUID",
        ),
        (
            {"iris/client_id": CLIENT_ID, "iris/tenant_id": "elexon"},
            "s",
            {"queue_name": "q"},
            "tenant_id 'elexon' is not an Entra ID GUID",
        ),
        (
            {"iris/client_id": CLIENT_ID},
            "s",
            {"queue_name": "q", "service_bus_namespace": "sb://x"},
            "service_bus_namespace 'sb://x' is not a Service Bus namespace",
        ),
        (
            {"iris/client_id": CLIENT_ID},
            "s",
            {"queue_name": "a queue"},
            "queue_name 'a queue' is not",
        ),
        (
            {"iris/client_id": CLIENT_ID, "iris/queue_name": "q", "iris/client_secret": "s"},
            "s",
            {},
            "the workbench settings hold iris/client_secret in clear text",
        ),
    ],
)
def test_a_bad_or_missing_configuration_is_one_line(settings, secret, given, says):
    with pytest.raises(WorkbenchInputError) as raised:
        config_from(Settings(settings), secret, **given)
    assert says in str(raised.value) and "\n" not in str(raised.value)


def test_the_sdk_client_is_made_for_the_namespace_without_connecting():
    client = iris.service_bus_client(
        IrisConfig(
            CLIENT_ID, "q", "s3cret", service_bus_namespace="my-own-iris.servicebus.windows.net"
        )
    )
    with client:  # closes without having opened anything (the network is refused here)
        assert client.fully_qualified_namespace == "my-own-iris.servicebus.windows.net"
        receiver = client.get_queue_receiver("q")
        assert receiver.entity_path == "q"


def test_the_calls_the_listener_makes_are_the_sdks():
    """The double stands for these calls only; the SDK must take them as the listener makes
    them (keyword names), or the double would pass where the service fails."""
    import inspect

    from azure.servicebus import ServiceBusClient, ServiceBusReceiver

    def parameters(function) -> set[str]:
        return set(inspect.signature(function).parameters)

    assert {"max_message_count", "max_wait_time"} <= parameters(ServiceBusReceiver.receive_messages)
    assert "message" in parameters(ServiceBusReceiver.complete_message)
    assert "message" in parameters(ServiceBusReceiver.abandon_message)
    assert {"queue_name", "receive_mode"} <= parameters(ServiceBusClient.get_queue_receiver)
    assert hasattr(ServiceBusReceiver, "__enter__") and hasattr(ServiceBusClient, "__exit__")
