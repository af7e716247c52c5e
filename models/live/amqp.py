"""Live messages from an AMQP 1.0 queue (IRIS's protocol) with python-qpid-proton.

At least once: a message is accepted only after its transaction committed, so one lost in a
crash or a dropped connection is delivered again, and its id makes the repeat write nothing.
The queue is asked for durably (it outlives the broker's restarts). When the broker goes away
the connection is made again with a growing delay (proton's Backoff), and the receiver with it.
"""

from __future__ import annotations

from proton import Endpoint, Terminus
from proton.handlers import MessagingHandler
from proton.reactor import Backoff, Container

from models.core.errors import WorkbenchInputError
from models.live.handler import Message
from models.live.stream import CHECK_SECONDS, Stream

# Messages the broker may send ahead of the accepts: a drop redelivers at most these, and
# their ids make the repeats write nothing. With a window of 1, RabbitMQ 3.10's AMQP 1.0 plugin
# sent one message and no more (the credit given back before the accept went unheard).
PREFETCH = 10
RECONNECT_FIRST_SECONDS = 0.5
RECONNECT_MAX_SECONDS = 10.0
CLOSE_SECONDS = 5.0  # stopping: how long the broker has to answer the connection's close


def queue_address(queue: str) -> str:
    """RabbitMQ's AMQP 1.0 address of a queue (`/queue/NAME`); an address given whole stays."""
    return queue if queue.startswith("/") else f"/queue/{queue}"


def message_of(received) -> Message:
    """Our Message of a proton one: the subject names the dataset; a body sent as bytes (as
    Azure Service Bus sends IRIS's) is UTF-8 text."""
    body = received.body
    if isinstance(body, memoryview | bytes | bytearray):
        body = bytes(body).decode("utf-8", errors="replace")
    identifier = received.id
    return Message(
        str(received.subject or ""),
        "" if identifier is None else str(identifier),
        body if isinstance(body, str) else repr(body),
    )


class _Receiver(MessagingHandler):
    def __init__(self, url: str, address: str, stream: Stream) -> None:
        super().__init__(prefetch=PREFETCH, auto_accept=False)
        self.url, self.address, self.stream = url, address, stream
        self.connection = None
        self.failure: str | None = None
        self.reconnects = 0
        self._attempts = 0  # reconnections tried since the link was last open
        self._closing = None  # the timer that stops the container should the close hang
        self._delays = self._backoff()

    @staticmethod
    def _backoff():
        return iter(Backoff(initial=RECONNECT_FIRST_SECONDS, max_delay=RECONNECT_MAX_SECONDS))

    def on_start(self, event) -> None:
        self._connect(event.container)
        event.container.schedule(CHECK_SECONDS, self)

    def _connect(self, container) -> None:
        # proton's own reconnect gives up when the broker closes the connection cleanly, as
        # RabbitMQ does when it stops: every loss is handled here instead.
        self.connection = container.connect(
            self.url, reconnect=False, allowed_mechs="PLAIN ANONYMOUS", heartbeat=10
        )
        link = container.create_receiver(self.connection, self.address)
        link.source.durability = Terminus.DELIVERIES  # a durable queue
        link.source.expiry_policy = Terminus.EXPIRE_NEVER

    def on_link_opened(self, event) -> None:
        self._delays = self._backoff()  # connected: the next loss starts from a short delay
        self._attempts = 0
        self.stream.connection(True, f"receiving from {self.address}")

    def on_timer_task(self, event) -> None:
        if not self.stream.done():
            event.container.schedule(CHECK_SECONDS, self)
            return
        connection = self.connection
        if connection is None or not connection.state & Endpoint.LOCAL_ACTIVE:
            event.container.stop()
            return
        # Closed, and the close sent before the container stops: stopped at once, the socket
        # stayed open until the garbage collector found it, and the broker went on giving the
        # link it believed alive the queue's next messages, unacknowledged: the next listener
        # (the GUI's next Go live) did not get them until then.
        connection.close()
        self._closing = event.container.schedule(CLOSE_SECONDS, _Stop())

    def on_transport_closed(self, event) -> None:
        if self._closing is not None:  # closed as asked
            self._closing.cancel()
            event.container.stop()
            return
        if self.stream.done() or self.failure is not None:
            return
        self.reconnects += 1
        self._attempts += 1
        delay = next(self._delays)
        self.stream.connection(False, f"reconnecting in {delay:g} s, attempt {self._attempts}")
        event.container.schedule(delay, _Reconnect(self))

    def on_message(self, event) -> None:
        if self.stream.stop.is_set():
            return  # not acknowledged: the broker delivers it again to the next listener
        self.stream.take(message_of(event.message))
        self.accept(event.delivery)  # after the commit: at least once

    def on_link_error(self, event) -> None:
        condition = event.link.remote_condition
        self.failure = f"the broker refused the queue {self.address}: {condition}"
        event.container.stop()


class _Stop:
    """The broker did not answer the close in time: stop without it."""

    def on_timer_task(self, event) -> None:
        event.container.stop()


class _Reconnect:
    def __init__(self, receiver: _Receiver) -> None:
        self.receiver = receiver

    def on_timer_task(self, event) -> None:
        if not self.receiver.stream.done():
            self.receiver._connect(event.container)


def listen_amqp(url: str, queue: str, stream: Stream) -> None:
    """Take the queue's messages into `stream` until it is done (stop set, or idle)."""
    receiver = _Receiver(url, queue_address(queue), stream)
    container = Container(receiver)
    container.run()
    if receiver.failure is not None:
        raise WorkbenchInputError(receiver.failure)
