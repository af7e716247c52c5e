"""Opening and creating settlement run databases: refusals change nothing, migrations match."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from models.core.errors import DatabaseOpenError
from models.db.database import SettlementDatabase, head_revision
from models.db.migrations import SCHEMA_HEAD
from models.db.schema import metadata
from tests.damaged_database import make_damaged_database
from tests.models.db.crashes import killed_mid_write


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_create_then_open_a_sqlite_database(tmp_path):
    path = tmp_path / "s.sqlite"
    with SettlementDatabase.create(path) as db:
        assert db.meta()["application"] == "settlement-workbench"
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()


def test_schema_head_names_alembics_newest_migration():
    # Opening a current database skips Alembic by trusting SCHEMA_HEAD: it must be the head.
    assert head_revision() == SCHEMA_HEAD


def test_migrations_build_exactly_the_schema_the_code_declares(tmp_path):
    with SettlementDatabase.create(tmp_path / "s.sqlite") as db, db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_create_refuses_to_overwrite_unless_asked(tmp_path):
    path = tmp_path / "s.sqlite"
    SettlementDatabase.create(path).close()
    with pytest.raises(DatabaseOpenError, match="already exists"):
        SettlementDatabase.create(path)
    SettlementDatabase.create(path, overwrite=True).close()


def test_any_sqlalchemy_url_works(tmp_path):
    url = f"sqlite:///{tmp_path / 'by-url.sqlite'}"
    SettlementDatabase.create(url).close()
    with SettlementDatabase.open(url) as db:
        assert db.meta()["application"] == "settlement-workbench"


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(DatabaseOpenError, match="no such file"):
        SettlementDatabase.open(tmp_path / "nothing.sqlite")


def test_a_text_file_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("Settlement notes, not a database\n")
    before = digest(path)
    with pytest.raises(DatabaseOpenError, match="not a SQLite file") as refused:
        SettlementDatabase.open(path)
    assert str(refused.value).endswith('not a SQLite file (it begins "Settleme")')
    assert digest(path) == before


def test_a_binary_file_is_refused_with_its_first_bytes_in_hexadecimal(tmp_path):
    """Not Python's b'\\xb4T\\xf2u…', as a user saw it under a real X server."""
    path = tmp_path / "noise.sqlite"
    path.write_bytes(b"\xb4T\xf2u\x91\x1d\x00o and more")
    with pytest.raises(DatabaseOpenError) as refused:
        SettlementDatabase.open(path)
    assert str(refused.value) == (
        f"{path} is not a settlement database: it is not a SQLite file "
        "(it begins with the bytes b4 54 f2 75 91 1d 00 6f)"
    )


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.sqlite"
    path.touch()
    with pytest.raises(DatabaseOpenError, match="is empty"):
        SettlementDatabase.open(path)
    assert path.stat().st_size == 0


def test_someone_elses_sqlite_file_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(DatabaseOpenError, match=r"not a Settlement Workbench database.*invoices"):
        SettlementDatabase.open(path)
    assert digest(path) == before


def test_a_database_from_a_newer_version_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "newer.sqlite"
    SettlementDatabase.create(path).close()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    before = digest(path)
    with pytest.raises(DatabaseOpenError, match=r"newer version.*9999"):
        SettlementDatabase.open(path)
    assert digest(path) == before


def test_a_database_without_a_schema_version_is_refused(tmp_path):
    path = tmp_path / "old.sqlite"
    SettlementDatabase.create(path).close()
    # Owned by us but stamped with no revision: refused, not guessed at.
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
    engine.dispose()
    with pytest.raises(DatabaseOpenError, match="no schema version"):
        SettlementDatabase.open(path)


def test_lookup_by_run_unit_and_period_searches_a_key(tmp_path):
    lookups = {
        "metered_volume": "run_id",
        "bm_unit_period_result": "run_id",
        "pair_period_result": "run_id",
        "bid_offer": "dataset_id",
    }
    with SettlementDatabase.create(tmp_path / "s.sqlite") as db, db.engine.connect() as conn:
        for table, key in lookups.items():
            plan = conn.execute(
                text(
                    f"EXPLAIN QUERY PLAN SELECT * FROM {table} "
                    f"WHERE {key} = 1 AND bm_unit_id = 'T_A-1' AND period = 3"
                )
            ).all()
            # A search on the (clustered) primary key or an index, never a full scan.
            assert all("SEARCH" in str(row) for row in plan), (table, plan)
            assert all("PRIMARY KEY" in str(row) or "INDEX" in str(row) for row in plan)
        names = set(inspect(conn).get_table_names())
    assert {"settlement_run", "acceptance", "stack_item_result", "party_result"} <= names


def test_a_database_at_an_older_revision_is_migrated_forward(tmp_path):
    from alembic import command

    from models.db.database import _alembic_config

    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            text(
                "INSERT INTO workbench_meta (key, value) "
                "VALUES ('application', 'settlement-workbench')"
            )
        )
        columns = {c["name"] for c in inspect(conn).get_columns("stack_item_result")}
        assert "tagged_by" not in columns
    engine.dispose()
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() == head_revision()
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        layout = conn.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'stack_item_result'")
        ).scalar()
        assert "WITHOUT ROWID" in layout


# Crashes, locks, damage (issue 16): never locked out, one line naming the file and what to do.


