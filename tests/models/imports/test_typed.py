"""Hostile values in Elexon files (issue 16) are rejected by record and field, through the
one validation layer (models.validate): never an internal error, nothing written."""

from __future__ import annotations

import json
import shutil

import pytest

from models.database import SettlementDatabase
from models.imports.loader import import_files
from models.imports.report import ImportRejected
from tests.models.imports.conftest import elexon

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
        ("acceptanceNumber", "9" * 400, "expected a finite number"),
        ("acceptanceNumber", "9" * 5000, "expected a finite number"),
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
