"""Telling a P114 flat file from the other Elexon formats by its first bytes (for `import`)."""

from __future__ import annotations

from models.p114.framing import BOM

READERS = {
    "S0142": "models.p114.s0142_reader.read_s0142",
    "C0421": "models.p114.c0421_reader.read_c0421",
}


def p114_flow(head: bytes) -> str | None:
    """`"S0142"` or `"C0421"` when `head` (the file's first bytes, decompressed) starts with
    that flow's AAA header, a byte-order mark allowed; None for anything else."""
    if head.startswith(BOM):
        head = head[len(BOM) :]
    if head[:4] != b"AAA|":
        return None
    flow = head[4:9].decode("ascii", "replace")
    return flow if flow in READERS else None
