"""Column types on the servers as SQLite keeps them: the same numbers, instants, bytes and text.

The schema and its migrations declare SQLAlchemy's generic types. On PostgreSQL and MariaDB a
few of those default to less than SQLite stores, which would change figures or keys silently:

- Float: MariaDB's FLOAT is single precision (7 digits); DOUBLE, as SQLite's REAL and
  PostgreSQL's FLOAT (double precision) are: a £ cashflow reads back to the last bit.
- DateTime: MariaDB's DATETIME drops the microseconds: DATETIME(6).
- LargeBinary and Text: MariaDB's BLOB and TEXT hold 64 KiB, a GB day's columnar cache some
  46 MB: LONGBLOB and LONGTEXT (PostgreSQL's BYTEA and TEXT have no such limit).
- String and Text compare and sort byte by byte (by code point), as in SQLite, whatever the
  server's or database's default: COLLATE "C" on PostgreSQL; on MariaDB utf8mb4 with
  utf8mb4_nopad_bin (MySQL 8: utf8mb4_0900_bin), binary and blind to nothing. The usual
  default, case-insensitive and padding with spaces, would make 'T_ABC-1', 't_abc-1' and
  'T_ABC-1 ' one BM unit (utf8mb4_bin still makes the last two one), and ORDER BY differ.

Type names are rendered in DDL (CREATE TABLE, a migration's ALTER TABLE) and CAST, which the
workbench does not use. Importing this module (models.db.schema does) registers them; SQLite's
DDL is unchanged.
"""

from __future__ import annotations

from sqlalchemy import DateTime, Float, LargeBinary, String, Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.types import FLOAT, TEXT, VARCHAR


def _mariadb_text(compiler) -> str:
    binary = "utf8mb4_nopad_bin" if compiler.dialect.is_mariadb else "utf8mb4_0900_bin"
    return f"CHARACTER SET utf8mb4 COLLATE {binary}"


POSTGRESQL_TEXT = 'COLLATE "C"'


@compiles(Float, "mysql")
@compiles(FLOAT, "mysql")
def _mariadb_double(type_, compiler, **kw) -> str:
    if type_.precision is not None:  # an explicit precision is the author's choice
        return compiler.visit_FLOAT(type_, **kw)
    return "DOUBLE"


@compiles(DateTime, "mysql")
def _mariadb_datetime(type_, compiler, **kw) -> str:
    return "DATETIME(6)"


@compiles(LargeBinary, "mysql")
def _mariadb_longblob(type_, compiler, **kw) -> str:
    return "LONGBLOB"


@compiles(Text, "mysql")
@compiles(TEXT, "mysql")
def _mariadb_longtext(type_, compiler, **kw) -> str:
    return f"LONGTEXT {_mariadb_text(compiler)}"


@compiles(String, "mysql")
@compiles(VARCHAR, "mysql")
def _mariadb_varchar(type_, compiler, **kw) -> str:
    if not type_.length:
        return compiler.visit_VARCHAR(type_, **kw)  # MariaDB needs a length: SQLAlchemy says so
    return f"VARCHAR({type_.length}) {_mariadb_text(compiler)}"


@compiles(String, "postgresql")
@compiles(VARCHAR, "postgresql")
def _postgresql_varchar(type_, compiler, **kw) -> str:
    length = f"({type_.length})" if type_.length else ""
    return f"VARCHAR{length} {POSTGRESQL_TEXT}"


@compiles(Text, "postgresql")
@compiles(TEXT, "postgresql")
def _postgresql_text(type_, compiler, **kw) -> str:
    return f"TEXT {POSTGRESQL_TEXT}"
