"""What `db check` finds in a settlement database, changing nothing: `check_database`.

- the schema's revision against this version's head, and the migrations opening it would apply;
- the immutability triggers of migration 0009 (a loaded run cannot change in the database
  itself): every one present;
- the rows of every table;
- the privileges the workbench needs there, as the database grants them to the user it
  connects as: to read and write (SELECT, INSERT, UPDATE, DELETE on every table, and on
  PostgreSQL the use of the id sequences) and, when migrations are pending, to migrate
  (PostgreSQL: CREATE on the schema and owning the tables; MariaDB: CREATE, ALTER, DROP,
  INDEX, REFERENCES and TRIGGER on the database). A SQLite file needs to be readable and
  writable, and its folder writable (SQLite keeps its journal beside it).
"""

from __future__ import annotations

import importlib.util
import os
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, func, select, text

from models.db.database import MIGRATIONS, SettlementDatabase, head_revision
from models.db.schema import metadata

IMMUTABILITY_REVISION = "0009"
USE = ("SELECT", "INSERT", "UPDATE", "DELETE")
MIGRATE_MARIADB = ("CREATE", "ALTER", "DROP", "INDEX", "REFERENCES", "TRIGGER")
BACKEND = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "mysql": "MariaDB"}


@dataclass(frozen=True)
class CheckReport:
    """What `check_database` found; `problems` is empty when the database is fit for use."""

    location: str
    backend: str
    server_version: str
    user: str
    revision: str
    head: str
    pending: tuple[str, ...]
    triggers_expected: int
    triggers_missing: tuple[str, ...]
    rows: dict[str, int]
    privileges_missing: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())
    # MariaDB lists triggers only to a user with the TRIGGER privilege: others cannot tell.
    triggers_visible: bool = True

    @property
    def problems(self) -> list[str]:
        found = []
        if self.triggers_missing:
            shown = ", ".join(self.triggers_missing[:4])
            more = ", …" if len(self.triggers_missing) > 4 else ""
            found.append(
                f"{len(self.triggers_missing)} of {self.triggers_expected} immutability "
                f"triggers are missing ({shown}{more}): loaded runs can be changed by SQL"
            )
        if self.privileges_missing:
            found.append(
                f"the user {self.user or '(this process)'} lacks "
                + "; ".join(self.privileges_missing)
            )
        return found


