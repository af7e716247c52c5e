"""Opening, creating and migrating a settlement run database.

A database is a SQLite file by default (a path, or a ``sqlite:///`` URL); a team database is
a PostgreSQL or MariaDB server's, given by its SQLAlchemy URL (``postgresql+psycopg://…``,
``mysql+pymysql://…``). What is SQLite's own (PRAGMAs, ``quick_check``, hot-journal
recovery, building a new file under a temporary name) is done for SQLite only; a server keeps
its own journal and checks. Opening refuses, with a clear message and without changing a byte,
a file that is not SQLite, a SQLite file that is not ours, a damaged one (``PRAGMA
quick_check``), a server database that is not ours, and a database written by a newer version
of the workbench. An older schema is migrated forward with Alembic.

A write interrupted by a crash leaves a hot rollback journal beside the file; opening rolls it
back (SQLite's own recovery: the database returns to its last committed state) and says so in
``SettlementDatabase.notices``. Every SQLite failure of a command (locked by another program,
read-only file or folder, disk full, damaged) is told in one line by ``database_failure``:
the file, what happened and what to do, never SQL text or bound values.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event, inspect, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError

from models.core.atomic_write import partial_path, publish, remove_quietly
from models.core.errors import DatabaseOpenError
from models.db.migrations import SCHEMA_HEAD
from models.db.schema import APPLICATION_ID, WorkbenchMeta
from models.db.server_failures import driver_line, server_failure

SQLITE_HEADER = b"SQLite format 3\x00"
# How long a command waits for another program's write to finish before it gives up.
BUSY_TIMEOUT_SECONDS = 10.0
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


# The servers the workbench is tested on (MariaDB is of SQLAlchemy's MySQL family).
SERVER_BACKENDS = ("postgresql", "mysql", "mariadb")
URL_EXAMPLES = (
    "postgresql+psycopg://USER@HOST/DATABASE, mysql+pymysql://USER@HOST/DATABASE "
    "or a SQLite file's path"
)


def _without_password(text: str) -> str:
    """A URL that did not parse, shown without what may be its password."""
    return re.sub(r"://([^:/@]*):[^@/]*@", r"://\1:***@", text)


def _server_url(target: str | Path) -> URL | None:
    """The URL of a server database, or None for a SQLite file (a path or a sqlite:/// URL).
    A URL that does not parse, or names a database the workbench does not support, is
    refused in one line (the password never shown)."""
    if not (isinstance(target, str) and "://" in target):
        return None
    try:
        url = make_url(target)
    except (ArgumentError, ValueError):
        raise DatabaseOpenError(
            f"{_without_password(target)} is not a database URL; expected {URL_EXAMPLES}"
        ) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        return None
    if backend not in SERVER_BACKENDS:
        raise DatabaseOpenError(
            f"{_shown(url)}: {backend} databases are not supported; expected {URL_EXAMPLES}"
        )
    if not url.database:
        raise DatabaseOpenError(f"{_shown(url)} names no database; expected {URL_EXAMPLES}")
    return url


def _sqlite_path(target: str | Path) -> Path:
    if isinstance(target, str) and "://" in target:
        database = make_url(target).database
        if not database or database == ":memory:":
            raise DatabaseOpenError(f"{target}: a settlement database is a file; give its path")
        return Path(database)
    return Path(target)


def _server_engine(url: URL) -> Engine:
    """An engine for a server database: on MariaDB (MySQL) text travels as utf8mb4, and the
    session is strict, so that the server refuses a value it would otherwise truncate or
    change (a NULL for a NOT NULL column, a too-long text), as SQLite never changes one."""
    if url.get_backend_name() == "mysql" and "charset" not in url.query:
        url = url.update_query_dict({"charset": "utf8mb4"})
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError) as exc:
        raise DatabaseOpenError(
            f"{_shown(url)}: no database driver {url.drivername!r} is installed "
            f"({driver_line(exc)}); expected {URL_EXAMPLES}"
        ) from None
    if engine.dialect.name == "mysql":

        @event.listens_for(engine, "connect")
        def _strict(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("SET SESSION sql_mode = 'TRADITIONAL,NO_AUTO_VALUE_ON_ZERO'")
            cursor.close()

    return engine


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def _check_server(engine: Engine, location: str, *, empty: bool) -> str | None:
    """Connect; the schema revision of our database (or, with `empty`, refuse one with tables).
    A server that cannot be reached or refuses us is told in one line."""
    try:
        with engine.connect() as conn:
            if not empty:
                return _check_ownership(conn, location)
            tables = inspect(conn).get_table_names()
    except DatabaseOpenError:
        engine.dispose()
        raise
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseOpenError(
            f"{location}: cannot connect to the server ({driver_line(exc.orig)})"
        ) from None
    except DBAPIError as exc:  # e.g. PostgreSQL's permission denied: a ProgrammingError
        engine.dispose()
        line = server_failure(exc, location)
        if line is None:
            raise
        raise DatabaseOpenError(line) from None
    if tables:
        engine.dispose()
        raise DatabaseOpenError(
            f"{location} already has tables; create the workbench schema in an empty database"
        )
    return None


def _drop_partial_schema(engine: Engine) -> None:
    """Drop what a failed `create` made on a server database it found with no tables:
    MariaDB's DDL is not transactional, so a failure part way (a trigger the user may not
    create) left tables that made the next `db init` refuse the database as not empty."""
    try:
        tables = MetaData()
        tables.reflect(bind=engine)
        tables.drop_all(bind=engine)
    except DBAPIError:
        pass  # the original failure is what the user hears of; `db check` tells the rest


def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

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
    # What opening did that the user should hear of (e.g. an interrupted write rolled back).
    notices: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, target: str | Path, *, overwrite: bool = False) -> SettlementDatabase:
        """Create a new, empty database at a path or URL."""
        url = _server_url(target)
        if url is not None:
            engine = _server_engine(url)
            _check_server(engine, _shown(url), empty=True)
            db = cls(engine, _shown(url))
            try:
                db._initialise()
            except BaseException:
                _drop_partial_schema(engine)
                db.close()
                raise
            return db
        path = _sqlite_path(target)
        if path.exists() and not overwrite:
            raise DatabaseOpenError(
                f"{path} already exists; choose another name or allow overwriting"
            )
        if path.is_dir():
            raise DatabaseOpenError(f"{path} is a folder, not a settlement database file")
        if not path.parent.is_dir():
            raise DatabaseOpenError(f"{path.parent} is not a folder")
        # Built under a temporary name and renamed when complete: an existing file is replaced
        # only by a whole new database, and a failure leaves nothing behind.
        temporary = partial_path(path)
        try:
            building = cls(_sqlite_engine(temporary), str(path))
            try:
                building._initialise()
            finally:
                building.close()
            publish(temporary, path, overwrite=overwrite)
        except BaseException:
            remove_quietly(temporary)
            raise
        return cls(_sqlite_engine(path), str(path))

    @classmethod
    def open(cls, target: str | Path) -> SettlementDatabase:
        """Open an existing database, migrating an older schema forward."""
        db, revision = cls.open_unmigrated(target)
        engine = db.engine
        if revision != SCHEMA_HEAD:
            with engine.begin() as conn:
                _upgrade(conn)
        return db

    @classmethod
    def open_unmigrated(cls, target: str | Path) -> tuple[SettlementDatabase, str]:
        """Open an existing database as it is, and its schema revision: checked as `open`
        checks it, but an older schema is left as it is (`db check` reports it)."""
        url = _server_url(target)
        notices: list[str] = []
        if url is not None:
            engine = _server_engine(url)
            location = _shown(url)
            revision = _check_server(engine, location, empty=False)
        else:
            path = _sqlite_path(target)
            location = str(path)
            revision, notices = _inspect_sqlite_file(path)
            engine = _sqlite_engine(path)
        db = cls(engine, location)
        db.notices.extend(notices)
        return db, revision

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


@contextmanager
def new_database(target: str | Path) -> Iterator[SettlementDatabase]:
    """A new database that appears at `target` only if the block completes.

    It is built under a temporary name beside `target`: a rejected import into a new path
    leaves no file at all, and an existing file is never replaced.
    """
    path = Path(target)
    if path.exists():
        raise DatabaseOpenError(f"{path} already exists; choose another name")
    if not path.parent.is_dir():
        raise DatabaseOpenError(f"{path.parent} is not a folder")
    temporary = partial_path(path)
    try:
        db = SettlementDatabase.create(temporary)
    except BaseException:
        remove_quietly(temporary)
        raise
    db.location = str(path)
    try:
        yield db
    except BaseException:
        db.close()
        remove_quietly(temporary)
        raise
    db.close()
    publish(temporary, path, overwrite=False)


def _journal(path: Path) -> Path:
    return path.with_name(path.name + "-journal")


def _hot_journal(path: Path) -> bool:
    """A non-empty rollback journal: a write was interrupted (or is in progress elsewhere)."""
    try:
        return _journal(path).stat().st_size > 0
    except OSError:
        return False


def _inspect_sqlite_file(path: Path) -> tuple[str, list[str]]:
    """Check that `path` is one of our sound databases; return its schema revision and notices.

    Read-only unless a hot journal must be rolled back, which needs write access (that is the
    one change opening may make: SQLite's recovery to the last committed state).
    """
    if not path.exists():
        raise DatabaseOpenError(f"{path}: no such file")
    if path.is_dir():
        raise DatabaseOpenError(f"{path} is a folder, not a settlement database file")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except PermissionError:
        raise DatabaseOpenError(
            f"{path} cannot be read: permission denied; ask for read access to the file"
        ) from None
    except OSError as exc:
        raise DatabaseOpenError(f"{path} cannot be read: {exc.strerror or exc}") from None
    if len(header) == 0:
        raise DatabaseOpenError(f"{path} is empty; it is not a settlement database")
    if header != SQLITE_HEADER:
        raise DatabaseOpenError(
            f"{path} is not a settlement database: it is not a SQLite file "
            f"(it begins {_first_bytes(header[:8])})"
        )
    notices: list[str] = []
    recover = _hot_journal(path)
    if recover and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        raise DatabaseOpenError(
            f"{path}: a write was interrupted and must be rolled back, but the file or its "
            "folder is read-only; make both writable and open it again (nothing was changed)"
        )
    uri = path.resolve().as_uri() + ("?mode=rw" if recover else "?mode=ro")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_SECONDS)
        try:
            revision = _check_ownership_sqlite3(conn, str(path))
            if recover and not _hot_journal(path):
                notices.append(
                    f"{path}: a write interrupted earlier (a crash or kill) was rolled back; "
                    "the database is as it was after its last completed change"
                )
            _quick_check(conn, path)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise DatabaseOpenError(database_failure(exc, str(path))) from None
    return revision, notices


def _quick_check(conn: sqlite3.Connection, path: Path) -> None:
    """PRAGMA quick_check (b-tree structure, page and record formats; about 0.2 s per 100 MB)."""
    from models.db import verified_files

    key = verified_files.file_key(path)
    if verified_files.is_verified(key):  # unchanged since it was last found sound
        return
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    if problems != ["ok"]:
        lines = [ln for p in problems for ln in str(p).splitlines() if ln and "***" not in ln]
        first = (lines or ["damaged"])[0][:120]
        raise DatabaseOpenError(
            f"{path} is damaged (SQLite quick_check: {first}); restore it from a "
            "backup or import its data into a new database (the file was not changed)"
        )
    verified_files.mark_verified(key)


# SQLite primary result codes (sqlite3.Error.sqlite_errorcode & 0xFF) and what to tell the user.
_FAILURES = {
    3: "permission denied; ask for write access to the file and its folder",  # SQLITE_PERM
    5: (
        "it is in use by another program (database is locked); wait for that program to "
        "finish or close it, then try again"
    ),  # SQLITE_BUSY
    6: "it is in use by another program (a table is locked); try again when it has finished",
    8: (
        "it cannot be written: the file (or its folder) is read-only; make both writable, "
        "or copy the file to a writable folder"
    ),  # SQLITE_READONLY
    10: "the disk reported an input/output error; check the disk or copy the file elsewhere",
    11: (
        "it is damaged (database disk image is malformed); restore it from a backup or "
        "import its data into a new database"
    ),  # SQLITE_CORRUPT
    13: "the disk is full; free some space and try again (nothing was changed)",  # SQLITE_FULL
    14: (
        "it cannot be opened for writing: check that its folder exists and is writable "
        "(SQLite keeps a journal file beside it)"
    ),  # SQLITE_CANTOPEN
    26: "it is not a database (file is not a database)",  # SQLITE_NOTADB
}


def database_failure(exc: BaseException, location: str | None) -> str | None:
    """One line for a SQLite failure (raw or wrapped by SQLAlchemy) or a server's refusal the
    user can act on (models.db.server_failures), or None if it is neither.

    Names the file and what to do; never the SQL statement or its bound parameters.
    """
    original = getattr(exc, "orig", None) or exc
    if not isinstance(original, sqlite3.Error):
        return server_failure(exc, location)  # PostgreSQL, MariaDB: or None
    where = location or "the settlement database"
    code = getattr(original, "sqlite_errorcode", None)
    text = str(original).lower()
    if code is None:  # older SQLite bindings: recognise the message
        code = next((c for c, words in _MESSAGES.items() if any(w in text for w in words)), None)
    advice = _FAILURES.get(code & 0xFF) if code is not None else None
    if advice is None:
        if isinstance(original, (sqlite3.IntegrityError, sqlite3.ProgrammingError)):
            return None  # a defect of the workbench, not of the file: an internal error
        name = getattr(original, "sqlite_errorname", type(original).__name__)
        advice = f"SQLite reported {name}; the file was left as it was after its last change"
    return f"{where}: {advice}"


_MESSAGES = {
    5: ("database is locked",),
    6: ("table is locked",),
    8: ("readonly database",),
    10: ("disk i/o error",),
    11: ("malformed",),
    13: ("disk is full", "database or disk is full"),
    14: ("unable to open database file",),
    26: ("file is not a database",),
}


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


def _first_bytes(head: bytes) -> str:
    """A file's first bytes for a person: as text if they are printable (a CSV's header
    shows what the file is), else in hexadecimal; never Python's b'\\x..' form."""
    if head and all(32 <= b < 127 for b in head):
        return f'"{head.decode("ascii")}"'
    return "with the bytes " + " ".join(f"{b:02x}" for b in head)
