"""Typed record tables: the rows under one parent record (of the right parent type, where a
record type may sit under two), and a file's record count, version and first record as
Python values."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np

from models.p114.framing import FileHeader
from models.p114.records import FlatFileContent, RecordTable

HEADER = FileHeader(
    "S0142014", "D", datetime(2026, 9, 22, 22, 44, 32), "SA", "UKDC", "PB", "PORTAL", 41697, "OPER"
)  # fmt: skip


def mel() -> RecordTable:
    # MEL records under BPI row 0 (two), BP7 row 0 (one) and BPI row 1 (one): a row number
    # alone does not say which record they sit under, the parent's type with it does.
    return RecordTable(
        "MEL",
        {"level": np.array([10.0, 12.0, 7.0, 3.0])},
        line=np.array([5, 6, 9, 12], dtype=np.int64),
        parent=np.array([0, 0, 0, 1], dtype=np.int64),
        parent_code=np.array(["BPI", "BPI", "BP7", "BPI"]),
    )


def test_the_rows_under_a_parent_record_of_its_type():
    table = mel()
    assert len(table) == 4
    assert table.rows_under("BPI", 0).tolist() == [0, 1]
    assert table.rows_under("BP7", 0).tolist() == [2]
    assert table.rows_under("BPI", 1).tolist() == [3]
    assert table.rows_under("BP7", 1).tolist() == []


def test_a_files_record_count_version_and_first_record():
    srh = RecordTable(
        "SRH",
        {
            "settlement_date": np.array(["2026-02-17"], dtype="datetime64[D]"),
            "saa_run_number": np.array([2], dtype=np.int64),
            "run_type": np.array(["R1"]),
        },
        line=np.array([2], dtype=np.int64),
        parent=np.array([-1], dtype=np.int64),
        parent_code=np.array(["ROOT"]),
    )
    content = FlatFileContent("s.gz", HEADER, {"SRH": srh, "MEL": mel()})
    assert content.records == 2 + 1 + 4  # AAA and ZZZ with the records of every table
    assert content.version == "014"
    first = content.first("SRH")
    assert first == {"settlement_date": date(2026, 2, 17), "saa_run_number": 2, "run_type": "R1"}
    assert type(first["saa_run_number"]) is int and type(first["run_type"]) is str
