"""Atomic creation of the files the workbench writes (databases, exports, case files).

A file is written under a temporary name in the target's folder, then renamed onto the
target in one step: a reader sees the old file or the complete new one, never half of one,
and a refusal, crash or cancel leaves the target as it was and no temporary file behind
(except after a kill -9, when a hidden ``.NAME.*.partial`` file may remain).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from models.core.errors import WorkbenchInputError

# SQLite's companion files, removed with a temporary database.
SIDE_FILES = ("-journal", "-wal", "-shm")


def partial_path(target: Path) -> Path:
    """A fresh temporary name beside `target` (same folder, hence same file system)."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")


def remove_quietly(path: Path) -> None:
    """Delete a temporary file and its SQLite companions; a file already gone is fine."""
    for suffix in ("", *SIDE_FILES):
        try:
            Path(str(path) + suffix).unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass  # cleaning up after another error: never hide that error behind this one


def publish(temporary: Path, target: Path, *, overwrite: bool) -> None:
    """Move the complete `temporary` onto `target` in one step.

    Without `overwrite` an existing target is never replaced, even one that appeared while
    the temporary file was being written (a hard link fails if the name exists).
    """
    if overwrite:
        os.replace(temporary, target)
        _drop_stale_side_files(target)
        return
    try:
        os.link(temporary, target)
    except FileExistsError:
        remove_quietly(temporary)
        raise WorkbenchInputError(
            f"{target} already exists; choose another name or allow overwriting"
        ) from None
    except OSError:
        # File systems without hard links (some network shares): check, then rename.
        if target.exists():
            remove_quietly(temporary)
            raise WorkbenchInputError(
                f"{target} already exists; choose another name or allow overwriting"
            ) from None
        os.replace(temporary, target)
        _drop_stale_side_files(target)
        return
    temporary.unlink()
    _drop_stale_side_files(target)


def _drop_stale_side_files(target: Path) -> None:
    """A journal beside the new file was left by the database it replaced (or by a deleted
    one of the same name): the next opening would roll it back onto the new file."""
    for suffix in SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            Path(str(target) + suffix).unlink()


@contextmanager
def atomic_path(target: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path to write; on success it becomes `target`, on failure it goes."""
    target = Path(target)
    if not overwrite and target.exists():
        raise WorkbenchInputError(
            f"{target} already exists; choose another name or allow overwriting"
        )
    if not target.parent.is_dir():
        raise WorkbenchInputError(f"{target.parent} is not a folder; cannot write {target.name}")
    temporary = partial_path(target)
    try:
        yield temporary
    except BaseException as exc:
        remove_quietly(temporary)
        if isinstance(exc, OSError) and exc.filename == str(temporary):
            exc.filename = str(target)  # the user knows the file they asked for, not ours
        raise
    try:
        publish(temporary, target, overwrite=overwrite)
    except BaseException:
        remove_quietly(temporary)
        raise


def write_text_atomic(target: str | Path, text: str, *, overwrite: bool = True) -> None:
    """Write a whole text file (UTF-8) atomically."""
    with (
        atomic_path(target, overwrite=overwrite) as temporary,
        open(temporary, "x", encoding="utf-8", newline="") as handle,
    ):
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
