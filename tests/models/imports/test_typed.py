"""Hostile values in Elexon files (issue 16) are rejected by record and field, through the
one validation layer (models.casefiles.validate): never an internal error, nothing written."""

from __future__ import annotations

import json
import shutil
from datetime import date

import pytest

from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from models.imports.report import ImportRejected
from tests.paths import elexon

BOALF = json.loads(elexon("insights_json/BOALF_2022-01-01.json").read_text())["data"][:3]


def _file_with(tmp_path, key: str, literal: str):
    records = [dict(r) for r in BOALF]
    records[0][key] = "__LITERAL__"
    path = tmp_path / "boalf.json"
    path.write_text(json.dumps({"data": records}).replace('"__LITERAL__"', literal))
    return path


@pytest.mark.parametrize(
    ("key", "literal", "reason"),
    [
        (
            "acceptanceNumber",
            "9" * 400,
            "an integer of 400 digits; expected a number of at most 30",
        ),
        (
            "acceptanceNumber",
            "9" * 5000,
            "an integer of 5,000 digits; expected a number of at most",
        ),
        ("levelFrom", '"' + "9" * 400 + '"', "an integer of 400 digits; expected a number of at"),
        ("acceptanceNumber", str(2**70), "expected a whole number within ±9,223,372,036,854,"),
        ("settlementDate", '"9999-12-31"', "expected a settlement date from 2001-03-27 to 2099-"),
        ("timeFrom", '"2022-01-01T18:21:30Z"', "expected a time on a whole minute"),
        ("nationalGridBmUnit", '"\\ud800"', "text holds a lone UTF-16 surrogate (U+D800)"),
        ("nationalGridBmUnit", '"CAIRW-2\\u0007"', "text holds a control character (U+0007)"),
        ("levelFrom", "NaN", "expected a finite number"),
        ("levelFrom", "-Infinity", "expected a finite number"),
    ],
)
def test_a_hostile_value_is_rejected_by_record_and_field(
    registered_db, tmp_path, key, literal, reason
):
    path = _file_with(tmp_path, key, literal)
    before = (tmp_path / "db.sqlite").read_bytes()
    with pytest.raises(ImportRejected) as caught:
        import_files(registered_db, [path])
    rejections = caught.value.report.rejections
    assert [(r.location, r.field) for r in rejections] == [("data[0]", key)]
    assert rejections[0].reason.startswith(reason)
    assert (tmp_path / "db.sqlite").read_bytes() == before


def test_json_nested_deeper_than_the_parser_allows_is_rejected(registered_db, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000)
    with pytest.raises(ImportRejected) as caught:
        import_files(registered_db, [path])
    assert [r.reason for r in caught.value.report.rejections] == [
        "JSON nested too deeply; expected at most 32 levels"
    ]


def test_the_largest_64_bit_acceptance_number_is_accepted(registered_db_file, tmp_path):
    db_path = tmp_path / "db.sqlite"
    shutil.copy(registered_db_file, db_path)
    records = [dict(r, acceptanceNumber=2**62) for r in BOALF]
    path = tmp_path / "boalf.json"
    path.write_text(json.dumps({"data": records}))
    with SettlementDatabase.open(db_path) as db:
        import_files(db, [path])


def _typed_disbsad(**columns):
    from models.imports.datasets import DISBSAD
    from models.imports.formats import Batch
    from models.imports.report import ImportReport
    from models.imports.typed import type_batch

    size = len(next(iter(columns.values())))
    base = {"settlementdate": ["2025-12-01"] * size, "settlementperiod": [1] * size}
    base |= {"volume": [1.0] * size, "id": [str(i) for i in range(size)]}
    report = ImportReport()
    batch = Batch("f.json", DISBSAD, base | columns, lambda i: f"data[{i}]")
    return type_batch(batch, report), report


def test_text_values_are_converted_once_each_and_every_bad_record_is_named():
    typed, report = _typed_disbsad(
        settlementdate=["2025-12-01", "2025-13-01", None, "2025-12-01", "2025-13-01"]
    )
    assert typed.values["settlement_date"] == [
        date(2025, 12, 1),
        None,
        None,
        date(2025, 12, 1),
        None,
    ]
    assert [(r.location, r.value, r.reason[:15]) for r in report.rejections] == [
        ("data[1]", "'2025-13-01'", "expected a date"),
        ("data[2]", "", "required date i"),
        ("data[4]", "'2025-13-01'", "expected a date"),
    ]
    assert typed.ok == [True, False, False, True, False]


def test_a_cached_value_is_never_given_to_an_equal_value_of_another_type():
    # 1 == True == 1.0 as dict keys: the id 1 is the text "1", true is no text at all.
    typed, report = _typed_disbsad(id=[1, True, 1.0, "1"])
    assert typed.values["id"] == ["1", None, "1", "1"]
    assert [(r.location, r.reason) for r in report.rejections] == [("data[1]", "expected text")]
