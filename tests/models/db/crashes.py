"""A crash to test against: a writer process killed inside a write transaction."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 1")  # spill changed pages into the file before committing
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE workbench_meta SET value = 'half-written' WHERE key = 'application'")
conn.execute("CREATE TABLE scratch AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
             "SELECT i + 1 FROM n WHERE i < 20000) SELECT i, hex(randomblob(64)) AS b FROM n")
print("ready", flush=True)
time.sleep(120)
"""


def killed_mid_write(path: Path) -> None:
    """A writer process SIGKILLed inside a write transaction: a hot journal is left behind."""
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline().strip() == "ready"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
