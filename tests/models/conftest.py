"""Shared set-up of the tests under tests/models."""

import shutil

import pytest

from models.db.database import SettlementDatabase


@pytest.fixture
def db(made, tmp_path):
    """A writable copy of the module's `made` database (`made[0]`, its path), open; a module
    that defines its own `db` uses that one instead."""
    path = tmp_path / "db.sqlite"
    shutil.copy(made[0], path)
    with SettlementDatabase.open(path) as database:
        yield database
