"""Exact duplicate records (models/imports/collect.py `Collector._put`): kept once and reported
as such, never counted as two records in the import report."""

from __future__ import annotations

from pathlib import Path

from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from tests.models.imports.boalf_files import RECORDS, write_boalf


def _import(tmp_path: Path, *files: Path):
    with SettlementDatabase.create(tmp_path / "db.sqlite") as db:
        return import_files(db, list(files))


def test_a_file_without_repeats_reports_no_duplicates(tmp_path):
    summary = _import(tmp_path, write_boalf(tmp_path / "a.json", RECORDS))
    assert summary.records["BOALF"] == 3
    assert summary.duplicates == 0
    assert "duplicate" not in summary.text()
    assert summary.as_json()["duplicates"] == 0


def test_one_file_given_twice_collapses_each_of_its_records_once(tmp_path):
    a = write_boalf(tmp_path / "a.json", RECORDS)
    b = write_boalf(tmp_path / "b.json", RECORDS)
    summary = _import(tmp_path, a, b)
    assert summary.records["BOALF"] == 6  # records read
    assert summary.duplicates == 3  # every record of b repeats one of a, the midnight one once
    assert "6 records, 3 exact duplicate(s) collapsed" in summary.text()
    assert summary.as_json()["duplicates"] == 3


def test_overlapping_files_collapse_only_the_shared_record(tmp_path):
    a = write_boalf(tmp_path / "a.json", RECORDS[:2])
    b = write_boalf(tmp_path / "b.json", RECORDS[1:])
    summary = _import(tmp_path, a, b)
    assert summary.records["BOALF"] == 4
    assert summary.duplicates == 1
    assert "4 records, 1 exact duplicate(s) collapsed" in summary.text()
