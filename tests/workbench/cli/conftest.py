"""Databases the command-line tests share (each test that changes one works on a copy)."""

from __future__ import annotations

import pytest

from tests.paths import CASES
from tests.workbench.cli.running import run
from workbench.cli.main import main


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """A demo database of 20 BM units (seed 4): runs II, SF and R1 of 2024-06-12."""
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite"
    assert main(["demo", "--db", str(path), "--bmus", "20", "--seed", "4"]) == 0
    return path


@pytest.fixture(scope="session")
def case_db(tmp_path_factory):
    """A database holding the worked example as run 1."""
    path = tmp_path_factory.mktemp("common") / "case.sqlite"
    assert main(["case", "import", "--db", str(path), str(CASES / "worked_example.json")]) == 0
    return path


@pytest.fixture
def db(tmp_path, capsys):
    """A fresh database (path as text) holding the worked example as run 1 (SF)."""
    path = str(tmp_path / "w.sqlite")
    assert run(capsys, "case", "import", "--db", path, str(CASES / "worked_example.json"))[0] == 0
    return path
