"""Opening, creating and migrating a settlement run database.

A database is a SQLite file by default; any SQLAlchemy URL (``postgresql://…``) works too.
Opening refuses, with a clear message and without changing a byte, a file that is not SQLite,
a SQLite file that is not ours, and a database written by a newer version of the workbench.
An older schema is migrated forward with Alembic.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, select
from sqlalchemy.engine import make_url

from models.errors import DatabaseOpenError
from models.migrations import SCHEMA_HEAD
from models.schema import APPLICATION_ID, WorkbenchMeta

SQLITE_HEADER = b"SQLite format 3\x00"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ELEXON_ATTRIBUTION = (
    "Contains BMRS data © Elexon Limited copyright and database right 2026. "
    "Used under the BMRS open data licence."
)


# Alembic is imported only to create or migrate a database, or to read a revision that is not
# the head: opening a current database (every launch of the workbench) needs none of it, and
# importing it costs half a second.


def _alembic_config():
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _upgrade(conn) -> None:
    from alembic import command

    config = _alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def head_revision() -> str:
    """The newest migration, as Alembic finds it (SCHEMA_HEAD must name it; a test checks)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def _is_url(target: str | Path) -> bool:
    return isinstance(target, str) and "://" in target


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA cache_size = -131072")  # 128 MiB: bulk loads of a GB day
        cursor.close()

    return engine


@dataclass
class SettlementDatabase:
    """An open settlement run database."""

    engine: Engine
    location: str

    @classmethod
    def create(cls, target: str | Path, *, overwrite: bool = False) -> SettlementDatabase:
        """Create a new, empty database at a path or URL."""
        if _is_url(target):
            engine = create_engine(str(target))
            if inspect(engine).get_table_names():
                engine.dispose()
                raise DatabaseOpenError(
                    f"{make_url(str(target)).render_as_string(hide_password=True)} already has "
                    "tables; create the workbench schema in an empty database"
                )
            db = cls(engine, str(target))
        else:
            path = Path(target)
            if path.exists():
                if not overwrite:
                    raise DatabaseOpenError(
                        f"{path} already exists; choose another name or allow overwriting"
                    )
                path.unlink()
            if not path.parent.is_dir():
                raise DatabaseOpenError(f"{path.parent} is not a folder")
            db = cls(_sqlite_engine(path), str(path))
        db._initialise()
        return db

    @classmethod
    def open(cls, target: str | Path) -> SettlementDatabase:
        """Open an existing database, migrating an older schema forward."""
        if _is_url(target):
            engine = create_engine(str(target))
            location = make_url(str(target)).render_as_string(hide_password=True)
            with engine.connect() as conn:
                revision = _check_ownership(conn, location)
        else:
            path = Path(target)
            location = str(path)
            revision = _inspect_sqlite_file(path)
            engine = _sqlite_engine(path)
        db = cls(engine, location)
        if revision != SCHEMA_HEAD:
            with engine.begin() as conn:
                _upgrade(conn)
        return db

    def _initialise(self) -> None:
        with self.engine.begin() as conn:
            _upgrade(conn)
            conn.execute(
                WorkbenchMeta.__table__.insert(),
                [
                    {"key": "application", "value": APPLICATION_ID},
                    {"key": "created_at", "value": datetime.now(UTC).isoformat()},
                ],
            )

    def meta(self) -> dict[str, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(WorkbenchMeta.key, WorkbenchMeta.value)).all()
        return dict(rows)

    def set_meta(self, key: str, value: str) -> None:
        table = WorkbenchMeta.__table__
        with self.engine.begin() as conn:
            conn.execute(table.delete().where(table.c.key == key))
            conn.execute(table.insert(), {"key": key, "value": value})

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> SettlementDatabase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _inspect_sqlite_file(path: Path) -> str:
    """Check, read-only, that `path` is one of our databases; return its schema revision."""
    if not path.exists():
        raise DatabaseOpenError(f"{path}: no such file")
    if path.is_dir():
        raise DatabaseOpenError(f"{path} is a folder, not a settlement database file")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if len(header) == 0:
        raise DatabaseOpenError(f"{path} is empty; it is not a settlement database")
    if header != SQLITE_HEADER:
        raise DatabaseOpenError(
            f"{path} is not a settlement database: it is not a SQLite file "
            f"(its first bytes are {header[:8]!r})"
        )
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            return _check_ownership_sqlite3(conn, str(path))
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseOpenError(f"{path} cannot be read as a SQLite database: {exc}") from None


def _check_ownership_sqlite3(conn: sqlite3.Connection, location: str) -> str:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    application = None
    if "workbench_meta" in tables:
        row = conn.execute("SELECT value FROM workbench_meta WHERE key = 'application'").fetchone()
        application = row[0] if row else None
    revision = None
    if "alembic_version" in tables:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return _verdict(location, tables, application, revision)


def _check_ownership(conn, location: str) -> str:
    tables = set(inspect(conn).get_table_names())
    application = revision = None
    if "workbench_meta" in tables:
        application = conn.execute(
            select(WorkbenchMeta.value).where(WorkbenchMeta.key == "application")
        ).scalar()
    if "alembic_version" in tables:
        from alembic.runtime.migration import MigrationContext

        revision = MigrationContext.configure(conn).get_current_revision()
    return _verdict(location, tables, application, revision)


def _verdict(location: str, tables: set[str], application: str | None, revision: str | None) -> str:
    if application != APPLICATION_ID:
        shown = ", ".join(sorted(tables)[:6]) or "none"
        raise DatabaseOpenError(
            f"{location} is a database but not a Settlement Workbench database "
            f"(its tables: {shown}{', …' if len(tables) > 6 else ''})"
        )
    if revision is None:
        raise DatabaseOpenError(f"{location} has no schema version; it cannot be opened safely")
    if revision != SCHEMA_HEAD and revision not in _known_revisions():
        raise DatabaseOpenError(
            f"{location} was written by a newer version of Settlement Workbench "
            f"(schema revision {revision}; this version knows up to {head_revision()}). "
            "Install the newer version to open it."
        )
    return revision
