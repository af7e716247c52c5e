"""A publisher of recorded messages to the tests' broker, as IRIS pushes them: subject =
dataset, message id, JSON body, durable (kept over a broker restart)."""

from __future__ import annotations

from collections.abc import Iterable

from proton import Message as AmqpMessage
from proton import Terminus
from proton.reactor import LinkOption
from proton.utils import BlockingConnection

from models.live.amqp import queue_address
from models.live.handler import Message


class _DurableTarget(LinkOption):
    """RabbitMQ declares the queue durable, as the listener asks for it."""

    def apply(self, link) -> None:
        link.target.durability = Terminus.DELIVERIES

    def test(self, link) -> bool:
        return link.is_sender


class Publisher:
    """One connection sending to one queue, message by message (`send`), closed on leaving
    its `with`: a test that times each message from its sending."""

    def __init__(self, url: str, queue: str, as_bytes: bool = False) -> None:
        self.as_bytes = as_bytes
        self.connection = BlockingConnection(url, timeout=30, allowed_mechs="PLAIN")
        try:
            self.sender = self.connection.create_sender(
                queue_address(queue), options=_DurableTarget()
            )
        except BaseException:
            self.connection.close()
            raise

    def send(self, m: Message) -> None:
        """Send one message; it returns once the broker has settled (kept) it."""
        body = m.body.encode() if self.as_bytes else m.body
        self.sender.send(AmqpMessage(body=body, subject=m.dataset, id=m.message_id, durable=True))

    def __enter__(self) -> Publisher:
        return self

    def __exit__(self, *_exc) -> None:
        self.connection.close()


def publish(url: str, queue: str, messages: Iterable[Message], as_bytes: bool = False) -> int:
    """Send `messages` (each settled by the broker before the next); the number sent."""
    sent = 0
    with Publisher(url, queue, as_bytes) as publisher:
        for m in messages:
            publisher.send(m)
            sent += 1
    return sent
