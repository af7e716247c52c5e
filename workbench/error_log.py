"""The error log: details of an internal error, in the user's own log folder.

One file per user, in the platform's place for application state and logs:
``%LOCALAPPDATA%\\settlement-workbench\\Logs`` on Windows, ``~/Library/Logs/settlement-workbench``
on macOS, ``$XDG_STATE_HOME/settlement-workbench`` (default ``~/.local/state/…``) elsewhere.
The file is opened without following a symbolic link (``O_NOFOLLOW``) and created private to
the user (mode 0600), so another user cannot redirect or read what is written.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "settlement-workbench"
LOG_NAME = "error.log"
# A log beyond this size starts afresh: the newest error is the one the user asks about.
MAX_LOG_BYTES = 1_000_000


def log_folder() -> Path:
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / APP / "Logs"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Logs" / APP
    state = os.environ.get("XDG_STATE_HOME")
    base = Path(state) if state and Path(state).is_absolute() else Path.home() / ".local" / "state"
    return base / APP


def log_path() -> Path:
    return log_folder() / LOG_NAME


def write_error_log(text: str) -> Path | None:
    """Append `text` to the error log; return its path, or None if it cannot be written."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        flags |= getattr(os, "O_CLOEXEC", 0)
        if sys.platform == "win32" and path.is_symlink():  # no O_NOFOLLOW on Windows
            return None
        descriptor = os.open(path, flags, 0o600)
        try:
            if os.fstat(descriptor).st_size > MAX_LOG_BYTES:
                os.ftruncate(descriptor, 0)
            os.write(descriptor, text.encode("utf-8", "backslashreplace"))
        finally:
            os.close(descriptor)
    except OSError:
        return None
    return path
