"""Shared fixtures for the importer tests: the real Elexon files and small databases."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from models.db.database import SettlementDatabase
from models.imports.loader import import_files

ELEXON = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "elexon"
INSIGHTS_REGISTER = ELEXON / "reference" / "bmu_register_insights_2026.csv"
CRA_REGISTER = ELEXON / "reference" / "bmu_register_cra_2022-06.csv"
WIND = ELEXON / "insights_json"


def elexon(relative: str) -> Path:
    path = ELEXON / relative
    if not path.exists():
        pytest.skip(f"real Elexon data not found at {path}")
    return path


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
    path = tmp_path / "db.sqlite"
    shutil.copy(registered_db_file, path)
    with SettlementDatabase.open(path) as db:
        yield db
