"""Real database servers for the tests: PostgreSQL and MariaDB from the distribution's packages.

Each is started by the tests themselves on 127.0.0.1 at a free port, with its data, socket and
log in a new temporary folder, waited for until it accepts connections, and at the end stopped
and removed; a process of it still alive then fails the run. Nothing listens on or connects to
any address but the loopback one.

Both servers refuse to run as root. When the tests run as root (CI does), a server runs as its
package's own system user (postgres, mysql; `nobody` if there is none) and its folder is given
to that user; otherwise it runs as whoever runs the tests.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.processes import live_processes

LOOPBACK = "127.0.0.1"
READY_SECONDS = 60.0
STOP_SECONDS = 60.0
PACKAGES = "apt-get install -y postgresql mariadb-server"


class ServerUnavailable(RuntimeError):
    """The server's programs are not installed, or it did not start (the message says why)."""


@dataclass
class Server:
    """A running server: `new_database()` gives the SQLAlchemy URL of a new, empty database."""

    backend: str  # "postgresql" or "mariadb" (SQLAlchemy's dialect: postgresql, mysql)
    dialect: str
    port: int
    folder: Path
    process: subprocess.Popen
    _names: Iterator[int] = field(default_factory=itertools.count)

    def url(self, database: str) -> str:
        if self.backend == "postgresql":
            return f"postgresql+psycopg://postgres@{LOOPBACK}:{self.port}/{database}"
        return f"mysql+pymysql://root@{LOOPBACK}:{self.port}/{database}?charset=utf8mb4"

    def new_database(self, prefix: str = "workbench") -> str:
        name = f"{re.sub(r'[^a-z0-9_]', '_', prefix.lower())[:40]}_{next(self._names)}"
        _run_sql(self, f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (a fast, clean shutdown), remove its folder, and fail if any process
        of it is left."""
        try:
            if self.process.poll() is None:
                # PostgreSQL: SIGINT is its fast shutdown; MariaDB shuts down cleanly on SIGTERM.
                self.process.send_signal(
                    signal.SIGINT if self.backend == "postgresql" else signal.SIGTERM
                )
                try:
                    self.process.wait(timeout=STOP_SECONDS)
                except subprocess.TimeoutExpired:
                    _kill_group(self.process.pid)
                    self.process.wait(timeout=10)
                    raise AssertionError(
                        f"{self.backend} did not stop within {STOP_SECONDS:.0f} s; killed"
                    ) from None
            left = live_processes(group=self.process.pid, folder=self.folder)
            if left:
                _kill_group(self.process.pid)
                raise AssertionError(f"{self.backend} left processes running: {left}")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _run_sql(server: Server, sql: str) -> None:
    if server.backend == "postgresql":
        import psycopg

        with psycopg.connect(
            host=LOOPBACK, port=server.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(sql)
    else:
        import pymysql

        conn = pymysql.connect(host=LOOPBACK, port=server.port, user="root")
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
        finally:
            conn.close()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _server_user(name: str) -> dict:
    """Popen arguments that run a program as `name` (or `nobody`) when we are root, else {}."""
    if os.geteuid() != 0:
        return {}
    for candidate in (name, "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(candidate)
            return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    raise ServerUnavailable(f"no user {name!r} or 'nobody' to run the server as (not as root)")


# In memory where the system has it: a server syncs every DDL to disk, and a throwaway one's
# schema (some 90 statements) took 5 s to create on MariaDB on disk.
_SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def _new_folder(prefix: str, owner: dict) -> Path:
    # Short, under a temporary folder: a Unix socket's path is at most 107 bytes.
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=_SCRATCH))
    if owner:
        os.chown(folder, owner["user"], owner["group"])
    return folder


def _run(command: list[str], owner: dict, folder: Path, what: str) -> None:
    log = folder / f"{what}.log"
    with log.open("wb") as out:
        done = subprocess.run(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=folder, check=False, **owner
        )
    if done.returncode != 0:
        raise ServerUnavailable(f"{what} failed (exit {done.returncode}): {_tail(log)}")


def _tail(log: Path, lines: int = 5) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return "(no log)"
    return " | ".join(text[-lines:])


def _postgresql_bin() -> Path:
    """The newest PostgreSQL (15 or later) of the distribution (Debian keeps each major version
    under /usr/lib/postgresql/N/bin), or the one on PATH."""
    versions = sorted(
        (int(m.group(1)), Path(p).parent)
        for p in glob.glob("/usr/lib/postgresql/*/bin/postgres")
        if (m := re.search(r"/postgresql/(\d+)/", p))
    )
    if versions and versions[-1][0] >= 15:
        return versions[-1][1]
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise ServerUnavailable(f"PostgreSQL 15 or later is not installed ({PACKAGES})")


def _mariadb_programs() -> tuple[str, str]:
    install = shutil.which("mariadb-install-db")
    server = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/local/sbin")
    if not install or not server:
        raise ServerUnavailable(f"MariaDB is not installed ({PACKAGES})")
    return install, server


def start_postgresql() -> Server:
    bindir = _postgresql_bin()
    owner = _server_user("postgres")
    folder = _new_folder("wb-pg-", owner)
    try:
        data = folder / "data"
        _run(
            [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            owner, folder, "initdb",
        )  # fmt: skip
        port = _free_port()
        settings = {
            "listen_addresses": LOOPBACK,
            "port": str(port),
            "unix_socket_directories": str(folder),
            # A throwaway server: durability costs time and buys nothing here.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        command = [str(bindir / "postgres"), "-D", str(data)]
        for name, value in settings.items():
            command += ["-c", f"{name}={value}"]
        server = Server("postgresql", "postgresql", port, folder, _spawn(command, owner, folder))
        _wait_ready(server)
        return server
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def start_mariadb() -> Server:
    install, mariadbd = _mariadb_programs()
    owner = _server_user("mysql")
    folder = _new_folder("wb-my-", owner)
    try:
        data = folder / "data"
        fast = ["--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--skip-log-bin"]
        _run(
            [install, "--no-defaults", f"--datadir={data}", "--skip-test-db",
             "--auth-root-authentication-method=normal", "--skip-name-resolve", *fast],
            owner, folder, "install-db",
        )  # fmt: skip
        port = _free_port()
        command = [
            mariadbd,
            "--no-defaults",  # never the machine's /etc/mysql configuration
            f"--datadir={data}",
            f"--bind-address={LOOPBACK}",
            f"--port={port}",
            f"--socket={folder / 'mariadbd.sock'}",
            f"--pid-file={folder / 'mariadbd.pid'}",
            f"--log-error={folder / 'server.log'}",
            "--skip-name-resolve",
            *fast,
        ]
        server = Server("mariadb", "mysql", port, folder, _spawn(command, owner, folder))
        _wait_ready(server)
        return server
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _spawn(command: list[str], owner: dict, folder: Path) -> subprocess.Popen:
    with (folder / "server.out").open("wb") as out:
        # A session of its own: every process of the server is in one group, found at the end.
        return subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=folder,
            start_new_session=True,
            **owner,
        )


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while True:
        if server.process.poll() is not None:
            log = server.folder / ("server.log" if server.backend == "mariadb" else "server.out")
            raise ServerUnavailable(
                f"{server.backend} exited at start (exit {server.process.returncode}): {_tail(log)}"
            )
        try:
            _run_sql(server, "SELECT 1")
            return
        except Exception:
            if time.monotonic() > deadline:
                server.stop()
                raise ServerUnavailable(
                    f"{server.backend} did not accept connections within {READY_SECONDS:.0f} s"
                ) from None
            time.sleep(0.1)


def _kill_group(group: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signal.SIGKILL)


STARTERS = {"postgresql": start_postgresql, "mariadb": start_mariadb}


@contextlib.contextmanager
def running_server(backend: str) -> Iterator[Server]:
    server = STARTERS[backend]()
    try:
        yield server
    finally:
        server.stop()
