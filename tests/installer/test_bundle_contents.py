"""What the built bundle holds: the workbench and what it needs at run time, nothing of the
developer's (tests, their data, the dev tools), and a per-user installer that works."""

from __future__ import annotations

import subprocess
from importlib.metadata import version

import pytest
from PyInstaller.archive.readers import CArchiveReader

from tests.installer.bundle import Bundle, User
from tests.paths import REPO

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]  # the first test waits for the build

# Measured 297 MB (PySide6 111 MB, numpy and pandas 57 MB): a seventh more means something
# large came in, such as a Qt module the workbench does not use.
MAX_MEGABYTES = 340
DEV_TOOLS = {"pytest", "_pytest", "pytestqt", "hypothesis", "PyInstaller", "importlinter",
             "grimp", "ruff", "setuptools", "pip", "IPython", "matplotlib"}  # fmt: skip
DEVELOPERS_FOLDERS = {"tests", "benchmarks", "tools", ".venv", "build", "dist"}
UNUSED_QT = ("Qml", "Quick", "Network", "Sql", "Designer", "UiTools", "WebEngineCore", "Pdf")


def _modules(bundle: Bundle) -> set[str]:
    """Top-level names of the Python modules in the bundle's archive (PYZ)."""
    archive = CArchiveReader(str(bundle.executable)).open_embedded_archive("PYZ.pyz")
    return {name.split(".")[0] for name in archive.toc}


def test_the_bundle_is_no_larger_than_it_needs(bundle):
    megabytes = bundle.size_bytes() / 1e6
    assert 100 < megabytes < MAX_MEGABYTES, f"{megabytes:.0f} MB"


def test_the_bundle_holds_the_workbench_and_no_dev_tool(bundle):
    modules = _modules(bundle)
    assert {"engine", "models", "views", "workbench", "resources"} <= modules
    assert modules.isdisjoint(DEV_TOOLS | DEVELOPERS_FOLDERS), modules & (
        DEV_TOOLS | DEVELOPERS_FOLDERS
    )
    installed = {p.name.split("-")[0].lower() for p in bundle.contents.glob("*.dist-info")}
    assert installed.isdisjoint(t.lower() for t in DEV_TOOLS), installed


def test_the_bundle_holds_no_test_data(bundle):
    test_data = {p.name for p in (REPO / "tests").rglob("*")
                 if p.is_file() and p.suffix not in {".py", ".pyc"}}  # fmt: skip
    assert "worked_example.json" in test_data
    for path in bundle.files():
        inside = path.relative_to(bundle.folder)
        top = inside.parts[1] if inside.parts[0] == bundle.contents.name else inside.parts[0]
        assert top not in DEVELOPERS_FOLDERS, inside
        assert path.name not in test_data, inside
        assert path.suffix not in {".sqlite", ".swdb", ".swcase", ".xlsx"}, inside


def test_the_bundle_holds_only_the_qt_modules_used(bundle):
    qt = bundle.contents / "PySide6"
    bindings = {p.name.split(".")[0] for p in qt.glob("Qt*.abi3.so")}
    assert {"QtCore", "QtGui", "QtWidgets", "QtSvg"} <= bindings
    assert bindings.isdisjoint(f"Qt{m}" for m in UNUSED_QT), bindings
    libraries = {p.name for p in (qt / "Qt" / "lib").glob("libQt6*")}
    # libQt6Network stays: the VNC platform and TUIO touch plugins link it.
    assert not {lib for lib in libraries for m in UNUSED_QT if m != "Network"
                if lib.startswith(f"libQt6{m}")}, libraries  # fmt: skip


def test_the_bundle_knows_the_project_version(bundle):
    # workbench.version() reads the package metadata; without it the bundle would print the
    # source tree's fallback whatever version was built.
    metadata = next(bundle.contents.glob("settlement_workbench-*.dist-info")) / "METADATA"
    assert f"\nVersion: {version('settlement-workbench')}\n" in metadata.read_text()


def test_install_sh_installs_for_the_user_with_a_menu_entry(bundle, tmp_path):
    user = User(tmp_path / "home", bundle)
    installed = subprocess.run(
        [str(bundle.folder / "install.sh")],
        capture_output=True, text=True, env=user.env(), cwd=user.folder, timeout=300,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    local = user.home / ".local"
    assert (local / "share" / "applications" / "settlement-workbench.desktop").is_file()
    assert (local / "share" / "icons" / "hicolor" / "scalable" / "apps"
            / "settlement-workbench.svg").is_file()  # fmt: skip
    command = local / "bin" / "settlement-workbench"
    assert command.is_symlink()
    ran = subprocess.run([str(command), "--version"], capture_output=True, text=True,
                         env=user.env(), cwd=user.folder, timeout=300)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == f"settlement-workbench {version('settlement-workbench')}\n"
