"""Build the PyInstaller bundle into a folder of its own, and run it as a user would.

`Bundle` is one build of installer/settlement_workbench.spec; `User` runs commands in a
folder of theirs with a clean environment (no Python, no virtual environment, a home of their
own), either through the bundle or through the source tree, so a test can ask that the two
answer alike.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.paths import REPO

SPEC = REPO / "installer" / "settlement_workbench.spec"
NAME = "settlement-workbench"
EXECUTABLE = NAME + (".exe" if sys.platform == "win32" else "")
BUILD_SECONDS = 900  # a build takes 2-3 minutes; a hung one fails within CI's budget
COMMAND_SECONDS = 300
DEMO_ARGS = ("demo", "--db", "demo.sqlite", "--bmus", "20")


@dataclass(frozen=True)
class Bundle:
    folder: Path  # the one-folder bundle a user installs
    seconds: float  # how long PyInstaller took

    @property
    def executable(self) -> Path:
        return self.folder / EXECUTABLE

    @property
    def contents(self) -> Path:
        return self.folder / "_internal"  # PyInstaller 6: everything but the executable

    def files(self) -> list[Path]:
        return [p for p in self.folder.rglob("*") if p.is_file() and not p.is_symlink()]

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.files())


def build(target: Path) -> Bundle:
    """Build the spec into target/dist (work files in target/work), as `make installer` does."""
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    began = time.perf_counter()
    done = subprocess.run(
        [str(pyinstaller), str(SPEC), "--noconfirm", "--distpath", str(target / "dist"),
         "--workpath", str(target / "work"), "--log-level", "WARN"],
        cwd=REPO, capture_output=True, text=True, timeout=BUILD_SECONDS,
    )  # fmt: skip
    if done.returncode != 0:
        raise AssertionError(f"PyInstaller failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return Bundle(target / "dist" / NAME, time.perf_counter() - began)


class User:
    """Someone with a home and a working folder, running the workbench from a terminal."""

    def __init__(self, home: Path, bundle: Bundle):
        self.home = home
        self.bundle = bundle
        self.folder = home / "work"
        self.folder.mkdir(parents=True, exist_ok=True)

    def take(self, database: Path) -> None:
        """A copy of a database in the user's folder, under the same name."""
        shutil.copy2(database, self.folder / database.name)

    def env(self) -> dict[str, str]:
        # Nothing of the developer's: no PYTHONPATH, no virtual environment, no XDG folders.
        return {"PATH": "/usr/bin:/bin", "HOME": str(self.home), "LANG": "C.UTF-8",
                "QT_QPA_PLATFORM": "offscreen"}  # fmt: skip

    def bundled(self, *args: str) -> subprocess.CompletedProcess:
        return self._run([str(self.bundle.executable), *args])

    def source(self, *args: str) -> subprocess.CompletedProcess:
        """The same command from the source tree (the project's own interpreter)."""
        return self._run([sys.executable, "-m", "workbench", *args])

    def _run(self, command: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run(
            command, capture_output=True, text=True, env=self.env(), cwd=self.folder,
            timeout=COMMAND_SECONDS,
        )  # fmt: skip

    def error_logs(self) -> list[Path]:
        return sorted((self.home / ".local" / "state").rglob("*.log"))


_TIMINGS = re.compile(r"\d[\d,]*\.\d+ (s|MB)\b")  # "written in 1.8 s", "0.9 MB", "(0.2 s)"


def comparable(text: str, *users: User) -> str:
    """Output with what differs between two runs of the same command masked: the time it
    took, the size SQLite wrote, and the user's folders."""
    for user in users:
        text = text.replace(str(user.folder), "<work>").replace(str(user.home), "<home>")
    return _TIMINGS.sub(r"<n> \1", text)


def same_as_source(bundle_user: User, source_user: User, *args: str, stderr: bool = True):
    """Run a command through the bundle and through the source tree (each user in a folder of
    their own, holding the same files); both must exit alike and print alike (stderr=False:
    on stdout only, for the GUI, where Qt's own notes on stderr vary from run to run)."""
    bundled = bundle_user.bundled(*args)
    source = source_user.source(*args)
    both = (bundle_user, source_user)
    assert bundled.returncode == source.returncode, (bundled.stderr, source.stderr)
    assert comparable(bundled.stdout, *both) == comparable(source.stdout, *both)
    if stderr:
        assert comparable(bundled.stderr, *both) == comparable(source.stderr, *both)
    return bundled


def one_line(text: str) -> bool:
    return len(text.splitlines()) == 1 and text.endswith("\n")
