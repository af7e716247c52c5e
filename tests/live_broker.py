"""A real AMQP 1.0 broker for the tests: the distribution's RabbitMQ with its rabbitmq_amqp1_0
plugin.

It is started by the tests on 127.0.0.1 at free ports (AMQP, Erlang distribution and its own
epmd), with its database, logs, plugin list, feature flags and Erlang cookie in a new temporary
folder, waited for until it takes an AMQP 1.0 connection, and at the end stopped with its epmd;
a process of it still alive then fails the run. It can be stopped and started again on the same
folder (a broker restart: durable queues and persistent messages survive it). Nothing listens
on or connects to any address but the loopback one.

RabbitMQ refuses nothing as root, but its package's files belong to the `rabbitmq` user: when
the tests run as root (CI does), it runs as that user and its folder is given to it.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.processes import live_processes

LOOPBACK = "127.0.0.1"
READY_SECONDS = 90.0
STOP_SECONDS = 60.0
PACKAGES = "apt-get install -y rabbitmq-server"
SBIN = "/usr/lib/rabbitmq/bin"
NODE = "workbench"


class BrokerUnavailable(RuntimeError):
    """RabbitMQ is not installed, or it did not start (the message says why)."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _owner() -> dict:
    """Popen arguments that run a program as `rabbitmq` when we are root, else {}."""
    if os.geteuid() != 0:
        return {}
    try:
        entry = pwd.getpwnam("rabbitmq")
    except KeyError:
        raise BrokerUnavailable(f"no user 'rabbitmq' to run the broker as ({PACKAGES})") from None
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _program(name: str) -> str:
    path = Path(SBIN) / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        raise BrokerUnavailable(f"RabbitMQ is not installed ({PACKAGES})")
    return found


@dataclass
class Broker:
    """A RabbitMQ node of the tests: `url` is where an AMQP 1.0 client connects."""

    folder: Path
    port: int
    dist_port: int
    epmd_port: int
    owner: dict
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@{LOOPBACK}:{self.port}"

    def environment(self) -> dict[str, str]:
        """Everything the node and its command-line tools read, pointed into the folder (never
        the machine's /var/lib/rabbitmq or /etc/rabbitmq files)."""
        folder = str(self.folder)
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": folder,  # the Erlang cookie is written here
            "RABBITMQ_NODENAME": f"{NODE}@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": LOOPBACK,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "ERL_EPMD_ADDRESS": LOOPBACK,
            "ERL_EPMD_PORT": str(self.epmd_port),
            "RABBITMQ_MNESIA_BASE": f"{folder}/mnesia",
            "RABBITMQ_LOG_BASE": f"{folder}/log",
            "RABBITMQ_ENABLED_PLUGINS_FILE": f"{folder}/enabled_plugins",
            "RABBITMQ_FEATURE_FLAGS_FILE": f"{folder}/feature_flags",
            "RABBITMQ_CONFIG_FILE": f"{folder}/rabbitmq",  # none: the defaults
            "RABBITMQ_ADVANCED_CONFIG_FILE": f"{folder}/advanced.config",
            "RABBITMQ_CONF_ENV_FILE": f"{folder}/rabbitmq-env.conf",
            "RABBITMQ_PID_FILE": f"{folder}/rabbitmq.pid",
            "RABBITMQ_GENERATED_CONFIG_DIR": f"{folder}/config",
            "RABBITMQ_SCHEMA_DIR": f"{folder}/schema",
        }

    def _run(self, *command: str, what: str) -> None:
        log = self.folder / f"{what}.log"
        with log.open("ab") as out:
            done = subprocess.run(
                list(command),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.folder,
                env=self.environment(),
                check=False,
                timeout=READY_SECONDS,
                **self.owner,
            )
        if done.returncode != 0:
            raise BrokerUnavailable(f"{what} failed (exit {done.returncode}): {_tail(log)}")

    def start(self) -> None:
        """Start the node on its folder and wait until it takes an AMQP 1.0 connection."""
        with (self.folder / "server.out").open("ab") as out:
            # A session of its own: the node's processes are one group, found at the end.
            self.process = subprocess.Popen(
                [_program("rabbitmq-server")],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.folder,
                env=self.environment(),
                start_new_session=True,
                **self.owner,
            )
        deadline = time.monotonic() + READY_SECONDS
        while not _takes_amqp(self.url):
            if self.process.poll() is not None:
                raise BrokerUnavailable(
                    f"rabbitmq-server exited at start (exit {self.process.returncode}): "
                    f"{_tail(self.folder / 'server.out')}"
                )
            if time.monotonic() > deadline:
                self.halt()
                raise BrokerUnavailable(
                    f"rabbitmq-server took no AMQP 1.0 connection within {READY_SECONDS:.0f} s"
                )
            time.sleep(0.2)

    def halt(self) -> None:
        """Stop the node (SIGTERM is RabbitMQ's clean shutdown), its epmd staying up."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            _kill_group(process.pid)
            process.wait(timeout=10)
            raise AssertionError(
                f"rabbitmq-server did not stop within {STOP_SECONDS:.0f} s; killed"
            ) from None
        left = live_processes(group=process.pid)
        if left:
            _kill_group(process.pid)
            raise AssertionError(f"rabbitmq-server left processes running: {left}")

    def restart(self) -> None:
        self.halt()
        self.start()

    def stop(self) -> None:
        """Stop the node and its epmd, remove the folder, and fail if any process is left."""
        try:
            self.halt()
            epmd = shutil.which("epmd") or "/usr/bin/epmd"
            if Path(epmd).exists() and _epmds(self.epmd_port):
                subprocess.run(
                    [epmd, "-port", str(self.epmd_port), "-kill"],
                    env=self.environment(),
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=False,
                    timeout=30,
                )
                deadline = time.monotonic() + 10
                while _epmds(self.epmd_port) and time.monotonic() < deadline:
                    time.sleep(0.1)
            left = live_processes(folder=self.folder) + _epmds(self.epmd_port)
            if left:
                for pid in left:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                raise AssertionError(f"the broker left processes running: {left}")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_broker() -> Broker:
    owner = _owner()
    folder = Path(tempfile.mkdtemp(prefix="wb-mq-"))
    if owner:
        os.chown(folder, owner["user"], owner["group"])
    ports = set()
    while len(ports) < 3:
        ports.add(_free_port())
    port, dist_port, epmd_port = sorted(ports)
    broker = Broker(folder, port, dist_port, epmd_port, owner)
    try:
        broker._run(
            _program("rabbitmq-plugins"), "enable", "--offline", "rabbitmq_amqp1_0", what="plugins"
        )
        broker.start()
        return broker
    except BaseException:
        with contextlib.suppress(AssertionError):
            broker.stop()
        raise


def _takes_amqp(url: str) -> bool:
    from proton import ConnectionException, Timeout
    from proton.utils import BlockingConnection

    try:
        connection = BlockingConnection(url, timeout=2, allowed_mechs="PLAIN")
    except (ConnectionException, Timeout, OSError):
        return False
    connection.close()
    return True


def _tail(log: Path, lines: int = 5) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return " | ".join(text[-lines:])


def _epmds(port: int) -> list[int]:
    """The epmd processes listening on `port` (ours: other nodes' epmd use other ports)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if not cmdline or not cmdline[0].endswith(b"epmd"):
            continue
        if f"ERL_EPMD_PORT={port}".encode() in environ or str(port).encode() in cmdline:
            found.append(int(entry.name))
    return found


def _kill_group(group: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


@contextlib.contextmanager
def running_broker() -> Iterator[Broker]:
    broker = start_broker()
    try:
        yield broker
    finally:
        broker.stop()
