"""IRIS without Azure: the SDK's own message objects, and a declared double of the two SDK
objects models.live.iris uses (ServiceBusClient.get_queue_receiver and the receiver's
receive_messages, complete_message, abandon_message). Elexon's service is not reachable from
where this was built, and there is no Service Bus emulator here.

A message is made as the SDK receives one: a ServiceBusMessage (subject, message id, body)
turned into the AMQP message it sends, encoded to the bytes of the wire and decoded by the
SDK's own decoder (what its receiver does with a transfer frame), then wrapped in a
ServiceBusReceivedMessage. So its properties arrive as the wire gives them (the subject and
id as AMQP strings, application properties with bytes keys, the body as data sections).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from azure.servicebus import ServiceBusMessage, ServiceBusReceivedMessage
from azure.servicebus._pyamqp._decode import decode_payload
from azure.servicebus._pyamqp._encode import encode_payload
from azure.servicebus._transport._pyamqp_transport import PyamqpTransport

from models.live.handler import Message


def received(
    message: Message, receiver: Any, body: bytes | None = None
) -> ServiceBusReceivedMessage:
    """`message` as the SDK's receiver would hand it over (module docstring)."""
    sent = ServiceBusMessage(
        message.body.encode("utf-8") if body is None else body,
        subject=message.dataset or None,
        message_id=message.message_id or None,
        application_properties={"source_file_name": f"{message.message_id}.json"},
    )
    wire = encode_payload(
        bytearray(), PyamqpTransport.to_outgoing_amqp_message(sent.raw_amqp_message)
    )
    return ServiceBusReceivedMessage(decode_payload(memoryview(wire)), receiver=receiver)


@dataclass
class Queue:
    """The queue's side of the double, shared by every client made from it: `script` is what
    each receive_messages returns in turn (a list of Message, or an exception it raises;
    nothing left: [] after waiting); `opens` the exceptions the next receivers raise as they
    open. `events` records, in order: "open", "close", ("complete", id), ("abandon", id).
    `on_complete(message_id)` is called as a message is completed, before it is recorded."""

    script: list = field(default_factory=list)
    opens: list = field(default_factory=list)
    events: list = field(default_factory=list)
    clients: int = 0
    on_complete: Callable[[str], None] | None = None
    complete_fails: dict[str, BaseException] = field(default_factory=dict)

    def client_of(self, config) -> Client:
        self.clients += 1
        return Client(self, config)

    def completed(self) -> list[str]:
        return [e[1] for e in self.events if e[0] == "complete"]

    def abandoned(self) -> list[str]:
        return [e[1] for e in self.events if e[0] == "abandon"]


class Client:
    def __init__(self, queue: Queue, config) -> None:
        self.queue, self.config = queue, config

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def get_queue_receiver(self, queue_name: str, **options: Any) -> Receiver:
        assert queue_name == self.config.queue_name
        assert str(options["receive_mode"]).endswith("PEEK_LOCK")
        return Receiver(self.queue)


class Receiver:
    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def __enter__(self) -> Receiver:
        if self.queue.opens:
            raise self.queue.opens.pop(0)
        self.queue.events.append("open")
        return self

    def __exit__(self, *exc: object) -> None:
        self.queue.events.append("close")

    def receive_messages(self, max_message_count: int, max_wait_time: float) -> list:
        if not self.queue.script:
            time.sleep(max_wait_time)
            return []
        step = self.queue.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        assert len(step) <= max_message_count
        return [received(m, self) for m in step]

    def complete_message(self, message: ServiceBusReceivedMessage) -> None:
        assert isinstance(message, ServiceBusReceivedMessage)
        if message.message_id in self.queue.complete_fails:
            raise self.queue.complete_fails.pop(message.message_id)
        if self.queue.on_complete is not None:
            self.queue.on_complete(message.message_id)
        self.queue.events.append(("complete", message.message_id))

    def abandon_message(self, message: ServiceBusReceivedMessage) -> None:
        assert isinstance(message, ServiceBusReceivedMessage)
        self.queue.events.append(("abandon", message.message_id))


def refuse_the_network(monkeypatch) -> None:
    """Any connection or name lookup but 127.0.0.1's fails the test: nothing reaches Azure."""
    allowed = {"127.0.0.1", "localhost"}

    def guarded(original):
        def call(*args, **kwargs):
            target = args[1] if original is real_connect else args[0]
            host = target[0] if isinstance(target, tuple) else target
            if host not in allowed:
                raise AssertionError(f"a test tried to reach {host!r}")
            return original(*args, **kwargs)

        return call

    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket, "create_connection", guarded(socket.create_connection))
    monkeypatch.setattr(socket, "getaddrinfo", guarded(socket.getaddrinfo))
