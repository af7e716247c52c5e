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


def publish(url: str, queue: str, messages: Iterable[Message], as_bytes: bool = False) -> int:
    """Send `messages` (each settled by the broker before the next); the number sent."""
    connection = BlockingConnection(url, timeout=30, allowed_mechs="PLAIN")
    sent = 0
    try:
        sender = connection.create_sender(queue_address(queue), options=_DurableTarget())
        for m in messages:
            body = m.body.encode() if as_bytes else m.body
            sender.send(AmqpMessage(body=body, subject=m.dataset, id=m.message_id, durable=True))
            sent += 1
    finally:
        connection.close()
    return sent
