"""`settlement-workbench db init | copy | check` (workbench/cli/db.py) on SQLite and a real
PostgreSQL server: what each prints, and a bad URL or a refused copy told in one line with
exit code 2."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from models.db.database import SettlementDatabase
from models.db.migrations import SCHEMA_HEAD
from models.db.schema import metadata
from tests.workbench.cli.running import one_line, run


def test_init_creates_the_schema_on_a_server_and_check_finds_it_fit(database_target, capsys):
    url = database_target("postgresql", "cli_init")
    code, out, err = run(capsys, "db", "init", url)
    assert code == 0, err
    assert out.splitlines() == [
        f"created the workbench schema in {url}",
        f"  schema revision {SCHEMA_HEAD}: {len(metadata.tables)} tables",
    ]
    code, out, err = run(capsys, "db", "check", url)
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith(f"{url}: PostgreSQL 1")
    assert out.splitlines()[0].endswith(", user postgres")
    assert f"  schema: revision {SCHEMA_HEAD}, up to date" in out
    assert "  immutability triggers: 16 of 16 present" in out
    assert "  privileges: all the workbench needs here" in out
    assert f"  rows: 2 in 1 of {len(metadata.tables)} tables" in out
    assert out.endswith("  fit for use\n")
    code, _, err = run(capsys, "db", "init", url)
    assert code == 2
    assert one_line(err) == (
        f"settlement-workbench: error: {url} already has tables; create the workbench schema "
        "in an empty database"
    )


def test_copy_to_a_server_and_back_prints_each_table_verified(
    demo_db, database_target, tmp_path, capsys
):
    url = database_target("postgresql", "cli_copy")
    code, out, err = run(capsys, "db", "copy", str(demo_db), url)
    assert code == 0, err
    lines = out.splitlines()
    assert re.fullmatch(
        rf"copied {re.escape(str(demo_db))} to {re.escape(url)} in [\d.]+ s", lines[0]
    )
    bid_offer = next(line for line in lines if line.split()[0] == "bid_offer")
    back = tmp_path / "back.sqlite"
    code, out, err = run(capsys, "db", "copy", url, str(back))
    assert code == 0, err
    assert bid_offer in out.splitlines()  # same rows, same checksum
    assert re.fullmatch(r"  bid_offer +[\d,]+  sha256 [0-9a-f]{64}", bid_offer)
    code, _, err = run(capsys, "db", "copy", str(demo_db), str(back))
    assert code == 2
    assert re.fullmatch(
        rf"settlement-workbench: error: {re.escape(str(back))} already holds [\d,]+ rows of "
        r"settlement data; copy into a new file, or replace its contents \(--replace\)",
        one_line(err),
    )
    assert run(capsys, "db", "copy", str(demo_db), str(back), "--replace")[0] == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://u:secret@h:port/x", "postgresql://u:***@h:port/x is not a database URL"),
        ("oracle://scott@h/orcl", "oracle://scott@h/orcl: oracle databases are not supported"),
        (
            "postgresql+psycopg://u:secret@127.0.0.1/",
            "postgresql+psycopg://u:***@127.0.0.1/ names no database",
        ),
        ("mysql+nosuchdriver://u@h/x", "no database driver 'mysql+nosuchdriver' is installed"),
        ("postgresql+psycopg://u:secret@127.0.0.1:1/x", "cannot connect to the server"),
    ],
)
@pytest.mark.parametrize("command", ["init", "check", "copy"])
def test_a_bad_url_is_one_line_and_exit_2(command, url, message, demo_db, capsys):
    argv = ["db", command, *((str(demo_db), url) if command == "copy" else (url,))]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    line = one_line(err)
    assert line.startswith("settlement-workbench: error: ") and message in line
    assert "secret" not in line


def test_check_of_a_database_with_a_trigger_dropped_fails_in_one_line(tmp_path, capsys):
    path = tmp_path / "checked.sqlite"
    assert run(capsys, "db", "init", str(path))[0] == 0
    with SettlementDatabase.open(path) as db, db.engine.begin() as conn:
        conn.execute(text("DROP TRIGGER immutable_ecvn_delete"))
    code, out, err = run(capsys, "db", "check", str(path))
    assert code == 2
    assert "  immutability triggers: 31 of 32 present" in out
    assert one_line(err) == (
        f"settlement-workbench: error: {path}: 1 of 32 immutability triggers are missing "
        "(immutable_ecvn_delete): loaded runs can be changed by SQL"
    )
