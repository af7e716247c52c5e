"""The tests' real AMQP 1.0 broker (tests/live_broker.py): on the loopback address only, a
message keeps its subject and id, a durable one survives a restart, and a process left
behind is found."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from proton import Message, Terminus
from proton.reactor import DurableSubscription, LinkOption
from proton.utils import BlockingConnection

from tests.live_broker import LOOPBACK
from tests.processes import live_processes


class DurableTarget(LinkOption):
    """A durable target: RabbitMQ declares the queue durable (it survives a restart)."""

    def apply(self, link) -> None:
        link.target.durability = Terminus.DELIVERIES

    def test(self, link) -> bool:
        return link.is_sender


def _send(url: str, address: str, message: Message) -> None:
    connection = BlockingConnection(url, timeout=10, allowed_mechs="PLAIN")
    try:
        connection.create_sender(address, options=DurableTarget()).send(message)
    finally:
        connection.close()


def _receive(url: str, address: str) -> Message:
    connection = BlockingConnection(url, timeout=10, allowed_mechs="PLAIN")
    try:
        receiver = connection.create_receiver(address, options=DurableSubscription())
        message = receiver.receive(timeout=10)
        receiver.accept()
        return message
    finally:
        connection.close()


def test_the_broker_listens_on_loopback_only(live_broker):
    listening = subprocess.run(
        ["ss", "-Hltnp"], capture_output=True, text=True, check=False
    ).stdout.splitlines()
    ours = [line for line in listening if f":{live_broker.port} " in line]
    assert ours, listening
    assert all(f"{LOOPBACK}:{live_broker.port}" in line for line in ours)


def test_a_durable_message_keeps_subject_and_id_across_a_restart(live_broker):
    address = "/queue/broker-self-test"
    _send(
        live_broker.url,
        address,
        Message(body='[{"a": 1}]', subject="BOALF", id="m-1", durable=True),
    )
    live_broker.restart()
    message = _receive(live_broker.url, address)
    assert (message.subject, message.id, message.body) == ("BOALF", "m-1", '[{"a": 1}]')


def test_a_process_left_running_is_found(tmp_path: Path):
    sleeper = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)", str(tmp_path)], start_new_session=True
    )
    try:
        assert live_processes(group=sleeper.pid) == [sleeper.pid]
        assert live_processes(folder=tmp_path) == [sleeper.pid]
    finally:
        os.killpg(sleeper.pid, signal.SIGKILL)
        sleeper.wait()
    assert live_processes(group=sleeper.pid, folder=tmp_path) == []
