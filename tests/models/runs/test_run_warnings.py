"""Warnings kept with a run: one line each naming where, the field and value, what was assumed
and the rule; stored in order, once each, and read back as written."""

from __future__ import annotations

import pytest

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from models.runs.run_warnings import (
    DataWarning,
    delete_run_warnings,
    read_run_warnings,
    write_run_warnings,
)
from tests.paths import CASES

UNREGISTERED = DataWarning(
    "R-REG-UNREGISTERED", "PN_2022-01-01.json", "data[3]", "bmUnit", "T_NEW-1",
    "not in the register in force; settled with TLF 0, production",
)  # fmt: skip


@pytest.mark.parametrize(
    ("warning", "line"),
    [
        (UNREGISTERED, "PN_2022-01-01.json, data[3]: bmUnit = T_NEW-1: not in the register in "
                       "force; settled with TLF 0, production [R-REG-UNREGISTERED]"),
        (DataWarning("R-REG-DATED", "register.csv", "", "", "", "no date; 2022-06-01 assumed"),
         "register.csv: no date; 2022-06-01 assumed [R-REG-DATED]"),
        (DataWarning("", "", "", "", "T_A-1", "id differs"), "T_A-1: id differs"),
    ],
)  # fmt: skip
def test_a_warning_is_one_line_leaving_out_what_it_does_not_name(warning, line):
    assert str(warning) == line


def test_as_json_names_every_part():
    assert UNREGISTERED.as_json() == {
        "rule": "R-REG-UNREGISTERED",
        "file": "PN_2022-01-01.json",
        "location": "data[3]",
        "field": "bmUnit",
        "value": "T_NEW-1",
        "reason": "not in the register in force; settled with TLF 0, production",
    }


def test_warnings_are_stored_in_order_once_each_and_deleted_with_their_run(tmp_path):
    other = DataWarning("R-REG-ID", "BOD.json", "data[0]", "nationalGridBmUnit", "X-1", "differs")
    long_file = DataWarning("R-REG-DATED", "f" * 600, "", "", "", "assumed")
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        run = import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            written = write_run_warnings(conn, run, [other, UNREGISTERED, other, long_file])
        assert written == 3  # the repeated warning once
        with db.engine.connect() as conn:
            back = read_run_warnings(conn, run)
        assert back[:2] == [other, UNREGISTERED]
        assert back[2].file == "f" * 500  # the stored file name is cut at 500 characters
        with db.engine.begin() as conn:
            delete_run_warnings(conn, run)
        with db.engine.connect() as conn:
            assert read_run_warnings(conn, run) == []
