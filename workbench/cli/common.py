"""Pieces every command shares: exit codes, the one-line message (of a refused argument, of a
failure of the file system or of a database) and opening a database. What the commands accept
is in `workbench.cli.args`."""

from __future__ import annotations

import argparse
import errno
import sys
import unicodedata
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def open_db(target: str):
    """Open a database; what opening did (a rolled-back interrupted write) is said on stderr."""
    from models.db.database import SettlementDatabase

    db = SettlementDatabase.open(target)
    for notice in db.notices:
        print(f"settlement-workbench: {notice}", file=sys.stderr)
    return db


_OS_ADVICE = {
    errno.EACCES: "permission denied; ask for access or choose another folder",
    errno.EPERM: "permission denied; ask for access or choose another folder",
    errno.EROFS: "the folder is on a read-only disk; choose another folder",
    errno.ENOSPC: "the disk is full; free some space and try again",
    errno.EDQUOT: "your disk quota is used up; free some space and try again",
    errno.ENOENT: "no such file or folder",
    errno.EISDIR: "is a folder, not a file",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENAMETOOLONG: "the name is too long",
}


def failure_line(exc: BaseException, location: str | None) -> str | None:
    """One line for a failure the user can act on (database, disk, memory), or None when it is
    a defect of the workbench (then an internal error is reported and logged)."""
    from models.db.database import database_failure

    line = database_failure(exc, None if location is None else str(location))
    if line is not None:
        return line
    if isinstance(exc, OSError) and exc.errno in _OS_ADVICE:
        where = exc.filename if exc.filename is not None else location
        return f"{where}: {_OS_ADVICE[exc.errno]}" if where else _OS_ADVICE[exc.errno]
    original = getattr(exc, "orig", None) or exc
    if isinstance(original, UnicodeEncodeError):
        return (
            "a text value holds a lone UTF-16 surrogate, which cannot be stored; expected "
            "printable text (nothing was written)"
        )
    if isinstance(original, OverflowError) and "SQLite INTEGER" in str(original):
        return (
            "a number given is beyond what a database integer holds (64 bits); expected a "
            "whole number within ±9,223,372,036,854,775,807 (nothing was written)"
        )
    if isinstance(exc, MemoryError):
        return (
            "not enough memory for this input; split it into smaller files or close other "
            "programs (nothing was written)"
        )
    return None


def short_reason(exc: BaseException) -> str:
    """An internal error's first line, without SQL text or bound parameters."""
    original = getattr(exc, "orig", None)
    shown = original if isinstance(original, BaseException) else exc
    text = str(shown).splitlines()[0] if str(shown) else ""
    return f"{type(shown).__name__}: {text[:200]}"


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose refusal is one line on stderr (and exit 2), like every other."""

    def error(self, message: str):
        self.exit(
            EXIT_BAD_INPUT, f"{self.prog}: error: {one_line(message)} (see {self.prog} --help)\n"
        )


# Characters that would break a message's one line or the terminal: controls, surrogates,
# line and paragraph separators (str.splitlines breaks on \x85, \x1c-\x1e, \u2028 too).
_UNSHOWN = {"Cc", "Cs", "Zl", "Zp"}


def one_line(text: object) -> str:
    """A message as one printable line: such characters are shown as escapes (\\x07)."""
    text = str(text)
    if text.isprintable():
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _UNSHOWN else ch
        for ch in text
    )


def open_or_create(target: str):
    """Open a database; a file that does not exist yet is created, under a temporary name
    until the command succeeds (`database.new_database`; said on stderr)."""
    from contextlib import contextmanager

    from models.db.database import new_database

    path = Path(target)
    if "://" in target or path.exists():
        return open_db(target)

    @contextmanager
    def creating():
        with new_database(path) as db:
            yield db
        print(f"created {path}", file=sys.stderr)

    return creating()
