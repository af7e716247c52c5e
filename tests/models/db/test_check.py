"""`db check` on SQLite, PostgreSQL and MariaDB (issue 21): the schema's revision and pending
migrations, the immutability triggers, rows, and the privileges of the user it connects as;
nothing is changed (an older schema stays as it is)."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, insert, make_url, text

from models.db.check import check_database, expected_triggers, pending_revisions
from models.db.database import SettlementDatabase, _alembic_config, head_revision
from models.db.migrations import SCHEMA_HEAD
from models.db.schema import WorkbenchMeta, metadata
from tests.models.db.backends import BACKENDS, DIALECT, SERVERS, created, url_of

GUARDED = 16  # tables of run inputs and BM data, and settlement_run (migration 0009)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_new_database_is_fit_for_use(database_target, backend):
    target = database_target(backend, f"check_{backend}")
    created(target, backend).close()
    report = check_database(target)
    assert report.backend == {"sqlite": "SQLite", "postgresql": "PostgreSQL",
                              "mariadb": "MariaDB"}[backend]  # fmt: skip
    assert (report.revision, report.head, report.pending) == (SCHEMA_HEAD, SCHEMA_HEAD, ())
    assert report.triggers_expected == (GUARDED if backend == "postgresql" else 2 * GUARDED)
    assert report.triggers_missing == ()
    assert report.privileges_missing == ()
    assert set(report.rows) == set(metadata.tables)
    assert report.rows["workbench_meta"] == 2 and report.rows["settlement_run"] == 0
    assert report.problems == []
    assert report.user == {"sqlite": "", "postgresql": "postgres",
                           "mariadb": "root@127.0.0.1"}[backend]  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_missing_trigger_is_a_problem(database_target, backend):
    target = database_target(backend, f"check_trigger_{backend}")
    with created(target, backend) as db, db.engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text("DROP TRIGGER immutable_metered_volume ON metered_volume"))
            gone = "immutable_metered_volume"
        else:
            conn.execute(text("DROP TRIGGER immutable_metered_volume_update"))
            gone = "immutable_metered_volume_update"
    report = check_database(target)
    assert report.triggers_missing == (gone,)
    assert report.problems == [
        f"1 of {report.triggers_expected} immutability triggers are missing ({gone}): loaded "
        "runs can be changed by SQL"
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_older_schema_is_reported_and_left_as_it_is(database_target, backend):
    target = database_target(backend, f"check_older_{backend}")
    engine = create_engine(url_of(target))
    assert engine.dialect.name == DIALECT[backend]
    with engine.begin() as conn:
        config = _alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "0010")
        meta = WorkbenchMeta.__table__
        conn.execute(insert(meta).values(key="application", value="settlement-workbench"))
    engine.dispose()
    report = check_database(target)
    assert report.revision == "0010"
    assert report.pending == pending_revisions("0010")
    assert report.pending[0] == "0011" and report.pending[-1] == head_revision()
    assert report.triggers_missing == ()  # 0009 is applied
    assert report.rows == {}
    db, revision = SettlementDatabase.open_unmigrated(target)
    db.close()
    assert revision == "0010"  # checking migrated nothing


def test_pending_revisions_run_oldest_first():
    assert pending_revisions(head_revision()) == ()
    assert pending_revisions("0007")[:3] == ("0008", "0009", "0010")


def test_the_triggers_expected_are_those_migration_0009_names():
    assert "immutable_settlement_run" in expected_triggers("postgresql")
    assert {"immutable_bid_offer_update", "immutable_bid_offer_delete"} <= expected_triggers(
        "sqlite"
    )
    assert expected_triggers("mysql") == expected_triggers("sqlite")


def _reader(url: str) -> str:
    """A new user of the server who may only read the database at `url`; its URL."""
    database = make_url(url).database
    reader = f"reader_{database}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if admin.dialect.name == "postgresql":
            conn.execute(text(f"CREATE ROLE {reader} LOGIN"))
            conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}"))
        else:
            conn.execute(text(f"CREATE USER '{reader}'@'%'"))
            conn.execute(text(f"GRANT SELECT ON `{database}`.* TO '{reader}'@'%'"))
    admin.dispose()
    return make_url(url).set(username=reader).render_as_string(hide_password=False)


@pytest.mark.parametrize("backend", SERVERS)
def test_a_user_who_may_only_read_is_told_what_it_lacks(database_target, backend):
    target = database_target(backend, f"check_reader_{backend}")
    created(target, backend).close()
    report = check_database(_reader(target))
    assert report.user.startswith(f"reader_{make_url(target).database}")
    if backend == "postgresql":
        tables = sorted(metadata.tables)
        every = f"{', '.join(tables[:4])} and {len(tables) - 4} more tables"
        sequences = sorted(f"{t.name}_id_seq" for t in metadata.tables.values()
                           if t.autoincrement_column is not None)  # fmt: skip
        assert sequences[:2] == ["bm_dataset_id_seq", "bm_unit_register_snapshot_id_seq"]
        assert report.privileges_missing == (
            f"INSERT on {every}",
            f"UPDATE on {every}",
            f"DELETE on {every}",
            f"USAGE on the sequences {', '.join(sequences[:4])} and {len(sequences) - 4} more "
            "sequences",
        )
    else:
        database = make_url(target).database
        assert report.privileges_missing == (f"INSERT, UPDATE, DELETE on the database {database}",)
        assert not report.triggers_visible
        assert "TRIGGER privilege" in report.notes[-1]
    assert report.problems == [
        f"the user {report.user} lacks " + "; ".join(report.privileges_missing)
    ]
