"""The column types each backend's DDL gets (models/db/portable_types.py): on the servers what
SQLite keeps (double precision, microseconds, large blobs and text, byte-order text), and
SQLite's own DDL unchanged. Compiled only: the servers' tests check the live schema."""

from __future__ import annotations

import pytest
from sqlalchemy import (
    FLOAT,
    Column,
    DateTime,
    Float,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.dialects import mysql, postgresql, sqlite
from sqlalchemy.exc import CompileError
from sqlalchemy.schema import CreateTable

import models.db.portable_types  # noqa: F401  (registers the types, as models.db.schema does)

TABLE = Table(
    "example",
    MetaData(),
    Column("price", Float),
    Column("level", FLOAT()),  # as a migration's existing_type names it
    Column("exact", Float(precision=24)),
    Column("at", DateTime),
    Column("payload", LargeBinary),
    Column("detail", Text),
    Column("unit", String(32)),
)


def _mariadb():
    dialect = mysql.dialect()
    dialect.is_mariadb = True  # what connecting to a MariaDB server finds out
    return dialect


DIALECTS = {
    "sqlite": sqlite.dialect(),
    "postgresql": postgresql.dialect(),
    "mariadb": _mariadb(),
    "mysql": mysql.dialect(),
}
EXPECTED = {
    "sqlite": ["FLOAT", "FLOAT", "FLOAT", "DATETIME", "BLOB", "TEXT", "VARCHAR(32)"],
    "postgresql": ["FLOAT", "FLOAT", "FLOAT(24)", "TIMESTAMP WITHOUT TIME ZONE",
                   "BYTEA", 'TEXT COLLATE "C"', 'VARCHAR(32) COLLATE "C"'],
    "mariadb": ["DOUBLE", "DOUBLE", "FLOAT(24)", "DATETIME(6)", "LONGBLOB",
                "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin",
                "VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"],
    "mysql": ["DOUBLE", "DOUBLE", "FLOAT(24)", "DATETIME(6)", "LONGBLOB",
              "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_bin",
              "VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_bin"],
}  # fmt: skip


@pytest.mark.parametrize("backend", DIALECTS)
def test_each_backend_gets_the_types_that_keep_what_sqlite_keeps(backend):
    dialect = DIALECTS[backend]
    types = [dialect.type_compiler_instance.process(c.type) for c in TABLE.columns]
    assert types == EXPECTED[backend]
    ddl = str(CreateTable(TABLE).compile(dialect=dialect))  # and so CREATE TABLE says
    assert all(f" {t}" in ddl for t in EXPECTED[backend])


def test_a_mariadb_text_column_without_a_length_is_refused_as_sqlalchemy_refuses_it():
    with pytest.raises(CompileError, match="VARCHAR requires a length"):
        _mariadb().type_compiler_instance.process(String())
    assert postgresql.dialect().type_compiler_instance.process(String()) == 'VARCHAR COLLATE "C"'
