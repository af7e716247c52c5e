"""The Windows build cannot run here (PyInstaller does not cross-compile, Inno Setup is a
Windows program), so what it reads is checked as text: the files the spec names on Windows
exist, and the version resource and the installer carry the project's version."""

from __future__ import annotations

import re
from importlib.metadata import version

from tests.paths import REPO

WINDOWS = REPO / "installer" / "windows"


def test_the_files_the_spec_names_on_windows_exist():
    spec = (REPO / "installer" / "settlement_workbench.spec").read_text()
    assert '"settlement-workbench.ico"' in spec and '"version_info.txt"' in spec
    assert (REPO / "resources" / "settlement-workbench.ico").stat().st_size > 0
    assert (WINDOWS / "version_info.txt").is_file()


def test_the_version_resource_carries_the_project_version():
    text = (WINDOWS / "version_info.txt").read_text()
    project = version("settlement-workbench")
    numbers = (*(int(n) for n in project.split(".")), 0)  # 0.1.0 is (0, 1, 0, 0)
    assert re.findall(r"StringStruct\('(?:File|Product)Version', '([^']*)'\)", text) == [
        project, project
    ]  # fmt: skip
    assert f"filevers={numbers}" in text and f"prodvers={numbers}" in text


def test_the_windows_installer_carries_the_project_version():
    script = (WINDOWS / "settlement-workbench.iss").read_text()
    assert f'#define AppVersion "{version("settlement-workbench")}"' in script
