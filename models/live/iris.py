"""Live messages from Elexon's IRIS itself: a queue on Azure Service Bus, read with Microsoft's
SDK (azure-servicebus) under an Entra ID app registration (azure-identity's
ClientSecretCredential: client id, client secret, tenant id).

The facts, from Elexon's IRIS clients (github.com/elexon-data/iris-clients): the namespace is
`elexon-insights-iris` (`<namespace>.servicebus.windows.net`), Elexon's tenant
4203b7a0-7773-4de5-b830-8b263a20426e, the queue's name and the client id and secret come
with the registration on the Insights Solution; a message's subject is its dataset (BOALF),
its id the name Elexon's client saves it under, its body the JSON of its records; one
connection per queue; a message not received within 3 days expires.

Each message goes through the handler the AMQP and folder sources use (Stream.take): peek-lock,
completed only once its transaction committed (at least once; its id makes a redelivery write
nothing). A malformed one is dead-lettered in our table by the handler and completed, so the
queue goes on (Service Bus's own dead-letter queue would hold it where no one looks). A message
whose transaction failed is abandoned (delivered again at once) and the listener stops with
the error: going on would abandon every message until Service Bus moved them to its dead
letters. A lost connection is made again with a growing delay; credentials or a queue the
service refuses are one line.
"""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from models.core.errors import WorkbenchInputError
from models.live.handler import Message
from models.live.stream import CHECK_SECONDS, Stream

ELEXON_TENANT_ID = "4203b7a0-7773-4de5-b830-8b263a20426e"
ELEXON_NAMESPACE = "elexon-insights-iris"
NAMESPACE_DOMAIN = ".servicebus.windows.net"
SECRET_VARIABLE = "IRIS_CLIENT_SECRET"
# The workbench settings' keys. The secret has none: it is never written to the settings.
SETTINGS_KEYS = {
    "client_id": "iris/client_id",
    "queue_name": "iris/queue_name",
    "service_bus_namespace": "iris/service_bus_namespace",
    "tenant_id": "iris/tenant_id",
}
SECRET_KEY = "iris/client_secret"  # refused if found: a secret in clear text

BATCH = 10  # messages asked for at once: each locked until completed or abandoned
RECONNECT_FIRST_SECONDS = 0.5
RECONNECT_MAX_SECONDS = 30.0
SDK_RETRIES = 2  # the SDK's own quick retries, before a loss comes to the backoff here

# Azure's rules: a namespace 6-50 letters, digits and hyphens, from a letter to a letter or
# digit; a queue up to 260 letters, digits, periods, hyphens, underscores and slashes.
_NAMESPACE = re.compile(r"[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]")
_QUEUE = re.compile(r"[A-Za-z0-9._/-]{1,260}")


@dataclass(frozen=True)
class IrisConfig:
    """What connects to an IRIS queue. `client_secret` is never shown (repr) nor saved."""

    client_id: str
    queue_name: str
    client_secret: str = field(repr=False)
    service_bus_namespace: str = ELEXON_NAMESPACE
    tenant_id: str = ELEXON_TENANT_ID

    @property
    def fully_qualified_namespace(self) -> str:
        name = self.service_bus_namespace
        return name if name.endswith(NAMESPACE_DOMAIN) else name + NAMESPACE_DOMAIN

    def checked(self) -> IrisConfig:
        """This configuration, or WorkbenchInputError naming the first value that is wrong."""
        for name in ("client_id", "queue_name", "service_bus_namespace", "tenant_id"):
            if not getattr(self, name).strip():
                raise WorkbenchInputError(f"IRIS: no {name} ({_where(name)})")
        if not self.client_secret.strip():
            raise WorkbenchInputError(
                f"IRIS: no client secret (set {SECRET_VARIABLE}; it is never kept in the settings)"
            )
        for name in ("client_id", "tenant_id"):
            value = getattr(self, name)
            if not _is_uuid(value):
                raise WorkbenchInputError(
                    f"IRIS: {name} {value!r} is not an Entra ID GUID "
                    "(like 4203b7a0-7773-4de5-b830-8b263a20426e)"
                )
        short = self.fully_qualified_namespace.removesuffix(NAMESPACE_DOMAIN)
        if not _NAMESPACE.fullmatch(short):
            raise WorkbenchInputError(
                f"IRIS: service_bus_namespace {self.service_bus_namespace!r} is not a Service Bus "
                f"namespace (6-50 letters, digits and hyphens, like {ELEXON_NAMESPACE})"
            )
        if not _QUEUE.fullmatch(self.queue_name):
            raise WorkbenchInputError(
                f"IRIS: queue_name {self.queue_name!r} is not a Service Bus queue name "
                "(letters, digits, . _ - /; the name Elexon gave with the registration)"
            )
        return self


