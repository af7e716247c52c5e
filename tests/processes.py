"""The processes a test left behind: read from /proc, so that a server or broker fixture can
fail a run that would leave one alive (the guide: a test that leaves a process running fails)."""

from __future__ import annotations

from pathlib import Path


def live_processes(group: int | None = None, folder: Path | None = None) -> list[int]:
    """Live (not zombie) processes of process group `group`, or naming `folder` on their
    command line."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile
        fields = stat[stat.rindex(")") + 2 :].split()
        state, pgrp = fields[0], int(fields[2])
        if state == "Z":
            continue
        if (group is not None and pgrp == group) or (folder is not None and str(folder) in cmdline):
            found.append(int(entry.name))
    return found
