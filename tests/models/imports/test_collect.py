"""Exact duplicate records (models/imports/collect.py `Collector._put`): kept once and reported
as such, never counted as two records in the import report."""

from __future__ import annotations

import json
from pathlib import Path

from models.db.database import SettlementDatabase
from models.imports.loader import import_files


def _boalf(number, t_from, t_to, level_from, level_to, period_from, period_to):
    return {
        "dataset": "BOALF",
        "settlementDate": "2022-01-01",
        "settlementPeriodFrom": period_from,
        "settlementPeriodTo": period_to,
        "timeFrom": t_from,
        "timeTo": t_to,
        "levelFrom": level_from,
        "levelTo": level_to,
        "acceptanceNumber": number,
        "acceptanceTime": "2022-01-01T18:19:00Z",
        "deemedBoFlag": False,
        "soFlag": True,
        "storFlag": False,
        "rrFlag": False,
        "nationalGridBmUnit": "AKGLW-3",
        "bmUnit": "T_AKGLW-3",
    }


# Three records: two levels of acceptance 1 (its header repeats, which is no duplicate) and one
# segment of acceptance 2 running past midnight (put on both dates, which is no duplicate).
RECORDS = [
    _boalf(1, "2022-01-01T18:21:00Z", "2022-01-01T18:24:00Z", 42.0, 5.0, 37, 37),
    _boalf(1, "2022-01-01T18:24:00Z", "2022-01-01T19:04:00Z", 5.0, 5.0, 37, 39),
    _boalf(2, "2022-01-01T23:54:00Z", "2022-01-02T00:01:00Z", 3.0, 71.0, 48, 1),
]


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text(json.dumps({"data": records}))
    return path


def _import(tmp_path: Path, *files: Path):
    with SettlementDatabase.create(tmp_path / "db.sqlite") as db:
        return import_files(db, list(files))


def test_a_file_without_repeats_reports_no_duplicates(tmp_path):
    summary = _import(tmp_path, _write(tmp_path / "a.json", RECORDS))
    assert summary.records["BOALF"] == 3
    assert summary.duplicates == 0
    assert "duplicate" not in summary.text()
    assert summary.as_json()["duplicates"] == 0


def test_one_file_given_twice_collapses_each_of_its_records_once(tmp_path):
    a = _write(tmp_path / "a.json", RECORDS)
    b = _write(tmp_path / "b.json", RECORDS)
    summary = _import(tmp_path, a, b)
    assert summary.records["BOALF"] == 6  # records read
    assert summary.duplicates == 3  # every record of b repeats one of a, the midnight one once
    assert "6 records, 3 exact duplicate(s) collapsed" in summary.text()
    assert summary.as_json()["duplicates"] == 3


def test_overlapping_files_collapse_only_the_shared_record(tmp_path):
    a = _write(tmp_path / "a.json", RECORDS[:2])
    b = _write(tmp_path / "b.json", RECORDS[1:])
    summary = _import(tmp_path, a, b)
    assert summary.records["BOALF"] == 4
    assert summary.duplicates == 1
    assert "4 records, 1 exact duplicate(s) collapsed" in summary.text()
