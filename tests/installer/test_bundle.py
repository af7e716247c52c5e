"""Smoke test of the PyInstaller bundle: it must run where there is no Python.

Builds dist/settlement-workbench (a few minutes, so marked slow; CI runs it), then runs the
bundled executable with a clean environment: --version, `case run` on the worked example, and
the GUI offscreen on a demo database until its run is loaded.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CASES, REPO

BUNDLE = REPO / "dist" / "settlement-workbench"
EXECUTABLE = BUNDLE / (
    "settlement-workbench.exe" if sys.platform == "win32" else "settlement-workbench"
)


@pytest.fixture(scope="module")
def bundle() -> Path:
    spec = REPO / "installer" / "settlement_workbench.spec"
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    subprocess.run(
        [str(pyinstaller), str(spec), "--noconfirm", "--distpath", str(REPO / "dist"),
         "--workpath", str(REPO / "build" / "pyinstaller"), "--log-level", "WARN"],
        check=True, cwd=REPO, timeout=1800,
    )  # fmt: skip
    assert EXECUTABLE.exists()
    return BUNDLE


def bundled(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """Run the bundle with no Python on PATH and no virtual environment."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "QT_QPA_PLATFORM": "offscreen",
           "LANG": "C.UTF-8"}  # fmt: skip
    return subprocess.run(
        [str(EXECUTABLE), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300
    )


@pytest.mark.slow
def test_bundle_prints_its_version(bundle, tmp_path):
    result = bundled("--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("settlement-workbench 0.1.0")


@pytest.mark.slow
def test_bundle_settles_the_worked_example(bundle, tmp_path):
    result = bundled("case", "run", str(CASES / "worked_example.json"), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["periods"][0]["ssp"] == pytest.approx(100.0)
    gen = next(p for p in document["parties"] if p["party"] == "GEN")
    assert round(gen["net"], 2) == 3267.08


@pytest.mark.slow
def test_bundle_starts_the_gui_on_a_demo_database_and_exits_cleanly(bundle, tmp_path):
    database = tmp_path / "demo.sqlite"
    created = bundled("demo", "--db", str(database), "--bmus", "20", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    shown = bundled("gui", str(database), "--smoke-test", cwd=tmp_path)
    assert shown.returncode == 0, (shown.stdout, shown.stderr)
    assert "2024-06-12 II: 20 BM units" in shown.stdout, (shown.stdout, shown.stderr)
    # Every check of the demo holds (the count grows with the rules checked, so not pinned).
    assert re.search(r"checks \d+ passed", shown.stdout), shown.stdout
    assert "FAILED" not in shown.stdout, shown.stdout
    assert "Traceback" not in shown.stderr


def test_the_bundle_includes_only_the_qt_modules_used():
    spec = (REPO / "installer" / "settlement_workbench.spec").read_text()
    for unused in ("QtQml", "QtQuick", "QtNetwork", "QtSql"):
        assert f'"{unused}"' in spec
    assert os.path.exists(REPO / "installer" / "linux" / "settlement-workbench.desktop")