def _where(name: str) -> str:
    option = {
        "client_id": "--iris-client-id",
        "queue_name": "--queue",
        "service_bus_namespace": "--iris-namespace",
        "tenant_id": "--iris-tenant",
    }[name]
    return f"give listen --iris {option} or set {SETTINGS_KEYS[name]} in the workbench settings"


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return len(text) == 36


def config_from(settings: Any, client_secret: str, **given: str | None) -> IrisConfig:
    """The configuration of the workbench settings (`settings.value(key)`, a QSettings),
    overridden by the values `given` (None: not given), checked. A secret found in the
    settings is refused, not used: it would sit there in clear text."""
    if settings is not None and str(settings.value(SECRET_KEY, "") or ""):
        raise WorkbenchInputError(
            f"IRIS: the workbench settings hold {SECRET_KEY} in clear text: remove it and give "
            f"the secret in {SECRET_VARIABLE}"
        )
    values = {}
    for name, key in SETTINGS_KEYS.items():
        value = given.get(name)
        if value is None and settings is not None:
            value = settings.value(key, None)
        if value is not None:
            values[name] = str(value).strip()
    values.setdefault("client_id", "")
    values.setdefault("queue_name", "")
    return IrisConfig(client_secret=client_secret, **values).checked()


def remember(settings: Any, config: IrisConfig) -> None:
    """Keep the configuration in the workbench settings, all but the secret."""
    for name, key in SETTINGS_KEYS.items():
        settings.setValue(key, getattr(config, name))
    settings.remove(SECRET_KEY)


def message_of(received: Any) -> Message:
    """Our Message of a ServiceBusReceivedMessage: subject = dataset, message id, and the body
    (IRIS sends JSON as a data section: bytes, read as UTF-8)."""
    body = received.body
    if isinstance(body, bytes | bytearray | memoryview):
        text = bytes(body).decode("utf-8-sig", errors="replace")
    elif isinstance(body, str):
        text = body
    elif isinstance(body, Iterable):  # the SDK's data sections, a generator of bytes
        sections = list(body)
        if all(isinstance(s, bytes | bytearray | memoryview) for s in sections):
            text = b"".join(bytes(s) for s in sections).decode("utf-8-sig", errors="replace")
        else:
            text = repr(sections)
    else:
        text = repr(body)
    return Message(str(received.subject or ""), str(received.message_id or ""), text)


class Receiver(Protocol):
    """What the listener uses of azure.servicebus.ServiceBusReceiver."""

    def __enter__(self) -> Receiver: ...
    def __exit__(self, *exc: object) -> Any: ...
    def receive_messages(self, max_message_count: int, max_wait_time: float) -> list: ...
    def complete_message(self, message: Any) -> None: ...
    def abandon_message(self, message: Any) -> None: ...


class Client(Protocol):
    """What the listener uses of azure.servicebus.ServiceBusClient."""

    def __enter__(self) -> Client: ...
    def __exit__(self, *exc: object) -> Any: ...
    def get_queue_receiver(self, queue_name: str, **options: Any) -> Receiver: ...


