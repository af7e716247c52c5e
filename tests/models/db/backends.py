"""The backends the data layer is tested on, and how a test gets a database on one of them."""

from __future__ import annotations

from pathlib import Path

from models.db.database import SettlementDatabase

SERVERS = ("postgresql", "mariadb")
BACKENDS = ("sqlite", *SERVERS)
# SQLAlchemy's name of each backend's dialect (MariaDB is of the MySQL family).
DIALECT = {"sqlite": "sqlite", "postgresql": "postgresql", "mariadb": "mysql"}


def created(target: str | Path, backend: str) -> SettlementDatabase:
    """A new workbench database at `target`, asserted to be on `backend`: a test meant for a
    server that silently ran on SQLite would be a defect."""
    db = SettlementDatabase.create(target)
    assert db.engine.dialect.name == DIALECT[backend], (db.engine.dialect.name, backend)
    return db


def url_of(target: str | Path) -> str:
    """A SQLAlchemy URL for `target` (a SQLite file's path, or a URL already)."""
    return target if isinstance(target, str) else f"sqlite:///{target}"