@pytest.mark.skipif(not hasattr(__import__("signal"), "SIGKILL"), reason="needs SIGKILL")
def test_a_write_killed_mid_transaction_is_rolled_back_on_opening(tmp_path):
    path = tmp_path / "s.sqlite"
    SettlementDatabase.create(path).close()
    killed_mid_write(path)
    journal = path.with_name("s.sqlite-journal")
    assert journal.stat().st_size > 0  # hot: the crash is real
    with SettlementDatabase.open(path) as db:
        assert len(db.notices) == 1 and "was rolled back" in db.notices[0]
        assert db.meta()["application"] == "settlement-workbench"  # the last committed state
        with db.engine.connect() as conn:
            assert "scratch" not in inspect(conn).get_table_names()
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert not journal.exists() or journal.stat().st_size == 0
    with SettlementDatabase.open(path) as db:
        assert db.notices == []  # said once, when it happened


def test_a_damaged_database_is_refused_by_quick_check_and_left_unchanged(tmp_path):
    path = tmp_path / "s.sqlite"
    make_damaged_database(path)
    before = digest(path)
    with pytest.raises(DatabaseOpenError) as caught:
        SettlementDatabase.open(path)
    message = str(caught.value)
    # Found by the first read or by quick_check, whichever meets the damage first.
    assert message.startswith(str(path)) and "damaged" in message
    assert "restore it from a backup" in message
    assert "\n" not in message
    assert digest(path) == before


def test_a_database_locked_by_another_connection_is_told_in_one_line(tmp_path, monkeypatch):
    import models.db.database as database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_SECONDS", 0.2)
    path = tmp_path / "s.sqlite"
    SettlementDatabase.create(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseOpenError) as caught:
            SettlementDatabase.open(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(caught.value) == (
        f"{path}: it is in use by another program (database is locked); wait for that "
        "program to finish or close it, then try again"
    )


def test_database_failures_name_the_file_and_never_the_sql(tmp_path):
    from sqlalchemy.exc import OperationalError

    from models.db.database import database_failure

    path = tmp_path / "s.sqlite"
    SettlementDatabase.create(path).close()
    conn = sqlite3.connect(path)
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # a real SQLITE_FULL, as on a full disk
    statement = "INSERT INTO workbench_meta (key, value) VALUES (?, ?)"
    with pytest.raises(sqlite3.Error) as caught:
        conn.executemany(statement, [(f"k{i}", "secret" * 500) for i in range(500)])
    conn.close()
    wrapped = OperationalError(statement, ("k1", "secret"), caught.value)
    line = database_failure(wrapped, str(path))
    assert line == f"{path}: the disk is full; free some space and try again (nothing was changed)"
    assert database_failure(ValueError("not a database error"), str(path)) is None


def test_a_new_database_appears_only_when_its_block_completes(tmp_path):
    from models.db.database import new_database

    path = tmp_path / "new.sqlite"
    with pytest.raises(RuntimeError), new_database(path):
        raise RuntimeError("the import was rejected")
    assert list(tmp_path.iterdir()) == []
    with new_database(path) as db:
        assert not path.exists()  # built beside it under a temporary name
        db.set_meta("note", "kept")
    with SettlementDatabase.open(path) as db:
        assert db.meta()["note"] == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.sqlite"]


def test_overwriting_replaces_the_old_file_only_with_a_complete_new_one(tmp_path, monkeypatch):
    path = tmp_path / "s.sqlite"
    with SettlementDatabase.create(path) as db:
        db.set_meta("generation", "old")
    before = digest(path)

    def fail(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(SettlementDatabase, "_initialise", fail)
    with pytest.raises(OSError):
        SettlementDatabase.create(path, overwrite=True)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sqlite"]


def test_quick_check_refuses_damage_the_first_reads_do_not_meet(tmp_path):
    path = tmp_path / "s.sqlite"
    with SettlementDatabase.create(path) as db, db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE filler (i INTEGER PRIMARY KEY, b BLOB)"))
        conn.execute(text("CREATE INDEX filler_b ON filler (b)"))
        for i in range(200):
            conn.execute(text(f"INSERT INTO filler VALUES ({i}, randomblob(100))"))
    conn = sqlite3.connect(path)
    root, page_size = conn.execute(
        "SELECT rootpage, (SELECT page_size FROM pragma_page_size()) FROM sqlite_master "
        "WHERE name = 'filler_b'"
    ).fetchone()
    conn.close()
    with path.open("r+b") as handle:  # an index the ownership check never reads
        handle.seek((root - 1) * page_size + 8)
        handle.write(b"\xff" * 8)
    with pytest.raises(DatabaseOpenError, match=r"is damaged \(SQLite quick_check: "):
        SettlementDatabase.open(path)


def test_overwriting_a_crashed_database_drops_its_journal_with_it(tmp_path):
    path = tmp_path / "s.sqlite"
    SettlementDatabase.create(path).close()
    killed_mid_write(path)
    assert path.with_name("s.sqlite-journal").stat().st_size > 0
    SettlementDatabase.create(path, overwrite=True).close()
    assert not path.with_name("s.sqlite-journal").exists()
    with SettlementDatabase.open(path) as db:
        assert db.notices == []
        with db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_a_new_database_ignores_the_journal_of_a_deleted_one_of_its_name(tmp_path):
    path = tmp_path / "s.sqlite"
    SettlementDatabase.create(path).close()
    killed_mid_write(path)
    path.unlink()  # the user deletes the database, its hot journal stays
    SettlementDatabase.create(path).close()
    with SettlementDatabase.open(path) as db:
        assert db.notices == [] and db.meta()["application"] == "settlement-workbench"