def service_bus_client(config: IrisConfig) -> Client:
    """The SDK's client of the IRIS namespace under the app registration's credential. Made
    without contacting anything: the connection opens with the receiver."""
    from azure.identity import ClientSecretCredential
    from azure.servicebus import ServiceBusClient

    credential = ClientSecretCredential(config.tenant_id, config.client_id, config.client_secret)
    return ServiceBusClient(
        config.fully_qualified_namespace,
        credential,
        retry_total=SDK_RETRIES,
        retry_backoff_max=RECONNECT_MAX_SECONDS,
    )


def _failures():
    """(refused: stop with one line, lost: connect again) of the SDK's errors. Entra ID not
    answering (azure-core's ServiceRequestError, the token not fetched) is a loss too."""
    from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError
    from azure.servicebus.exceptions import (
        MessagingEntityDisabledError,
        MessagingEntityNotFoundError,
        ServiceBusAuthenticationError,
        ServiceBusAuthorizationError,
        ServiceBusError,
    )

    refused = (
        ClientAuthenticationError,
        ServiceBusAuthenticationError,
        ServiceBusAuthorizationError,
        MessagingEntityNotFoundError,
        MessagingEntityDisabledError,
    )
    return refused, (ServiceBusError, ServiceRequestError)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _delays():
    delay = RECONNECT_FIRST_SECONDS
    while True:
        yield delay
        delay = min(delay * 2, RECONNECT_MAX_SECONDS)


def listen_iris(
    config: IrisConfig,
    stream: Stream,
    client_of: Callable[[IrisConfig], Client] | None = None,
) -> None:
    """Take the IRIS queue's messages into `stream` until it is done (stop set, or idle).
    `client_of` makes the SDK's client (default service_bus_client; a test gives a double)."""
    from azure.servicebus import ServiceBusReceiveMode
    from azure.servicebus.exceptions import MessageLockLostError

    refused, lost = _failures()
    delays = _delays()
    attempts = 0  # reconnections since the queue last answered
    where = f"{config.queue_name} on {config.fully_qualified_namespace}"
    while not stream.done():
        try:
            with (client_of or service_bus_client)(config) as client:
                receiver = client.get_queue_receiver(
                    config.queue_name, receive_mode=ServiceBusReceiveMode.PEEK_LOCK
                )
                with receiver:
                    stream.connection(True, f"receiving from {where}")
                    while not stream.done():
                        batch = receiver.receive_messages(
                            max_message_count=BATCH, max_wait_time=CHECK_SECONDS
                        )
                        delays, attempts = _delays(), 0  # it answered: short delays again
                        _take(batch, receiver, stream, MessageLockLostError, lost)
        except refused as exc:
            raise WorkbenchInputError(f"IRIS refused {where}: {_first_line(exc)}") from None
        except lost as exc:
            if stream.done():
                return
            attempts += 1
            delay = next(delays)
            stream.connection(
                False,
                f"{_first_line(exc)}; reconnecting in {delay:g} s, attempt {attempts}",
            )
            _wait(stream, delay)


def _take(batch: list, receiver: Receiver, stream: Stream, lock_lost: type, lost: tuple) -> None:
    for index, received in enumerate(batch):
        if stream.stop.is_set():
            # Stopping: given back now, not when their locks expire, for the next listener.
            _give_back(receiver, batch[index:], lost)
            return
        try:
            stream.take(message_of(received))
        except BaseException:
            # Not written: delivered again (the rest of the batch too), and the listener stops.
            _give_back(receiver, batch[index:], lost)
            raise
        # After the commit: at least once. A lock that expired meanwhile: the message is
        # delivered again, and its id writes nothing.
        with contextlib.suppress(lock_lost):
            receiver.complete_message(received)


def _give_back(receiver: Receiver, messages: list, lost: tuple) -> None:
    for message in messages:
        try:
            receiver.abandon_message(message)
        except lost:
            return  # the connection is gone: their locks expire and the queue delivers them


def _wait(stream: Stream, seconds: float) -> None:
    """Sleep `seconds`, looking at the stream's stop (and idle time) as the sources do."""
    end = time.monotonic() + seconds
    while not stream.done():
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(CHECK_SECONDS, left))