@cache
def _immutability_migration():
    """Migration 0009 as a module: the tables it guards, hence the triggers it creates."""
    path = next((MIGRATIONS / "versions").glob(f"{IMMUTABILITY_REVISION}_*.py"))
    spec = importlib.util.spec_from_file_location("immutability_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def expected_triggers(dialect: str) -> set[str]:
    """The names of the immutability triggers migration 0009 creates on `dialect`."""
    migration = _immutability_migration()
    tables = [*migration.RUN_INPUTS, *migration.BM_DATA, "settlement_run"]
    if dialect == "postgresql":  # one trigger of both events per table
        return {f"immutable_{t}" for t in tables}
    return {f"immutable_{t}_{event}" for t in tables for event in ("update", "delete")}


def present_triggers(conn: Connection) -> set[str]:
    query = {
        "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
        "postgresql": "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE NOT t.tgisinternal AND n.nspname = current_schema()",
        "mysql": "SELECT trigger_name FROM information_schema.triggers "
        "WHERE trigger_schema = DATABASE()",
    }[conn.dialect.name]
    return set(conn.execute(text(query)).scalars())


def pending_revisions(revision: str) -> tuple[str, ...]:
    """The migrations after `revision` up to the head, oldest first."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    newer = [s.revision for s in script.iterate_revisions("heads", revision)]
    return tuple(r for r in reversed(newer) if r != revision)


def row_counts(conn: Connection) -> dict[str, int]:
    return {
        table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
        for table in metadata.sorted_tables
    }


def _user_and_version(conn: Connection) -> tuple[str, str]:
    if conn.dialect.name == "sqlite":
        return "", conn.execute(text("SELECT sqlite_version()")).scalar_one()
    if conn.dialect.name == "postgresql":  # the role; MariaDB: the account matched, user@host
        query = "SELECT current_user, current_setting('server_version')"
    else:
        query = "SELECT CURRENT_USER(), VERSION()"
    user, version = conn.execute(text(query)).one()
    return user, version


def _sqlite_privileges(location: str) -> list[str]:
    path = Path(location)
    missing = []
    if not os.access(path, os.R_OK | os.W_OK):
        missing.append(f"read and write access to {path}")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        missing.append(f"write access to its folder {path.parent} (for SQLite's journal)")
    return missing


def _postgresql_privileges(conn: Connection, migrate: bool) -> list[str]:
    missing = []
    names = {t.name for t in metadata.sorted_tables}
    for privilege in USE:
        lacking = sorted(
            set(
                conn.execute(
                    text(
                        "SELECT c.relname FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() "
                        "AND NOT has_table_privilege(c.oid, :p)"
                    ),
                    {"p": privilege},
                ).scalars()
            )
            & names
        )
        if lacking:
            missing.append(f"{privilege} on {_listed(lacking)}")
    sequences = conn.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'S' AND n.nspname = current_schema() "
            "AND NOT CASE WHEN c.relkind = 'S' THEN has_sequence_privilege(c.oid, 'USAGE') END"
        )
    ).scalars()
    lacking = sorted(sequences)
    if lacking:
        missing.append(f"USAGE on the sequences {_listed(lacking, 'sequences')}")
    if migrate:
        if not conn.execute(
            text("SELECT has_schema_privilege(current_schema(), 'CREATE')")
        ).scalar_one():
            missing.append("CREATE on the schema (to migrate it)")
        foreign = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "AND tableowner <> current_user"
            )
        ).scalars()
        lacking = sorted(set(foreign) & names)
        if lacking:
            missing.append(f"ownership of {_listed(lacking)} (to migrate them)")
    return missing


# SHOW GRANTS: "GRANT SELECT, INSERT ON `db`.* TO `user`@`host`" (or ON *.*, ALL PRIVILEGES).
_GRANT = re.compile(r"^GRANT (?P<privileges>.+?) ON (?P<target>\S+) TO ", re.IGNORECASE)


def _database_pattern(target: str) -> re.Pattern | None:
    """The databases a grant's target covers (`db`.*, `team\\_%`.* or *.*), as a pattern;
    None for a grant on one table or routine."""
    if target == "*.*":
        return re.compile(".*")
    match = re.fullmatch(r"`((?:[^`]|``)+)`\.\*", target)
    if match is None:
        return None
    pattern = ""
    name = match.group(1).replace("``", "`")
    index = 0
    while index < len(name):
        char = name[index]
        if char == "\\" and index + 1 < len(name):
            pattern += re.escape(name[index + 1])
            index += 2
            continue
        pattern += {"%": ".*", "_": "."}.get(char, re.escape(char))
        index += 1
    return re.compile(pattern)


def _mariadb_held(conn: Connection) -> set[str]:
    """The privileges the connected user holds on its database (global or database grants)."""
    database = conn.execute(text("SELECT DATABASE()")).scalar_one()
    held: set[str] = set()
    for (grant,) in conn.execute(text("SHOW GRANTS")):
        match = _GRANT.match(grant)
        pattern = match and _database_pattern(match.group("target"))
        if pattern is None or not pattern.fullmatch(database):
            continue
        for privilege in match.group("privileges").split(","):
            name = privilege.strip().upper()
            held |= {*USE, *MIGRATE_MARIADB} if name.startswith("ALL") else {name}
    return held


def _mariadb_privileges(conn: Connection, migrate: bool) -> list[str]:
    database = conn.execute(text("SELECT DATABASE()")).scalar_one()
    held = _mariadb_held(conn)
    needed = [*USE, *(MIGRATE_MARIADB if migrate else ())]
    lacking = [p for p in needed if p not in held]
    return [f"{', '.join(lacking)} on the database {database}"] if lacking else []


def _listed(names: list[str], noun: str = "tables") -> str:
    """The first few names, and how many more."""
    more = f" and {len(names) - 4} more {noun}" if len(names) > 4 else ""
    return ", ".join(names[:4]) + more


def check_database(target: str | Path) -> CheckReport:
    """Check a database at a path or URL as `db check` reports it; nothing is changed (an
    older schema is left as it is and its pending migrations listed)."""
    db, revision = SettlementDatabase.open_unmigrated(target)
    with db, db.engine.connect() as conn:
        dialect = conn.dialect.name
        pending = pending_revisions(revision)
        user, version = _user_and_version(conn)
        expected = expected_triggers(dialect)
        guarded = IMMUTABILITY_REVISION not in pending
        visible = dialect != "mysql" or "TRIGGER" in _mariadb_held(conn)
        missing = sorted(expected - present_triggers(conn)) if guarded and visible else []
        counts = row_counts(conn) if not pending else {}
        if dialect == "sqlite":
            privileges = _sqlite_privileges(db.location)
        elif dialect == "postgresql":
            privileges = _postgresql_privileges(conn, migrate=bool(pending))
        else:
            privileges = _mariadb_privileges(conn, migrate=bool(pending))
        notes = tuple(db.notices)
        if not visible:
            notes += (
                "the immutability triggers cannot be checked as this user: MariaDB shows "
                "them only to a user with the TRIGGER privilege",
            )
        if pending:
            notes += ("rows are counted once it is migrated (the schema's tables differ)",)
    return CheckReport(
        location=db.location,
        backend=BACKEND.get(dialect, dialect),
        server_version=version,
        user=user,
        revision=revision,
        head=head_revision(),
        pending=pending,
        triggers_expected=len(expected) if guarded else 0,
        triggers_missing=tuple(missing),
        rows=counts,
        privileges_missing=tuple(privileges),
        notes=notes,
        triggers_visible=visible,
    )
