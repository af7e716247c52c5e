"""Shared set-up of the tests under tests/models."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from tests.paths import elexon


@pytest.fixture
def db(made, tmp_path):
    """A writable copy of the module's `made` database (`made[0]`, its path), open; a module
    that defines its own `db` uses that one instead."""
    path = tmp_path / "db.sqlite"
    shutil.copy(made[0], path)
    with SettlementDatabase.open(path) as database:
        yield database


@pytest.fixture(scope="session")
def registered_db_file(tmp_path_factory) -> Path:
    """A database holding only the 2026 Insights register (copied per test), dated effective
    2019-01-01 so that it is in force on every date of the real files (the import date, its
    default, would make each test depend on the day it runs: R-REG-DATED)."""
    path = tmp_path_factory.mktemp("register") / "register.sqlite"
    with SettlementDatabase.create(path) as db:
        import_files(
            db,
            [elexon("reference/bmu_register_insights_2026.csv")],
            effective_from=date(2019, 1, 1),
        )
    return path


@pytest.fixture
def registered_db(registered_db_file, tmp_path):
    """A writable, open copy of `registered_db_file`."""
    path = tmp_path / "db.sqlite"
    shutil.copy(registered_db_file, path)
    with SettlementDatabase.open(path) as db:
        yield db
